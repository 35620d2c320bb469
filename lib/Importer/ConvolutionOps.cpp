//===- ConvolutionOps.cpp - convolution and transposed convolution --------===//
//
// All convolutions become one `thunder.convolution` (plus a broadcast add of
// the bias). A transposed convolution is the convolution of the input dilated
// by the stride (`lhs_dilation`) with the flipped weight, its in/out channels
// swapped per group, padded by dilation * (k - 1) - padding on both sides
// (+ output_padding on the high side).
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

/// The largest stride, dilation, padding, group count (and transposed kernel
/// extent) accepted: far beyond any real model, small enough that products of
/// two stay in int64.
constexpr int64_t kMaxConvParam = int64_t(1) << 31;

/// A list argument given for one dim or for all.
SmallVector<int64_t> perDim(SmallVector<int64_t> values, int64_t n, int64_t dflt) {
  if (values.empty())
    return SmallVector<int64_t>(n, dflt);
  if (values.size() == 1 && n > 1)
    return SmallVector<int64_t>(n, values[0]);
  return values;
}

bool outsideConvRange(ArrayRef<int64_t> values, int64_t lo) {
  return llvm::any_of(values, [&](int64_t v) { return v < lo || v > kMaxConvParam; });
}

} // namespace

LogicalResult checkConvParams(NodeContext &ctx, const ConvParams &p) {
  return checkConvParams([&] { return ctx.error(); }, p);
}

LogicalResult checkConvParams(ErrorFn error, const ConvParams &p) {
  // PyTorch's checks (output padding may be negative inside decompositions),
  // bounded so that the window arithmetic stays in int64.
  if (outsideConvRange(p.stride, 1) || outsideConvRange(p.dilation, 1) ||
      outsideConvRange(p.padLow, 0) || outsideConvRange(p.padHigh, 0) ||
      outsideConvRange(p.outputPadding, -kMaxConvParam) || p.groups < 1 ||
      p.groups > kMaxConvParam)
    return error() << "convolution stride, dilation and groups must be in 1.."
                       << kMaxConvParam << ", padding in 0.." << kMaxConvParam;
  return success();
}

FailureOr<Value> buildConvolution(NodeContext &ctx, Value x, Value w,
                                  std::optional<Value> bias, ConvParams p, Type t) {
  return buildConvolution(ctx.emit(), [&] { return ctx.error(); }, x, w, bias, p, t);
}

FailureOr<Value> buildConvolution(Emitter &e, ErrorFn error, Value x, Value w,
                                  std::optional<Value> bias, ConvParams p, Type t) {
  if (!isFloat(t))
    return error() << "convolution of " << t << " tensors is not supported";
  int64_t spatial = Emitter::rankOf(w) - 2;
  if (spatial < 1)
    return error() << "convolution weight must have rank >= 3";
  bool unbatched = Emitter::rankOf(x) == spatial + 1;
  if (unbatched)
    x = e.unsqueeze(x, 0);
  if (Emitter::rankOf(x) != spatial + 2)
    return error() << "convolution input of rank " << Emitter::rankOf(x)
                       << " for a weight of rank " << Emitter::rankOf(w);
  for (auto *list : {&p.stride, &p.padLow, &p.padHigh, &p.dilation, &p.outputPadding})
    if (static_cast<int64_t>(list->size()) != spatial)
      return error() << "convolution parameters need " << spatial << " entries";
  if (failed(checkConvParams(error, p)))
    return failure();
  x = e.convert(x, t);
  w = e.convert(w, t);
  SmallVector<int64_t> lhsDilation(spatial, 1), windowStride = p.stride;
  ArrayRef<int64_t> k = Emitter::shapeOf(w).drop_front(2);
  if (llvm::any_of(k, ShapedType::isDynamic))
    return error() << "convolution weights must have a static shape";
  if (p.transposed) {
    // [Cin, Cout/g, *K] -> [Cout, Cin/g, *K], spatially flipped.
    int64_t g = p.groups;
    int64_t cin = Emitter::shapeOf(w)[0], coutG = Emitter::shapeOf(w)[1];
    if (ShapedType::isDynamic(cin) || cin % g)
      return error() << "transposed convolution weight channels " << cin
                         << " do not divide into " << g << " groups";
    if (ShapedType::isDynamic(coutG) || coutG > std::numeric_limits<int64_t>::max() / g ||
        outsideConvRange(k, 0))
      return error() << "transposed convolution weight of shape "
                         << Emitter::typeOf(w) << " is too large";
    SmallVector<int64_t> split = {g, cin / g, coutG};
    split.append(k.begin(), k.end());
    w = e.reshape(w, split);
    SmallVector<int64_t> perm = {0, 2, 1};
    for (int64_t i = 0; i < spatial; ++i)
      perm.push_back(3 + i);
    w = e.permute(w, perm);
    SmallVector<int64_t> merged = {g * coutG, cin / g};
    merged.append(k.begin(), k.end());
    w = e.reshape(w, merged);
    w = e.reverse(w, llvm::to_vector(llvm::seq<int64_t>(2, spatial + 2)));
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t span = p.dilation[i] * (k[i] - 1);
      p.padHigh[i] = span - p.padHigh[i] + p.outputPadding[i];
      p.padLow[i] = span - p.padLow[i];
      lhsDilation[i] = p.stride[i];
      windowStride[i] = 1;
    }
  }
  // The result shape (dynamic where the input extent is).
  auto in = Emitter::typeOf(x);
  SmallVector<int64_t> shape = {in.getDimSize(0), Emitter::shapeOf(w)[0]};
  for (int64_t i = 0; i < spatial; ++i) {
    std::optional<int64_t> n =
        windowedExtent(in.getDimSize(2 + i), p.padLow[i], p.padHigh[i], k[i],
                       windowStride[i], p.dilation[i], lhsDilation[i]);
    if (!n)
      return error() << "the convolution's output size does not fit in int64";
    shape.push_back(*n);
  }
  Value y = ConvolutionOp::create(e.b, e.loc, RankedTensorType::get(shape, t), x, w,
                                  windowStride, p.padLow, p.padHigh, p.dilation,
                                  lhsDilation, static_cast<uint64_t>(p.groups));
  if (bias) {
    Value b = e.convert(*bias, t);
    y = AddOp::create(e.b, e.loc, y, e.broadcastInDim(b, e.dims(y), {1}));
  }
  if (unbatched)
    y = e.squeeze(y, 0);
  return y;
}

namespace {

LogicalResult convolve(NodeContext &ctx, Value x, Value w, std::optional<Value> bias,
                       ConvParams p) {
  FailureOr<Value> y = buildConvolution(ctx, x, w, bias, p, ctx.resultElementType());
  if (failed(y))
    return failure();
  return ctx.bind(*y);
}

/// `padding` as ints, or "same" / "valid".
LogicalResult readPadding(NodeContext &ctx, Value w, int64_t spatial,
                          ArrayRef<int64_t> dilation, ConvParams &p) {
  const pt2::Argument *a = ctx.get("padding");
  if (a && a->kind() == pt2::ArgKind::String) {
    std::string mode = ctx.string("padding");
    p.padLow.assign(spatial, 0);
    p.padHigh.assign(spatial, 0);
    if (mode == "valid")
      return success();
    if (mode != "same")
      return ctx.error() << "unknown padding '" << mode << "'";
    ArrayRef<int64_t> k = Emitter::shapeOf(w).drop_front(2);
    for (int64_t i = 0; i < spatial; ++i) {
      if (ShapedType::isDynamic(k[i]) || k[i] > kMaxConvParam || dilation[i] < 1 ||
          dilation[i] > kMaxConvParam)
        return ctx.error() << "padding='same' needs a static kernel and dilations in 1.."
                           << kMaxConvParam;
      int64_t total = dilation[i] * (k[i] - 1);
      p.padLow[i] = total / 2;
      p.padHigh[i] = total - p.padLow[i];
    }
    return success();
  }
  p.padLow = perDim(a ? ctx.integers("padding") : SmallVector<int64_t>{}, spatial, 0);
  p.padHigh = p.padLow;
  return success();
}

/// convolution / conv{1,2,3}d / conv_transpose{1,2,3}d / _convolution.
LogicalResult convertConv(NodeContext &ctx) {
  Value x = ctx.tensor("input"), w = ctx.tensor("weight");
  std::optional<Value> bias = ctx.optionalTensor("bias");
  if (failed(ctx.check()))
    return failure();
  int64_t spatial = Emitter::rankOf(w) - 2;
  ConvParams p;
  p.stride = perDim(ctx.get("stride") ? ctx.integers("stride") : SmallVector<int64_t>{},
                    spatial, 1);
  p.dilation = perDim(
      ctx.get("dilation") ? ctx.integers("dilation") : SmallVector<int64_t>{}, spatial, 1);
  p.outputPadding = perDim(ctx.get("output_padding") ? ctx.integers("output_padding")
                                                     : SmallVector<int64_t>{},
                           spatial, 0);
  p.groups = ctx.optionalInteger("groups").value_or(1);
  StringRef target = ctx.target();
  p.transposed = target.starts_with("aten.conv_transpose") ||
                 (ctx.get("transposed") && ctx.boolean("transposed"));
  if (failed(ctx.check()))
    return failure();
  if (failed(readPadding(ctx, w, spatial, p.dilation, p)) || failed(ctx.check()))
    return failure();
  return convolve(ctx, x, w, bias, p);
}

} // namespace

void registerConvolutionOps(OpTable &t) {
  t.add("aten.convolution.default", convertConv);
  t.add("aten._convolution.default", convertConv);
  for (const char *n : {"1d", "2d", "3d"}) {
    t.add(std::string("aten.conv") + n + ".default", convertConv);
    t.add(std::string("aten.conv") + n + ".padding", convertConv);
    t.add(std::string("aten.conv_transpose") + n + ".default", convertConv);
    t.add(std::string("aten.conv_transpose") + n + ".input", convertConv);
  }
}

} // namespace thunder::importer
