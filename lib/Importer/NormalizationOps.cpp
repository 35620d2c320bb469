//===- NormalizationOps.cpp - layer, RMS, group, batch, instance norm -----===//
//
// Statistics are computed in float32 for half-precision inputs (PyTorch's
// opmath) with the biased variance; batch norm in training also updates the
// running statistics: new = (1 - momentum) * old + momentum * batch, with the
// unbiased variance for running_var. In the training IR those updates are
// in-place writes to the buffers; in the functional Core ATen IR they are the
// extra outputs of _native_batch_norm_legit_functional.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <cmath>

using namespace mlir;

namespace thunder::importer {
namespace {

Type computeType(Emitter &e, Type t) {
  return t.getIntOrFloatBitWidth() < 32 ? e.f32() : t;
}

/// x normalised over `dims` (biased variance), with mean and rstd kept.
struct Normalized {
  Value y, mean, rstd; // mean and rstd with keepdim
};

Normalized normalize(Emitter &e, Value x, ArrayRef<int64_t> dims, double eps) {
  Value mean = e.mean(x, dims, /*keepdim=*/true);
  Sizes shape = e.dims(x);
  Value centered = SubOp::create(e.b, e.loc, x, e.broadcastTo(mean, shape));
  Value sq = MulOp::create(e.b, e.loc, centered, centered);
  Value var = e.mean(sq, dims, /*keepdim=*/true);
  Value rstd = e.unary<RsqrtOp>(e.addScalar(var, eps));
  Value y = MulOp::create(e.b, e.loc, centered, e.broadcastTo(rstd, shape));
  return {y, mean, rstd};
}

/// y * weight + bias, the affine parameters aligned to the trailing dims.
Value affineTrailing(Emitter &e, Value y, std::optional<Value> w,
                     std::optional<Value> b) {
  Type t = Emitter::elementTypeOf(y);
  if (w)
    y = e.mul(y, e.convert(*w, t));
  if (b)
    y = e.add(y, e.convert(*b, t));
  return y;
}

/// The same for per-channel parameters (dim 1).
Value affineChannel(Emitter &e, Value y, std::optional<Value> w,
                    std::optional<Value> b) {
  Type t = Emitter::elementTypeOf(y);
  Sizes shape = e.dims(y);
  if (w)
    y = MulOp::create(e.b, e.loc, y,
                      e.broadcastInDim(e.convert(*w, t), shape, {1}));
  if (b)
    y = AddOp::create(e.b, e.loc, y,
                      e.broadcastInDim(e.convert(*b, t), shape, {1}));
  return y;
}

/// layer_norm / native_layer_norm.
LogicalResult convertLayerNorm(NodeContext &ctx) {
  Value x = ctx.tensor("input");
  SmallVector<int64_t> normalized = ctx.integers("normalized_shape");
  std::optional<Value> w = ctx.optionalTensor("weight");
  std::optional<Value> b = ctx.optionalTensor("bias");
  double eps = ctx.optionalReal("eps").value_or(1e-5);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType(0);
  int64_t rank = Emitter::rankOf(x);
  int64_t axis = rank - static_cast<int64_t>(normalized.size());
  if (axis < 0)
    return ctx.error() << "layer_norm over more dims than the input has";
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(axis, rank));
  Normalized n = normalize(e, e.convert(x, computeType(e, t)), dims, eps);
  Value y = affineTrailing(e, n.y, w, b);
  if (failed(ctx.bind(0, e.convert(y, t))))
    return failure();
  // native_layer_norm: mean and rstd of shape input[:axis] + [1] * len.
  for (size_t i = 1; i < ctx.numResults() && i < 3; ++i)
    if (ctx.resultUsed(i) &&
        failed(ctx.bind(i, i == 1 ? n.mean : n.rstd)))
      return failure();
  return success();
}

LogicalResult convertRmsNorm(NodeContext &ctx) {
  Value x = ctx.tensor("input");
  SmallVector<int64_t> normalized = ctx.integers("normalized_shape");
  std::optional<Value> w = ctx.optionalTensor("weight");
  std::optional<double> eps = ctx.optionalReal("eps");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType(0);
  Type ct = computeType(e, Emitter::elementTypeOf(x));
  if (!eps) {
    // torch.finfo(input.dtype).eps
    const llvm::fltSemantics &sem =
        cast<FloatType>(Emitter::elementTypeOf(x)).getFloatSemantics();
    eps = std::ldexp(1.0, 1 - static_cast<int>(llvm::APFloat::semanticsPrecision(sem)));
  }
  int64_t rank = Emitter::rankOf(x);
  int64_t axis = rank - static_cast<int64_t>(normalized.size());
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(axis, rank));
  Value xc = e.convert(x, ct);
  Value ms = e.mean(MulOp::create(e.b, e.loc, xc, xc), dims, true);
  Value r = e.unary<RsqrtOp>(e.addScalar(ms, *eps));
  Value y = MulOp::create(e.b, e.loc, xc, e.broadcastTo(r, e.dims(xc)));
  y = e.convert(y, Emitter::elementTypeOf(x));
  if (w)
    y = e.mul(y, e.convert(*w, Emitter::elementTypeOf(y)));
  return ctx.bind(0, e.convert(y, t));
}

/// group_norm / native_group_norm: [N, C, *] viewed as [N, G, C/G * prod(*)].
LogicalResult convertGroupNorm(NodeContext &ctx) {
  Value x = ctx.tensor("input");
  int64_t groups = ctx.integer(ctx.get("num_groups") ? "num_groups" : "group");
  std::optional<Value> w = ctx.optionalTensor("weight");
  std::optional<Value> b = ctx.optionalTensor("bias");
  double eps = ctx.optionalReal("eps").value_or(1e-5);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType(0);
  int64_t rank = Emitter::rankOf(x);
  if (rank < 2)
    return ctx.error() << "group_norm needs an input of rank >= 2";
  Sizes shape = e.dims(x);
  Sizes grouped = {shape[0], e.index(groups),
                   e.floorDiv(e.product(ArrayRef<OpFoldResult>(shape).drop_front()),
                              e.index(groups))};
  Value xg = e.reshape(e.convert(x, computeType(e, t)), grouped);
  Normalized n = normalize(e, xg, {2}, eps);
  Value y = e.reshape(n.y, shape);
  y = affineChannel(e, y, w, b);
  if (failed(ctx.bind(0, e.convert(y, t))))
    return failure();
  // native_group_norm: mean and rstd of shape [N, G].
  for (size_t i = 1; i < ctx.numResults() && i < 3; ++i)
    if (ctx.resultUsed(i)) {
      Value s = i == 1 ? n.mean : n.rstd;
      if (failed(ctx.bind(i, e.reshape(s, Sizes{shape[0], e.index(groups)}))))
        return failure();
    }
  return success();
}

/// Batch statistics over all dims but 1, and the running-stat updates.
struct BatchNormResult {
  Value y, saveMean, saveRstd, newMean, newVar;
};

/// The in-place update of running_mean / running_var of the mutating batch
/// norms (training mode with running stats; nothing otherwise).
LogicalResult writeRunningStats(NodeContext &ctx, const BatchNormResult &r) {
  if (!r.newMean)
    return success();
  if (failed(ctx.writeArgument("running_mean", r.newMean)) ||
      failed(ctx.writeArgument("running_var", r.newVar)))
    return failure();
  return success();
}

FailureOr<BatchNormResult> batchNorm(NodeContext &ctx, Value x, std::optional<Value> w,
                                     std::optional<Value> b,
                                     std::optional<Value> runningMean,
                                     std::optional<Value> runningVar, bool training,
                                     double momentum, double eps) {
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(x);
  Type ct = computeType(e, t);
  int64_t rank = Emitter::rankOf(x);
  if (rank < 2)
    return ctx.error() << "batch_norm needs an input of rank >= 2";
  Value xc = e.convert(x, ct);
  Sizes shape = e.dims(xc);
  SmallVector<int64_t> dims = {0};
  for (int64_t i = 2; i < rank; ++i)
    dims.push_back(i);
  BatchNormResult r;
  if (training || !runningMean || !runningVar) {
    Normalized n = normalize(e, xc, dims, eps);
    r.y = n.y;
    Sizes c = {e.dim(xc, 1)};
    r.saveMean = e.reshape(n.mean, c);
    r.saveRstd = e.reshape(n.rstd, c);
    if (training && runningMean && runningVar) {
      // Unbiased variance for running_var: var * n / (n - 1).
      Value var = e.variance(xc, dims, 1.0, false);
      Type st = Emitter::elementTypeOf(*runningMean);
      Value rm = e.convert(*runningMean, ct), rv = e.convert(*runningVar, ct);
      r.newMean = e.add(e.mulScalar(rm, 1.0 - momentum), e.mulScalar(r.saveMean, momentum));
      r.newVar = e.add(e.mulScalar(rv, 1.0 - momentum), e.mulScalar(var, momentum));
      r.newMean = e.convert(r.newMean, st);
      r.newVar = e.convert(r.newVar, Emitter::elementTypeOf(*runningVar));
    }
  } else {
    Value rm = e.convert(*runningMean, ct), rv = e.convert(*runningVar, ct);
    Value rstd = e.unary<RsqrtOp>(e.addScalar(rv, eps));
    Value centered = SubOp::create(e.b, e.loc, xc, e.broadcastInDim(rm, shape, {1}));
    r.y = MulOp::create(e.b, e.loc, centered, e.broadcastInDim(rstd, shape, {1}));
    r.saveMean = rm;
    r.saveRstd = rstd;
  }
  r.y = e.convert(affineChannel(e, r.y, w, b), t);
  return r;
}

/// batch_norm (training IR): running stats are updated in place.
LogicalResult convertBatchNorm(NodeContext &ctx) {
  Value x = ctx.tensor("input");
  std::optional<Value> w = ctx.optionalTensor("weight");
  std::optional<Value> b = ctx.optionalTensor("bias");
  std::optional<Value> rm = ctx.optionalTensor("running_mean");
  std::optional<Value> rv = ctx.optionalTensor("running_var");
  bool training = ctx.boolean("training");
  double momentum = ctx.optionalReal("momentum").value_or(0.1);
  double eps = ctx.real("eps");
  if (failed(ctx.check()))
    return failure();
  FailureOr<BatchNormResult> r = batchNorm(ctx, x, w, b, rm, rv, training, momentum, eps);
  if (failed(r) || failed(ctx.bind(0, r->y)))
    return failure();
  return writeRunningStats(ctx, *r);
}

/// native_batch_norm / _native_batch_norm_legit(.no_stats, _no_training,
/// _functional): (out, save_mean, save_rstd[, new_running_mean, new_running_var]).
LogicalResult convertNativeBatchNorm(NodeContext &ctx) {
  Value x = ctx.tensor("input");
  std::optional<Value> w = ctx.optionalTensor("weight");
  std::optional<Value> b = ctx.optionalTensor("bias");
  std::optional<Value> rm, rv;
  if (ctx.get("running_mean")) {
    rm = ctx.optionalTensor("running_mean");
    rv = ctx.optionalTensor("running_var");
  }
  StringRef target = ctx.target();
  bool training = ctx.get("training") ? ctx.boolean("training") : false;
  double momentum = ctx.optionalReal("momentum").value_or(0.1);
  double eps = ctx.real("eps");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  FailureOr<BatchNormResult> r = batchNorm(ctx, x, w, b, rm, rv, training, momentum, eps);
  if (failed(r) || failed(ctx.bind(0, r->y)))
    return failure();
  bool noTraining = target.contains("no_training");
  for (size_t i = 1; i < 3 && i < ctx.numResults(); ++i) {
    if (!ctx.resultUsed(i))
      continue;
    Value v = i == 1 ? r->saveMean : r->saveRstd;
    if (noTraining || !training) {
      // Inference: PyTorch returns empty save_mean / save_rstd.
      RankedTensorType type = ctx.resultType(i);
      if (type.hasStaticShape() && type.getNumElements() == 0) {
        v = e.full(ctx.resultSizes(i), e.scalarAttr(type.getElementType(), 0.0));
      }
    }
    if (failed(ctx.bind(i, v)))
      return failure();
  }
  if (target.contains("functional")) {
    Value newMean = r->newMean ? r->newMean : (rm ? *rm : Value());
    Value newVar = r->newVar ? r->newVar : (rv ? *rv : Value());
    if (ctx.numResults() > 3 && newMean && failed(ctx.bind(3, newMean)))
      return failure();
    if (ctx.numResults() > 4 && newVar && failed(ctx.bind(4, newVar)))
      return failure();
    return success(); // functional: the new stats are results, not writes
  }
  return writeRunningStats(ctx, *r);
}

/// instance_norm: per-sample, per-channel statistics (over the spatial dims).
LogicalResult convertInstanceNorm(NodeContext &ctx) {
  Value x = ctx.tensor("input");
  std::optional<Value> w = ctx.optionalTensor("weight");
  std::optional<Value> b = ctx.optionalTensor("bias");
  bool useInputStats = ctx.boolean("use_input_stats");
  double eps = ctx.real("eps");
  if (failed(ctx.check()))
    return failure();
  if (!useInputStats)
    return ctx.error() << "instance_norm with running statistics is not supported";
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  int64_t rank = Emitter::rankOf(x);
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  Normalized n = normalize(e, e.convert(x, computeType(e, t)), dims, eps);
  return ctx.bind(e.convert(affineChannel(e, n.y, w, b), t));
}

} // namespace

void registerNormalizationOps(OpTable &t) {
  t.add("aten.layer_norm.default", convertLayerNorm);
  t.add("aten.native_layer_norm.default", convertLayerNorm);
  t.add("aten.rms_norm.default", convertRmsNorm);
  t.add("aten._fused_rms_norm.default", convertRmsNorm);
  t.add("aten.group_norm.default", convertGroupNorm);
  t.add("aten.native_group_norm.default", convertGroupNorm);
  t.add("aten.batch_norm.default", convertBatchNorm);
  t.add("aten.native_batch_norm.default", convertNativeBatchNorm);
  t.add("aten._native_batch_norm_legit.default", convertNativeBatchNorm);
  t.add("aten._native_batch_norm_legit.no_stats", convertNativeBatchNorm);
  t.add("aten._native_batch_norm_legit_no_training.default", convertNativeBatchNorm);
  t.add("aten._native_batch_norm_legit_functional.default", convertNativeBatchNorm);
  t.add("aten.instance_norm.default", convertInstanceNorm);
}

} // namespace thunder::importer
