//===- Autocast.cpp - thunder-autocast: products in bf16/f16 ---------------===//
//
// torch.autocast for a float32 export: the ops autocast runs in the low
// precision type (matrix products, convolutions, attention) read their
// operands rounded to it; the rest of the program stays float32. One pattern
// per op kind on a shared base; each rewrites only float32 ops, so the pass is
// idempotent.
//
//===----------------------------------------------------------------------===//
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"
#include "thunder/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
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

/// Rewrites a float32 `OpT` (its first operand f32) into `Derived::build`'s
/// low-precision form; a low result is widened back to float32.
template <typename OpT, typename Derived>
struct AutocastPattern : OpRewritePattern<OpT> {
  AutocastPattern(MLIRContext *ctx, Type low) : OpRewritePattern<OpT>(ctx), low(low) {}
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rewriter) const override {
    if (!isF32Tensor(op->getOperand(0)))
      return failure();
    Location loc = op.getLoc();
    auto toLow = [&](Value v) { return convertTo(rewriter, loc, v, low); };
    Value result = static_cast<const Derived *>(this)->build(op, rewriter, toLow);
    if (!isF32Tensor(result))
      result = convertTo(rewriter, loc, result, rewriter.getF32Type());
    rewriter.replaceOp(op, result);
    return success();
  }
  Type low;
};

using Cast = llvm::function_ref<Value(Value)>;

/// f32 x f32 -> f32 becomes low x low -> f32: the f32 accumulator is the
/// result, as a tensor-core GEMM produces it.
struct AutocastMatmul : AutocastPattern<MatmulOp, AutocastMatmul> {
  using AutocastPattern::AutocastPattern;
  Value build(MatmulOp op, PatternRewriter &rewriter, Cast toLow) const {
    Value lhs = toLow(op.getLhs()), rhs = toLow(op.getRhs()); // in operand order
    return MatmulOp::create(rewriter, op.getLoc(), op.getType(), lhs, rhs);
  }
};

/// A convolution in the low type.
struct AutocastConvolution : AutocastPattern<ConvolutionOp, AutocastConvolution> {
  using AutocastPattern::AutocastPattern;
  Value build(ConvolutionOp op, PatternRewriter &rewriter, Cast toLow) const {
    Value input = toLow(op.getInput()), weight = toLow(op.getWeight());
    return ConvolutionOp::create(
        rewriter, op.getLoc(),
        cast<RankedTensorType>(op.getType()).clone(getElementTypeOrSelf(input.getType())), input,
        weight, op.getStrideAttr(), op.getPaddingLowAttr(),
        op.getPaddingHighAttr(), op.getDilationAttr(), op.getLhsDilationAttr(), op.getGroupsAttr());
  }
};

/// Attention on low q/k/v (an additive mask stays f32: the decomposition
/// and the fused kernels add it in f32).
struct AutocastAttention : AutocastPattern<AttentionOp, AutocastAttention> {
  using AutocastPattern::AutocastPattern;
  Value build(AttentionOp op, PatternRewriter &rewriter, Cast toLow) const {
    Value q = toLow(op.getQuery()), k = toLow(op.getKey()), v = toLow(op.getValue());
    return AttentionOp::create(
        rewriter, op.getLoc(),
        cast<RankedTensorType>(op.getType()).clone(getElementTypeOrSelf(q.getType())), q, k, v,
        op.getMask(), op.getScaleAttr(),
        op.getIsCausalAttr());
  }
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
