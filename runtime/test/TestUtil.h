//===- TestUtil.h - Loading test models and making tensors -----------------===//
#pragma once

#include "thunder/runtime/thunder.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace thunder::test {

inline std::string modelPath(const std::string &name) {
  return std::string(THUNDER_TEST_MODEL_DIR) + "/" + name + ".so";
}

/// The C ABI of one loaded MODEL.so.
struct Lib {
  void *handle = nullptr;
#define THUNDER_FN(name) decltype(&::name) name = nullptr;
#define THUNDER_ALL_FNS                                                                            \
  THUNDER_FN(thunder_abi_version)                                                                  \
  THUNDER_FN(thunder_status_string) THUNDER_FN(thunder_model_create)                               \
      THUNDER_FN(thunder_model_create_with_weights) THUNDER_FN(thunder_model_destroy)              \
          THUNDER_FN(thunder_last_error) THUNDER_FN(thunder_model_name) THUNDER_FN(thunder_target) \
              THUNDER_FN(thunder_has_backward) THUNDER_FN(thunder_num_inputs)                      \
                  THUNDER_FN(thunder_num_outputs) THUNDER_FN(thunder_num_params)                   \
                      THUNDER_FN(thunder_num_buffers) THUNDER_FN(thunder_input_info) THUNDER_FN(   \
                          thunder_output_info) THUNDER_FN(thunder_param_info)                      \
                          THUNDER_FN(thunder_buffer_info) THUNDER_FN(thunder_num_symbols)          \
                              THUNDER_FN(thunder_symbol_info) THUNDER_FN(thunder_forward)          \
                                  THUNDER_FN(thunder_backward) THUNDER_FN(thunder_release_saved)   \
                                      THUNDER_FN(thunder_get_buffer)                               \
                                          THUNDER_FN(thunder_set_buffer)                           \
                                              THUNDER_FN(thunder_model_set_device)                 \
                                                  THUNDER_FN(thunder_model_device)                 \
                                                      THUNDER_FN(thunder_copy_to_device)           \
                                                          THUNDER_FN(thunder_copy_to_host)         \
                                                              THUNDER_FN(thunder_synchronize)      \
                                                                  THUNDER_FN(thunder_device_free)
  THUNDER_ALL_FNS
#undef THUNDER_FN

  explicit Lib(const std::string &name, int flags = RTLD_NOW | RTLD_LOCAL) {
    std::string path = modelPath(name);
    handle = dlopen(path.c_str(), flags);
    if (!handle) {
      ADD_FAILURE() << "dlopen " << path << ": " << dlerror();
      return;
    }
#define THUNDER_FN(name)                                                                           \
  name = reinterpret_cast<decltype(name)>(dlsym(handle, #name));                                   \
  if (!name)                                                                                       \
    ADD_FAILURE() << path << " does not export " #name;
    THUNDER_ALL_FNS
#undef THUNDER_FN
  }
  // The library stays loaded: deleters of returned tensors live in it.
  bool ok() const { return handle && thunder_forward; }
};

/// A host tensor with its own storage.
struct HostTensor {
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
  DLTensor t{};
  HostTensor(DLDataType dtype, std::vector<int64_t> s, size_t itemSize) : shape(std::move(s)) {
    size_t n = 1;
    for (int64_t d : shape)
      n *= static_cast<size_t>(d);
    bytes.assign(n * itemSize + 1, 0);
    t.data = bytes.data();
    t.device = DLDevice{kDLCPU, 0};
    t.ndim = static_cast<int>(shape.size());
    t.dtype = dtype;
    t.shape = shape.data();
  }
  template <typename T> T *data() { return reinterpret_cast<T *>(bytes.data()); }
};

inline HostTensor f32(std::vector<int64_t> shape, const std::vector<float> &values = {}) {
  HostTensor h(DLDataType{kDLFloat, 32, 1}, std::move(shape), 4);
  if (!values.empty())
    std::memcpy(h.bytes.data(), values.data(), values.size() * 4);
  return h;
}

struct Release {
  void operator()(DLManagedTensor *t) const {
    if (t)
      t->deleter(t);
  }
};
using Managed = std::unique_ptr<DLManagedTensor, Release>;

inline std::vector<float> floats(const DLManagedTensor *t) {
  size_t n = 1;
  for (int i = 0; i < t->dl_tensor.ndim; ++i)
    n *= static_cast<size_t>(t->dl_tensor.shape[i]);
  const float *p = reinterpret_cast<const float *>(static_cast<const char *>(t->dl_tensor.data) +
                                                   t->dl_tensor.byte_offset);
  return std::vector<float>(p, p + n);
}

/// Whether this machine can run CUDA (libcuda loads and sees a device).
bool cudaAvailable();

} // namespace thunder::test
