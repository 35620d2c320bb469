//===- AttentionOps.cpp - ONNX Attention (opset 23) -----------------------===//
//
// Decomposed into primitives (softmax(Q K^T * scale + bias) V), as ONNX's
// reference defines it, so that every option is one more step: 3-D inputs with
// q_num_heads / kv_num_heads, past key/value caches (present_* outputs),
// boolean or additive masks shorter than the keys, is_causal (upper-left
// aligned, after the past), grouped-query heads (repeat-interleaved),
// softcap, nonpad_kv_seqlen, and the qk_matmul_output modes.
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace thunder::onnximport {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// [B, S, H*D] -> [B, H, S, D].
Value splitHeads(Emitter &e, Value x, int64_t heads) {
  auto s = Emitter::shapeOf(x);
  Value r = e.reshape(x, ArrayRef<int64_t>{s[0], s[1], heads, s[2] / heads});
  return e.permute(r, {0, 2, 1, 3});
}

/// [B, kvH, S, D] -> [B, kvH*reps, S, D], each head repeated `reps` times in place.
Value repeatHeads(Emitter &e, Value x, int64_t reps) {
  auto s = Emitter::shapeOf(x);
  importer::Sizes wide = {e.index(s[0]), e.index(s[1]), e.index(reps), e.index(s[2]),
                          e.index(s[3])};
  Value b = e.broadcastInDim(x, wide, {0, 1, 3, 4});
  return e.reshape(b, ArrayRef<int64_t>{s[0], s[1] * reps, s[2], s[3]});
}

LogicalResult attention(ONNXNode &n) {
  Value q = n.input(0), k = n.input(1), v = n.input(2);
  std::optional<Value> mask = n.optionalInput(3), pastKey = n.optionalInput(4),
                       pastValue = n.optionalInput(5), nonpad = n.optionalInput(6);
  bool causal = n.intAttr("is_causal", 0);
  int64_t qHeads = n.intAttr("q_num_heads", 0), kvHeads = n.intAttr("kv_num_heads", 0);
  double softcap = n.floatAttr("softcap", 0.0);
  int64_t mode = n.intAttr("qk_matmul_output_mode", 0);
  std::optional<double> scaleAttr;
  if (n.hasAttr("scale"))
    scaleAttr = n.floatAttr("scale", 1.0);
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(q);
  if ((rank != 3 && rank != 4) || Emitter::rankOf(k) != rank || Emitter::rankOf(v) != rank)
    return n.error() << "Q, K and V must all be 3-D or all 4-D";
  for (Value x : {q, k, v})
    if (!Emitter::typeOf(x).hasStaticShape())
      return n.error() << "needs static shapes of Q, K and V";
  if (rank == 3 && (qHeads <= 0 || kvHeads <= 0 || Emitter::shapeOf(q)[2] % qHeads ||
                    Emitter::shapeOf(k)[2] % kvHeads || Emitter::shapeOf(v)[2] % kvHeads))
    return n.error() << "3-D inputs need q_num_heads and kv_num_heads dividing the hidden sizes";
  Emitter &e = n.emit();
  if (rank == 3) {
    q = splitHeads(e, q, qHeads);
    k = splitHeads(e, k, kvHeads);
    v = splitHeads(e, v, kvHeads);
  }
  for (std::optional<Value> past : {pastKey, pastValue})
    if (past && (Emitter::rankOf(*past) != 4 || !Emitter::typeOf(*past).hasStaticShape()))
      return n.error() << "past_key and past_value must be static 4-D tensors, not "
                       << past->getType();
  if (mask && (Emitter::rankOf(*mask) < 1 || Emitter::rankOf(*mask) > 4 ||
               !Emitter::typeOf(*mask).hasStaticShape()))
    return n.error() << "attn_mask must be a static tensor of rank 1..4, not " << mask->getType();
  if (nonpad && (Emitter::rankOf(*nonpad) != 1 ||
                 Emitter::shapeOf(*nonpad)[0] != Emitter::shapeOf(q)[0]))
    return n.error() << "nonpad_kv_seqlen must be [batch], not " << nonpad->getType();
  for (auto [past, now] : {std::pair{pastKey, k}, std::pair{pastValue, v}}) {
    auto a = past ? Emitter::shapeOf(*past) : ArrayRef<int64_t>{}, b = Emitter::shapeOf(now);
    if (past && (a[0] != b[0] || a[1] != b[1] || a[3] != b[3]))
      return n.error() << "the cache " << past->getType() << " does not match " << now.getType();
  }
  Type t = Emitter::elementTypeOf(q);
  int64_t headSize = Emitter::shapeOf(q)[3];
  double scale = std::sqrt(scaleAttr.value_or(1.0 / std::sqrt(double(headSize))));
  int64_t past = pastKey ? Emitter::shapeOf(*pastKey)[2] : 0;
  if (pastKey)
    k = e.concat({*pastKey, k}, 2);
  if (pastValue)
    v = e.concat({*pastValue, v}, 2);
  Value presentKey = k, presentValue = v;
  int64_t sq = Emitter::shapeOf(q)[2], skv = Emitter::shapeOf(k)[2];
  int64_t hq = Emitter::shapeOf(q)[1], hk = Emitter::shapeOf(k)[1];
  if (hq != hk) {
    if (hq % hk || Emitter::shapeOf(v)[1] != hk)
      return n.error() << hq << " query heads cannot share " << hk << " key/value heads";
    k = repeatHeads(e, k, hq / hk);
    v = repeatHeads(e, v, hq / hk);
  }

  if (failed(n.checkMatmul(q, e.transpose(k, 2, 3))))
    return failure();
  Value qk = e.matmul(e.mulScalar(q, scale), e.transpose(e.mulScalar(k, scale), 2, 3));
  if (softcap > 0)
    qk = e.mulScalar(e.unary<TanhOp>(e.mulScalar(qk, 1.0 / softcap)), softcap);
  Value rawQK = qk;

  // The additive bias [.., Sq, Skv]: the mask (padded with "masked" up to the
  // keys), the causal triangle, the padding of nonpad_kv_seqlen.
  Value bias = e.splat(0.0, t, {e.index(sq), e.index(skv)});
  if (mask) {
    Value m = *mask;
    int64_t width = Emitter::shapeOf(m).back();
    if (width > skv)
      return n.error() << "attn_mask has " << width << " key positions, the keys " << skv;
    bool boolean = Emitter::elementTypeOf(m).isInteger(1);
    if (width < skv) {
      SmallVector<int64_t> low(size_t(Emitter::rankOf(m)), 0), high(low);
      high.back() = skv - width;
      m = e.pad(m, boolean ? e.scalar(e.i1(), 0.0) : e.scalar(Emitter::elementTypeOf(m), kNegInf),
                low, high);
    }
    if (failed(n.checkBroadcast({qk, m})))
      return failure();
    if (boolean)
      m = e.select(m, e.splat(0.0, t, e.dims(m)), e.splat(kNegInf, t, e.dims(m)));
    bias = e.add(bias, e.convert(m, t));
  }
  if (causal) { // -inf where key j > query i + past
    importer::Sizes dims = {e.index(sq), e.index(skv)};
    Value i = e.iota(dims, e.i64(), 0), j = e.iota(dims, e.i64(), 1);
    Value future = e.compare(CompareDirection::GT, j, e.addScalar(i, double(past)));
    bias = e.add(bias, e.select(future, e.splat(kNegInf, t, dims), e.splat(0.0, t, dims)));
  }
  if (nonpad) { // keys at or past each batch's length are masked
    int64_t batch = Emitter::shapeOf(q)[0];
    importer::Sizes dims = {e.index(batch), e.index(1), e.index(1), e.index(skv)};
    Value pos = e.iota(dims, e.i64(), 3);
    Value len = e.broadcastInDim(e.convert(*nonpad, e.i64()), dims, {0});
    Value padded = e.compare(CompareDirection::GE, pos, len);
    bias = e.add(bias, e.select(padded, e.splat(kNegInf, t, dims), e.splat(0.0, t, dims)));
  }
  Value withBias = e.add(qk, bias);
  Value probs = e.softmax(withBias, 3, /*log=*/false);
  if (failed(n.checkMatmul(probs, v)))
    return failure();
  Value y = e.matmul(probs, v);
  if (rank == 3) {
    auto s = Emitter::shapeOf(y);
    y = e.reshape(e.permute(y, {0, 2, 1, 3}), ArrayRef<int64_t>{s[0], s[2], s[1] * s[3]});
  }
  Value qkOut = mode == 2 ? withBias : mode == 3 ? probs : rawQK;
  if (mode < 0 || mode > 3)
    return n.error() << "qk_matmul_output_mode " << mode << " is not one of 0..3";
  if (failed(n.bind(0, y)) || failed(n.bind(1, presentKey)) || failed(n.bind(2, presentValue)))
    return failure();
  return n.bind(3, qkOut);
}

/// RotaryEmbedding (opset 23): the first rotary_embedding_dim features of
/// each head rotated by the cached angles of its position (halves, or
/// interleaved pairs).
LogicalResult rotaryEmbedding(ONNXNode &n) {
  Value x = n.input(0), cosCache = n.input(1), sinCache = n.input(2);
  std::optional<Value> positions = n.optionalInput(3);
  bool interleaved = n.intAttr("interleaved", 0);
  int64_t rotaryDim = n.intAttr("rotary_embedding_dim", 0);
  int64_t heads = n.intAttr("num_heads", 0);
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if ((rank != 3 && rank != 4) || !Emitter::typeOf(x).hasStaticShape())
    return n.error() << "needs a static 3-D or 4-D input";
  Emitter &e = n.emit();
  auto in = Emitter::shapeOf(x);
  // [B, S, H, D].
  Value h = rank == 4 ? e.permute(x, {0, 2, 1, 3}) : x;
  if (rank == 3) {
    if (heads <= 0 || in[2] % heads)
      return n.error() << "a 3-D input needs num_heads dividing its hidden size";
    h = e.reshape(h, ArrayRef<int64_t>{in[0], in[1], heads, in[2] / heads});
  }
  auto s = Emitter::shapeOf(h);
  int64_t d = rotaryDim ? rotaryDim : s[3];
  if (d <= 0 || d > s[3] || d % 2)
    return n.error() << "rotary_embedding_dim " << d << " must be even and at most the head size "
                     << s[3];
  if (positions) { // the caches' rows of each position: [B, S, d/2]
    Value pos = e.convert(*positions, e.i64());
    auto pick = [&](Value cache) {
      SmallVector<int64_t> shape(Emitter::shapeOf(pos));
      llvm::append_range(shape, Emitter::shapeOf(cache).drop_front());
      auto type = RankedTensorType::get(shape, Emitter::elementTypeOf(cache));
      return IndexOp::create(e.b, e.loc, type, cache, ValueRange{pos}, uint64_t(0)).getResult();
    };
    if (Emitter::rankOf(cosCache) != 2 || Emitter::rankOf(sinCache) != 2)
      return n.error() << "with position_ids the caches must be 2-D";
    cosCache = pick(cosCache);
    sinCache = pick(sinCache);
  }
  if (Emitter::rankOf(cosCache) != 3 || Emitter::shapeOf(cosCache).back() != d / 2 ||
      cosCache.getType() != sinCache.getType())
    return n.error() << "the caches must be [B, S, " << d / 2 << "], not " << cosCache.getType();
  Value c = e.unsqueeze(cosCache, 2), sn = e.unsqueeze(sinCache, 2);
  if (failed(n.checkBroadcast({c, e.slice(h, 3, 0, d / 2)})))
    return failure();
  Value rot = e.slice(h, 3, 0, d), rest = e.slice(h, 3, d, s[3]);
  Value x1 = interleaved ? e.slice(rot, 3, 0, d, 2) : e.slice(rot, 3, 0, d / 2);
  Value x2 = interleaved ? e.slice(rot, 3, 1, d, 2) : e.slice(rot, 3, d / 2, d);
  Value real = e.sub(e.mul(c, x1), e.mul(sn, x2));
  Value imag = e.add(e.mul(sn, x1), e.mul(c, x2));
  Value rotated = interleaved
                      ? e.reshape(e.concat({e.unsqueeze(real, 4), e.unsqueeze(imag, 4)}, 4),
                                  Emitter::shapeOf(rot))
                      : e.concat({real, imag}, 3);
  Value out = d < s[3] ? e.concat({rotated, rest}, 3) : rotated;
  out = rank == 4 ? e.permute(out, {0, 2, 1, 3}) : e.reshape(out, in);
  return n.bind(out);
}

} // namespace

void registerAttentionOps(ONNXOpTable &t) {
  t.add("Attention", attention, 23);
  t.add("RotaryEmbedding", rotaryEmbedding, 23);
}

} // namespace thunder::onnximport
