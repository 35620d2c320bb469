//===- QuantizedValues.cpp - quantized integers and their real values -----===//
#include "QuantizedValues.h"

#include "StoredIntegers.h"

#include <cmath>

using namespace mlir;

namespace thunder::onnximport {

FailureOr<Value> alongAxis(ONNXNode &n, Value v, Value x, int64_t axis, int64_t blockSize) {
  Emitter &e = n.emit();
  auto vType = Emitter::typeOf(v);
  ArrayRef<int64_t> xShape = Emitter::shapeOf(x);
  if (!vType.hasStaticShape())
    return n.error() << "scales and zero points need static shapes, not " << vType, failure();
  if (vType.getNumElements() == 1 && blockSize == 0)
    return e.reshape(v, ArrayRef<int64_t>{});
  int64_t rank = Emitter::rankOf(x);
  if (axis < 0 || axis >= rank)
    return n.error() << "axis " << axis << " is out of range for " << x.getType(), failure();
  int64_t extent = xShape[size_t(axis)];
  if (blockSize == 0) {
    if (vType.getRank() != 1 || vType.getDimSize(0) != extent)
      return n.error() << "a per-axis scale or zero point must be 1-D of " << extent
                       << " elements (axis " << axis << " of " << x.getType() << "), not "
                       << vType,
             failure();
    SmallVector<int64_t> shape(size_t(rank), 1);
    shape[size_t(axis)] = extent;
    return e.reshape(v, shape);
  }
  ArrayRef<int64_t> vShape = vType.getShape();
  bool fits = blockSize > 0 && vType.getRank() == rank && extent != ShapedType::kDynamic;
  for (int64_t d = 0; fits && d < rank; ++d)
    fits = d == axis ? vShape[size_t(d)] == (extent + blockSize - 1) / blockSize
                     : vShape[size_t(d)] == xShape[size_t(d)];
  if (!fits)
    return n.error() << "a blocked scale or zero point of " << x.getType() << " (axis " << axis
                     << ", block_size " << blockSize << ") cannot be " << vType,
           failure();
  // [.., blocks, ..] -> [.., blocks, blockSize, ..] -> [.., blocks * blockSize, ..] -> extent.
  importer::Sizes repeated;
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d) {
    repeated.push_back(e.index(vShape[size_t(d)]));
    dims.push_back(int64_t(repeated.size()) - 1);
    if (d == axis)
      repeated.push_back(e.index(blockSize));
  }
  Value r = e.broadcastInDim(v, repeated, dims);
  SmallVector<int64_t> merged(vShape);
  merged[size_t(axis)] *= blockSize;
  return e.slice(e.reshape(r, merged), axis, 0, extent);
}

Value centred(Emitter &e, Value q, IntegerFormat qFormat, std::optional<Value> zeroPoint,
              IntegerFormat zpFormat, Type type) {
  Value r = castValue(e, q, qFormat, type, {}, /*saturate=*/false);
  if (!zeroPoint)
    return r;
  return e.sub(r, castValue(e, *zeroPoint, zpFormat, type, {}, /*saturate=*/false));
}

Value saturateToInteger(Emitter &e, Value real, Type storage, IntegerFormat format) {
  unsigned bits = format ? format.bits : storage.getIntOrFloatBitWidth();
  double lo = format.isUnsigned ? 0.0 : -std::ldexp(1.0, int(bits) - 1);
  double hi = format.isUnsigned ? std::ldexp(1.0, int(bits)) - 1 : std::ldexp(1.0, int(bits) - 1) - 1;
  Value rounded = e.clamp(e.unary<RoundOp>(real), lo, hi);
  return castValue(e, rounded, {}, storage, format, /*saturate=*/false);
}

} // namespace thunder::onnximport
