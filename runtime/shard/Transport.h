//===- Transport.h - the communicator an instance joins (--mesh) -----------===//
//
// A model compiled with --mesh runs its collectives (compiler_abi.h's
// thunder_shard_*) on the communicator its caller owns: an MPI_Comm for the
// CPU target. The transport library is opened at run time (dlopen), like
// cuBLAS, so a .so without --mesh, and thunder-run, never depend on it.
// docs/sharding.md.
//
//===----------------------------------------------------------------------===//
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace thunder::shard {

class Transport {
public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// out = the elementwise reduction over the ranks of `in` (`count`
  /// elements of compiler_abi.h's thunder_shard_dtype `dtype`, reduced by
  /// thunder_shard_op `op`). Returns what failed, or "".
  virtual std::string allReduce(const void *in, void *out, int64_t count, int dtype, int op) = 0;
  /// out = this rank's block (`count` elements) of the reduction of `in`
  /// (size() blocks of `count`).
  virtual std::string reduceScatter(const void *in, void *out, int64_t count, int dtype,
                                    int op) = 0;
  /// out = the ranks' `in` blocks of `bytes` each, in rank order.
  virtual std::string allGather(const void *in, void *out, int64_t bytes) = 0;
};

/// The caller's MPI communicator (`mpiComm` points at its MPI_Comm handle),
/// through libmpi opened at run time (Open MPI's ABI: Debian's openmpi).
/// Throws thunder::rt::Error naming what is missing.
std::unique_ptr<Transport> openMPI(const void *mpiComm);

/// The caller's NCCL communicator (`ncclComm` points at its ncclComm_t),
/// through libnccl opened at run time; collectives run on the stream of the
/// current call. Throws thunder::rt::Error naming what is missing.
std::unique_ptr<Transport> openNCCL(const void *ncclComm);
/// A communicator of `nranks` made from the caller's 128-byte ncclUniqueId
/// (which every rank must be given; null for nranks == 1), owned by the
/// transport. The device must be current.
std::unique_ptr<Transport> createNCCL(const void *uniqueId, int nranks, int rank);
/// A new ncclUniqueId (128 bytes) into `out`, for the caller to distribute.
void ncclUniqueId(void *out);

/// Makes `t` the transport of the collectives the compiled code calls on
/// this thread while the scope lives (one thunder_forward / _backward).
class ScopedTransport {
public:
  explicit ScopedTransport(Transport *t);
  ~ScopedTransport();
  /// Throws the first failure of a collective in this scope, if any.
  void check();
  ScopedTransport(const ScopedTransport &) = delete;
  ScopedTransport &operator=(const ScopedTransport &) = delete;

private:
  Transport *previous;
  std::string previousError;
};

} // namespace thunder::shard
