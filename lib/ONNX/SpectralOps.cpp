//===- SpectralOps.cpp - ONNX DFT as products with compile-time bases -----===//
//
// ONNX carries complex signals as real tensors whose last axis is 1 (real)
// or 2 (real, imaginary), so a DFT of static length along one axis is two
// products with cosine and sine matrices built at compile time (in float64:
// exact zeros stay zeros): forward, one-sided forward (rfft), inverse, and
// one-sided inverse (irfft: the missing half as the conjugate mirror).
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

#include <cmath>

using namespace mlir;

namespace thunder::onnximport {
namespace {

/// [rows, columns] of f(angle 2 pi (j k mod length) / length, j, k).
template <typename Fn>
Value basis(Emitter &e, int64_t rows, int64_t columns, int64_t length, Fn f) {
  std::vector<double> values;
  values.reserve(size_t(rows * columns));
  for (int64_t j = 0; j < rows; ++j)
    for (int64_t k = 0; k < columns; ++k)
      values.push_back(f(2 * M_PI * double((j * k) % length) / double(length), k));
  auto type = RankedTensorType::get({rows, columns}, e.b.getF64Type());
  return ConstantOp::create(e.b, e.loc, DenseElementsAttr::get(type, ArrayRef(values)));
}

/// `v` cut or zero-padded to `length` along its last axis.
Value fitLength(Emitter &e, Value v, int64_t length) {
  int64_t n = Emitter::shapeOf(v).back(), last = Emitter::rankOf(v) - 1;
  if (n >= length)
    return e.slice(v, last, 0, length);
  SmallVector<int64_t> low(size_t(last + 1), 0), high(size_t(last + 1), 0);
  high[size_t(last)] = length - n;
  return e.pad(v, e.scalar(Emitter::elementTypeOf(v), 0.0), low, high);
}

LogicalResult dft(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> lengthIn = n.optionalInts(1, "dft_length");
  std::optional<SmallVector<int64_t>> axisIn =
      n.opset() >= 20 ? n.optionalInts(2, "axis") : std::nullopt;
  int64_t axisAttr = n.intAttr("axis", n.opset() >= 20 ? -2 : 1);
  bool inverse = n.intAttr("inverse", 0), onesided = n.intAttr("onesided", 0);
  if (failed(n.check()))
    return failure();
  auto type = Emitter::typeOf(x);
  int64_t rank = type.getRank();
  if (!type.hasStaticShape() || rank < 2 || (type.getShape().back() != 1 && type.getShape().back() != 2) ||
      !isa<FloatType>(type.getElementType()))
    return n.error() << "needs a static floating-point signal [..., 1 or 2], not " << type;
  int64_t axis = axisIn && !axisIn->empty() ? axisIn->front() : axisAttr;
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank - 1)
    return n.error() << "axis " << axis << " is out of range for " << type;
  int64_t extent = type.getDimSize(axis);
  int64_t length = lengthIn && !lengthIn->empty() ? lengthIn->front()
                   : inverse && onesided          ? 2 * (extent - 1)
                                                  : extent;
  if (length < 1 || length > (1 << 14))
    return n.error() << "dft_length must be in 1..2^14, not " << length;
  Emitter &e = n.emit();
  Type f64 = e.b.getF64Type();
  // Real and imaginary parts with the transformed axis last: [..., N].
  Value signal = e.moveDim(e.convert(x, f64), axis, rank - 2);
  Value re = e.squeeze(e.slice(signal, rank - 1, 0, 1), rank - 1);
  Value im = type.getShape().back() == 2 ? e.squeeze(e.slice(signal, rank - 1, 1, 2), rank - 1)
                                         : e.splatLike(0.0, re);
  Value result;
  auto cosine = [](double a, int64_t) { return std::cos(a); };
  auto sine = [](double a, int64_t) { return std::sin(a); };
  if (inverse && onesided) { // irfft: bins 1..L/2-1 count twice, imaginary parts of 0 and L/2 drop
    int64_t bins = length / 2 + 1;
    re = fitLength(e, re, bins);
    im = fitLength(e, im, bins);
    auto weight = [&](int64_t k) {
      return (k == 0 || 2 * k == length ? 1.0 : 2.0) / double(length);
    };
    Value c = basis(e, bins, length, length, cosine), s = basis(e, bins, length, length, sine);
    std::vector<double> w; // each bin's weight, applied to the inputs
    for (int64_t k = 0; k < bins; ++k)
      w.push_back(weight(k));
    auto wType = RankedTensorType::get({bins}, f64);
    Value weights = ConstantOp::create(e.b, e.loc, DenseElementsAttr::get(wType, ArrayRef(w)));
    Value out = e.sub(e.matmul(e.mul(re, weights), c), e.matmul(e.mul(im, weights), s));
    result = e.unsqueeze(out, rank - 1);
  } else {
    re = fitLength(e, re, length);
    im = fitLength(e, im, length);
    int64_t bins = onesided && !inverse ? length / 2 + 1 : length;
    Value c = basis(e, length, bins, length, cosine), s = basis(e, length, bins, length, sine);
    double sign = inverse ? 1.0 : -1.0; // e^{sign i angle}
    Value outRe = e.sub(e.matmul(re, c), e.mulScalar(e.matmul(im, s), sign));
    Value outIm = e.add(e.matmul(im, c), e.mulScalar(e.matmul(re, s), sign));
    if (inverse) {
      outRe = e.mulScalar(outRe, 1.0 / double(length));
      outIm = e.mulScalar(outIm, 1.0 / double(length));
    }
    result = e.concat({e.unsqueeze(outRe, rank - 1), e.unsqueeze(outIm, rank - 1)}, rank - 1);
  }
  return n.bind(e.convert(e.moveDim(result, rank - 2, axis), type.getElementType()));
}

} // namespace

void registerSpectralOps(ONNXOpTable &t) { t.add("DFT", dft, 17); }

} // namespace thunder::onnximport
