//===- Profile.h - THUNDER_PROFILE: time per kernel and library call -------===//
//
// THUNDER_PROFILE=1 makes every kernel launch and library call of an
// instance synchronous and timed (stream synchronised before and after, host
// clock), and prints a table to stderr when the instance is destroyed: time
// by family (the generated kernels' strategy, cuBLASLt, cuDNN, ...) and the
// slowest kernels. Synchronising adds a few microseconds per launch: the
// numbers are for finding where the time goes on real-size models, not for
// the latency of small ones (thunder-run --bench is).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_RUNTIME_CUDA_PROFILE_H
#define THUNDER_RUNTIME_CUDA_PROFILE_H

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace thunder::cuda {

struct CallState;
struct CudaState;

class KernelProfile {
public:
  KernelProfile();
  ~KernelProfile();
  bool enabled() const { return on; }

  /// Starts timing one launch or library call (synchronises the stream).
  void begin(CallState *c, CudaState *s);
  /// Ends it (synchronises again) and adds its time to `name`.
  void end(CallState *c, CudaState *s, const std::string &name);

  /// The family of a kernel or call name: "<function>/<strategy>" for the
  /// generated kernels (<function>_<n>_<strategy>_<node>), else the name.
  static std::string family(const std::string &name);

private:
  struct Entry {
    int64_t count = 0; // calls after the first
    double ms = 0;     // their time
    double first = -1; // the first call's time
  };
  bool on = false;
  std::chrono::steady_clock::time_point start;
  std::map<std::string, Entry> byName;
};

} // namespace thunder::cuda

#endif
