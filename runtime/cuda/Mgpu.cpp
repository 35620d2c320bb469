//===- Mgpu.cpp - The mgpu* functions MLIR's GPU lowering calls ------------===//
//
// Our own implementation of the C interface that mlir/lib/ExecutionEngine/
// CudaRuntimeWrappers.cpp defines upstream, over the lazily opened driver and
// the current call of the instance (Context.h). Hidden visibility: each MODEL.so
// binds its compiled code to its own copy.
//
//===----------------------------------------------------------------------===//

#include "cuda/Context.h"

#include "thunder/runtime/compiler_abi.h"

#include <cstring>

using namespace thunder::cuda;

#define THUNDER_HIDDEN extern "C" __attribute__((visibility("hidden")))

namespace {

/// The current call, if it is a CUDA call that has not failed yet.
CallState *liveCall(const char *what) {
  CallState *c = currentCall();
  if (!c)
    return nullptr; // outside a call: nothing to report to; the op is dropped
  if (c->failed())
    return nullptr;
  if (!c->cuda || !c->cuda->ctx) {
    c->record(THUNDER_ERR_INTERNAL, std::string(what) + " called in a call of a model that is "
                                                        "not bound to a CUDA device");
    return nullptr;
  }
  return c;
}

std::string kernelName(CudaState *s, CUfunction f) {
  auto it = s->functions.find(f);
  return it == s->functions.end() ? std::string("<unknown kernel>") : it->second.name;
}

bool launchDims(CallState *c, CudaState *s, CUfunction f, intptr_t gx, intptr_t gy, intptr_t gz,
                intptr_t bx, intptr_t by, intptr_t bz, int32_t smem) {
  auto bad = [&](const char *what) {
    c->record(THUNDER_ERR_INTERNAL, "launching kernel '" + kernelName(s, f) + "': " + what +
                                        " (grid " + std::to_string(gx) + "x" + std::to_string(gy) +
                                        "x" + std::to_string(gz) + ", block " + std::to_string(bx) +
                                        "x" + std::to_string(by) + "x" + std::to_string(bz) + ")");
    return false;
  };
  for (intptr_t v : {gx, gy, gz, bx, by, bz})
    if (v < 0 || v > static_cast<intptr_t>(UINT32_MAX))
      return bad("launch dimension out of range");
  if (smem < 0)
    return bad("negative dynamic shared memory");
  return true;
}

bool prepareSmem(CallState *c, CudaState *s, CUfunction f, int32_t smem) {
  if (smem <= 48 * 1024)
    return true;
  auto &info = s->functions[f];
  if (info.smemConfigured >= smem)
    return true;
  if (check(s->d->cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
            "allowing " + std::to_string(smem) + " bytes of dynamic shared memory for kernel '" +
                info.name + "'"))
    return false;
  info.smemConfigured = smem;
  (void)c;
  return true;
}

void afterLaunch(CallState *c, CudaState *s, CUfunction f) {
  if (s->syncEachLaunch)
    check(s->d->cuStreamSynchronize(c->stream), "running kernel '" + kernelName(s, f) + "'");
}

} // namespace

THUNDER_HIDDEN void *mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  // May run from a global constructor at dlopen time: touch no CUDA here.
  auto *m = new LazyModule();
  m->data = data;
  m->size = gpuBlobSize;
  return m;
}

// MLIR 22's gpu-to-llvm passes (data, optLevel) only: the PTX is NUL-terminated.
THUNDER_HIDDEN void *mgpuModuleLoadJIT(void *data, int optLevel) {
  auto *m = new LazyModule();
  m->data = data;
  m->size = data ? std::strlen(static_cast<const char *>(data)) : 0;
  m->jit = true;
  m->optLevel = optLevel;
  return m;
}

THUNDER_HIDDEN void mgpuModuleUnload(void *module) {
  // Runs from a global destructor (dlclose / exit). Instances unload their
  // CUDA modules when destroyed; here only the record goes.
  delete static_cast<LazyModule *>(module);
}

THUNDER_HIDDEN void *mgpuModuleGetFunction(void *module, const char *name) {
  CallState *c = liveCall("mgpuModuleGetFunction");
  if (!c)
    return nullptr;
  CudaState *s = c->cuda;
  auto *lm = static_cast<const LazyModule *>(module);
  if (!lm || !lm->data || !name) {
    c->record(THUNDER_ERR_INTERNAL, std::string("looking up kernel '") + (name ? name : "?") +
                                        "' in a GPU module that was not loaded");
    return nullptr;
  }
  CudaState::Loaded &loaded = s->modules[lm];
  if (auto it = loaded.byNamePtr.find(name); it != loaded.byNamePtr.end())
    return it->second;
  if (!loaded.module) {
    CUresult r;
    if (lm->jit) {
      char log[8192] = {0};
      CUjit_option opts[3] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                              CU_JIT_OPTIMIZATION_LEVEL};
      void *vals[3] = {log, reinterpret_cast<void *>(static_cast<uintptr_t>(sizeof(log) - 1)),
                       reinterpret_cast<void *>(static_cast<uintptr_t>(
                           lm->optLevel >= 0 && lm->optLevel <= 4 ? lm->optLevel : 4))};
      r = s->d->cuModuleLoadDataEx(&loaded.module, lm->data, 3, opts, vals);
      if (r != CUDA_SUCCESS) {
        loaded.module = nullptr;
        std::string msg = "compiling the embedded PTX (for kernel '" + std::string(name) + "')";
        if (log[0])
          msg += std::string(" [ptxas: ") + log + "]";
        check(r, msg);
        return nullptr;
      }
    } else {
      r = s->d->cuModuleLoadData(&loaded.module, lm->data);
      if (r != CUDA_SUCCESS) {
        loaded.module = nullptr;
        check(r, "loading the embedded GPU binary (" + std::to_string(lm->size) +
                     " bytes, for kernel '" + name + "') on cuda:" + std::to_string(s->ordinal));
        return nullptr;
      }
    }
  }
  CUfunction f = nullptr;
  if (check(s->d->cuModuleGetFunction(&f, loaded.module, name),
            std::string("looking up kernel '") + name + "'"))
    return nullptr;
  loaded.byNamePtr[name] = f;
  s->functions[f].name = name;
  return f;
}

THUNDER_HIDDEN void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                                     intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                                     int32_t smem, void *stream, void **params, void **extra,
                                     size_t /*paramsCount*/) {
  CallState *c = liveCall("mgpuLaunchKernel");
  if (!c)
    return;
  CudaState *s = c->cuda;
  auto f = static_cast<CUfunction>(function);
  if (!f) {
    c->record(THUNDER_ERR_INTERNAL, "launching a kernel that was not found");
    return;
  }
  if (!launchDims(c, s, f, gridX, gridY, gridZ, blockX, blockY, blockZ, smem) ||
      !prepareSmem(c, s, f, smem))
    return;
  if (gridX == 0 || gridY == 0 || gridZ == 0)
    return; // nothing to do (an empty tensor)
  if (s->profile.enabled())
    s->profile.begin(c, s);
  if (check(s->d->cuLaunchKernel(f, static_cast<unsigned>(gridX), static_cast<unsigned>(gridY),
                                 static_cast<unsigned>(gridZ), static_cast<unsigned>(blockX),
                                 static_cast<unsigned>(blockY), static_cast<unsigned>(blockZ),
                                 static_cast<unsigned>(smem), static_cast<CUstream>(stream), params,
                                 extra),
            "launching kernel '" + kernelName(s, f) + "'"))
    return;
  if (s->profile.enabled())
    s->profile.end(c, s, kernelName(s, f));
  afterLaunch(c, s, f);
}

THUNDER_HIDDEN void mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                                            intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                                            intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                                            intptr_t blockZ, int32_t smem, void *stream,
                                            void **params, void **extra, size_t /*paramsCount*/) {
  CallState *c = liveCall("mgpuLaunchClusterKernel");
  if (!c)
    return;
  CudaState *s = c->cuda;
  auto f = static_cast<CUfunction>(function);
  if (!f) {
    c->record(THUNDER_ERR_INTERNAL, "launching a kernel that was not found");
    return;
  }
  if (!launchDims(c, s, f, gridX, gridY, gridZ, blockX, blockY, blockZ, smem) ||
      !launchDims(c, s, f, clusterX, clusterY, clusterZ, 1, 1, 1, 0) || !prepareSmem(c, s, f, smem))
    return;
  if (!s->d->cuLaunchKernelEx) {
    c->record(THUNDER_ERR_CUDA, "launching kernel '" + kernelName(s, f) +
                                    "' with clusters needs cuLaunchKernelEx (CUDA 12 driver)");
    return;
  }
  if (gridX == 0 || gridY == 0 || gridZ == 0)
    return;
  CUlaunchAttribute attr{};
  attr.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attr.value.clusterDim.x = static_cast<unsigned>(clusterX);
  attr.value.clusterDim.y = static_cast<unsigned>(clusterY);
  attr.value.clusterDim.z = static_cast<unsigned>(clusterZ);
  CUlaunchConfig cfg{};
  cfg.gridDimX = static_cast<unsigned>(gridX);
  cfg.gridDimY = static_cast<unsigned>(gridY);
  cfg.gridDimZ = static_cast<unsigned>(gridZ);
  cfg.blockDimX = static_cast<unsigned>(blockX);
  cfg.blockDimY = static_cast<unsigned>(blockY);
  cfg.blockDimZ = static_cast<unsigned>(blockZ);
  cfg.sharedMemBytes = static_cast<unsigned>(smem);
  cfg.hStream = static_cast<CUstream>(stream);
  cfg.attrs = &attr;
  cfg.numAttrs = 1;
  if (check(s->d->cuLaunchKernelEx(&cfg, f, params, extra),
            "launching kernel '" + kernelName(s, f) + "' with clusters"))
    return;
  afterLaunch(c, s, f);
}

THUNDER_HIDDEN void *mgpuStreamCreate(void) {
  CallState *c = currentCall();
  return c ? c->stream : nullptr;
}

THUNDER_HIDDEN void mgpuStreamDestroy(void *stream) {
  CallState *c = liveCall("mgpuStreamDestroy");
  if (!c || stream == c->stream)
    return;
  check(c->cuda->d->cuStreamDestroy(static_cast<CUstream>(stream)), "destroying a stream");
}

THUNDER_HIDDEN void mgpuStreamSynchronize(void *stream) {
  CallState *c = liveCall("mgpuStreamSynchronize");
  if (!c)
    return;
  check(c->cuda->d->cuStreamSynchronize(static_cast<CUstream>(stream)),
        "synchronising the stream (an earlier kernel failed)");
}

THUNDER_HIDDEN void mgpuStreamWaitEvent(void *stream, void *event) {
  CallState *c = liveCall("mgpuStreamWaitEvent");
  if (!c)
    return;
  check(
      c->cuda->d->cuStreamWaitEvent(static_cast<CUstream>(stream), static_cast<CUevent>(event), 0),
      "making a stream wait for an event");
}

THUNDER_HIDDEN void *mgpuEventCreate(void) {
  CallState *c = liveCall("mgpuEventCreate");
  if (!c)
    return nullptr;
  CUevent e = nullptr;
  if (check(c->cuda->d->cuEventCreate(&e, CU_EVENT_DISABLE_TIMING), "creating an event"))
    return nullptr;
  return e;
}

THUNDER_HIDDEN void mgpuEventDestroy(void *event) {
  CallState *c = currentCall();
  if (!event || !c || !c->cuda || !c->cuda->d)
    return;
  c->cuda->d->cuEventDestroy(static_cast<CUevent>(event));
}

THUNDER_HIDDEN void mgpuEventSynchronize(void *event) {
  CallState *c = liveCall("mgpuEventSynchronize");
  if (!c)
    return;
  check(c->cuda->d->cuEventSynchronize(static_cast<CUevent>(event)), "waiting for an event");
}

THUNDER_HIDDEN void mgpuEventRecord(void *event, void *stream) {
  CallState *c = liveCall("mgpuEventRecord");
  if (!c)
    return;
  check(c->cuda->d->cuEventRecord(static_cast<CUevent>(event), static_cast<CUstream>(stream)),
        "recording an event");
}

THUNDER_HIDDEN void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/, uint8_t isHostShared) {
  CallState *c = liveCall("mgpuMemAlloc");
  if (!c || sizeBytes == 0)
    return nullptr;
  if (isHostShared & 1) {
    CUdeviceptr p = 0;
    if (check(c->cuda->d->cuMemAllocManaged(&p, sizeBytes, CU_MEM_ATTACH_GLOBAL),
              "allocating " + std::to_string(sizeBytes) + " bytes of managed memory"))
      return nullptr;
    return reinterpret_cast<void *>(p);
  }
  return deviceAlloc(sizeBytes, "a compiled buffer");
}

THUNDER_HIDDEN void mgpuMemFree(void *ptr, void * /*stream*/) { deviceFree(ptr); }

THUNDER_HIDDEN void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  CallState *c = liveCall("mgpuMemcpy");
  if (!c || sizeBytes == 0)
    return;
  check(c->cuda->d->cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                                  reinterpret_cast<CUdeviceptr>(src), sizeBytes,
                                  static_cast<CUstream>(stream)),
        "copying " + std::to_string(sizeBytes) + " bytes");
}

THUNDER_HIDDEN void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  CallState *c = liveCall("mgpuMemset32");
  if (!c || count == 0)
    return;
  check(c->cuda->d->cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                                     static_cast<CUstream>(stream)),
        "filling " + std::to_string(count) + " 32-bit words");
}

THUNDER_HIDDEN void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  CallState *c = liveCall("mgpuMemset16");
  if (!c || count == 0)
    return;
  check(c->cuda->d->cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value, count,
                                     static_cast<CUstream>(stream)),
        "filling " + std::to_string(count) + " 16-bit words");
}

THUNDER_HIDDEN void mgpuSetDefaultDevice(int32_t /*device*/) {}

THUNDER_HIDDEN void *thunder_cuda_current_stream(void) {
  CallState *c = currentCall();
  return c ? c->stream : nullptr;
}
