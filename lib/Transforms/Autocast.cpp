//===- Autocast.cpp - thunder-autocast: products in bf16/f16 ---------------===//
//
// torch.autocast for a float32 export: the ops autocast runs in the low
// precision type (matrix products, convolutions, attention) read their
// operands rounded to it; the rest of the program stays float32. One pattern
// per op kind; each rewrites only float32 ops, so the pass is idempotent.
//
//===----------------------------------------------------------------------===//
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"
#include "thunder/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace thunder {

#define GEN_PASS_DEF_THUNDERAUTOCAST
#include "thunder/Transforms/Passes.h.inc"

namespace {

bool isF32Tensor(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType().isF32();
}

Value convertTo(PatternRewriter &rewriter, Location loc, Value v, Type elementType) {
  auto type = cast<RankedTensorType>(v.getType());
  return ConvertOp::create(rewriter, loc, type.clone(elementType), v);
}

/// f32 x f32 -> f32 becomes low x low -> f32: the f32 accumulator is the
/// result, as a tensor-core GEMM produces it.
struct AutocastMatmul : OpRewritePattern<MatmulOp> {
  AutocastMatmul(MLIRContext *ctx, Type low) : OpRewritePattern(ctx), low(low) {}
  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op.getLhs()) || !isF32Tensor(op.getRhs()))
      return failure();
    Location loc = op.getLoc();
    Value a = convertTo(rewriter, loc, op.getLhs(), low);
    Value b = convertTo(rewriter, loc, op.getRhs(), low);
    rewriter.replaceOpWithNewOp<MatmulOp>(op, op.getType(), a, b);
    return success();
  }
  Type low;
};

/// A convolution in the low type, its result widened back.
struct AutocastConvolution : OpRewritePattern<ConvolutionOp> {
  AutocastConvolution(MLIRContext *ctx, Type low) : OpRewritePattern(ctx), low(low) {}
  LogicalResult matchAndRewrite(ConvolutionOp op, PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op.getInput()))
      return failure();
    Location loc = op.getLoc();
    auto conv = ConvolutionOp::create(
        rewriter, loc, cast<RankedTensorType>(op.getType()).clone(low),
        convertTo(rewriter, loc, op.getInput(), low), convertTo(rewriter, loc, op.getWeight(), low),
        op.getStrideAttr(), op.getPaddingLowAttr(), op.getPaddingHighAttr(), op.getDilationAttr(),
        op.getLhsDilationAttr(), op.getGroupsAttr());
    rewriter.replaceOp(op, convertTo(rewriter, loc, conv, rewriter.getF32Type()));
    return success();
  }
  Type low;
};

/// Attention on low q/k/v (an additive mask stays f32: the decomposition
/// and the fused kernels add it in f32), its result widened back.
struct AutocastAttention : OpRewritePattern<AttentionOp> {
  AutocastAttention(MLIRContext *ctx, Type low) : OpRewritePattern(ctx), low(low) {}
  LogicalResult matchAndRewrite(AttentionOp op, PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op.getQuery()))
      return failure();
    Location loc = op.getLoc();
    auto attention = AttentionOp::create(
        rewriter, loc, cast<RankedTensorType>(op.getType()).clone(low),
        convertTo(rewriter, loc, op.getQuery(), low), convertTo(rewriter, loc, op.getKey(), low),
        convertTo(rewriter, loc, op.getValue(), low), op.getMask(), op.getScaleAttr(),
        op.getIsCausalAttr());
    rewriter.replaceOp(op, convertTo(rewriter, loc, attention, rewriter.getF32Type()));
    return success();
  }
  Type low;
};

struct ThunderAutocastPass : impl::ThunderAutocastBase<ThunderAutocastPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    Type low;
    if (dtype == "bf16")
      low = BFloat16Type::get(ctx);
    else if (dtype == "f16")
      low = Float16Type::get(ctx);
    else {
      getOperation()->emitError() << "thunder-autocast: dtype must be bf16 or f16, got '"
                                  << dtype << "'";
      return signalPassFailure();
    }
    RewritePatternSet patterns(ctx);
    patterns.add<AutocastMatmul, AutocastConvolution, AutocastAttention>(ctx, low);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace thunder
