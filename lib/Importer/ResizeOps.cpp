//===- ResizeOps.cpp - upsampling (nearest, linear family) ----------------===//
//
// Resizing is separable: each spatial dim is resized on its own with constant
// source indices (`thunder.index_select`) and, for the linear modes, constant
// interpolation weights. Indices and weights follow ATen's
// UpSample.h (nearest_idx, area_pixel_compute_source_index), including the
// float32 arithmetic of nearest.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <cmath>

using namespace mlir;

namespace thunder::importer {
namespace {

enum class Mode { Nearest, NearestExact, Linear };

/// The scale factors given to the op (one per spatial dim), if any.
std::vector<std::optional<double>> scales(NodeContext &ctx, int64_t n) {
  std::vector<std::optional<double>> out(n);
  if (ctx.get("scale_factors")) {
    if (std::optional<SmallVector<double>> s = ctx.optionalReals("scale_factors"))
      for (int64_t i = 0; i < n && i < static_cast<int64_t>(s->size()); ++i)
        out[i] = (*s)[i];
    return out;
  }
  static const char *const kNames[3][3] = {
      {"scales", nullptr, nullptr},
      {"scales_h", "scales_w", nullptr},
      {"scales_d", "scales_h", "scales_w"}};
  for (int64_t i = 0; i < n; ++i)
    if (const char *name = kNames[n - 1][i])
      if (ctx.get(name))
        out[i] = ctx.optionalReal(name);
  return out;
}

Value resizeDim(Emitter &e, Value x, int64_t d, int64_t out,
                std::optional<double> scale, Mode mode, bool alignCorners) {
  int64_t in = Emitter::shapeOf(x)[d];
  Type t = Emitter::elementTypeOf(x);
  auto select = [&](ArrayRef<int64_t> idx) -> Value {
    Value c = e.constantInts({out}, e.i64(), idx);
    SmallVector<int64_t> shape(Emitter::shapeOf(x));
    shape[d] = out;
    return IndexSelectOp::create(e.b, e.loc, RankedTensorType::get(shape, t), x, c,
                                 uint64_t(d));
  };
  SmallVector<int64_t> i0(out), i1(out);
  SmallVector<double> w1(out);
  if (mode != Mode::Linear) {
    float s = (scale && *scale > 0) ? static_cast<float>(1.0 / *scale)
                                    : static_cast<float>(in) / static_cast<float>(out);
    for (int64_t o = 0; o < out; ++o) {
      int64_t src;
      if (mode == Mode::Nearest)
        src = out == in ? o
              : out == 2 * in
                  ? o >> 1
                  : static_cast<int64_t>(std::floor(static_cast<float>(o) * s));
      else
        src = static_cast<int64_t>(std::floor((static_cast<float>(o) + 0.5f) * s));
      i0[o] = std::min(src, in - 1);
    }
    return select(i0);
  }
  double s;
  if (alignCorners)
    s = out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  else
    s = (scale && *scale > 0) ? 1.0 / *scale
                              : static_cast<double>(in) / static_cast<double>(out);
  for (int64_t o = 0; o < out; ++o) {
    double src = alignCorners ? s * o : std::max(s * (o + 0.5) - 0.5, 0.0);
    int64_t lo = std::min<int64_t>(static_cast<int64_t>(src), in - 1);
    i0[o] = lo;
    i1[o] = lo < in - 1 ? lo + 1 : lo;
    w1[o] = std::min(std::max(src - lo, 0.0), 1.0);
  }
  Value a = select(i0), b = select(i1);
  auto wType = RankedTensorType::get({out}, t);
  SmallVector<Attribute> w1Attrs, w0Attrs;
  for (double w : w1) {
    w1Attrs.push_back(e.scalarAttr(t, w));
    w0Attrs.push_back(e.scalarAttr(t, 1.0 - w));
  }
  Sizes shape = e.dims(a);
  Value cw0 = e.broadcastInDim(
      ConstantOp::create(e.b, e.loc, wType, DenseElementsAttr::get(wType, w0Attrs)),
      shape, {d});
  Value cw1 = e.broadcastInDim(
      ConstantOp::create(e.b, e.loc, wType, DenseElementsAttr::get(wType, w1Attrs)),
      shape, {d});
  return AddOp::create(e.b, e.loc, MulOp::create(e.b, e.loc, a, cw0),
                       MulOp::create(e.b, e.loc, b, cw1));
}

LogicalResult convertUpsample(NodeContext &ctx, int64_t n, Mode mode) {
  Value x = ctx.tensor(ctx.get("input") ? "input" : "self");
  bool alignCorners = ctx.optionalBoolean("align_corners").value_or(false);
  std::vector<std::optional<double>> s = scales(ctx, n);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  RankedTensorType result = ctx.resultType();
  if (failed(ctx.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (rank < n + 1 || result.getRank() != rank)
    return ctx.error() << "bad upsampling input of rank " << rank;
  if (mode == Mode::Linear && !isFloat(Emitter::elementTypeOf(x)))
    return ctx.error() << "linear upsampling of integer tensors is not supported";
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = rank - n + i;
    int64_t in = Emitter::shapeOf(x)[d], out = result.getDimSize(d);
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(out))
      return ctx.error() << "upsampling of dynamic spatial dims is not supported";
    if (in == 0 || out == 0)
      return ctx.error() << "upsampling of an empty dim";
    x = resizeDim(e, x, d, out, s[i], mode, alignCorners);
  }
  return ctx.bind(x);
}

template <int64_t N, Mode M>
LogicalResult upsample(NodeContext &ctx) {
  return convertUpsample(ctx, N, M);
}

} // namespace

void registerResizeOps(OpTable &t) {
  for (const char *overload : {".vec", ".default"}) {
    std::string o = overload;
    t.add("aten.upsample_nearest1d" + o, upsample<1, Mode::Nearest>);
    t.add("aten.upsample_nearest2d" + o, upsample<2, Mode::Nearest>);
    t.add("aten.upsample_nearest3d" + o, upsample<3, Mode::Nearest>);
    t.add("aten._upsample_nearest_exact1d" + o, upsample<1, Mode::NearestExact>);
    t.add("aten._upsample_nearest_exact2d" + o, upsample<2, Mode::NearestExact>);
    t.add("aten._upsample_nearest_exact3d" + o, upsample<3, Mode::NearestExact>);
    t.add("aten.upsample_linear1d" + o, upsample<1, Mode::Linear>);
    t.add("aten.upsample_bilinear2d" + o, upsample<2, Mode::Linear>);
    t.add("aten.upsample_trilinear3d" + o, upsample<3, Mode::Linear>);
  }
}

} // namespace thunder::importer
