//===- BlasTest.cpp - thunder_cuda_matmul against a host computation -------===//
//
// Calls the matmul entry the compiled code uses, inside a call of a bare
// CudaState, for each dtype, transposition, leading dimension, batch stride
// (including broadcast), bias, alpha/beta and pointer alignment. GPU only.
//
//===----------------------------------------------------------------------===//

#include "HostValues.h"
#include "TestUtil.h"

#include "cuda/Context.h"
#include "thunder/runtime/compiler_abi.h"

#include <cmath>
#include <cstring>

using namespace thunder::cuda;
using thunder::test::Buf;
using thunder::test::upload;
using thunder::test::itemOf;

namespace {

struct Case {
  int dtype;
  int64_t batch, m, n, k;
  bool transA, transB;
  int64_t padA, padB, padC; // extra leading-dimension elements
  bool broadcastB, bias;
  float alpha, beta;
  int misalign; // elements by which every pointer is offset
  double tol;
};

void runCase(const Case &c) {
  SCOPED_TRACE("dtype " + std::to_string(c.dtype) + " batch " + std::to_string(c.batch) + " m " +
               std::to_string(c.m) + " n " + std::to_string(c.n) + " k " + std::to_string(c.k) +
               " tA " + std::to_string(c.transA) + " tB " + std::to_string(c.transB));
  int64_t aRows = c.transA ? c.k : c.m, aCols = c.transA ? c.m : c.k;
  int64_t bRows = c.transB ? c.n : c.k, bCols = c.transB ? c.k : c.n;
  int64_t lda = aCols + c.padA, ldb = bCols + c.padB, ldc = c.n + c.padC;
  int64_t strideA = aRows * lda, strideB = c.broadcastB ? 0 : bRows * ldb, strideC = c.m * ldc;
  size_t nA = static_cast<size_t>(c.batch * strideA),
         nB = static_cast<size_t>(c.broadcastB ? bRows * ldb : c.batch * strideB),
         nC = static_cast<size_t>(c.batch * strideC), nBias = static_cast<size_t>(c.n);
  Buf A(c.dtype, nA + c.misalign), B(c.dtype, nB + c.misalign), C(c.dtype, nC + c.misalign),
      bias(c.dtype, nBias + c.misalign);
  // Small dyadic values: exact in every dtype, so only accumulation rounds.
  for (size_t i = 0; i < nA; ++i)
    A.set(i + c.misalign, double(int(i % 7) - 3) / 4);
  for (size_t i = 0; i < nB; ++i)
    B.set(i + c.misalign, double(int(i % 5) - 2) / 2);
  for (size_t i = 0; i < nC; ++i)
    C.set(i + c.misalign, double(int(i % 3) - 1));
  for (size_t i = 0; i < nBias; ++i)
    bias.set(i + c.misalign, double(int(i % 4)) / 8);
  Buf expect = C;
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j) {
        double s = 0;
        for (int64_t k = 0; k < c.k; ++k) {
          double a = A.get(c.misalign + b * strideA + (c.transA ? k * lda + i : i * lda + k));
          double bb = B.get(c.misalign + b * strideB + (c.transB ? j * ldb + k : k * ldb + j));
          s += a * bb;
        }
        size_t at = c.misalign + b * strideC + i * ldc + j;
        double v = c.alpha * s + c.beta * C.get(at) + (c.bias ? bias.get(c.misalign + j) : 0.0);
        expect.set(at, v);
      }

  CudaState state;
  state.bind(0);
  CallState call;
  call.cuda = &state;
  {
    ScopedCall scoped(call);
    const DriverApi *d = state.d;
    char *dA = upload(A), *dB = upload(B), *dC = upload(C), *dBias = upload(bias);
    size_t off = c.misalign * itemOf(c.dtype);
    thunder_cuda_matmul(c.dtype, c.batch, c.m, c.n, c.k, dA + off, lda, strideA, c.transA, dB + off,
                        ldb, strideB, c.transB, dC + off, ldc, strideC,
                        c.bias ? dBias + off : nullptr, c.alpha, c.beta);
    // Twice: the second call runs from the plan cache.
    if (c.beta == 0.f)
      thunder_cuda_matmul(c.dtype, c.batch, c.m, c.n, c.k, dA + off, lda, strideA, c.transA,
                          dB + off, ldb, strideB, c.transB, dC + off, ldc, strideC,
                          c.bias ? dBias + off : nullptr, c.alpha, c.beta);
    EXPECT_EQ(call.status, THUNDER_OK) << call.message;
    Buf got(c.dtype, nC + c.misalign);
    EXPECT_EQ(d->cuStreamSynchronize(nullptr), 0);
    EXPECT_EQ(
        d->cuMemcpyDtoH(got.bytes.data(), reinterpret_cast<CUdeviceptr>(dC), got.bytes.size()), 0);
    int bad = 0;
    for (size_t i = 0; i < nC + c.misalign && bad < 5; ++i) {
      double e = expect.get(i), g = got.get(i);
      if (std::fabs(e - g) > c.tol * (1 + std::fabs(e))) {
        ADD_FAILURE() << "element " << i << ": got " << g << ", expected " << e;
        ++bad;
      }
    }
    for (char *p : {dA, dB, dC, dBias})
      deviceFree(p);
  }
}

TEST(Blas, MatmulVariants) {
  if (!thunder::test::cudaAvailable())
    GTEST_SKIP() << "no CUDA on this machine";
  const Case cases[] = {
      {THUNDER_MM_F32_STRICT, 3, 5, 7, 9, false, false, 0, 0, 0, false, true, 1.f, 0.f, 0, 1e-6},
      {THUNDER_MM_F32_STRICT, 2, 6, 4, 5, true, true, 3, 1, 2, true, false, 0.5f, 1.f, 0, 1e-6},
      {THUNDER_MM_F32_STRICT, 1, 33, 17, 19, true, false, 0, 0, 0, false, true, 1.f, 0.f, 1, 1e-6},
      {THUNDER_MM_F32, 4, 64, 48, 32, false, true, 0, 0, 0, false, true, 1.f, 0.f, 0, 1e-6},
      {THUNDER_MM_BF16, 2, 64, 32, 128, false, true, 0, 0, 0, false, true, 1.f, 0.f, 0, 1e-2},
      {THUNDER_MM_BF16, 3, 16, 24, 8, true, false, 8, 0, 8, true, false, 1.f, 1.f, 0, 1e-2},
      {THUNDER_MM_F16, 2, 32, 64, 16, false, false, 0, 0, 0, false, true, 1.f, 0.f, 0, 2e-3},
      {THUNDER_MM_F64, 2, 4, 5, 6, false, true, 0, 0, 0, false, false, 2.f, 0.5f, 0, 1e-12},
  };
  for (const Case &c : cases)
    runCase(c);
}

TEST(Blas, ErrorsAreRecordedNotThrown) {
  // Outside a call: nothing happens, nothing crashes.
  thunder_cuda_matmul(THUNDER_MM_F32, 1, 2, 2, 2, nullptr, 2, 0, 0, nullptr, 2, 0, 0, nullptr, 2, 0,
                      nullptr, 1.f, 0.f);
  CallState cpuCall; // a call without a CUDA instance
  {
    ScopedCall scoped(cpuCall);
    thunder_cuda_matmul(THUNDER_MM_F32, 1, 2, 2, 2, nullptr, 2, 0, 0, nullptr, 2, 0, 0, nullptr, 2,
                        0, nullptr, 1.f, 0.f);
    mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  }
  EXPECT_EQ(cpuCall.status, THUNDER_ERR_INTERNAL);
  if (!thunder::test::cudaAvailable())
    return;
  CudaState state;
  state.bind(0);
  CallState call;
  call.cuda = &state;
  {
    ScopedCall scoped(call);
    thunder_cuda_matmul(42, 1, 2, 2, 2, nullptr, 2, 0, 0, nullptr, 2, 0, 0, nullptr, 2, 0, nullptr,
                        1.f, 0.f);
  }
  EXPECT_EQ(call.status, THUNDER_ERR_INTERNAL);
  EXPECT_NE(call.message.find("unknown dtype code 42"), std::string::npos) << call.message;
}

} // namespace
