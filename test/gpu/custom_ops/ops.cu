// The CUDA functions of custom_ops_train.pt2's operators (test/fixtures/gen/gen_custom_ops.py;
// the CPU version is test/fixtures/custom_ops.c): what a user links into a model compiled
// with thunderc --target=cuda --link (docs/custom-ops.md). Tensors are device memory on
// the model's device; the kernels go on the model call's stream. run.sh builds this into
// libcustom_ops_cuda.so with nvcc.
#include <thunder/runtime/thunder.h>

#include <cuda_runtime.h>

namespace {

int64_t numel(const DLTensor *t) {
  int64_t n = 1;
  for (int i = 0; i < t->ndim; ++i)
    n *= t->shape[i];
  return n;
}

bool isType(const DLTensor *t, int code, int bits) {
  return t->dtype.code == code && t->dtype.bits == bits && t->dtype.lanes == 1 &&
         t->device.device_type == kDLCUDA && t->strides == nullptr && t->byte_offset == 0;
}

unsigned blocks(int64_t n) { return static_cast<unsigned>((n + 255) / 256); }

thunder_status launched() {
  return cudaGetLastError() == cudaSuccess ? THUNDER_OK : THUNDER_ERR_CUDA;
}

__global__ void scaledTanh(const float *x, float *y, int64_t n, float scale) {
  int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (i < n)
    y[i] = tanhf(x[i]) * scale;
}

__global__ void scaledTanhBackward(const float *dy, const float *x, float *dx, int64_t n,
                                   float scale) {
  int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (i < n) {
    float t = tanhf(x[i]);
    dx[i] = dy[i] * (1 - t * t) * scale;
  }
}

__global__ void bucket(const int64_t *ids, int64_t *b, float *hist, int64_t m, int64_t n,
                       bool wrap) {
  int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (i < m) {
    int64_t v = ids[i];
    v = wrap ? ((v % n) + n) % n : (v < 0 ? 0 : v >= n ? n - 1 : v);
    b[i] = v;
    atomicAdd(&hist[v], 1.0f);
  }
}

} // namespace

extern "C" thunder_status thunder_custom_thunder_test_scaled_tanh(
    const DLTensor *const *in, size_t nin, const thunder_scalar *s, size_t ns,
    DLTensor *const *out, size_t nout, void *stream) {
  if (nin != 1 || ns != 1 || nout != 1 || s[0].kind != 1 || !isType(in[0], kDLFloat, 32) ||
      !isType(out[0], kDLFloat, 32))
    return THUNDER_ERR_INVALID_ARGUMENT;
  int64_t n = numel(in[0]);
  if (n)
    scaledTanh<<<blocks(n), 256, 0, static_cast<cudaStream_t>(stream)>>>(
        static_cast<const float *>(in[0]->data), static_cast<float *>(out[0]->data), n,
        static_cast<float>(s[0].f));
  return launched();
}

extern "C" thunder_status thunder_custom_thunder_test_scaled_tanh_backward(
    const DLTensor *const *in, size_t nin, const thunder_scalar *s, size_t ns,
    DLTensor *const *out, size_t nout, void *stream) {
  if (nin != 2 || ns != 1 || nout != 1 || s[0].kind != 1 || !isType(in[0], kDLFloat, 32) ||
      !isType(in[1], kDLFloat, 32) || !isType(out[0], kDLFloat, 32))
    return THUNDER_ERR_INVALID_ARGUMENT;
  int64_t n = numel(in[1]);
  if (n)
    scaledTanhBackward<<<blocks(n), 256, 0, static_cast<cudaStream_t>(stream)>>>(
        static_cast<const float *>(in[0]->data), static_cast<const float *>(in[1]->data),
        static_cast<float *>(out[0]->data), n, static_cast<float>(s[0].f));
  return launched();
}

extern "C" thunder_status thunder_custom_thunder_test_bucket(const DLTensor *const *in, size_t nin,
                                                             const thunder_scalar *s, size_t ns,
                                                             DLTensor *const *out, size_t nout,
                                                             void *stream) {
  if (nin != 1 || ns != 2 || nout != 2 || s[0].kind != 0 || s[1].kind != 2 ||
      !isType(in[0], kDLInt, 64) || !isType(out[0], kDLInt, 64) || !isType(out[1], kDLFloat, 32))
    return THUNDER_ERR_INVALID_ARGUMENT;
  auto st = static_cast<cudaStream_t>(stream);
  int64_t m = numel(in[0]), n = s[0].i;
  if (cudaMemsetAsync(out[1]->data, 0, n * sizeof(float), st) != cudaSuccess)
    return THUNDER_ERR_CUDA;
  if (m)
    bucket<<<blocks(m), 256, 0, st>>>(static_cast<const int64_t *>(in[0]->data),
                                      static_cast<int64_t *>(out[0]->data),
                                      static_cast<float *>(out[1]->data), m, n, s[1].i != 0);
  return launched();
}
