//===- GridSampleOps.cpp - ONNX GridSample and AffineGrid -----------------===//
//
// GridSample is separable: along each spatial axis a grid coordinate becomes
// a few taps (nearest: 1, linear: 2, cubic: 4), each an index and a weight;
// every combination of one tap per axis is one gather of the flattened image,
// weighted and summed. Padding modes act on the coordinate (border, reflection)
// and on each tap (zeros: weight 0; border: clamped; reflection: reflected),
// as ONNX's reference does. AffineGrid is a constant base grid times theta.
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

enum class Padding { Zeros, Border, Reflection };

struct Tap {
  Value index;  // i64 [N, P], in range
  Value weight; // f32 [N, P]
};

/// The interval a coordinate lives in: [-0.5, size - 0.5], or [0, size - 1]
/// with align_corners.
struct Bounds {
  double lo, hi;
};

/// `v` outside [lo, hi] reflected back by the nearer border until inside.
Value reflect(Emitter &e, Value v, Bounds b) {
  double range = b.hi - b.lo;
  Value below = e.compareScalar(CompareDirection::LT, v, b.lo);
  Value above = e.compareScalar(CompareDirection::GT, v, b.hi);
  Value distance = e.select(below, e.scalarBinary<SubOp>(b.lo, v), e.addScalar(v, -b.hi));
  Value folds = e.unary<FloorOp>(e.mulScalar(distance, 1.0 / range));
  Value rest = e.sub(distance, e.mulScalar(folds, range));
  Value half = e.mulScalar(folds, 0.5);
  Value even = e.compare(CompareDirection::EQ, half, e.unary<FloorOp>(half));
  // From below an even number of folds lands above lo; from above, below hi.
  Value fromLo = e.compare(CompareDirection::EQ, e.convert(below, e.f32()),
                           e.convert(even, e.f32()));
  Value reflected = e.select(fromLo, e.addScalar(rest, b.lo), e.scalarBinary<SubOp>(b.hi, rest));
  return e.select(e.binary<OrOp>(below, above), reflected, v);
}

/// A tap at the integer position `position` (f32) of an axis of `size`.
Tap tapAt(Emitter &e, Value position, Value weight, int64_t size, Padding padding, Bounds b) {
  Value p = position;
  if (padding == Padding::Reflection)
    p = reflect(e, p, b);
  if (padding == Padding::Zeros) {
    Value inside = e.binary<AndOp>(e.compareScalar(CompareDirection::GE, p, 0.0),
                                   e.compareScalar(CompareDirection::LE, p, double(size - 1)));
    weight = e.select(inside, weight, e.splatLike(0.0, weight));
  }
  // Truncation toward zero, as the reference's int(); clamped so every gather is in range.
  Value index = e.clamp(e.convert(p, e.i64()), 0.0, double(size - 1));
  return {index, weight};
}

/// Cubic convolution weights (Keys, A = -0.75) of the four taps around a
/// point at fraction `t` past the second.
SmallVector<Value> cubicWeights(Emitter &e, Value t) {
  constexpr double a = -0.75;
  auto far = [&](Value s) { // |s| in [1, 2]
    Value r = e.addScalar(e.mulScalar(s, a), -5 * a);
    r = e.addScalar(e.mul(r, s), 8 * a);
    return e.addScalar(e.mul(r, s), -4 * a);
  };
  auto near = [&](Value s) { // |s| in [0, 1]
    Value r = e.addScalar(e.mulScalar(s, a + 2), -(a + 3));
    return e.addScalar(e.mul(e.mul(r, s), s), 1.0);
  };
  Value oneMinus = e.scalarBinary<SubOp>(1.0, t);
  return {far(e.addScalar(t, 1.0)), near(t), near(oneMinus),
          far(e.scalarBinary<SubOp>(2.0, t))};
}

LogicalResult gridSample(ONNXNode &n) {
  Value x = n.input(0), grid = n.input(1);
  std::string mode = n.stringAttr("mode", n.opset() >= 20 ? "linear" : "bilinear");
  std::string paddingMode = n.stringAttr("padding_mode", "zeros");
  bool alignCorners = n.intAttr("align_corners", 0);
  if (failed(n.check()))
    return failure();
  if (mode == "bilinear")
    mode = "linear";
  if (mode == "bicubic")
    mode = "cubic";
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return n.error() << "mode '" << mode << "' is not one of nearest, linear, cubic";
  Padding padding;
  if (paddingMode == "zeros")
    padding = Padding::Zeros;
  else if (paddingMode == "border")
    padding = Padding::Border;
  else if (paddingMode == "reflection")
    padding = Padding::Reflection;
  else
    return n.error() << "padding_mode '" << paddingMode << "' is not one of zeros, border, reflection";
  auto xType = Emitter::typeOf(x), gType = Emitter::typeOf(grid);
  int64_t k = xType.getRank() - 2;
  if (k < 1 || !xType.hasStaticShape() || !gType.hasStaticShape() ||
      gType.getRank() != k + 2 || gType.getDimSize(k + 1) != k ||
      gType.getDimSize(0) != xType.getDimSize(0))
    return n.error() << "needs a static image [N, C, spatial...] and a grid [N, out..., "
                     << (k < 1 ? 0 : k) << "] of its rank, not " << x.getType() << " and "
                     << grid.getType();
  if (!isa<FloatType>(xType.getElementType()) || !isa<FloatType>(gType.getElementType()))
    return n.error() << "samples floating-point images at floating-point coordinates";
  Emitter &e = n.emit();
  int64_t batch = xType.getDimSize(0), channels = xType.getDimSize(1);
  ArrayRef<int64_t> sizes = xType.getShape().drop_front(2);
  int64_t points = 1, pixels = 1;
  for (int64_t d = 0; d < k; ++d) {
    points *= gType.getDimSize(d + 1);
    pixels *= sizes[size_t(d)];
  }
  Value coords = e.convert(e.reshape(grid, ArrayRef<int64_t>{batch, points, k}), e.f32());

  // The taps along each spatial axis; the grid lists axes innermost first.
  SmallVector<SmallVector<Tap>> taps;
  for (int64_t d = 0; d < k; ++d) {
    int64_t size = sizes[size_t(d)];
    Bounds b = alignCorners ? Bounds{0.0, double(size - 1)} : Bounds{-0.5, size - 0.5};
    Value g = e.squeeze(e.slice(coords, 2, k - 1 - d, k - d), 2);
    Value v = alignCorners ? e.mulScalar(e.addScalar(g, 1.0), 0.5 * double(size - 1))
                           : e.mulScalar(e.addScalar(e.mulScalar(g, double(size)), double(size) - 1),
                                         0.5);
    if (mode == "nearest")
      v = e.unary<RoundOp>(v);
    if (padding != Padding::Zeros) {
      Value outside = e.binary<OrOp>(e.compareScalar(CompareDirection::LT, v, b.lo),
                                     e.compareScalar(CompareDirection::GT, v, b.hi));
      Value moved = padding == Padding::Border ? e.clamp(v, 0.0, double(size - 1)) : reflect(e, v, b);
      v = e.select(outside, moved, v);
    }
    Value one = e.splatLike(1.0, v);
    SmallVector<Tap> axisTaps;
    if (mode == "nearest") {
      axisTaps.push_back(tapAt(e, e.unary<TruncOp>(v), one, size, padding, b));
    } else {
      Value first = e.unary<FloorOp>(v);
      Value t = e.sub(v, first);
      SmallVector<Value> weights =
          mode == "linear" ? SmallVector<Value>{e.sub(one, t), t} : cubicWeights(e, t);
      double offset = mode == "linear" ? 0.0 : -1.0;
      for (auto [i, w] : llvm::enumerate(weights))
        axisTaps.push_back(tapAt(e, e.addScalar(first, offset + double(i)), w, size, padding, b));
    }
    taps.push_back(std::move(axisTaps));
  }

  // Every combination of one tap per axis: one gather of [N, C, pixels].
  Type elementType = xType.getElementType();
  Value image = e.reshape(x, ArrayRef<int64_t>{batch, channels, pixels});
  importer::Sizes gathered = {e.index(batch), e.index(channels), e.index(points)};
  Value sum;
  SmallVector<size_t> choice(size_t(k), 0);
  while (true) {
    Value index, weight;
    int64_t stride = 1;
    for (int64_t d = k - 1; d >= 0; --d) {
      const Tap &tap = taps[size_t(d)][choice[size_t(d)]];
      Value scaled = stride == 1 ? tap.index : e.binaryScalar<MulOp>(tap.index, double(stride));
      index = index ? e.add(index, scaled) : scaled;
      weight = weight ? e.mul(weight, tap.weight) : tap.weight;
      stride *= sizes[size_t(d)];
    }
    Value idx = e.broadcastInDim(index, gathered, {0, 2});
    auto type = RankedTensorType::get({batch, channels, points}, elementType);
    Value values = GatherOp::create(e.b, e.loc, type, image, idx, uint64_t(2)).getResult();
    Value term = e.mul(values, e.convert(e.unsqueeze(weight, 1), elementType));
    sum = sum ? e.add(sum, term) : term;
    int64_t d = k - 1;
    while (d >= 0 && ++choice[size_t(d)] == taps[size_t(d)].size())
      choice[size_t(d--)] = 0;
    if (d < 0)
      break;
  }
  SmallVector<int64_t> outShape = {batch, channels};
  llvm::append_range(outShape, gType.getShape().slice(1, size_t(k)));
  return n.bind(e.reshape(sum, outShape));
}

/// grid[n, ..., :] = theta[n] @ (x, y[, z], 1) over the normalized output positions.
LogicalResult affineGrid(ONNXNode &n) {
  Value theta = n.input(0);
  std::optional<SmallVector<int64_t>> size = n.optionalInts(1, "size");
  bool alignCorners = n.intAttr("align_corners", 0);
  if (failed(n.check()))
    return failure();
  if (!size)
    return n.error() << "input 1 ('size') must be known at compile time";
  int64_t k = int64_t(size->size()) - 2;
  auto tType = Emitter::typeOf(theta);
  if ((k != 2 && k != 3) || !tType.hasStaticShape() || tType.getRank() != 3 ||
      tType.getDimSize(1) != k || tType.getDimSize(2) != k + 1 ||
      !isa<FloatType>(tType.getElementType()))
    return n.error() << "needs size [N, C, H, W] or [N, C, D, H, W] and a floating-point theta "
                        "[N, k, k + 1], not " << tType;
  Emitter &e = n.emit();
  ArrayRef<int64_t> spatial = ArrayRef<int64_t>(*size).drop_front(2);
  for (int64_t s : spatial)
    if (s < 1 || s > (1 << 20))
      return n.error() << "spatial sizes must be in 1..2^20";
  importer::Sizes positions;
  int64_t points = 1;
  for (int64_t s : spatial) {
    positions.push_back(e.index(s));
    points *= s;
  }
  Type f32 = e.f32();
  // Homogeneous base coordinates, x (the innermost axis) first.
  SmallVector<Value> columns;
  for (int64_t d = k - 1; d >= 0; --d) {
    double s = double(spatial[size_t(d)]);
    Value i = e.iota(positions, f32, d);
    Value c = alignCorners ? e.addScalar(e.mulScalar(i, s > 1 ? 2.0 / (s - 1) : 0.0), -1.0)
                           : e.addScalar(e.mulScalar(i, 2.0 / s), 1.0 / s - 1.0);
    columns.push_back(e.unsqueeze(e.reshape(c, ArrayRef<int64_t>{points}), 1));
  }
  columns.push_back(e.splat(1.0, f32, {e.index(points), e.index(1)}));
  Value base = e.concat(columns, 1); // [points, k + 1]
  Value t = e.convert(theta, f32);
  Value grid = e.matmul(base, e.transpose(t, 1, 2)); // [N, points, k]
  SmallVector<int64_t> shape = {tType.getDimSize(0)};
  llvm::append_range(shape, spatial);
  shape.push_back(k);
  return n.bind(e.convert(e.reshape(grid, shape), tType.getElementType()));
}

} // namespace

void registerGridSampleOps(ONNXOpTable &t) {
  t.add("GridSample", gridSample, 16);
  t.add("AffineGrid", affineGrid, 20);
}

} // namespace thunder::onnximport
