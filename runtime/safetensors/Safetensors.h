//===- Safetensors.h - A small safetensors reader and writer ---------------===//
//
// The format: 8 bytes little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
// "__metadata__": {...}}, then the raw little-endian tensor bytes.
// Used by thunder-run and the examples (not part of libthunder_runtime.a).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <dlpack/dlpack.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace thunder::st {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Tensor {
  std::string dtype; // safetensors name: F32 F64 F16 BF16 I64 I32 I16 I8 U8 BOOL
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
  /// A DLTensor view (kDLCPU) of this tensor; valid while it lives.
  DLTensor view();
};

struct File {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
  const Tensor *find(const std::string &name) const;
};

/// Reads and validates a whole file; throws Error("PATH: what is wrong").
File read(const std::string &path);
/// Writes atomically (a temporary file, then rename); throws Error.
void write(const std::string &path, const File &file);

/// Element size of a safetensors dtype, 0 if unknown.
size_t dtypeSize(const std::string &dtype);
/// DLPack type of a safetensors dtype; false if unknown.
bool toDL(const std::string &dtype, DLDataType &out);
/// Safetensors name of a DLPack type, "" if it has none.
std::string fromDL(DLDataType t);

/// A tensor copied from a host DLTensor (compact).
Tensor fromDLTensor(const DLTensor &t);

} // namespace thunder::st
