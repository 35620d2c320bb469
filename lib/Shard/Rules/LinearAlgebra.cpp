//===- LinearAlgebra.cpp - matmul: batch, M, N parallel, K a sum ----------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::shard {
namespace {

/// [..., M, K] x [..., K, N] -> [..., M, N]: loops (batch..., m, n, k).
std::optional<LoopNest> describeMatmul(MatmulOp op) {
  if (!onlyTensors(op))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  int64_t rank = cast<RankedTensorType>(op.getType()).getRank();
  if (cast<RankedTensorType>(op.getLhs().getType()).getRank() != rank ||
      cast<RankedTensorType>(op.getRhs().getType()).getRank() != rank)
    return std::nullopt;
  int64_t batch = rank - 2;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> lhs, rhs, out;
  for (int64_t b = 0; b < batch; ++b) {
    lhs.push_back(dim(b));
    rhs.push_back(dim(b));
    out.push_back(dim(b));
  }
  AffineExpr m = dim(batch), n = dim(batch + 1), k = dim(batch + 2);
  lhs.append({m, k});
  rhs.append({k, n});
  out.append({m, n});
  LoopNest nest;
  nest.iterators.assign(rank, utils::IteratorType::parallel);
  nest.iterators.push_back(utils::IteratorType::reduction);
  nest.reductionKinds.push_back(mlir::shard::ReductionKind::Sum);
  nest.maps = {AffineMap::get(rank + 1, 0, lhs, ctx), AffineMap::get(rank + 1, 0, rhs, ctx),
               AffineMap::get(rank + 1, 0, out, ctx)};
  return nest;
}

} // namespace

void attachLinearAlgebraRules(MLIRContext *ctx) {
  attachLoopNest<MatmulOp, describeMatmul>(ctx);
}

} // namespace thunder::shard
