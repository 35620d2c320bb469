//===- FoldMatmulOperands.cpp - transposes/broadcasts into matmul maps ----===//
//
// thunder-cuda-fold-matmul-operands: `matmul(x, transpose(w))` (a Linear
// layer) and `batch_matmul(x, broadcast(w))` (a Linear layer on a 3-D input,
// once the importer broadcast the weight over the batch) read `w` through the
// composed map instead, so that the library call gets a transpose flag and a
// zero batch stride rather than a copy.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDAFOLDMATMULOPERANDS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

/// When `op` only moves its single input (all-parallel, identity output map,
/// input map a projected permutation: a transpose, a broadcast or both, body
/// `yield %in`), returns the input's map: result[d] = input[map(d)].
std::optional<AffineMap> getDataMovementMap(linalg::LinalgOp op) {
  if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || !op.isAllParallelLoops())
    return std::nullopt;
  OpOperand *in = op.getDpsInputOperand(0);
  OpOperand *out = op.getDpsInitOperand(0);
  if (!isa<RankedTensorType>(in->get().getType()))
    return std::nullopt;
  AffineMap inMap = op.getMatchingIndexingMap(in);
  if (!op.getMatchingIndexingMap(out).isIdentity() || !inMap.isProjectedPermutation())
    return std::nullopt;
  Block *body = op.getBlock();
  if (!llvm::hasSingleElement(*body))
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield.getNumOperands() != 1 || yield.getOperand(0) != op.getMatchingBlockArgument(in))
    return std::nullopt;
  return inMap;
}

struct FoldIntoContraction : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op, PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        !linalg::isaContractionOpInterface(op))
      return failure();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<Value> inputs = op.getDpsInputs();
    bool changed = false;
    for (unsigned i = 0; i < 2; ++i) {
      auto producer = inputs[i].getDefiningOp<linalg::LinalgOp>();
      std::optional<AffineMap> map = getDataMovementMap(producer);
      if (!map)
        continue;
      inputs[i] = producer.getDpsInputOperand(0)->get();
      maps[i] = map->compose(maps[i]);
      changed = true;
    }
    if (!changed)
      return failure();
    auto generic = linalg::GenericOp::create(rewriter, op.getLoc(), op->getResultTypes(), inputs,
                                             op.getDpsInits(), maps, op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op->getRegion(0), generic.getRegion(), generic.getRegion().end());
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

struct CUDAFoldMatmulOperandsPass
    : impl::CUDAFoldMatmulOperandsBase<CUDAFoldMatmulOperandsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoContraction>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace thunder::cuda
