//===- DType.cpp - Enum codes of the torch.export schema ------------------===//
#include "thunder/PT2/DType.h"

namespace thunder::pt2 {

namespace {
struct ScalarTypeInfo {
  ScalarType type;
  const char *name;
  size_t size;
};
constexpr ScalarTypeInfo kScalarTypes[] = {
    {ScalarType::Unknown, "unknown", 0},
    {ScalarType::UInt8, "uint8", 1},
    {ScalarType::Int8, "int8", 1},
    {ScalarType::Int16, "int16", 2},
    {ScalarType::Int32, "int32", 4},
    {ScalarType::Int64, "int64", 8},
    {ScalarType::Float16, "float16", 2},
    {ScalarType::Float32, "float32", 4},
    {ScalarType::Float64, "float64", 8},
    {ScalarType::Complex32, "complex32", 4},
    {ScalarType::Complex64, "complex64", 8},
    {ScalarType::Complex128, "complex128", 16},
    {ScalarType::Bool, "bool", 1},
    {ScalarType::BFloat16, "bfloat16", 2},
    {ScalarType::UInt16, "uint16", 2},
    {ScalarType::Float8E4M3FN, "float8_e4m3fn", 1},
    {ScalarType::Float8E5M2, "float8_e5m2", 1},
    {ScalarType::Float8E4M3FNUZ, "float8_e4m3fnuz", 1},
    {ScalarType::Float8E5M2FNUZ, "float8_e5m2fnuz", 1},
    {ScalarType::Float8E8M0FNU, "float8_e8m0fnu", 1},
    {ScalarType::UInt32, "uint32", 4},
    {ScalarType::UInt64, "uint64", 8},
};

const ScalarTypeInfo *findInfo(ScalarType type) {
  for (const ScalarTypeInfo &info : kScalarTypes)
    if (info.type == type)
      return &info;
  return nullptr;
}
} // namespace

std::optional<ScalarType> scalarTypeFromCode(int64_t code) {
  for (const ScalarTypeInfo &info : kScalarTypes)
    if (int64_t(info.type) == code)
      return info.type;
  return std::nullopt;
}

const char *scalarTypeName(ScalarType type) {
  const ScalarTypeInfo *info = findInfo(type);
  return info ? info->name : "invalid";
}

size_t scalarTypeSize(ScalarType type) {
  const ScalarTypeInfo *info = findInfo(type);
  return info ? info->size : 0;
}

size_t scalarTypeSwapUnit(ScalarType type) {
  size_t size = scalarTypeSize(type);
  return isComplexType(type) ? size / 2 : size;
}

bool isFloatingType(ScalarType type) {
  switch (type) {
  case ScalarType::Float16:
  case ScalarType::Float32:
  case ScalarType::Float64:
  case ScalarType::BFloat16:
  case ScalarType::Float8E4M3FN:
  case ScalarType::Float8E5M2:
  case ScalarType::Float8E4M3FNUZ:
  case ScalarType::Float8E5M2FNUZ:
  case ScalarType::Float8E8M0FNU:
    return true;
  default:
    return false;
  }
}

bool isComplexType(ScalarType type) {
  return type == ScalarType::Complex32 || type == ScalarType::Complex64 ||
         type == ScalarType::Complex128;
}

namespace {
constexpr const char *kLayoutNames[] = {"unknown",    "sparse_coo", "sparse_csr", "sparse_csc",
                                        "sparse_bsr", "sparse_bsc", "_mkldnn",    "strided"};
constexpr const char *kMemoryFormatNames[] = {"unknown", "contiguous_format", "channels_last",
                                              "channels_last_3d", "preserve_format"};
} // namespace

std::optional<Layout> layoutFromCode(int64_t code) {
  if (code < 0 || code > int64_t(Layout::Strided))
    return std::nullopt;
  return Layout(code);
}

const char *layoutName(Layout layout) {
  auto code = int64_t(layout);
  return code >= 0 && code <= 7 ? kLayoutNames[code] : "invalid";
}

std::optional<MemoryFormat> memoryFormatFromCode(int64_t code) {
  if (code < 0 || code > int64_t(MemoryFormat::Preserve))
    return std::nullopt;
  return MemoryFormat(code);
}

const char *memoryFormatName(MemoryFormat format) {
  auto code = int64_t(format);
  return code >= 0 && code <= 4 ? kMemoryFormatNames[code] : "invalid";
}

} // namespace thunder::pt2
