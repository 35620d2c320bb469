//===- CustomCalls.h - the context of thunder_custom_call ------------------===//
//
// The user operators a model calls (compiler_abi.h's thunder_custom_call,
// docs/custom-ops.md) run on the device and stream of the current
// thunder_forward / thunder_backward; their first failure fails that call.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "thunder/runtime/thunder.h"

#include <string>

namespace thunder::rt {

/// Makes (device, stream) current for the custom calls of the compiled code
/// on this thread while the scope lives.
class ScopedCustomCalls {
public:
  ScopedCustomCalls(DLDevice device, void *stream);
  ~ScopedCustomCalls();
  ScopedCustomCalls(const ScopedCustomCalls &) = delete;
  ScopedCustomCalls &operator=(const ScopedCustomCalls &) = delete;

  DLDevice device;
  void *stream;
  /// The first failure of a custom call in this scope.
  thunder_status status = THUNDER_OK;
  std::string message;

private:
  ScopedCustomCalls *previous;
};

} // namespace thunder::rt
