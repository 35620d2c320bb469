//===- Reduction.cpp - VJP rules of reductions and scans ------------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::autodiff {

Value unreduce(VJPBuilder &b, Value cot, Value operand, ArrayRef<int64_t> dims,
               bool keepdim) {
  auto type = cast<RankedTensorType>(operand.getType());
  SmallVector<int64_t> kept;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (keepdim || !llvm::is_contained(dims, i))
      kept.push_back(i);
  return b.broadcastInDim(cot, type, kept, b.dynamicSizes(operand));
}

namespace {

template <typename OpT> Value unreduceOf(VJPBuilder &b, OpT op, Value cot) {
  return unreduce(b, cot, op.getOperand(), op.getDims(), op.getKeepdim());
}

LogicalResult reduceSumRule(VJPBuilder &b, ReduceSumOp op, ArrayRef<Value> g,
                            MutableArrayRef<Value> out) {
  out[0] = unreduceOf(b, op, g[0]);
  return success();
}

/// d prod / d x_i = prod / x_i (inputs with zeros give inf/nan, unlike
/// PyTorch's prod_backward, which handles them).
LogicalResult reduceProdRule(VJPBuilder &b, ReduceProdOp op, ArrayRef<Value> g,
                             MutableArrayRef<Value> out) {
  Value gy = unreduceOf(b, op, b.mul(g[0], b.primal(op.getResult())));
  out[0] = b.div(gy, b.primal(op.getOperand()));
  return success();
}

/// amax/amin: the cotangent is shared evenly by the elements equal to the
/// extremum (PyTorch's amax/amin backward).
template <typename OpT>
LogicalResult extremumRule(VJPBuilder &b, OpT op, ArrayRef<Value> g,
                           MutableArrayRef<Value> out) {
  Value x = b.primal(op.getOperand());
  Value ext = unreduceOf(b, op, b.primal(op.getResult()));
  Value mask = b.compare(CompareDirection::EQ, x, ext);
  auto elementType = cast<RankedTensorType>(x.getType()).getElementType();
  Value count =
      b.reduceSum(b.convert(mask, elementType), op.getDims(), op.getKeepdim());
  Value share = unreduceOf(b, op, b.div(g[0], count));
  out[0] = b.select(mask, share, b.splatLike(share, 0.0));
  return success();
}

Value reverseAlong(VJPBuilder &b, Value v, int64_t dim) {
  return ReverseOp::create(b, v, ArrayRef<int64_t>{dim});
}

/// Sum of g over positions >= i along dim.
Value reverseCumsum(VJPBuilder &b, Value g, uint64_t dim) {
  return reverseAlong(b, CumSumOp::create(b, reverseAlong(b, g, dim), dim),
                      dim);
}

LogicalResult cumsumRule(VJPBuilder &b, CumSumOp op, ArrayRef<Value> g,
                         MutableArrayRef<Value> out) {
  out[0] = reverseCumsum(b, g[0], op.getDim());
  return success();
}

/// d y_j / d x_i = y_j / x_i for j >= i (inputs with zeros give inf/nan).
LogicalResult cumprodRule(VJPBuilder &b, CumProdOp op, ArrayRef<Value> g,
                          MutableArrayRef<Value> out) {
  Value gy = b.mul(g[0], b.primal(op.getResult()));
  out[0] = b.div(reverseCumsum(b, gy, op.getDim()), b.primal(op.getOperand()));
  return success();
}

/// cummax/cummin: y_j = x_{idx_j}, idx_j the last i <= j where x_i = y_i
/// (PyTorch's tie rule); the cotangent of y_j is added at idx_j.
template <typename OpT>
LogicalResult cumExtremumRule(VJPBuilder &b, OpT op, ArrayRef<Value> g,
                              MutableArrayRef<Value> out) {
  Value x = b.primal(op.getOperand());
  Value y = b.primal(op.getResult());
  auto type = cast<RankedTensorType>(x.getType());
  uint64_t dim = op.getDim();
  SmallVector<Value> sizes = b.dynamicSizesOf(x);
  Value iota = IotaOp::create(b, type, sizes, dim);
  Value isSource = b.compare(CompareDirection::EQ, x, y);
  Value candidate = b.select(isSource, iota, b.splatLike(iota, -1.0));
  Value index = b.convert(CumMaxOp::create(b, candidate, dim), b.getI64Type());
  out[0] = ScatterOp::create(b, type, b.splatLike(x, 0.0), index, g[0], dim,
                             /*accumulate=*/true);
  return success();
}

} // namespace

void registerReductionVJPs(MLIRContext *ctx) {
  attachRule<ReduceSumOp, reduceSumRule>(ctx);
  attachRule<ReduceProdOp, reduceProdRule>(ctx);
  attachRule<ReduceMaxOp, extremumRule<ReduceMaxOp>>(ctx);
  attachRule<ReduceMinOp, extremumRule<ReduceMinOp>>(ctx);
  attachRule<CumSumOp, cumsumRule>(ctx);
  attachRule<CumProdOp, cumprodRule>(ctx);
  attachRule<CumMaxOp, cumExtremumRule<CumMaxOp>>(ctx);
  attachRule<CumMinOp, cumExtremumRule<CumMinOp>>(ctx);
}

} // namespace thunder::autodiff
