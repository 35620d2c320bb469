//===- DType.h - Enum codes of the torch.export schema -----------*- C++ -*-===//
//
// The integer codes that models/*.json uses for dtypes, layouts and memory formats (export_schema.yaml).
// They are torch.export's own numbering, not c10's: float32 is 7 here.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_DTYPE_H
#define THUNDER_PT2_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <optional>

namespace thunder::pt2 {

enum class ScalarType : int32_t {
  Unknown = 0,
  UInt8 = 1,
  Int8 = 2,
  Int16 = 3,
  Int32 = 4,
  Int64 = 5,
  Float16 = 6,
  Float32 = 7,
  Float64 = 8,
  Complex32 = 9,
  Complex64 = 10,
  Complex128 = 11,
  Bool = 12,
  BFloat16 = 13,
  UInt16 = 28,
  Float8E4M3FN = 29,
  Float8E5M2 = 30,
  Float8E4M3FNUZ = 31,
  Float8E5M2FNUZ = 32,
  Float8E8M0FNU = 33, // newer than 2.11
  UInt32 = 34,        // newer than 2.11
  UInt64 = 35,        // newer than 2.11
};

/// The ScalarType with this schema code, or nullopt for a code the schema does not define.
std::optional<ScalarType> scalarTypeFromCode(int64_t code);
/// PyTorch's name without the `torch.` prefix: "float32", "bfloat16", "bool", ...
const char *scalarTypeName(ScalarType type);
/// Bytes per element (complex32 = 4: two float16). 0 for Unknown.
size_t scalarTypeSize(ScalarType type);
/// The size of one byte-order unit: the element size, or half of it for complex types (each part is
/// swapped on its own when reading a big-endian archive).
size_t scalarTypeSwapUnit(ScalarType type);
bool isFloatingType(ScalarType type); // float16/32/64, bfloat16, float8 variants
bool isComplexType(ScalarType type);

enum class Layout : int32_t {
  Unknown = 0,
  SparseCoo = 1,
  SparseCsr = 2,
  SparseCsc = 3,
  SparseBsr = 4,
  SparseBsc = 5,
  Mkldnn = 6,
  Strided = 7,
};
std::optional<Layout> layoutFromCode(int64_t code);
const char *layoutName(Layout layout); // "strided", "sparse_coo", ...

enum class MemoryFormat : int32_t {
  Unknown = 0,
  Contiguous = 1,
  ChannelsLast = 2,
  ChannelsLast3d = 3,
  Preserve = 4,
};
std::optional<MemoryFormat> memoryFormatFromCode(int64_t code);
const char *memoryFormatName(MemoryFormat format); // "contiguous_format", "channels_last", ...

} // namespace thunder::pt2

#endif // THUNDER_PT2_DTYPE_H
