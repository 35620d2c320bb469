//===- Utils.cpp - helpers shared by the thunder -> linalg patterns -------===//
#include "Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

using namespace mlir;

namespace thunder::lowering {

bool isBool(Type type) { return type.isInteger(1); }

bool isLowPrecisionFloat(Type type) {
  return isa<FloatType>(type) && type.getIntOrFloatBitWidth() < 32;
}

Type accumulatorType(Type type) {
  return isLowPrecisionFloat(type) ? Float32Type::get(type.getContext())
                                   : type;
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  if (type.isIndex())
    return indexConstant(b, loc, static_cast<int64_t>(value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

static Value extremeValue(OpBuilder &b, Location loc, Type type,
                          bool negative) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), negative)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value;
  if (width == 1)
    value = APInt(1, negative ? 0 : 1);
  else
    value = negative ? APInt::getSignedMinValue(width)
                     : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value lowestValue(OpBuilder &b, Location loc, Type type) {
  return extremeValue(b, loc, type, /*negative=*/true);
}

Value highestValue(OpBuilder &b, Location loc, Type type) {
  return extremeValue(b, loc, type, /*negative=*/false);
}

Value convertScalar(OpBuilder &b, Location loc, Value value, Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (isBool(to)) {
    Value zero = scalarConstant(b, loc, from, 0);
    if (fromFloat) // NaN != 0 is true, as bool(nan) in PyTorch.
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value,
                                 zero);
  }
  if (fromFloat && toFloat) {
    unsigned fw = fromFloat.getWidth(), tw = toFloat.getWidth();
    if (fw == tw) { // f16 <-> bf16
      Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
      return arith::TruncFOp::create(b, loc, to, wide);
    }
    if (fw < tw)
      return arith::ExtFOp::create(b, loc, to, value);
    return arith::TruncFOp::create(b, loc, to, value);
  }
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, to, value);
  if (toFloat)
    return isBool(from) ? Value(arith::UIToFPOp::create(b, loc, to, value))
                        : Value(arith::SIToFPOp::create(b, loc, to, value));
  if (from.isIndex() || to.isIndex())
    return arith::IndexCastOp::create(b, loc, to, value);
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return isBool(from) ? Value(arith::ExtUIOp::create(b, loc, to, value))
                        : Value(arith::ExtSIOp::create(b, loc, to, value));
  return arith::TruncIOp::create(b, loc, to, value);
}

Value wrapIndex(OpBuilder &b, Location loc, Value value, Value size) {
  if (!value.getType().isIndex())
    value = arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
  Value zero = indexConstant(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, value, zero);
  Value wrapped = arith::AddIOp::create(b, loc, value, size);
  return arith::SelectOp::create(b, loc, negative, wrapped, value);
}

Value dimSize(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  return getValueOrCreateConstantIndexOp(
      b, loc, tensor::getMixedSize(b, loc, tensor, dim));
}

SmallVector<Value> dimSizes(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<Value> sizes;
  for (int64_t i = 0, e = cast<RankedTensorType>(tensor.getType()).getRank();
       i < e; ++i)
    sizes.push_back(dimSize(b, loc, tensor, i));
  return sizes;
}

SmallVector<Value> dynamicDimSizes(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<Value> sizes;
  auto type = cast<RankedTensorType>(tensor.getType());
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(b, loc, tensor, i));
  return sizes;
}

SmallVector<Value> pickDynamic(RankedTensorType type, ArrayRef<Value> sizes) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(sizes[i]);
  return dynamic;
}

Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynamicSizes) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamicSizes);
}

Value emptyLike(OpBuilder &b, Location loc, Value like, Type elementType) {
  auto type = cast<RankedTensorType>(like.getType());
  return emptyTensor(b, loc, type.clone(elementType),
                     dynamicDimSizes(b, loc, like));
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   ValueRange dynamicSizes, Value scalar) {
  Value empty = emptyTensor(b, loc, type, dynamicSizes);
  return linalg::FillOp::create(b, loc, TypeRange{type}, ValueRange{scalar},
                                ValueRange{empty})
      .getResult(0);
}

SmallVector<utils::IteratorType> parallelIterators(unsigned count) {
  return SmallVector<utils::IteratorType>(count, utils::IteratorType::parallel);
}

Value mapElementwise(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                     BodyBuilder body) {
  auto type = cast<RankedTensorType>(init.getType());
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps(inputs.size() + 1, identity);
  return linalg::GenericOp::create(b, loc, TypeRange{type}, inputs,
                                   ValueRange{init}, maps,
                                   parallelIterators(type.getRank()), body)
      .getResult(0);
}

Value convertTensor(OpBuilder &b, Location loc, Value tensor,
                    Type elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == elementType)
    return tensor;
  Value init = emptyLike(b, loc, tensor, elementType);
  return mapElementwise(b, loc, tensor, init,
                        [&](OpBuilder &nb, Location nl, ValueRange args) {
                          linalg::YieldOp::create(
                              nb, nl, convertScalar(nb, nl, args[0], elementType));
                        });
}

Value padTensor(OpBuilder &b, Location loc, Value tensor, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value padValue) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t rank = type.getRank();
  bool negative = llvm::any_of(low, [](int64_t v) { return v < 0; }) ||
                  llvm::any_of(high, [](int64_t v) { return v < 0; });
  if (negative) {
    SmallVector<OpFoldResult> offsets, sizes, strides(rank, b.getIndexAttr(1));
    for (int64_t i = 0; i < rank; ++i) {
      int64_t cutLow = std::max<int64_t>(0, -low[i]);
      int64_t cutHigh = std::max<int64_t>(0, -high[i]);
      offsets.push_back(b.getIndexAttr(cutLow));
      if (!type.isDynamicDim(i)) {
        sizes.push_back(b.getIndexAttr(
            std::max<int64_t>(0, type.getDimSize(i) - cutLow - cutHigh)));
        continue;
      }
      Value size = tensor::DimOp::create(b, loc, tensor, i);
      sizes.push_back(arith::SubIOp::create(
                          b, loc, size, indexConstant(b, loc, cutLow + cutHigh))
                          .getResult());
    }
    tensor = tensor::ExtractSliceOp::create(b, loc, tensor, offsets, sizes,
                                            strides);
  }
  bool positive = llvm::any_of(low, [](int64_t v) { return v > 0; }) ||
                  llvm::any_of(high, [](int64_t v) { return v > 0; });
  if (!positive)
    return tensor;
  SmallVector<OpFoldResult> padLow, padHigh;
  for (int64_t i = 0; i < rank; ++i) {
    padLow.push_back(b.getIndexAttr(std::max<int64_t>(0, low[i])));
    padHigh.push_back(b.getIndexAttr(std::max<int64_t>(0, high[i])));
  }
  return tensor::PadOp::create(b, loc, Type(), tensor, padLow, padHigh,
                               padValue);
}

/// Number of '?' dims of a shaped type.
static int64_t numDynamic(RankedTensorType type) {
  return type.getNumDynamicDims();
}

Value reshapeTensor(OpBuilder &b, Location loc, Value tensor,
                    RankedTensorType type, ValueRange dynamicSizes) {
  auto source = cast<RankedTensorType>(tensor.getType());
  // Same type, at most one '?': the same extents, nothing to do.
  if (source == type && type.getNumDynamicDims() <= 1)
    return tensor;
  // The sizes of every result dimension, for expand_shape.
  SmallVector<OpFoldResult> outputShape;
  for (int64_t i = 0, d = 0; i < type.getRank(); ++i)
    outputShape.push_back(type.isDynamicDim(i)
                              ? OpFoldResult(dynamicSizes[d++])
                              : OpFoldResult(b.getIndexAttr(type.getDimSize(i))));
  if (source.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, type, tensor,
                                         ArrayRef<ReassociationIndices>{},
                                         outputShape);
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, tensor,
                                           ArrayRef<ReassociationIndices>{});
  // A single collapse or expand where the grouping is unambiguous (at most one
  // dynamic dimension on each side) and each group is dynamic on both sides
  // or on neither (what the shape ops accept).
  if (source.getRank() != type.getRank() && numDynamic(source) <= 1 &&
      numDynamic(type) <= 1) {
    bool collapse = source.getRank() > type.getRank();
    RankedTensorType wide = collapse ? source : type;
    RankedTensorType narrow = collapse ? type : source;
    auto groups = getReassociationIndicesForReshape(source, type);
    if (groups && llvm::all_of(llvm::enumerate(*groups), [&](auto group) {
          bool anyDynamic = llvm::any_of(group.value(), [&](int64_t d) {
            return wide.isDynamicDim(d);
          });
          return anyDynamic == narrow.isDynamicDim(group.index());
        })) {
      if (collapse)
        return tensor::CollapseShapeOp::create(b, loc, type, tensor, *groups);
      return tensor::ExpandShapeOp::create(b, loc, type, tensor, *groups,
                                           outputShape);
    }
  }
  // Otherwise through 1-D.
  ReassociationIndices all;
  for (int64_t i = 0; i < source.getRank(); ++i)
    all.push_back(i);
  int64_t flat = source.hasStaticShape() ? source.getNumElements()
                                         : ShapedType::kDynamic;
  auto flatType = RankedTensorType::get({flat}, source.getElementType());
  Value collapsed =
      tensor::CollapseShapeOp::create(b, loc, flatType, tensor, {all});
  ReassociationIndices allResult;
  for (int64_t i = 0; i < type.getRank(); ++i)
    allResult.push_back(i);
  if (type.getRank() == 1) // 1-D to 1-D: a cast where the types differ.
    return collapsed.getType() == type
               ? collapsed
               : tensor::CastOp::create(b, loc, type, collapsed).getResult();
  if (!type.hasStaticShape() && source.hasStaticShape()) {
    // expand_shape needs a dynamic source for a dynamic group.
    collapsed = tensor::CastOp::create(
        b, loc, RankedTensorType::get({ShapedType::kDynamic},
                                      source.getElementType()),
        collapsed);
  }
  if (type.hasStaticShape() && !source.hasStaticShape())
    collapsed = tensor::CastOp::create(
        b, loc,
        RankedTensorType::get({type.getNumElements()}, source.getElementType()),
        collapsed);
  return tensor::ExpandShapeOp::create(b, loc, type, collapsed, {allResult},
                                       outputShape);
}

Value expandUnitDims(OpBuilder &b, Location loc, Value tensor,
                     ArrayRef<int64_t> unitDims) {
  auto source = cast<RankedTensorType>(tensor.getType());
  int64_t rank = source.getRank() + unitDims.size();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> outputShape;
  // One group per source dim; a unit dim joins the group of the source dim
  // before it (or the first group when it leads).
  SmallVector<ReassociationIndices> groups(source.getRank());
  int64_t next = 0, current = 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(unitDims, i)) {
      shape.push_back(1);
      outputShape.push_back(b.getIndexAttr(1));
      if (!groups.empty())
        groups[current].push_back(i);
      continue;
    }
    shape.push_back(source.getDimSize(next));
    outputShape.push_back(tensor::getMixedSize(b, loc, tensor, next));
    groups[next].push_back(i);
    current = next++;
  }
  auto type = RankedTensorType::get(shape, source.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, type, tensor, groups,
                                       outputShape);
}

} // namespace thunder::lowering
