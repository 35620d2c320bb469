//===- Blas.h - Matrix products on cuBLASLt, opened lazily -----------------===//
//
// libcublasLt.so.13 (else libcublasLt.so) is opened with dlopen on the first
// matrix product; THUNDER_CUBLASLT_LIBRARY overrides the name. Each CUDA
// instance owns a handle, a workspace and a cache of planned products (layouts,
// descriptor and the heuristic's algorithm per shape and alignment).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cuda/Context.h"

#include <array>
#include <map>

namespace thunder::cuda {

struct MatmulPlan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  size_t workspace = 0;
};

struct BlasState {
  cublasLtHandle_t handle = nullptr;
  void *workspace = nullptr;
  size_t workspaceSize = 0;
  // Key: dtype, batch, m, n, k, lda, ldb, ldc, strides, trans flags, bias,
  // pointer alignments.
  std::map<std::array<int64_t, 16>, MatmulPlan> plans;
  ~BlasState();
};

} // namespace thunder::cuda
