// Kernels of the CUDA-target test model (cuda_mlp.c). Compiled once with
// gen_cuda_kernels.sh into cuda_kernels.h (PTX text and an sm_90 cubin), which is
// committed: the test build needs no nvcc.
extern "C" __global__ void relu_fwd(const float *y, float *z, long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < n) z[i] = y[i] > 0.f ? y[i] : 0.f;
}
extern "C" __global__ void relu_bwd(const float *y, const float *dz, float *dy, long long n) {
  long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (i < n) dy[i] = y[i] > 0.f ? dz[i] : 0.f;
}
extern "C" __global__ void colsum(const float *m, float *out, long long rows, long long cols) {
  long long j = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  if (j >= cols) return;
  float s = 0.f;
  for (long long i = 0; i < rows; ++i) s += m[i * cols + j];
  out[j] = s;
}
extern "C" __global__ void add_one(float *p) { p[0] += 1.f; }
