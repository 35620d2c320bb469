//===- VJPBuilder.cpp - helpers VJP rules build backward with -------------===//
#include "thunder/Autodiff/VJPBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace thunder::autodiff {

bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

VJPBuilder::~VJPBuilder() = default;

SmallVector<Value> VJPBuilder::dynamicSizes(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(dim(v, i));
  return sizes;
}

SmallVector<Value> VJPBuilder::dynamicSizesOf(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(*this, v, i));
  return sizes;
}

namespace {
TypedAttr scalarAttr(Type elementType, double value) {
  if (isa<FloatType>(elementType))
    return FloatAttr::get(elementType, value);
  return IntegerAttr::get(elementType, static_cast<int64_t>(value));
}
} // namespace

Value VJPBuilder::splat(RankedTensorType type, double value, ValueRange sizes) {
  TypedAttr scalar = scalarAttr(type.getElementType(), value);
  if (type.hasStaticShape())
    return ConstantOp::create(*this, DenseElementsAttr::get(type, scalar));
  return FullOp::create(*this, type, sizes, scalar);
}

Value VJPBuilder::splatLike(Value like, double value) {
  auto type = cast<RankedTensorType>(like.getType());
  if (type.hasStaticShape())
    return splat(type, value);
  return splat(type, value, dynamicSizesOf(like));
}

Value VJPBuilder::zerosFor(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.hasStaticShape())
    return splat(type, 0.0);
  return splat(type, 0.0, dynamicSizes(v));
}

Value VJPBuilder::add(Value a, Value b) { return AddOp::create(*this, a, b); }
Value VJPBuilder::sub(Value a, Value b) { return SubOp::create(*this, a, b); }
Value VJPBuilder::mul(Value a, Value b) { return MulOp::create(*this, a, b); }
Value VJPBuilder::div(Value a, Value b) { return DivOp::create(*this, a, b); }
Value VJPBuilder::neg(Value a) { return NegOp::create(*this, a); }
Value VJPBuilder::scale(Value a, double c) { return mul(a, splatLike(a, c)); }

Value VJPBuilder::compare(CompareDirection direction, Value a, Value b) {
  return CompareOp::create(*this, direction, a, b);
}

Value VJPBuilder::select(Value condition, Value onTrue, Value onFalse) {
  return SelectOp::create(*this, condition, onTrue, onFalse);
}

Value VJPBuilder::convert(Value a, Type elementType) {
  auto type = cast<RankedTensorType>(a.getType());
  if (type.getElementType() == elementType)
    return a;
  return ConvertOp::create(*this, type.clone(elementType), a);
}

Value VJPBuilder::reduceSum(Value a, ArrayRef<int64_t> dims, bool keepdim) {
  if (dims.empty())
    return a;
  auto type = cast<RankedTensorType>(a.getType());
  SmallVector<int64_t> sorted(dims);
  llvm::sort(sorted);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!llvm::is_contained(sorted, i))
      shape.push_back(type.getDimSize(i));
    else if (keepdim)
      shape.push_back(1);
  }
  return ReduceSumOp::create(*this, type.clone(shape), a, sorted, keepdim);
}

Value VJPBuilder::broadcastInDim(Value a, RankedTensorType type,
                                 ArrayRef<int64_t> dims, ValueRange sizes) {
  if (a.getType() == type && type.hasStaticShape() &&
      llvm::equal(dims, llvm::seq<int64_t>(0, type.getRank())))
    return a;
  return BroadcastInDimOp::create(*this, type, a, sizes, dims);
}

Value VJPBuilder::reshape(Value a, RankedTensorType type, ValueRange sizes) {
  if (a.getType() == type && type.hasStaticShape())
    return a;
  return ReshapeOp::create(*this, type, a, sizes);
}

Value VJPBuilder::permute(Value a, ArrayRef<int64_t> perm) {
  // permute(permute(x, p), q) = permute(x, p o q): the transposes of
  // transposes that matmul rules make of linear layers' weights cancel.
  SmallVector<int64_t> composed(perm);
  if (auto inner = a.getDefiningOp<PermuteOp>()) {
    for (auto [i, p] : llvm::enumerate(perm))
      composed[i] = inner.getPerm()[p];
    a = inner.getOperand();
  }
  if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())))
    return a;
  return PermuteOp::create(*this, a, composed);
}

Value VJPBuilder::transposeLast2(Value a) {
  int64_t rank = cast<RankedTensorType>(a.getType()).getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  return permute(a, perm);
}

Value VJPBuilder::matmul(Value a, Value b) {
  auto ta = cast<RankedTensorType>(a.getType());
  auto tb = cast<RankedTensorType>(b.getType());
  SmallVector<int64_t> shape(ta.getShape().drop_back());
  shape.push_back(tb.getShape().back());
  return MatmulOp::create(*this, ta.clone(shape), a, b);
}

} // namespace thunder::autodiff
