//===- Utils.h - helpers shared by the thunder -> linalg patterns -*- C++ -*-===//
//
// Scalar constants and conversions with PyTorch's rules, tensor shapes with
// dynamic dimensions, and a few linalg builders every op family needs.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_CONVERSION_THUNDERTOLINALG_UTILS_H
#define THUNDER_LIB_CONVERSION_THUNDERTOLINALG_UTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace thunder::lowering {

using mlir::ArrayRef;
using mlir::Location;
using mlir::OpBuilder;
using mlir::RankedTensorType;
using mlir::SmallVector;
using mlir::Type;
using mlir::Value;
using mlir::ValueRange;

//===--------------------------------------------------------------------===//
// Element types
//===--------------------------------------------------------------------===//

/// i1 (PyTorch's bool): ordered as unsigned (false < true).
bool isBool(Type type);
/// f16 or bf16.
bool isLowPrecisionFloat(Type type);
/// The type arithmetic on `type` accumulates in: f32 for f16/bf16, else
/// `type` itself.
Type accumulatorType(Type type);

//===--------------------------------------------------------------------===//
// Scalars
//===--------------------------------------------------------------------===//

Value indexConstant(OpBuilder &b, Location loc, int64_t value);
/// `value` as a constant of the float or integer type `type`.
Value scalarConstant(OpBuilder &b, Location loc, Type type, double value);
/// -inf for floats, the smallest integer, false for i1.
Value lowestValue(OpBuilder &b, Location loc, Type type);
/// +inf for floats, the largest integer, true for i1.
Value highestValue(OpBuilder &b, Location loc, Type type);
/// Converts a scalar with PyTorch's rules: float -> int truncates towards
/// zero, anything -> i1 is `!= 0` (NaN is true), i1 -> number is 0/1,
/// integers widen signed, f16 <-> bf16 go through f32.
Value convertScalar(OpBuilder &b, Location loc, Value value, Type to);
/// `value` (any integer or index) as an `index`, wrapped as PyTorch wraps a
/// negative index: `value < 0 ? value + size : value`.
Value wrapIndex(OpBuilder &b, Location loc, Value value, Value size);

//===--------------------------------------------------------------------===//
// Shapes
//===--------------------------------------------------------------------===//

/// The extent of dimension `dim` of a ranked tensor, as an index value
/// (a constant where static).
Value dimSize(OpBuilder &b, Location loc, Value tensor, int64_t dim);
/// The extents of every dimension of `tensor`.
SmallVector<Value> dimSizes(OpBuilder &b, Location loc, Value tensor);
/// The extents of the dynamic dimensions of `tensor` (tensor.dim each).
SmallVector<Value> dynamicDimSizes(OpBuilder &b, Location loc, Value tensor);
/// From one extent per dimension, those of the '?' dimensions of `type`.
SmallVector<Value> pickDynamic(RankedTensorType type, ArrayRef<Value> sizes);

/// `value` as `type`: a tensor.cast where only static extents differ.
Value castTo(OpBuilder &b, Location loc, Value value, Type type);

/// tensor.empty of `type`.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynamicSizes);
/// tensor.empty of the shape of `like` with element type `elementType`.
Value emptyLike(OpBuilder &b, Location loc, Value like, Type elementType);
/// linalg.fill of a tensor.empty.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   ValueRange dynamicSizes, Value scalar);

//===--------------------------------------------------------------------===//
// linalg builders
//===--------------------------------------------------------------------===//

using BodyBuilder = llvm::function_ref<void(OpBuilder &, Location, ValueRange)>;

SmallVector<mlir::utils::IteratorType> parallelIterators(unsigned count);

/// A linalg.generic over the shape of `init` with identity maps for every
/// input and for `init` (all parallel); the body gets one scalar per input
/// and the init element, and yields the result element.
Value mapElementwise(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                     BodyBuilder body);

/// Converts every element of `tensor` to `elementType` (convertScalar).
Value convertTensor(OpBuilder &b, Location loc, Value tensor, Type elementType);

/// Pads `tensor` by `low`/`high` (one entry per dimension) with the scalar
/// `padValue`; negative amounts remove elements (an extract_slice first).
Value padTensor(OpBuilder &b, Location loc, Value tensor, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value padValue);

/// Collapses a tensor to 1-D (rank 0 becomes 1 element) and expands it to
/// `type`, whose dynamic extents are `dynamicSizes`.
Value reshapeTensor(OpBuilder &b, Location loc, Value tensor,
                    RankedTensorType type, ValueRange dynamicSizes);

/// Inserts unit dimensions at the positions `unitDims` of the result
/// (tensor.expand_shape): a reduction's keepdim.
Value expandUnitDims(OpBuilder &b, Location loc, Value tensor,
                     ArrayRef<int64_t> unitDims);

} // namespace thunder::lowering

#endif // THUNDER_LIB_CONVERSION_THUNDERTOLINALG_UTILS_H
