//===- NarrowMatmulResults.cpp - bf16/f16 products stored in their own type ===//
//
// thunder-cuda-narrow-matmul-results. The lowering accumulates a bf16/f16
// matrix product in float32 and rounds where the result is used: every
// consumer reads the f32 result only through `arith.truncf` to the operands'
// type (a Linear layer's bias add, a residual add). cuBLASLt can round its
// f32 accumulator itself, so the product becomes one with a result of the
// operands' type and its consumers read that directly: the same values bit
// for bit, with half the bytes written and read, and no f32 temporary.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDANARROWMATMULRESULTS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

/// Whether every use of `result` is a linalg.generic input whose block
/// argument is only rounded to `narrow`.
bool isOnlyReadRounded(Value result, Type narrow) {
  for (OpOperand &use : result.getUses()) {
    auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
    if (!generic || !generic.isDpsInput(&use))
      return false;
    for (Operation *user : generic.getMatchingBlockArgument(&use).getUsers()) {
      auto trunc = dyn_cast<arith::TruncFOp>(user);
      if (!trunc || trunc.getType() != narrow)
        return false;
    }
  }
  return true;
}

struct NarrowMatmulResult : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op, PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        !linalg::isaContractionOpInterface(op) || !isMulAddBody(op))
      return failure();
    Type ta = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
    Type tb = getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType());
    auto initType = cast<RankedTensorType>(op.getDpsInitOperand(0)->get().getType());
    if (ta != tb || !(ta.isBF16() || ta.isF16()) || !initType.getElementType().isF32())
      return failure();
    // Only a product that starts from zero: a non-zero start would round.
    auto fill = op.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>();
    if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
      return failure();
    Value result = op->getResult(0);
    if (result.use_empty() || !isOnlyReadRounded(result, ta))
      return failure();

    Location loc = op.getLoc();
    Value empty = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, op.getDpsInitOperand(0)->get()), ta);
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(ta));
    Value init = linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    // A plain multiply-add in the narrow type: what the library call runs
    // (accumulating in f32, rounding once).
    auto narrowed = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, op.getDpsInputs(), ValueRange{init},
        op.getIndexingMapsArray(), op.getIteratorTypesArray(),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l, ValueRange{arith::AddFOp::create(b, l, args[2], product)});
        });
    Value narrow = narrowed.getResult(0);
    for (OpOperand &use : llvm::make_early_inc_range(result.getUses())) {
      auto generic = cast<linalg::GenericOp>(use.getOwner());
      rewriter.modifyOpInPlace(generic, [&] {
        BlockArgument arg = generic.getMatchingBlockArgument(&use);
        use.set(narrow);
        arg.setType(ta);
        for (Operation *trunc : llvm::make_early_inc_range(arg.getUsers())) {
          trunc->getResult(0).replaceAllUsesWith(arg);
          trunc->erase();
        }
      });
    }
    rewriter.eraseOp(op);
    return success();
  }
};

struct CUDANarrowMatmulResultsPass
    : impl::CUDANarrowMatmulResultsBase<CUDANarrowMatmulResultsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<NarrowMatmulResult>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace thunder::cuda
