//===- MPI.cpp - the MPI transport (CPU target), libmpi opened at run time -===//
//
// Open MPI's handles are pointers to its predefined objects (ompi_mpi_float,
// ompi_mpi_op_sum, ...), found with dlsym; the caller's MPI_Comm is such a
// pointer too. Nothing here includes mpi.h or links libmpi.
//
//===----------------------------------------------------------------------===//
#include "shard/Transport.h"
#include "src/Common.h"

#include <dlfcn.h>

namespace thunder::shard {
namespace {

using Handle = void *; // MPI_Comm, MPI_Datatype, MPI_Op in Open MPI's ABI

struct MPILibrary {
  void *lib = nullptr;
  int (*initialized)(int *) = nullptr;
  int (*finalized)(int *) = nullptr;
  int (*commRank)(Handle, int *) = nullptr;
  int (*commSize)(Handle, int *) = nullptr;
  int (*allreduce)(const void *, void *, int, Handle, Handle, Handle) = nullptr;
  int (*allgather)(const void *, int, Handle, void *, int, Handle, Handle) = nullptr;
  int (*reduceScatterBlock)(const void *, void *, int, Handle, Handle, Handle) = nullptr;
  int (*errorString)(int, char *, int *) = nullptr;
  Handle types[4] = {}; // thunder_shard_dtype order: f32, f64, i64, i32
  Handle byte = nullptr;
  Handle ops[3] = {};   // thunder_shard_op order: sum, max, min
};

/// libmpi, opened once per process (RTLD_GLOBAL: Open MPI's plugins resolve
/// against it). Throws naming what is missing.
const MPILibrary &library() {
  static MPILibrary mpi;
  static std::string error;
  static bool tried = false;
  if (!tried) {
    tried = true;
    for (const char *name : {"libmpi.so.40", "libmpi.so"})
      if ((mpi.lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL)))
        break;
    if (!mpi.lib) {
      const char *e = dlerror();
      error = std::string("cannot open libmpi.so.40 (Open MPI; Debian: openmpi-bin): ") +
              (e ? e : "not found");
    } else {
      auto sym = [&](const char *n) {
        void *p = dlsym(mpi.lib, n);
        if (!p && error.empty())
          error = std::string("libmpi has no ") + n + " (the MPI transport needs Open MPI)";
        return p;
      };
      mpi.initialized = reinterpret_cast<decltype(mpi.initialized)>(sym("MPI_Initialized"));
      mpi.finalized = reinterpret_cast<decltype(mpi.finalized)>(sym("MPI_Finalized"));
      mpi.commRank = reinterpret_cast<decltype(mpi.commRank)>(sym("MPI_Comm_rank"));
      mpi.commSize = reinterpret_cast<decltype(mpi.commSize)>(sym("MPI_Comm_size"));
      mpi.allreduce = reinterpret_cast<decltype(mpi.allreduce)>(sym("MPI_Allreduce"));
      mpi.allgather = reinterpret_cast<decltype(mpi.allgather)>(sym("MPI_Allgather"));
      mpi.reduceScatterBlock =
          reinterpret_cast<decltype(mpi.reduceScatterBlock)>(sym("MPI_Reduce_scatter_block"));
      mpi.errorString = reinterpret_cast<decltype(mpi.errorString)>(sym("MPI_Error_string"));
      mpi.types[0] = sym("ompi_mpi_float");
      mpi.types[1] = sym("ompi_mpi_double");
      mpi.types[2] = sym("ompi_mpi_int64_t");
      mpi.types[3] = sym("ompi_mpi_int32_t");
      mpi.byte = sym("ompi_mpi_byte");
      mpi.ops[0] = sym("ompi_mpi_op_sum");
      mpi.ops[1] = sym("ompi_mpi_op_max");
      mpi.ops[2] = sym("ompi_mpi_op_min");
    }
  }
  if (!error.empty())
    rt::fail(THUNDER_ERR_COMMUNICATION, error);
  return mpi;
}

class MPITransport : public Transport {
public:
  MPITransport(const MPILibrary &mpi, Handle comm, int rank, int size)
      : mpi(mpi), comm(comm), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::string allReduce(const void *in, void *out, int64_t count, int dtype, int op) override {
    if (dtype < 0 || dtype > 3 || op < 0 || op > 2)
      return "MPI all_reduce: unknown dtype " + std::to_string(dtype) + " or op " +
             std::to_string(op);
    // MPI counts are int: large tensors go in chunks.
    size_t item = dtype == 1 || dtype == 2 ? 8 : 4;
    for (int64_t done = 0; done < count;) {
      int n = static_cast<int>(std::min<int64_t>(count - done, 1 << 30));
      int rc = mpi.allreduce(static_cast<const char *>(in) + done * item,
                             static_cast<char *>(out) + done * item, n, mpi.types[dtype],
                             mpi.ops[op], comm);
      if (rc != 0)
        return "MPI_Allreduce failed: " + message(rc);
      done += n;
    }
    return "";
  }

  std::string reduceScatter(const void *in, void *out, int64_t count, int dtype,
                            int op) override {
    if (dtype < 0 || dtype > 3 || op < 0 || op > 2)
      return "MPI reduce_scatter: unknown dtype " + std::to_string(dtype) + " or op " +
             std::to_string(op);
    if (count > 0x7fffffff)
      return "MPI reduce_scatter: a block of " + std::to_string(count) +
             " elements is above MPI's int count";
    int rc = mpi.reduceScatterBlock(in, out, static_cast<int>(count), mpi.types[dtype],
                                    mpi.ops[op], comm);
    return rc == 0 ? "" : "MPI_Reduce_scatter_block failed: " + message(rc);
  }

  std::string allGather(const void *in, void *out, int64_t bytes) override {
    if (bytes > (int64_t(1) << 31) - 1)
      return "MPI all_gather: a block of " + std::to_string(bytes) +
             " bytes is above MPI's int count";
    int rc = mpi.allgather(in, static_cast<int>(bytes), mpi.byte, out, static_cast<int>(bytes),
                           mpi.byte, comm);
    return rc == 0 ? "" : "MPI_Allgather failed: " + message(rc);
  }

private:
  std::string message(int rc) const {
    char text[512];
    int len = 0;
    if (mpi.errorString && mpi.errorString(rc, text, &len) == 0)
      return std::string(text, len);
    return "error " + std::to_string(rc);
  }
  const MPILibrary &mpi;
  Handle comm;
  int rank_, size_;
};

} // namespace

std::unique_ptr<Transport> openMPI(const void *mpiComm) {
  if (!mpiComm)
    rt::fail(THUNDER_ERR_INVALID_ARGUMENT, "the MPI communicator pointer is null");
  const MPILibrary &mpi = library();
  int up = 0, down = 0;
  mpi.initialized(&up);
  mpi.finalized(&down);
  if (!up || down)
    rt::fail(THUNDER_ERR_STATE, "MPI is not initialized (call MPI_Init before giving the "
                                "instance its communicator)");
  Handle comm = *static_cast<const Handle *>(mpiComm);
  int rank = 0, size = 0;
  if (mpi.commRank(comm, &rank) != 0 || mpi.commSize(comm, &size) != 0)
    rt::fail(THUNDER_ERR_INVALID_ARGUMENT, "MPI_Comm_rank/size refused the communicator");
  return std::make_unique<MPITransport>(mpi, comm, rank, size);
}

} // namespace thunder::shard
