//===- Reduction.cpp - reductions: reduced dims are reduction loops -------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::shard {
namespace {

/// Loops = the operand's dimensions, those in `dims` reductions of `kind`;
/// the result keeps the others (and element 0 of the reduced ones with
/// keepdim).
template <typename OpT, mlir::shard::ReductionKind Kind>
std::optional<LoopNest> describeReduce(OpT op) {
  if (!onlyTensors(op))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  int64_t rank = cast<RankedTensorType>(op.getOperand().getType()).getRank();
  LoopNest nest = identityNest(ctx, rank, 1, 1);
  SmallVector<AffineExpr> resultExprs;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(op.getDims(), d)) {
      nest.iterators[d] = utils::IteratorType::reduction;
      nest.reductionKinds.push_back(Kind);
      if (op.getKeepdim())
        resultExprs.push_back(getAffineConstantExpr(0, ctx));
    } else {
      resultExprs.push_back(getAffineDimExpr(d, ctx));
    }
  }
  nest.maps[1] = AffineMap::get(rank, 0, resultExprs, ctx);
  return nest;
}

} // namespace

void attachReductionRules(MLIRContext *ctx) {
  using mlir::shard::ReductionKind;
  attachLoopNest<ReduceSumOp, describeReduce<ReduceSumOp, ReductionKind::Sum>>(ctx);
  attachLoopNest<ReduceMaxOp, describeReduce<ReduceMaxOp, ReductionKind::Max>>(ctx);
  attachLoopNest<ReduceMinOp, describeReduce<ReduceMinOp, ReductionKind::Min>>(ctx);
}

} // namespace thunder::shard
