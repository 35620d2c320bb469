//===- Distributed.cpp - thunder-run under mpirun ------------------------===//
#include "Distributed.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace thunder::run {
namespace {

template <typename F> F symbol(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (!p)
    throw std::runtime_error(std::string("libmpi has no ") + name +
                             " (thunder-run speaks Open MPI's ABI)");
  return reinterpret_cast<F>(p);
}

/// Row-major strides: elements before dim, the dim, and after it.
struct Split {
  size_t outer = 1, extent = 1, inner = 1;
};
Split split(const std::vector<int64_t> &shape, int dim, size_t item) {
  Split s;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    if (d < dim)
      s.outer *= shape[d];
    else if (d == dim)
      s.extent = shape[d];
    else
      s.inner *= shape[d];
  }
  s.inner *= item;
  return s;
}

} // namespace

bool underMPIRun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK");
}

MPIWorld::MPIWorld() {
  for (const char *name : {"libmpi.so.40", "libmpi.so"})
    if ((lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL)))
      break;
  if (!lib) {
    const char *e = dlerror();
    throw std::runtime_error(std::string("this model was compiled with --mesh and needs MPI: "
                                         "cannot open libmpi.so.40 (Open MPI): ") +
                             (e ? e : "not found"));
  }
  int up = 0;
  symbol<int (*)(int *)>(lib, "MPI_Initialized")(&up);
  if (!up) {
    if (symbol<int (*)(int *, char ***)>(lib, "MPI_Init")(nullptr, nullptr) != 0)
      throw std::runtime_error("MPI_Init failed");
    initializedHere = true;
  }
  comm = symbol<void *>(lib, "ompi_mpi_comm_world");
  symbol<int (*)(void *, int *)>(lib, "MPI_Comm_rank")(comm, &rank_);
  symbol<int (*)(void *, int *)>(lib, "MPI_Comm_size")(comm, &size_);
}

MPIWorld::~MPIWorld() {
  if (initializedHere)
    symbol<int (*)()>(lib, "MPI_Finalize")();
}

void MPIWorld::allGather(const void *in, void *out, size_t bytes) const {
  if (bytes > 0x7fffffff)
    throw std::runtime_error("a block of " + std::to_string(bytes) +
                             " bytes is above MPI's int count");
  void *byte = symbol<void *>(lib, "ompi_mpi_byte");
  int rc = symbol<int (*)(const void *, int, void *, void *, int, void *, void *)>(
      lib, "MPI_Allgather")(in, static_cast<int>(bytes), byte, out, static_cast<int>(bytes),
                            byte, comm);
  if (rc != 0)
    throw std::runtime_error("MPI_Allgather failed");
}

void MPIWorld::abort(int status) const {
  symbol<int (*)(void *, int)>(lib, "MPI_Abort")(comm, status);
  std::exit(status);
}

thunder::st::Tensor takeBlock(const thunder::st::Tensor &whole, int dim, int rank, int ranks,
                              const std::string &what) {
  if (dim < 0 || dim >= static_cast<int>(whole.shape.size()))
    throw std::runtime_error(what + " has no dimension " + std::to_string(dim) + " to split");
  if (whole.shape[dim] % ranks != 0)
    throw std::runtime_error(what + ": dimension " + std::to_string(dim) + " (size " +
                             std::to_string(whole.shape[dim]) + ") does not split into " +
                             std::to_string(ranks) + " equal blocks");
  size_t item = thunder::st::dtypeSize(whole.dtype);
  Split s = split(whole.shape, dim, item);
  size_t blockExtent = s.extent / ranks;
  thunder::st::Tensor out;
  out.dtype = whole.dtype;
  out.shape = whole.shape;
  out.shape[dim] = static_cast<int64_t>(blockExtent);
  out.data.resize(s.outer * blockExtent * s.inner);
  for (size_t o = 0; o < s.outer; ++o)
    std::memcpy(out.data.data() + o * blockExtent * s.inner,
                whole.data.data() + (o * s.extent + rank * blockExtent) * s.inner,
                blockExtent * s.inner);
  return out;
}

thunder::st::Tensor gatherBlocks(const MPIWorld &world, const thunder::st::Tensor &block,
                                 int dim) {
  int ranks = world.size();
  std::vector<uint8_t> all(block.data.size() * ranks);
  world.allGather(block.data.data(), all.data(), block.data.size());
  size_t item = thunder::st::dtypeSize(block.dtype);
  Split s = split(block.shape, dim, item);
  thunder::st::Tensor whole;
  whole.dtype = block.dtype;
  whole.shape = block.shape;
  whole.shape[dim] *= ranks;
  whole.data.resize(all.size());
  // Rank r's block is rows [r * extent, (r + 1) * extent) of every outer slice.
  for (int r = 0; r < ranks; ++r)
    for (size_t o = 0; o < s.outer; ++o)
      std::memcpy(whole.data.data() + (o * s.extent * ranks + r * s.extent) * s.inner,
                  all.data() + r * block.data.size() + o * s.extent * s.inner,
                  s.extent * s.inner);
  return whole;
}

thunder::st::Tensor trimRows(thunder::st::Tensor t, int64_t rows) {
  if (t.shape.empty() || t.shape[0] <= rows)
    return t;
  size_t rowBytes = t.data.size() / t.shape[0];
  t.data.resize(rowBytes * rows);
  t.shape[0] = rows;
  return t;
}

} // namespace thunder::run
