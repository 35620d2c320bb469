//===- DataMovement.cpp - permute, broadcast_in_dim, reshape --------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::shard {
namespace {

/// Loops = the result's dimensions; operand dim i is loop perm[i]'s inverse.
std::optional<LoopNest> describePermute(PermuteOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  ArrayRef<int64_t> perm = op.getPerm();
  SmallVector<AffineExpr> operandExprs(perm.size());
  for (auto [resultDim, operandDim] : llvm::enumerate(perm))
    operandExprs[operandDim] = getAffineDimExpr(resultDim, ctx);
  LoopNest nest = identityNest(ctx, perm.size(), 1, 1);
  nest.maps[0] = AffineMap::get(perm.size(), 0, operandExprs, ctx);
  return nest;
}

/// Loops = the result's dimensions; operand dim i reads loop dims[i], or
/// element 0 where it has extent 1 and is broadcast.
std::optional<LoopNest> describeBroadcastInDim(BroadcastInDimOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto in = cast<RankedTensorType>(op.getOperand().getType());
  auto out = cast<RankedTensorType>(op.getType());
  SmallVector<AffineExpr> operandExprs;
  for (auto [i, d] : llvm::enumerate(op.getDims()))
    operandExprs.push_back(in.getDimSize(i) == 1 && out.getDimSize(d) != 1
                               ? getAffineConstantExpr(0, ctx)
                               : getAffineDimExpr(d, ctx));
  LoopNest nest = identityNest(ctx, out.getRank(), 1, 1);
  nest.maps[0] = AffineMap::get(out.getRank(), 0, operandExprs, ctx);
  return nest;
}

/// A reshape whose dimensions group into collapses (several operand dims
/// into one) and expansions (one into several). Loops = the finer side of each
/// group; the coarser side indexes it row-major (sum of loop * stride), so a
/// block of its most-major loop is a block of the coarse dimension.
std::optional<LoopNest> describeReshape(ReshapeOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  auto in = cast<RankedTensorType>(op.getOperand().getType());
  auto out = cast<RankedTensorType>(op.getType());
  if (!in.hasStaticShape() || !out.hasStaticShape())
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  ArrayRef<int64_t> a = in.getShape(), b = out.getShape();
  SmallVector<AffineExpr> inExprs(a.size(), getAffineConstantExpr(0, ctx));
  SmallVector<AffineExpr> outExprs(b.size(), getAffineConstantExpr(0, ctx));
  unsigned numLoops = 0;
  // A group's finer dims each get a loop; the coarse one their row-major sum.
  auto addGroup = [&](ArrayRef<int64_t> fineShape, unsigned fineBegin, unsigned fineEnd,
                      SmallVectorImpl<AffineExpr> &fine, SmallVectorImpl<AffineExpr> &coarse,
                      unsigned coarseDim) {
    AffineExpr sum = getAffineConstantExpr(0, ctx);
    for (unsigned k = fineBegin; k < fineEnd; ++k) {
      AffineExpr loop = getAffineDimExpr(numLoops++, ctx);
      fine[k] = loop;
      sum = sum * fineShape[k] + loop;
    }
    coarse[coarseDim] = sum;
  };
  unsigned i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    unsigned i0 = i, j0 = j;
    int64_t pa = a[i++], pb = b[j++];
    while (pa != pb) {
      if (pa < pb) {
        if (i == a.size())
          return std::nullopt;
        pa *= a[i++];
      } else {
        if (j == b.size())
          return std::nullopt;
        pb *= b[j++];
      }
    }
    if (i - i0 > 1 && j - j0 > 1)
      return std::nullopt; // neither a collapse nor an expansion
    if (j - j0 == 1)
      addGroup(a, i0, i, inExprs, outExprs, j0);
    else
      addGroup(b, j0, j, outExprs, inExprs, i0);
  }
  // Trailing unit dims index element 0.
  LoopNest nest;
  nest.iterators.assign(numLoops, utils::IteratorType::parallel);
  nest.maps = {AffineMap::get(numLoops, 0, inExprs, ctx),
               AffineMap::get(numLoops, 0, outExprs, ctx)};
  return nest;
}

/// result[..., i, ...] = operand[..., index[i], ...] along `dim`: loops = the
/// result's dims. The operand's `dim` is read at data-dependent positions,
/// which no loop indexes (element 0 stands for "any"): sharding that loop
/// splits the index and the result, never the table.
std::optional<LoopNest> describeIndexSelect(IndexSelectOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  int64_t rank = op.getType().getRank(), dim = op.getDim();
  LoopNest nest = identityNest(ctx, rank, 2, 1);
  SmallVector<AffineExpr> operandExprs;
  for (int64_t d = 0; d < rank; ++d)
    operandExprs.push_back(d == dim ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(d, ctx));
  nest.maps[0] = AffineMap::get(rank, 0, operandExprs, ctx);
  nest.maps[1] = AffineMap::get(rank, 0, getAffineDimExpr(dim, ctx));
  return nest;
}

/// Loops = the result's dims; operand dim i reads start + loop * step (a
/// whole, unstrided dimension is the loop itself).
std::optional<LoopNest> describeSlice(SliceOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  int64_t rank = op.getType().getRank();
  LoopNest nest = identityNest(ctx, rank, 1, 1);
  SmallVector<AffineExpr> operandExprs;
  for (int64_t d = 0; d < rank; ++d)
    operandExprs.push_back(getAffineDimExpr(d, ctx) * op.getStep()[d] + op.getStart()[d]);
  nest.maps[0] = AffineMap::get(rank, 0, operandExprs, ctx);
  return nest;
}

/// Loops = the operand's dims; the result holds operand element i at
/// i + low (the scalar padding value is indexed by no loop).
std::optional<LoopNest> describePad(PadOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  int64_t rank = op.getType().getRank();
  LoopNest nest = identityNest(ctx, rank, 2, 1);
  SmallVector<AffineExpr> resultExprs;
  for (int64_t d = 0; d < rank; ++d)
    resultExprs.push_back(getAffineDimExpr(d, ctx) + op.getLow()[d]);
  nest.maps[1] = AffineMap::get(rank, 0, {}, ctx);
  nest.maps[2] = AffineMap::get(rank, 0, resultExprs, ctx);
  return nest;
}

/// Loops = the result's dims; input i holds the result's elements from its
/// offset along `dim`.
std::optional<LoopNest> describeConcat(ConcatOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto type = cast<RankedTensorType>(op.getType());
  int64_t rank = type.getRank(), dim = op.getDim(), offset = 0;
  LoopNest nest = identityNest(ctx, rank, op.getNumOperands(), 1);
  for (auto [i, input] : llvm::enumerate(op.getInputs())) {
    auto t = cast<RankedTensorType>(input.getType());
    if (t.isDynamicDim(dim))
      return std::nullopt;
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(d == dim ? getAffineDimExpr(d, ctx) - offset : getAffineDimExpr(d, ctx));
    nest.maps[i] = AffineMap::get(rank, 0, exprs, ctx);
    offset += t.getDimSize(dim);
  }
  return nest;
}

} // namespace

void attachDataMovementRules(MLIRContext *ctx) {
  attachLoopNest<PermuteOp, describePermute>(ctx);
  attachLoopNest<BroadcastInDimOp, describeBroadcastInDim>(ctx);
  attachLoopNest<ReshapeOp, describeReshape>(ctx);
  attachLoopNest<IndexSelectOp, describeIndexSelect>(ctx);
  attachLoopNest<SliceOp, describeSlice>(ctx);
  attachLoopNest<PadOp, describePad>(ctx);
  attachLoopNest<ConcatOp, describeConcat>(ctx);
}

} // namespace thunder::shard
