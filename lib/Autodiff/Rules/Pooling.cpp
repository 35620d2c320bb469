//===- Pooling.cpp - VJP rules of max_pool and avg_pool -------------------===//
//
// max_pool: thunder.max_pool_backward (the cotangent goes to the first
// maximum of each window). avg_pool: its transpose, written without a new op:
// the cotangent divided by each window's divisor, then summed back over the
// windows that read each input element, which is the input gradient of a
// convolution with a kernel of ones (convolutionInputGrad).
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace thunder::autodiff {
namespace {

LogicalResult maxPoolRule(VJPBuilder &b, MaxPoolOp op, ArrayRef<Value> g,
                          MutableArrayRef<Value> out) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  SmallVector<int64_t> dilation(op.getDilation());
  if (dilation.empty())
    dilation.assign(op.getKernel().size(), 1);
  out[0] = MaxPoolBackwardOp::create(
      b, type, g[0], b.primal(op.getInput()), op.getKernel(), op.getStride(),
      op.getPaddingLow(), op.getPaddingHigh(), dilation);
  return success();
}

/// The divisor of each window of an average pool (static shapes), as PyTorch:
/// the window's elements inside [-counted_low, extent + counted_high).
DenseElementsAttr avgPoolDivisors(AvgPoolOp op, RankedTensorType inType,
                                  RankedTensorType outType) {
  int64_t k = op.getKernel().size();
  int64_t lead = inType.getRank() - k;
  ArrayRef<int64_t> outShape = outType.getShape().drop_front(lead);
  int64_t total = 1;
  for (int64_t e : outShape)
    total *= e;
  SmallVector<APFloat> values;
  auto elementType = cast<FloatType>(inType.getElementType());
  SmallVector<int64_t> pos(k, 0);
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rem = flat;
    for (int64_t i = k - 1; i >= 0; --i) {
      pos[i] = rem % outShape[i];
      rem /= outShape[i];
    }
    double count = 1;
    for (int64_t i = 0; i < k; ++i) {
      int64_t begin = pos[i] * op.getStride()[i] - op.getPaddingLow()[i];
      int64_t end = begin + op.getKernel()[i];
      int64_t lo = -op.getCountedPaddingLow()[i];
      int64_t hi = inType.getDimSize(lead + i) + op.getCountedPaddingHigh()[i];
      count *= std::max<int64_t>(0, std::min(end, hi) - std::max(begin, lo));
    }
    if (op.getDivisorOverride())
      count = static_cast<double>(*op.getDivisorOverride());
    APFloat v(count);
    bool lost;
    v.convert(elementType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &lost);
    values.push_back(v);
  }
  return DenseElementsAttr::get(RankedTensorType::get(outShape, elementType),
                                values);
}

LogicalResult avgPoolRule(VJPBuilder &b, AvgPoolOp op, ArrayRef<Value> g,
                          MutableArrayRef<Value> out) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = op.getType();
  int64_t k = op.getKernel().size(), lead = inType.getRank() - k;
  for (int64_t i = lead; i < inType.getRank(); ++i)
    if (inType.isDynamicDim(i))
      return op.emitOpError("VJP needs static pooled extents");
  // The cotangent over the divisors, [lead..., *O].
  Value divisors = ConstantOp::create(b, avgPoolDivisors(op, inType, outType));
  SmallVector<int64_t> trailing =
      llvm::to_vector(llvm::seq<int64_t>(lead, inType.getRank()));
  Value scaled = b.div(g[0], b.broadcastInDim(divisors, outType, trailing,
                                              b.dynamicSizesOf(g[0])));

  // [lead..., *O] -> [P, 1, *O], with P the product of the leading extents.
  Value p = arith::ConstantIndexOp::create(b, 1);
  int64_t staticP = 1;
  for (int64_t i = 0; i < lead; ++i) {
    if (outType.isDynamicDim(i))
      staticP = ShapedType::kDynamic;
    else if (!ShapedType::isDynamic(staticP))
      staticP *= outType.getDimSize(i);
    p = arith::MulIOp::create(b, p, tensor::DimOp::create(b, scaled, i));
  }
  SmallVector<Value> pSizes;
  if (ShapedType::isDynamic(staticP))
    pSizes.push_back(p);
  auto toNC = [&](ArrayRef<int64_t> spatial) {
    SmallVector<int64_t> shape = {staticP, 1};
    llvm::append_range(shape, spatial);
    return RankedTensorType::get(shape, inType.getElementType());
  };
  Value g4 =
      b.reshape(scaled, toNC(outType.getShape().drop_front(lead)), pSizes);
  SmallVector<int64_t> kernelShape = {1, 1};
  llvm::append_range(kernelShape, op.getKernel());
  Value ones =
      b.splat(RankedTensorType::get(kernelShape, inType.getElementType()), 1.0);
  SmallVector<int64_t> unit(k, 1);
  FailureOr<Value> grad = convolutionInputGrad(
      b, op, g4, ones, toNC(inType.getShape().drop_front(lead)), op.getStride(),
      op.getPaddingLow(), op.getPaddingHigh(), unit, unit,
      /*groups=*/1);
  if (failed(grad))
    return failure();
  out[0] = b.reshape(*grad, inType, b.dynamicSizes(op.getInput()));
  return success();
}

} // namespace

void registerPoolingVJPs(MLIRContext *ctx) {
  attachRule<MaxPoolOp, maxPoolRule>(ctx);
  attachRule<AvgPoolOp, avgPoolRule>(ctx);
}

} // namespace thunder::autodiff
