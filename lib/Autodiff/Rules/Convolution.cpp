//===- Convolution.cpp - VJP rule of thunder.convolution ------------------===//
//
// Per spatial dim, with input extent n, kernel k, result m, stride s,
// padding pl/ph, dilation d and lhs dilation a (the padded, a-dilated input
// xp is read at o*s + j*d):
//   grad input  = conv(g, flip(W^T), stride a, lhs_dilation s, dilation d,
//                      padding [(k-1)d - pl, (n-1)a - (m-1)s + pl])
//   grad weight = conv(x^T, g^T, stride d, lhs_dilation a, dilation s,
//                      padding [pl, (k-1)d + (m-1)s - (n-1)a - pl])
// where the weight-grad convolution runs over the batch: its "batch" is the
// input channels of a group and its channels are the batch (groups as the
// forward's). docs/autodiff.md has the derivation.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace thunder::autodiff {
namespace {

/// Reshape with a shape whose dynamic extents are given by `sizes`.
Value reshapeTo(VJPBuilder &b, Value v, ArrayRef<int64_t> shape,
                ValueRange sizes) {
  auto type = cast<RankedTensorType>(v.getType()).clone(shape);
  return b.reshape(v, type, sizes);
}

int64_t mulDyn(int64_t a, int64_t c) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(c)
             ? ShapedType::kDynamic
             : a * c;
}

/// Split dim `d` of v into (outer, e / outer): the group shuffles below.
Value splitDim(VJPBuilder &b, Value v, int64_t d, int64_t outer) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t e = shape[d];
  shape[d] = ShapedType::isDynamic(e) ? e : e / outer;
  shape.insert(shape.begin() + d, outer);
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!type.isDynamicDim(i))
      continue;
    Value extent = tensor::DimOp::create(b, v, i);
    if (i == d)
      extent = arith::DivUIOp::create(b, extent,
                                      arith::ConstantIndexOp::create(b, outer));
    sizes.push_back(extent);
  }
  return reshapeTo(b, v, shape, sizes);
}

/// Merge dims d and d+1 of v.
Value mergeDims(VJPBuilder &b, Value v, int64_t d) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (i == d + 1)
      continue;
    if (i == d) {
      if (ShapedType::isDynamic(shape[d]) ||
          ShapedType::isDynamic(shape[d + 1]))
        sizes.push_back(
            arith::MulIOp::create(b, tensor::DimOp::create(b, v, d),
                                  tensor::DimOp::create(b, v, d + 1)));
      continue;
    }
    if (type.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(b, v, i));
  }
  shape[d] = mulDyn(shape[d], shape[d + 1]);
  shape.erase(shape.begin() + d + 1);
  return reshapeTo(b, v, shape, sizes);
}

SmallVector<int64_t> spatialPerm(int64_t rank, ArrayRef<int64_t> lead) {
  SmallVector<int64_t> perm(lead);
  for (int64_t i = lead.size(); i < rank; ++i)
    perm.push_back(i);
  return perm;
}

LogicalResult convolutionRule(VJPBuilder &b, ConvolutionOp op,
                              ArrayRef<Value> g, MutableArrayRef<Value> out) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  auto outType = op.getType();
  int64_t spatial = inType.getRank() - 2, groups = op.getGroups();
  for (int64_t i = 1; i < inType.getRank(); ++i)
    if (inType.isDynamicDim(i) || outType.isDynamicDim(i) ||
        wType.isDynamicDim(i) || wType.isDynamicDim(0))
      return op.emitOpError(
          "VJP needs static channel, spatial and kernel extents");
  ArrayRef<int64_t> stride = op.getStride(), pl = op.getPaddingLow(),
                    ph = op.getPaddingHigh(), dil = op.getDilation(),
                    lhsDil = op.getLhsDilation();

  if (b.wants(op.getInput())) {
    FailureOr<Value> grad =
        convolutionInputGrad(b, op, g[0], b.primal(op.getWeight()), inType,
                             stride, pl, ph, dil, lhsDil, groups);
    if (failed(grad))
      return failure();
    out[0] = *grad;
  }

  if (b.wants(op.getWeight())) {
    // input [N, G*Cg, *n] -> [Cg, G*N, *n]
    Value x = b.primal(op.getInput());
    int64_t rank = inType.getRank();
    Value gw = g[0];
    if (groups == 1) {
      x = b.permute(x, spatialPerm(rank, {1, 0}));   // [C, N, *n]
      gw = b.permute(gw, spatialPerm(rank, {1, 0})); // [O, N, *m]
    } else {
      x = splitDim(b, x, 1, groups);                      // [N, G, Cg, *n]
      x = b.permute(x, spatialPerm(rank + 1, {2, 1, 0})); // [Cg, G, N, *n]
      x = mergeDims(b, x, 1);                             // [Cg, G*N, *n]
      // cotangent [N, G*Og, *m] -> [G*Og, N, *m]
      gw = splitDim(b, gw, 1, groups);                      // [N, G, Og, *m]
      gw = b.permute(gw, spatialPerm(rank + 1, {1, 2, 0})); // [G, Og, N, *m]
      gw = mergeDims(b, gw, 0);                             // [G*Og, N, *m]
    }
    SmallVector<int64_t> low, high;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t n = inType.getDimSize(2 + i), k = wType.getDimSize(2 + i),
              m = outType.getDimSize(2 + i);
      int64_t hi =
          (k - 1) * dil[i] + (m - 1) * stride[i] - (n - 1) * lhsDil[i] - pl[i];
      if (hi < 0) {
        // The last input elements are never read: drop them.
        int64_t keep =
            ((k - 1) * dil[i] + (m - 1) * stride[i] - pl[i]) / lhsDil[i] + 1;
        auto xType = cast<RankedTensorType>(x.getType());
        SmallVector<int64_t> start(xType.getRank(), 0),
            limit(xType.getRank(), INT64_MAX), step(xType.getRank(), 1);
        limit[2 + i] = keep;
        SmallVector<int64_t> shape(xType.getShape());
        shape[2 + i] = keep;
        x = SliceOp::create(b, xType.clone(shape), x, start, limit, step);
        n = keep;
        hi = (k - 1) * dil[i] + (m - 1) * stride[i] - (n - 1) * lhsDil[i] -
             pl[i];
      }
      if (pl[i] < 0 || hi < 0)
        return op.emitOpError("VJP: negative padding is not supported");
      low.push_back(pl[i]);
      high.push_back(hi);
    }
    auto xType = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape = {xType.getDimSize(0), wType.getDimSize(0)};
    llvm::append_range(shape, wType.getShape().drop_front(2));
    Value conv = ConvolutionOp::create(b, wType.clone(shape), x, gw,
                                       /*stride=*/dil, low, high,
                                       /*dilation=*/stride,
                                       /*lhs_dilation=*/lhsDil,
                                       static_cast<uint64_t>(groups));
    out[1] = b.permute(conv, spatialPerm(rank, {1, 0})); // [O, Cg, *k]
  }
  return success();
}

} // namespace

FailureOr<Value>
convolutionInputGrad(VJPBuilder &b, Operation *op, Value cot, Value weight,
                     RankedTensorType inType, ArrayRef<int64_t> stride,
                     ArrayRef<int64_t> pl, ArrayRef<int64_t> ph,
                     ArrayRef<int64_t> dil, ArrayRef<int64_t> lhsDil,
                     int64_t groups) {
  auto wType = cast<RankedTensorType>(weight.getType());
  auto gType = cast<RankedTensorType>(cot.getType());
  int64_t rank = inType.getRank(), spatial = rank - 2;
  // weight [G*Og, Cg, *k] -> [G*Cg, Og, *k], flipped in space.
  Value w = weight;
  if (groups == 1) {
    w = b.permute(w, spatialPerm(rank, {1, 0})); // [C, O, *k]
  } else {
    w = splitDim(b, w, 0, groups);                      // [G, Og, Cg, *k]
    w = b.permute(w, spatialPerm(rank + 1, {0, 2, 1})); // [G, Cg, Og, *k]
    w = mergeDims(b, w, 0);                             // [G*Cg, Og, *k]
  }
  SmallVector<int64_t> spatialDims =
      llvm::to_vector(llvm::seq<int64_t>(2, rank));
  w = ReverseOp::create(b, w, spatialDims);
  SmallVector<int64_t> low, high;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t n = inType.getDimSize(2 + i), k = wType.getDimSize(2 + i),
            m = gType.getDimSize(2 + i);
    int64_t lo = (k - 1) * dil[i] - pl[i];
    int64_t hi = (n - 1) * lhsDil[i] - (m - 1) * stride[i] + pl[i];
    if (lo < 0 || hi < 0)
      return op->emitOpError(
          "VJP: padding larger than the kernel extent is not supported");
    low.push_back(lo);
    high.push_back(hi);
  }
  return Value(ConvolutionOp::create(b, inType, cot, w,
                                     /*stride=*/lhsDil, low, high,
                                     /*dilation=*/dil,
                                     /*lhs_dilation=*/stride,
                                     static_cast<uint64_t>(groups)));
}

void registerConvolutionVJPs(MLIRContext *ctx) {
  attachRule<ConvolutionOp, convolutionRule>(ctx);
}

} // namespace thunder::autodiff
