//===- HostValues.h - Host buffers of f32/f16/bf16/f64 values (CUDA tests) -===//
//
// Values stored in a thunder_mm_dtype (compiler_abi.h) and read back as
// doubles, and their device copies, for the tests of thunder_cuda_matmul and
// thunder_cuda_conv.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cuda/Context.h"
#include "thunder/runtime/compiler_abi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace thunder::test {

inline uint16_t toBf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fff + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}
inline float fromBf16(uint16_t h) {
  uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline uint16_t toF16(float f) { // values in the tests are small and normal
  uint32_t u;
  std::memcpy(&u, &f, 4);
  uint32_t sign = (u >> 16) & 0x8000;
  int32_t exp = static_cast<int32_t>((u >> 23) & 0xff) - 127 + 15;
  uint32_t mant = u & 0x7fffff;
  if ((u & 0x7fffffff) == 0)
    return static_cast<uint16_t>(sign);
  uint32_t h = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  if ((mant & 0x1fff) > 0x1000 || ((mant & 0x1fff) == 0x1000 && (h & 1)))
    ++h;
  return static_cast<uint16_t>(h);
}
inline float fromF16(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0 && mant == 0) {
    float f;
    std::memcpy(&f, &sign, 4);
    return f;
  }
  uint32_t u = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline size_t itemOf(int dtype) {
  switch (dtype) {
  case THUNDER_MM_F16:
  case THUNDER_MM_BF16:
    return 2;
  case THUNDER_MM_F64:
    return 8;
  default:
    return 4;
  }
}

/// Host values stored in the case's dtype, and read back rounded.
struct Buf {
  int dtype;
  std::vector<uint8_t> bytes;
  Buf(int dtype, size_t n) : dtype(dtype), bytes(n * itemOf(dtype)) {}
  void set(size_t i, double v) {
    switch (dtype) {
    case THUNDER_MM_F16:
      reinterpret_cast<uint16_t *>(bytes.data())[i] = toF16(float(v));
      break;
    case THUNDER_MM_BF16:
      reinterpret_cast<uint16_t *>(bytes.data())[i] = toBf16(float(v));
      break;
    case THUNDER_MM_F64:
      reinterpret_cast<double *>(bytes.data())[i] = v;
      break;
    default:
      reinterpret_cast<float *>(bytes.data())[i] = float(v);
    }
  }
  double get(size_t i) const {
    switch (dtype) {
    case THUNDER_MM_F16:
      return fromF16(reinterpret_cast<const uint16_t *>(bytes.data())[i]);
    case THUNDER_MM_BF16:
      return fromBf16(reinterpret_cast<const uint16_t *>(bytes.data())[i]);
    case THUNDER_MM_F64:
      return reinterpret_cast<const double *>(bytes.data())[i];
    default:
      return reinterpret_cast<const float *>(bytes.data())[i];
    }
  }
};

/// A device copy of `h`, from the current call's instance (deviceAlloc).
inline char *upload(const Buf &h) {
  void *p = thunder::cuda::deviceAlloc(h.bytes.size(), "test");
  EXPECT_NE(p, nullptr);
  const thunder::cuda::DriverApi *d = thunder::cuda::currentCall()->cuda->d;
  EXPECT_EQ(d->cuMemcpyHtoD(reinterpret_cast<thunder::cu::CUdeviceptr>(p), h.bytes.data(),
                            h.bytes.size()),
            0);
  return static_cast<char *>(p);
}

} // namespace thunder::test
