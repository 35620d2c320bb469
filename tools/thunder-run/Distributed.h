//===- Distributed.h - thunder-run under mpirun (--mesh models) ----------===//
//
// A model compiled with --mesh runs on every rank of MPI_COMM_WORLD: each
// rank reads the whole IN, takes its block of every sharded input and
// cotangent, and rank 0 writes OUT with the sharded outputs and input
// gradients gathered whole (CONTRACT.md "Distributed"). libmpi is opened at
// run time (Open MPI's ABI), so thunder-run links nothing from MPI.
//
//===----------------------------------------------------------------------===//
#pragma once
#include "safetensors/Safetensors.h"

#include <string>

namespace thunder::run {

/// MPI_COMM_WORLD of an MPI job this process is a rank of (initialised on
/// construction, finalised on destruction). Throws std::runtime_error with
/// what is missing.
class MPIWorld {
public:
  MPIWorld();
  ~MPIWorld();
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// The address of the world communicator's handle (for
  /// thunder_model_set_mpi_comm).
  const void *communicator() const { return &comm; }
  /// Every rank's `bytes` bytes of `in`, in rank order, into `out`.
  void allGather(const void *in, void *out, size_t bytes) const;
  /// Ends the whole job (a rank failed: the others must not wait for it).
  [[noreturn]] void abort(int status) const;
  MPIWorld(const MPIWorld &) = delete;
  MPIWorld &operator=(const MPIWorld &) = delete;

private:
  void *lib = nullptr;
  void *comm = nullptr;
  int rank_ = 0, size_ = 1;
  bool initializedHere = false;
};

/// True where this process was started by mpirun / mpiexec (Open MPI).
bool underMPIRun();

/// Rank `rank`'s block of `whole` along `dim` (of `ranks` equal blocks);
/// throws std::runtime_error naming `what` when the extent does not divide.
thunder::st::Tensor takeBlock(const thunder::st::Tensor &whole, int dim, int rank, int ranks,
                              const std::string &what);

/// The whole tensor from every rank's `block` along `dim`.
thunder::st::Tensor gatherBlocks(const MPIWorld &world, const thunder::st::Tensor &block,
                                 int dim);

/// The first `rows` rows of `t` (dim 0): a gathered block tensor without its padding.
thunder::st::Tensor trimRows(thunder::st::Tensor t, int64_t rows);

} // namespace thunder::run
