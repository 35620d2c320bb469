//===- ResizeOps.cpp - ONNX Resize as one resampling matrix per axis ------===//
//
// Resize is separable: along each resized axis, output i is a weighted sum of
// a few input positions. With static shapes the weights are compile-time
// numbers, so each axis becomes one matmul with an [in, out] matrix computed
// here, following ONNX's reference (onnx/reference/ops/op_resize.py): the
// coordinate transformation modes, nearest (with its rounding modes), linear
// and cubic coefficients, antialiasing, exclude_outside, tf_crop_and_resize
// with its extrapolation value, sizes with keep_aspect_ratio_policy, axes.
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

#include <cmath>
#include <functional>

using namespace mlir;

namespace thunder::onnximport {
namespace {

using CoeffFn = std::function<std::vector<double>(double ratio, double scale)>;

std::vector<double> nearestCoeffs(double ratio, const std::string &mode) {
  if (ratio == std::floor(ratio))
    return {0, 1};
  if (mode == "round_prefer_ceil")
    return {double(ratio < 0.5), double(ratio >= 0.5)};
  if (mode == "floor")
    return {1, 0};
  if (mode == "ceil")
    return {0, 1};
  return {double(ratio <= 0.5), double(ratio > 0.5)}; // round_prefer_floor
}

std::vector<double> linearCoeffs(double ratio, double scale, bool antialias) {
  if (!antialias)
    return {1 - ratio, ratio};
  scale = std::min(scale, 1.0);
  int64_t start = int64_t(std::floor(-1 / scale) + 1), footprint = 2 - 2 * start;
  std::vector<double> c;
  double sum = 0;
  for (int64_t i = start; i < start + footprint; ++i) {
    c.push_back(std::clamp(1 - std::abs((double(i) - ratio) * scale), 0.0, 1.0));
    sum += c.back();
  }
  for (double &v : c)
    v /= sum;
  return c;
}

std::vector<double> cubicCoeffs(double ratio, double scale, double a, bool antialias) {
  auto kernel = [a](double x) {
    x = std::abs(x);
    if (x <= 1)
      return (a + 2) * x * x * x - (a + 3) * x * x + 1;
    if (x < 2)
      return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a;
    return 0.0;
  };
  if (!antialias)
    return {kernel(ratio + 1), kernel(ratio), kernel(1 - ratio), kernel(2 - ratio)};
  scale = std::min(scale, 1.0);
  int64_t start = int64_t(std::floor(-2 / scale) + 1), end = 2 - start;
  std::vector<double> c;
  double sum = 0;
  for (int64_t i = start; i < end; ++i) {
    c.push_back(kernel(scale * (double(i) - ratio)));
    sum += c.back();
  }
  for (double &v : c)
    v /= sum;
  return c;
}

struct AxisResample {
  /// weights[i * in + j]: the weight of input j in output i.
  std::vector<double> weights;
  /// Outputs whose source lies outside the crop (tf_crop_and_resize).
  std::vector<bool> extrapolated;
};

/// ONNX's _interpolate_1d_along_axis as a matrix.
FailureOr<AxisResample> resampleAxis(ONNXNode &n, int64_t in, int64_t out, double scale,
                                     const CoeffFn &coeffs, const std::string &mode,
                                     std::optional<std::pair<double, double>> roi,
                                     bool excludeOutside) {
  AxisResample r;
  r.weights.assign(size_t(out * in), 0.0);
  r.extrapolated.assign(size_t(out), false);
  double outWidth = scale * double(in);
  for (int64_t i = 0; i < out; ++i) {
    double y = double(i), x;
    if (mode == "align_corners") {
      x = outWidth == 1 ? 0 : y * double(in - 1) / (outWidth - 1);
    } else if (mode == "asymmetric") {
      x = y / scale;
    } else if (mode == "tf_crop_and_resize") {
      if (!roi)
        return n.error() << "tf_crop_and_resize needs the roi input", failure();
      x = outWidth == 1 ? (roi->second - roi->first) * double(in - 1) / 2
                        : y * (roi->second - roi->first) * double(in - 1) / (outWidth - 1);
      x += roi->first * double(in - 1);
      r.extrapolated[size_t(i)] = x < 0 || x > double(in - 1);
    } else if (mode == "pytorch_half_pixel") {
      x = outWidth == 1 ? -0.5 : (y + 0.5) / scale - 0.5;
    } else if (mode == "half_pixel") {
      x = (y + 0.5) / scale - 0.5;
    } else if (mode == "half_pixel_symmetric") {
      double offset = double(in) / 2 * (1 - double(out) / outWidth);
      x = offset + (y + 0.5) / scale - 0.5;
    } else {
      return n.error() << "coordinate_transformation_mode '" << mode << "' is not known",
             failure();
    }
    double whole = std::floor(x);
    std::vector<double> c = coeffs(x == whole ? 1.0 : x - whole, scale);
    int64_t taps = int64_t(c.size()), pad = (taps + 1) / 2;
    double padded = x + double(pad), p = std::floor(padded), frac = padded - p;
    int64_t offset = taps % 2 == 0 ? (frac == 0 ? -(taps / 2) : -(taps / 2) + 1)
                                   : (frac <= 0.5 ? -((taps - 1) / 2) : -((taps - 1) / 2) + 1);
    int64_t start = int64_t(p) + offset - pad;
    if (excludeOutside) {
      double sum = 0;
      for (int64_t j = 0; j < taps; ++j) {
        if (start + j < 0 || start + j >= in)
          c[size_t(j)] = 0;
        sum += c[size_t(j)];
      }
      for (double &v : c)
        v /= sum == 0 ? 1 : sum;
    }
    if (r.extrapolated[size_t(i)])
      continue; // the extrapolation value alone
    for (int64_t j = 0; j < taps; ++j) {
      int64_t src = std::clamp<int64_t>(start + j, 0, in - 1);
      r.weights[size_t(i * in + src)] += c[size_t(j)];
    }
  }
  return r;
}

LogicalResult resize(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> sizesIn = n.optionalInts(3, "sizes");
  const TensorData *scalesIn = n.hasInput(2) ? n.constantInput(2, "scales") : nullptr;
  std::string mode = n.stringAttr("mode", "nearest");
  std::string transform = n.stringAttr("coordinate_transformation_mode", "half_pixel");
  // roi matters to tf_crop_and_resize alone (and must then be known).
  const TensorData *roiIn = !n.hasInput(1)                        ? nullptr
                            : transform == "tf_crop_and_resize" ? n.constantInput(1, "roi")
                                                                : nullptr;
  std::string nearestMode = n.stringAttr("nearest_mode", "round_prefer_floor");
  std::string policy = n.stringAttr("keep_aspect_ratio_policy", "stretch");
  double cubicA = n.floatAttr("cubic_coeff_a", -0.75);
  double extrapolation = n.floatAttr("extrapolation_value", 0.0);
  bool antialias = n.intAttr("antialias", 0), excludeOutside = n.intAttr("exclude_outside", 0);
  SmallVector<int64_t> axesAttr = n.intsAttr("axes");
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (!Emitter::typeOf(x).hasStaticShape())
    return n.error() << "needs a static input shape";
  SmallVector<int64_t> axes = axesAttr.empty() ? SmallVector<int64_t>() : n.axes(axesAttr, rank);
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  if (failed(n.check()))
    return failure();
  auto shape = Emitter::shapeOf(x);
  std::vector<double> scales(size_t(rank), 1.0);
  std::vector<int64_t> outSizes(shape.begin(), shape.end());
  bool haveScales = scalesIn && scalesIn->numElements() > 0;
  if (sizesIn && !sizesIn->empty()) {
    if (sizesIn->size() != axes.size())
      return n.error() << "sizes has " << sizesIn->size() << " entries for " << axes.size()
                       << " axes";
    for (auto [i, d] : llvm::enumerate(axes))
      scales[size_t(d)] = double((*sizesIn)[i]) / double(shape[size_t(d)]);
    if (policy == "not_larger" || policy == "not_smaller") {
      double s = scales[size_t(axes[0])];
      for (int64_t d : axes)
        s = policy == "not_larger" ? std::min(s, scales[size_t(d)]) : std::max(s, scales[size_t(d)]);
      for (int64_t d : axes) {
        scales[size_t(d)] = s;
        outSizes[size_t(d)] = int64_t(s * double(shape[size_t(d)]) + 0.5);
      }
    } else {
      for (auto [i, d] : llvm::enumerate(axes))
        outSizes[size_t(d)] = (*sizesIn)[i];
    }
  } else if (haveScales) {
    std::vector<double> s = scalesIn->asDoubles();
    if (s.size() != axes.size())
      return n.error() << "scales has " << s.size() << " entries for " << axes.size() << " axes";
    for (auto [i, d] : llvm::enumerate(axes)) {
      if (!(s[i] > 0) || s[i] > 1e6)
        return n.error() << "scale " << s[i] << " is not a positive size ratio";
      scales[size_t(d)] = s[i];
      outSizes[size_t(d)] = int64_t(s[i] * double(shape[size_t(d)]));
    }
  } else {
    return n.error() << "needs scales or sizes";
  }
  for (int64_t d : axes)
    if (outSizes[size_t(d)] <= 0 || outSizes[size_t(d)] > (int64_t(1) << 24) ||
        outSizes[size_t(d)] * shape[size_t(d)] > (int64_t(1) << 26))
      return n.error() << "output size " << outSizes[size_t(d)] << " of axis " << d
                       << " is out of the supported range";
  std::vector<double> roi;
  if (roiIn && roiIn->numElements() > 0) {
    roi = roiIn->asDoubles();
    if (roi.size() != 2 * axes.size())
      return n.error() << "roi must have two entries per resized axis";
  }
  CoeffFn coeffs;
  if (mode == "nearest")
    coeffs = [nearestMode](double r, double) { return nearestCoeffs(r, nearestMode); };
  else if (mode == "linear")
    coeffs = [antialias](double r, double s) { return linearCoeffs(r, s, antialias); };
  else if (mode == "cubic")
    coeffs = [antialias, cubicA](double r, double s) { return cubicCoeffs(r, s, cubicA, antialias); };
  else
    return n.error() << "mode '" << mode << "' is not nearest, linear or cubic";

  Emitter &e = n.emit();
  Type t = Emitter::elementTypeOf(x);
  Type compute = isa<FloatType>(t) ? t : e.f32();
  Value y = e.convert(x, compute);
  for (auto [k, d] : llvm::enumerate(axes)) {
    int64_t in = shape[size_t(d)], out = outSizes[size_t(d)];
    std::optional<std::pair<double, double>> axisRoi;
    if (!roi.empty())
      axisRoi = std::make_pair(roi[k], roi[k + axes.size()]);
    bool trivialRoi = !axisRoi || (axisRoi->first == 0 && axisRoi->second == 1);
    if (std::abs(scales[size_t(d)] - 1.0) < 1e-9 && out == in && trivialRoi)
      continue;
    FailureOr<AxisResample> r = resampleAxis(n, in, out, scales[size_t(d)], coeffs, transform,
                                             axisRoi, excludeOutside);
    if (failed(r))
      return failure();
    // [..., in] x [in, out]: the transposed weights.
    std::vector<double> wt(size_t(in * out));
    for (int64_t i = 0; i < out; ++i)
      for (int64_t j = 0; j < in; ++j)
        wt[size_t(j * out + i)] = r->weights[size_t(i * in + j)];
    auto wType = RankedTensorType::get({in, out}, e.b.getF64Type());
    Value w = e.convert(ConstantOp::create(e.b, e.loc, DenseElementsAttr::get(wType, ArrayRef(wt)))
                            .getResult(),
                        compute);
    Value moved = e.moveDim(y, d, rank - 1);
    moved = e.matmul(moved, w);
    if (llvm::is_contained(r->extrapolated, true)) {
      std::vector<double> fill;
      for (bool b : r->extrapolated)
        fill.push_back(b ? extrapolation : 0.0);
      auto fType = RankedTensorType::get({out}, e.b.getF64Type());
      Value f = e.convert(ConstantOp::create(e.b, e.loc, DenseElementsAttr::get(fType, ArrayRef(fill)))
                              .getResult(),
                          compute);
      moved = e.add(moved, f);
    }
    y = e.moveDim(moved, rank - 1, d);
  }
  return n.bind(e.convert(y, t));
}

} // namespace

void registerResizeOps(ONNXOpTable &t) { t.add("Resize", resize, 11); }

} // namespace thunder::onnximport
