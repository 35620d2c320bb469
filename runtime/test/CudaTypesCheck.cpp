//===- CudaTypesCheck.cpp - CudaTypes.h against the toolkit's headers ------===//
//
// Compile-only: every value and layout the runtime declares itself must match
// cuda.h and cublasLt.h (the runtime does not include them so that it builds
// where the toolkit is absent).
//
//===----------------------------------------------------------------------===//

#include <cublasLt.h>
#include <cuda.h>

#include <cstddef>

#include "cuda/CudaTypes.h"

namespace t = thunder::cu;

static_assert(t::CUDA_SUCCESS == CUDA_SUCCESS);
static_assert(t::CUDA_ERROR_OUT_OF_MEMORY == CUDA_ERROR_OUT_OF_MEMORY);
static_assert(t::CUDA_ERROR_NOT_INITIALIZED == CUDA_ERROR_NOT_INITIALIZED);
static_assert(t::CUDA_ERROR_NO_DEVICE == CUDA_ERROR_NO_DEVICE);
static_assert(t::CU_JIT_ERROR_LOG_BUFFER == CU_JIT_ERROR_LOG_BUFFER);
static_assert(t::CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
static_assert(t::CU_JIT_OPTIMIZATION_LEVEL == CU_JIT_OPTIMIZATION_LEVEL);
static_assert(t::CU_POINTER_ATTRIBUTE_CONTEXT == CU_POINTER_ATTRIBUTE_CONTEXT);
static_assert(t::CU_POINTER_ATTRIBUTE_MEMORY_TYPE == CU_POINTER_ATTRIBUTE_MEMORY_TYPE);
static_assert(t::CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL == CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL);
static_assert(t::CU_MEMORYTYPE_HOST == CU_MEMORYTYPE_HOST);
static_assert(t::CU_MEMORYTYPE_DEVICE == CU_MEMORYTYPE_DEVICE);
static_assert(t::CU_MEMORYTYPE_UNIFIED == CU_MEMORYTYPE_UNIFIED);
static_assert(t::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES ==
              CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES);
static_assert(t::CU_MEM_ATTACH_GLOBAL == CU_MEM_ATTACH_GLOBAL);
static_assert(t::CU_EVENT_DISABLE_TIMING == CU_EVENT_DISABLE_TIMING);
static_assert(t::CU_STREAM_NON_BLOCKING == CU_STREAM_NON_BLOCKING);
static_assert(t::CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION == CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION);
static_assert(sizeof(t::CUdeviceptr) == sizeof(CUdeviceptr));
static_assert(sizeof(t::CUlaunchAttributeValue) == sizeof(CUlaunchAttributeValue));
static_assert(sizeof(t::CUlaunchAttribute) == sizeof(CUlaunchAttribute));
static_assert(offsetof(t::CUlaunchAttribute, value) == offsetof(CUlaunchAttribute, value));
static_assert(sizeof(t::CUlaunchConfig) == sizeof(CUlaunchConfig));
static_assert(offsetof(t::CUlaunchConfig, hStream) == offsetof(CUlaunchConfig, hStream));
static_assert(offsetof(t::CUlaunchConfig, attrs) == offsetof(CUlaunchConfig, attrs));
static_assert(offsetof(t::CUlaunchConfig, numAttrs) == offsetof(CUlaunchConfig, numAttrs));

static_assert(t::CUBLAS_STATUS_SUCCESS == CUBLAS_STATUS_SUCCESS);
static_assert(t::CUBLAS_OP_N == CUBLAS_OP_N && t::CUBLAS_OP_T == CUBLAS_OP_T);
static_assert(t::CUBLAS_COMPUTE_32F == CUBLAS_COMPUTE_32F);
static_assert(t::CUBLAS_COMPUTE_64F == CUBLAS_COMPUTE_64F);
static_assert(t::CUBLAS_COMPUTE_32F_FAST_TF32 == CUBLAS_COMPUTE_32F_FAST_TF32);
static_assert(t::CUDA_R_32F == CUDA_R_32F && t::CUDA_R_64F == CUDA_R_64F);
static_assert(t::CUDA_R_16F == CUDA_R_16F && t::CUDA_R_16BF == CUDA_R_16BF);
static_assert(t::CUBLASLT_MATMUL_DESC_TRANSA == CUBLASLT_MATMUL_DESC_TRANSA);
static_assert(t::CUBLASLT_MATMUL_DESC_TRANSB == CUBLASLT_MATMUL_DESC_TRANSB);
static_assert(t::CUBLASLT_MATMUL_DESC_EPILOGUE == CUBLASLT_MATMUL_DESC_EPILOGUE);
static_assert(t::CUBLASLT_MATMUL_DESC_BIAS_POINTER == CUBLASLT_MATMUL_DESC_BIAS_POINTER);
static_assert(t::CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE == CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE);
static_assert(t::CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT == CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT);
static_assert(t::CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET ==
              CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET);
static_assert(t::CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES ==
              CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES);
static_assert(t::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES ==
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES);
static_assert(t::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES ==
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES);
static_assert(t::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES ==
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES);
static_assert(t::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES ==
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES);
static_assert(t::CUBLASLT_EPILOGUE_DEFAULT == CUBLASLT_EPILOGUE_DEFAULT);
static_assert(t::CUBLASLT_EPILOGUE_BIAS == CUBLASLT_EPILOGUE_BIAS);
static_assert(sizeof(t::cublasLtMatmulAlgo_t) == sizeof(cublasLtMatmulAlgo_t));
static_assert(sizeof(t::cublasLtMatmulHeuristicResult_t) ==
              sizeof(cublasLtMatmulHeuristicResult_t));
static_assert(offsetof(t::cublasLtMatmulHeuristicResult_t, workspaceSize) ==
              offsetof(cublasLtMatmulHeuristicResult_t, workspaceSize));
static_assert(offsetof(t::cublasLtMatmulHeuristicResult_t, state) ==
              offsetof(cublasLtMatmulHeuristicResult_t, state));

#if __has_include(<cudnn.h>)
// cuDNN's deprecation attributes on the legacy convolution API would warn here.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <cudnn.h>

static_assert(t::CUDNN_STATUS_SUCCESS == CUDNN_STATUS_SUCCESS);
static_assert(t::CUDNN_STATUS_NOT_INITIALIZED == CUDNN_STATUS_NOT_INITIALIZED);
static_assert(t::CUDNN_STATUS_BAD_PARAM == CUDNN_STATUS_BAD_PARAM);
static_assert(t::CUDNN_STATUS_NOT_SUPPORTED == CUDNN_STATUS_NOT_SUPPORTED);
static_assert(2003 == CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER); // Dnn.cpp's isUnsupported
static_assert(t::CUDNN_DATA_FLOAT == CUDNN_DATA_FLOAT && t::CUDNN_DATA_DOUBLE == CUDNN_DATA_DOUBLE);
static_assert(t::CUDNN_DATA_HALF == CUDNN_DATA_HALF);
static_assert(t::CUDNN_DATA_BFLOAT16 == CUDNN_DATA_BFLOAT16);
static_assert(t::CUDNN_DEFAULT_MATH == CUDNN_DEFAULT_MATH);
static_assert(t::CUDNN_TENSOR_OP_MATH == CUDNN_TENSOR_OP_MATH);
static_assert(t::CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION);
static_assert(t::CUDNN_FMA_MATH == CUDNN_FMA_MATH);
static_assert(t::CUDNN_TENSOR_NCHW == CUDNN_TENSOR_NCHW);
static_assert(t::CUDNN_CROSS_CORRELATION == CUDNN_CROSS_CORRELATION);
static_assert(sizeof(t::cudnnStatus_t) == sizeof(cudnnStatus_t));
static_assert(sizeof(t::cudnnDataType_t) == sizeof(cudnnDataType_t));
static_assert(sizeof(t::cudnnMathType_t) == sizeof(cudnnMathType_t));
static_assert(sizeof(t::cudnnConvolutionFwdAlgo_t) == sizeof(cudnnConvolutionFwdAlgo_t));
static_assert(sizeof(t::cudnnConvolutionFwdAlgoPerf_t) == sizeof(cudnnConvolutionFwdAlgoPerf_t));
static_assert(offsetof(t::cudnnConvolutionFwdAlgoPerf_t, memory) ==
              offsetof(cudnnConvolutionFwdAlgoPerf_t, memory));
static_assert(offsetof(t::cudnnConvolutionFwdAlgoPerf_t, mathType) ==
              offsetof(cudnnConvolutionFwdAlgoPerf_t, mathType));
// The DnnApi signatures against the declarations (same parameter and return types).
#include "cuda/Dnn.h"
namespace {
template <typename Ours, typename Theirs> constexpr bool sameArity = false;
template <typename R1, typename... A1, typename R2, typename... A2>
constexpr bool sameArity<R1 (*)(A1...), R2 (*)(A2...)> =
    sizeof...(A1) == sizeof...(A2) && sizeof(R1) == sizeof(R2);
using D = thunder::cuda::DnnApi;
static_assert(sameArity<decltype(D::create), decltype(&cudnnCreate)>);
static_assert(sameArity<decltype(D::setStream), decltype(&cudnnSetStream)>);
static_assert(sameArity<decltype(D::setTensorNd), decltype(&cudnnSetTensorNdDescriptor)>);
static_assert(sameArity<decltype(D::setFilterNd), decltype(&cudnnSetFilterNdDescriptor)>);
static_assert(sameArity<decltype(D::setConvNd), decltype(&cudnnSetConvolutionNdDescriptor)>);
static_assert(sameArity<decltype(D::outputDim), decltype(&cudnnGetConvolutionNdForwardOutputDim)>);
static_assert(sameArity<decltype(D::getAlgos), decltype(&cudnnGetConvolutionForwardAlgorithm_v7)>);
static_assert(sameArity<decltype(D::workspaceSize),
                        decltype(&cudnnGetConvolutionForwardWorkspaceSize)>);
static_assert(sameArity<decltype(D::forward), decltype(&cudnnConvolutionForward)>);
static_assert(sameArity<decltype(D::getVersion), decltype(&cudnnGetVersion)>);
} // namespace
#endif
