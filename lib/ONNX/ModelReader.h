//===- ModelReader.h - ModelProto bytes and tensor payloads -----*- C++ -*-===//
//
// The protobuf half of the ONNX importer: the ModelProto parsed with bounds
// (size, opset, graph present), dtypes mapped onto thunder element types, and
// TensorProtos (initializers, Constant values, external data files) turned
// into contiguous little-endian bytes, every count and offset checked first.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_ONNX_MODELREADER_H
#define THUNDER_LIB_ONNX_MODELREADER_H

#include "onnx/onnx.pb.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <vector>

namespace thunder::onnximport {

/// Models larger than this are refused (protobuf's own limit is 2 GiB; larger
/// weights belong in external data files).
constexpr size_t kMaxModelBytes = size_t(2) << 30;
/// The opset whose op semantics the converters follow (the contract's "opset
/// 13 and later"); older models down to kOldestOpset are read too, and an op
/// whose semantics changed since is refused at its node (ONNXOpTable).
constexpr int64_t kMinOpset = 13;
constexpr int64_t kOldestOpset = 7;

/// How an ONNX integer dtype that thunder has no element type of is stored:
/// unsigned integers in the signless type of their width (uint16 in i16),
/// 4- and 2-bit integers in i8 (sign- or zero-extended). Empty (bits 0) for
/// the dtypes that are their element type (float, int8..int64, bool).
struct IntegerFormat {
  unsigned bits = 0;
  bool isUnsigned = false;
  explicit operator bool() const { return bits != 0; }
  bool operator==(const IntegerFormat &o) const {
    return bits == o.bits && isUnsigned == o.isUnsigned;
  }
  /// The ABI's dtype name ("uint16", "int4"), for `thunder.dtype`.
  std::string abiName() const;
};

/// A tensor's contents: the thunder element type, the shape and the elements
/// as contiguous little-endian bytes (one byte per bool).
struct TensorData {
  mlir::Type elementType;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
  /// Set for unsigned and sub-byte integers (their values zero-extended when
  /// unsigned).
  IntegerFormat format;

  /// Integer (or bool) elements of `elementType` in `shape`.
  static TensorData fromInts(mlir::Type elementType, std::vector<int64_t> shape,
                             llvm::ArrayRef<int64_t> values);

  /// Floating-point elements of `elementType` (rounded to it) in `shape`.
  static TensorData fromDoubles(mlir::Type elementType, std::vector<int64_t> shape,
                                llvm::ArrayRef<double> values);

  int64_t numElements() const;
  /// The elements as int64 (integer and bool tensors) or double (any).
  std::vector<int64_t> asInts() const;
  std::vector<double> asDoubles() const;
  /// A dense attribute of the tensor (for thunder.constant).
  mlir::DenseElementsAttr toAttr() const;
};

/// The name of an ONNX TensorProto.DataType ("FLOAT", "UINT8", ...).
std::string dataTypeName(int32_t dataType);

/// The thunder element type of an ONNX data type; an error naming the dtype
/// and `what` for the ones thunder has none of (unsigned, strings, complex).
mlir::FailureOr<mlir::Type> elementTypeFor(mlir::MLIRContext *context, int32_t dataType,
                                           mlir::Location loc, const llvm::Twine &what);

/// The storage format of an ONNX integer dtype (empty for the others).
IntegerFormat integerFormatFor(int32_t dataType);

/// The bytes of one element of `type`.
int64_t elementBytes(mlir::Type type);

/// Parses and checks a ModelProto: its size, that it is one, that it has a
/// graph, that the default domain's opset is one the converters know.
mlir::LogicalResult parseModel(llvm::StringRef bytes, onnx::ModelProto &model,
                               mlir::Location loc);

/// The contents of `tensor` (typed fields, raw_data or an external file under
/// `externalDir`, which must then be non-empty). `what` names it in errors.
mlir::FailureOr<TensorData> readTensor(const onnx::TensorProto &tensor,
                                       llvm::StringRef externalDir,
                                       mlir::MLIRContext *context, mlir::Location loc,
                                       const llvm::Twine &what);

} // namespace thunder::onnximport

#endif
