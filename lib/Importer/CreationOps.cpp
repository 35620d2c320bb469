//===- CreationOps.cpp - full, arange, eye, conversions -------------------===//
//
// Creation ops take their shape and dtype from the node's TensorMeta (the
// size arguments may be symbolic). `empty*` are zeros. Dtype conversions
// (to, _to_copy, type_as) are `thunder.convert` to the result's dtype; device
// and memory-format arguments have no meaning for a value.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>

using namespace mlir;

namespace thunder::importer {
namespace {

/// A tensor of the result's shape and dtype filled with a number.
LogicalResult fillResult(NodeContext &ctx, const Scalar &value) {
  Emitter &e = ctx.emit();
  RankedTensorType type = ctx.resultType();
  Sizes sizes = ctx.resultSizes();
  if (failed(ctx.check()))
    return failure();
  if (!value.isStatic())
    return ctx.bind(e.splat(ctx.materialize(Operand{Value(), value},
                                            type.getElementType()),
                            sizes));
  TypedAttr attr = value.isFloat()
                       ? e.scalarAttr(type.getElementType(), value.f)
                       : e.scalarAttrInt(type.getElementType(), value.i);
  return ctx.bind(e.full(sizes, attr));
}

LogicalResult convertFull(NodeContext &ctx) {
  Scalar value = ctx.scalar("fill_value");
  if (failed(ctx.check()))
    return failure();
  return fillResult(ctx, value);
}

LogicalResult convertZeros(NodeContext &ctx) { return fillResult(ctx, Scalar::ofInt(0)); }
LogicalResult convertOnes(NodeContext &ctx) { return fillResult(ctx, Scalar::ofInt(1)); }

LogicalResult convertScalarTensor(NodeContext &ctx) {
  Scalar value = ctx.scalar("s");
  if (failed(ctx.check()))
    return failure();
  return fillResult(ctx, value);
}

/// fill(self, value): value may be a number or a rank-0 tensor.
LogicalResult convertFill(NodeContext &ctx) {
  Value self = ctx.tensor("self");
  Operand value = ctx.operand("value");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  if (!value.isTensor())
    return fillResult(ctx, value.number);
  Value v = e.convert(value.tensor, Emitter::elementTypeOf(self));
  return ctx.bind(e.broadcastTo(e.reshape(v, Sizes{}), e.dims(self)));
}

LogicalResult convertZero(NodeContext &ctx) { return fillResult(ctx, Scalar::ofInt(0)); }

/// arange: start + step * i, computed in f64 for floating results.
LogicalResult convertArange(NodeContext &ctx) {
  Scalar start = ctx.get("start") ? ctx.scalar("start") : Scalar::ofInt(0);
  Scalar step = ctx.get("step") ? ctx.scalar("step") : Scalar::ofInt(1);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  RankedTensorType type = ctx.resultType();
  Sizes sizes = ctx.resultSizes();
  if (failed(ctx.check()))
    return failure();
  if (type.getRank() != 1)
    return ctx.error() << "arange result must be 1-D";
  Type t = type.getElementType();
  if (isFloat(t)) {
    Type f64 = e.b.getF64Type();
    Value i = e.iota(sizes, f64, 0);
    if (!(step.isStatic() && step.asDouble() == 1.0))
      i = e.mul(i, ctx.materialize(Operand{Value(), step}, f64));
    if (!(start.isStatic() && start.asDouble() == 0.0))
      i = e.add(i, ctx.materialize(Operand{Value(), start}, f64));
    return ctx.bind(e.convert(i, t));
  }
  if ((start.isFloat() || step.isFloat()))
    return ctx.error() << "arange with float bounds and an integer dtype is not "
                          "supported";
  Value i = e.iota(sizes, t, 0);
  if (!(step.isStatic() && step.i == 1))
    i = e.mul(i, ctx.materialize(Operand{Value(), step}, t));
  if (!(start.isStatic() && start.i == 0))
    i = e.add(i, ctx.materialize(Operand{Value(), start}, t));
  return ctx.bind(i);
}

/// linspace: start + i * step for the first half, end - (n-1-i) * step after.
LogicalResult convertLinspace(NodeContext &ctx) {
  double start = ctx.real("start"), end = ctx.real("end");
  int64_t steps = ctx.integer("steps");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  Type f64 = e.b.getF64Type();
  if (steps <= 0)
    return ctx.bind(e.full(ctx.resultSizes(), e.scalarAttr(t, 0.0)));
  double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < steps; ++i) {
    double v = i < steps / 2 ? start + step * static_cast<double>(i)
                             : end - step * static_cast<double>(steps - 1 - i);
    values.push_back(FloatAttr::get(f64, v));
  }
  auto type = RankedTensorType::get({steps}, f64);
  Value c = ConstantOp::create(e.b, e.loc, type, DenseElementsAttr::get(type, values));
  return ctx.bind(e.convert(c, t));
}

LogicalResult convertEye(NodeContext &ctx) {
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Sizes sizes = ctx.resultSizes();
  Type t = ctx.resultElementType();
  if (failed(ctx.check()))
    return failure();
  Value row = e.iota(sizes, e.i64(), 0), col = e.iota(sizes, e.i64(), 1);
  Value diag = CompareOp::create(e.b, e.loc, CompareDirection::EQ, row, col);
  return ctx.bind(e.convert(diag, t));
}

/// to / _to_copy / type_as / to.other: a conversion to the result's dtype.
LogicalResult convertTo(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  return ctx.bind(ctx.emit().convert(x, ctx.resultElementType()));
}

} // namespace

void registerCreationOps(OpTable &t) {
  t.add("aten.full.default", convertFull);
  t.add("aten.full_like.default", convertFull);
  t.add("aten.new_full.default", convertFull);
  for (const char *name :
       {"aten.zeros.default", "aten.zeros_like.default", "aten.new_zeros.default",
        "aten.empty.memory_format", "aten.empty.default", "aten.empty_like.default",
        "aten.new_empty.default", "aten.empty_strided.default",
        "aten.new_empty_strided.default", "aten.empty_permuted.default"})
    t.add(name, convertZeros);
  for (const char *name :
       {"aten.ones.default", "aten.ones_like.default", "aten.new_ones.default"})
    t.add(name, convertOnes);
  t.add("aten.scalar_tensor.default", convertScalarTensor);
  t.addWithInPlace("fill", "Scalar", convertFill);
  t.addWithInPlace("fill", "Tensor", convertFill);
  t.addInPlace("aten.zero_.default", convertZero);
  t.add("aten.zero.default", convertZero);
  t.add("aten.arange.default", convertArange);
  t.add("aten.arange.start", convertArange);
  t.add("aten.arange.start_step", convertArange);
  t.add("aten.linspace.default", convertLinspace);
  t.add("aten.eye.default", convertEye);
  t.add("aten.eye.m", convertEye);
  for (const char *name :
       {"aten._to_copy.default", "aten.to.dtype", "aten.to.dtype_layout",
        "aten.to.device", "aten.to.other", "aten.to.prim_dtype",
        "aten.to.prim_device", "aten.type_as.default", "aten._to_dim_order_copy.default",
        "aten._autocast_to_reduced_precision.default",
        "aten._autocast_to_full_precision.default"})
    t.add(name, convertTo);
}

} // namespace thunder::importer
