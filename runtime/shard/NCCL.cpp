//===- NCCL.cpp - the NCCL transport (CUDA target), opened at run time ----===//
//
// libnccl.so.2 through dlopen, with the types of nccl.h spelled out here (the
// ABI NCCL keeps stable: ncclComm_t a pointer, ncclUniqueId 128 bytes, the
// data type and reduction enums). Collectives run on the stream of the current
// thunder call, so they are ordered with the kernels around them.
//
//===----------------------------------------------------------------------===//
#include "shard/Transport.h"
#include "src/Common.h"
#include "thunder/runtime/compiler_abi.h"

#include <dlfcn.h>

#include <cstring>

namespace thunder::shard {
namespace {

using Comm = void *;
struct UniqueId {
  char internal[128];
};
// nccl.h: ncclInt8 = 0, ncclInt32 = 2, ncclInt64 = 4, ncclFloat32 = 7, ncclFloat64 = 8;
// ncclSum = 0, ncclMax = 2, ncclMin = 3.
constexpr int kTypes[4] = {7, 8, 4, 2}; // thunder_shard_dtype order: f32, f64, i64, i32
constexpr int kOps[3] = {0, 2, 3};      // thunder_shard_op order: sum, max, min
constexpr int kInt8 = 0;

struct NCCLLibrary {
  void *lib = nullptr;
  int (*getUniqueId)(UniqueId *) = nullptr;
  int (*commInitRank)(Comm *, int, UniqueId, int) = nullptr;
  int (*commDestroy)(Comm) = nullptr;
  int (*commCount)(Comm, int *) = nullptr;
  int (*commUserRank)(Comm, int *) = nullptr;
  int (*allReduce)(const void *, void *, size_t, int, int, Comm, void *) = nullptr;
  int (*allGather)(const void *, void *, size_t, int, Comm, void *) = nullptr;
  int (*reduceScatter)(const void *, void *, size_t, int, int, Comm, void *) = nullptr;
  const char *(*errorString)(int) = nullptr;
};

const NCCLLibrary &library() {
  static NCCLLibrary nccl;
  static std::string error;
  static bool tried = false;
  if (!tried) {
    tried = true;
    for (const char *name : {"libnccl.so.2", "libnccl.so"})
      if ((nccl.lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)))
        break;
    if (!nccl.lib) {
      const char *e = dlerror();
      error = std::string("cannot open libnccl.so.2 (NCCL): ") + (e ? e : "not found");
    } else {
      auto sym = [&](const char *n) {
        void *p = dlsym(nccl.lib, n);
        if (!p && error.empty())
          error = std::string("libnccl has no ") + n;
        return p;
      };
      nccl.getUniqueId = reinterpret_cast<decltype(nccl.getUniqueId)>(sym("ncclGetUniqueId"));
      nccl.commInitRank = reinterpret_cast<decltype(nccl.commInitRank)>(sym("ncclCommInitRank"));
      nccl.commDestroy = reinterpret_cast<decltype(nccl.commDestroy)>(sym("ncclCommDestroy"));
      nccl.commCount = reinterpret_cast<decltype(nccl.commCount)>(sym("ncclCommCount"));
      nccl.commUserRank = reinterpret_cast<decltype(nccl.commUserRank)>(sym("ncclCommUserRank"));
      nccl.allReduce = reinterpret_cast<decltype(nccl.allReduce)>(sym("ncclAllReduce"));
      nccl.allGather = reinterpret_cast<decltype(nccl.allGather)>(sym("ncclAllGather"));
      nccl.reduceScatter =
          reinterpret_cast<decltype(nccl.reduceScatter)>(sym("ncclReduceScatter"));
      nccl.errorString = reinterpret_cast<decltype(nccl.errorString)>(sym("ncclGetErrorString"));
    }
  }
  if (!error.empty())
    rt::fail(THUNDER_ERR_COMMUNICATION, error);
  return nccl;
}

class NCCLTransport : public Transport {
public:
  NCCLTransport(const NCCLLibrary &nccl, Comm comm, bool owned) : nccl(nccl), comm(comm),
                                                                   owned(owned) {
    check(nccl.commCount(comm, &size_), "ncclCommCount");
    check(nccl.commUserRank(comm, &rank_), "ncclCommUserRank");
  }
  ~NCCLTransport() override {
    if (owned)
      nccl.commDestroy(comm);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::string allReduce(const void *in, void *out, int64_t count, int dtype, int op) override {
    if (dtype < 0 || dtype > 3 || op < 0 || op > 2)
      return "NCCL all_reduce: unknown dtype or op";
    return result(nccl.allReduce(in, out, count, kTypes[dtype], kOps[op], comm,
                                 thunder_cuda_current_stream()),
                  "ncclAllReduce");
  }
  std::string reduceScatter(const void *in, void *out, int64_t count, int dtype,
                            int op) override {
    if (dtype < 0 || dtype > 3 || op < 0 || op > 2)
      return "NCCL reduce_scatter: unknown dtype or op";
    return result(nccl.reduceScatter(in, out, count, kTypes[dtype], kOps[op], comm,
                                     thunder_cuda_current_stream()),
                  "ncclReduceScatter");
  }
  std::string allGather(const void *in, void *out, int64_t bytes) override {
    return result(nccl.allGather(in, out, bytes, kInt8, comm, thunder_cuda_current_stream()),
                  "ncclAllGather");
  }

private:
  std::string result(int rc, const char *what) const {
    return rc == 0 ? "" : std::string(what) + " failed: " + nccl.errorString(rc);
  }
  void check(int rc, const char *what) const {
    if (rc != 0)
      rt::fail(THUNDER_ERR_COMMUNICATION, result(rc, what));
  }
  const NCCLLibrary &nccl;
  Comm comm;
  bool owned;
  int rank_ = 0, size_ = 0;
};

} // namespace

std::unique_ptr<Transport> openNCCL(const void *ncclComm) {
  if (!ncclComm)
    rt::fail(THUNDER_ERR_INVALID_ARGUMENT, "the NCCL communicator pointer is null");
  return std::make_unique<NCCLTransport>(library(), *static_cast<const Comm *>(ncclComm), false);
}

std::unique_ptr<Transport> createNCCL(const void *uniqueId, int nranks, int rank) {
  if (nranks < 1 || rank < 0 || rank >= nranks)
    rt::fail(THUNDER_ERR_INVALID_ARGUMENT, "NCCL: rank " + std::to_string(rank) + " of " +
                                               std::to_string(nranks) + " is not a rank");
  if (!uniqueId && nranks > 1)
    rt::fail(THUNDER_ERR_INVALID_ARGUMENT,
             "NCCL: several ranks need the unique id rank 0 made (thunder_nccl_unique_id)");
  const NCCLLibrary &nccl = library();
  UniqueId id;
  if (uniqueId)
    std::memcpy(&id, uniqueId, sizeof(id));
  else if (int rc = nccl.getUniqueId(&id))
    rt::fail(THUNDER_ERR_COMMUNICATION,
             std::string("ncclGetUniqueId failed: ") + nccl.errorString(rc));
  Comm comm = nullptr;
  if (int rc = nccl.commInitRank(&comm, nranks, id, rank))
    rt::fail(THUNDER_ERR_COMMUNICATION,
             std::string("ncclCommInitRank failed: ") + nccl.errorString(rc));
  return std::make_unique<NCCLTransport>(nccl, comm, true);
}

void ncclUniqueId(void *out) {
  if (!out)
    rt::fail(THUNDER_ERR_INVALID_ARGUMENT, "the unique id buffer is null");
  const NCCLLibrary &nccl = library();
  UniqueId id;
  if (int rc = nccl.getUniqueId(&id))
    rt::fail(THUNDER_ERR_COMMUNICATION,
             std::string("ncclGetUniqueId failed: ") + nccl.errorString(rc));
  std::memcpy(out, &id, sizeof(id));
}

} // namespace thunder::shard
