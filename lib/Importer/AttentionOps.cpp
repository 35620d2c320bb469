//===- AttentionOps.cpp - scaled dot-product attention --------------------===//
//
// SDPA stays whole as `thunder.attention` (fused kernels where available;
// thunder-decompose expands it elsewhere). The importer makes the batch dims
// of query, key, value and mask one shape, expands grouped key/value heads
// (GQA) by repeating each head, and fills in the default scale 1/sqrt(E).
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"


#include <cmath>

using namespace mlir;

namespace thunder::importer {
namespace {

/// Repeats each head of [..., H, S, E] `groups` times (repeat_interleave).
Value repeatHeads(Emitter &e, Value x, int64_t groups) {
  int64_t r = Emitter::rankOf(x);
  Sizes s = e.dims(x);
  Sizes wide(s.begin(), s.end());
  wide.insert(wide.begin() + (r - 2), e.index(groups));
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < r; ++i)
    dims.push_back(i < r - 2 ? i : i + 1);
  Value b = e.broadcastInDim(x, wide, dims);
  Sizes merged(s.begin(), s.end());
  merged[r - 3] = e.mul(s[r - 3], e.index(groups));
  return e.reshape(b, merged);
}

LogicalResult convertAttention(NodeContext &ctx) {
  Value q = ctx.tensor("query"), k = ctx.tensor("key"), v = ctx.tensor("value");
  StringRef maskName = ctx.get("attn_mask") ? "attn_mask" : "attn_bias";
  std::optional<Value> mask = ctx.optionalTensor(maskName);
  double dropout = ctx.optionalReal("dropout_p").value_or(0.0);
  bool causal = ctx.optionalBoolean("is_causal").value_or(false);
  std::optional<double> scale = ctx.optionalReal("scale");
  if (failed(ctx.check()))
    return failure();
  if (dropout > 0.0)
    return ctx.error() << "dropout with p>0 is not supported (scaled_dot_product_"
                          "attention with dropout_p="
                       << formatNumber(dropout) << ")";
  for (size_t i = 1; i < ctx.numResults(); ++i)
    if (ctx.resultUsed(i))
      return ctx.error() << "only the attention output of '" << ctx.target()
                         << "' is supported; result " << i << " is used";
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType(0);
  if (!isFloat(t))
    return ctx.error() << "attention on " << t << " tensors is not supported";
  q = e.convert(q, t);
  k = e.convert(k, t);
  v = e.convert(v, t);
  int64_t r = Emitter::rankOf(q);
  if (r < 2 || Emitter::rankOf(k) != r || Emitter::rankOf(v) != r)
    return ctx.error() << "query, key and value must have one rank >= 2";
  // Grouped-query attention: fewer key/value heads than query heads.
  if (r >= 3) {
    int64_t hq = Emitter::shapeOf(q)[r - 3], hk = Emitter::shapeOf(k)[r - 3];
    if (!ShapedType::isDynamic(hq) && !ShapedType::isDynamic(hk) && hq != hk &&
        hk != 1) {
      if (hq % hk)
        return ctx.error() << "query heads (" << hq << ") are not a multiple of "
                           << "key/value heads (" << hk << ")";
      k = repeatHeads(e, k, hq / hk);
      v = repeatHeads(e, v, hq / hk);
    }
  }
  // One batch shape for all.
  Sizes qs = e.dims(q), ks = e.dims(k), vs = e.dims(v);
  ArrayRef<OpFoldResult> qb = ArrayRef<OpFoldResult>(qs).drop_back(2);
  ArrayRef<OpFoldResult> kb = ArrayRef<OpFoldResult>(ks).drop_back(2);
  ArrayRef<OpFoldResult> vb = ArrayRef<OpFoldResult>(vs).drop_back(2);
  Sizes batch = e.broadcastSizes(e.broadcastSizes(qb, kb), vb);
  auto withTail = [&](OpFoldResult a, OpFoldResult c) {
    Sizes s(batch);
    s.append({a, c});
    return s;
  };
  q = e.broadcastTo(q, withTail(qs[r - 2], qs[r - 1]));
  k = e.broadcastTo(k, withTail(ks[r - 2], ks[r - 1]));
  v = e.broadcastTo(v, withTail(vs[r - 2], vs[r - 1]));
  Value m;
  if (mask) {
    m = *mask;
    if (!isBool(Emitter::elementTypeOf(m)))
      m = e.convert(m, t);
    m = e.broadcastTo(m, withTail(qs[r - 2], ks[r - 2]));
  }
  if (!scale) {
    int64_t dim = Emitter::shapeOf(q)[r - 1];
    if (ShapedType::isDynamic(dim))
      return ctx.error() << "attention with a dynamic embedding size needs an "
                            "explicit scale";
    scale = 1.0 / std::sqrt(static_cast<double>(dim));
  }
  auto type = e.tensorType(withTail(qs[r - 2], vs[r - 1]), t);
  Value out = AttentionOp::create(e.b, e.loc, type, q, k, v, m,
                                  llvm::APFloat(*scale), causal);
  return ctx.bind(0, out);
}

} // namespace

void registerAttentionOps(OpTable &t) {
  t.add("aten.scaled_dot_product_attention.default", convertAttention);
  t.add("aten._scaled_dot_product_flash_attention_for_cpu.default", convertAttention);
  t.add("aten._scaled_dot_product_efficient_attention.default", convertAttention);
  t.add("aten._scaled_dot_product_flash_attention.default", convertAttention);
  t.add("aten._scaled_dot_product_cudnn_attention.default", convertAttention);
}

} // namespace thunder::importer
