//===- ReductionOps.cpp - reductions, scans, softmax ----------------------===//
//
// Reductions take a dim list (empty or None = all dims), keepdim and an
// optional dtype; the input is converted to the result dtype first (sum of
// bools and ints accumulates in int64, as PyTorch does). Softmax and the norms
// of half-precision inputs compute in float32.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace thunder::importer {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The dims of `x` that the node reduces, from its `dim` (or `dims`)
/// argument, checked and sorted: all dims when it is absent, None or empty,
/// none for a rank-0 input. Failures go to `ctx.check()`.
SmallVector<int64_t> reducedDims(NodeContext &ctx, Value x) {
  if (!x)
    return {};
  int64_t rank = Emitter::rankOf(x);
  for (StringRef name : {"dim", "dims"}) {
    const pt2::Argument *a = ctx.get(name);
    if (!a)
      continue;
    if (a->isNone())
      break;
    SmallVector<int64_t> given = ctx.integers(name);
    if (given.empty())
      break;
    FailureOr<SmallVector<int64_t>> dims = ctx.dims(given, rank, DimRange::Wrapped, name);
    // A rank-0 input "reduces" dim 0 (or -1) to itself.
    if (failed(dims) || rank == 0)
      return {};
    llvm::sort(*dims);
    return *dims;
  }
  return llvm::to_vector(llvm::seq<int64_t>(0, rank));
}

/// Rank-0 inputs: reductions are the identity (after the dtype conversion).
template <typename OpTy>
LogicalResult reduction(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> reduced = reducedDims(ctx, x);
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  x = e.convert(x, ctx.resultElementType());
  if (reduced.empty())
    return ctx.bind(x);
  return ctx.bind(e.reduce<OpTy>(x, reduced, keepdim));
}

/// amax/amin/max/min of a whole tensor: empty dims mean all.
template <typename OpTy>
LogicalResult extremum(NodeContext &ctx) {
  return reduction<OpTy>(ctx);
}

LogicalResult convertMean(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> reduced = reducedDims(ctx, x);
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  if (!isFloat(t))
    return ctx.error() << "mean needs a floating-point result, got " << t;
  // Half precision accumulates in float32.
  Type acc = t.getIntOrFloatBitWidth() < 32 ? e.f32() : t;
  x = e.convert(x, acc);
  if (reduced.empty())
    return ctx.bind(e.convert(x, t));
  return ctx.bind(e.convert(e.mean(x, reduced, keepdim), t));
}

/// any/all: the input as bool, then or/and.
template <typename OpTy>
LogicalResult boolReduction(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> reduced = reducedDims(ctx, x);
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  if (!isBool(Emitter::elementTypeOf(x)))
    x = e.compareScalar(CompareDirection::NE, x, 0.0);
  if (reduced.empty())
    return ctx.bind(x);
  return ctx.bind(e.reduce<OpTy>(x, reduced, keepdim));
}

/// argmax/argmin (dim None = over the flattened tensor).
template <typename OpTy>
LogicalResult argReduction(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  std::optional<int64_t> dim = ctx.optionalInteger("dim");
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  Type idx = e.i64();
  if (!dim) {
    Value flat = e.flatten(x, 0, std::max<int64_t>(rank - 1, 0));
    Value r = OpTy::create(e.b, e.loc, RankedTensorType::get({}, idx), flat,
                            uint64_t(0), false);
    if (keepdim)
      r = e.reshape(r, SmallVector<int64_t>(rank, 1));
    return ctx.bind(r);
  }
  FailureOr<int64_t> checked = ctx.dim(*dim, rank);
  if (failed(checked))
    return failure();
  if (rank == 0)
    return ctx.bind(e.scalarInt(idx, 0));
  int64_t d = *checked;
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (i != d)
      shape.push_back(Emitter::shapeOf(x)[i]);
    else if (keepdim)
      shape.push_back(1);
  return ctx.bind(
      OpTy::create(e.b, e.loc, RankedTensorType::get(shape, idx), x, d, keepdim)
          .getResult());
}

/// max.dim / min.dim: (values, indices).
template <typename ReduceTy, typename ArgTy>
LogicalResult extremumWithIndex(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.integer("dim");
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  FailureOr<int64_t> checked = ctx.dim(dim, rank);
  if (failed(checked))
    return failure();
  int64_t d = *checked;
  if (rank == 0) {
    return ctx.bindScalarSelection(x);
  }
  if (failed(ctx.bind(0, e.reduce<ReduceTy>(x, {d}, keepdim))))
    return failure();
  if (!ctx.resultUsed(1))
    return success();
  return ctx.bind(1, ArgTy::create(e.b, e.loc, ctx.resultType(1), x, d, keepdim)
                         .getResult());
}

/// var / std with correction (var.correction, var.dim with unbiased, var.default).
LogicalResult varianceImpl(NodeContext &ctx, bool takeSqrt, bool withMean) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> reduced = reducedDims(ctx, x);
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  double correction = 1.0;
  if (ctx.get("correction") && !ctx.isNone("correction"))
    correction = ctx.real("correction");
  else if (ctx.get("unbiased") && !ctx.isNone("unbiased"))
    correction = ctx.boolean("unbiased") ? 1.0 : 0.0;
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType(0);
  Type acc = t.getIntOrFloatBitWidth() < 32 ? e.f32() : t;
  x = e.convert(x, acc);
  Value v = e.variance(x, reduced, correction, keepdim);
  if (takeSqrt)
    v = e.unary<SqrtOp>(v);
  if (failed(ctx.bind(0, e.convert(v, t))))
    return failure();
  if (withMean)
    return ctx.bind(1, e.convert(e.mean(x, reduced, keepdim), t));
  return success();
}

LogicalResult convertVar(NodeContext &ctx) { return varianceImpl(ctx, false, false); }
LogicalResult convertStd(NodeContext &ctx) { return varianceImpl(ctx, true, false); }
LogicalResult convertVarMean(NodeContext &ctx) { return varianceImpl(ctx, false, true); }
LogicalResult convertStdMean(NodeContext &ctx) { return varianceImpl(ctx, true, true); }

LogicalResult convertLogsumexp(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> reduced = reducedDims(ctx, x);
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  x = e.convert(x, t);
  if (reduced.empty())
    return ctx.bind(x);
  return ctx.bind(e.logsumexp(x, reduced, keepdim));
}

/// p-norms: norm.Scalar, norm.ScalarOpt_dim, linalg_vector_norm.
LogicalResult convertNorm(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  StringRef pName = ctx.get("ord") ? "ord" : "p";
  double p = ctx.isNone(pName) ? 2.0 : ctx.real(pName);
  SmallVector<int64_t> reduced = reducedDims(ctx, x);
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  Type acc = t.getIntOrFloatBitWidth() < 32 ? e.f32() : t;
  x = e.convert(x, acc);
  Value a = e.unary<AbsOp>(x);
  Value r;
  if (p == kInf)
    r = e.reduce<ReduceMaxOp>(a, reduced, keepdim);
  else if (p == -kInf)
    r = e.reduce<ReduceMinOp>(a, reduced, keepdim);
  else if (p == 0.0)
    r = e.sum(e.convert(e.compareScalar(CompareDirection::NE, x, 0.0), acc),
              reduced, keepdim);
  else if (p == 1.0)
    r = e.sum(a, reduced, keepdim);
  else if (p == 2.0)
    r = e.unary<SqrtOp>(e.sum(e.mul(x, x), reduced, keepdim));
  else
    r = e.binaryScalar<PowOp>(e.sum(e.binaryScalar<PowOp>(a, p), reduced, keepdim),
                              1.0 / p);
  return ctx.bind(e.convert(r, t));
}

/// _weight_norm(v, g, dim) = v * g / ||v||, the 2-norm over every dimension but
/// `dim` (all of them for dim = -1), kept as size-1 dimensions: torch's
/// norm_except_dim. nn.utils.weight_norm (wav2vec2's and HuBERT's positional
/// convolution). _weight_norm_interface also returns the norms.
LogicalResult convertWeightNorm(NodeContext &ctx) {
  Value v = ctx.tensor("v");
  Value g = ctx.tensor("g");
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(v);
  SmallVector<int64_t> reduced;
  for (int64_t d = 0; d < rank; ++d)
    if (dim == -1 || d != (dim < 0 ? dim + rank : dim))
      reduced.push_back(d);
  Type t = ctx.resultElementType();
  Type acc = t.getIntOrFloatBitWidth() < 32 ? e.f32() : t;
  Value x = e.convert(v, acc);
  Value norm = e.unary<SqrtOp>(e.sum(e.mul(x, x), reduced, /*keepdim=*/true));
  Value w = e.convert(e.mul(x, e.div(e.convert(g, acc), norm)), t);
  if (failed(ctx.bind(0, w)))
    return failure();
  if (ctx.numResults() > 1 && ctx.resultUsed(1))
    return ctx.bind(1, e.convert(norm, ctx.resultElementType(1)));
  return success();
}

/// A scan of self along dim in the result's type: `step(x, dim)` on the
/// converted input; a rank-0 input is its own scan.
LogicalResult scanWith(NodeContext &ctx, llvm::function_ref<Value(Emitter &, Value, int64_t)> step) {
  FailureOr<NodeContext::TensorAlongDim> a = ctx.selfAlongDim();
  if (failed(a))
    return failure();
  Emitter &e = ctx.emit();
  Value x = e.convert(a->x, ctx.resultElementType());
  if (Emitter::rankOf(x) == 0)
    return ctx.bind(x);
  return ctx.bind(step(e, x, a->dim));
}

/// cumsum / cumprod (dtype), cummax / cummin (values, indices).
template <typename OpTy>
LogicalResult scan(NodeContext &ctx) {
  return scanWith(ctx, [](Emitter &e, Value x, int64_t dim) {
    return OpTy::create(e.b, e.loc, x, dim).getResult();
  });
}

/// logcumsumexp(x, dim) = m + log(cumsum(exp(x - m))), m the maximum over
/// dim (a constant shift: the same value, no overflow of exp).
LogicalResult convertLogcumsumexp(NodeContext &ctx) {
  return scanWith(ctx, [](Emitter &e, Value x, int64_t dim) {
    Value m = e.broadcastTo(e.reduce<ReduceMaxOp>(x, {dim}, true), e.dims(x));
    Value sums = CumSumOp::create(e.b, e.loc, e.unary<ExpOp>(e.sub(x, m)), dim).getResult();
    return e.add(e.unary<LogOp>(sums), m);
  });
}

/// The indices of cummax/cummin: the last position j <= i where x[j] equals
/// the running extremum at j (PyTorch takes the latest of equal values).
template <typename OpTy>
LogicalResult scanWithIndex(NodeContext &ctx) {
  FailureOr<NodeContext::TensorAlongDim> a = ctx.selfAlongDim();
  if (failed(a))
    return failure();
  Value x = a->x;
  int64_t d = a->dim;
  Emitter &e = ctx.emit();
  if (Emitter::rankOf(x) == 0)
    return ctx.bindScalarSelection(x);
  Value values = OpTy::create(e.b, e.loc, x, d);
  if (failed(ctx.bind(0, values)))
    return failure();
  if (!ctx.resultUsed(1))
    return success();
  Value hit = CompareOp::create(e.b, e.loc, CompareDirection::EQ, x, values);
  Value pos = e.iota(e.dims(x), e.i64(), d);
  Value marked = SelectOp::create(e.b, e.loc, pos.getType(), hit, pos,
                                  e.splatLike(0.0, pos));
  return ctx.bind(1, CumMaxOp::create(e.b, e.loc, marked, d).getResult());
}

/// softmax / log_softmax / _softmax / _log_softmax.
template <bool Log>
LogicalResult softmax(NodeContext &ctx) {
  FailureOr<NodeContext::TensorAlongDim> a = ctx.selfAlongDim();
  if (failed(a))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  Type acc = t.getIntOrFloatBitWidth() < 32 ? e.f32() : t;
  Value x = e.convert(a->x, acc);
  if (Emitter::rankOf(x) == 0)
    return ctx.bind(e.convert(Log ? e.splatLike(0.0, x) : e.splatLike(1.0, x), t));
  return ctx.bind(e.convert(e.softmax(x, a->dim, Log), t));
}

LogicalResult convertCountNonzero(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> reduced = reducedDims(ctx, x);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Value nz = e.convert(e.compareScalar(CompareDirection::NE, x, 0.0), e.i64());
  if (reduced.empty())
    return ctx.bind(nz);
  return ctx.bind(e.sum(nz, reduced, false));
}

} // namespace

void registerReductionOps(OpTable &t) {
  t.add("aten.sum.default", reduction<ReduceSumOp>);
  t.add("aten.sum.dim_IntList", reduction<ReduceSumOp>);
  t.add("aten.prod.default", reduction<ReduceProdOp>);
  t.add("aten.prod.dim_int", reduction<ReduceProdOp>);
  t.add("aten.mean.default", convertMean);
  t.add("aten.mean.dim", convertMean);
  t.add("aten.amax.default", extremum<ReduceMaxOp>);
  t.add("aten.amin.default", extremum<ReduceMinOp>);
  t.add("aten.max.default", extremum<ReduceMaxOp>);
  t.add("aten.min.default", extremum<ReduceMinOp>);
  t.add("aten.max.dim", extremumWithIndex<ReduceMaxOp, ArgMaxOp>);
  t.add("aten.min.dim", extremumWithIndex<ReduceMinOp, ArgMinOp>);
  t.add("aten.argmax.default", argReduction<ArgMaxOp>);
  t.add("aten.argmin.default", argReduction<ArgMinOp>);
  t.add("aten.any.default", boolReduction<ReduceOrOp>);
  t.add("aten.any.dim", boolReduction<ReduceOrOp>);
  t.add("aten.any.dims", boolReduction<ReduceOrOp>);
  t.add("aten.all.default", boolReduction<ReduceAndOp>);
  t.add("aten.all.dim", boolReduction<ReduceAndOp>);
  t.add("aten.all.dims", boolReduction<ReduceAndOp>);
  for (const char *overload : {"default", "dim", "correction"}) {
    t.add(std::string("aten.var.") + overload, convertVar);
    t.add(std::string("aten.std.") + overload, convertStd);
    t.add(std::string("aten.var_mean.") + overload, convertVarMean);
    t.add(std::string("aten.std_mean.") + overload, convertStdMean);
  }
  t.add("aten.logsumexp.default", convertLogsumexp);
  t.add("aten.norm.Scalar", convertNorm);
  t.add("aten.norm.ScalarOpt_dim", convertNorm);
  t.add("aten.linalg_vector_norm.default", convertNorm);
  t.add("aten._weight_norm.default", convertWeightNorm);
  t.add("aten._weight_norm_interface.default", convertWeightNorm);
  t.add("aten.count_nonzero.default", convertCountNonzero);
  t.add("aten.count_nonzero.dim_IntList", convertCountNonzero);
  t.addWithInPlace("cumsum", "default", scan<CumSumOp>);
  t.addWithInPlace("cumprod", "default", scan<CumProdOp>);
  t.add("aten.logcumsumexp.default", convertLogcumsumexp);
  t.add("aten.cummax.default", scanWithIndex<CumMaxOp>);
  t.add("aten.cummin.default", scanWithIndex<CumMinOp>);
  t.add("aten.softmax.int", softmax<false>);
  t.add("aten._softmax.default", softmax<false>);
  t.add("aten.log_softmax.int", softmax<true>);
  t.add("aten._log_softmax.default", softmax<true>);
  t.add("aten.special_softmax.default", softmax<false>);
  t.add("aten.special_log_softmax.default", softmax<true>);
}

} // namespace thunder::importer
