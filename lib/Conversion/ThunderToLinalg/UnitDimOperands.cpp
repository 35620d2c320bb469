//===- UnitDimOperands.cpp - read keepdim results without their unit dims ---===//
//
// A keepdim reduction lowers to a reduction and a tensor.expand_shape that
// only inserts unit dimensions; its consumers read the expanded tensor, often
// through a broadcast map with a constant 0 at the unit dimension
// ((d0, d1, d2) -> (d0, d1, 0)). Upstream's reshape propagation cannot move
// such an expand_shape into a consumer (the map is not a projected
// permutation), so it expands the reduction instead, and the reduction's
// producers then stay unfused behind another expand_shape: LayerNorm's
// (x - mean)^2 was a full-size float32 tensor written and read back.
//
// Here the consumer reads the expand_shape's source and its map drops the
// unit positions, and reshape propagation is not allowed to expand a
// reduction by unit dimensions alone (see isUnitDimExpansionOfReduction).
// linalg.reduce becomes a generic, which is what elementwise fusion fuses
// producers into.
//
//===----------------------------------------------------------------------===//
#include "UnitDimOperands.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace thunder {
namespace {

/// Per result dimension of `expand`, whether it is a unit dimension the
/// expansion inserted (the group's one source-carrying dimension is not).
/// Empty when `expand` is not a pure unit-dimension expansion.
SmallVector<bool> getInsertedUnitDims(tensor::ExpandShapeOp expand) {
  ArrayRef<int64_t> shape = expand.getResultType().getShape();
  SmallVector<bool> inserted(shape.size(), false);
  for (const ReassociationIndices &group : expand.getReassociationIndices()) {
    // The group's dimension that carries the source's extent: its one
    // non-unit member, or its last one when all are unit.
    int64_t kept = group.back();
    unsigned nonUnit = 0;
    for (int64_t d : group)
      if (shape[d] != 1) {
        kept = d;
        ++nonUnit;
      }
    if (nonUnit > 1)
      return {};
    for (int64_t d : group)
      inserted[d] = d != kept;
  }
  if (llvm::none_of(inserted, [](bool b) { return b; }))
    return {};
  return inserted;
}

/// generic(ins(expand_shape(%x) : unit dims inserted), map) ->
/// generic(ins(%x), map without the inserted positions).
struct ReadExpandSourceInConsumer : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    // Elementwise consumers only: a contraction or convolution keeps the
    // shape its library-call matchers expect (a squeeze-excitation's 1x1
    // convolution of the pooled [N, C, 1, 1]).
    if (!op.isAllParallelLoops())
      return failure();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    for (OpOperand *input : op.getDpsInputOperands()) {
      auto expand = input->get().getDefiningOp<tensor::ExpandShapeOp>();
      if (!expand)
        continue;
      SmallVector<bool> inserted = getInsertedUnitDims(expand);
      if (inserted.empty())
        continue;
      AffineMap map = maps[input->getOperandNumber()];
      SmallVector<AffineExpr> kept;
      for (auto [expr, drop] : llvm::zip(map.getResults(), inserted))
        if (!drop)
          kept.push_back(expr);
      SmallVector<AffineMap> newMaps = maps;
      newMaps[input->getOperandNumber()] =
          AffineMap::get(map.getNumDims(), map.getNumSymbols(), kept, op.getContext());
      // Every loop must keep an operand that gives its extent.
      if (!inversePermutation(concatAffineMaps(newMaps, op.getContext())))
        continue;
      rewriter.modifyOpInPlace(op, [&] {
        input->set(expand.getSrc());
        op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(newMaps));
      });
      return success();
    }
    return failure();
  }
};

/// linalg.reduce -> linalg.generic: elementwise fusion fuses producers into
/// generics only.
struct GeneralizeReduce : OpRewritePattern<linalg::ReduceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::ReduceOp op, PatternRewriter &rewriter) const override {
    return linalg::generalizeNamedOp(rewriter, op);
  }
};

} // namespace

bool isUnitDimExpansionOfReduction(OpOperand *fused) {
  auto expand = dyn_cast<tensor::ExpandShapeOp>(fused->getOwner());
  if (!expand || getInsertedUnitDims(expand).empty())
    return false;
  auto producer = expand.getSrc().getDefiningOp<linalg::LinalgOp>();
  return producer && producer.getNumReductionLoops() != 0;
}

void populateReadExpandSourcePatterns(RewritePatternSet &patterns) {
  patterns.add<ReadExpandSourceInConsumer>(patterns.getContext(), /*benefit=*/2);
  patterns.add<GeneralizeReduce>(patterns.getContext());
}

} // namespace thunder
