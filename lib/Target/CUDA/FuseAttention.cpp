//===- FuseAttention.cpp - attention -> the fused, destination-style ops ---===//
//
// thunder-cuda-fuse-attention: on thunder ops, before thunder-decompose, a
// thunder.attention / attention_grad that the runtime's fused kernels take
// (runtime/cuda/attention) becomes thunder.fused_attention / _grad writing
// into tensor.empty outputs; the rest is decomposed as on every target.
// Keys and values repeated over the query heads of a group (GQA models'
// repeat_kv: broadcast_in_dim to [B, Hkv, G, S, E], reshape to
// [B, Hkv*G, S, E]) are read unrepeated by the forward: the kernels map query
// head h to KV head h / G. A mask broadcast over leading or extent-1 dims is
// read unbroadcast (zero strides). The gradient keeps them repeated (its results are
// the repeated heads' gradients, which the repeat's VJP sums).
//
// Also the bufferization of the fused ops (destination style: outputs are
// written, not read; results alias their outputs), registered with the
// target's dialects (registerFusedAttentionInterfaces).
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDAFUSEATTENTION
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

constexpr int64_t kMaxHeadDim = 128;

/// Whether the fused kernels take q, k, v (and the mask) as they are.
bool supported(Value q, Value k, Value v, Value mask) {
  auto qt = cast<RankedTensorType>(q.getType());
  auto kt = cast<RankedTensorType>(k.getType());
  auto vt = cast<RankedTensorType>(v.getType());
  Type e = qt.getElementType();
  if (!(e.isF32() || e.isF16() || e.isBF16()) || kt.getElementType() != e ||
      vt.getElementType() != e)
    return false;
  if (qt.getRank() != 4 || kt.getRank() != 4 || vt.getRank() != 4)
    return false;
  int64_t d = qt.getDimSize(3);
  if (ShapedType::isDynamic(d) || d > kMaxHeadDim || kt.getDimSize(3) != d ||
      vt.getDimSize(3) != d)
    return false;
  if (mask) {
    Type m = cast<RankedTensorType>(mask.getType()).getElementType();
    if (!(m.isF32() || m.isF16() || m.isBF16() || m.isInteger(1)))
      return false;
  }
  return true;
}

/// `x` when it repeats the KV heads of x0 [B, Hkv, S, E] G times (GQA's
/// repeat_kv): `reshape(broadcast_in_dim(y))` to [B, Hkv*G, S, E] where the
/// broadcast makes [B, Hkv, G, S, E] either from x0 (dims [0, 1, 3, 4]) or
/// from [B, Hkv, 1, S, E] (dims [0..4]), itself a reshape of x0. Static
/// shapes only; x otherwise.
Value unrepeated(Value x) {
  auto reshape = x.getDefiningOp<ReshapeOp>();
  if (!reshape)
    return x;
  auto bcast = reshape.getOperand().getDefiningOp<BroadcastInDimOp>();
  if (!bcast)
    return x;
  auto bt = cast<RankedTensorType>(bcast.getType());
  auto rt = cast<RankedTensorType>(reshape.getType());
  if (bt.getRank() != 5 || !bt.hasStaticShape() || !rt.hasStaticShape())
    return x;
  ArrayRef<int64_t> b = bt.getShape(), r = rt.getShape();
  if (r[0] != b[0] || r[1] != b[1] * b[2] || r[2] != b[3] || r[3] != b[4])
    return x;
  Value src = bcast.getOperand();
  auto st = cast<RankedTensorType>(src.getType());
  if (st.getRank() == 5) {
    // [B, Hkv, 1, S, E] from a reshape of [B, Hkv, S, E].
    if (bcast.getDims() != ArrayRef<int64_t>{0, 1, 2, 3, 4} || st.getShape()[2] != 1)
      return x;
    auto inner = src.getDefiningOp<ReshapeOp>();
    if (!inner)
      return x;
    src = inner.getOperand();
    st = cast<RankedTensorType>(src.getType());
  } else if (bcast.getDims() != ArrayRef<int64_t>{0, 1, 3, 4}) {
    return x;
  }
  if (st.getRank() != 4 || !st.hasStaticShape())
    return x;
  ArrayRef<int64_t> s = st.getShape();
  if (s[0] != b[0] || s[1] != b[1] || s[2] != b[3] || s[3] != b[4])
    return x;
  return src;
}

/// `mask` without a broadcast_in_dim that only adds leading dims or expands
/// extent-1 dims (HF's [B, 1, L, S] masks expanded over the heads): the
/// kernels broadcast through zero strides instead of reading a copy.
Value unbroadcastMask(Value mask) {
  if (!mask)
    return mask;
  auto bcast = mask.getDefiningOp<BroadcastInDimOp>();
  if (!bcast)
    return mask;
  auto st = cast<RankedTensorType>(bcast.getOperand().getType());
  auto rt = cast<RankedTensorType>(bcast.getType());
  int64_t offset = rt.getRank() - st.getRank();
  for (auto [i, d] : llvm::enumerate(bcast.getDims())) {
    int64_t extent = st.getDimSize(i);
    if (d != offset + static_cast<int64_t>(i) ||
        (extent != 1 && (ShapedType::isDynamic(extent) || extent != rt.getDimSize(d))))
      return mask;
  }
  return bcast.getOperand();
}

/// An empty tensor of `type` whose dynamic extents are those of `like` (an
/// operand of the same shape).
Value emptyLike(PatternRewriter &rewriter, Location loc, Type type, Value like) {
  auto t = cast<RankedTensorType>(type);
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (t.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, like, i));
  return tensor::EmptyOp::create(rewriter, loc, t.getShape(), t.getElementType(), sizes);
}

struct FuseAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op, PatternRewriter &rewriter) const override {
    Value q = op.getQuery(), k = unrepeated(op.getKey()), v = unrepeated(op.getValue());
    if (k.getType() != v.getType())
      k = op.getKey(), v = op.getValue();
    if (!supported(q, k, v, op.getMask()))
      return rewriter.notifyMatchFailure(op, "not taken by the fused kernels");
    Location loc = op.getLoc();
    Value out = emptyLike(rewriter, loc, op.getType(), q);
    auto fused = FusedAttentionOp::create(rewriter, loc, TypeRange{out.getType()}, q, k, v,
                                          unbroadcastMask(op.getMask()), ValueRange{out},
                                          op.getScaleAttr(),
                                          op.getIsCausalAttr());
    rewriter.replaceOp(op, fused.getResults());
    return success();
  }
};

struct FuseAttentionGrad : OpRewritePattern<AttentionGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionGradOp op, PatternRewriter &rewriter) const override {
    Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
    if (!supported(q, k, v, op.getMask()))
      return rewriter.notifyMatchFailure(op, "not taken by the fused kernels");
    Location loc = op.getLoc();
    // Repeated keys/values stay repeated here: the gradient of each repeated
    // head is this op's result (the repeat's VJP sums them).
    SmallVector<Value> outs = {emptyLike(rewriter, loc, q.getType(), q),
                               emptyLike(rewriter, loc, k.getType(), k),
                               emptyLike(rewriter, loc, v.getType(), v)};
    auto fused = FusedAttentionGradOp::create(
        rewriter, loc, TypeRange{outs[0].getType(), outs[1].getType(), outs[2].getType()}, q, k,
        v, unbroadcastMask(op.getMask()), op.getGradOutput(), ValueRange(outs), op.getScaleAttr(),
        op.getIsCausalAttr());
    rewriter.replaceOp(op, fused.getResults());
    return success();
  }
};

struct CUDAFuseAttentionPass : impl::CUDAFuseAttentionBase<CUDAFuseAttentionPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttention>(&getContext());
    if (backward)
      patterns.add<FuseAttentionGrad>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

/// The op on buffers (no results) with `operands` in the original's order.
void rebuild(RewriterBase &rewriter, FusedAttentionOp op, ArrayRef<Value> operands) {
  bool masked = op.getMask() != nullptr;
  FusedAttentionOp::create(rewriter, op.getLoc(), TypeRange{}, operands[0], operands[1],
                           operands[2], masked ? operands[3] : Value(),
                           operands.drop_front(masked ? 4 : 3), op.getScaleAttr(),
                           op.getIsCausalAttr());
}
void rebuild(RewriterBase &rewriter, FusedAttentionGradOp op, ArrayRef<Value> operands) {
  bool masked = op.getMask() != nullptr;
  size_t g = masked ? 4 : 3;
  FusedAttentionGradOp::create(rewriter, op.getLoc(), TypeRange{}, operands[0], operands[1],
                               operands[2], masked ? operands[3] : Value(), operands[g],
                               operands.drop_front(g + 1), op.getScaleAttr(),
                               op.getIsCausalAttr());
}

/// Destination style: outputs are written without being read; each tensor
/// result is its output's buffer.
template <typename OpTy>
struct FusedAttentionBufferization
    : bufferization::DstBufferizableOpInterfaceExternalModel<FusedAttentionBufferization<OpTy>,
                                                             OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const bufferization::AnalysisState &) const {
    return !cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (Value operand : op->getOperands()) {
      FailureOr<Value> buffer = bufferization::getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    auto dst = cast<DestinationStyleOpInterface>(op);
    SmallVector<Value> outputs;
    for (OpOperand &init : dst.getDpsInitsMutable())
      outputs.push_back(buffers[init.getOperandNumber()]);
    rewriter.setInsertionPoint(op);
    rebuild(rewriter, cast<OpTy>(op), buffers);
    bufferization::replaceOpWithBufferizedValues(rewriter, op, outputs);
    return success();
  }
};

} // namespace

void registerFusedAttentionInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, ThunderDialect *) {
    FusedAttentionOp::attachInterface<FusedAttentionBufferization<FusedAttentionOp>>(*ctx);
    FusedAttentionGradOp::attachInterface<FusedAttentionBufferization<FusedAttentionGradOp>>(
        *ctx);
  });
}

} // namespace thunder::cuda
