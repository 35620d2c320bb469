//===- FuseElementwise.cpp - thunder-fuse-elementwise ----------------------===//
//
// Upstream's elementwise fusion (linalg-fuse-elementwise-ops) with one more
// kind of producer allowed: besides a producer with a single use, a cheap one
// (no math op, a few payload ops, all loops parallel) is fused into each of
// its consumers. Recomputing a splat, a broadcast or a compare-and-select per
// consumer costs a few instructions; materialising it costs a write and a read
// of the whole iteration space.
//
//===----------------------------------------------------------------------===//
#include "thunder/Transforms/Passes.h"

#include "UnitDimOperands.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace thunder {
#define GEN_PASS_DEF_THUNDERFUSEELEMENTWISE
#include "thunder/Transforms/Passes.h.inc"
} // namespace thunder

using namespace mlir;

namespace thunder {
namespace {

/// Whether `producer` is cheap enough to compute once per consumer.
bool isCheapToDuplicate(Operation *producer, unsigned maxOps) {
  auto generic = dyn_cast<linalg::GenericOp>(producer);
  if (!generic || generic.getNumReductionLoops() != 0)
    return false;
  unsigned ops = 0;
  for (Operation &op : generic.getBody()->without_terminator()) {
    if (isa<math::MathDialect>(op.getDialect()) || op.getNumRegions() != 0)
      return false;
    if (!isa<arith::ConstantOp, linalg::IndexOp>(op))
      ++ops;
  }
  return ops <= maxOps;
}

struct ThunderFuseElementwisePass
    : impl::ThunderFuseElementwiseBase<ThunderFuseElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    Operation *op = getOperation();
    MLIRContext *context = op->getContext();
    unsigned maxOps = maxDuplicatedOps;
    linalg::ControlFusionFn control = [maxOps](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && (producer->hasOneUse() || isCheapToDuplicate(producer, maxOps));
    };
    // Reshape propagation keeps upstream's single-use rule: expanding a
    // producer for one consumer must not copy it.
    linalg::ControlFusionFn singleUse = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse() && !isUnitDimExpansionOfReduction(fused);
    };
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, singleUse);
    populateReadExpandSourcePatterns(patterns);
    // powf(x, 3.0) -> x * x * x (GELU's tanh form) and the like, in payloads.
    populateMathAlgebraicSimplificationPatterns(patterns);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, singleUse);
    // Top-down, as upstream, for compile time.
    if (failed(applyPatternsGreedily(op, std::move(patterns),
                                     GreedyRewriteConfig().setUseTopDownTraversal())))
      signalPassFailure();
  }
};

} // namespace
} // namespace thunder
