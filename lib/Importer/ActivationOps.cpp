//===- ActivationOps.cpp - activation functions ---------------------------===//
//
// Decompositions follow torch/_decomp/decompositions.py and the ATen kernels:
// relu = max(x, 0) (NaN-propagating), gelu via erf or tanh, hardswish via a
// clamp, softplus with its threshold, elu/selu/celu via expm1.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <cmath>

using namespace mlir;

namespace thunder::importer {
namespace {

/// The input in the result's dtype (floating for the float activations).
Value input(NodeContext &ctx, StringRef name = "self") {
  Value x = ctx.tensor(name);
  if (failed(ctx.check()))
    return {};
  return ctx.emit().convert(x, ctx.resultElementType());
}

LogicalResult convertRelu(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  return ctx.bind(ctx.emit().relu(x));
}

LogicalResult convertRelu6(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  return ctx.bind(ctx.emit().clamp(x, 0.0, 6.0));
}

LogicalResult convertHardtanh(NodeContext &ctx) {
  Value x = input(ctx);
  double lo = ctx.optionalReal("min_val").value_or(-1.0);
  double hi = ctx.optionalReal("max_val").value_or(1.0);
  if (!x || failed(ctx.check()))
    return failure();
  return ctx.bind(ctx.emit().clamp(x, lo, hi));
}

LogicalResult convertLeakyRelu(NodeContext &ctx) {
  Value x = input(ctx);
  double slope = ctx.optionalReal("negative_slope").value_or(0.01);
  if (!x || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Value positive = e.compareScalar(CompareDirection::GT, x, 0.0);
  return ctx.bind(SelectOp::create(e.b, e.loc, x.getType(), positive, x,
                                   e.mulScalar(x, slope))
                      .getResult());
}

/// x > 0 ? scale * x : scale * alpha * expm1(x * inputScale).
Value elu(Emitter &e, Value x, double alpha, double scale, double inputScale) {
  Value positive = e.compareScalar(CompareDirection::GT, x, 0.0);
  Value neg = e.unary<Expm1Op>(e.mulScalar(x, inputScale));
  neg = e.mulScalar(neg, alpha * scale);
  Value pos = scale == 1.0 ? x : e.mulScalar(x, scale);
  return SelectOp::create(e.b, e.loc, x.getType(), positive, pos, neg);
}

LogicalResult convertElu(NodeContext &ctx) {
  Value x = input(ctx);
  double alpha = ctx.optionalReal("alpha").value_or(1.0);
  double scale = ctx.optionalReal("scale").value_or(1.0);
  double inputScale = ctx.optionalReal("input_scale").value_or(1.0);
  if (!x || failed(ctx.check()))
    return failure();
  return ctx.bind(elu(ctx.emit(), x, alpha, scale, inputScale));
}

LogicalResult convertSelu(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  return ctx.bind(elu(ctx.emit(), x, 1.6732632423543772848170429916717,
                      1.0507009873554804934193349852946, 1.0));
}

LogicalResult convertCelu(NodeContext &ctx) {
  Value x = input(ctx);
  double alpha = ctx.optionalReal("alpha").value_or(1.0);
  if (!x || failed(ctx.check()))
    return failure();
  return ctx.bind(elu(ctx.emit(), x, alpha, 1.0, 1.0 / alpha));
}

LogicalResult convertGelu(NodeContext &ctx) {
  Value x = input(ctx);
  std::string approximate = ctx.optionalString("approximate").value_or("none");
  if (!x || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Value inner;
  if (approximate == "tanh") {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    Value x3 = e.mul(e.mul(x, x), x);
    Value y = e.add(x, e.mulScalar(x3, 0.044715));
    inner = e.unary<TanhOp>(e.mulScalar(y, std::sqrt(2.0 / M_PI)));
  } else if (approximate == "none") {
    // 0.5 x (1 + erf(x / sqrt(2)))
    inner = e.unary<ErfOp>(e.mulScalar(x, M_SQRT1_2));
  } else {
    return ctx.error() << "gelu: unknown approximate='" << approximate << "'";
  }
  Value half = e.mulScalar(x, 0.5);
  return ctx.bind(e.mul(half, e.addScalar(inner, 1.0)));
}

LogicalResult convertSilu(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  Emitter &e = ctx.emit();
  return ctx.bind(e.mul(x, e.unary<SigmoidOp>(x)));
}

/// softplus(x) = x * beta > threshold ? x : log1p(exp(x * beta)) / beta.
Value softplus(Emitter &e, Value x, double beta, double threshold) {
  Value bx = beta == 1.0 ? x : e.mulScalar(x, beta);
  Value soft = e.unary<Log1pOp>(e.unary<ExpOp>(bx));
  if (beta != 1.0)
    soft = e.binaryScalar<DivOp>(soft, beta);
  Value linear = e.compareScalar(CompareDirection::GT, bx, threshold);
  return SelectOp::create(e.b, e.loc, x.getType(), linear, x, soft);
}

LogicalResult convertSoftplus(NodeContext &ctx) {
  Value x = input(ctx);
  double beta = ctx.optionalReal("beta").value_or(1.0);
  double threshold = ctx.optionalReal("threshold").value_or(20.0);
  if (!x || failed(ctx.check()))
    return failure();
  return ctx.bind(softplus(ctx.emit(), x, beta, threshold));
}

LogicalResult convertMish(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  Emitter &e = ctx.emit();
  return ctx.bind(e.mul(x, e.unary<TanhOp>(softplus(e, x, 1.0, 20.0))));
}

/// relu6(x + 3) / 6
Value hardsigmoid(Emitter &e, Value x) {
  Value c = e.clamp(e.addScalar(x, 3.0), 0.0, 6.0);
  return e.binaryScalar<DivOp>(c, 6.0);
}

LogicalResult convertHardsigmoid(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  return ctx.bind(hardsigmoid(ctx.emit(), x));
}

LogicalResult convertHardswish(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  Emitter &e = ctx.emit();
  // x * relu6(x + 3) / 6, in the order PyTorch computes it.
  Value c = e.clamp(e.addScalar(x, 3.0), 0.0, 6.0);
  return ctx.bind(e.binaryScalar<DivOp>(e.mul(x, c), 6.0));
}

LogicalResult convertLogSigmoid(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  Emitter &e = ctx.emit();
  // min(0, x) - log1p(exp(-|x|))
  Value m = e.binaryScalar<MinOp>(x, 0.0);
  Value t = e.unary<Log1pOp>(e.unary<ExpOp>(e.unary<NegOp>(e.unary<AbsOp>(x))));
  return ctx.bind(e.sub(m, t));
}

LogicalResult convertLogSigmoidForward(NodeContext &ctx) {
  // (output, buffer): the buffer is an implementation detail.
  if (failed(convertLogSigmoid(ctx)))
    return failure();
  if (ctx.resultUsed(1))
    return ctx.error() << "the buffer output of log_sigmoid_forward is not supported";
  return success();
}

LogicalResult convertGlu(NodeContext &ctx) {
  Value x = input(ctx);
  int64_t dim = ctx.optionalInteger("dim").value_or(-1);
  if (!x || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(x), DimRange::Existing);
  if (failed(d))
    return failure();
  dim = *d;
  int64_t n = Emitter::shapeOf(x)[dim];
  if (ShapedType::isDynamic(n) || n % 2)
    return ctx.error() << "glu needs an even, static extent along dim " << dim;
  Value a = e.slice(x, dim, 0, n / 2), b = e.slice(x, dim, n / 2, n);
  return ctx.bind(e.mul(a, e.unary<SigmoidOp>(b)));
}

LogicalResult convertThreshold(NodeContext &ctx) {
  Value x = input(ctx);
  double threshold = ctx.real("threshold");
  double value = ctx.real("value");
  if (!x || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Value keep = e.compareScalar(CompareDirection::GT, x, threshold);
  return ctx.bind(SelectOp::create(e.b, e.loc, x.getType(), keep, x,
                                   e.splatLike(value, x))
                      .getResult());
}

LogicalResult convertSoftsign(NodeContext &ctx) {
  Value x = input(ctx);
  if (!x)
    return failure();
  Emitter &e = ctx.emit();
  return ctx.bind(e.div(x, e.addScalar(e.unary<AbsOp>(x), 1.0)));
}

LogicalResult convertHardshrink(NodeContext &ctx) {
  Value x = input(ctx);
  double lambd = ctx.optionalReal("lambd").value_or(0.5);
  if (!x || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Value keep = e.compareScalar(CompareDirection::GT, e.unary<AbsOp>(x), lambd);
  return ctx.bind(SelectOp::create(e.b, e.loc, x.getType(), keep, x,
                                   e.splatLike(0.0, x))
                      .getResult());
}

/// rrelu outside training: leaky_relu with the mean slope. Random slopes
/// (training) are refused.
LogicalResult convertRrelu(NodeContext &ctx) {
  Value x = input(ctx);
  double lower = ctx.optionalReal("lower").value_or(0.125);
  double upper = ctx.optionalReal("upper").value_or(1.0 / 3.0);
  bool training = ctx.optionalBoolean("training").value_or(false);
  std::optional<Value> noise =
      ctx.get("noise") ? std::optional<Value>(ctx.tensor("noise")) : std::nullopt;
  if (!x || failed(ctx.check()))
    return failure();
  if (training)
    return ctx.error() << "rrelu in training mode draws random slopes, which is not "
                          "supported";
  Emitter &e = ctx.emit();
  Value positive = e.compareScalar(CompareDirection::GE, x, 0.0);
  Value y = SelectOp::create(e.b, e.loc, x.getType(), positive, x,
                             e.mulScalar(x, (lower + upper) / 2.0));
  if (failed(ctx.bind(0, y)))
    return failure();
  if (ctx.numResults() > 1 && noise)
    return ctx.bind(1, *noise);
  return success();
}

/// logit(x, eps): log(x / (1 - x)) with x clamped to [eps, 1 - eps].
LogicalResult convertLogit(NodeContext &ctx) {
  Value x = input(ctx);
  std::optional<double> eps = ctx.optionalReal("eps");
  if (!x || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  if (eps)
    x = e.clamp(x, *eps, 1.0 - *eps);
  return ctx.bind(e.unary<LogOp>(e.div(x, e.scalarBinary<SubOp>(1.0, x))));
}

/// prelu(x, w): w has one entry per channel (dim 1) or one entry.
LogicalResult convertPrelu(NodeContext &ctx) {
  Value x = input(ctx);
  Value w = ctx.tensor("weight");
  if (!x || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  w = e.convert(w, Emitter::elementTypeOf(x));
  Sizes shape = e.dims(x);
  if (Emitter::rankOf(w) == 1 && Emitter::rankOf(x) >= 2 &&
      Emitter::shapeOf(w)[0] != 1)
    w = e.broadcastInDim(w, shape, {1});
  else
    w = e.broadcastTo(e.reshape(w, Sizes{}), shape);
  Value positive = e.compareScalar(CompareDirection::GT, x, 0.0);
  return ctx.bind(SelectOp::create(e.b, e.loc, x.getType(), positive, x,
                                   MulOp::create(e.b, e.loc, x, w))
                      .getResult());
}

} // namespace

void registerActivationOps(OpTable &t) {
  t.addWithInPlace("relu", "default", convertRelu);
  t.addWithInPlace("relu6", "default", convertRelu6);
  t.addWithInPlace("hardtanh", "default", convertHardtanh);
  t.addWithInPlace("leaky_relu", "default", convertLeakyRelu);
  t.addWithInPlace("elu", "default", convertElu);
  t.addWithInPlace("selu", "default", convertSelu);
  t.addWithInPlace("celu", "default", convertCelu);
  t.addWithInPlace("gelu", "default", convertGelu);
  t.addWithInPlace("silu", "default", convertSilu);
  t.addWithInPlace("mish", "default", convertMish);
  t.add("aten.softplus.default", convertSoftplus);
  t.addWithInPlace("hardsigmoid", "default", convertHardsigmoid);
  t.addWithInPlace("hardswish", "default", convertHardswish);
  t.add("aten.log_sigmoid.default", convertLogSigmoid);
  t.add("aten.log_sigmoid_forward.default", convertLogSigmoidForward);
  t.add("aten.glu.default", convertGlu);
  t.addWithInPlace("threshold", "default", convertThreshold);
  t.add("aten.softsign.default", convertSoftsign);
  t.add("aten.hardshrink.default", convertHardshrink);
  t.add("aten.prelu.default", convertPrelu);
  t.add("aten.rrelu.default", convertRrelu);
  t.add("aten.rrelu_with_noise.default", convertRrelu);
  t.add("aten.rrelu_with_noise_functional.default", convertRrelu);
  t.addWithInPlace("logit", "default", convertLogit);
  t.add("aten._prelu_kernel.default", convertPrelu);
}

} // namespace thunder::importer
