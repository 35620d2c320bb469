//===- ExpertOps.cpp - mixture-of-experts routing: histc, grouped products ===//
//
// What transformers' MoE layers (Mixtral, Qwen2-MoE) export: torch.histc
// counts the tokens routed to each expert, and a grouped matrix product
// (aten._grouped_mm, or transformers' own grouped_mm_fallback custom op on
// the CPU) multiplies each expert's contiguous run of tokens by its weight.
//
// Both become existing thunder ops, so the CPU and CUDA targets and autodiff
// get them for free. The grouped product is computed densely: every token
// against every expert (one batched product), then each token keeps its own
// expert's row through a one-hot mask. That costs experts-times the FLOPs of
// a true grouped GEMM: correct and differentiable, not yet fast.
//
//===----------------------------------------------------------------------===//
#include "NodeContext.h"
#include "OpTable.h"

using namespace mlir;

namespace thunder::importer {
namespace {

/// histc(self, bins, min, max): counts of self's elements in `bins` equal
/// bins over [min, max] (the data's range when min == max); elements
/// outside are not counted, max itself falls in the last bin.
LogicalResult convertHistc(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t bins = ctx.optionalInteger("bins").value_or(100);
  std::optional<Scalar> minArg = ctx.optionalScalar("min");
  std::optional<Scalar> maxArg = ctx.optionalScalar("max");
  if (failed(ctx.check()))
    return failure();
  if (bins <= 0)
    return ctx.error() << "histc: bins must be positive, got " << bins;
  if (!isa<FloatType>(Emitter::elementTypeOf(x)))
    return ctx.error() << "histc: a floating-point input is required (torch refuses integers)";
  Emitter &e = ctx.emit();
  Type type = Emitter::elementTypeOf(x);
  Value flat = e.reshape(x, Sizes{e.product(e.dims(x))});
  double lo = minArg ? minArg->asDouble() : 0.0, hi = maxArg ? maxArg->asDouble() : 0.0;
  Value loT, hiT;
  if (lo == hi) {
    // The data's range, widened by one each way when it is a single value.
    loT = e.reduce<ReduceMinOp>(flat, {0}, false);
    hiT = e.reduce<ReduceMaxOp>(flat, {0}, false);
    Value same = e.compare(CompareDirection::EQ, loT, hiT);
    loT = e.select(same, e.addScalar(loT, -1.0), loT);
    hiT = e.select(same, e.addScalar(hiT, 1.0), hiT);
  } else {
    if (lo > hi)
      return ctx.error() << "histc: max (" << hi << ") must not be less than min (" << lo << ")";
    loT = e.scalar(type, lo);
    hiT = e.scalar(type, hi);
  }
  Sizes n = e.dims(flat);
  Value lo1 = e.broadcastTo(loT, n), hi1 = e.broadcastTo(hiT, n);
  Value inRange = AndOp::create(e.b, e.loc, e.compare(CompareDirection::GE, flat, lo1),
                                e.compare(CompareDirection::LE, flat, hi1))
                      .getResult();
  // (x - min) * bins / (max - min), truncated (non-negative in range); max -> bins - 1.
  Value pos = e.div(e.mulScalar(e.sub(flat, lo1), double(bins)), e.sub(hi1, lo1));
  Value bin = e.convert(pos, e.i64());
  bin = e.select(e.compareScalar(CompareDirection::GE, bin, double(bins)),
                 e.splatLike(double(bins - 1), bin), bin);
  Sizes grid = {n[0], e.index(bins)};
  Value ids = e.iota(grid, e.i64(), 1);
  Value hit = e.compare(CompareDirection::EQ, e.broadcastTo(e.unsqueeze(bin, 1), grid), ids);
  hit = AndOp::create(e.b, e.loc, hit, e.broadcastTo(e.unsqueeze(inRange, 1), grid)).getResult();
  return ctx.bind(e.sum(e.convert(hit, type), {0}, false));
}

/// out[i] = a[i] @ w[g(i)] for a [S, K], w [G, K, N] and offs [G], the
/// cumulative ends of the groups: g(i) is the group whose run holds row i;
/// rows past the last end are zero.
LogicalResult convertGroupedMm(NodeContext &ctx) {
  bool custom = ctx.target().starts_with("transformers.");
  Value a = ctx.tensor(custom ? "input" : "self");
  Value w = ctx.tensor(custom ? "weight" : "mat2");
  std::optional<Value> offs = ctx.optionalTensor("offs");
  std::optional<Value> bias = custom ? std::nullopt : ctx.optionalTensor("bias");
  if (failed(ctx.check()))
    return failure();
  if (!offs || Emitter::rankOf(a) != 2 || Emitter::rankOf(w) != 3 || Emitter::rankOf(*offs) != 1)
    return ctx.error() << "grouped matrix product: only the mixture-of-experts form is supported "
                          "(a 2-D input of tokens sorted by group, 3-D weights [groups, K, N] and "
                          "offs, the groups' cumulative ends)";
  if (bias)
    return ctx.error() << "grouped matrix product with a bias is not supported";
  Emitter &e = ctx.emit();
  Sizes rowsByGroup = {e.dim(a, 0), e.dim(w, 0)};
  Value rows = e.iota(rowsByGroup, e.i64(), 0);
  Value ends = e.broadcastTo(e.unsqueeze(e.convert(*offs, e.i64()), 0), rowsByGroup);
  // g(i): how many groups end at or before row i.
  Value group = e.sum(e.convert(e.compare(CompareDirection::GE, rows, ends), e.i64()), {1}, false);
  Value ids = e.iota(rowsByGroup, e.i64(), 1);
  Value mine = e.compare(CompareDirection::EQ, e.broadcastTo(e.unsqueeze(group, 1), rowsByGroup), ids);
  Type type = ctx.resultElementType();
  // [G, S, N]: every row against every group's weight, then the row's own.
  Value dense = e.matmul(e.unsqueeze(e.convert(a, type), 0), e.convert(w, type));
  Value mask = e.unsqueeze(e.transpose(e.convert(mine, type), 0, 1), 2);
  return ctx.bind(e.sum(e.mul(dense, mask), {0}, false));
}

} // namespace

void registerExpertOps(OpTable &t) {
  t.add("aten.histc.default", convertHistc);
  t.add("aten._grouped_mm.default", convertGroupedMm);
  t.add("transformers.grouped_mm_fallback.default", convertGroupedMm);
}

} // namespace thunder::importer
