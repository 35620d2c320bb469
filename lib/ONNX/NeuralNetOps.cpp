//===- NeuralNetOps.cpp - ONNX convolution, pooling, normalization --------===//
//
// Conv and the pools become the thunder ops kept whole for libraries
// (convolution, max_pool, avg_pool); their windows come from kernel_shape,
// strides, dilations, pads / auto_pad and ceil_mode (as extra high padding,
// not counted by an average). Normalizations are decomposed as the .pt2
// importer decomposes them.
//
//===----------------------------------------------------------------------===//
#include "Decompositions.h"
#include "ONNXOpTable.h"
#include "QuantizedValues.h"
#include "StoredIntegers.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

struct Window {
  SmallVector<int64_t> kernel, stride, dilation, padLow, padHigh;
  /// The padding the model asked for (without ceil_mode's extra).
  SmallVector<int64_t> userLow, userHigh;
  SmallVector<int64_t> outSizes;
};

/// The window over the spatial axes of `x` (static extents).
FailureOr<Window> readWindow(ONNXNode &n, Value x, ArrayRef<int64_t> kernel, bool ceilMode) {
  int64_t spatial = int64_t(kernel.size());
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.stride = n.intsAttr("strides", SmallVector<int64_t>(size_t(spatial), 1));
  w.dilation = n.intsAttr("dilations", SmallVector<int64_t>(size_t(spatial), 1));
  SmallVector<int64_t> pads = n.intsAttr("pads", SmallVector<int64_t>(size_t(2 * spatial), 0));
  std::string autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (failed(n.check()))
    return failure();
  if (int64_t(w.stride.size()) != spatial || int64_t(w.dilation.size()) != spatial ||
      int64_t(pads.size()) != 2 * spatial)
    return n.error() << "strides, dilations and pads need " << spatial << ", " << spatial
                     << " and " << 2 * spatial << " entries",
           failure();
  if (Emitter::rankOf(x) != spatial + 2)
    return n.error() << "the input of rank " << Emitter::rankOf(x) << " does not match a "
                     << spatial << "-d window",
           failure();
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t in = Emitter::shapeOf(x)[size_t(d + 2)];
    int64_t k = w.kernel[size_t(d)], s = w.stride[size_t(d)], dil = w.dilation[size_t(d)];
    if (in == ShapedType::kDynamic)
      return n.error() << "spatial axis " << d + 2 << " is dynamic; thunderc needs static "
                                                     "image sizes for this op",
             failure();
    if (k < 1 || s < 1 || dil < 1 || k > (1 << 20) || s > (1 << 20) || dil > (1 << 20))
      return n.error() << "kernel, strides and dilations must be in 1..2^20", failure();
    int64_t lo = pads[size_t(d)], hi = pads[size_t(d + spatial)];
    int64_t span = dil * (k - 1) + 1;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + span - in);
      lo = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      hi = total - lo;
    } else if (autoPad == "VALID") {
      lo = hi = 0;
    } else if (autoPad != "NOTSET") {
      return n.error() << "auto_pad '" << autoPad << "' is not one of NOTSET, SAME_UPPER, "
                                                     "SAME_LOWER, VALID",
             failure();
    }
    if (lo < 0 || hi < 0 || lo > (1 << 20) || hi > (1 << 20))
      return n.error() << "pads must be in 0..2^20", failure();
    int64_t room = in + lo + hi - span;
    if (room < 0)
      return n.error() << "the window (" << span << ") is larger than the padded input ("
                       << in + lo + hi << ") on spatial axis " << d,
             failure();
    int64_t out = ceilMode ? (room + s - 1) / s + 1 : room / s + 1;
    if (ceilMode && (out - 1) * s >= in + lo) // the last window must start inside
      --out;
    w.userLow.push_back(lo);
    w.userHigh.push_back(hi);
    w.padLow.push_back(lo);
    w.padHigh.push_back(std::max(hi, (out - 1) * s + span - in - lo));
    w.outSizes.push_back(out);
  }
  return w;
}

/// [N, C', out...] with N from `x`.
RankedTensorType windowResultType(Value x, int64_t channels, const Window &w) {
  SmallVector<int64_t> shape = {Emitter::shapeOf(x)[0], channels};
  llvm::append_range(shape, w.outSizes);
  return RankedTensorType::get(shape, Emitter::elementTypeOf(x));
}

/// A (transposed) convolution through the builder the .pt2 importer uses.
LogicalResult convolve(ONNXNode &n, Value x, Value wt, std::optional<Value> bias,
                       importer::ConvParams p) {
  FailureOr<Value> y = importer::buildConvolution(n.emit(), [&] { return n.error(); }, x, wt,
                                                  bias, p, Emitter::elementTypeOf(x));
  if (failed(y))
    return failure();
  return n.bind(*y);
}

/// Conv's window (kernel from the weight, strides, dilations, pads, group).
FailureOr<importer::ConvParams> convParams(ONNXNode &n, Value x, Value wt) {
  int64_t groups = n.intAttr("group", 1);
  if (failed(n.check()))
    return failure();
  auto wShape = Emitter::shapeOf(wt);
  if (!Emitter::typeOf(wt).hasStaticShape() || wShape.size() < 3)
    return n.error() << "the weight must have a static shape of rank >= 3", failure();
  FailureOr<Window> w = readWindow(n, x, wShape.drop_front(2), /*ceilMode=*/false);
  if (failed(w))
    return failure();
  importer::ConvParams p;
  p.stride = w->stride;
  p.dilation = w->dilation;
  p.padLow = w->userLow;
  p.padHigh = w->userHigh;
  p.outputPadding.assign(w->kernel.size(), 0);
  p.groups = groups;
  return p;
}

LogicalResult conv(ONNXNode &n) {
  Value x = n.input(0), wt = n.input(1);
  std::optional<Value> bias = n.optionalInput(2);
  if (failed(n.check()))
    return failure();
  FailureOr<importer::ConvParams> p = convParams(n, x, wt);
  if (failed(p))
    return failure();
  return convolve(n, x, wt, bias, *p);
}

/// A weight's per-output-channel scale or zero point ([C_out]) laid along
/// axis 0 of `y`'s layout [N, C_out, ...] or the weight's [C_out, ...].
Value perChannel(Emitter &e, Value v, int64_t axis, int64_t rank) {
  if (Emitter::rankOf(v) == 0 || Emitter::typeOf(v).getNumElements() == 1)
    return e.reshape(v, ArrayRef<int64_t>{});
  SmallVector<int64_t> shape(size_t(rank), 1);
  shape[size_t(axis)] = Emitter::shapeOf(v)[0];
  return e.reshape(v, shape);
}

/// The convolution of centred quantized operands, exact in float64.
FailureOr<Value> centredConvolution(ONNXNode &n, Value x, std::optional<Value> xZero,
                                    size_t xZeroInput, Value wt, std::optional<Value> wZero,
                                    size_t wInput, size_t wZeroInput, std::optional<Value> bias) {
  for (std::optional<Value> zp : {xZero, wZero})
    if (zp && !Emitter::typeOf(*zp).hasStaticShape())
      return n.error() << "zero points need static shapes", failure();
  FailureOr<importer::ConvParams> p = convParams(n, x, wt);
  if (failed(p))
    return failure();
  Emitter &e = n.emit();
  Type f64 = e.b.getF64Type();
  if (wZero)
    wZero = perChannel(e, *wZero, 0, Emitter::rankOf(wt));
  Value cx = centred(e, x, n.inputFormat(0), xZero, n.inputFormat(xZeroInput), f64);
  Value cw = centred(e, wt, n.inputFormat(wInput), wZero, n.inputFormat(wZeroInput), f64);
  if (bias)
    bias = e.convert(*bias, f64);
  return importer::buildConvolution(e, [&] { return n.error(); }, cx, cw, bias, *p, f64);
}

LogicalResult convInteger(ONNXNode &n) {
  Value x = n.input(0), wt = n.input(1);
  std::optional<Value> xZero = n.optionalInput(2), wZero = n.optionalInput(3);
  if (failed(n.check()))
    return failure();
  FailureOr<Value> y = centredConvolution(n, x, xZero, 2, wt, wZero, 1, 3, std::nullopt);
  if (failed(y))
    return failure();
  return n.bind(0, n.emit().convert(*y, n.emit().b.getI32Type()), {});
}

/// y = saturate(round(conv(x - x_zero, w - w_zero) + B) * x_scale * w_scale / y_scale + y_zero).
LogicalResult qlinearConv(ONNXNode &n) {
  Value x = n.input(0), xScale = n.input(1), xZero = n.input(2);
  Value wt = n.input(3), wScale = n.input(4), wZero = n.input(5);
  Value yScale = n.input(6), yZero = n.input(7);
  std::optional<Value> bias = n.optionalInput(8);
  if (failed(n.check()))
    return failure();
  if (!Emitter::typeOf(wScale).hasStaticShape())
    return n.error() << "w_scale needs a static shape";
  FailureOr<Value> y = centredConvolution(n, x, xZero, 2, wt, wZero, 3, 5, bias);
  if (failed(y))
    return failure();
  Emitter &e = n.emit();
  Value multiplier =
      e.div(e.mul(xScale, perChannel(e, wScale, 1, Emitter::rankOf(*y))), yScale);
  Value real = e.mul(*y, e.convert(multiplier, e.b.getF64Type()));
  real = e.add(real, castValue(e, yZero, n.inputFormat(7), e.b.getF64Type(), {}, false));
  IntegerFormat format = n.inputFormat(7);
  return n.bind(0, saturateToInteger(e, real, Emitter::elementTypeOf(yZero), format), format);
}

/// ConvTranspose: pads, or output_shape / auto_pad giving the total padding.
LogicalResult convTranspose(ONNXNode &n) {
  Value x = n.input(0), wt = n.input(1);
  std::optional<Value> bias = n.optionalInput(2);
  if (failed(n.check()))
    return failure();
  auto wShape = Emitter::shapeOf(wt);
  if (!Emitter::typeOf(wt).hasStaticShape() || wShape.size() < 3)
    return n.error() << "the weight must have a static shape of rank >= 3";
  size_t spatial = wShape.size() - 2;
  importer::ConvParams p;
  p.transposed = true;
  p.groups = n.intAttr("group", 1);
  p.stride = n.intsAttr("strides", SmallVector<int64_t>(spatial, 1));
  p.dilation = n.intsAttr("dilations", SmallVector<int64_t>(spatial, 1));
  p.outputPadding = n.intsAttr("output_padding", SmallVector<int64_t>(spatial, 0));
  SmallVector<int64_t> pads = n.intsAttr("pads", SmallVector<int64_t>(2 * spatial, 0));
  SmallVector<int64_t> outputShape = n.intsAttr("output_shape");
  std::string autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (failed(n.check()))
    return failure();
  if (p.stride.size() != spatial || p.dilation.size() != spatial ||
      p.outputPadding.size() != spatial || pads.size() != 2 * spatial ||
      Emitter::rankOf(x) != int64_t(spatial) + 2)
    return n.error() << "strides, dilations, output_padding and pads do not match a "
                     << spatial << "-d kernel and the input";
  p.padLow.assign(pads.begin(), pads.begin() + spatial);
  p.padHigh.assign(pads.begin() + spatial, pads.end());
  bool fromShape = !outputShape.empty();
  if (fromShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    if (fromShape && outputShape.size() != spatial)
      outputShape = SmallVector<int64_t>(ArrayRef(outputShape).take_back(spatial));
    for (size_t d = 0; d < spatial; ++d) {
      int64_t in = Emitter::shapeOf(x)[d + 2];
      if (in == ShapedType::kDynamic)
        return n.error() << "output_shape / auto_pad need static spatial sizes";
      int64_t out = fromShape ? outputShape[d] : in * p.stride[d];
      int64_t total = p.stride[d] * (in - 1) + p.outputPadding[d] +
                      (wShape[d + 2] - 1) * p.dilation[d] + 1 - out;
      int64_t half = total / 2;
      bool lowGetsLess = autoPad != "SAME_LOWER";
      p.padLow[d] = lowGetsLess ? half : total - half;
      p.padHigh[d] = lowGetsLess ? total - half : half;
    }
  }
  return convolve(n, x, wt, bias, p);
}

/// A dilated average pool as the sum of its kernel's strided taps of the
/// zero-padded input, divided by the count of counted taps (the same sum over
/// ones padded with 1 where padding counts, 0 where not).
Value dilatedAveragePool(Emitter &e, Value x, const Window &w, bool countPad) {
  int64_t spatial = int64_t(w.kernel.size()), rank = Emitter::rankOf(x);
  Type t = Emitter::elementTypeOf(x);
  SmallVector<int64_t> low(size_t(rank), 0), high(low), userLow(low), userHigh(low), extra(low);
  for (int64_t d = 0; d < spatial; ++d) {
    low[size_t(d + 2)] = w.padLow[size_t(d)];
    high[size_t(d + 2)] = w.padHigh[size_t(d)];
    userLow[size_t(d + 2)] = w.userLow[size_t(d)];
    userHigh[size_t(d + 2)] = w.userHigh[size_t(d)];
    extra[size_t(d + 2)] = w.padHigh[size_t(d)] - w.userHigh[size_t(d)];
  }
  Value padded = e.pad(x, e.scalar(t, 0.0), low, high);
  Value ones = e.splatLike(1.0, x);
  Value counted = countPad ? e.pad(e.pad(ones, e.scalar(t, 1.0), userLow, userHigh),
                                   e.scalar(t, 0.0), SmallVector<int64_t>(size_t(rank), 0), extra)
                           : e.pad(ones, e.scalar(t, 0.0), low, high);
  Value sum, count;
  SmallVector<int64_t> tap(size_t(spatial), 0);
  while (true) {
    Value a = padded, c = counted;
    for (int64_t d = 0; d < spatial; ++d) {
      int64_t start = tap[size_t(d)] * w.dilation[size_t(d)];
      int64_t limit = start + (w.outSizes[size_t(d)] - 1) * w.stride[size_t(d)] + 1;
      a = e.slice(a, d + 2, start, limit, w.stride[size_t(d)]);
      c = e.slice(c, d + 2, start, limit, w.stride[size_t(d)]);
    }
    sum = sum ? e.add(sum, a) : a;
    count = count ? e.add(count, c) : c;
    int64_t d = spatial - 1; // next kernel position
    while (d >= 0 && ++tap[size_t(d)] == w.kernel[size_t(d)])
      tap[size_t(d--)] = 0;
    if (d < 0)
      break;
  }
  return e.div(sum, count);
}

template <bool Max>
LogicalResult pool(ONNXNode &n) {
  Value x = n.input(0);
  SmallVector<int64_t> kernel = n.intsAttr("kernel_shape");
  bool ceilMode = n.intAttr("ceil_mode", 0);
  bool countPad = n.intAttr("count_include_pad", 0);
  if (failed(n.check()))
    return failure();
  if (kernel.empty())
    return n.error() << "attribute 'kernel_shape' is required";
  if (!isa<FloatType>(Emitter::elementTypeOf(x)))
    return n.error() << "pooling of " << Emitter::elementTypeOf(x) << " is not supported";
  if (Max && n.hasOutput(1))
    return n.error() << "the Indices output is not supported";
  if (Max && n.intAttr("storage_order", 0) != 0)
    return n.error() << "storage_order = 1 is not supported";
  FailureOr<Window> w = readWindow(n, x, kernel, ceilMode);
  if (failed(w))
    return failure();
  Emitter &e = n.emit();
  RankedTensorType type = windowResultType(x, Emitter::shapeOf(x)[1], *w);
  if (Max)
    return n.bind(MaxPoolOp::create(e.b, e.loc, type, x, w->kernel, w->stride, w->padLow,
                                    w->padHigh, w->dilation)
                      .getResult());
  if (llvm::any_of(w->dilation, [](int64_t d) { return d != 1; })) {
    int64_t volume = 1;
    for (int64_t k : w->kernel)
      volume *= k;
    if (volume > 256)
      return n.error() << "dilated average pooling with more than 256 taps is not supported";
    return n.bind(dilatedAveragePool(e, x, *w, countPad));
  }
  SmallVector<int64_t> zeros(w->kernel.size(), 0);
  return n.bind(AvgPoolOp::create(e.b, e.loc, type, x, w->kernel, w->stride, w->padLow,
                                  w->padHigh, countPad ? w->userLow : zeros,
                                  countPad ? w->userHigh : zeros, IntegerAttr())
                    .getResult());
}

/// LpPool: (sum over the window of |x|^p)^(1/p), the sum an average over the
/// whole window (padding counted, so zeros) times its size.
LogicalResult lpPool(ONNXNode &n) {
  Value x = n.input(0);
  SmallVector<int64_t> kernel = n.intsAttr("kernel_shape");
  bool ceilMode = n.intAttr("ceil_mode", 0);
  int64_t p = n.intAttr("p", 2);
  if (failed(n.check()))
    return failure();
  if (kernel.empty() || p < 1 || p > 64)
    return n.error() << "needs kernel_shape and p in 1..64";
  if (!isa<FloatType>(Emitter::elementTypeOf(x)))
    return n.error() << "pooling of " << Emitter::elementTypeOf(x) << " is not supported";
  FailureOr<Window> w = readWindow(n, x, kernel, ceilMode);
  if (failed(w))
    return failure();
  if (llvm::any_of(w->dilation, [](int64_t d) { return d != 1; }))
    return n.error() << "dilated LpPool is not supported";
  Emitter &e = n.emit();
  Value powed = e.binary<PowOp>(e.unary<AbsOp>(x), e.splatLike(double(p), x));
  Value avg = AvgPoolOp::create(e.b, e.loc, windowResultType(x, Emitter::shapeOf(x)[1], *w), powed,
                                w->kernel, w->stride, w->padLow, w->padHigh, w->padLow,
                                w->padHigh, IntegerAttr())
                  .getResult();
  int64_t volume = 1;
  for (int64_t k : w->kernel)
    volume *= k;
  Value sum = e.mulScalar(avg, double(volume));
  return n.bind(e.binary<PowOp>(sum, e.splatLike(1.0 / double(p), sum)));
}

/// GlobalAveragePool / GlobalMaxPool: a reduction over the spatial axes.
template <bool Max>
LogicalResult globalPool(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  SmallVector<int64_t> axes = ONNXNode::trailingAxes(2, Emitter::rankOf(x));
  Emitter &e = n.emit();
  return n.bind(Max ? e.reduce<ReduceMaxOp>(x, axes, true) : e.mean(x, axes, true));
}

/// `v` of shape [C] along axis 1 of `like`.
Value perChannel(Emitter &e, Value v, Value like) {
  return e.broadcastInDim(v, e.dims(like), {1});
}

/// Per-channel parameters are [C] for an [N, C, ...] input.
LogicalResult checkPerChannel(ONNXNode &n, Value x, ArrayRef<Value> params) {
  if (Emitter::rankOf(x) < 2)
    return n.error() << "needs an [N, C, ...] input, not " << x.getType();
  int64_t c = Emitter::shapeOf(x)[1];
  for (Value p : params)
    if (Emitter::rankOf(p) != 1 ||
        (!ShapedType::isDynamic(c) && !ShapedType::isDynamic(Emitter::shapeOf(p)[0]) &&
         Emitter::shapeOf(p)[0] != c))
      return n.error() << "per-channel parameters must be [" << c << "], not " << p.getType();
  return success();
}

/// Inference: (x - mean) / sqrt(var + eps) * scale + bias.
LogicalResult batchNorm(ONNXNode &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.input(2), mean = n.input(3),
        var = n.input(4);
  double eps = n.floatAttr("epsilon", 1e-5);
  bool training = n.intAttr("training_mode", 0);
  if (failed(n.check()))
    return failure();
  if (training || n.hasOutput(1))
    return n.error() << "training mode is not supported (compile the model for inference)";
  if (failed(checkPerChannel(n, x, {scale, bias, mean, var})))
    return failure();
  Emitter &e = n.emit();
  Value inv = e.unary<RsqrtOp>(e.addScalar(var, eps));
  Value y = e.mul(e.sub(x, perChannel(e, mean, x)), perChannel(e, e.mul(inv, scale), x));
  return n.bind(e.add(y, perChannel(e, bias, x)));
}

/// Normalization over `axes` with per-element scale and bias broadcast from
/// the trailing axes; returns (y, mean, 1/std).
std::tuple<Value, Value, Value> normalize(Emitter &e, Value x, ArrayRef<int64_t> axes,
                                          double eps) {
  Value mean = e.mean(x, axes, true);
  Value var = e.variance(x, axes, 0.0, true);
  Value inv = e.unary<RsqrtOp>(e.addScalar(var, eps));
  return {e.mul(e.sub(x, mean), inv), mean, inv};
}

LogicalResult layerNorm(ONNXNode &n) {
  Value x = n.input(0), scale = n.input(1);
  std::optional<Value> bias = n.optionalInput(2);
  int64_t rank = Emitter::rankOf(x);
  int64_t axis = n.axis(n.intAttr("axis", -1), rank);
  double eps = n.floatAttr("epsilon", 1e-5);
  if (failed(n.check()))
    return failure();
  SmallVector<int64_t> axes = ONNXNode::trailingAxes(axis, rank);
  if (failed(n.checkBroadcast({x, scale})) || (bias && failed(n.checkBroadcast({x, *bias}))))
    return failure();
  Emitter &e = n.emit();
  auto [y, mean, inv] = normalize(e, x, axes, eps);
  y = e.mul(y, scale);
  if (bias)
    y = e.add(y, *bias);
  if (failed(n.bind(0, y)) || failed(n.bind(1, mean)))
    return failure();
  return n.bind(2, inv);
}

LogicalResult instanceNorm(ONNXNode &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.input(2);
  double eps = n.floatAttr("epsilon", 1e-5);
  if (failed(n.check()) || failed(checkPerChannel(n, x, {scale, bias})))
    return failure();
  SmallVector<int64_t> axes = ONNXNode::trailingAxes(2, Emitter::rankOf(x));
  Emitter &e = n.emit();
  Value y = std::get<0>(normalize(e, x, axes, eps));
  return n.bind(e.add(e.mul(y, perChannel(e, scale, x)), perChannel(e, bias, x)));
}

/// x / sqrt(mean(x^2 over axis..) + eps) * scale.
LogicalResult rmsNorm(ONNXNode &n) {
  Value x = n.input(0), scale = n.input(1);
  int64_t rank = Emitter::rankOf(x);
  int64_t axis = n.axis(n.intAttr("axis", -1), rank);
  double eps = n.floatAttr("epsilon", 1e-5);
  if (failed(n.check()))
    return failure();
  SmallVector<int64_t> axes = ONNXNode::trailingAxes(axis, rank);
  if (failed(n.checkBroadcast({x, scale})))
    return failure();
  Emitter &e = n.emit();
  Value inv = e.unary<RsqrtOp>(e.addScalar(e.mean(e.mul(x, x), axes, true), eps));
  return n.bind(e.mul(e.mul(x, inv), scale));
}

/// x divided by its L1 or L2 norm along the axis (0 where the norm is 0, as
/// ONNX's reference).
LogicalResult lpNormalization(ONNXNode &n) {
  Value x = n.input(0);
  int64_t axis = n.axis(n.intAttr("axis", -1), Emitter::rankOf(x));
  int64_t p = n.intAttr("p", 2);
  if (failed(n.check()))
    return failure();
  if (p != 1 && p != 2)
    return n.error() << "p must be 1 or 2, not " << p;
  Emitter &e = n.emit();
  Value norm = p == 1 ? e.sum(e.unary<AbsOp>(x), {axis}, true)
                      : e.unary<SqrtOp>(e.sum(e.mul(x, x), {axis}, true));
  Value zero = e.compareScalar(CompareDirection::EQ, norm, 0.0);
  return n.bind(e.select(zero, e.splatLike(0.0, x), e.div(x, norm)));
}

/// GroupNormalization (opset 21: scale and bias per channel): statistics over
/// each group of channels and the spatial axes.
LogicalResult groupNorm(ONNXNode &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.input(2);
  int64_t groups = n.intAttr("num_groups", 0);
  double eps = n.floatAttr("epsilon", 1e-5);
  if (failed(n.check()))
    return failure();
  auto s = Emitter::shapeOf(x);
  if (s.size() < 3 || !Emitter::typeOf(x).hasStaticShape() || groups < 1 || s[1] % groups)
    return n.error() << "needs a static [N, C, ...] input with C divisible by num_groups";
  if (failed(checkPerChannel(n, x, {scale, bias})))
    return failure();
  Emitter &e = n.emit();
  int64_t rest = Emitter::typeOf(x).getNumElements() / (s[0] * groups);
  Value g = e.reshape(x, ArrayRef<int64_t>{s[0], groups, rest});
  Value y = e.reshape(std::get<0>(normalize(e, g, {2}, eps)), s);
  return n.bind(e.add(e.mul(y, perChannel(e, scale, x)), perChannel(e, bias, x)));
}

/// LRN: x / (bias + alpha / size * sum of squares over the channel window)^beta.
LogicalResult lrn(ONNXNode &n) {
  Value x = n.input(0);
  double alpha = n.floatAttr("alpha", 1e-4), beta = n.floatAttr("beta", 0.75),
         bias = n.floatAttr("bias", 1.0);
  int64_t size = n.intAttr("size", 0);
  if (failed(n.check()))
    return failure();
  auto s = Emitter::shapeOf(x);
  if (s.size() < 3 || s[1] == ShapedType::kDynamic || size < 1 || size > 1024)
    return n.error() << "needs an [N, C, ...] input with static C and size in 1..1024";
  Emitter &e = n.emit();
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  SmallVector<int64_t> low(s.size(), 0), high(s.size(), 0);
  low[1] = lo;
  high[1] = hi;
  Value sq = e.pad(e.mul(x, x), e.scalar(Emitter::elementTypeOf(x), 0.0), low, high);
  Value sum = e.slice(sq, 1, 0, s[1]);
  for (int64_t k = 1; k < size; ++k)
    sum = e.add(sum, e.slice(sq, 1, k, k + s[1]));
  Value denom = e.addScalar(e.mulScalar(sum, alpha / double(size)), bias);
  Value powed = e.binary<PowOp>(denom, e.splatLike(beta, denom));
  return n.bind(e.div(x, powed));
}

} // namespace

void registerNeuralNetOps(ONNXOpTable &t) {
  static const std::pair<const char *, ConvertFn> kOps[] = {
      {"Conv", conv},
      {"ConvInteger", convInteger},
      {"QLinearConv", qlinearConv},
      {"ConvTranspose", convTranspose},
      {"MaxPool", pool<true>},
      {"AveragePool", pool<false>},
      {"LpPool", lpPool},
      {"GlobalAveragePool", globalPool<false>},
      {"GlobalMaxPool", globalPool<true>},
      {"BatchNormalization", batchNorm},
      {"LayerNormalization", layerNorm},
      {"InstanceNormalization", instanceNorm},
      {"RMSNormalization", rmsNorm},
      {"LpNormalization", lpNormalization},
  };
  for (const auto &[name, fn] : kOps)
    t.add(name, fn);
  t.add("BatchNormalization", batchNorm, 9); // `spatial` before
  t.add("GroupNormalization", groupNorm, 21); // scale and bias were per group before
  t.add("LRN", lrn);

}

} // namespace thunder::onnximport
