//===- Emitter.cpp - building thunder ops for the decompositions ----------===//
#include "Emitter.h"
#include "DTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace thunder::importer {

//===----------------------------------------------------------------------===//
// Sizes
//===----------------------------------------------------------------------===//

namespace {
/// The dynamic-size operand of a shape-creating op for result dim `d`.
Value sizeOperand(RankedTensorType type, ValueRange sizes, int64_t d) {
  int64_t k = 0;
  for (int64_t i = 0; i < d; ++i)
    k += type.isDynamicDim(i);
  return k < static_cast<int64_t>(sizes.size()) ? sizes[k] : Value();
}
} // namespace

OpFoldResult Emitter::dim(Value v, int64_t d) {
  int64_t extent = shapeOf(v)[d];
  if (!ShapedType::isDynamic(extent))
    return b.getIndexAttr(extent);
  // Trace the extent to where it came from, so that one symbol has one value.
  for (int depth = 0; depth < 64; ++depth) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (shapes)
        if (Value s = shapes->argumentDim(arg, d))
          return s;
      break;
    }
    Operation *op = v.getDefiningOp();
    if (!op)
      break;
    auto type = cast<RankedTensorType>(v.getType());
    Value next;
    int64_t nextDim = d;
    if (auto r = dyn_cast<BroadcastInDimOp>(op)) {
      if (Value s = sizeOperand(type, r.getSizes(), d))
        return s;
    } else if (auto r = dyn_cast<ReshapeOp>(op)) {
      if (Value s = sizeOperand(type, r.getSizes(), d))
        return s;
    } else if (auto r = dyn_cast<FullOp>(op)) {
      if (Value s = sizeOperand(type, r.getSizes(), d))
        return s;
    } else if (auto r = dyn_cast<IotaOp>(op)) {
      if (Value s = sizeOperand(type, r.getSizes(), d))
        return s;
    } else if (auto r = dyn_cast<PermuteOp>(op)) {
      next = r.getOperand();
      nextDim = r.getPerm()[d];
    } else if (auto r = dyn_cast<MatmulOp>(op)) {
      int64_t rank = type.getRank();
      next = d == rank - 1 ? r.getRhs() : r.getLhs();
    } else if (auto r = dyn_cast<SelectOp>(op)) {
      next = r.getOnTrue();
    } else if (isa<ReduceSumOp, ReduceProdOp, ReduceMaxOp, ReduceMinOp, ReduceOrOp,
                   ReduceAndOp>(op)) {
      // Result dim d is the d-th operand dim that was kept (or reduced to 1).
      auto reduced = cast<DenseI64ArrayAttr>(op->getAttr("dims")).asArrayRef();
      auto keep = op->getAttrOfType<BoolAttr>("keepdim");
      bool keepdim = keep && keep.getValue();
      int64_t rank = cast<RankedTensorType>(op->getOperand(0).getType()).getRank();
      int64_t k = -1;
      for (int64_t i = 0; i < rank; ++i) {
        if (!keepdim && llvm::is_contained(reduced, i))
          continue;
        if (++k == d) {
          if (!llvm::is_contained(reduced, i)) {
            next = op->getOperand(0);
            nextDim = i;
          }
          break;
        }
      }
    } else if (auto r = dyn_cast<SliceOp>(op)) {
      int64_t lim = r.getLimit()[d];
      if (r.getStart()[d] == 0 && r.getStep()[d] == 1 &&
          lim == std::numeric_limits<int64_t>::max())
        next = r.getOperand();
    } else if (auto r = dyn_cast<ConcatOp>(op)) {
      if (static_cast<int64_t>(r.getDim()) != d) {
        next = r.getInputs().front();
      } else {
        OpFoldResult total = b.getIndexAttr(0);
        for (Value in : r.getInputs())
          total = add(total, dim(in, d));
        return total;
      }
    } else if (auto r = dyn_cast<PadOp>(op)) {
      int64_t extra = r.getLow()[d] + r.getHigh()[d];
      if (extra == 0)
        next = r.getOperand();
      else
        return add(dim(r.getOperand(), d), b.getIndexAttr(extra));
    } else if (auto r = dyn_cast<IndexSelectOp>(op)) {
      if (static_cast<int64_t>(r.getDim()) == d) {
        next = r.getIndex();
        nextDim = 0;
      } else {
        next = r.getOperand();
      }
    } else if (auto r = dyn_cast<GatherOp>(op)) {
      next = r.getIndex();
    } else if (isa<ConvolutionOp, MaxPoolOp, AvgPoolOp>(op)) {
      if (d == 0)
        next = op->getOperand(0);
    } else if (auto r = dyn_cast<AttentionOp>(op)) {
      int64_t rank = type.getRank();
      next = d == rank - 1 ? r.getValue() : r.getQuery();
    } else if (auto r = dyn_cast<tensor::CastOp>(op)) {
      next = r.getSource();
    } else if (op->hasTrait<OpTrait::Elementwise>() ||
               isa<CumSumOp, CumProdOp, CumMaxOp, CumMinOp, ReverseOp, SortOp,
                   IndexPutOp, ScatterOp>(op)) {
      next = op->getOperand(0);
    }
    if (!next || cast<RankedTensorType>(next.getType()).getRank() <= nextDim ||
        !cast<RankedTensorType>(next.getType()).isDynamicDim(nextDim))
      break;
    v = next;
    d = nextDim;
  }
  return tensor::DimOp::create(b, loc, v, d).getResult();
}

Sizes Emitter::dims(Value v) {
  Sizes out;
  for (int64_t d = 0, r = rankOf(v); d < r; ++d)
    out.push_back(dim(v, d));
  return out;
}

Value Emitter::indexValue(OpFoldResult ofr) {
  if (auto v = dyn_cast<Value>(ofr))
    return v;
  return arith::ConstantIndexOp::create(b, loc, *getConstantIntValue(ofr));
}

SmallVector<int64_t> Emitter::staticShape(ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  for (OpFoldResult s : sizes)
    shape.push_back(getConstantIntValue(s).value_or(ShapedType::kDynamic));
  return shape;
}

SmallVector<Value> Emitter::dynamicSizes(ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> out;
  for (OpFoldResult s : sizes)
    if (!getConstantIntValue(s))
      out.push_back(cast<Value>(s));
  return out;
}

RankedTensorType Emitter::tensorType(ArrayRef<OpFoldResult> sizes,
                                     Type elementType) {
  return RankedTensorType::get(staticShape(sizes), elementType);
}

OpFoldResult Emitter::add(OpFoldResult a, OpFoldResult c) {
  auto x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x && y)
    return b.getIndexAttr(*x + *y);
  if (y && *y == 0)
    return a;
  if (x && *x == 0)
    return c;
  return arith::AddIOp::create(b, loc, indexValue(a), indexValue(c)).getResult();
}

OpFoldResult Emitter::sub(OpFoldResult a, OpFoldResult c) {
  auto x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x && y)
    return b.getIndexAttr(*x - *y);
  if (y && *y == 0)
    return a;
  return arith::SubIOp::create(b, loc, indexValue(a), indexValue(c)).getResult();
}

OpFoldResult Emitter::mul(OpFoldResult a, OpFoldResult c) {
  auto x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x && y)
    return b.getIndexAttr(*x * *y);
  if (y && *y == 1)
    return a;
  if (x && *x == 1)
    return c;
  return arith::MulIOp::create(b, loc, indexValue(a), indexValue(c)).getResult();
}

OpFoldResult Emitter::floorDiv(OpFoldResult a, OpFoldResult c) {
  auto x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x && y && *y != 0) {
    int64_t q = *x / *y;
    if ((*x % *y != 0) && ((*x < 0) != (*y < 0)))
      --q;
    return b.getIndexAttr(q);
  }
  if (y && *y == 1)
    return a;
  return arith::FloorDivSIOp::create(b, loc, indexValue(a), indexValue(c))
      .getResult();
}

OpFoldResult Emitter::ceilDiv(OpFoldResult a, OpFoldResult c) {
  auto x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x && y && *y > 0)
    return b.getIndexAttr(*x >= 0 ? (*x + *y - 1) / *y : -((-*x) / *y));
  if (y && *y == 1)
    return a;
  return arith::CeilDivSIOp::create(b, loc, indexValue(a), indexValue(c))
      .getResult();
}

OpFoldResult Emitter::max(OpFoldResult a, OpFoldResult c) {
  auto x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x && y)
    return b.getIndexAttr(std::max(*x, *y));
  return arith::MaxSIOp::create(b, loc, indexValue(a), indexValue(c)).getResult();
}

OpFoldResult Emitter::min(OpFoldResult a, OpFoldResult c) {
  auto x = getConstantIntValue(a), y = getConstantIntValue(c);
  if (x && y)
    return b.getIndexAttr(std::min(*x, *y));
  return arith::MinSIOp::create(b, loc, indexValue(a), indexValue(c)).getResult();
}

OpFoldResult Emitter::product(ArrayRef<OpFoldResult> sizes) {
  OpFoldResult acc = b.getIndexAttr(1);
  for (OpFoldResult s : sizes)
    acc = mul(acc, s);
  return acc;
}

Value Emitter::indexToTensor(OpFoldResult ofr, Type elementType) {
  if (auto c = getConstantIntValue(ofr))
    return isFloat(elementType) ? scalar(elementType, double(*c))
                                : scalarInt(elementType, *c);
  Value asI64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), indexValue(ofr));
  Value t = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, b.getI64Type()), ValueRange{asI64});
  return convert(t, elementType);
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

TypedAttr Emitter::scalarAttr(Type elementType, double value) {
  if (auto ft = dyn_cast<FloatType>(elementType))
    return FloatAttr::get(ft, value);
  if (elementType.isInteger(1))
    return IntegerAttr::get(elementType, value != 0 ? 1 : 0);
  // Float to integer truncates towards zero, as a Python int() would.
  double t = std::trunc(value);
  int64_t i;
  if (std::isnan(t))
    i = 0;
  else if (t >= 9.2233720368547758e18)
    i = std::numeric_limits<int64_t>::max();
  else if (t <= -9.2233720368547758e18)
    i = std::numeric_limits<int64_t>::min();
  else
    i = static_cast<int64_t>(t);
  return scalarAttrInt(elementType, i);
}

TypedAttr Emitter::scalarAttrInt(Type elementType, int64_t value) {
  if (auto ft = dyn_cast<FloatType>(elementType))
    return FloatAttr::get(ft, static_cast<double>(value));
  if (elementType.isInteger(1))
    return IntegerAttr::get(elementType, value != 0 ? 1 : 0);
  unsigned width = elementType.getIntOrFloatBitWidth();
  return IntegerAttr::get(elementType, APInt(width, value, /*isSigned=*/true,
                                             /*implicitTrunc=*/true));
}

Value Emitter::scalar(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(
             b, loc, type,
             DenseElementsAttr::get(type, scalarAttr(elementType, value)))
      .getResult();
}

Value Emitter::scalarInt(Type elementType, int64_t value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(
             b, loc, type,
             DenseElementsAttr::get(type, scalarAttrInt(elementType, value)))
      .getResult();
}

Value Emitter::splat(Value scalar0d, ArrayRef<OpFoldResult> sizes) {
  return broadcastInDim(scalar0d, sizes, {});
}

Value Emitter::splat(double value, Type elementType,
                     ArrayRef<OpFoldResult> sizes) {
  return splat(scalar(elementType, value), sizes);
}

Value Emitter::splatLike(double value, Value like) {
  return splat(value, elementTypeOf(like), dims(like));
}

Value Emitter::full(ArrayRef<OpFoldResult> sizes, TypedAttr value) {
  auto type = tensorType(sizes, value.getType());
  return FullOp::create(b, loc, type, dynamicSizes(sizes), value).getResult();
}

Value Emitter::iota(ArrayRef<OpFoldResult> sizes, Type elementType,
                    int64_t dim) {
  auto type = tensorType(sizes, elementType);
  return IotaOp::create(b, loc, type, dynamicSizes(sizes), dim).getResult();
}

Value Emitter::constantInts(ArrayRef<int64_t> shape, Type elementType,
                            ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, elementType);
  SmallVector<Attribute> attrs;
  for (int64_t v : values)
    attrs.push_back(scalarAttrInt(elementType, v));
  return ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, attrs))
      .getResult();
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

Value Emitter::broadcastInDim(Value v, ArrayRef<OpFoldResult> sizes,
                              ArrayRef<int64_t> dims) {
  auto type = tensorType(sizes, elementTypeOf(v));
  bool identity = static_cast<int64_t>(dims.size()) == type.getRank();
  for (auto [i, d] : llvm::enumerate(dims))
    identity &= static_cast<int64_t>(i) == d;
  if (identity && type == typeOf(v))
    return v;
  return BroadcastInDimOp::create(b, loc, type, v, dynamicSizes(sizes), dims)
      .getResult();
}

Value Emitter::broadcastTo(Value v, ArrayRef<OpFoldResult> sizes) {
  int64_t r = rankOf(v), out = sizes.size();
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < r; ++i)
    dims.push_back(out - r + i);
  return broadcastInDim(v, sizes, dims);
}

Sizes Emitter::broadcastShape(ArrayRef<Value> values) {
  int64_t rank = 0;
  for (Value v : values)
    rank = std::max(rank, rankOf(v));
  Sizes out(rank, b.getIndexAttr(1));
  for (int64_t i = 0; i < rank; ++i) {
    // Dimension i of the result, counted from the right: rank - 1 - i.
    std::optional<int64_t> staticExtent;
    Value dynamicOwner;
    int64_t dynamicDim = 0;
    for (Value v : values) {
      int64_t r = rankOf(v);
      if (i >= r)
        continue;
      int64_t d = r - 1 - i;
      int64_t e = shapeOf(v)[d];
      if (ShapedType::isDynamic(e)) {
        if (!dynamicOwner) {
          dynamicOwner = v;
          dynamicDim = d;
        }
      } else if (e != 1) {
        staticExtent = e;
      }
    }
    OpFoldResult &slot = out[rank - 1 - i];
    if (staticExtent)
      slot = b.getIndexAttr(*staticExtent);
    else if (dynamicOwner)
      slot = dim(dynamicOwner, dynamicDim);
  }
  return out;
}

Value Emitter::reshape(Value v, ArrayRef<OpFoldResult> sizes) {
  auto type = tensorType(sizes, elementTypeOf(v));
  if (type == typeOf(v) && type.hasStaticShape())
    return v;
  return ReshapeOp::create(b, loc, type, v, dynamicSizes(sizes)).getResult();
}

Value Emitter::reshape(Value v, ArrayRef<int64_t> shape) {
  Sizes sizes;
  for (int64_t s : shape)
    sizes.push_back(b.getIndexAttr(s));
  return reshape(v, sizes);
}

Value Emitter::permute(Value v, ArrayRef<int64_t> perm) {
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return v;
  return PermuteOp::create(b, loc, v, perm).getResult();
}

Value Emitter::transpose(Value v, int64_t x, int64_t y) {
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rankOf(v)));
  std::swap(perm[x], perm[y]);
  return permute(v, perm);
}

Value Emitter::moveDim(Value v, int64_t from, int64_t to) {
  SmallVector<int64_t> perm;
  for (int64_t i = 0, r = rankOf(v); i < r; ++i)
    if (i != from)
      perm.push_back(i);
  perm.insert(perm.begin() + to, from);
  return permute(v, perm);
}

Value Emitter::unsqueeze(Value v, int64_t d) {
  Sizes sizes = dims(v);
  sizes.insert(sizes.begin() + d, b.getIndexAttr(1));
  return reshape(v, sizes);
}

Value Emitter::squeeze(Value v, int64_t d) {
  Sizes sizes = dims(v);
  sizes.erase(sizes.begin() + d);
  return reshape(v, sizes);
}

Value Emitter::slice(Value v, int64_t dim, int64_t start, int64_t limit,
                     int64_t step) {
  auto type = typeOf(v);
  int64_t r = type.getRank();
  SmallVector<int64_t> starts(r, 0), limits, steps(r, 1), shape;
  for (int64_t i = 0; i < r; ++i) {
    int64_t e = type.getDimSize(i);
    limits.push_back(ShapedType::isDynamic(e) ? std::numeric_limits<int64_t>::max()
                                              : e);
    shape.push_back(e);
  }
  starts[dim] = start;
  limits[dim] = limit;
  steps[dim] = step;
  int64_t e = type.getDimSize(dim);
  if (!ShapedType::isDynamic(e)) {
    int64_t clamped = std::min(limit, e);
    shape[dim] = clamped <= start ? 0 : (clamped - start + step - 1) / step;
    if (start == 0 && clamped == e && step == 1)
      return v;
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return SliceOp::create(b, loc, resultType, v, starts, limits, steps).getResult();
}

Value Emitter::dynamicSlice(Value v, int64_t dim, OpFoldResult start,
                            OpFoldResult limit, int64_t step) {
  OpFoldResult count =
      max(index(0), ceilDiv(sub(limit, start), index(step)));
  Value positions = iota(Sizes{count}, i64(), 0);
  if (step != 1)
    positions = binaryScalar<MulOp>(positions, static_cast<double>(step));
  if (getConstantIntValue(start).value_or(1) != 0)
    positions = AddOp::create(b, loc, positions,
                              splat(indexToTensor(start, i64()), dims(positions)));
  SmallVector<int64_t> shape(shapeOf(v));
  shape[dim] = staticShape(Sizes{count})[0];
  auto type = RankedTensorType::get(shape, elementTypeOf(v));
  return IndexSelectOp::create(b, loc, type, v, positions, uint64_t(dim))
      .getResult();
}

Value Emitter::concat(ArrayRef<Value> values, int64_t dim) {
  if (values.size() == 1)
    return values.front();
  auto first = typeOf(values.front());
  SmallVector<int64_t> shape(first.getShape());
  int64_t total = 0;
  for (Value v : values) {
    auto t = typeOf(v);
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (i != dim && ShapedType::isDynamic(shape[i]))
        shape[i] = t.getDimSize(i);
    int64_t e = t.getDimSize(dim);
    total = (ShapedType::isDynamic(e) || ShapedType::isDynamic(total))
                ? ShapedType::kDynamic
                : total + e;
  }
  shape[dim] = total;
  auto type = RankedTensorType::get(shape, first.getElementType());
  return ConcatOp::create(b, loc, type, values, dim).getResult();
}

Value Emitter::pad(Value v, Value padValue0d, ArrayRef<int64_t> low,
                   ArrayRef<int64_t> high) {
  bool nothing = llvm::all_of(low, [](int64_t x) { return x == 0; }) &&
                 llvm::all_of(high, [](int64_t x) { return x == 0; });
  if (nothing)
    return v;
  auto type = typeOf(v);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t e = type.getDimSize(i);
    shape.push_back(ShapedType::isDynamic(e) ? e : e + low[i] + high[i]);
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return PadOp::create(b, loc, resultType, v, padValue0d, low, high).getResult();
}

Value Emitter::reverse(Value v, ArrayRef<int64_t> dims) {
  if (dims.empty())
    return v;
  return ReverseOp::create(b, loc, v.getType(), v, dims).getResult();
}

Value Emitter::flatten(Value v, int64_t start, int64_t end) {
  if (rankOf(v) == 0)
    return reshape(v, ArrayRef<int64_t>{1});
  Sizes sizes = dims(v), out;
  for (int64_t i = 0; i < start; ++i)
    out.push_back(sizes[i]);
  out.push_back(product(ArrayRef<OpFoldResult>(sizes).slice(start, end - start + 1)));
  for (int64_t i = end + 1; i < static_cast<int64_t>(sizes.size()); ++i)
    out.push_back(sizes[i]);
  return reshape(v, out);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

Value Emitter::convert(Value v, Type elementType) {
  if (elementTypeOf(v) == elementType)
    return v;
  return ConvertOp::create(b, loc, typeOf(v).clone(elementType), v).getResult();
}

std::pair<Value, Value> Emitter::unify(Value x, Value y, Type type) {
  if (!type)
    type = promoteTypes(elementTypeOf(x), elementTypeOf(y));
  x = convert(x, type);
  y = convert(y, type);
  if (typeOf(x).getShape() == typeOf(y).getShape() && typeOf(x).hasStaticShape())
    return {x, y};
  Sizes shape = broadcastShape({x, y});
  return {broadcastTo(x, shape), broadcastTo(y, shape)};
}

Value Emitter::compare(CompareDirection dir, Value x, Value y) {
  auto [bx, by] = unify(x, y);
  return CompareOp::create(b, loc, dir, bx, by).getResult();
}

Value Emitter::compareScalar(CompareDirection dir, Value v, double s) {
  return CompareOp::create(b, loc, dir, v, splatLike(s, v)).getResult();
}

Value Emitter::select(Value cond, Value x, Value y) {
  Type type = promoteTypes(elementTypeOf(x), elementTypeOf(y));
  x = convert(x, type);
  y = convert(y, type);
  cond = convert(cond, i1());
  Sizes shape = broadcastShape({cond, x, y});
  cond = broadcastTo(cond, shape);
  x = broadcastTo(x, shape);
  y = broadcastTo(y, shape);
  return SelectOp::create(b, loc, x.getType(), cond, x, y).getResult();
}

Value Emitter::relu(Value v) { return binaryScalar<MaxOp>(v, 0.0); }

Value Emitter::clamp(Value v, std::optional<double> lo, std::optional<double> hi) {
  if (lo)
    v = binaryScalar<MaxOp>(v, *lo);
  if (hi)
    v = binaryScalar<MinOp>(v, *hi);
  return v;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

OpFoldResult Emitter::count(Value v, ArrayRef<int64_t> reduced) {
  Sizes sizes;
  for (int64_t d : reduced)
    sizes.push_back(dim(v, d));
  return product(sizes);
}

Value Emitter::divByCount(Value v, OpFoldResult n) {
  if (auto c = getConstantIntValue(n))
    return binaryScalar<DivOp>(v, static_cast<double>(*c));
  Value t = indexToTensor(n, elementTypeOf(v));
  return DivOp::create(b, loc, v, splat(t, dims(v))).getResult();
}

Value Emitter::mean(Value v, ArrayRef<int64_t> reduced, bool keepdim) {
  Value s = sum(v, reduced, keepdim);
  return divByCount(s, count(v, reduced));
}

Value Emitter::variance(Value v, ArrayRef<int64_t> reduced, double correction,
                        bool keepdim) {
  Value m = mean(v, reduced, /*keepdim=*/true);
  Value d = SubOp::create(b, loc, v, broadcastTo(m, dims(v))).getResult();
  Value sq = MulOp::create(b, loc, d, d).getResult();
  Value s = sum(sq, reduced, keepdim);
  OpFoldResult n = count(v, reduced);
  if (auto c = getConstantIntValue(n)) {
    double denom = std::max(0.0, static_cast<double>(*c) - correction);
    return binaryScalar<DivOp>(s, denom);
  }
  Value nt = indexToTensor(n, elementTypeOf(v));
  nt = binaryScalar<SubOp>(nt, correction);
  nt = binaryScalar<MaxOp>(nt, 0.0);
  return DivOp::create(b, loc, s, splat(nt, dims(s))).getResult();
}

Value Emitter::softmax(Value v, int64_t dim, bool log) {
  Value m = reduce<ReduceMaxOp>(v, {dim}, /*keepdim=*/true);
  // A row of -inf would give inf - inf: subtract 0 there (as PyTorch does).
  Value isInf = compareScalar(CompareDirection::EQ, unary<AbsOp>(m),
                              std::numeric_limits<double>::infinity());
  m = SelectOp::create(b, loc, m.getType(), isInf, splatLike(0.0, m), m);
  Value shifted = SubOp::create(b, loc, v, broadcastTo(m, dims(v))).getResult();
  Value e = unary<ExpOp>(shifted);
  Value z = reduce<ReduceSumOp>(e, {dim}, /*keepdim=*/true);
  if (log)
    return SubOp::create(b, loc, shifted, broadcastTo(unary<LogOp>(z), dims(v)))
        .getResult();
  return DivOp::create(b, loc, e, broadcastTo(z, dims(v))).getResult();
}

Value Emitter::logsumexp(Value v, ArrayRef<int64_t> reduced, bool keepdim) {
  Value m = reduce<ReduceMaxOp>(v, reduced, /*keepdim=*/true);
  Value isInf = compareScalar(CompareDirection::EQ, unary<AbsOp>(m),
                              std::numeric_limits<double>::infinity());
  m = SelectOp::create(b, loc, m.getType(), isInf, splatLike(0.0, m), m);
  Value shifted = SubOp::create(b, loc, v, broadcastTo(m, dims(v))).getResult();
  Value s = reduce<ReduceSumOp>(unary<ExpOp>(shifted), reduced, /*keepdim=*/true);
  Value r = AddOp::create(b, loc, unary<LogOp>(s), m).getResult();
  if (keepdim)
    return r;
  Sizes out;
  for (int64_t i = 0, n = rankOf(v); i < n; ++i)
    if (!llvm::is_contained(reduced, i))
      out.push_back(dim(r, i));
  return reshape(r, out);
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

Sizes Emitter::broadcastSizes(ArrayRef<OpFoldResult> x,
                              ArrayRef<OpFoldResult> y) {
  size_t rank = std::max(x.size(), y.size());
  Sizes out(rank, index(1));
  for (size_t i = 0; i < rank; ++i) {
    OpFoldResult a = i < x.size() ? x[x.size() - 1 - i] : index(1);
    OpFoldResult c = i < y.size() ? y[y.size() - 1 - i] : index(1);
    auto ca = getConstantIntValue(a), cc = getConstantIntValue(c);
    OpFoldResult r;
    if (ca && *ca != 1)
      r = a;
    else if (cc && *cc != 1)
      r = c;
    else if (!ca)
      r = a;
    else
      r = c;
    out[rank - 1 - i] = r;
  }
  return out;
}

Value Emitter::matmul(Value x, Value y) {
  auto [cx, cy] = std::pair{x, y};
  Type type = promoteTypes(elementTypeOf(x), elementTypeOf(y));
  x = convert(cx, type);
  y = convert(cy, type);
  int64_t rx = rankOf(x), ry = rankOf(y);
  auto mm2d = [&](Value a, Value c) -> Value {
    SmallVector<int64_t> shape = {shapeOf(a)[0], shapeOf(c)[1]};
    return MatmulOp::create(b, loc, RankedTensorType::get(shape, type), a, c)
        .getResult();
  };
  if (rx == 1 && ry == 1) {
    Value a = reshape(x, Sizes{index(1), dim(x, 0)});
    Value c = reshape(y, Sizes{dim(y, 0), index(1)});
    return reshape(mm2d(a, c), Sizes{});
  }
  if (rx == 2 && ry == 1) {
    Value c = reshape(y, Sizes{dim(y, 0), index(1)});
    Value r = mm2d(x, c);
    return reshape(r, Sizes{dim(r, 0)});
  }
  if (rx == 1 && ry == 2) {
    Value a = reshape(x, Sizes{index(1), dim(x, 0)});
    Value r = mm2d(a, y);
    return reshape(r, Sizes{dim(r, 1)});
  }
  if (rx == 2 && ry == 2)
    return mm2d(x, y);
  if (rx >= 3 && ry <= 2) {
    // Fold the batch into the rows: [B..., M, K] -> [B*M, K].
    Sizes xs = dims(x);
    Value a = reshape(x, Sizes{product(ArrayRef<OpFoldResult>(xs).drop_back()),
                               xs.back()});
    Value c = ry == 1 ? reshape(y, Sizes{dim(y, 0), index(1)}) : y;
    Value r = mm2d(a, c);
    Sizes out(ArrayRef<OpFoldResult>(xs).drop_back());
    if (ry == 2)
      out.push_back(dim(r, 1));
    return reshape(r, out);
  }
  // Batched: unsqueeze 1-D operands, broadcast the batch dimensions.
  bool squeezeRows = false, squeezeCols = false;
  if (rx == 1) {
    x = reshape(x, Sizes{index(1), dim(x, 0)});
    squeezeRows = true;
  }
  if (ry == 1) {
    y = reshape(y, Sizes{dim(y, 0), index(1)});
    squeezeCols = true;
  }
  Sizes xs = dims(x), ys = dims(y);
  ArrayRef<OpFoldResult> xb = ArrayRef<OpFoldResult>(xs).drop_back(2);
  ArrayRef<OpFoldResult> yb = ArrayRef<OpFoldResult>(ys).drop_back(2);
  Sizes batch = broadcastSizes(xb, yb);
  Sizes xt(batch), yt(batch);
  xt.append({xs[xs.size() - 2], xs.back()});
  yt.append({ys[ys.size() - 2], ys.back()});
  x = broadcastTo(x, xt);
  y = broadcastTo(y, yt);
  Sizes rs(batch);
  rs.append({xs[xs.size() - 2], ys.back()});
  Value r = MatmulOp::create(b, loc, tensorType(rs, type), x, y).getResult();
  if (squeezeRows || squeezeCols) {
    Sizes out(batch);
    if (!squeezeRows)
      out.push_back(rs[rs.size() - 2]);
    if (!squeezeCols)
      out.push_back(rs.back());
    r = reshape(r, out);
  }
  return r;
}

} // namespace thunder::importer
