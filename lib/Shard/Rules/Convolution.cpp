//===- Convolution.cpp - convolutions and pooling as window loop nests ----===//
//
// Both read input element o * stride + r * dilation - padding_low along each
// spatial dimension: an affine nest over (leading dims, output positions,
// window positions). The batch loop is parallel; a convolution's input
// channels and window are sums, so a batch that is the contracted channel
// (the weight gradient) leaves partial sums.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::shard {
namespace {

/// input [N, C, *S], weight [O, C, *K], result [N, O, *S']: loops
/// (n, o, s'..., c, k...), for ungrouped convolutions without lhs dilation.
std::optional<LoopNest> describeConvolution(ConvolutionOp op) {
  if (!onlyTensors(op) || op.getGroups() != 1 ||
      llvm::any_of(op.getLhsDilation(), [](int64_t d) { return d != 1; }))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  int64_t spatial = op.getStride().size();
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  // Loop numbering: n = 0, o = 1, s'_i = 2 + i, c = 2 + spatial, k_i = 3 + spatial + i.
  int64_t c = 2 + spatial, numLoops = 3 + 2 * spatial;
  SmallVector<AffineExpr> input = {dim(0), dim(c)}, weight = {dim(1), dim(c)},
                          result = {dim(0), dim(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr out = dim(2 + i), window = dim(3 + spatial + i);
    input.push_back(out * op.getStride()[i] + window * op.getDilation()[i] -
                    op.getPaddingLow()[i]);
    weight.push_back(window);
    result.push_back(out);
  }
  LoopNest nest;
  nest.iterators.assign(numLoops, utils::IteratorType::reduction);
  for (int64_t i = 0; i < c; ++i)
    nest.iterators[i] = utils::IteratorType::parallel;
  nest.reductionKinds.assign(numLoops - c, mlir::shard::ReductionKind::Sum);
  nest.maps = {AffineMap::get(numLoops, 0, input, ctx), AffineMap::get(numLoops, 0, weight, ctx),
               AffineMap::get(numLoops, 0, result, ctx)};
  return nest;
}

/// Pooling of the trailing `kernel.size()` dims: loops (leading..., out...,
/// window...), the window a reduction of `kind`. `windowed` lists which of
/// the op's tensors (operands, then the result) are indexed at input
/// positions; the others at output positions.
LoopNest poolNest(Operation *op, int64_t rank, ArrayRef<int64_t> stride,
                  ArrayRef<int64_t> paddingLow, ArrayRef<int64_t> dilation,
                  ArrayRef<bool> windowed, mlir::shard::ReductionKind kind) {
  MLIRContext *ctx = op->getContext();
  int64_t spatial = stride.size(), leading = rank - spatial;
  int64_t numLoops = leading + 2 * spatial;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> atInput, atOutput;
  for (int64_t i = 0; i < leading; ++i) {
    atInput.push_back(dim(i));
    atOutput.push_back(dim(i));
  }
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr out = dim(leading + i), window = dim(leading + spatial + i);
    int64_t d = dilation.empty() ? 1 : dilation[i];
    atInput.push_back(out * stride[i] + window * d - paddingLow[i]);
    atOutput.push_back(out);
  }
  LoopNest nest;
  nest.iterators.assign(numLoops, utils::IteratorType::parallel);
  for (int64_t i = 0; i < spatial; ++i) {
    nest.iterators[leading + spatial + i] = utils::IteratorType::reduction;
    nest.reductionKinds.push_back(kind);
  }
  for (bool w : windowed)
    nest.maps.push_back(AffineMap::get(numLoops, 0, w ? atInput : atOutput, ctx));
  return nest;
}

std::optional<LoopNest> describeMaxPool(MaxPoolOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  return poolNest(op, op.getType().getRank(), op.getStride(), op.getPaddingLow(),
                  op.getDilation(), {true, false}, mlir::shard::ReductionKind::Max);
}

std::optional<LoopNest> describeAvgPool(AvgPoolOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  return poolNest(op, op.getType().getRank(), op.getStride(), op.getPaddingLow(), {},
                  {true, false}, mlir::shard::ReductionKind::Generic);
}

/// grad_output at output positions, input and the result at input positions
/// (each window routes its gradient to one of them: a sum).
std::optional<LoopNest> describeMaxPoolBackward(MaxPoolBackwardOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  return poolNest(op, op.getType().getRank(), op.getStride(), op.getPaddingLow(),
                  op.getDilation(), {false, true, true}, mlir::shard::ReductionKind::Sum);
}

} // namespace

void attachConvolutionRules(MLIRContext *ctx) {
  attachLoopNest<ConvolutionOp, describeConvolution>(ctx);
  attachLoopNest<MaxPoolOp, describeMaxPool>(ctx);
  attachLoopNest<AvgPoolOp, describeAvgPool>(ctx);
  attachLoopNest<MaxPoolBackwardOp, describeMaxPoolBackward>(ctx);
}

} // namespace thunder::shard
