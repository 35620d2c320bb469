//===- PoolingOps.cpp - max, average and adaptive pooling -----------------===//
//
// `thunder.max_pool` / `thunder.avg_pool` pool the trailing dims. PyTorch's
// ceil_mode becomes extra high padding (that never counts in an average);
// count_include_pad becomes `counted_padding`. Adaptive pools are one pool
// when the input extent divides by the output size, else a concatenation of
// per-window reductions. Index outputs (max_pool2d_with_indices) must be
// unused.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "Decompositions.h"
#include "OpTable.h"

#include <limits>

using namespace mlir;

namespace thunder::importer {
namespace {

SmallVector<int64_t> perDim(SmallVector<int64_t> values, int64_t n, int64_t dflt) {
  if (values.empty())
    return SmallVector<int64_t>(n, dflt);
  if (values.size() == 1 && n > 1)
    return SmallVector<int64_t>(n, values[0]);
  return values;
}

using Window = PoolWindow;

} // namespace

FailureOr<PoolWindow> readPoolWindow(NodeContext &ctx, Value x, int64_t n,
                                     bool withDilation) {
  Window w;
  w.kernel = perDim(ctx.integers("kernel_size"), n, 1);
  SmallVector<int64_t> stride =
      ctx.get("stride") ? ctx.integers("stride") : SmallVector<int64_t>{};
  w.stride = stride.empty() ? w.kernel : perDim(stride, n, 1);
  w.userPad = perDim(ctx.get("padding") ? ctx.integers("padding") : SmallVector<int64_t>{},
                     n, 0);
  w.dilation = withDilation
                   ? perDim(ctx.get("dilation") ? ctx.integers("dilation")
                                                : SmallVector<int64_t>{},
                            n, 1)
                   : SmallVector<int64_t>(n, 1);
  bool ceilMode = ctx.optionalBoolean("ceil_mode").value_or(false);
  if (failed(ctx.check()))
    return failure();
  for (auto *list : {&w.kernel, &w.stride, &w.userPad, &w.dilation})
    if (static_cast<int64_t>(list->size()) != n)
      return ctx.error() << "pooling parameters need " << n << " entries";
  int64_t rank = Emitter::rankOf(x);
  if (rank < n + 1)
    return ctx.error() << "pooling " << n << " dims needs an input of rank >= "
                       << n + 1;
  w.padLow = w.userPad;
  w.padHigh = w.userPad;
  for (int64_t i = 0; i < n; ++i) {
    int64_t in = Emitter::shapeOf(x)[rank - n + i];
    int64_t k = w.kernel[i], s = w.stride[i], p = w.userPad[i], d = w.dilation[i];
    // PyTorch's checks (pool2d_shape_check), bounded so that the window
    // arithmetic stays in int64.
    constexpr int64_t kMax = int64_t(1) << 31;
    if (k < 1 || k > kMax || s < 1 || s > kMax || d < 1 || d > kMax)
      return ctx.error() << "pooling kernel, stride and dilation must be in 1.." << kMax;
    if (p < 0 || p > ((k - 1) * d + 1) / 2)
      return ctx.error() << "pooling padding " << p
                         << " is negative or more than half the kernel";
    if (!ceilMode)
      continue;
    if (ShapedType::isDynamic(in))
      return ctx.error() << "ceil_mode pooling over a dynamic dim is not supported";
    if (in > kMax)
      return ctx.error() << "ceil_mode pooling over " << in << " elements is not supported";
    // PyTorch's pooling_output_shape with ceil_mode.
    int64_t numer = in + 2 * p - d * (k - 1) - 1 + (s - 1);
    int64_t out = (numer >= 0 ? numer / s : -((-numer + s - 1) / s)) + 1;
    if ((out - 1) * s >= in + p)
      --out;
    int64_t needed = (out - 1) * s + d * (k - 1) + 1 - in - p;
    w.padHigh[i] = std::max(p, needed);
  }
  return w;
}

namespace {

FailureOr<Window> readWindow(NodeContext &ctx, Value x, int64_t n, bool withDilation) {
  return readPoolWindow(ctx, x, n, withDilation);
}

/// The indices of max_pool*_with_indices: for each window the flat position
/// (in the pooled dims of the input) of its first maximum. The window entries
/// are strided slices of the -inf padded input, one per kernel offset.
FailureOr<Value> maxPoolIndices(NodeContext &ctx, Value x, const Window &w) {
  Emitter &e = ctx.emit();
  auto type = Emitter::typeOf(x);
  int64_t rank = type.getRank(), n = w.kernel.size(), lead = rank - n;
  if (!type.hasStaticShape())
    return ctx.error() << "max pooling indices need static shapes";
  SmallVector<int64_t> low(rank, 0), high(rank, 0), out;
  for (int64_t i = 0; i < n; ++i) {
    low[lead + i] = w.padLow[i];
    high[lead + i] = w.padHigh[i];
    std::optional<int64_t> extent =
        windowedExtent(type.getDimSize(lead + i), w.padLow[i], w.padHigh[i],
                       w.kernel[i], w.stride[i], w.dilation[i]);
    if (!extent)
      return ctx.error() << "the pooling's output size does not fit in int64";
    out.push_back(*extent);
  }
  Value negInf = e.scalar(type.getElementType(), -std::numeric_limits<double>::infinity());
  Value padded = e.pad(x, negInf, low, high);
  // One slice per window tap: bounded, a bigger window would take forever.
  constexpr int64_t kMaxTaps = 1 << 16;
  int64_t count = 1;
  for (int64_t k : w.kernel)
    if ((count *= k) > kMaxTaps)
      return ctx.error() << "max pooling indices for windows of more than " << kMaxTaps
                         << " elements are not supported";
  SmallVector<Value> taps;
  for (int64_t t = 0; t < count; ++t) {
    Value v = padded;
    int64_t rest = t;
    for (int64_t i = n - 1; i >= 0; --i) {
      int64_t ki = rest % w.kernel[i];
      rest /= w.kernel[i];
      int64_t start = ki * w.dilation[i];
      v = e.slice(v, lead + i, start, start + (out[i] - 1) * w.stride[i] + 1, w.stride[i]);
    }
    taps.push_back(e.unsqueeze(v, rank));
  }
  Value stacked = e.concat(taps, rank);
  SmallVector<int64_t> shape(Emitter::shapeOf(stacked).drop_back());
  Value tap = ArgMaxOp::create(e.b, e.loc, RankedTensorType::get(shape, e.i64()), stacked,
                               uint64_t(rank), false);
  // Position along each pooled dim: o * s - p + k * d; flattened row-major.
  Sizes sizes = e.dims(tap);
  Value flat;
  int64_t div = count;
  int64_t planeStride = 1;
  SmallVector<int64_t> strides(n);
  for (int64_t i = n - 1; i >= 0; --i) {
    strides[i] = planeStride;
    planeStride *= type.getDimSize(lead + i);
  }
  for (int64_t i = 0; i < n; ++i) {
    div /= w.kernel[i];
    Value ki = e.binaryScalar<RemainderOp>(e.binaryScalar<FloorDivOp>(tap, double(div)),
                                           double(w.kernel[i]));
    Value o = e.iota(sizes, e.i64(), lead + i);
    Value pos = e.add(e.mulScalar(o, double(w.stride[i])),
                      e.mulScalar(ki, double(w.dilation[i])));
    pos = e.addScalar(pos, -double(w.padLow[i]));
    Value term = e.mulScalar(pos, double(strides[i]));
    flat = flat ? e.add(flat, term) : term;
  }
  return flat;
}

/// max_pool{1,2,3}d and *_with_indices.
LogicalResult convertMaxPool(NodeContext &ctx, int64_t n) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  FailureOr<Window> w = readWindow(ctx, x, n, /*withDilation=*/true);
  if (failed(w))
    return failure();
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(x);
  if (!isFloat(t))
    return ctx.error() << "max pooling of " << t << " tensors is not supported";
  if (failed(ctx.bind(0, MaxPoolOp::create(e.b, e.loc, ctx.resultType(0), x, w->kernel,
                                           w->stride, w->padLow, w->padHigh, w->dilation)
                             .getResult())))
    return failure();
  if (ctx.numResults() < 2 || !ctx.resultUsed(1))
    return success();
  FailureOr<Value> indices = maxPoolIndices(ctx, x, *w);
  if (failed(indices))
    return failure();
  return ctx.bind(1, *indices);
}

LogicalResult convertAvgPool(NodeContext &ctx, int64_t n) {
  Value x = ctx.tensor("self");
  bool countPad = ctx.optionalBoolean("count_include_pad").value_or(true);
  std::optional<int64_t> divisor = ctx.optionalInteger("divisor_override");
  if (failed(ctx.check()))
    return failure();
  FailureOr<Window> w = readWindow(ctx, x, n, /*withDilation=*/false);
  if (failed(w))
    return failure();
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(x);
  if (!isFloat(t))
    return ctx.error() << "average pooling of " << t << " tensors is not supported";
  SmallVector<int64_t> counted = countPad ? w->userPad : SmallVector<int64_t>(n, 0);
  IntegerAttr divisorAttr = divisor ? e.b.getI64IntegerAttr(*divisor) : IntegerAttr();
  return ctx.bind(AvgPoolOp::create(e.b, e.loc, ctx.resultType(), x, w->kernel,
                                    w->stride, w->padLow, w->padHigh, counted,
                                    counted, divisorAttr)
                      .getResult());
}

/// One adaptive pooling step over dim `d` (of the n pooled trailing dims).
template <bool Max>
Value adaptiveDim(Emitter &e, Value x, int64_t d, int64_t out) {
  int64_t rank = Emitter::rankOf(x);
  int64_t in = Emitter::shapeOf(x)[d];
  if (in == out)
    return x;
  if (in % out == 0) {
    // A pool with kernel = stride = in / out over dims d..rank-1.
    int64_t k = in / out, m = rank - d;
    SmallVector<int64_t> kernel(m, 1), stride(m, 1), zeros(m, 0);
    kernel[0] = k;
    stride[0] = k;
    SmallVector<int64_t> shape(Emitter::shapeOf(x));
    shape[d] = out;
    auto type = RankedTensorType::get(shape, Emitter::elementTypeOf(x));
    if (Max)
      return MaxPoolOp::create(e.b, e.loc, type, x, kernel, stride, zeros, zeros,
                               SmallVector<int64_t>(m, 1));
    return AvgPoolOp::create(e.b, e.loc, type, x, kernel, stride, zeros, zeros,
                             zeros, zeros, IntegerAttr());
  }
  // Windows [floor(i*in/out), ceil((i+1)*in/out)).
  SmallVector<Value> parts;
  for (int64_t i = 0; i < out; ++i) {
    int64_t start = (i * in) / out;
    int64_t end = ((i + 1) * in + out - 1) / out;
    Value window = e.slice(x, d, start, end);
    parts.push_back(Max ? e.reduce<ReduceMaxOp>(window, {d}, true)
                        : e.mean(window, {d}, true));
  }
  return e.concat(parts, d);
}

template <bool Max>
LogicalResult convertAdaptivePool(NodeContext &ctx, int64_t n) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> outSize = perDim(ctx.integers("output_size"), n, 1);
  if (failed(ctx.check()))
    return failure();
  if (Max && ctx.numResults() > 1 && ctx.resultUsed(1))
    return ctx.error() << "the indices output of '" << ctx.target()
                       << "' is used; only the values are supported";
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  if (rank < n + 1 || static_cast<int64_t>(outSize.size()) != n)
    return ctx.error() << "bad adaptive pooling input or output size";
  if (!isFloat(Emitter::elementTypeOf(x)))
    return ctx.error() << "adaptive pooling of integer tensors is not supported";
  // A dynamic dim pooled to 1 (global pooling of images of any size): a
  // reduction over the whole dim, leaving extent 1 for the rest below.
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = rank - n + i;
    if (ShapedType::isDynamic(Emitter::shapeOf(x)[d]) && outSize[i] == 1)
      x = Max ? e.reduce<ReduceMaxOp>(x, {d}, true) : e.mean(x, {d}, true);
  }
  // All dims divisible: one pool op.
  bool divisible = true;
  for (int64_t i = 0; i < n; ++i) {
    int64_t in = Emitter::shapeOf(x)[rank - n + i];
    if (ShapedType::isDynamic(in))
      return ctx.error() << "adaptive pooling over a dynamic dim to a size other than 1 is not "
                            "supported (its windows would depend on the run-time extent)";
    divisible &= outSize[i] > 0 && in % outSize[i] == 0;
  }
  if (divisible) {
    SmallVector<int64_t> kernel, zeros(n, 0);
    for (int64_t i = 0; i < n; ++i)
      kernel.push_back(Emitter::shapeOf(x)[rank - n + i] / outSize[i]);
    RankedTensorType type = ctx.resultType(0);
    Value r = Max ? MaxPoolOp::create(e.b, e.loc, type, x, kernel, kernel, zeros, zeros,
                                      SmallVector<int64_t>(n, 1))
                        .getResult()
                  : AvgPoolOp::create(e.b, e.loc, type, x, kernel, kernel, zeros,
                                      zeros, zeros, zeros, IntegerAttr())
                        .getResult();
    return ctx.bind(0, r);
  }
  for (int64_t i = 0; i < n; ++i)
    x = adaptiveDim<Max>(e, x, rank - n + i, outSize[i]);
  return ctx.bind(0, x);
}

} // namespace

void registerPoolingOps(OpTable &t) {
  t.add("aten.max_pool1d.default", [](NodeContext &c) { return convertMaxPool(c, 1); });
  t.add("aten.max_pool2d.default", [](NodeContext &c) { return convertMaxPool(c, 2); });
  t.add("aten.max_pool3d.default", [](NodeContext &c) { return convertMaxPool(c, 3); });
  t.add("aten.max_pool1d_with_indices.default",
        [](NodeContext &c) { return convertMaxPool(c, 1); });
  t.add("aten.max_pool2d_with_indices.default",
        [](NodeContext &c) { return convertMaxPool(c, 2); });
  t.add("aten.max_pool3d_with_indices.default",
        [](NodeContext &c) { return convertMaxPool(c, 3); });
  t.add("aten.avg_pool1d.default", [](NodeContext &c) { return convertAvgPool(c, 1); });
  t.add("aten.avg_pool2d.default", [](NodeContext &c) { return convertAvgPool(c, 2); });
  t.add("aten.avg_pool3d.default", [](NodeContext &c) { return convertAvgPool(c, 3); });
  t.add("aten.adaptive_avg_pool1d.default",
        [](NodeContext &c) { return convertAdaptivePool<false>(c, 1); });
  for (const char *name :
       {"aten.adaptive_avg_pool2d.default", "aten._adaptive_avg_pool2d.default"})
    t.add(name, [](NodeContext &c) { return convertAdaptivePool<false>(c, 2); });
  for (const char *name :
       {"aten.adaptive_avg_pool3d.default", "aten._adaptive_avg_pool3d.default"})
    t.add(name, [](NodeContext &c) { return convertAdaptivePool<false>(c, 3); });
  t.add("aten.adaptive_max_pool1d.default",
        [](NodeContext &c) { return convertAdaptivePool<true>(c, 1); });
  t.add("aten.adaptive_max_pool2d.default",
        [](NodeContext &c) { return convertAdaptivePool<true>(c, 2); });
  t.add("aten.adaptive_max_pool3d.default",
        [](NodeContext &c) { return convertAdaptivePool<true>(c, 3); });
}

} // namespace thunder::importer
