// Standalone driver for the fused attention kernels on the GPU machine (no
// LLVM there): loads the fatbin the runtime embeds, runs AttentionLaunch.h's
// sequence through the driver API, on the caller's (torch's) context and the
// legacy stream. check.py calls it through ctypes and compares with torch.
#include "cuda/attention/AttentionLaunch.h"

#include <cuda.h>
#include <cstdio>
#include <map>
#include <string>

using namespace thunder::attention;

namespace {
CUmodule module;
std::map<std::string, CUfunction> functions;

struct DriverBackend : Backend {
  bool launch(const char *name, unsigned gx, unsigned gy, unsigned gz, unsigned block,
              unsigned smem, Params &p) override {
    CUfunction &f = functions[name];
    if (!f && cuModuleGetFunction(&f, module, name) != CUDA_SUCCESS) {
      std::fprintf(stderr, "no kernel %s\n", name);
      return false;
    }
    if (smem > 48 * 1024)
      cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, int(smem));
    void *args[] = {&p};
    CUresult r = cuLaunchKernel(f, gx, gy, gz, block, 1, 1, smem, nullptr, args, nullptr);
    if (r != CUDA_SUCCESS) {
      const char *msg = nullptr;
      cuGetErrorString(r, &msg);
      std::fprintf(stderr, "launching %s: %s\n", name, msg ? msg : "?");
      return false;
    }
    return true;
  }
  // Blocks are kept for reuse (stream-ordered on the legacy stream): no
  // allocation or synchronisation inside timed loops.
  static std::multimap<size_t, CUdeviceptr> &pool() {
    static std::multimap<size_t, CUdeviceptr> p;
    return p;
  }
  static std::map<CUdeviceptr, size_t> &sizes() {
    static std::map<CUdeviceptr, size_t> s;
    return s;
  }
  void *alloc(size_t bytes, bool zero) override {
    CUdeviceptr ptr = 0;
    auto it = pool().find(bytes);
    if (it != pool().end()) {
      ptr = it->second;
      pool().erase(it);
    } else if (cuMemAlloc(&ptr, bytes ? bytes : 1) != CUDA_SUCCESS) {
      return nullptr;
    }
    sizes()[ptr] = bytes;
    if (zero)
      cuMemsetD8Async(ptr, 0, bytes, nullptr);
    return reinterpret_cast<void *>(ptr);
  }
  void free(void *ptr) override {
    auto p = reinterpret_cast<CUdeviceptr>(ptr);
    pool().emplace(sizes()[p], p);
  }
};
} // namespace

extern "C" int h_init(const char *fatbin) {
  FILE *f = std::fopen(fatbin, "rb");
  if (!f)
    return -1;
  std::string data;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    data.append(buf, n);
  std::fclose(f);
  CUresult r = cuModuleLoadData(&module, data.data());
  if (r != CUDA_SUCCESS) {
    const char *msg = nullptr;
    cuGetErrorString(r, &msg);
    std::fprintf(stderr, "module load: %s\n", msg ? msg : "?");
    return -2;
  }
  return 0;
}
extern "C" int h_sizeof_params() { return int(sizeof(Params)); }
extern "C" int h_fwd(int dtype, Params *p) {
  DriverBackend be;
  if (!supported(dtype, *p))
    return -1;
  return forward(be, dtype, *p) ? 0 : -2;
}
extern "C" int h_bwd(int dtype, Params *p) {
  DriverBackend be;
  if (!supported(dtype, *p))
    return -1;
  return backward(be, dtype, *p) ? 0 : -2;
}
