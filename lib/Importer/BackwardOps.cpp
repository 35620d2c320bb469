//===- BackwardOps.cpp - gradient ops of the Core ATen set ----------------===//
//
// The Core ATen set has the gradients of a few ops as ops of their own; they
// appear in joint (forward + backward) graphs. Each becomes the thunder ops of
// its formula: max pooling's is thunder.max_pool_backward; average pooling's
// a depthwise transposed convolution with a ones kernel over the gradient
// divided by each window's divisor; layer/group norm's the usual closed form;
// convolution's two convolutions and a sum.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "Decompositions.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <limits>

using namespace mlir;

namespace thunder::importer {
namespace {

SmallVector<int64_t> perDim(SmallVector<int64_t> v, int64_t n, int64_t dflt) {
  if (v.empty())
    return SmallVector<int64_t>(n, dflt);
  if (v.size() == 1 && n > 1)
    return SmallVector<int64_t>(n, v[0]);
  return v;
}

LogicalResult convertMaxPoolBackward(NodeContext &ctx) {
  Value grad = ctx.tensor("grad_output"), x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  int64_t n = ctx.target().contains("3d") ? 3 : 2;
  FailureOr<PoolWindow> w = readPoolWindow(ctx, x, n, /*withDilation=*/true);
  if (failed(w))
    return failure();
  Emitter &e = ctx.emit();
  grad = e.convert(grad, Emitter::elementTypeOf(x));
  return ctx.bind(MaxPoolBackwardOp::create(e.b, e.loc, x.getType(), grad, x, w->kernel,
                                            w->stride, w->padLow, w->padHigh, w->dilation)
                      .getResult());
}

/// The divisor of each window of an average pool along one dim (PyTorch's
/// rule: the window clipped to input + user padding when count_include_pad,
/// else to the input).
SmallVector<int64_t> windowCounts(int64_t in, int64_t out, int64_t k, int64_t s,
                                  int64_t p, bool countPad) {
  SmallVector<int64_t> counts;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * s - p, end = std::min(start + k, in + p);
    if (countPad) {
      counts.push_back(end - start);
    } else {
      counts.push_back(std::min(end, in) - std::max(start, int64_t(0)));
    }
  }
  return counts;
}

LogicalResult convertAvgPoolBackward(NodeContext &ctx) {
  Value grad = ctx.tensor("grad_output"), x = ctx.tensor("self");
  bool countPad = ctx.optionalBoolean("count_include_pad").value_or(true);
  std::optional<int64_t> divisor = ctx.optionalInteger("divisor_override");
  if (failed(ctx.check()))
    return failure();
  int64_t n = ctx.target().contains("3d") ? 3 : 2;
  FailureOr<PoolWindow> w = readPoolWindow(ctx, x, n, /*withDilation=*/false);
  if (failed(w))
    return failure();
  Emitter &e = ctx.emit();
  auto xt = Emitter::typeOf(x), gt = Emitter::typeOf(grad);
  if (!xt.hasStaticShape() || !gt.hasStaticShape())
    return ctx.error() << "average pooling gradients need static shapes";
  Type t = xt.getElementType();
  grad = e.convert(grad, t);
  int64_t rank = xt.getRank();
  // grad / divisor, the divisor a product of per-dim window counts.
  SmallVector<int64_t> outShape(gt.getShape().take_back(n));
  SmallVector<double> div(1, 1.0);
  for (int64_t i = 0; i < n; ++i) {
    SmallVector<int64_t> c = windowCounts(xt.getDimSize(rank - n + i), outShape[i],
                                          w->kernel[i], w->stride[i], w->userPad[i],
                                          countPad);
    SmallVector<double> next;
    for (double a : div)
      for (int64_t b : c)
        next.push_back(divisor ? double(*divisor) : a * double(b));
    div = next;
  }
  auto dType = RankedTensorType::get(outShape, t);
  SmallVector<Attribute> attrs;
  for (double v : div)
    attrs.push_back(e.scalarAttr(t, 1.0 / v));
  Value inv = ConstantOp::create(e.b, e.loc, dType, DenseElementsAttr::get(dType, attrs));
  Value g = e.mul(grad, inv);
  // Scatter back: a depthwise transposed convolution with a ones kernel.
  Sizes gs = e.dims(g);
  int64_t lead = rank - n;
  OpFoldResult batch = e.product(ArrayRef<OpFoldResult>(gs).take_front(lead));
  Sizes flat = {batch, e.index(1)};
  llvm::append_range(flat, ArrayRef<OpFoldResult>(gs).take_back(n));
  Value g4 = e.reshape(g, flat);
  SmallVector<int64_t> kshape = {1, 1};
  llvm::append_range(kshape, w->kernel);
  Value ones = e.full(Sizes(llvm::map_range(kshape, [&](int64_t v) -> OpFoldResult {
                        return e.index(v);
                      })),
                      e.scalarAttr(t, 1.0));
  ConvParams p;
  p.transposed = true;
  p.stride = w->stride;
  p.dilation = SmallVector<int64_t>(n, 1);
  p.padLow = w->userPad;
  p.padHigh = w->userPad;
  p.outputPadding.clear();
  for (int64_t i = 0; i < n; ++i) {
    int64_t in = xt.getDimSize(lead + i);
    int64_t produced = (outShape[i] - 1) * w->stride[i] - 2 * w->userPad[i] + w->kernel[i];
    p.outputPadding.push_back(in - produced);
  }
  FailureOr<Value> r = buildConvolution(ctx, g4, ones, std::nullopt, p, t);
  if (failed(r))
    return failure();
  return ctx.bind(e.reshape(*r, e.dims(x)));
}

/// _adaptive_avg_pool2d_backward: gradIn = A_h^T g A_w with the windows'
/// averaging matrices.
LogicalResult convertAdaptiveAvgPoolBackward(NodeContext &ctx) {
  Value grad = ctx.tensor("grad_output"), x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  auto xt = Emitter::typeOf(x), gt = Emitter::typeOf(grad);
  if (!xt.hasStaticShape() || !gt.hasStaticShape() || xt.getRank() < 2)
    return ctx.error() << "adaptive pooling gradients need static shapes";
  Type t = xt.getElementType();
  int64_t r = xt.getRank();
  auto averaging = [&](int64_t in, int64_t out, bool transpose) {
    SmallVector<Attribute> a;
    auto type = transpose ? RankedTensorType::get({in, out}, t)
                          : RankedTensorType::get({out, in}, t);
    SmallVector<double> m(in * out, 0.0);
    for (int64_t o = 0; o < out; ++o) {
      int64_t s = (o * in) / out, end = ((o + 1) * in + out - 1) / out;
      for (int64_t i = s; i < end; ++i)
        m[transpose ? i * out + o : o * in + i] = 1.0 / double(end - s);
    }
    for (double v : m)
      a.push_back(e.scalarAttr(t, v));
    return ConstantOp::create(e.b, e.loc, type, DenseElementsAttr::get(type, a)).getResult();
  };
  Value g = e.convert(grad, t);
  Value aw = averaging(xt.getDimSize(r - 1), gt.getDimSize(r - 1), false); // [Wo, W]
  Value ahT = averaging(xt.getDimSize(r - 2), gt.getDimSize(r - 2), true); // [H, Ho]
  return ctx.bind(e.matmul(ahT, e.matmul(g, aw)));
}

/// The closed-form normalisation gradient over `dims` (keepdim sums):
/// rstd / M * (M * g - sum(g) - xhat * sum(g * xhat)).
Value normGradInput(Emitter &e, Value g, Value xhat, Value rstd, ArrayRef<int64_t> dims) {
  OpFoldResult m = e.count(xhat, dims);
  Value sg = e.broadcastTo(e.sum(g, dims, true), e.dims(g));
  Value sgx = e.broadcastTo(e.sum(e.mul(g, xhat), dims, true), e.dims(g));
  Value mg = e.mul(g, e.indexToTensor(m, Emitter::elementTypeOf(g)));
  Value inner = e.sub(e.sub(mg, sg), e.mul(xhat, sgx));
  return e.divByCount(e.mul(inner, rstd), m);
}

LogicalResult convertLayerNormBackward(NodeContext &ctx) {
  Value g = ctx.tensor("grad_out"), x = ctx.tensor("input");
  SmallVector<int64_t> normalized = ctx.integers("normalized_shape");
  Value mean = ctx.tensor("mean"), rstd = ctx.tensor("rstd");
  std::optional<Value> weight = ctx.optionalTensor("weight");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(x);
  Type ct = t.getIntOrFloatBitWidth() < 32 ? e.f32() : t;
  int64_t rank = Emitter::rankOf(x);
  int64_t axis = rank - static_cast<int64_t>(normalized.size());
  SmallVector<int64_t> inner = llvm::to_vector(llvm::seq<int64_t>(axis, rank));
  SmallVector<int64_t> outer = llvm::to_vector(llvm::seq<int64_t>(0, axis));
  x = e.convert(x, ct);
  g = e.convert(g, ct);
  Sizes shape = e.dims(x);
  Value m = e.broadcastTo(e.convert(mean, ct), shape);
  Value rs = e.broadcastTo(e.convert(rstd, ct), shape);
  Value xhat = e.mul(e.sub(x, m), rs);
  Value gw = weight ? e.mul(g, e.convert(*weight, ct)) : g;
  if (ctx.resultUsed(0) &&
      failed(ctx.bind(0, normGradInput(e, gw, xhat, rs, inner))))
    return failure();
  if (ctx.numResults() > 1 && ctx.resultUsed(1)) {
    Value dw = e.mul(g, xhat);
    if (failed(ctx.bind(1, outer.empty() ? dw : e.sum(dw, outer, false))))
      return failure();
  }
  if (ctx.numResults() > 2 && ctx.resultUsed(2))
    return ctx.bind(2, outer.empty() ? g : e.sum(g, outer, false));
  return success();
}

LogicalResult convertGroupNormBackward(NodeContext &ctx) {
  Value g = ctx.tensor("grad_out"), x = ctx.tensor("input");
  Value mean = ctx.tensor("mean"), rstd = ctx.tensor("rstd");
  std::optional<Value> weight = ctx.optionalTensor("weight");
  int64_t groups = ctx.integer("group");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(x);
  Type ct = t.getIntOrFloatBitWidth() < 32 ? e.f32() : t;
  Sizes shape = e.dims(x);
  int64_t rank = shape.size();
  x = e.convert(x, ct);
  g = e.convert(g, ct);
  if (weight)
    g = MulOp::create(e.b, e.loc, g,
                      e.broadcastInDim(e.convert(*weight, ct), shape, {1}));
  Value gRaw = e.convert(ctx.tensor("grad_out"), ct);
  // [N, G, C/G * HxW]
  Sizes grouped = {shape[0], e.index(groups),
                   e.floorDiv(e.product(ArrayRef<OpFoldResult>(shape).drop_front()),
                              e.index(groups))};
  Value xg = e.reshape(x, grouped), gg = e.reshape(g, grouped);
  Value m = e.broadcastTo(e.unsqueeze(e.convert(mean, ct), 2), e.dims(xg));
  Value rs = e.broadcastTo(e.unsqueeze(e.convert(rstd, ct), 2), e.dims(xg));
  Value xhat = e.mul(e.sub(xg, m), rs);
  if (ctx.resultUsed(0) &&
      failed(ctx.bind(0, e.reshape(normGradInput(e, gg, xhat, rs, {2}), shape))))
    return failure();
  SmallVector<int64_t> perChannel = {0};
  for (int64_t i = 2; i < rank; ++i)
    perChannel.push_back(i);
  if (ctx.numResults() > 1 && ctx.resultUsed(1)) {
    Value dw = e.mul(gRaw, e.reshape(xhat, shape));
    if (failed(ctx.bind(1, e.sum(dw, perChannel, false))))
      return failure();
  }
  if (ctx.numResults() > 2 && ctx.resultUsed(2))
    return ctx.bind(2, e.sum(gRaw, perChannel, false));
  return success();
}

LogicalResult convertEmbeddingBackward(NodeContext &ctx) {
  Value g = ctx.tensor("grad_output"), indices = ctx.tensor("indices");
  int64_t num = ctx.integer("num_weights");
  int64_t paddingIdx = ctx.integer("padding_idx");
  bool byFreq = ctx.boolean("scale_grad_by_freq");
  if (failed(ctx.check()))
    return failure();
  if (byFreq)
    return ctx.error() << "embedding gradients with scale_grad_by_freq are not supported";
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(g);
  int64_t ir = Emitter::rankOf(indices);
  Value ids = e.convert(ir == 1 ? indices : e.flatten(indices, 0, std::max<int64_t>(ir - 1, 0)),
                        e.i64());
  Sizes gs = e.dims(g);
  OpFoldResult d = gs.back();
  Value rows = e.reshape(g, Sizes{e.dim(ids, 0), d});
  if (paddingIdx >= 0) {
    Value keep = e.convert(e.compareScalar(CompareDirection::NE, ids, double(paddingIdx)), t);
    rows = e.mul(rows, e.unsqueeze(keep, 1));
  }
  Value zeros = e.full(Sizes{e.index(num), d}, e.scalarAttr(t, 0.0));
  return ctx.bind(IndexPutOp::create(e.b, e.loc, zeros.getType(), zeros, ValueRange{ids},
                                     rows, uint64_t(0), true)
                      .getResult());
}

/// convolution_backward (not transposed): grad_input is the transposed
/// convolution of grad_output with the weight; grad_weight the convolution of
/// the input with grad_output over the batch; grad_bias a sum.
LogicalResult convertConvolutionBackward(NodeContext &ctx) {
  Value g = ctx.tensor("grad_output"), x = ctx.tensor("input"), w = ctx.tensor("weight");
  SmallVector<int64_t> stride = ctx.integers("stride"), padding = ctx.integers("padding");
  SmallVector<int64_t> dilation = ctx.integers("dilation");
  bool transposed = ctx.boolean("transposed");
  int64_t groups = ctx.integer("groups");
  if (failed(ctx.check()))
    return failure();
  if (transposed)
    return ctx.error() << "gradients of transposed convolutions are not supported";
  Emitter &e = ctx.emit();
  auto xt = Emitter::typeOf(x), wt = Emitter::typeOf(w), gt = Emitter::typeOf(g);
  int64_t n = wt.getRank() - 2;
  if (!xt.hasStaticShape() || !wt.hasStaticShape() || !gt.hasStaticShape() ||
      xt.getRank() != n + 2)
    return ctx.error() << "convolution gradients need static, batched shapes";
  stride = perDim(stride, n, 1);
  padding = perDim(padding, n, 0);
  dilation = perDim(dilation, n, 1);
  Type t = xt.getElementType();
  g = e.convert(g, t);
  w = e.convert(w, t);
  ArrayRef<int64_t> k = wt.getShape().drop_front(2);
  if (static_cast<int64_t>(stride.size()) != n || static_cast<int64_t>(padding.size()) != n ||
      static_cast<int64_t>(dilation.size()) != n)
    return ctx.error() << "convolution parameters need " << n << " entries";
  if (groups < 1 || xt.getDimSize(1) % groups || gt.getDimSize(1) % groups)
    return ctx.error() << "convolution channels do not divide into " << groups << " groups";
  ConvParams checked;
  checked.groups = groups;
  checked.stride = stride;
  checked.dilation = dilation;
  checked.padLow = checked.padHigh = padding;
  if (failed(checkConvParams(ctx, checked)))
    return failure();
  if (ctx.resultUsed(0)) {
    ConvParams p = checked;
    p.transposed = true;
    for (int64_t i = 0; i < n; ++i) {
      // In 128 bits: the sizes come from the archive.
      __int128 produced = __int128(gt.getDimSize(2 + i) - 1) * stride[i] - 2 * padding[i] +
                          __int128(dilation[i]) * (k[i] - 1) + 1;
      __int128 outputPadding = xt.getDimSize(2 + i) - produced;
      if (outputPadding < std::numeric_limits<int32_t>::min() ||
          outputPadding > std::numeric_limits<int32_t>::max())
        return ctx.error() << "convolution_backward: the gradient's size does not match the input";
      p.outputPadding.push_back(static_cast<int64_t>(outputPadding));
    }
    FailureOr<Value> gi = buildConvolution(ctx, g, w, std::nullopt, p, t);
    if (failed(gi) || failed(ctx.bind(0, *gi)))
      return failure();
  }
  if (ctx.numResults() > 1 && ctx.resultUsed(1)) {
    // Per group: [C/g, N, *S] (channels as batch) against [O/g, N, *So].
    int64_t c = xt.getDimSize(1), o = gt.getDimSize(1);
    int64_t cg = c / groups, og = o / groups;
    SmallVector<Value> parts;
    for (int64_t gi = 0; gi < groups; ++gi) {
      Value xs = e.transpose(e.slice(x, 1, gi * cg, (gi + 1) * cg), 0, 1);
      Value gs = e.transpose(e.slice(g, 1, gi * og, (gi + 1) * og), 0, 1);
      ConvParams p;
      p.stride = dilation;
      p.dilation = stride;
      p.padLow = padding;
      p.padHigh = padding;
      p.outputPadding = SmallVector<int64_t>(n, 0);
      FailureOr<Value> r = buildConvolution(ctx, xs, gs, std::nullopt, p, t);
      if (failed(r))
        return failure();
      // [C/g, O/g, *K'] -> [O/g, C/g, *K], K' >= K.
      Value part = e.transpose(*r, 0, 1);
      for (int64_t i = 0; i < n; ++i)
        part = e.slice(part, 2 + i, 0, k[i]);
      parts.push_back(part);
    }
    if (failed(ctx.bind(1, e.concat(parts, 0))))
      return failure();
  }
  if (ctx.numResults() > 2 && ctx.resultUsed(2)) {
    SmallVector<int64_t> dims = {0};
    for (int64_t i = 0; i < n; ++i)
      dims.push_back(2 + i);
    return ctx.bind(2, e.sum(g, dims, false));
  }
  return success();
}

} // namespace

void registerBackwardOps(OpTable &t) {
  t.add("aten.max_pool2d_with_indices_backward.default", convertMaxPoolBackward);
  t.add("aten.max_pool3d_with_indices_backward.default", convertMaxPoolBackward);
  t.add("aten.avg_pool2d_backward.default", convertAvgPoolBackward);
  t.add("aten.avg_pool3d_backward.default", convertAvgPoolBackward);
  t.add("aten._adaptive_avg_pool2d_backward.default", convertAdaptiveAvgPoolBackward);
  t.add("aten.native_layer_norm_backward.default", convertLayerNormBackward);
  t.add("aten.native_group_norm_backward.default", convertGroupNormBackward);
  t.add("aten.embedding_dense_backward.default", convertEmbeddingBackward);
  t.add("aten.convolution_backward.default", convertConvolutionBackward);
}

} // namespace thunder::importer
