//===- DataMovement.cpp - VJP rules of reshape, permute, broadcast, ... ---===//
#include "Rules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace thunder::autodiff {
namespace {

LogicalResult reshapeRule(VJPBuilder &b, ReshapeOp op, ArrayRef<Value> g,
                          MutableArrayRef<Value> out) {
  auto type = cast<RankedTensorType>(op.getOperand().getType());
  out[0] = b.reshape(g[0], type, b.dynamicSizes(op.getOperand()));
  return success();
}

LogicalResult permuteRule(VJPBuilder &b, PermuteOp op, ArrayRef<Value> g,
                          MutableArrayRef<Value> out) {
  ArrayRef<int64_t> perm = op.getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  out[0] = b.permute(g[0], inverse);
  return success();
}

/// Sum over the result dims the operand does not have and over those it
/// broadcasts from extent 1, then put the operand's extent-1 dims back.
LogicalResult broadcastRule(VJPBuilder &b, BroadcastInDimOp op,
                            ArrayRef<Value> g, MutableArrayRef<Value> out) {
  auto in = cast<RankedTensorType>(op.getOperand().getType());
  auto result = op.getType();
  ArrayRef<int64_t> dims = op.getDims();
  SmallVector<int64_t> reduced;
  for (int64_t d = 0; d < result.getRank(); ++d) {
    auto it = llvm::find(dims, d);
    if (it == dims.end()) {
      reduced.push_back(d);
      continue;
    }
    int64_t i = it - dims.begin();
    if (in.getDimSize(i) == 1 && result.getDimSize(d) != 1)
      reduced.push_back(d);
  }
  Value sum = b.reduceSum(g[0], reduced);
  // The operand dims that remain, in the order of the result.
  SmallVector<int64_t> kept;
  for (auto [i, d] : llvm::enumerate(dims))
    if (!llvm::is_contained(reduced, d))
      kept.push_back(i);
  llvm::sort(kept, [&](int64_t a, int64_t c) { return dims[a] < dims[c]; });
  // Permute them into operand order.
  SmallVector<int64_t> order(kept);
  llvm::sort(order);
  SmallVector<int64_t> perm;
  for (int64_t i : order)
    perm.push_back(llvm::find(kept, i) - kept.begin());
  sum = b.permute(sum, perm);
  out[0] = b.reshape(sum, in, b.dynamicSizes(op.getOperand()));
  return success();
}

Value zeroScalar(VJPBuilder &b, Type elementType) {
  return b.splat(RankedTensorType::get({}, elementType), 0.0);
}

/// Scatters g back into zeros of the operand's shape: thunder.pad (with an
/// interleave by reshape for steps > 1) where the sliced dims are static,
/// tensor.insert_slice otherwise.
LogicalResult sliceRule(VJPBuilder &b, SliceOp op, ArrayRef<Value> g,
                        MutableArrayRef<Value> out) {
  auto in = cast<RankedTensorType>(op.getOperand().getType());
  auto res = op.getType();
  // An empty slice (x[..., n:] of n: Phi-3's rotary split) contributes no
  // gradient; padding its empty cotangent out from offset n made a subview
  // out of bounds.
  if (llvm::is_contained(res.getShape(), 0)) {
    out[0] = b.zerosFor(op.getOperand());
    return success();
  }
  ArrayRef<int64_t> start = op.getStart(), limit = op.getLimit(),
                    step = op.getStep();
  bool dynamic = false;
  for (int64_t i = 0; i < in.getRank(); ++i)
    if (in.isDynamicDim(i) || res.isDynamicDim(i))
      if (start[i] != 0 || step[i] != 1 || !in.isDynamicDim(i) ||
          !res.isDynamicDim(i) ||
          limit[i] < std::numeric_limits<int32_t>::max())
        dynamic = true;
  if (dynamic) {
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t i = 0; i < in.getRank(); ++i) {
      offsets.push_back(b.getIndexAttr(start[i]));
      strides.push_back(b.getIndexAttr(step[i]));
      sizes.push_back(res.isDynamicDim(i)
                          ? OpFoldResult(tensor::DimOp::create(b, g[0], i))
                          : OpFoldResult(b.getIndexAttr(res.getDimSize(i))));
    }
    out[0] = tensor::InsertSliceOp::create(b, g[0], b.zerosFor(op.getOperand()),
                                           offsets, sizes, strides);
    return success();
  }
  Value cur = g[0];
  auto curType = [&] { return cast<RankedTensorType>(cur.getType()); };
  Type elementType = in.getElementType();
  SmallVector<int64_t> low(in.getRank(), 0), high(in.getRank(), 0);
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (in.isDynamicDim(i))
      continue; // the whole dim
    int64_t m = res.getDimSize(i), s = step[i], covered = m;
    if (s > 1 && m > 0) {
      // [.., m, ..] -> [.., m, 1, ..] -pad-> [.., m, s, ..] -> [.., m*s, ..]
      SmallVector<int64_t> shape(curType().getShape());
      shape.insert(shape.begin() + i + 1, 1);
      auto withOne = curType().clone(shape);
      SmallVector<Value> sizes = b.dynamicSizesOf(cur);
      cur = b.reshape(cur, withOne, sizes);
      SmallVector<int64_t> lo(shape.size(), 0), hi(shape.size(), 0);
      hi[i + 1] = s - 1;
      shape[i + 1] = s;
      cur = PadOp::create(b, withOne.clone(shape), cur,
                          zeroScalar(b, elementType), lo, hi);
      shape.erase(shape.begin() + i + 1);
      shape[i] = m * s;
      cur = b.reshape(cur, withOne.clone(shape), sizes);
      covered = m * s;
    }
    low[i] = start[i];
    high[i] = in.getDimSize(i) - start[i] - covered;
  }
  out[0] = PadOp::create(b, in, cur, zeroScalar(b, elementType), low, high);
  return success();
}

LogicalResult concatRule(VJPBuilder &b, ConcatOp op, ArrayRef<Value> g,
                         MutableArrayRef<Value> out) {
  uint64_t dim = op.getDim();
  auto res = op.getType();
  int64_t rank = res.getRank();
  Value offset = arith::ConstantIndexOp::create(b, 0);
  int64_t staticOffset = 0;
  for (auto [k, input] : llvm::enumerate(op.getInputs())) {
    auto type = cast<RankedTensorType>(input.getType());
    int64_t extent = type.getDimSize(dim);
    if (b.wants(input)) {
      if (staticOffset >= 0 && !ShapedType::isDynamic(extent)) {
        SmallVector<int64_t> start(rank, 0), limit(rank, INT64_MAX),
            step(rank, 1);
        start[dim] = staticOffset;
        limit[dim] = staticOffset + extent;
        out[k] = SliceOp::create(b, type, g[0], start, limit, step);
      } else {
        SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
            strides(rank, b.getIndexAttr(1));
        offsets[dim] = offset;
        for (int64_t i = 0; i < rank; ++i)
          sizes.push_back(type.isDynamicDim(i) ? OpFoldResult(b.dim(input, i))
                                               : OpFoldResult(b.getIndexAttr(
                                                     type.getDimSize(i))));
        out[k] = tensor::ExtractSliceOp::create(b, type, g[0], offsets, sizes,
                                                strides);
      }
    }
    offset = arith::AddIOp::create(b, offset, b.dim(input, dim));
    staticOffset = ShapedType::isDynamic(extent) || staticOffset < 0
                       ? -1
                       : staticOffset + extent;
  }
  return success();
}

/// pad: the operand's cotangent is g with the padding taken off (negative
/// padding: put back as zeros); the padding value's is the sum of the rest.
LogicalResult padRule(VJPBuilder &b, PadOp op, ArrayRef<Value> g,
                      MutableArrayRef<Value> out) {
  auto in = cast<RankedTensorType>(op.getOperand().getType());
  SmallVector<int64_t> low, high;
  for (auto [l, h] : llvm::zip(op.getLow(), op.getHigh())) {
    low.push_back(-l);
    high.push_back(-h);
  }
  Value operandCot =
      PadOp::create(b, in, g[0], zeroScalar(b, in.getElementType()), low, high);
  if (b.wants(op.getOperand()))
    out[0] = operandCot;
  if (b.wants(op.getPaddingValue())) {
    SmallVector<int64_t> all =
        llvm::to_vector(llvm::seq<int64_t>(0, in.getRank()));
    out[1] = b.sub(b.reduceSum(g[0], all), b.reduceSum(operandCot, all));
  }
  return success();
}

LogicalResult reverseRule(VJPBuilder &b, ReverseOp op, ArrayRef<Value> g,
                          MutableArrayRef<Value> out) {
  out[0] = ReverseOp::create(b, g[0], op.getDims());
  return success();
}

} // namespace

void registerDataMovementVJPs(MLIRContext *ctx) {
  attachRule<ReshapeOp, reshapeRule>(ctx);
  attachRule<PermuteOp, permuteRule>(ctx);
  attachRule<BroadcastInDimOp, broadcastRule>(ctx);
  attachRule<SliceOp, sliceRule>(ctx);
  attachRule<ConcatOp, concatRule>(ctx);
  attachRule<PadOp, padRule>(ctx);
  attachRule<ReverseOp, reverseRule>(ctx);
}

} // namespace thunder::autodiff
