//===- Driver.cpp - The CUDA driver API, opened lazily with dlopen ---------===//

#include "cuda/Driver.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace thunder::cuda {
namespace {

struct Loaded {
  DriverApi api{};
  bool ok = false;
  std::string whyNot;
};

template <typename Fn>
bool bind(void *lib, Fn &slot, const char *name, bool required, std::string &missing) {
  slot = reinterpret_cast<Fn>(dlsym(lib, name));
  if (!slot && required) {
    if (!missing.empty())
      missing += ", ";
    missing += name;
    return false;
  }
  return true;
}

Loaded *load() {
  auto *l = new Loaded(); // never freed: deleters may run during exit
  // THUNDER_CUDA_DRIVER overrides the library (tests point it at a fake).
  const char *override = std::getenv("THUNDER_CUDA_DRIVER");
  const char *name = override && *override ? override : "libcuda.so.1";
  void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *err = dlerror();
    std::string first = err ? err : "unknown error";
    if (!(override && *override))
      lib = dlopen("libcuda.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      l->whyNot = std::string(name) + " could not be loaded (" + first + ")";
      return l;
    }
  }
  DriverApi &a = l->api;
  std::string missing;
#define THUNDER_BIND(field, sym) bind(lib, a.field, sym, true, missing)
  THUNDER_BIND(cuInit, "cuInit");
  THUNDER_BIND(cuDriverGetVersion, "cuDriverGetVersion");
  THUNDER_BIND(cuGetErrorString, "cuGetErrorString");
  THUNDER_BIND(cuGetErrorName, "cuGetErrorName");
  THUNDER_BIND(cuDeviceGetCount, "cuDeviceGetCount");
  THUNDER_BIND(cuDeviceGet, "cuDeviceGet");
  THUNDER_BIND(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  THUNDER_BIND(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
  THUNDER_BIND(cuCtxGetCurrent, "cuCtxGetCurrent");
  THUNDER_BIND(cuCtxSetCurrent, "cuCtxSetCurrent");
  THUNDER_BIND(cuCtxPushCurrent, "cuCtxPushCurrent_v2");
  THUNDER_BIND(cuCtxPopCurrent, "cuCtxPopCurrent_v2");
  THUNDER_BIND(cuCtxGetDevice, "cuCtxGetDevice");
  THUNDER_BIND(cuModuleLoadData, "cuModuleLoadData");
  THUNDER_BIND(cuModuleLoadDataEx, "cuModuleLoadDataEx");
  THUNDER_BIND(cuModuleUnload, "cuModuleUnload");
  THUNDER_BIND(cuModuleGetFunction, "cuModuleGetFunction");
  THUNDER_BIND(cuFuncSetAttribute, "cuFuncSetAttribute");
  THUNDER_BIND(cuLaunchKernel, "cuLaunchKernel");
  THUNDER_BIND(cuMemAlloc, "cuMemAlloc_v2");
  THUNDER_BIND(cuMemAllocManaged, "cuMemAllocManaged");
  THUNDER_BIND(cuMemFree, "cuMemFree_v2");
  THUNDER_BIND(cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  THUNDER_BIND(cuMemcpyDtoH, "cuMemcpyDtoH_v2");
  THUNDER_BIND(cuMemcpyDtoD, "cuMemcpyDtoD_v2");
  THUNDER_BIND(cuMemcpyAsync, "cuMemcpyAsync");
  THUNDER_BIND(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  THUNDER_BIND(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  THUNDER_BIND(cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
  THUNDER_BIND(cuMemsetD8, "cuMemsetD8_v2");
  THUNDER_BIND(cuMemsetD8Async, "cuMemsetD8Async");
  THUNDER_BIND(cuMemsetD16Async, "cuMemsetD16Async");
  THUNDER_BIND(cuMemsetD32Async, "cuMemsetD32Async");
  THUNDER_BIND(cuPointerGetAttribute, "cuPointerGetAttribute");
  THUNDER_BIND(cuStreamCreate, "cuStreamCreate");
  THUNDER_BIND(cuStreamDestroy, "cuStreamDestroy_v2");
  THUNDER_BIND(cuStreamSynchronize, "cuStreamSynchronize");
  THUNDER_BIND(cuStreamWaitEvent, "cuStreamWaitEvent");
  THUNDER_BIND(cuEventCreate, "cuEventCreate");
  THUNDER_BIND(cuEventDestroy, "cuEventDestroy_v2");
  THUNDER_BIND(cuEventRecord, "cuEventRecord");
  THUNDER_BIND(cuEventSynchronize, "cuEventSynchronize");
#undef THUNDER_BIND
  bind(lib, a.cuLaunchKernelEx, "cuLaunchKernelEx", false, missing);
  if (!missing.empty()) {
    l->whyNot = std::string(name) + " lacks " + missing + " (driver too old?)";
    return l;
  }
  CUresult r = a.cuInit(0);
  if (r != CUDA_SUCCESS) {
    const char *s = nullptr;
    a.cuGetErrorString(r, &s);
    const char *n = nullptr;
    a.cuGetErrorName(r, &n);
    l->whyNot = std::string("cuInit failed: ") + (n ? n : "?") + " (" + (s ? s : "?") + ")";
    return l;
  }
  int count = 0;
  r = a.cuDeviceGetCount(&count);
  if (r != CUDA_SUCCESS || count <= 0) {
    l->whyNot = "the CUDA driver reports no device";
    return l;
  }
  l->ok = true;
  return l;
}

Loaded *loaded() {
  static Loaded *l = load(); // thread-safe initialisation
  return l;
}

} // namespace

const DriverApi *driver(std::string *whyNot) {
  Loaded *l = loaded();
  if (!l->ok) {
    if (whyNot)
      *whyNot = l->whyNot;
    return nullptr;
  }
  return &l->api;
}

std::string errorString(CUresult r) {
  std::string s;
  Loaded *l = loaded();
  const char *name = nullptr, *desc = nullptr;
  if (l->api.cuGetErrorName)
    l->api.cuGetErrorName(r, &name);
  if (l->api.cuGetErrorString)
    l->api.cuGetErrorString(r, &desc);
  s = name ? name : ("CUresult " + std::to_string(r));
  if (desc)
    s += std::string(" (") + desc + ")";
  return s;
}

void freeDevicePointer(void *ptr) {
  if (!ptr)
    return;
  const DriverApi *d = driver(nullptr);
  if (!d)
    return;
  CUdeviceptr p = reinterpret_cast<CUdeviceptr>(ptr);
  CUcontext ctx = nullptr;
  // cuMemFree needs a current context; use the one the pointer belongs to.
  if (d->cuPointerGetAttribute(&ctx, CU_POINTER_ATTRIBUTE_CONTEXT, p) == CUDA_SUCCESS && ctx) {
    CUcontext current = nullptr;
    d->cuCtxGetCurrent(&current);
    if (current == ctx) {
      d->cuMemFree(p);
      return;
    }
    if (d->cuCtxPushCurrent(ctx) == CUDA_SUCCESS) {
      d->cuMemFree(p);
      CUcontext popped;
      d->cuCtxPopCurrent(&popped);
      return;
    }
  }
  d->cuMemFree(p);
}

} // namespace thunder::cuda
