//===- Indexing.cpp - VJP rules of gather, index, scatter, sort -----------===//
//
// Reads at indices are transposed to accumulating writes at the same indices
// and the other way round. Index operands are integer tensors: never
// differentiable.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::autodiff {
namespace {

LogicalResult gatherRule(VJPBuilder &b, GatherOp op, ArrayRef<Value> g,
                         MutableArrayRef<Value> out) {
  auto type = cast<RankedTensorType>(op.getOperand().getType());
  out[0] = ScatterOp::create(b, type, b.zerosFor(op.getOperand()),
                             b.primal(op.getIndex()), g[0],
                             static_cast<uint64_t>(op.getDim()),
                             /*accumulate=*/true);
  return success();
}

LogicalResult indexSelectRule(VJPBuilder &b, IndexSelectOp op,
                              ArrayRef<Value> g, MutableArrayRef<Value> out) {
  auto type = cast<RankedTensorType>(op.getOperand().getType());
  out[0] = IndexPutOp::create(b, type, b.zerosFor(op.getOperand()),
                              ValueRange{b.primal(op.getIndex())}, g[0],
                              static_cast<uint64_t>(op.getDim()),
                              /*accumulate=*/true);
  return success();
}

SmallVector<Value> primals(VJPBuilder &b, ValueRange values) {
  SmallVector<Value> result;
  for (Value v : values)
    result.push_back(b.primal(v));
  return result;
}

LogicalResult indexRule(VJPBuilder &b, IndexOp op, ArrayRef<Value> g,
                        MutableArrayRef<Value> out) {
  auto type = cast<RankedTensorType>(op.getOperand().getType());
  out[0] = IndexPutOp::create(b, type, b.zerosFor(op.getOperand()),
                              primals(b, op.getIndices()), g[0],
                              static_cast<uint64_t>(op.getStartDim()),
                              /*accumulate=*/true);
  return success();
}

/// Sums `v` down to `type` over the dims where `type` has extent 1 and `v`
/// does not (values that index_put broadcasts).
Value sumToExtentOne(VJPBuilder &b, Value v, RankedTensorType type) {
  auto vt = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < vt.getRank(); ++i)
    if (type.getDimSize(i) == 1 && vt.getDimSize(i) != 1)
      dims.push_back(i);
  return b.reduceSum(v, dims, /*keepdim=*/true);
}

LogicalResult indexPutRule(VJPBuilder &b, IndexPutOp op, ArrayRef<Value> g,
                           MutableArrayRef<Value> out) {
  auto operandType = cast<RankedTensorType>(op.getOperand().getType());
  auto valuesType = cast<RankedTensorType>(op.getValues().getType());
  SmallVector<Value> indices = primals(b, op.getIndices());
  uint64_t startDim = op.getStartDim();
  // The written positions keep nothing of the operand unless accumulating.
  if (b.wants(op.getOperand()))
    out[0] = op.getAccumulate()
                 ? g[0]
                 : IndexPutOp::create(b, operandType, g[0], indices,
                                      b.zerosFor(op.getValues()), startDim,
                                      /*accumulate=*/false);
  if (b.wants(op.getValues())) {
    // The shape thunder.index gives: operand[:s] + B + operand[s+k:].
    auto indexType = cast<RankedTensorType>(indices.front().getType());
    SmallVector<int64_t> shape(operandType.getShape().take_front(startDim));
    llvm::append_range(shape, indexType.getShape());
    llvm::append_range(
        shape, operandType.getShape().drop_front(startDim + indices.size()));
    auto readType = operandType.clone(shape);
    Value read = IndexOp::create(b, readType, g[0], indices, startDim);
    // Operands: operand, indices..., values.
    out[1 + indices.size()] =
        b.reshape(sumToExtentOne(b, read, valuesType), valuesType,
                  b.dynamicSizes(op.getValues()));
  }
  return success();
}

LogicalResult scatterRule(VJPBuilder &b, ScatterOp op, ArrayRef<Value> g,
                          MutableArrayRef<Value> out) {
  auto operandType = cast<RankedTensorType>(op.getOperand().getType());
  auto srcType = cast<RankedTensorType>(op.getSrc().getType());
  Value index = b.primal(op.getIndex());
  uint64_t dim = op.getDim();
  if (b.wants(op.getOperand()))
    out[0] = op.getAccumulate()
                 ? g[0]
                 : ScatterOp::create(b, operandType, g[0], index,
                                     b.zerosFor(op.getSrc()), dim,
                                     /*accumulate=*/false);
  if (b.wants(op.getSrc())) {
    auto indexType = cast<RankedTensorType>(index.getType());
    Value read = GatherOp::create(b, indexType.clone(srcType.getElementType()),
                                  g[0], index, dim);
    if (read.getType() != srcType) {
      // scatter reads only the index-shaped corner of src.
      if (!srcType.hasStaticShape() || !indexType.hasStaticShape())
        return op.emitOpError("VJP: src larger than index needs static shapes");
      SmallVector<int64_t> low(srcType.getRank(), 0), high;
      for (auto [s, i] : llvm::zip(srcType.getShape(), indexType.getShape()))
        high.push_back(s - i);
      read = PadOp::create(
          b, srcType, read,
          b.splat(RankedTensorType::get({}, srcType.getElementType()), 0.0),
          low, high);
    }
    out[2] = read;
  }
  return success();
}

LogicalResult sortRule(VJPBuilder &b, SortOp op, ArrayRef<Value> g,
                       MutableArrayRef<Value> out) {
  if (!g[0])
    return success();
  auto type = cast<RankedTensorType>(op.getOperand().getType());
  out[0] = ScatterOp::create(b, type, b.zerosFor(op.getOperand()),
                             b.primal(op.getIndices()), g[0],
                             static_cast<uint64_t>(op.getDim()),
                             /*accumulate=*/true);
  return success();
}

} // namespace

void registerIndexingVJPs(MLIRContext *ctx) {
  attachRule<GatherOp, gatherRule>(ctx);
  attachRule<IndexSelectOp, indexSelectRule>(ctx);
  attachRule<IndexOp, indexRule>(ctx);
  attachRule<IndexPutOp, indexPutRule>(ctx);
  attachRule<ScatterOp, scatterRule>(ctx);
  attachRule<SortOp, sortRule>(ctx);
}

} // namespace thunder::autodiff
