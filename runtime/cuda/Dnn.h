//===- Dnn.h - Convolutions on cuDNN 9, opened lazily ----------------------===//
//
// libcudnn.so.9 (else libcudnn.so) is opened with dlopen on the first
// convolution that reaches thunder_cuda_conv, never at load time;
// THUNDER_CUDNN_LIBRARY overrides the name, THUNDER_CUDNN=0 disables it (every
// convolution then runs on the generated kernel). Each CUDA instance owns a
// handle (created lazily, destroyed with the instance), a workspace and a
// cache of planned convolutions: descriptors and the algorithm chosen once per
// shape, or the reason cuDNN cannot run it (then the compiled code's generated
// kernel does, without asking cuDNN again).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cuda/Context.h"

#include <array>
#include <map>
#include <string>

namespace thunder::cuda {

/// The cuDNN functions the runtime uses (the legacy convolution API, still
/// exported by libcudnn.so.9).
struct DnnApi {
  size_t (*getVersion)();
  const char *(*errorString)(cudnnStatus_t);
  cudnnStatus_t (*create)(cudnnHandle_t *);
  cudnnStatus_t (*destroy)(cudnnHandle_t);
  cudnnStatus_t (*setStream)(cudnnHandle_t, CUstream);
  cudnnStatus_t (*createTensor)(cudnnTensorDescriptor_t *);
  cudnnStatus_t (*setTensorNd)(cudnnTensorDescriptor_t, cudnnDataType_t, int, const int *,
                               const int *);
  cudnnStatus_t (*destroyTensor)(cudnnTensorDescriptor_t);
  cudnnStatus_t (*createFilter)(cudnnFilterDescriptor_t *);
  cudnnStatus_t (*setFilterNd)(cudnnFilterDescriptor_t, cudnnDataType_t, cudnnTensorFormat_t, int,
                               const int *);
  cudnnStatus_t (*destroyFilter)(cudnnFilterDescriptor_t);
  cudnnStatus_t (*createConv)(cudnnConvolutionDescriptor_t *);
  cudnnStatus_t (*setConvNd)(cudnnConvolutionDescriptor_t, int, const int *, const int *,
                             const int *, cudnnConvolutionMode_t, cudnnDataType_t);
  cudnnStatus_t (*setConvGroups)(cudnnConvolutionDescriptor_t, int);
  cudnnStatus_t (*setConvMath)(cudnnConvolutionDescriptor_t, cudnnMathType_t);
  cudnnStatus_t (*destroyConv)(cudnnConvolutionDescriptor_t);
  cudnnStatus_t (*outputDim)(cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t,
                             cudnnFilterDescriptor_t, int, int *);
  cudnnStatus_t (*algoMaxCount)(cudnnHandle_t, int *);
  cudnnStatus_t (*getAlgos)(cudnnHandle_t, cudnnTensorDescriptor_t, cudnnFilterDescriptor_t,
                            cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t, int, int *,
                            cudnnConvolutionFwdAlgoPerf_t *);
  cudnnStatus_t (*workspaceSize)(cudnnHandle_t, cudnnTensorDescriptor_t, cudnnFilterDescriptor_t,
                                 cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t,
                                 cudnnConvolutionFwdAlgo_t, size_t *);
  cudnnStatus_t (*forward)(cudnnHandle_t, const void *, cudnnTensorDescriptor_t, const void *,
                           cudnnFilterDescriptor_t, const void *, cudnnConvolutionDescriptor_t,
                           cudnnConvolutionFwdAlgo_t, void *, size_t, const void *,
                           cudnnTensorDescriptor_t, void *);
};

/// cuDNN opened from `name` (a file name for dlopen) with every function
/// above resolved, or null with the reason in *whyNot. Not cached: dnn()
/// below is the process-wide instance (for tests).
const DnnApi *loadDnn(const char *name, std::string *whyNot);

/// The process-wide cuDNN (THUNDER_CUDNN_LIBRARY, else libcudnn.so.9, else
/// libcudnn.so), opened on the first call; null with the reason when it is
/// absent, incomplete or disabled (THUNDER_CUDNN=0). Thread-safe.
const DnnApi *dnn(std::string *whyNot);

struct ConvPlan {
  bool supported = false;
  std::string whyNot; // when !supported
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnConvolutionFwdAlgo_t algo = 0;
  size_t workspace = 0;
  /// Destroys the descriptors (null ones are skipped).
  void release(const DnnApi &api);
};

struct DnnState {
  cudnnHandle_t handle = nullptr;
  bool unavailable = false; // cuDNN missing or the handle could not be created
  std::string whyNot;
  void *workspace = nullptr;
  size_t workspaceSize = 0;
  // Key: dtype, spatial dims, n, c, k, groups, then per spatial dim (3) in,
  // window, out, pad, stride, dilation, then the pointers' alignment class.
  std::map<std::array<int64_t, 25>, ConvPlan> plans;
  ~DnnState();
};

} // namespace thunder::cuda
