//===- LossOps.cpp - loss functions ---------------------------------------===//
//
// Each loss is its elementwise formula followed by the reduction (0 = none,
// 1 = mean, 2 = sum), after torch/_decomp/decompositions.py. The class dim of
// cross_entropy / nll_loss is 1 (0 for an unbatched input); ignore_index
// entries weigh nothing and a mean divides by the total weight.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <limits>

using namespace mlir;

namespace thunder::importer {
namespace {

enum Reduction : int64_t { kNone = 0, kMean = 1, kSum = 2 };

FailureOr<Value> reduce(NodeContext &ctx, Value loss, int64_t reduction) {
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(loss);
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  switch (reduction) {
  case kNone:
    return loss;
  case kMean:
    return rank ? e.mean(loss, all, false) : loss;
  case kSum:
    return rank ? e.sum(loss, all, false) : loss;
  default:
    return ctx.error() << "unknown reduction " << reduction;
  }
}

/// Losses of (self, target): the elementwise loss, then the reduction.
template <typename Fn>
LogicalResult pointwiseLoss(NodeContext &ctx, Fn fn) {
  Value x = ctx.tensor("self"), y = ctx.tensor("target");
  int64_t reduction = ctx.optionalInteger("reduction").value_or(kMean);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  auto [bx, by] = e.unify(x, y, t);
  FailureOr<Value> loss = fn(ctx, bx, by);
  if (failed(loss))
    return failure();
  FailureOr<Value> r = reduce(ctx, *loss, reduction);
  if (failed(r))
    return failure();
  return ctx.bind(*r);
}

LogicalResult convertMse(NodeContext &ctx) {
  return pointwiseLoss(ctx, [](NodeContext &c, Value x, Value y) -> FailureOr<Value> {
    Value d = c.emit().sub(x, y);
    return c.emit().mul(d, d);
  });
}

LogicalResult convertL1(NodeContext &ctx) {
  return pointwiseLoss(ctx, [](NodeContext &c, Value x, Value y) -> FailureOr<Value> {
    return c.emit().unary<AbsOp>(c.emit().sub(x, y));
  });
}

LogicalResult convertSmoothL1(NodeContext &ctx) {
  double beta = ctx.optionalReal("beta").value_or(1.0);
  return pointwiseLoss(ctx, [beta](NodeContext &c, Value x, Value y) -> FailureOr<Value> {
    Emitter &e = c.emit();
    Value a = e.unary<AbsOp>(e.sub(x, y));
    if (beta == 0.0)
      return a;
    Value quad = e.binaryScalar<DivOp>(e.mulScalar(e.mul(a, a), 0.5), beta);
    Value lin = e.addScalar(a, -0.5 * beta);
    Value small = e.compareScalar(CompareDirection::LT, a, beta);
    return e.select(small, quad, lin);
  });
}

LogicalResult convertHuber(NodeContext &ctx) {
  double delta = ctx.optionalReal("delta").value_or(1.0);
  return pointwiseLoss(ctx, [delta](NodeContext &c, Value x, Value y) -> FailureOr<Value> {
    Emitter &e = c.emit();
    Value a = e.unary<AbsOp>(e.sub(x, y));
    Value quad = e.mulScalar(e.mul(a, a), 0.5);
    Value lin = e.mulScalar(e.addScalar(a, -0.5 * delta), delta);
    Value small = e.compareScalar(CompareDirection::LT, a, delta);
    return e.select(small, quad, lin);
  });
}

LogicalResult convertSoftMargin(NodeContext &ctx) {
  return pointwiseLoss(ctx, [](NodeContext &c, Value x, Value y) -> FailureOr<Value> {
    Emitter &e = c.emit();
    // log(1 + exp(-y x))
    return e.unary<Log1pOp>(e.unary<ExpOp>(e.unary<NegOp>(e.mul(y, x))));
  });
}

/// binary_cross_entropy(x, t, weight): -(t log x + (1 - t) log(1 - x)), logs
/// clamped at -100.
LogicalResult convertBce(NodeContext &ctx) {
  std::optional<Value> weight = ctx.optionalTensor("weight");
  return pointwiseLoss(ctx, [weight](NodeContext &c, Value x, Value y) -> FailureOr<Value> {
    Emitter &e = c.emit();
    Value logX = e.binaryScalar<MaxOp>(e.unary<LogOp>(x), -100.0);
    Value log1mX = e.binaryScalar<MaxOp>(e.unary<LogOp>(e.scalarBinary<SubOp>(1.0, x)),
                                         -100.0);
    Value l = e.add(e.mul(y, logX), e.mul(e.scalarBinary<SubOp>(1.0, y), log1mX));
    l = e.unary<NegOp>(l);
    if (weight)
      l = e.mul(l, e.convert(*weight, Emitter::elementTypeOf(l)));
    return l;
  });
}

/// binary_cross_entropy_with_logits, the numerically stable form.
LogicalResult convertBceWithLogits(NodeContext &ctx) {
  std::optional<Value> weight = ctx.optionalTensor("weight");
  std::optional<Value> posWeight = ctx.optionalTensor("pos_weight");
  return pointwiseLoss(ctx, [&](NodeContext &c, Value x, Value y) -> FailureOr<Value> {
    Emitter &e = c.emit();
    Type t = Emitter::elementTypeOf(x);
    // log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0)
    Value negX = e.unary<NegOp>(x);
    Value softplusNeg = e.add(e.unary<Log1pOp>(e.unary<ExpOp>(e.unary<NegOp>(e.unary<AbsOp>(x)))),
                              e.binaryScalar<MaxOp>(negX, 0.0));
    Value oneMinusT = e.scalarBinary<SubOp>(1.0, y);
    Value l;
    if (posWeight) {
      // (1 - t) x + (1 + (pw - 1) t) softplus(-x)
      Value pw = e.convert(*posWeight, t);
      Value coeff = e.addScalar(e.mul(e.addScalar(pw, -1.0), y), 1.0);
      l = e.add(e.mul(oneMinusT, x), e.mul(coeff, softplusNeg));
    } else {
      l = e.add(e.mul(oneMinusT, x), softplusNeg);
    }
    if (weight)
      l = e.mul(l, e.convert(*weight, t));
    return l;
  });
}

/// kl_div(input, target, log_target): target * (log(target) - input).
LogicalResult convertKlDiv(NodeContext &ctx) {
  bool logTarget = ctx.optionalBoolean("log_target").value_or(false);
  return pointwiseLoss(ctx, [logTarget](NodeContext &c, Value x, Value y) -> FailureOr<Value> {
    Emitter &e = c.emit();
    if (logTarget)
      return e.mul(e.unary<ExpOp>(y), e.sub(y, x));
    // xlogy(t, t) - t * x, with 0 where t == 0.
    Value positive = e.compareScalar(CompareDirection::GT, y, 0.0);
    Value safe = e.select(positive, y, e.splatLike(1.0, y));
    Value tlogt = e.mul(y, e.unary<LogOp>(safe));
    tlogt = e.select(positive, tlogt, e.splatLike(0.0, y));
    return e.sub(tlogt, e.mul(y, x));
  });
}

/// nll_loss on log-probabilities: -w[t] * logp[t] summed or averaged by weight.
struct NllResult {
  Value loss;        // per element ([N, *])
  Value weightTotal; // sum of the weights of the non-ignored targets (rank 0)
};

FailureOr<NllResult> nll(NodeContext &ctx, Value logp, Value target,
                         std::optional<Value> weight, int64_t ignoreIndex) {
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(logp);
  int64_t rank = Emitter::rankOf(logp);
  int64_t classDim = rank >= 2 ? 1 : 0;
  if (Emitter::rankOf(target) != rank - 1)
    return ctx.error() << "nll_loss target must have rank " << rank - 1;
  target = e.convert(target, e.i64());
  Value ignored = e.compareScalar(CompareDirection::EQ, target,
                                  static_cast<double>(ignoreIndex));
  Value safe = e.select(ignored, e.splatLike(0.0, target), target);
  Value idx = e.unsqueeze(safe, classDim);
  auto type = Emitter::typeOf(idx).clone(t);
  Value picked = GatherOp::create(e.b, e.loc, type, logp, idx, uint64_t(classDim));
  picked = e.squeeze(picked, classDim);
  Value w;
  if (weight) {
    Value wt = e.convert(*weight, t);
    auto flat = Emitter::typeOf(safe).getRank() == 1
                    ? safe
                    : e.flatten(safe, 0, Emitter::rankOf(safe) - 1);
    auto wtype = Emitter::typeOf(flat).clone(t);
    w = IndexSelectOp::create(e.b, e.loc, wtype, wt, flat, uint64_t(0));
    w = e.reshape(w, e.dims(safe));
  } else {
    w = e.splatLike(1.0, picked);
  }
  w = e.select(ignored, e.splatLike(0.0, w), w);
  NllResult r;
  r.loss = e.unary<NegOp>(e.mul(picked, w));
  int64_t wr = Emitter::rankOf(w);
  r.weightTotal = wr ? e.sum(w, llvm::to_vector(llvm::seq<int64_t>(0, wr)), false) : w;
  return r;
}

FailureOr<Value> reduceNll(NodeContext &ctx, const NllResult &r, int64_t reduction) {
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(r.loss);
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  switch (reduction) {
  case kNone:
    return r.loss;
  case kSum:
    return rank ? e.sum(r.loss, all, false) : r.loss;
  case kMean: {
    Value s = rank ? e.sum(r.loss, all, false) : r.loss;
    return e.div(s, r.weightTotal);
  }
  default:
    return ctx.error() << "unknown reduction " << reduction;
  }
}

/// nll_loss / nll_loss_nd / nll_loss2d / nll_loss_forward (+ total_weight).
LogicalResult convertNllLoss(NodeContext &ctx) {
  Value logp = ctx.tensor("self"), target = ctx.tensor("target");
  std::optional<Value> weight = ctx.optionalTensor("weight");
  int64_t reduction = ctx.optionalInteger("reduction").value_or(kMean);
  int64_t ignore = ctx.optionalInteger("ignore_index").value_or(-100);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  logp = e.convert(logp, ctx.resultElementType(0));
  FailureOr<NllResult> r = nll(ctx, logp, target, weight, ignore);
  if (failed(r))
    return failure();
  FailureOr<Value> loss = reduceNll(ctx, *r, reduction);
  if (failed(loss) || failed(ctx.bind(0, *loss)))
    return failure();
  if (ctx.numResults() > 1 && ctx.resultUsed(1))
    return ctx.bind(1, r->weightTotal);
  return success();
}

LogicalResult convertCrossEntropy(NodeContext &ctx) {
  Value x = ctx.tensor("self"), target = ctx.tensor("target");
  std::optional<Value> weight = ctx.optionalTensor("weight");
  int64_t reduction = ctx.optionalInteger("reduction").value_or(kMean);
  int64_t ignore = ctx.optionalInteger("ignore_index").value_or(-100);
  double smoothing = ctx.optionalReal("label_smoothing").value_or(0.0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  x = e.convert(x, t);
  int64_t rank = Emitter::rankOf(x);
  int64_t classDim = rank >= 2 ? 1 : 0;
  int64_t classes = Emitter::shapeOf(x)[classDim];
  Value logp = e.softmax(x, classDim, /*log=*/true);
  std::optional<Value> w;
  if (weight)
    w = e.convert(*weight, t);
  auto weighted = [&](Value v) {
    // v * weight along the class dim.
    return w ? MulOp::create(e.b, e.loc, v, e.broadcastInDim(*w, e.dims(v), {classDim}))
                   .getResult()
             : v;
  };

  if (isFloat(Emitter::elementTypeOf(target))) {
    // Class probabilities.
    Value p = e.convert(target, t);
    if (smoothing > 0.0) {
      if (ShapedType::isDynamic(classes))
        return ctx.error() << "label smoothing needs a static class count";
      p = e.addScalar(e.mulScalar(p, 1.0 - smoothing),
                      smoothing / static_cast<double>(classes));
    }
    Value l = e.unary<NegOp>(e.sum(weighted(e.mul(logp, p)), {classDim}, false));
    int64_t lr = Emitter::rankOf(l);
    Value r = l;
    if (reduction == kSum && lr)
      r = e.sum(l, llvm::to_vector(llvm::seq<int64_t>(0, lr)), false);
    else if (reduction == kMean && rank >= 1)
      r = e.divByCount(lr ? e.sum(l, llvm::to_vector(llvm::seq<int64_t>(0, lr)), false)
                          : l,
                       rank >= 2 ? e.dim(x, 0) : e.index(1));
    return ctx.bind(r);
  }

  FailureOr<NllResult> n = nll(ctx, logp, target, w, ignore);
  if (failed(n))
    return failure();
  FailureOr<Value> nllLoss = reduceNll(ctx, *n, reduction);
  if (failed(nllLoss))
    return failure();
  if (smoothing <= 0.0)
    return ctx.bind(*nllLoss);
  if (ShapedType::isDynamic(classes))
    return ctx.error() << "label smoothing needs a static class count";
  // smooth = -sum(logp * w, class), 0 at ignored targets.
  Value smooth = e.unary<NegOp>(e.sum(weighted(logp), {classDim}, false));
  Value t64 = e.convert(target, e.i64());
  Value ignored = e.compareScalar(CompareDirection::EQ, t64, static_cast<double>(ignore));
  smooth = e.select(ignored, e.splatLike(0.0, smooth), smooth);
  int64_t sr = Emitter::rankOf(smooth);
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, sr));
  Value ret;
  if (reduction == kNone) {
    ret = smooth;
  } else {
    Value total = sr ? e.sum(smooth, all, false) : smooth;
    if (reduction == kSum) {
      ret = total;
    } else if (w) {
      ret = e.div(total, n->weightTotal);
    } else {
      Value kept = e.convert(e.unary<NotOp>(ignored), t);
      ret = e.div(total, sr ? e.sum(kept, all, false) : kept);
    }
  }
  Value l = e.add(e.mulScalar(*nllLoss, 1.0 - smoothing),
                  e.mulScalar(ret, smoothing / static_cast<double>(classes)));
  return ctx.bind(l);
}

} // namespace

void registerLossOps(OpTable &t) {
  t.add("aten.mse_loss.default", convertMse);
  t.add("aten.l1_loss.default", convertL1);
  t.add("aten.smooth_l1_loss.default", convertSmoothL1);
  t.add("aten.huber_loss.default", convertHuber);
  t.add("aten.binary_cross_entropy.default", convertBce);
  t.add("aten.binary_cross_entropy_with_logits.default", convertBceWithLogits);
  t.add("aten.kl_div.default", convertKlDiv);
  t.add("aten.soft_margin_loss.default", convertSoftMargin);
  t.add("aten.nll_loss.default", convertNllLoss);
  t.add("aten.nll_loss_nd.default", convertNllLoss);
  t.add("aten.nll_loss2d.default", convertNllLoss);
  t.add("aten.nll_loss_forward.default", convertNllLoss);
  t.add("aten.nll_loss2d_forward.default", convertNllLoss);
  t.add("aten.cross_entropy_loss.default", convertCrossEntropy);
}

} // namespace thunder::importer
