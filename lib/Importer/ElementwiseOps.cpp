//===- ElementwiseOps.cpp - unary, binary, comparison, select ops ---------===//
//
// Type promotion follows torch.result_type (NodeContext::resultType); the
// operands are converted to the promoted type and broadcast explicitly. The
// result is converted to the node's TensorMeta dtype where that differs (in
// place ops keep the dtype of the tensor they write).
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace thunder::importer {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

//===--- Unary ---------------------------------------------------------------===//

/// Floating-point functions: integer inputs are computed in the result's
/// (floating) dtype, as PyTorch promotes them.
template <typename OpTy>
LogicalResult floatUnary(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  Type t = ctx.resultElementType();
  if (!isFloat(t))
    t = isFloat(Emitter::elementTypeOf(x)) ? Emitter::elementTypeOf(x)
                                           : defaultFloatType(ctx.context());
  return ctx.bind(ctx.emit().unary<OpTy>(ctx.emit().convert(x, t)));
}

/// floor/ceil/round/trunc: the identity on integers.
template <typename OpTy>
LogicalResult roundingUnary(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  if (!isFloat(Emitter::elementTypeOf(x)))
    return ctx.bind(x);
  return ctx.bind(ctx.emit().unary<OpTy>(x));
}

/// neg, abs, sign: any numeric type.
template <typename OpTy>
LogicalResult numericUnary(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  return ctx.bind(ctx.emit().unary<OpTy>(x));
}

LogicalResult convertRoundDecimals(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t decimals = ctx.integer("decimals");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  double scale = std::pow(10.0, static_cast<double>(decimals));
  Value r = e.unary<RoundOp>(e.mulScalar(x, scale));
  return ctx.bind(e.binaryScalar<DivOp>(r, scale));
}

LogicalResult convertBitwiseNot(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  if (isFloat(Emitter::elementTypeOf(x)))
    return ctx.error() << "bitwise_not is only defined on integer and bool tensors";
  return ctx.bind(ctx.emit().unary<NotOp>(x));
}

/// x != 0 as i1.
Value toBool(Emitter &e, Value x) {
  if (isBool(Emitter::elementTypeOf(x)))
    return x;
  return e.compareScalar(CompareDirection::NE, x, 0.0);
}

LogicalResult convertLogicalNot(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  return ctx.bind(ctx.emit().unary<NotOp>(toBool(ctx.emit(), x)));
}

LogicalResult convertSquare(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  x = ctx.emit().convert(x, ctx.resultElementType());
  return ctx.bind(MulOp::create(ctx.builder(), ctx.loc(), x, x).getResult());
}

LogicalResult convertFrac(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  return ctx.bind(SubOp::create(e.b, e.loc, x, e.unary<TruncOp>(x)).getResult());
}

/// isnan, isinf, isfinite, isposinf, isneginf: `predicate` on a float tensor;
/// on integer and bool tensors every element has the answer `nonFloat`.
LogicalResult convertFloatClass(NodeContext &ctx, bool nonFloat,
                                llvm::function_ref<Value(Emitter &, Value)> predicate) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  if (!isFloat(Emitter::elementTypeOf(x)))
    return ctx.bind(e.full(e.dims(x), e.scalarAttrInt(e.i1(), nonFloat)));
  return ctx.bind(predicate(e, x));
}

Value isNan(Emitter &e, Value x) {
  return CompareOp::create(e.b, e.loc, CompareDirection::NE, x, x).getResult();
}
Value isInf(Emitter &e, Value x) {
  return e.compareScalar(CompareDirection::EQ, e.unary<AbsOp>(x), kInf);
}
// |x| < inf is false for inf and NaN.
Value isFinite(Emitter &e, Value x) {
  return e.compareScalar(CompareDirection::LT, e.unary<AbsOp>(x), kInf);
}
Value isPosInf(Emitter &e, Value x) { return e.compareScalar(CompareDirection::EQ, x, kInf); }
Value isNegInf(Emitter &e, Value x) { return e.compareScalar(CompareDirection::EQ, x, -kInf); }

LogicalResult convertNanToNum(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  std::optional<double> nan = ctx.optionalReal("nan");
  std::optional<double> posinf = ctx.optionalReal("posinf");
  std::optional<double> neginf = ctx.optionalReal("neginf");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(x);
  if (!isFloat(t))
    return ctx.bind(x);
  const llvm::fltSemantics &sem = cast<FloatType>(t).getFloatSemantics();
  double big = llvm::APFloat::getLargest(sem).convertToDouble();
  Value r = SelectOp::create(e.b, e.loc, x.getType(), isNan(e, x),
                             e.splatLike(nan.value_or(0.0), x), x);
  Value isPos = e.compareScalar(CompareDirection::EQ, r, kInf);
  r = SelectOp::create(e.b, e.loc, x.getType(), isPos,
                       e.splatLike(posinf.value_or(big), x), r);
  Value isNeg = e.compareScalar(CompareDirection::EQ, r, -kInf);
  r = SelectOp::create(e.b, e.loc, x.getType(), isNeg,
                       e.splatLike(neginf.value_or(-big), x), r);
  return ctx.bind(r);
}

//===--- Binary --------------------------------------------------------------===//

/// Reads self/other (tensors or numbers), promotes, converts, broadcasts.
struct BinaryOperands {
  Value x, y;
  Type type; // the promoted (computation) type
};

FailureOr<BinaryOperands> binaryOperands(NodeContext &ctx, StringRef lhs = "self",
                                         StringRef rhs = "other") {
  Operand a = ctx.operand(lhs), c = ctx.operand(rhs);
  if (failed(ctx.check()))
    return failure();
  Type type = ctx.resultType({a, c});
  Value x = ctx.materialize(a, type), y = ctx.materialize(c, type);
  auto [bx, by] = ctx.emit().unify(x, y, type);
  return BinaryOperands{bx, by, type};
}

/// binaryOperands for the float-only functions (atan2, copysign, xlogy):
/// integer and bool operands are computed in the default float type.
FailureOr<BinaryOperands> floatBinaryOperands(NodeContext &ctx) {
  Operand a = ctx.operand("self"), c = ctx.operand("other");
  if (failed(ctx.check()))
    return failure();
  Type type = ctx.resultType({a, c});
  if (!isFloat(type))
    type = defaultFloatType(ctx.context());
  Value x = ctx.materialize(a, type), y = ctx.materialize(c, type);
  auto [bx, by] = ctx.emit().unify(x, y, type);
  return BinaryOperands{bx, by, type};
}

template <typename OpTy>
LogicalResult simpleBinary(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = binaryOperands(ctx);
  if (failed(ops))
    return failure();
  return ctx.bind(OpTy::create(ctx.builder(), ctx.loc(), ops->x, ops->y).getResult());
}

/// `self op alpha * other` (add, sub) and `other - alpha * self` (rsub).
template <typename OpTy, bool Reverse = false>
LogicalResult alphaBinary(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = binaryOperands(ctx);
  std::optional<Scalar> alpha = ctx.optionalScalar("alpha");
  if (failed(ops) || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  // result = lhs op alpha * rhs; rsub swaps the operands.
  Value lhs = ops->x, rhs = ops->y;
  if (Reverse)
    std::swap(lhs, rhs);
  if (alpha && !(alpha->isStatic() && alpha->asDouble() == 1.0)) {
    Value a = ctx.materialize(Operand{Value(), *alpha}, ops->type);
    rhs = MulOp::create(e.b, e.loc, rhs, e.splat(a, e.dims(rhs)));
  }
  return ctx.bind(OpTy::create(e.b, e.loc, lhs, rhs).getResult());
}

/// True division: integers divide as floats.
LogicalResult convertTrueDivide(NodeContext &ctx, StringRef rounding) {
  Operand a = ctx.operand("self"), c = ctx.operand("other");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type type = ctx.resultType({a, c});
  if (rounding.empty() && !isFloat(type))
    type = defaultFloatType(ctx.context());
  auto [x, y] = e.unify(ctx.materialize(a, type), ctx.materialize(c, type), type);
  if (rounding == "floor")
    return ctx.bind(FloorDivOp::create(e.b, e.loc, x, y).getResult());
  Value q = DivOp::create(e.b, e.loc, x, y);
  if (rounding == "trunc" && isFloat(type))
    q = e.unary<TruncOp>(q);
  return ctx.bind(q);
}

LogicalResult convertDiv(NodeContext &ctx) { return convertTrueDivide(ctx, ""); }

LogicalResult convertDivMode(NodeContext &ctx) {
  std::optional<std::string> mode = ctx.optionalString("rounding_mode");
  if (failed(ctx.check()))
    return failure();
  if (mode && *mode != "trunc" && *mode != "floor")
    return ctx.error() << "unknown rounding_mode '" << *mode << "'";
  return convertTrueDivide(ctx, mode.value_or(""));
}

LogicalResult convertFloorDivide(NodeContext &ctx) {
  return convertTrueDivide(ctx, "floor");
}

/// pow: exponent 2 is a multiplication, 1 the identity.
LogicalResult convertPow(NodeContext &ctx) {
  Operand base = ctx.operand("self"), exponent = ctx.operand("exponent");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type type = ctx.resultType({base, exponent});
  if (base.isTensor() && !exponent.isTensor() && exponent.number.isStatic()) {
    double p = exponent.number.asDouble();
    Value x = ctx.materialize(base, type);
    if (p == 1.0)
      return ctx.bind(x);
    if (p == 2.0)
      return ctx.bind(MulOp::create(e.b, e.loc, x, x).getResult());
  }
  Value x = ctx.materialize(base, type), y = ctx.materialize(exponent, type);
  return ctx.bind(e.binary<PowOp>(x, y, type));
}

/// fmax/fmin: NaN only when both are NaN.
template <typename OpTy>
LogicalResult nanIgnoringMinMax(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = binaryOperands(ctx);
  if (failed(ops))
    return failure();
  Emitter &e = ctx.emit();
  Value r = OpTy::create(e.b, e.loc, ops->x, ops->y);
  if (!isFloat(ops->type))
    return ctx.bind(r);
  Value xNan = CompareOp::create(e.b, e.loc, CompareDirection::NE, ops->x, ops->x);
  Value yNan = CompareOp::create(e.b, e.loc, CompareDirection::NE, ops->y, ops->y);
  r = SelectOp::create(e.b, e.loc, r.getType(), xNan, ops->y, r);
  r = SelectOp::create(e.b, e.loc, r.getType(), yNan, ops->x, r);
  return ctx.bind(r);
}

/// Float-only binary functions (atan2): integers are computed as floats.
template <typename OpTy>
LogicalResult floatBinary(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = floatBinaryOperands(ctx);
  if (failed(ops))
    return failure();
  return ctx.bind(OpTy::create(ctx.builder(), ctx.loc(), ops->x, ops->y).getResult());
}

LogicalResult convertHypot(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = binaryOperands(ctx);
  if (failed(ops))
    return failure();
  Emitter &e = ctx.emit();
  Value s = AddOp::create(e.b, e.loc, MulOp::create(e.b, e.loc, ops->x, ops->x),
                          MulOp::create(e.b, e.loc, ops->y, ops->y));
  return ctx.bind(e.unary<SqrtOp>(s));
}

LogicalResult convertCopysign(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = floatBinaryOperands(ctx);
  if (failed(ops))
    return failure();
  Emitter &e = ctx.emit();
  Value x = ops->x, y = ops->y;
  // The sign of y, -0.0 included (1/-0 = -inf).
  Value negative = e.compareScalar(CompareDirection::LT, y, 0.0);
  Value isZero = e.compareScalar(CompareDirection::EQ, y, 0.0);
  Value negZero = e.compareScalar(CompareDirection::LT,
                                  e.unary<ReciprocalOp>(y), 0.0);
  negative = OrOp::create(e.b, e.loc, negative,
                          AndOp::create(e.b, e.loc, isZero, negZero));
  Value mag = e.unary<AbsOp>(x);
  return ctx.bind(SelectOp::create(e.b, e.loc, mag.getType(), negative,
                                   e.unary<NegOp>(mag), mag)
                      .getResult());
}

/// Bitwise ops on integers and bools (logical on bools).
template <typename OpTy>
LogicalResult bitwiseBinary(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = binaryOperands(ctx);
  if (failed(ops))
    return failure();
  if (isFloat(ops->type))
    return ctx.error() << "'" << ctx.target()
                       << "' is only defined on integer and bool tensors";
  return ctx.bind(OpTy::create(ctx.builder(), ctx.loc(), ops->x, ops->y).getResult());
}

/// logical_and/or/xor: both operands as bools.
template <typename OpTy>
LogicalResult logicalBinary(NodeContext &ctx) {
  Operand a = ctx.operand("self"), c = ctx.operand("other");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultType({a, c});
  Value x = toBool(e, ctx.materialize(a, t)), y = toBool(e, ctx.materialize(c, t));
  return ctx.bind(e.binary<OpTy>(x, y, e.i1()));
}

template <CompareDirection Dir>
LogicalResult comparison(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = binaryOperands(ctx);
  if (failed(ops))
    return failure();
  return ctx.bind(
      CompareOp::create(ctx.builder(), ctx.loc(), Dir, ops->x, ops->y).getResult());
}

//===--- Select, clamp, lerp ----------------------------------------------===//

LogicalResult convertWhere(NodeContext &ctx) {
  Value cond = ctx.tensor("condition");
  Operand a = ctx.operand("self"), c = ctx.operand("other");
  if (failed(ctx.check()))
    return failure();
  Type type = ctx.resultType({a, c});
  return ctx.bind(
      ctx.emit().select(cond, ctx.materialize(a, type), ctx.materialize(c, type)));
}

LogicalResult convertMaskedFill(NodeContext &ctx) {
  Value self = ctx.tensor("self");
  Value mask = ctx.tensor("mask");
  Operand value = ctx.operand("value");
  if (failed(ctx.check()))
    return failure();
  Type t = Emitter::elementTypeOf(self);
  Value v = ctx.materialize(value, t);
  return ctx.bind(ctx.emit().select(mask, v, self));
}

/// clamp / clamp.Tensor / clamp_min / clamp_max: max then min, NaN-propagating.
LogicalResult clampImpl(NodeContext &ctx, StringRef minName, StringRef maxName) {
  Value self = ctx.tensor("self");
  std::optional<Operand> lo, hi;
  if (!minName.empty() && !ctx.isNone(minName))
    lo = ctx.operand(minName);
  if (!maxName.empty() && !ctx.isNone(maxName))
    hi = ctx.operand(maxName);
  if (failed(ctx.check()))
    return failure();
  SmallVector<Operand> all = {Operand{self, {}}};
  if (lo)
    all.push_back(*lo);
  if (hi)
    all.push_back(*hi);
  Type type = ctx.resultType(all);
  Emitter &e = ctx.emit();
  Value r = e.convert(self, type);
  if (lo)
    r = e.binary<MaxOp>(r, ctx.materialize(*lo, type), type);
  if (hi)
    r = e.binary<MinOp>(r, ctx.materialize(*hi, type), type);
  return ctx.bind(r);
}

LogicalResult convertClamp(NodeContext &ctx) { return clampImpl(ctx, "min", "max"); }
LogicalResult convertClampMin(NodeContext &ctx) { return clampImpl(ctx, "min", ""); }
LogicalResult convertClampMax(NodeContext &ctx) { return clampImpl(ctx, "", "max"); }

/// lerp: self + w * (end - self) for w < 0.5, else end - (end - self) * (1 - w).
LogicalResult convertLerp(NodeContext &ctx) {
  Value self = ctx.tensor("self"), end = ctx.tensor("end");
  Operand weight = ctx.operand("weight");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type type = ctx.resultType({Operand{self, {}}, Operand{end, {}}, weight});
  Value w = ctx.materialize(weight, type);
  self = e.convert(self, type);
  end = e.convert(end, type);
  Sizes shape = e.broadcastShape({self, end, w});
  self = e.broadcastTo(self, shape);
  end = e.broadcastTo(end, shape);
  w = e.broadcastTo(w, shape);
  Value diff = SubOp::create(e.b, e.loc, end, self);
  Value low = AddOp::create(e.b, e.loc, self, MulOp::create(e.b, e.loc, w, diff));
  Value oneMinus = e.scalarBinary<SubOp>(1.0, w);
  Value high = SubOp::create(e.b, e.loc, end, MulOp::create(e.b, e.loc, diff, oneMinus));
  Value small = e.compareScalar(CompareDirection::LT, e.unary<AbsOp>(w), 0.5);
  return ctx.bind(SelectOp::create(e.b, e.loc, low.getType(), small, low, high).getResult());
}

/// addcmul / addcdiv: self + value * t1 (*|/) t2.
template <typename OpTy>
LogicalResult addcOp(NodeContext &ctx) {
  Value self = ctx.tensor("self"), t1 = ctx.tensor("tensor1"), t2 = ctx.tensor("tensor2");
  std::optional<Scalar> value = ctx.optionalScalar("value");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type type = ctx.resultType({Operand{self, {}}, Operand{t1, {}}, Operand{t2, {}}});
  Value prod = e.binary<OpTy>(t1, t2, type);
  if (value && !(value->isStatic() && value->asDouble() == 1.0))
    prod = e.mul(prod, ctx.materialize(Operand{Value(), *value}, type));
  return ctx.bind(e.binary<AddOp>(self, prod, type));
}

/// xlogy(x, y): 0 where x == 0 (unless y is NaN), else x * log(y).
LogicalResult convertXlogy(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = floatBinaryOperands(ctx);
  if (failed(ops))
    return failure();
  Emitter &e = ctx.emit();
  Value x = ops->x, y = ops->y;
  Value prod = MulOp::create(e.b, e.loc, x, e.unary<LogOp>(y));
  Value zero = e.compareScalar(CompareDirection::EQ, x, 0.0);
  Value yNan = CompareOp::create(e.b, e.loc, CompareDirection::NE, y, y);
  Value useZero = AndOp::create(e.b, e.loc, zero, e.unary<NotOp>(yNan));
  return ctx.bind(SelectOp::create(e.b, e.loc, prod.getType(), useZero,
                                   e.splatLike(0.0, prod), prod)
                      .getResult());
}

/// logaddexp(a, b) = max(a, b) + log1p(exp(-|a - b|)).
LogicalResult convertLogaddexp(NodeContext &ctx) {
  FailureOr<BinaryOperands> ops = binaryOperands(ctx);
  if (failed(ops))
    return failure();
  Emitter &e = ctx.emit();
  Value m = MaxOp::create(e.b, e.loc, ops->x, ops->y);
  Value d = e.unary<AbsOp>(SubOp::create(e.b, e.loc, ops->x, ops->y));
  Value r = AddOp::create(e.b, e.loc, m,
                          e.unary<Log1pOp>(e.unary<ExpOp>(e.unary<NegOp>(d))));
  // Both -inf (or equal infinities): the max itself.
  Value same = CompareOp::create(e.b, e.loc, CompareDirection::EQ, ops->x, ops->y);
  Value inf = e.compareScalar(CompareDirection::EQ, e.unary<AbsOp>(ops->x), kInf);
  Value useMax = AndOp::create(e.b, e.loc, same, inf);
  return ctx.bind(SelectOp::create(e.b, e.loc, r.getType(), useMax, m, r).getResult());
}

/// copy(self, src): src in self's dtype and shape.
LogicalResult convertCopy(NodeContext &ctx) {
  Value self = ctx.tensor("self"), src = ctx.tensor("src");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  src = e.convert(src, Emitter::elementTypeOf(self));
  return ctx.bind(e.broadcastTo(src, e.dims(self)));
}

} // namespace

void registerElementwiseOps(OpTable &t) {
  // Floating-point functions (with in-place variants).
#define FLOAT_UNARY(name, Op) t.addWithInPlace(name, "default", floatUnary<Op>);
  FLOAT_UNARY("exp", ExpOp)
  FLOAT_UNARY("exp2", Exp2Op)
  FLOAT_UNARY("expm1", Expm1Op)
  FLOAT_UNARY("log", LogOp)
  FLOAT_UNARY("log2", Log2Op)
  FLOAT_UNARY("log10", Log10Op)
  FLOAT_UNARY("log1p", Log1pOp)
  FLOAT_UNARY("sqrt", SqrtOp)
  FLOAT_UNARY("rsqrt", RsqrtOp)
  FLOAT_UNARY("sin", SinOp)
  FLOAT_UNARY("cos", CosOp)
  FLOAT_UNARY("tan", TanOp)
  FLOAT_UNARY("asin", AsinOp)
  FLOAT_UNARY("acos", AcosOp)
  FLOAT_UNARY("atan", AtanOp)
  FLOAT_UNARY("sinh", SinhOp)
  FLOAT_UNARY("cosh", CoshOp)
  FLOAT_UNARY("tanh", TanhOp)
  FLOAT_UNARY("asinh", AsinhOp)
  FLOAT_UNARY("acosh", AcoshOp)
  FLOAT_UNARY("atanh", AtanhOp)
  FLOAT_UNARY("erf", ErfOp)
  FLOAT_UNARY("erfinv", ErfinvOp)
  FLOAT_UNARY("sigmoid", SigmoidOp)
  FLOAT_UNARY("reciprocal", ReciprocalOp)
#undef FLOAT_UNARY
  t.add("aten.arcsin.default", floatUnary<AsinOp>);
  t.add("aten.arccos.default", floatUnary<AcosOp>);
  t.add("aten.arctan.default", floatUnary<AtanOp>);
  t.add("aten.special_expit.default", floatUnary<SigmoidOp>);
  t.add("aten.special_erf.default", floatUnary<ErfOp>);
  t.add("aten.special_erfinv.default", floatUnary<ErfinvOp>);
  t.add("aten.special_expm1.default", floatUnary<Expm1Op>);
  t.add("aten.special_exp2.default", floatUnary<Exp2Op>);
  t.add("aten.special_log1p.default", floatUnary<Log1pOp>);
  t.addWithInPlace("floor", "default", roundingUnary<FloorOp>);
  t.addWithInPlace("ceil", "default", roundingUnary<CeilOp>);
  t.addWithInPlace("round", "default", roundingUnary<RoundOp>);
  t.addWithInPlace("trunc", "default", roundingUnary<TruncOp>);
  t.add("aten.fix.default", roundingUnary<TruncOp>);
  t.add("aten.round.decimals", convertRoundDecimals);
  t.addWithInPlace("neg", "default", numericUnary<NegOp>);
  t.add("aten.negative.default", numericUnary<NegOp>);
  t.addWithInPlace("abs", "default", numericUnary<AbsOp>);
  t.add("aten.absolute.default", numericUnary<AbsOp>);
  t.addWithInPlace("sign", "default", numericUnary<SignOp>);
  t.add("aten.sgn.default", numericUnary<SignOp>);
  t.addWithInPlace("bitwise_not", "default", convertBitwiseNot);
  t.addWithInPlace("logical_not", "default", convertLogicalNot);
  t.addWithInPlace("square", "default", convertSquare);
  t.addWithInPlace("frac", "default", convertFrac);
  t.add("aten.isnan.default", [](NodeContext &ctx) { return convertFloatClass(ctx, false, isNan); });
  t.add("aten.isinf.default", [](NodeContext &ctx) { return convertFloatClass(ctx, false, isInf); });
  t.add("aten.isfinite.default",
        [](NodeContext &ctx) { return convertFloatClass(ctx, true, isFinite); });
  t.add("aten.isposinf.default",
        [](NodeContext &ctx) { return convertFloatClass(ctx, false, isPosInf); });
  t.add("aten.isneginf.default",
        [](NodeContext &ctx) { return convertFloatClass(ctx, false, isNegInf); });
  t.addWithInPlace("nan_to_num", "default", convertNanToNum);

  // Arithmetic.
  for (const char *overload : {"Tensor", "Scalar"}) {
    t.addWithInPlace("add", overload, alphaBinary<AddOp>);
    t.addWithInPlace("sub", overload, alphaBinary<SubOp>);
    t.addWithInPlace("mul", overload, simpleBinary<MulOp>);
    t.addWithInPlace("div", overload, convertDiv);
    t.add(std::string("aten.rsub.") + overload, alphaBinary<SubOp, true>);
    t.addWithInPlace("remainder", overload, simpleBinary<RemainderOp>);
    t.addWithInPlace("fmod", overload, simpleBinary<FmodOp>);
    t.addWithInPlace("floor_divide", overload, convertFloorDivide);
    t.addWithInPlace("true_divide", overload, convertDiv);
    t.addWithInPlace("multiply", overload, simpleBinary<MulOp>);
    t.addWithInPlace("divide", overload, convertDiv);
    t.addWithInPlace("subtract", overload, alphaBinary<SubOp>);
    t.addWithInPlace("bitwise_and", overload, bitwiseBinary<AndOp>);
    t.addWithInPlace("bitwise_or", overload, bitwiseBinary<OrOp>);
    t.addWithInPlace("bitwise_xor", overload, bitwiseBinary<XorOp>);
    t.add(std::string("aten.__and__.") + overload, bitwiseBinary<AndOp>);
    t.add(std::string("aten.__or__.") + overload, bitwiseBinary<OrOp>);
    t.add(std::string("aten.__xor__.") + overload, bitwiseBinary<XorOp>);
    t.addInPlace(std::string("aten.__iand__.") + overload, bitwiseBinary<AndOp>);
    t.addInPlace(std::string("aten.__ior__.") + overload, bitwiseBinary<OrOp>);
    t.addInPlace(std::string("aten.__ixor__.") + overload, bitwiseBinary<XorOp>);
    t.add(std::string("aten.__lshift__.") + overload, bitwiseBinary<ShiftLeftOp>);
    t.add(std::string("aten.__rshift__.") + overload, bitwiseBinary<ShiftRightOp>);
    t.addInPlace(std::string("aten.__ilshift__.") + overload, bitwiseBinary<ShiftLeftOp>);
    t.addInPlace(std::string("aten.__irshift__.") + overload, bitwiseBinary<ShiftRightOp>);
    t.add(std::string("aten.bitwise_left_shift.") + overload, bitwiseBinary<ShiftLeftOp>);
    t.add(std::string("aten.bitwise_right_shift.") + overload, bitwiseBinary<ShiftRightOp>);
    t.addWithInPlace("eq", overload, comparison<CompareDirection::EQ>);
    t.addWithInPlace("ne", overload, comparison<CompareDirection::NE>);
    t.addWithInPlace("lt", overload, comparison<CompareDirection::LT>);
    t.addWithInPlace("le", overload, comparison<CompareDirection::LE>);
    t.addWithInPlace("gt", overload, comparison<CompareDirection::GT>);
    t.addWithInPlace("ge", overload, comparison<CompareDirection::GE>);
    t.add(std::string("aten.greater.") + overload, comparison<CompareDirection::GT>);
    t.add(std::string("aten.greater_equal.") + overload, comparison<CompareDirection::GE>);
    t.add(std::string("aten.less.") + overload, comparison<CompareDirection::LT>);
    t.add(std::string("aten.less_equal.") + overload, comparison<CompareDirection::LE>);
    t.add(std::string("aten.not_equal.") + overload, comparison<CompareDirection::NE>);
  }
  t.add("aten.bitwise_and.Scalar_Tensor", bitwiseBinary<AndOp>);
  t.add("aten.bitwise_or.Scalar_Tensor", bitwiseBinary<OrOp>);
  t.add("aten.bitwise_xor.Scalar_Tensor", bitwiseBinary<XorOp>);
  t.add("aten.remainder.Scalar_Tensor", simpleBinary<RemainderOp>);
  t.add("aten.floor_divide.default", convertFloorDivide);
  t.addWithInPlace("div", "Tensor_mode", convertDivMode);
  t.addWithInPlace("div", "Scalar_mode", convertDivMode);
  t.addWithInPlace("pow", "Tensor_Tensor", convertPow);
  t.addWithInPlace("pow", "Tensor_Scalar", convertPow);
  t.add("aten.pow.Scalar", convertPow);
  t.add("aten.float_power.Tensor_Tensor", convertPow);
  t.add("aten.float_power.Tensor_Scalar", convertPow);
  t.add("aten.maximum.default", simpleBinary<MaxOp>);
  t.add("aten.minimum.default", simpleBinary<MinOp>);
  t.add("aten.max.other", simpleBinary<MaxOp>);
  t.add("aten.min.other", simpleBinary<MinOp>);
  t.add("aten.fmax.default", nanIgnoringMinMax<MaxOp>);
  t.add("aten.fmin.default", nanIgnoringMinMax<MinOp>);
  t.addWithInPlace("atan2", "default", floatBinary<Atan2Op>);
  t.add("aten.arctan2.default", floatBinary<Atan2Op>);
  // The one out= variant in the Core ATen set: a write into `out`.
  t.addInPlace("aten.atan2.out", floatBinary<Atan2Op>, "out");
  t.addWithInPlace("hypot", "default", convertHypot);
  t.addWithInPlace("copysign", "Tensor", convertCopysign);
  t.addWithInPlace("copysign", "Scalar", convertCopysign);
  t.addWithInPlace("logical_and", "default", logicalBinary<AndOp>);
  t.addWithInPlace("logical_or", "default", logicalBinary<OrOp>);
  t.addWithInPlace("logical_xor", "default", logicalBinary<XorOp>);

  // Select, clamp, lerp, fused multiply-adds, copy.
  t.add("aten.where.self", convertWhere);
  t.add("aten.where.ScalarSelf", convertWhere);
  t.add("aten.where.ScalarOther", convertWhere);
  t.add("aten.where.Scalar", convertWhere);
  t.addWithInPlace("masked_fill", "Scalar", convertMaskedFill);
  t.addWithInPlace("masked_fill", "Tensor", convertMaskedFill);
  t.addWithInPlace("clamp", "default", convertClamp);
  t.addWithInPlace("clamp", "Tensor", convertClamp);
  t.addWithInPlace("clip", "default", convertClamp);
  t.addWithInPlace("clip", "Tensor", convertClamp);
  t.addWithInPlace("clamp_min", "default", convertClampMin);
  t.addWithInPlace("clamp_min", "Tensor", convertClampMin);
  t.addWithInPlace("clamp_max", "default", convertClampMax);
  t.addWithInPlace("clamp_max", "Tensor", convertClampMax);
  t.addWithInPlace("lerp", "Scalar", convertLerp);
  t.addWithInPlace("lerp", "Tensor", convertLerp);
  t.addWithInPlace("addcmul", "default", addcOp<MulOp>);
  t.addWithInPlace("addcdiv", "default", addcOp<DivOp>);
  t.add("aten.copy.default", convertCopy);
  t.add("aten.xlogy.Tensor", convertXlogy);
  t.add("aten.xlogy.Scalar_Self", convertXlogy);
  t.add("aten.xlogy.Scalar_Other", convertXlogy);
  t.add("aten.special_xlogy.default", convertXlogy);
  t.add("aten.logaddexp.default", convertLogaddexp);
  t.addInPlace("aten.copy_.default", convertCopy);
}

} // namespace thunder::importer
