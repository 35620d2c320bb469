//===- Context.h - Per-instance CUDA state and the current call ------------===//
//
// A model instance of the CUDA target owns one CudaState: its device and
// primary context, the CUDA modules it loaded (once per embedded blob), the
// kernels looked up in them, a cache of freed device blocks, the cuBLASLt
// handle and workspace, and the cuDNN handle, workspace and convolution plans.
// The compiled code reaches it through the thread-local current call
// (CallState), set by thunder_forward / thunder_backward around the entry
// point: the mgpu* wrappers, thunder_cuda_matmul and thunder_cuda_conv cannot
// return errors, so they record the first one there.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cuda/Driver.h"
#include "cuda/Profile.h"
#include "thunder/runtime/thunder.h"

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace thunder::cuda {

/// What mgpuModuleLoad returns: the blob, not yet loaded anywhere. It may be
/// created by a global constructor at dlopen time, when no CUDA exists.
struct LazyModule {
  const void *data = nullptr;
  size_t size = 0;
  bool jit = false; // PTX text, compiled by the driver
  int optLevel = -1;
};

struct BlasState; // Blas.cpp
struct DnnState;  // Dnn.cpp

struct CudaState {
  int ordinal = -1; // -1: not bound to a device yet
  CUdevice device = 0;
  CUcontext ctx = nullptr; // the device's primary context (retained)
  const DriverApi *d = nullptr;

  struct Loaded {
    CUmodule module = nullptr;
    std::unordered_map<const char *, CUfunction> byNamePtr;
  };
  std::unordered_map<const LazyModule *, Loaded> modules;
  struct FunctionInfo {
    std::string name;
    int smemConfigured = 0;
  };
  std::unordered_map<CUfunction, FunctionInfo> functions;

  // Freed device blocks of this instance by rounded size, reusable on the
  // stream of the last call (stream-ordered). `lastEvent` marks the end of the
  // last call on `lastStream`; a call on another stream waits for it first.
  std::multimap<size_t, void *> freeBlocks;
  std::unordered_map<void *, size_t> blockSizes; // every block this instance allocated and cached
  size_t cachedBytes = 0;
  CUstream lastStream = nullptr;
  CUevent lastEvent = nullptr;
  bool haveLastEvent = false;

  std::unique_ptr<BlasState> blas;
  std::unique_ptr<DnnState> dnn;
  bool syncEachLaunch = false; // THUNDER_CUDA_SYNC=1: synchronise after every launch
  KernelProfile profile;       // THUNDER_PROFILE=1 (Profile.h)

  CudaState();
  ~CudaState();
  /// Binds to a device: retains its primary context. Throws rt::Error.
  void bind(int ordinal);
  /// Frees cached blocks (with the context current).
  void trimCache();
};

/// The current thunder call on this thread.
struct CallState {
  CudaState *cuda = nullptr;
  CUstream stream = nullptr;
  thunder_status status = THUNDER_OK;
  std::string message;
  bool failed() const { return status != THUNDER_OK; }
  /// Keeps the first failure.
  void record(thunder_status s, std::string m) {
    if (status == THUNDER_OK) {
      status = s;
      message = std::move(m);
    }
  }
};

/// The current call (null outside thunder_forward/backward and helpers).
CallState *currentCall();

/// Makes `call` current on this thread and the instance's context current
/// (pushing it when another one is), and orders the call after the previous
/// call of the instance when the stream differs. Restores both on exit, and
/// records the end-of-call event.
class ScopedCall {
public:
  ScopedCall(CallState &call);
  ~ScopedCall();
  ScopedCall(const ScopedCall &) = delete;
  ScopedCall &operator=(const ScopedCall &) = delete;

private:
  CallState &call;
  CallState *previous;
  bool pushed = false;
};

/// Device memory of the instance in the current call (cached), or plain
/// cuMemAlloc without a call. Records errors in the call; returns null on
/// failure.
void *deviceAlloc(size_t bytes, const char *what);
/// Returns a block to the instance's cache (in a call) or frees it.
void deviceFree(void *ptr);
/// Forgets a block of the instance that leaves its control (handed to the
/// caller, who frees it with thunder_device_free).
void deviceDetach(void *ptr);

/// "CUDA error while <what>: <driver message>" recorded in the call; true if
/// r is a failure.
bool check(CUresult r, const std::string &what);

} // namespace thunder::cuda
