//===- serve.cpp - Using a compiled model from C++ -------------------------===//
//
// Build (see README.md):
//   thunderc model.pt2 -o model.so && thunderc model.pt2 --emit=header -o model.h
//   c++ -std=c++17 -DTHUNDER_MODEL_HEADER='"model.h"' -I<thunderc>/include \
//       -I<thunderc>/runtime serve.cpp <thunderc>/runtime/safetensors/Safetensors.cpp \
//       -o serve ./model.so -Wl,-rpath,'$ORIGIN'
//   ./serve [inputs.safetensors [weights.safetensors]]
//
// Creates the model (its weights from the file, for --weights=external), prints its inputs and outputs, runs forward on input.<i>
// from a safetensors file (or on zeros, symbolic sizes at their smallest
// allowed value >= 1), and prints the first values of every output.
//
//===----------------------------------------------------------------------===//

#ifdef THUNDER_MODEL_HEADER
#include THUNDER_MODEL_HEADER
#else
#include <thunder/runtime/thunder.h>
#endif
#ifndef THUNDER_MODEL_NAME
#define THUNDER_MODEL_NAME "model"
#endif

#include "safetensors/Safetensors.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Release {
  void operator()(DLManagedTensor *t) const {
    if (t)
      t->deleter(t);
  }
};
using Tensor = std::unique_ptr<DLManagedTensor, Release>;

const char *dtypeName(DLDataType t) {
  switch (t.code) {
  case kDLFloat:
    return t.bits == 32 ? "float32" : t.bits == 64 ? "float64" : "float16";
  case kDLBfloat:
    return "bfloat16";
  case kDLInt:
    return t.bits == 64 ? "int64" : t.bits == 32 ? "int32" : t.bits == 16 ? "int16" : "int8";
  case kDLUInt:
    return "uint8";
  case THUNDER_DL_BOOL:
    return "bool";
  default:
    return "?";
  }
}

void printInfo(const char *kind, size_t i, const thunder_tensor_info &info) {
  std::printf("  %s %zu '%s': %s [", kind, i, info.name, dtypeName(info.dtype));
  for (int d = 0; d < info.ndim; ++d) {
    if (d)
      std::printf(", ");
    if (info.dim_names[d])
      std::printf("%s", info.dim_names[d]);
    else
      std::printf("%lld", static_cast<long long>(info.shape[d]));
  }
  std::printf("]\n");
}

double valueAt(const DLTensor &t, int64_t i) {
  const char *p = static_cast<const char *>(t.data) + t.byte_offset;
  switch (t.dtype.code) {
  case kDLFloat:
    if (t.dtype.bits == 32)
      return reinterpret_cast<const float *>(p)[i];
    if (t.dtype.bits == 64)
      return reinterpret_cast<const double *>(p)[i];
    return 0; // float16: not decoded in this example
  case kDLBfloat: {
    uint32_t bits = static_cast<uint32_t>(reinterpret_cast<const uint16_t *>(p)[i]) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  case kDLInt:
    if (t.dtype.bits == 64)
      return static_cast<double>(reinterpret_cast<const int64_t *>(p)[i]);
    if (t.dtype.bits == 32)
      return reinterpret_cast<const int32_t *>(p)[i];
    if (t.dtype.bits == 16)
      return reinterpret_cast<const int16_t *>(p)[i];
    return reinterpret_cast<const int8_t *>(p)[i];
  default:
    return reinterpret_cast<const uint8_t *>(p)[i];
  }
}

int fail(thunder_model *m, const char *what, thunder_status s) {
  std::fprintf(stderr, "error: %s failed (%s): %s\n", what, thunder_status_string(s),
               thunder_last_error(m));
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  thunder_model *m = nullptr;
  thunder_status s =
      argc > 2 ? thunder_model_create_from_file(&m, argv[2]) : thunder_model_create(&m);
  if (s != THUNDER_OK)
    return fail(nullptr, "creating the model", s);
  std::unique_ptr<thunder_model, void (*)(thunder_model *)> hold(m, thunder_model_destroy);
  bool cuda = std::strcmp(thunder_target(m), "cuda") == 0;
  std::printf("%s (%s target)\n", THUNDER_MODEL_NAME, thunder_target(m));

  size_t nIn = thunder_num_inputs(m), nOut = thunder_num_outputs(m);
  thunder_tensor_info info;
  for (size_t i = 0; i < nIn; ++i)
    if (thunder_input_info(m, i, &info) == THUNDER_OK)
      printInfo("input", i, info);
  for (size_t i = 0; i < nOut; ++i)
    if (thunder_output_info(m, i, &info) == THUNDER_OK)
      printInfo("output", i, info);

  // Host inputs: from the file, or zeros.
  thunder::st::File file;
  std::vector<thunder::st::Tensor> host(nIn);
  try {
    if (argc > 1)
      file = thunder::st::read(argv[1]);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  for (size_t i = 0; i < nIn; ++i) {
    if (const thunder::st::Tensor *t = file.find("input." + std::to_string(i))) {
      host[i] = *t;
      continue;
    }
    thunder_input_info(m, i, &info);
    host[i].dtype = thunder::st::fromDL(info.dtype);
    size_t n = 1;
    for (int d = 0; d < info.ndim; ++d) {
      int64_t size = info.shape[d] >= 0 ? info.shape[d] : std::max<int64_t>(info.dim_min[d], 1);
      host[i].shape.push_back(size);
      n *= static_cast<size_t>(size);
    }
    host[i].data.assign(n * thunder::st::dtypeSize(host[i].dtype), 0);
  }

  // Device copies for the CUDA target.
  std::vector<DLTensor> views(nIn);
  std::vector<Tensor> onDevice;
  std::vector<const DLTensor *> inputs(nIn);
  for (size_t i = 0; i < nIn; ++i) {
    views[i] = host[i].view();
    inputs[i] = &views[i];
    if (cuda) {
      DLManagedTensor *d = nullptr;
      if ((s = thunder_copy_to_device(m, &views[i], &d)) != THUNDER_OK)
        return fail(m, "copying an input to the GPU", s);
      onDevice.emplace_back(d);
      inputs[i] = &d->dl_tensor;
    }
  }

  std::vector<DLManagedTensor *> outs(nOut, nullptr);
  if ((s = thunder_forward(m, inputs.data(), nIn, outs.data(), nOut, /*cuda_stream=*/nullptr)) !=
      THUNDER_OK)
    return fail(m, "forward", s);
  std::vector<Tensor> results(outs.begin(), outs.end());
  for (size_t k = 0; k < nOut; ++k) {
    Tensor shown;
    const DLTensor *t = &results[k]->dl_tensor;
    if (cuda) {
      DLManagedTensor *h = nullptr;
      if ((s = thunder_copy_to_host(m, t, &h)) != THUNDER_OK)
        return fail(m, "copying an output to the host", s);
      shown.reset(h);
      t = &h->dl_tensor;
    }
    int64_t n = 1;
    std::printf("output %zu: [", k);
    for (int d = 0; d < t->ndim; ++d) {
      std::printf(d ? ", %lld" : "%lld", static_cast<long long>(t->shape[d]));
      n *= t->shape[d];
    }
    std::printf("] first values:");
    for (int64_t i = 0; i < n && i < 8; ++i)
      std::printf(" %g", valueAt(*t, i));
    std::printf("\n");
  }
  return 0;
}
