//===- Context.cpp - Per-instance CUDA state and the current call ----------===//

#include "cuda/Context.h"

#include "cuda/Blas.h"
#include "cuda/Dnn.h"
#include "src/Common.h"

#include <cstdlib>

namespace thunder::cuda {

namespace {
thread_local CallState *tlsCall = nullptr;

size_t roundBlock(size_t bytes) {
  // 512-byte granules below 1 MiB, then 1/8 of the next power of two: bounded
  // waste, and blocks of nearby sizes are shared.
  if (bytes <= (1u << 20))
    return (bytes + 511) & ~size_t(511);
  size_t p = size_t(1) << (63 - __builtin_clzll(bytes - 1) + 1);
  size_t g = p / 8;
  return (bytes + g - 1) / g * g;
}
} // namespace

CallState *currentCall() { return tlsCall; }

bool check(CUresult r, const std::string &what) {
  if (r == CUDA_SUCCESS)
    return false;
  thunder_status s = r == CUDA_ERROR_OUT_OF_MEMORY ? THUNDER_ERR_OUT_OF_MEMORY : THUNDER_ERR_CUDA;
  std::string msg = "CUDA error while " + what + ": " + errorString(r);
  if (CallState *c = tlsCall)
    c->record(s, msg);
  return true;
}

CudaState::CudaState() {
  const char *env = std::getenv("THUNDER_CUDA_SYNC");
  syncEachLaunch = env && *env && *env != '0';
}

void CudaState::bind(int ord) {
  std::string why;
  d = driver(&why);
  if (!d)
    rt::fail(THUNDER_ERR_NO_CUDA, "no CUDA device: " + why);
  int count = 0;
  d->cuDeviceGetCount(&count);
  if (ord < 0 || ord >= count)
    rt::fail(THUNDER_ERR_DEVICE, "CUDA device " + std::to_string(ord) + " does not exist (" +
                                     std::to_string(count) + " device(s))");
  CUresult r = d->cuDeviceGet(&device, ord);
  if (r != CUDA_SUCCESS)
    rt::fail(THUNDER_ERR_CUDA,
             "cuDeviceGet(" + std::to_string(ord) + ") failed: " + errorString(r));
  r = d->cuDevicePrimaryCtxRetain(&ctx, device);
  if (r != CUDA_SUCCESS)
    rt::fail(r == CUDA_ERROR_OUT_OF_MEMORY ? THUNDER_ERR_OUT_OF_MEMORY : THUNDER_ERR_CUDA,
             "retaining the primary context of cuda:" + std::to_string(ord) +
                 " failed: " + errorString(r));
  ordinal = ord;
}

void CudaState::trimCache() {
  if (!d || !ctx)
    return;
  for (auto &[size, p] : freeBlocks) {
    d->cuMemFree(reinterpret_cast<CUdeviceptr>(p));
    blockSizes.erase(p);
  }
  freeBlocks.clear();
  cachedBytes = 0;
}

CudaState::~CudaState() {
  if (!d || !ctx)
    return;
  CUcontext current = nullptr;
  d->cuCtxGetCurrent(&current);
  bool push = current != ctx && d->cuCtxPushCurrent(ctx) == CUDA_SUCCESS;
  if (haveLastEvent)
    d->cuEventSynchronize(lastEvent);
  blas.reset();
  dnn.reset();
  trimCache();
  for (auto &[lm, loaded] : modules)
    if (loaded.module)
      d->cuModuleUnload(loaded.module);
  modules.clear();
  if (lastEvent)
    d->cuEventDestroy(lastEvent);
  if (push) {
    CUcontext popped;
    d->cuCtxPopCurrent(&popped);
  }
  d->cuDevicePrimaryCtxRelease(device);
}

ScopedCall::ScopedCall(CallState &c) : call(c), previous(tlsCall) {
  tlsCall = &call;
  CudaState *s = call.cuda;
  if (!s || !s->ctx)
    return;
  CUcontext current = nullptr;
  s->d->cuCtxGetCurrent(&current);
  if (current != s->ctx) {
    if (check(s->d->cuCtxPushCurrent(s->ctx),
              "making the context of cuda:" + std::to_string(s->ordinal) + " current"))
      return;
    pushed = true;
  }
  if (s->haveLastEvent && s->lastStream != call.stream) {
    // Work of the previous call (and the blocks it freed) is ordered before this one.
    check(s->d->cuStreamWaitEvent(call.stream, s->lastEvent, 0),
          "ordering the call after the previous call's stream");
  }
}

ScopedCall::~ScopedCall() {
  CudaState *s = call.cuda;
  if (s && s->ctx) {
    if (!s->lastEvent)
      s->d->cuEventCreate(&s->lastEvent, CU_EVENT_DISABLE_TIMING);
    if (s->lastEvent && s->d->cuEventRecord(s->lastEvent, call.stream) == CUDA_SUCCESS) {
      s->haveLastEvent = true;
      s->lastStream = call.stream;
    }
    if (pushed) {
      CUcontext popped;
      s->d->cuCtxPopCurrent(&popped);
    }
  }
  tlsCall = previous;
}

void *deviceAlloc(size_t bytes, const char *what) {
  CallState *c = tlsCall;
  CudaState *s = c ? c->cuda : nullptr;
  if (bytes == 0)
    return nullptr;
  if (!s || !s->ctx) {
    if (c)
      c->record(THUNDER_ERR_INTERNAL,
                std::string("device allocation for ") + what + " outside a CUDA model call");
    return nullptr;
  }
  if (c->failed())
    return nullptr;
  size_t rounded = roundBlock(bytes);
  auto it = s->freeBlocks.find(rounded);
  if (it != s->freeBlocks.end()) {
    void *p = it->second;
    s->freeBlocks.erase(it);
    s->cachedBytes -= rounded;
    return p;
  }
  CUdeviceptr p = 0;
  CUresult r = s->d->cuMemAlloc(&p, rounded);
  if (r == CUDA_ERROR_OUT_OF_MEMORY && !s->freeBlocks.empty()) {
    // Give the cache back and retry once.
    s->d->cuStreamSynchronize(c->stream);
    s->trimCache();
    r = s->d->cuMemAlloc(&p, rounded);
  }
  if (r != CUDA_SUCCESS) {
    check(r, "allocating " + std::to_string(bytes) + " bytes of device memory for " + what +
                 " on cuda:" + std::to_string(s->ordinal));
    return nullptr;
  }
  s->blockSizes[reinterpret_cast<void *>(p)] = rounded;
  return reinterpret_cast<void *>(p);
}

void deviceFree(void *ptr) {
  if (!ptr)
    return;
  CallState *c = tlsCall;
  CudaState *s = c ? c->cuda : nullptr;
  if (s && s->ctx) {
    auto it = s->blockSizes.find(ptr);
    if (it != s->blockSizes.end()) {
      s->freeBlocks.emplace(it->second, ptr);
      s->cachedBytes += it->second;
      return;
    }
  }
  freeDevicePointer(ptr);
}

void deviceDetach(void *ptr) {
  CallState *c = tlsCall;
  if (c && c->cuda)
    c->cuda->blockSizes.erase(ptr);
}

} // namespace thunder::cuda
