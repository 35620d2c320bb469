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

/// A tensor's contents: the thunder element type, the shape and the elements
/// as contiguous little-endian bytes (one byte per bool).
struct TensorData {
  mlir::Type elementType;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

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
