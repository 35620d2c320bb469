//===- Common.h - Errors and element types of the runtime ------------------===//
#pragma once

#include "thunder/runtime/thunder.h"

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

namespace thunder::rt {

/// Thrown inside the runtime; every exported function catches it (and
/// everything else) and turns it into a status and a message.
struct Error : std::exception {
  thunder_status status;
  std::string message;
  Error(thunder_status s, std::string m) : status(s), message(std::move(m)) {}
  const char *what() const noexcept override { return message.c_str(); }
};

[[noreturn]] inline void fail(thunder_status s, std::string message) {
  throw Error(s, std::move(message));
}

/// The element types of the model ABI (PyTorch names in the meta JSON).
enum class DType : uint8_t {
  F32, F64, F16, BF16, I8, I16, I32, I64, U8, Bool,
  // ONNX's other types: unsigned, 8- and 4-bit floats, 4- and 2-bit integers
  // (one byte per element).
  U16, U32, U64, F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0FNU, F4E2M1FN, I4, U4, I2, U2
};

bool parseDType(const std::string &torchName, DType &out);
const char *dtypeName(DType t); // "float32"
size_t itemSize(DType t);
DLDataType toDL(DType t);
bool fromDL(DLDataType d, DType &out);
std::string dlDTypeName(DLDataType d); // "float32", or "DLDataType{code=5,bits=64,lanes=1}"
bool isFloating(DType t);

/// "[8, 65]"
std::string formatShape(const int64_t *shape, int ndim);

/// Product of sizes, with overflow reported as an error.
int64_t numElements(const int64_t *shape, int ndim);

} // namespace thunder::rt
