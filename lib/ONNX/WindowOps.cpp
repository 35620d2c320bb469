//===- WindowOps.cpp - ONNX Hann, Hamming and Blackman windows ------------===//
//
// A window of compile-time length is a compile-time tensor: computed here
// (as ONNX's reference does, in float64) and bound as a constant of
// output_datatype.
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

#include <cmath>

using namespace mlir;

namespace thunder::onnximport {
namespace {

/// sum_k a_k cos(2 pi k i / N) with alternating signs, N = size (periodic) or
/// size - 1 (symmetric).
template <int Terms>
LogicalResult cosineWindow(ONNXNode &n, const double (&a)[Terms]) {
  std::optional<double> sizeIn = n.optionalScalar(0, "size");
  bool periodic = n.intAttr("periodic", 1);
  int64_t dtype = n.intAttr("output_datatype", 1);
  if (failed(n.check()))
    return failure();
  if (!sizeIn || *sizeIn < 0 || *sizeIn > double(1 << 24))
    return n.error() << "size must be a compile-time value in 0..2^24";
  FailureOr<Type> t = elementTypeFor(n.context(), int32_t(dtype), n.emit().loc,
                                     n.opType() + ": 'output_datatype'");
  if (failed(t))
    return failure();
  int64_t size = int64_t(*sizeIn);
  double denom = periodic ? double(size) : double(size - 1);
  std::vector<double> values;
  for (int64_t i = 0; i < size; ++i) {
    double v = 0, sign = 1;
    for (int k = 0; k < Terms; ++k, sign = -sign)
      v += sign * a[k] * std::cos(2 * M_PI * k * double(i) / denom);
    values.push_back(v);
  }
  Emitter &e = n.emit();
  auto type = RankedTensorType::get({size}, e.b.getF64Type());
  Value w = ConstantOp::create(e.b, e.loc, DenseElementsAttr::get(type, ArrayRef(values)));
  return n.bind(e.convert(w, *t));
}

LogicalResult hann(ONNXNode &n) {
  static const double a[] = {0.5, 0.5};
  return cosineWindow(n, a);
}
LogicalResult hamming(ONNXNode &n) {
  static const double a[] = {25.0 / 46.0, 1.0 - 25.0 / 46.0};
  return cosineWindow(n, a);
}
LogicalResult blackman(ONNXNode &n) {
  static const double a[] = {0.42, 0.5, 0.08};
  return cosineWindow(n, a);
}

} // namespace

void registerWindowOps(ONNXOpTable &t) {
  t.add("HannWindow", hann, 17);
  t.add("HammingWindow", hamming, 17);
  t.add("BlackmanWindow", blackman, 17);
}

} // namespace thunder::onnximport
