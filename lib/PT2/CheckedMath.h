//===- CheckedMath.h - Overflow-checked integer arithmetic ----------*- C++ -*-===//
//
// Sizes and offsets come from untrusted JSON: every product and sum of them goes through these.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_LIB_CHECKEDMATH_H
#define THUNDER_PT2_LIB_CHECKEDMATH_H

#include <cstdint>
#include <optional>

namespace thunder::pt2 {

inline std::optional<int64_t> checkedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}
inline std::optional<int64_t> checkedSub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r))
    return std::nullopt;
  return r;
}
inline std::optional<int64_t> checkedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}
inline std::optional<uint64_t> checkedMulU(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}
inline std::optional<uint64_t> checkedAddU(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIB_CHECKEDMATH_H
