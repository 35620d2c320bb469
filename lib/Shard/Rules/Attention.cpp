//===- Attention.cpp - attention: the batch dimensions are parallel -------===//
//
// softmax(q k^T scale + mask) v over [..., L, E] queries, [..., S, E] keys and
// [..., S, Ev] values: loops (batch..., l, s, e, ev). Only the batch loops
// (batch and heads) are plain parallel loops; l, s, e and ev are marked
// reductions of a kind of their own (Generic: the softmax, and in the
// gradient the sums over l for dk and dv), which the partition never splits.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::shard {
namespace {

struct AttentionLoops {
  int64_t batch;
  AffineExpr l, s, e, ev;
  SmallVector<AffineExpr> batchExprs;
};

std::optional<AttentionLoops> attentionLoops(Operation *op, Value query, Value key,
                                             Value value) {
  if (!onlyTensors(op))
    return std::nullopt;
  auto q = cast<RankedTensorType>(query.getType());
  auto k = cast<RankedTensorType>(key.getType());
  auto v = cast<RankedTensorType>(value.getType());
  int64_t rank = q.getRank();
  if (rank < 2 || k.getRank() != rank || v.getRank() != rank ||
      q.getShape().drop_back(2) != k.getShape().drop_back(2) ||
      q.getShape().drop_back(2) != v.getShape().drop_back(2))
    return std::nullopt;
  MLIRContext *ctx = op->getContext();
  AttentionLoops loops;
  loops.batch = rank - 2;
  for (int64_t b = 0; b < loops.batch; ++b)
    loops.batchExprs.push_back(getAffineDimExpr(b, ctx));
  loops.l = getAffineDimExpr(loops.batch, ctx);
  loops.s = getAffineDimExpr(loops.batch + 1, ctx);
  loops.e = getAffineDimExpr(loops.batch + 2, ctx);
  loops.ev = getAffineDimExpr(loops.batch + 3, ctx);
  return loops;
}

AffineMap tensorMap(const AttentionLoops &loops, AffineExpr a, AffineExpr b) {
  SmallVector<AffineExpr> exprs = loops.batchExprs;
  exprs.append({a, b});
  return AffineMap::get(loops.batch + 4, 0, exprs, a.getContext());
}

/// The mask [..., L, S], right-aligned, broadcast where it has extent 1.
AffineMap maskMap(const AttentionLoops &loops, Value mask, RankedTensorType query) {
  auto m = cast<RankedTensorType>(mask.getType());
  MLIRContext *ctx = mask.getContext();
  SmallVector<AffineExpr> exprs;
  int64_t rank = m.getRank(), lead = query.getRank() - rank;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t loopDim = lead + d; // the loop this mask dim lines up with
    AffineExpr loop = loopDim < loops.batch ? loops.batchExprs[loopDim]
                      : loopDim == loops.batch ? loops.l
                                               : loops.s;
    bool broadcast = m.getDimSize(d) == 1 && (loopDim >= loops.batch + 1 ||
                                              query.getDimSize(loopDim) != 1);
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx) : loop);
  }
  return AffineMap::get(loops.batch + 4, 0, exprs, ctx);
}

LoopNest attentionNest(const AttentionLoops &loops) {
  LoopNest nest;
  nest.iterators.assign(loops.batch, utils::IteratorType::parallel);
  nest.iterators.append(4, utils::IteratorType::reduction);
  nest.reductionKinds.assign(4, mlir::shard::ReductionKind::Generic);
  return nest;
}

std::optional<LoopNest> describeAttention(AttentionOp op) {
  auto loops = attentionLoops(op, op.getQuery(), op.getKey(), op.getValue());
  if (!loops)
    return std::nullopt;
  LoopNest nest = attentionNest(*loops);
  nest.maps = {tensorMap(*loops, loops->l, loops->e), tensorMap(*loops, loops->s, loops->e),
               tensorMap(*loops, loops->s, loops->ev)};
  if (op.getMask())
    nest.maps.push_back(maskMap(*loops, op.getMask(), op.getQuery().getType()));
  nest.maps.push_back(tensorMap(*loops, loops->l, loops->ev));
  return nest;
}

std::optional<LoopNest> describeAttentionGrad(AttentionGradOp op) {
  auto loops = attentionLoops(op, op.getQuery(), op.getKey(), op.getValue());
  if (!loops)
    return std::nullopt;
  LoopNest nest = attentionNest(*loops);
  AffineMap q = tensorMap(*loops, loops->l, loops->e), k = tensorMap(*loops, loops->s, loops->e),
            v = tensorMap(*loops, loops->s, loops->ev), o = tensorMap(*loops, loops->l, loops->ev);
  nest.maps = {q, k, v};
  if (op.getMask())
    nest.maps.push_back(maskMap(*loops, op.getMask(), op.getQuery().getType()));
  nest.maps.append({o, q, k, v}); // grad_output; then dq, dk, dv
  return nest;
}

} // namespace

void attachAttentionRules(MLIRContext *ctx) {
  attachLoopNest<AttentionOp, describeAttention>(ctx);
  attachLoopNest<AttentionGradOp, describeAttentionGrad>(ctx);
}

} // namespace thunder::shard
