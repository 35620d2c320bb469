//===- Common.cpp ----------------------------------------------------------===//

#include "src/Common.h"

namespace thunder::rt {
namespace {
struct DTypeRow {
  DType t;
  const char *name;
  uint8_t code, bits;
};
constexpr DTypeRow kRows[] = {
    {DType::F32, "float32", kDLFloat, 32}, {DType::F64, "float64", kDLFloat, 64},
    {DType::F16, "float16", kDLFloat, 16}, {DType::BF16, "bfloat16", kDLBfloat, 16},
    {DType::I8, "int8", kDLInt, 8},        {DType::I16, "int16", kDLInt, 16},
    {DType::I32, "int32", kDLInt, 32},     {DType::I64, "int64", kDLInt, 64},
    {DType::U8, "uint8", kDLUInt, 8},      {DType::Bool, "bool", THUNDER_DL_BOOL, 8},
    {DType::U16, "uint16", kDLUInt, 16},   {DType::U32, "uint32", kDLUInt, 32},
    {DType::U64, "uint64", kDLUInt, 64},
    {DType::F8E4M3FN, "float8_e4m3fn", THUNDER_DL_FLOAT8_E4M3FN, 8},
    {DType::F8E4M3FNUZ, "float8_e4m3fnuz", THUNDER_DL_FLOAT8_E4M3FNUZ, 8},
    {DType::F8E5M2, "float8_e5m2", THUNDER_DL_FLOAT8_E5M2, 8},
    {DType::F8E5M2FNUZ, "float8_e5m2fnuz", THUNDER_DL_FLOAT8_E5M2FNUZ, 8},
    {DType::F8E8M0FNU, "float8_e8m0fnu", THUNDER_DL_FLOAT8_E8M0FNU, 8},
    {DType::F4E2M1FN, "float4_e2m1fn", THUNDER_DL_FLOAT4_E2M1FN, 4},
    {DType::I4, "int4", kDLInt, 4},        {DType::U4, "uint4", kDLUInt, 4},
    {DType::I2, "int2", kDLInt, 2},        {DType::U2, "uint2", kDLUInt, 2},
};
} // namespace

bool parseDType(const std::string &n, DType &out) {
  for (const auto &r : kRows)
    if (n == r.name) {
      out = r.t;
      return true;
    }
  // Accept the "torch." prefix and a few aliases PyTorch prints.
  if (n.rfind("torch.", 0) == 0)
    return parseDType(n.substr(6), out);
  if (n == "float" || n == "f32")
    return out = DType::F32, true;
  if (n == "double" || n == "f64")
    return out = DType::F64, true;
  if (n == "half" || n == "f16")
    return out = DType::F16, true;
  if (n == "bf16")
    return out = DType::BF16, true;
  if (n == "long")
    return out = DType::I64, true;
  if (n == "int")
    return out = DType::I32, true;
  return false;
}

const char *dtypeName(DType t) {
  for (const auto &r : kRows)
    if (r.t == t)
      return r.name;
  return "?";
}

size_t itemSize(DType t) {
  for (const auto &r : kRows)
    if (r.t == t)
      return (r.bits + 7) / 8; // sub-byte types: one byte per element
  return 0;
}

DLDataType toDL(DType t) {
  for (const auto &r : kRows)
    if (r.t == t)
      return DLDataType{r.code, r.bits, 1};
  return DLDataType{0, 0, 0};
}

bool fromDL(DLDataType d, DType &out) {
  if (d.lanes != 1)
    return false;
  for (const auto &r : kRows)
    if (r.code == d.code && r.bits == d.bits) {
      out = r.t;
      return true;
    }
  return false;
}

std::string dlDTypeName(DLDataType d) {
  DType t;
  if (fromDL(d, t))
    return dtypeName(t);
  return "DLDataType{code=" + std::to_string(d.code) + ", bits=" + std::to_string(d.bits) +
         ", lanes=" + std::to_string(d.lanes) + "}";
}

bool isFloating(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::F16 || t == DType::BF16 ||
         (t >= DType::F8E4M3FN && t <= DType::F4E2M1FN);
}

std::string formatShape(const int64_t *shape, int ndim) {
  std::string s = "[";
  for (int i = 0; i < ndim; ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t numElements(const int64_t *shape, int ndim) {
  int64_t n = 1;
  for (int i = 0; i < ndim; ++i) {
    if (shape[i] < 0)
      fail(THUNDER_ERR_SHAPE, "negative size in shape " + formatShape(shape, ndim));
    if (shape[i] != 0 && n > INT64_MAX / shape[i])
      fail(THUNDER_ERR_SHAPE, "shape " + formatShape(shape, ndim) + " is too large");
    n *= shape[i];
  }
  return n;
}

} // namespace thunder::rt
