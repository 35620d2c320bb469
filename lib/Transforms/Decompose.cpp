//===- Decompose.cpp - thunder-decompose: composite ops -> primitives -----===//
//
// thunder.attention -> permute/matmul/mul/select-or-add/reduce/exp/div/matmul
// on thunder ops (docs/lowering.md); thunder.attention_grad -> the VJP rule's
// recompute formula (autodiff::buildAttentionGradient). A C++ pattern rather than DRR: the
// expansion depends on the rank (the key permutation, the reduced dim), the
// optional mask's type and rank, and needs the dynamic extents of q/k/v for
// every shape-creating op.
//
//===----------------------------------------------------------------------===//
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"
#include "thunder/Transforms/Passes.h"
#include "thunder/Autodiff/AttentionGradient.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace thunder {

#define GEN_PASS_DEF_THUNDERDECOMPOSE
#include "thunder/Transforms/Passes.h.inc"

namespace {

/// Builds thunder ops over one result shape `[batch..., L, S]` whose dynamic
/// extents are known.
struct ShapeBuilder {
  PatternRewriter &rewriter;
  Location loc;
  RankedTensorType shape; // element type irrelevant
  SmallVector<Value> dynamicSizes;

  RankedTensorType typeOf(Type elementType) const {
    return RankedTensorType(shape).clone(elementType);
  }

  /// A rank-0 constant broadcast to the shape.
  Value splat(Type elementType, Attribute value) const {
    auto scalarType = RankedTensorType::get({}, elementType);
    Value scalar = ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(scalarType, value));
    return BroadcastInDimOp::create(rewriter, loc, typeOf(elementType), scalar,
                                    dynamicSizes, ArrayRef<int64_t>{});
  }

  /// Broadcasts `value` (rank <= shape rank, numpy right-aligned, extents 1
  /// or equal) to the shape.
  Value broadcast(Value value) const {
    auto type = cast<RankedTensorType>(value.getType());
    RankedTensorType target = typeOf(type.getElementType());
    if (type == target)
      return value;
    SmallVector<int64_t> dims;
    for (int64_t i = 0; i < type.getRank(); ++i)
      dims.push_back(shape.getRank() - type.getRank() + i);
    return BroadcastInDimOp::create(rewriter, loc, target, value, dynamicSizes,
                                    dims);
  }
};

/// softmax(q @ k^T * scale + mask) @ v, with a causal mask for is_causal.
/// Fully masked rows give 0 (PyTorch's _safe_softmax). f16/bf16: products
/// on the narrow type with f32 results, softmax in f32, rounded at the end.
struct DecomposeAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
    auto qType = cast<RankedTensorType>(q.getType());
    auto kType = cast<RankedTensorType>(k.getType());
    auto vType = cast<RankedTensorType>(v.getType());
    int64_t rank = qType.getRank();
    Type elementType = op.getType().getElementType();
    Type computeType = elementType.getIntOrFloatBitWidth() < 32
                           ? Type(rewriter.getF32Type())
                           : elementType;
    auto toCompute = [&](Value x) -> Value {
      auto t = cast<RankedTensorType>(x.getType());
      if (t.getElementType() == computeType)
        return x;
      return ConvertOp::create(rewriter, loc, t.clone(computeType), x);
    };
    // f16/bf16: both products read the narrow operands and accumulate in
    // f32 (tensor cores); the scores and the softmax are f32, the
    // probabilities are rounded to the input type for the second product, as
    // flash attention does.
    bool narrow = computeType != elementType;

    // scores: [batch..., L, S]; batch and L from q, S from k.
    SmallVector<int64_t> scoresShape(qType.getShape().drop_back());
    scoresShape.push_back(kType.getDimSize(rank - 2));
    ShapeBuilder sb{rewriter, loc,
                    RankedTensorType::get(scoresShape, computeType), {}};
    for (int64_t i = 0; i < rank; ++i) {
      if (!ShapedType::isDynamic(scoresShape[i]))
        continue;
      Value source = i == rank - 1 ? k : q;
      int64_t dim = i == rank - 1 ? rank - 2 : i;
      sb.dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, source, dim));
    }
    RankedTensorType scoresType = sb.typeOf(computeType);

    SmallVector<int64_t> perm;
    for (int64_t i = 0; i < rank - 2; ++i)
      perm.push_back(i);
    perm.push_back(rank - 1);
    perm.push_back(rank - 2);
    Value kT = PermuteOp::create(rewriter, loc, k, perm);
    Value scores = MatmulOp::create(rewriter, loc, scoresType, q, kT);
    scores = MulOp::create(
        rewriter, loc, scores,
        sb.splat(computeType, rewriter.getFloatAttr(computeType,
                                                    op.getScale().convertToDouble())));

    auto floatType = cast<FloatType>(computeType);
    Attribute negInf = rewriter.getFloatAttr(
        computeType, APFloat::getInf(floatType.getFloatSemantics(), true));
    bool masked = false;
    Value negInfFull; // built once, shared by the masks and the row check
    auto negInfScores = [&] {
      if (!negInfFull)
        negInfFull = sb.splat(computeType, negInf);
      return negInfFull;
    };
    auto maskOut = [&](Value allowed) {
      scores = SelectOp::create(rewriter, loc, allowed, scores, negInfScores());
    };
    if (Value mask = op.getMask()) {
      auto maskType = cast<RankedTensorType>(mask.getType());
      Value full = sb.broadcast(mask);
      if (maskType.getElementType().isInteger(1))
        maskOut(full);
      else
        scores = AddOp::create(rewriter, loc, scores, toCompute(full));
      // A user mask (boolean, or additive -inf) can mask whole rows; the
      // causal one never does (column 0 is always attended).
      masked = true;
    }
    if (op.getIsCausal()) {
      // Row i attends to columns j <= i (top-left aligned, as PyTorch).
      int64_t l = scoresShape[rank - 2], s = scoresShape[rank - 1];
      auto square = RankedTensorType::get({l, s}, rewriter.getI64Type());
      SmallVector<Value> squareSizes;
      if (ShapedType::isDynamic(l))
        squareSizes.push_back(tensor::DimOp::create(rewriter, loc, q, rank - 2));
      if (ShapedType::isDynamic(s))
        squareSizes.push_back(tensor::DimOp::create(rewriter, loc, k, rank - 2));
      Value rows = IotaOp::create(rewriter, loc, square, squareSizes, 0);
      Value cols = IotaOp::create(rewriter, loc, square, squareSizes, 1);
      Value allowed = CompareOp::create(rewriter, loc, CompareDirection::GE,
                                        rows, cols);
      maskOut(sb.broadcast(allowed));
    }

    // Softmax along S, max-subtracted.
    SmallVector<int64_t> rowShape(scoresShape);
    rowShape.back() = 1;
    auto rowType = RankedTensorType::get(rowShape, computeType);
    int64_t last = rank - 1;
    Value rowMax = ReduceMaxOp::create(rewriter, loc, rowType, scores,
                                       ArrayRef<int64_t>{last}, true);
    Value rowMaxFull = sb.broadcast(rowMax);
    Value e = ExpOp::create(rewriter, loc,
                            SubOp::create(rewriter, loc, scores, rowMaxFull));
    Value rowSum = ReduceSumOp::create(rewriter, loc, rowType, e,
                                       ArrayRef<int64_t>{last}, true);
    Value probs = DivOp::create(rewriter, loc, e, sb.broadcast(rowSum));
    if (masked) {
      Value emptyRow = CompareOp::create(rewriter, loc, CompareDirection::EQ,
                                         rowMaxFull, negInfScores());
      probs = SelectOp::create(rewriter, loc, emptyRow,
                               sb.splat(computeType,
                                        rewriter.getFloatAttr(computeType, 0.0)),
                               probs);
    }

    SmallVector<int64_t> outShape(scoresShape.begin(), scoresShape.end() - 1);
    outShape.push_back(vType.getDimSize(rank - 1));
    if (narrow)
      probs = ConvertOp::create(
          rewriter, loc,
          cast<RankedTensorType>(probs.getType()).clone(elementType), probs);
    Value out = MatmulOp::create(
        rewriter, loc, RankedTensorType::get(outShape, computeType), probs, v);
    auto resultType = cast<RankedTensorType>(op.getType());
    if (computeType != elementType)
      out = ConvertOp::create(rewriter, loc,
                              cast<RankedTensorType>(out.getType()).clone(elementType),
                              out);
    if (out.getType() != resultType)
      out = tensor::CastOp::create(rewriter, loc, resultType, out);
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// A VJPBuilder over values at the rewriter's point (no forward/backward split).
struct DirectBuilder : autodiff::VJPBuilder {
  using VJPBuilder::VJPBuilder;
  Value primal(Value v) override { return v; }
  bool wants(Value) override { return true; }
  Value dim(Value v, int64_t i) override { return tensor::DimOp::create(*this, v, i); }
};

/// The gradients that are used (dead ones are not built).
struct DecomposeAttentionGrad : OpRewritePattern<AttentionGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionGradOp op,
                                PatternRewriter &rewriter) const override {
    DirectBuilder b(op.getLoc(), rewriter);
    autodiff::AttentionGradInputs in;
    in.query = op.getQuery();
    in.key = op.getKey();
    in.value = op.getValue();
    in.mask = op.getMask();
    in.gradOutput = op.getGradOutput();
    in.scale = op.getScale().convertToDouble();
    in.isCausal = op.getIsCausal();
    in.wantQuery = !op.getGradQuery().use_empty();
    in.wantKey = !op.getGradKey().use_empty();
    in.wantValue = !op.getGradValue().use_empty();
    Value out[4];
    autodiff::buildAttentionGradient(b, in, out);
    // An unused result still needs a value of its type.
    Value like[3] = {in.query, in.key, in.value};
    SmallVector<Value> results;
    for (int i = 0; i < 3; ++i)
      results.push_back(out[i] ? out[i] : b.zerosFor(like[i]));
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct ThunderDecomposePass
    : impl::ThunderDecomposeBase<ThunderDecomposePass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateThunderDecomposePatterns(patterns, keepAttention);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void populateThunderDecomposePatterns(RewritePatternSet &patterns,
                                      bool keepAttention) {
  if (!keepAttention)
    patterns.add<DecomposeAttention>(patterns.getContext());
  patterns.add<DecomposeAttentionGrad>(patterns.getContext());
}

} // namespace thunder
