//===- DeviceMemory.h - thunder-run --peak-memory ---------------------------===//
//
// The device memory a run takes at its peak: free memory (cuMemGetInfo on
// the device's primary context, the one the runtime uses) when the run
// starts, minus the least free memory seen after each synchronised call.
// The runtime caches freed blocks per instance and returns nothing to the
// driver during a call, so the footprint after a call is the call's peak.
// Includes the weights and the inputs thunder-run placed, as PyTorch's
// max_memory_allocated includes the module's parameters and inputs.
// libcuda is opened with dlopen, like the runtime does: thunder-run links
// nothing GPU-specific.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TOOLS_THUNDER_RUN_DEVICEMEMORY_H
#define THUNDER_TOOLS_THUNDER_RUN_DEVICEMEMORY_H

#include <dlfcn.h>

#include <algorithm>
#include <cstddef>

namespace thunder::run {

class DeviceMemoryProbe {
public:
  /// Starts probing device `ordinal`; does nothing without libcuda or a device.
  explicit DeviceMemoryProbe(int ordinal) {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      return;
    auto sym = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      return fn != nullptr;
    };
    int (*init)(unsigned) = nullptr;
    int (*deviceGet)(int *, int) = nullptr;
    int (*retain)(void **, int) = nullptr;
    if (!sym(init, "cuInit") || !sym(deviceGet, "cuDeviceGet") ||
        !sym(retain, "cuDevicePrimaryCtxRetain") || !sym(push, "cuCtxPushCurrent_v2") ||
        !sym(pop, "cuCtxPopCurrent_v2") || !sym(memGetInfo, "cuMemGetInfo_v2"))
      return;
    int device = 0;
    if (init(0) != 0 || deviceGet(&device, ordinal) != 0 || retain(&ctx, device) != 0)
      return;
    size_t free = 0;
    if (!query(free))
      return;
    baseline = minFree = free;
    ok = true;
  }

  /// Samples the free memory (after a synchronised call).
  void sample() {
    size_t free = 0;
    if (ok && query(free))
      minFree = std::min(minFree, free);
  }

  bool available() const { return ok; }
  /// Bytes in use at the peak beyond what was in use at the start.
  size_t peakBytes() const { return baseline > minFree ? baseline - minFree : 0; }

private:
  bool query(size_t &free) {
    size_t total = 0;
    void *previous = nullptr;
    if (push(ctx) != 0)
      return false;
    bool good = memGetInfo(&free, &total) == 0;
    pop(&previous);
    return good;
  }

  bool ok = false;
  void *ctx = nullptr;
  size_t baseline = 0, minFree = 0;
  int (*push)(void *) = nullptr;
  int (*pop)(void **) = nullptr;
  int (*memGetInfo)(size_t *, size_t *) = nullptr;
};

} // namespace thunder::run

#endif
