//===- DTypes.h - torch dtypes as MLIR element types, type promotion -*- C++ -*-===//
//
// The element types the thunder dialect uses for torch dtypes (docs/dialect.md)
// and PyTorch's type promotion (torch.result_type): tensors of rank > 0,
// rank-0 tensors and Python numbers ("wrapped numbers") are three priority
// classes; a lower class only wins when it is of a higher category
// (bool < integer < floating).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_IMPORTER_DTYPES_H
#define THUNDER_LIB_IMPORTER_DTYPES_H

#include "thunder/PT2/DType.h"
#include "thunder/PT2/Graph.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace thunder::importer {

/// The element type of a torch dtype: f32/f64/f16/bf16, i8/i16/i32/i64, i1
/// for bool. Failure for dtypes the dialect does not have (unsigned, complex,
/// float8): the caller names the dtype in its error.
///
/// With `intermediate`, uint8 and uint16 (which the dialect does not have) are
/// widened to i16 and i32, which hold all their values: a model may compute
/// with them inside (Core ATen's eye uses a uint8 arange) but not take or
/// return them.
mlir::FailureOr<mlir::Type> elementTypeFor(mlir::MLIRContext *context,
                                           pt2::ScalarType dtype,
                                           bool intermediate = false);

/// The tensor type of a TensorMeta (`?` for symbolic sizes). Errors at `loc`
/// name `what` and the unsupported dtype or layout.
mlir::FailureOr<mlir::RankedTensorType>
tensorTypeFor(const pt2::TensorMeta &meta, mlir::Location loc,
              const llvm::Twine &what, bool intermediate = false);

/// "float32", "uint8", ... for messages.
std::string dtypeName(pt2::ScalarType dtype);

/// The torch dtype of an element type (the inverse of elementTypeFor).
std::optional<pt2::ScalarType> dtypeFor(mlir::Type type);

enum class Category { Bool = 0, Integer = 1, Floating = 2 };
Category categoryOf(mlir::Type type);
inline bool isBool(mlir::Type t) { return t.isInteger(1); }
inline bool isFloat(mlir::Type t) { return mlir::isa<mlir::FloatType>(t); }
inline bool isInteger(mlir::Type t) { return t.isSignlessInteger() && !t.isInteger(1); }

/// torch.get_default_dtype(): float32.
mlir::Type defaultFloatType(mlir::MLIRContext *context);

/// torch.promote_types(a, b).
mlir::Type promoteTypes(mlir::Type a, mlir::Type b);

/// Accumulates operands in the three priority classes of torch.result_type.
class ResultTypeState {
public:
  /// A tensor operand of the given rank.
  void addTensor(mlir::Type elementType, int64_t rank);
  /// A Python number: bool, int (int64) or float (the default dtype).
  void addWrappedNumber(Category category, mlir::MLIRContext *context);
  /// The promoted type; null when nothing was added.
  mlir::Type result() const;

private:
  mlir::Type dimResult, zeroResult, wrappedResult;
};

} // namespace thunder::importer

#endif
