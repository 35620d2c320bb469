//===- Emitter.h - building thunder ops for the decompositions ---*- C++ -*-===//
//
// The converters (lib/Importer/*Ops.cpp) build short sequences of thunder ops.
// Emitter holds the builder and the node's location and offers the pieces
// they share: sizes that may be dynamic (OpFoldResult: an index attribute or
// an `index` value), rank-0 constants broadcast to a shape, explicit
// broadcasting and conversion, reshapes, slices and reductions.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_IMPORTER_EMITTER_H
#define THUNDER_LIB_IMPORTER_EMITTER_H

#include "SymbolicShapes.h"

#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

namespace thunder::importer {

using Sizes = llvm::SmallVector<mlir::OpFoldResult>;

class Emitter {
public:
  Emitter(mlir::OpBuilder &b, mlir::Location loc,
          SymbolicShapes *shapes = nullptr)
      : b(b), loc(loc), shapes(shapes) {}

  mlir::OpBuilder &b;
  mlir::Location loc;
  /// When set, dynamic extents are traced back through the thunder ops that
  /// made a value to the symbols' canonical index values.
  SymbolicShapes *shapes;

  mlir::MLIRContext *context() const { return b.getContext(); }

  //===--- Types -----------------------------------------------------------===//
  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }
  static mlir::Type elementTypeOf(mlir::Value v) {
    return typeOf(v).getElementType();
  }
  static int64_t rankOf(mlir::Value v) { return typeOf(v).getRank(); }
  static llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
    return typeOf(v).getShape();
  }
  mlir::Type f32() const { return b.getF32Type(); }
  mlir::Type i64() const { return b.getI64Type(); }
  mlir::Type i1() const { return b.getI1Type(); }

  //===--- Sizes -----------------------------------------------------------===//
  /// Extent `d` of `v`: an attribute when static; else the size operand or
  /// input dim it derives from (through shape-preserving ops), or a `tensor.dim`.
  mlir::OpFoldResult dim(mlir::Value v, int64_t d);
  Sizes dims(mlir::Value v);
  mlir::OpFoldResult index(int64_t v) { return b.getIndexAttr(v); }
  mlir::Value indexValue(mlir::OpFoldResult ofr);
  /// The static shape of `sizes` (dynamic where not a constant).
  static llvm::SmallVector<int64_t> staticShape(llvm::ArrayRef<mlir::OpFoldResult> sizes);
  /// The values of the dynamic entries of `sizes`, in order.
  llvm::SmallVector<mlir::Value> dynamicSizes(llvm::ArrayRef<mlir::OpFoldResult> sizes);
  mlir::RankedTensorType tensorType(llvm::ArrayRef<mlir::OpFoldResult> sizes,
                                    mlir::Type elementType);
  // Index arithmetic, folded when both sides are constants.
  mlir::OpFoldResult add(mlir::OpFoldResult a, mlir::OpFoldResult c);
  mlir::OpFoldResult sub(mlir::OpFoldResult a, mlir::OpFoldResult c);
  mlir::OpFoldResult mul(mlir::OpFoldResult a, mlir::OpFoldResult c);
  mlir::OpFoldResult floorDiv(mlir::OpFoldResult a, mlir::OpFoldResult c);
  mlir::OpFoldResult ceilDiv(mlir::OpFoldResult a, mlir::OpFoldResult c);
  mlir::OpFoldResult max(mlir::OpFoldResult a, mlir::OpFoldResult c);
  mlir::OpFoldResult min(mlir::OpFoldResult a, mlir::OpFoldResult c);
  mlir::OpFoldResult product(llvm::ArrayRef<mlir::OpFoldResult> sizes);
  /// An index as a rank-0 tensor of `elementType` (for counts of dynamic size).
  mlir::Value indexToTensor(mlir::OpFoldResult ofr, mlir::Type elementType);

  //===--- Constants -------------------------------------------------------===//
  /// A typed scalar attribute (FloatAttr / IntegerAttr, bool for i1).
  mlir::TypedAttr scalarAttr(mlir::Type elementType, double value);
  mlir::TypedAttr scalarAttrInt(mlir::Type elementType, int64_t value);
  /// Rank-0 `thunder.constant`.
  mlir::Value scalar(mlir::Type elementType, double value);
  mlir::Value scalarInt(mlir::Type elementType, int64_t value);
  /// A rank-0 constant broadcast to `sizes`.
  mlir::Value splat(mlir::Value scalar0d, llvm::ArrayRef<mlir::OpFoldResult> sizes);
  mlir::Value splat(double value, mlir::Type elementType,
                    llvm::ArrayRef<mlir::OpFoldResult> sizes);
  /// A constant with the shape and element type of `like`.
  mlir::Value splatLike(double value, mlir::Value like);
  /// `thunder.full` / `thunder.iota`.
  mlir::Value full(llvm::ArrayRef<mlir::OpFoldResult> sizes, mlir::TypedAttr value);
  mlir::Value iota(llvm::ArrayRef<mlir::OpFoldResult> sizes, mlir::Type elementType,
                   int64_t dim);
  /// A dense constant of the given static shape.
  mlir::Value constantInts(llvm::ArrayRef<int64_t> shape, mlir::Type elementType,
                           llvm::ArrayRef<int64_t> values);

  //===--- Shape ops -------------------------------------------------------===//
  mlir::Value broadcastInDim(mlir::Value v, llvm::ArrayRef<mlir::OpFoldResult> sizes,
                             llvm::ArrayRef<int64_t> dims);
  /// NumPy broadcasting of `v` to `sizes` (trailing dimensions aligned).
  mlir::Value broadcastTo(mlir::Value v, llvm::ArrayRef<mlir::OpFoldResult> sizes);
  /// The broadcast shape of several tensors (NumPy rules).
  Sizes broadcastShape(llvm::ArrayRef<mlir::Value> values);
  /// The broadcast of two size lists (NumPy rules).
  Sizes broadcastSizes(llvm::ArrayRef<mlir::OpFoldResult> x,
                       llvm::ArrayRef<mlir::OpFoldResult> y);
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<mlir::OpFoldResult> sizes);
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  mlir::Value permute(mlir::Value v, llvm::ArrayRef<int64_t> perm);
  mlir::Value transpose(mlir::Value v, int64_t a, int64_t c);
  /// Moves dimension `from` to position `to`.
  mlir::Value moveDim(mlir::Value v, int64_t from, int64_t to);
  mlir::Value unsqueeze(mlir::Value v, int64_t d);
  mlir::Value squeeze(mlir::Value v, int64_t d);
  /// Static slice of one dimension (`limit` is clamped to the extent; on a
  /// dynamic extent only `limit = INT64_MAX` is meaningful).
  mlir::Value slice(mlir::Value v, int64_t dim, int64_t start, int64_t limit,
                    int64_t step = 1);
  /// A slice with bounds known only at run time (already clamped to
  /// [0, extent], start <= limit): an index_select of the computed positions.
  mlir::Value dynamicSlice(mlir::Value v, int64_t dim, mlir::OpFoldResult start,
                           mlir::OpFoldResult limit, int64_t step = 1);
  mlir::Value concat(llvm::ArrayRef<mlir::Value> values, int64_t dim);
  mlir::Value pad(mlir::Value v, mlir::Value padValue0d, llvm::ArrayRef<int64_t> low,
                  llvm::ArrayRef<int64_t> high);
  mlir::Value reverse(mlir::Value v, llvm::ArrayRef<int64_t> dims);
  /// Flattens dims [start, end] into one.
  mlir::Value flatten(mlir::Value v, int64_t start, int64_t end);

  //===--- Elementwise -----------------------------------------------------===//
  mlir::Value convert(mlir::Value v, mlir::Type elementType);
  template <typename OpTy>
  mlir::Value unary(mlir::Value v) {
    return OpTy::create(b, loc, v).getResult();
  }
  /// Both operands converted to one type (the promoted one unless given) and
  /// broadcast to one shape.
  template <typename OpTy>
  mlir::Value binary(mlir::Value x, mlir::Value y, mlir::Type type = {}) {
    auto [bx, by] = unify(x, y, type);
    return OpTy::create(b, loc, bx, by).getResult();
  }
  /// `v op scalar` in the type of `v`.
  template <typename OpTy>
  mlir::Value binaryScalar(mlir::Value v, double s) {
    return OpTy::create(b, loc, v, splatLike(s, v)).getResult();
  }
  /// `scalar op v` in the type of `v`.
  template <typename OpTy>
  mlir::Value scalarBinary(double s, mlir::Value v) {
    return OpTy::create(b, loc, splatLike(s, v), v).getResult();
  }
  mlir::Value compare(CompareDirection dir, mlir::Value x, mlir::Value y);
  mlir::Value compareScalar(CompareDirection dir, mlir::Value v, double s);
  /// `where(cond, x, y)` with broadcasting of all three.
  mlir::Value select(mlir::Value cond, mlir::Value x, mlir::Value y);
  /// Converts to `type` (or the promoted type) and broadcasts to one shape.
  std::pair<mlir::Value, mlir::Value> unify(mlir::Value x, mlir::Value y,
                                            mlir::Type type = {});
  // Common sequences.
  mlir::Value add(mlir::Value x, mlir::Value y) { return binary<AddOp>(x, y); }
  mlir::Value sub(mlir::Value x, mlir::Value y) { return binary<SubOp>(x, y); }
  mlir::Value mul(mlir::Value x, mlir::Value y) { return binary<MulOp>(x, y); }
  mlir::Value div(mlir::Value x, mlir::Value y) { return binary<DivOp>(x, y); }
  mlir::Value addScalar(mlir::Value v, double s) { return binaryScalar<AddOp>(v, s); }
  mlir::Value mulScalar(mlir::Value v, double s) { return binaryScalar<MulOp>(v, s); }
  /// max(v, 0) (NaN-propagating, as torch.relu).
  mlir::Value relu(mlir::Value v);
  /// NaN-propagating clamp; either bound may be absent.
  mlir::Value clamp(mlir::Value v, std::optional<double> lo, std::optional<double> hi);

  //===--- Reductions ------------------------------------------------------===//
  template <typename OpTy>
  mlir::Value reduce(mlir::Value v, llvm::ArrayRef<int64_t> dims, bool keepdim) {
    llvm::SmallVector<int64_t> sorted(dims);
    llvm::sort(sorted);
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    auto in = typeOf(v);
    llvm::SmallVector<int64_t> shape;
    for (int64_t i = 0; i < in.getRank(); ++i) {
      if (!llvm::is_contained(sorted, i))
        shape.push_back(in.getDimSize(i));
      else if (keepdim)
        shape.push_back(1);
    }
    auto type = mlir::RankedTensorType::get(shape, in.getElementType());
    return OpTy::create(b, loc, type, v, sorted, keepdim).getResult();
  }
  mlir::Value sum(mlir::Value v, llvm::ArrayRef<int64_t> dims, bool keepdim) {
    return reduce<ReduceSumOp>(v, dims, keepdim);
  }
  /// Sum divided by the number of reduced elements (dynamic counts allowed).
  mlir::Value mean(mlir::Value v, llvm::ArrayRef<int64_t> dims, bool keepdim);
  /// Number of elements in `dims` of `v`.
  mlir::OpFoldResult count(mlir::Value v, llvm::ArrayRef<int64_t> dims);
  /// Divides `v` by a count (a rank-0 tensor or a constant).
  mlir::Value divByCount(mlir::Value v, mlir::OpFoldResult count);
  /// Variance with `correction` (0 = biased, 1 = unbiased).
  mlir::Value variance(mlir::Value v, llvm::ArrayRef<int64_t> dims, double correction,
                       bool keepdim);
  /// Numerically stable softmax / log-softmax along `dim`.
  mlir::Value softmax(mlir::Value v, int64_t dim, bool log);
  /// log(sum(exp(v))) along dims, max-subtracted.
  mlir::Value logsumexp(mlir::Value v, llvm::ArrayRef<int64_t> dims, bool keepdim);

  //===--- Linear algebra --------------------------------------------------===//
  /// torch.matmul with all its broadcasting cases (1-D, batched, broadcast batch).
  mlir::Value matmul(mlir::Value x, mlir::Value y);
};

/// A dim index that may be negative (PyTorch style) in [0, rank), for dims
/// already in range: a dim from the archive goes through NodeContext::dim,
/// which checks it.
inline int64_t normalizeDim(int64_t dim, int64_t rank) {
  if (rank == 0)
    return dim < 0 ? dim + 1 : dim;
  return dim < 0 ? dim + rank : dim;
}

} // namespace thunder::importer

#endif
