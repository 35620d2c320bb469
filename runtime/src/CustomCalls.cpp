//===- CustomCalls.cpp - user operators called by the compiled code --------===//
#include "src/CustomCalls.h"
#include "cuda/Context.h"
#include "cuda/Driver.h"
#include "thunder/runtime/compiler_abi.h"

#include <cstring>
#include <vector>

namespace thunder::rt {
namespace {
thread_local ScopedCustomCalls *current = nullptr;
} // namespace

ScopedCustomCalls::ScopedCustomCalls(DLDevice device, void *stream)
    : device(device), stream(stream), previous(current) {
  current = this;
}

ScopedCustomCalls::~ScopedCustomCalls() { current = previous; }

} // namespace thunder::rt

using thunder::rt::current;

namespace {

/// Zeros in an output the user's function did not write (it failed, or an
/// earlier one did), so that the rest of the program reads defined values
/// (indices in range) until the call returns the failure.
void zero(const DLTensor &t) {
  size_t bytes = (t.dtype.bits * t.dtype.lanes + 7) / 8;
  for (int i = 0; i < t.ndim; ++i)
    bytes *= static_cast<size_t>(t.shape[i]);
  if (!bytes)
    return;
  if (t.device.device_type == kDLCPU) {
    std::memset(t.data, 0, bytes);
  } else if (thunder::cuda::CallState *c = thunder::cuda::currentCall(); c && c->cuda) {
    thunder::cuda::check(c->cuda->d->cuMemsetD8Async(reinterpret_cast<thunder::cuda::CUdeviceptr>(t.data), 0,
                                                     bytes, c->stream),
                         "zeroing the outputs of a failed custom operator");
  }
}

} // namespace

extern "C" void thunder_custom_call(void *fn, const char *what, const int64_t *table,
                                    int64_t num_inputs, int64_t num_outputs,
                                    int64_t num_scalars) {
  if (!current)
    return; // outside a call: nothing to report to
  std::vector<DLTensor> tensors(num_inputs + num_outputs);
  for (DLTensor &t : tensors) {
    auto bits = static_cast<uint64_t>(table[1]);
    t.data = reinterpret_cast<void *>(table[0]);
    t.device = current->device;
    t.dtype = {static_cast<uint8_t>(bits), static_cast<uint8_t>(bits >> 8),
               static_cast<uint16_t>(bits >> 16)};
    t.ndim = static_cast<int32_t>(table[2]);
    // The compiled code's table outlives the call; DLTensor wants non-const.
    t.shape = t.ndim ? const_cast<int64_t *>(table + 3) : nullptr;
    t.strides = nullptr;
    t.byte_offset = 0;
    table += 3 + t.ndim;
  }
  std::vector<thunder_scalar> scalars(num_scalars);
  for (thunder_scalar &s : scalars) {
    s.kind = static_cast<int>(table[0]);
    s.i = s.kind == 1 ? 0 : table[1];
    s.f = 0.0;
    if (s.kind == 1)
      std::memcpy(&s.f, &table[1], sizeof(double));
    table += 2;
  }
  std::vector<const DLTensor *> inputs;
  std::vector<DLTensor *> outputs;
  for (int64_t i = 0; i < num_inputs + num_outputs; ++i) {
    if (i < num_inputs)
      inputs.push_back(&tensors[i]);
    else
      outputs.push_back(&tensors[i]);
  }
  if (current->status == THUNDER_OK) {
    auto call = reinterpret_cast<thunder_custom_op_fn>(fn);
    thunder_status s = call(inputs.data(), inputs.size(), scalars.data(), scalars.size(),
                            outputs.data(), outputs.size(), current->stream);
    if (s == THUNDER_OK)
      return;
    current->status = s;
    current->message = std::string(what) + " returned " + std::to_string(s) + " (" +
                       thunder_status_string(s) + ")";
  }
  for (DLTensor *t : outputs)
    zero(*t);
}
