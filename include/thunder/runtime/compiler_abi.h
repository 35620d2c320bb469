/*===- thunder/runtime/compiler_abi.h - What compiled code calls ------------===*
 *
 * The functions that code emitted by thunderc calls inside MODEL.so. They are
 * defined by libthunder_runtime.a, which is linked into the same .so, with
 * hidden visibility: they resolve inside each .so and never clash between two
 * models in one process. Not for users of a model (see thunder.h).
 *
 * The mgpu* functions have the signatures that MLIR's gpu-to-llvm lowering and
 * the LLVM IR translation of gpu.binary / gpu.launch_func (LLVM 22) emit
 * calls to; pointers are void* here (CUmodule, CUfunction, CUstream, CUevent).
 *
 * Semantics inside a thunder call (thunder_forward / thunder_backward):
 *  - mgpuStreamCreate() returns the caller's stream; mgpuStreamDestroy() of it
 *    is a no-op. mgpuStreamSynchronize() really synchronises: emit async
 *    launches on the stream to avoid it.
 *  - mgpuModuleLoad()/mgpuModuleLoadJIT() may run from a global constructor at
 *    dlopen time, with no CUDA anywhere: they only record the blob. The CUDA
 *    module is loaded on the first mgpuModuleGetFunction() of each instance
 *    (once per instance and blob) and unloaded when the instance is destroyed.
 *  - No function returns an error. The first failure is recorded in the
 *    current call; later mgpu / matmul / conv calls of that call do nothing, and the
 *    thunder call returns THUNDER_ERR_CUDA (or _OUT_OF_MEMORY) with a message
 *    that names what failed (kernel name for launches).
 *  - Result buffers: allocate with mgpuMemAlloc; the runtime frees them with
 *    mgpuMemFree / thunder_device_free (see docs/model-abi.md).
 *===----------------------------------------------------------------------===*/
#ifndef THUNDER_RUNTIME_COMPILER_ABI_H
#define THUNDER_RUNTIME_COMPILER_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- MLIR gpu runtime wrappers (CUDA target) -------------------------------- */
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);                   /* cubin or fatbin */
void *mgpuModuleLoadJIT(void *data, int optLevel); /* NUL-terminated PTX, as MLIR 22 calls it */
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                      intptr_t blockX, intptr_t blockY, intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                             intptr_t clusterZ, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ, int32_t smem,
                             void *stream, void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
/* isHostShared is MLIR's i1 (C bool): managed memory when set. Size 0 -> NULL. */
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, uint8_t isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
void mgpuSetDefaultDevice(int32_t device); /* ignored: the instance's device is used */

/* The caller's stream of the current thunder call (NULL outside a call, or for
 * the legacy default stream). */
void *thunder_cuda_current_stream(void);

/* --- matrix products on cuBLASLt (CUDA target) ----------------------------- */
enum thunder_mm_dtype {
  THUNDER_MM_F32 = 0, /* float32 storage, TF32 tensor-core compute (CUBLAS_COMPUTE_32F_FAST_TF32) */
  THUNDER_MM_F16 = 1, /* float16 storage, float32 accumulate */
  THUNDER_MM_BF16 = 2,      /* bfloat16 storage, float32 accumulate */
  THUNDER_MM_F64 = 3,       /* float64 storage and compute */
  THUNDER_MM_F32_STRICT = 4, /* float32 storage, full float32 compute (no TF32) */
  /* float16 / bfloat16 A and B, float32 C (and bias): the f32 accumulator is
   * stored as it is, with no rounding to the operands' type */
  THUNDER_MM_F16_F32OUT = 5,
  THUNDER_MM_BF16_F32OUT = 6
};

/* Row-major batched GEMM on the current call's stream:
 *   for b in [0, batch):  C[b] = alpha * op(A[b]) @ op(B[b]) + beta * C[b] + bias
 * with op(A[b]) of shape m x k, op(B[b]) of shape k x n, C[b] of shape m x n.
 * All matrices are row-major with leading dimension (elements between rows):
 *   A[b] = a + b*strideA; transA == 0: A is m x k (lda >= k); transA != 0: A is
 *   stored k x m (lda >= m) and op(A) = its transpose. B likewise (n x k stored
 *   when transB). C[b] = c + b*strideC, m x n, ldc >= n. Strides in elements
 *   (0 broadcasts a matrix over the batch for A or B).
 * bias: NULL or a vector of n elements (C's dtype) added to every row.
 * beta == 0: C is not read. a, b, bias, c: device pointers. */
void thunder_cuda_matmul(int dtype_code, int64_t batch, int64_t m, int64_t n, int64_t k,
                         const void *a, int64_t lda, int64_t strideA, int transA, const void *b,
                         int64_t ldb, int64_t strideB, int transB, void *c, int64_t ldc,
                         int64_t strideC, const void *bias, float alpha, float beta);

/* --- convolutions on cuDNN (CUDA target) ------------------------------------ */
/* Forward convolution (cross-correlation: PyTorch's conv1d/conv2d/conv3d) with
 * `spatial_dims` (1, 2 or 3) spatial dimensions, on the current call's stream:
 *   y[b, j, o...] = sum over i < c/groups, r...:
 *       x[b, (j / (k/groups)) * (c/groups) + i, o * stride + r * dilation - pad]
 *       * w[j, i, r...]
 * with zeros outside x. All three contiguous row-major (NC[D]HW, OI[D]HW):
 *   x: [n, c, in...], w: [k, c/groups, win...], y: [n, k, out...].
 * Per spatial dimension d < spatial_dims: in<d>, win<d>, out<d> (extents),
 * pad<d> (zeros before and after: out must be
 * (in + 2*pad - dilation*(win-1) - 1) / stride + 1), stride<d>, dil<d>; the
 * slots of absent dimensions are ignored. dtype_code: a thunder_mm_dtype
 * (THUNDER_MM_F32 may use TF32 tensor cores, _F32_STRICT does not; f16/bf16
 * accumulate in f32). y is written, never read.
 * Returns 1 when y has been computed (or the call has already failed), 0 when
 * the caller must compute it itself (cuDNN is absent, disabled or cannot run
 * this configuration): the compiled code then runs its generated kernel.
 * Real CUDA / cuDNN failures are recorded in the call like the other
 * functions' (THUNDER_ERR_CUDA). x, w, y: device pointers. */
int thunder_cuda_conv(int dtype_code, int spatial_dims, int64_t n, int64_t c, int64_t k,
                      int64_t groups, int64_t in0, int64_t in1, int64_t in2, int64_t win0,
                      int64_t win1, int64_t win2, int64_t out0, int64_t out1, int64_t out2,
                      int64_t pad0, int64_t pad1, int64_t pad2, int64_t stride0, int64_t stride1,
                      int64_t stride2, int64_t dil0, int64_t dil1, int64_t dil2, const void *x,
                      const void *w, void *y);

/* --- fused scaled-dot-product attention (CUDA target) ------------------------ */
/* softmax(q k^T * scale + mask) v on the current call's stream, flash-attention
 * style (runtime/cuda/attention; docs/cuda.md "Fused attention"):
 *   q [b, h, l, d], k and v [b, hkv, s, d], o [b, h, l, d]: element strides of
 *   the three leading dims (x_B, x_H, x_L/x_S), the last dim contiguous; query
 *   head i reads KV head i / (h / hkv) (hkv divides h).
 *   dtype_code: THUNDER_MM_F32, _F16 or _BF16 (f16/bf16 accumulate in f32; head
 *   dims 64 and 128 on tensor cores, others up to 128 on a simpler kernel).
 *   mask_kind: 0 none, 1/2/3 additive f32/f16/bf16, 4 boolean (one byte per
 *   element, nonzero = attend); mask strides in elements over [b, h, l, s],
 *   0 where it broadcasts. causal: row i attends to columns j <= i.
 *   lse: NULL or [b, h, l] contiguous f32, the rows' log-sum-exp (-inf for a
 *   fully masked row, whose output is 0).
 * Failures (no kernels in this runtime, an unsupported problem) are recorded
 * in the call like the other functions'. */
void thunder_cuda_attention_fwd(int dtype_code, int64_t b, int64_t h, int64_t hkv, int64_t l,
                                int64_t s, int64_t d, const void *q, int64_t qB, int64_t qH,
                                int64_t qL, const void *k, int64_t kB, int64_t kH, int64_t kS,
                                const void *v, int64_t vB, int64_t vH, int64_t vS, void *o,
                                int64_t oB, int64_t oH, int64_t oL, float *lse, int mask_kind,
                                const void *mask, int64_t mB, int64_t mH, int64_t mL, int64_t mS,
                                float scale, int causal);
/* The gradients dq, dk, dv (layouts as q, k, v) of the attention above for the
 * output gradient dO (layout as o). Recomputes o and lse into scratch first. */
void thunder_cuda_attention_bwd(int dtype_code, int64_t b, int64_t h, int64_t hkv, int64_t l,
                                int64_t s, int64_t d, const void *q, int64_t qB, int64_t qH,
                                int64_t qL, const void *k, int64_t kB, int64_t kH, int64_t kS,
                                const void *v, int64_t vB, int64_t vH, int64_t vS, const void *dO,
                                int64_t dOB, int64_t dOH, int64_t dOL, void *dq, int64_t dqB,
                                int64_t dqH, int64_t dqL, void *dk, int64_t dkB, int64_t dkH,
                                int64_t dkS, void *dv, int64_t dvB, int64_t dvH, int64_t dvS,
                                int mask_kind, const void *mask, int64_t mB, int64_t mH,
                                int64_t mL, int64_t mS, float scale, int causal);

/* --- collectives of a program compiled with --mesh (docs/sharding.md) ------- */
/* They run on the communicator the caller gave the instance (MPI for the CPU
 * target); a failure is recorded in the call (THUNDER_ERR_COMMUNICATION) and
 * the later collectives of that call do nothing. Every rank calls the same
 * collectives in the same order (the program is the same on every rank). */
enum thunder_shard_dtype { THUNDER_SHARD_F32 = 0, THUNDER_SHARD_F64 = 1, THUNDER_SHARD_I64 = 2,
                           THUNDER_SHARD_I32 = 3 };
enum thunder_shard_op { THUNDER_SHARD_SUM = 0, THUNDER_SHARD_MAX = 1, THUNDER_SHARD_MIN = 2 };
/* out[i] = op over the ranks of in[i], for `count` elements (in != out). */
void thunder_shard_all_reduce(const void *in, void *out, int64_t count, int32_t dtype,
                              int32_t op);
/* out = every rank's `bytes_per_rank` bytes of `in`, in rank order. */
void thunder_shard_all_gather(const void *in, void *out, int64_t bytes_per_rank);
/* out = this rank's block of `count` elements of the reduction over the ranks
 * of `in` (ranks * count elements, block r at r * count). */
void thunder_shard_reduce_scatter(const void *in, void *out, int64_t count, int32_t dtype,
                                  int32_t op);
/* This rank's index on the data-parallel axis (0 outside a call). */
int64_t thunder_shard_rank(void);

/* --- custom operators (thunder.custom_call; docs/custom-ops.md) ------------- */
/* Calls `fn` (a thunder_custom_op_fn) with DLTensors on the current call's
 * device and stream. `table` holds num_inputs + num_outputs tensor records,
 * then num_scalars scalar records, in 64-bit words:
 *   tensor: data pointer, DLDataType (code | bits << 8 | lanes << 16), rank,
 *           sizes[rank] (compact row-major: no strides);
 *   scalar: kind (thunder_scalar's), then the int64 value, or the double's bits.
 * `what` names the operator for messages ("custom operator NS::NAME
 * (thunder_custom_NS_NAME)"). A failing status is recorded in the current
 * call, which returns it; later custom calls of that call do not run. The
 * outputs of a call that failed or did not run are zeros, so that the rest of
 * the program reads defined values (indices in range). */
void thunder_custom_call(void *fn, const char *what, const int64_t *table, int64_t num_inputs,
                         int64_t num_outputs, int64_t num_scalars);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* THUNDER_RUNTIME_COMPILER_ABI_H */
