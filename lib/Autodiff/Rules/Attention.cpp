//===- Attention.cpp - VJP rule of thunder.attention ----------------------===//
//
// Flash-attention style: forward saves (or recomputes) q, k, v, not the
// L x S probabilities; the rule recomputes P = softmax(q k^T scale + mask)
// and builds
//   dV = P^T dO,  dP = dO V^T,  dS = P * (dP - rowsum(dP * P)),
//   dQ = dS K scale,  dK = dS^T Q scale,  dMask (float mask) = dS.
// Rows that are masked out entirely have P = 0 (PyTorch's _safe_softmax).
// f16/bf16 attention is differentiated in f32 and rounded at the end.
// Unless the mask needs a gradient, the rule emits thunder.attention_grad,
// which thunder-decompose expands with this formula (buildAttentionGradient)
// and the CUDA target runs as a fused kernel.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"
#include "thunder/Autodiff/AttentionGradient.h"

#include <cmath>

using namespace mlir;

namespace thunder::autodiff {

void buildAttentionGradient(VJPBuilder &b, const AttentionGradInputs &in,
                            MutableArrayRef<Value> out) {
  Type elementType = cast<RankedTensorType>(in.query.getType()).getElementType();
  Type computeType = elementType.getIntOrFloatBitWidth() < 32
                         ? Type(b.getF32Type())
                         : elementType;
  auto up = [&](Value v) { return b.convert(v, computeType); };
  Value q = up(in.query), k = up(in.key), v = up(in.value), dO = up(in.gradOutput);
  double scale = in.scale;
  int64_t rank = cast<RankedTensorType>(q.getType()).getRank();
  int64_t lastDim = rank - 1;

  Value s = b.scale(b.matmul(q, b.transposeLast2(k)), scale); // [..., L, S]
  auto sType = cast<RankedTensorType>(s.getType());
  SmallVector<Value> sSizes = b.dynamicSizesOf(s);
  SmallVector<int64_t> identity = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  Value negInf = b.splatLike(s, -INFINITY);

  // The mask, broadcast to [..., L, S] (numpy alignment).
  Value mask = in.mask;
  RankedTensorType maskType;
  if (mask) {
    maskType = cast<RankedTensorType>(mask.getType());
    Value m = mask;
    int64_t maskRank = maskType.getRank();
    SmallVector<int64_t> dims =
        llvm::to_vector(llvm::seq<int64_t>(rank - maskRank, rank));
    auto full = sType.clone(maskType.getElementType());
    if (maskType != full)
      m = b.broadcastInDim(m, full, dims, sSizes);
    if (maskType.getElementType().isInteger(1))
      s = b.select(m, s, negInf);
    else
      s = b.add(s, up(m));
  }
  if (in.isCausal) {
    auto indexType = sType.clone(b.getI64Type());
    Value row = IotaOp::create(b, indexType, sSizes, rank - 2);
    Value col = IotaOp::create(b, indexType, sSizes, lastDim);
    s = b.select(b.compare(CompareDirection::GE, row, col), s, negInf);
  }

  // P = softmax(s) along the last dim, 0 on fully masked rows.
  SmallVector<int64_t> rowShape(sType.getShape());
  rowShape.back() = 1;
  auto rowType = sType.clone(rowShape);
  auto rowwise = [&](Value row) {
    return b.broadcastInDim(row, sType, identity, sSizes);
  };
  Value max = ReduceMaxOp::create(b, rowType, s, ArrayRef<int64_t>{lastDim},
                                  /*keepdim=*/true);
  Value rowZero = b.splatLike(max, 0.0);
  max = b.select(
      b.compare(CompareDirection::EQ, max, b.splatLike(max, -INFINITY)),
      rowZero, max);
  Value e = ExpOp::create(b, b.sub(s, rowwise(max)));
  Value z = b.reduceSum(e, {lastDim}, /*keepdim=*/true);
  Value safeZ = b.select(b.compare(CompareDirection::EQ, z, rowZero),
                         b.splatLike(z, 1.0), z);
  Value p = b.div(e, rowwise(safeZ));

  auto down = [&](Value grad, Value like) {
    auto type = cast<RankedTensorType>(like.getType());
    return b.convert(grad, type.getElementType());
  };
  if (in.wantValue)
    out[2] = down(b.matmul(b.transposeLast2(p), dO), in.value);
  if (!in.wantQuery && !in.wantKey && !(mask && in.wantMask))
    return;
  Value dP = b.matmul(dO, b.transposeLast2(v));
  Value rowDot = b.reduceSum(b.mul(dP, p), {lastDim}, /*keepdim=*/true);
  Value dS = b.mul(p, b.sub(dP, rowwise(rowDot)));
  if (in.wantQuery)
    out[0] = down(b.scale(b.matmul(dS, k), scale), in.query);
  if (in.wantKey)
    out[1] =
        down(b.scale(b.matmul(b.transposeLast2(dS), q), scale), in.key);
  if (mask && in.wantMask) {
    // Sum dS down to the mask's shape: its extent-1 dims, then the leading
    // dims it does not have.
    SmallVector<int64_t> ones, leading;
    int64_t offset = rank - maskType.getRank();
    for (int64_t i = 0; i < maskType.getRank(); ++i)
      if (maskType.getDimSize(i) == 1 && sType.getDimSize(offset + i) != 1)
        ones.push_back(offset + i);
    for (int64_t i = 0; i < offset; ++i)
      leading.push_back(i);
    Value dm = b.reduceSum(b.reduceSum(dS, ones, /*keepdim=*/true), leading);
    dm = b.reshape(dm, maskType.clone(computeType), b.dynamicSizesOf(mask));
    out[3] = down(dm, mask);
  }
}

namespace {

/// Without a mask gradient: one thunder.attention_grad (thunder-decompose
/// expands it with buildAttentionGradient; the CUDA target runs its fused
/// kernel). A float mask that needs a gradient gets the formula inline.
LogicalResult attentionRule(VJPBuilder &b, AttentionOp op, ArrayRef<Value> g,
                            MutableArrayRef<Value> out) {
  Value mask = op.getMask();
  AttentionGradInputs in;
  in.query = b.primal(op.getQuery());
  in.key = b.primal(op.getKey());
  in.value = b.primal(op.getValue());
  in.mask = mask ? b.primal(mask) : Value();
  in.gradOutput = g[0];
  in.scale = op.getScale().convertToDouble();
  in.isCausal = op.getIsCausal();
  in.wantQuery = b.wants(op.getQuery());
  in.wantKey = b.wants(op.getKey());
  in.wantValue = b.wants(op.getValue());
  in.wantMask = mask && b.wants(mask);
  if (in.wantMask) {
    buildAttentionGradient(b, in, out);
    return success();
  }
  auto grad = AttentionGradOp::create(
      b, TypeRange{in.query.getType(), in.key.getType(), in.value.getType()}, in.query, in.key,
      in.value, in.mask, in.gradOutput, op.getScaleAttr(), op.getIsCausalAttr());
  if (in.wantQuery)
    out[0] = grad.getGradQuery();
  if (in.wantKey)
    out[1] = grad.getGradKey();
  if (in.wantValue)
    out[2] = grad.getGradValue();
  return success();
}

} // namespace

void registerAttentionVJPs(MLIRContext *ctx) {
  attachRule<AttentionOp, attentionRule>(ctx);
}

} // namespace thunder::autodiff
