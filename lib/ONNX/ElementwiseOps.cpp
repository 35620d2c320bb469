//===- ElementwiseOps.cpp - ONNX unary, binary, comparison, activation ----===//
//
// ONNX broadcasts multidirectionally (NumPy rules) and, unlike PyTorch, never
// promotes: both operands have one type. The Emitter's broadcasting serves as
// is; conversions appear only where an op defines them (Cast, Pow's exponent).
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "ONNXOpTable.h"
#include "StoredIntegers.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace thunder::onnximport {
namespace {

using importer::isFloat;

//===--- Unary -----------------------------------------------------------------===//

template <typename OpTy>
LogicalResult unary(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  return n.bind(n.emit().unary<OpTy>(x));
}

/// Floating-point functions (exp, sin, ...): ONNX defines them on floats only.
template <typename OpTy>
LogicalResult floatUnary(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  if (!isFloat(Emitter::elementTypeOf(x)))
    return n.error() << "is defined on floating-point tensors, not "
                     << Emitter::elementTypeOf(x);
  return n.bind(n.emit().unary<OpTy>(x));
}

LogicalResult identity(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  return n.bind(x);
}

LogicalResult relu(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  return n.bind(n.emit().relu(x));
}

LogicalResult isNaN(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  return n.bind(n.emit().compare(CompareDirection::NE, x, x));
}

LogicalResult isInf(ONNXNode &n) {
  Value x = n.input(0);
  bool positive = n.intAttr("detect_positive", 1), negative = n.intAttr("detect_negative", 1);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  constexpr double inf = std::numeric_limits<double>::infinity();
  Value r = e.splat(0.0, e.i1(), e.dims(x));
  if (positive)
    r = OrOp::create(e.b, e.loc, r, e.compareScalar(CompareDirection::EQ, x, inf));
  if (negative)
    r = OrOp::create(e.b, e.loc, r, e.compareScalar(CompareDirection::EQ, x, -inf));
  return n.bind(r);
}

//===--- Binary ----------------------------------------------------------------===//

/// Inputs 0 and 1, read and checked to broadcast together.
LogicalResult broadcastOperands(ONNXNode &n, Value &x, Value &y) {
  x = n.input(0);
  y = n.input(1);
  if (failed(n.check()))
    return failure();
  return n.checkBroadcast({x, y});
}

/// An error for uint64 operands of the ops that widen unsigned values.
LogicalResult refuseUint64(ONNXNode &n, StringRef what) {
  IntegerFormat format = n.inputFormat(0);
  if (format.isUnsigned && format.bits == 64)
    return n.error() << "uint64 " << what << " are not supported";
  return success();
}

template <typename OpTy>
LogicalResult binary(ONNXNode &n) {
  Value x, y;
  if (failed(broadcastOperands(n, x, y)))
    return failure();
  return n.bind(n.emit().binary<OpTy>(x, y));
}

/// Div of unsigned integers: on the zero-extended values (uint64: refused).
LogicalResult div(ONNXNode &n) {
  Value x, y;
  if (failed(broadcastOperands(n, x, y)) || failed(refuseUint64(n, "divisions")))
    return failure();
  return n.bind(onUnsignedValues(n.emit(), x, y, n.inputFormat(0), [&](Value a, Value b) {
    return n.emit().binary<DivOp>(a, b);
  }));
}

/// Pow: the result has the base's type; the exponent may have another.
LogicalResult pow(ONNXNode &n) {
  Value x = n.input(0), y = n.input(1);
  if (failed(n.check()))
    return failure();
  if (failed(n.checkBroadcast({x, y})))
    return failure();
  Type t = Emitter::elementTypeOf(x);
  if (!isFloat(t)) { // integer powers computed exactly in float64, then back
    Type f64 = n.emit().b.getF64Type();
    return n.bind(n.emit().convert(n.emit().binary<PowOp>(x, y, f64), t));
  }
  return n.bind(n.emit().binary<PowOp>(x, y, t));
}

/// Mod: fmod = 1 is C's fmod (sign of the dividend), else Python's % (sign of
/// the divisor).
LogicalResult mod(ONNXNode &n) {
  Value x = n.input(0), y = n.input(1);
  bool fmod = n.intAttr("fmod", 0);
  if (failed(n.check()))
    return failure();
  if (failed(n.checkBroadcast({x, y})))
    return failure();
  if (!fmod && isFloat(Emitter::elementTypeOf(x)))
    return n.error() << "fmod = 0 is defined on integers only";
  if (failed(refuseUint64(n, "remainders")))
    return failure();
  return n.bind(onUnsignedValues(n.emit(), x, y, n.inputFormat(0), [&](Value a, Value b) {
    return fmod ? n.emit().binary<FmodOp>(a, b) : n.emit().binary<RemainderOp>(a, b);
  }));
}

LogicalResult bitShift(ONNXNode &n) {
  Value x = n.input(0), y = n.input(1);
  std::string direction = n.stringAttr("direction", "");
  if (failed(n.check()))
    return failure();
  if (failed(n.checkBroadcast({x, y})))
    return failure();
  if (direction == "LEFT")
    return n.bind(n.emit().binary<ShiftLeftOp>(x, y));
  if (direction == "RIGHT") { // logical on unsigned values
    if (failed(refuseUint64(n, "right shifts")))
      return failure();
    return n.bind(onUnsignedValues(n.emit(), x, y, n.inputFormat(0), [&](Value a, Value b) {
      return n.emit().binary<ShiftRightOp>(a, b);
    }));
  }
  return n.error() << "direction must be LEFT or RIGHT, not '" << direction << "'";
}

/// Max, Min, Sum, Mean: any number of inputs, broadcast together.
template <typename OpTy, bool Mean = false>
LogicalResult variadic(ONNXNode &n) {
  SmallVector<Value> xs = n.allInputs();
  if (failed(n.check()))
    return failure();
  if (xs.empty())
    return n.error() << "needs at least one input";
  if (failed(n.checkBroadcast(xs)))
    return failure();
  // Unsigned: on the widened values, or uint64 with its sign bit flipped.
  IntegerFormat format = n.inputFormat(0);
  bool flip = format.isUnsigned && format.bits == 64;
  Value r = xs.front();
  for (Value x : ArrayRef(xs).drop_front())
    r = flip ? flipSignBit(n.emit(), n.emit().binary<OpTy>(flipSignBit(n.emit(), r),
                                                         flipSignBit(n.emit(), x)))
             : onUnsignedValues(n.emit(), r, x, format,
                                [&](Value a, Value b) { return n.emit().binary<OpTy>(a, b); });
  if (Mean)
    r = n.emit().binaryScalar<DivOp>(r, double(xs.size()));
  return n.bind(r);
}

template <CompareDirection Dir>
LogicalResult compare(ONNXNode &n) {
  Value x, y;
  if (failed(broadcastOperands(n, x, y)))
    return failure();
  IntegerFormat format = n.inputFormat(0);
  if (format.isUnsigned && format.bits == 64)
    return n.bind(n.emit().compare(Dir, flipSignBit(n.emit(), x), flipSignBit(n.emit(), y)));
  return n.bind(onUnsignedValues(n.emit(), x, y, format,
                                 [&](Value a, Value b) { return n.emit().compare(Dir, a, b); }));
}

LogicalResult where(ONNXNode &n) {
  Value c = n.input(0), x = n.input(1), y = n.input(2);
  if (failed(n.check()))
    return failure();
  if (failed(n.checkBroadcast({c, x, y})))
    return failure();
  return n.bind(n.emit().select(c, x, y));
}

//===--- Conversions -----------------------------------------------------------===//

LogicalResult cast(ONNXNode &n) {
  Value x = n.input(0);
  int64_t to = n.intAttr("to", 0);
  bool saturate = n.intAttr("saturate", 1);
  if (failed(n.check()))
    return failure();
  FailureOr<Type> t = elementTypeFor(n.context(), int32_t(to), n.emit().loc, "Cast: 'to'");
  if (failed(t))
    return failure();
  IntegerFormat format = integerFormatFor(int32_t(to));
  return n.bind(0, castValue(n.emit(), x, n.inputFormat(0), *t, format, saturate), format);
}

LogicalResult castLike(ONNXNode &n) {
  Value x = n.input(0), like = n.input(1);
  bool saturate = n.intAttr("saturate", 1);
  if (failed(n.check()))
    return failure();
  IntegerFormat format = n.inputFormat(1);
  return n.bind(0, castValue(n.emit(), x, n.inputFormat(0), Emitter::elementTypeOf(like), format,
                             saturate),
                format);
}

/// BitCast: each element's bits as `to`, of the same width (bool is a byte
/// holding 0 or 1 either way, so to and from it is a conversion).
LogicalResult bitCast(ONNXNode &n) {
  Value x = n.input(0);
  int64_t to = n.intAttr("to", 0);
  if (failed(n.check()))
    return failure();
  FailureOr<Type> t = elementTypeFor(n.context(), int32_t(to), n.emit().loc, "BitCast: 'to'");
  if (failed(t))
    return failure();
  Type from = Emitter::elementTypeOf(x);
  IntegerFormat toFormat = integerFormatFor(int32_t(to)), fromFormat = n.inputFormat(0);
  unsigned fromBits = fromFormat ? fromFormat.bits : from.getIntOrFloatBitWidth();
  unsigned toBits = toFormat ? toFormat.bits : t->getIntOrFloatBitWidth();
  if (from.isInteger(1) || t->isInteger(1)) {
    if ((from.isInteger(1) ? toBits : fromBits) != 8)
      return n.error() << "bool reinterprets as 8-bit types only, not " << *t;
    return n.bind(0, n.emit().convert(x, *t), toFormat);
  }
  if (fromBits != toBits || from.getIntOrFloatBitWidth() != t->getIntOrFloatBitWidth())
    return n.error() << "cannot reinterpret " << fromBits << "-bit elements as " << toBits
                     << "-bit ones";
  auto type = RankedTensorType::get(Emitter::shapeOf(x), *t);
  return n.bind(0, BitcastOp::create(n.emit().b, n.emit().loc, type, x).getResult(), toFormat);
}

//===--- Activations -----------------------------------------------------------===//

/// Clip: min and max are optional rank-0 inputs (run-time values).
LogicalResult clip(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<Value> lo = n.optionalInput(1), hi = n.optionalInput(2);
  if (failed(n.check()))
    return failure();
  for (std::optional<Value> bound : {lo, hi})
    if (bound && (!Emitter::typeOf(*bound).hasStaticShape() ||
                  Emitter::typeOf(*bound).getNumElements() != 1))
      return n.error() << "min and max must be scalars, not " << bound->getType();
  Emitter &e = n.emit();
  if (lo)
    x = e.binary<MaxOp>(x, *lo, Emitter::elementTypeOf(x));
  if (hi)
    x = e.binary<MinOp>(x, *hi, Emitter::elementTypeOf(x));
  return n.bind(x);
}

LogicalResult leakyRelu(ONNXNode &n) {
  Value x = n.input(0);
  double alpha = n.floatAttr("alpha", 0.01);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  return n.bind(e.select(e.compareScalar(CompareDirection::LT, x, 0.0), e.mulScalar(x, alpha), x));
}

LogicalResult prelu(ONNXNode &n) {
  Value x = n.input(0), slope = n.input(1);
  if (failed(n.check()))
    return failure();
  if (failed(n.checkBroadcast({x, slope})))
    return failure();
  Emitter &e = n.emit();
  return n.bind(e.select(e.compareScalar(CompareDirection::LT, x, 0.0), e.mul(x, slope), x));
}

/// alpha * (exp(x) - 1) for x < 0, scaled by gamma (Selu) or with x / alpha
/// (Celu).
Value expLinear(Emitter &e, Value x, double alpha, double gamma, double inputScale) {
  Value neg = e.mulScalar(e.addScalar(e.unary<ExpOp>(e.mulScalar(x, inputScale)), -1.0), alpha);
  Value r = e.select(e.compareScalar(CompareDirection::LT, x, 0.0), neg, x);
  return gamma == 1.0 ? r : e.mulScalar(r, gamma);
}

LogicalResult elu(ONNXNode &n) {
  Value x = n.input(0);
  double alpha = n.floatAttr("alpha", 1.0);
  if (failed(n.check()))
    return failure();
  return n.bind(expLinear(n.emit(), x, alpha, 1.0, 1.0));
}

LogicalResult selu(ONNXNode &n) {
  Value x = n.input(0);
  double alpha = n.floatAttr("alpha", 1.67326319217681884765625);
  double gamma = n.floatAttr("gamma", 1.05070102214813232421875);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  Value neg = e.mulScalar(e.addScalar(e.unary<ExpOp>(x), -1.0), alpha);
  Value r = e.select(e.compareScalar(CompareDirection::LE, x, 0.0), neg, x);
  return n.bind(e.mulScalar(r, gamma));
}

LogicalResult celu(ONNXNode &n) {
  Value x = n.input(0);
  double alpha = n.floatAttr("alpha", 1.0);
  if (failed(n.check()))
    return failure();
  return n.bind(expLinear(n.emit(), x, alpha, 1.0, 1.0 / alpha));
}

LogicalResult hardSigmoid(ONNXNode &n) {
  Value x = n.input(0);
  double alpha = n.floatAttr("alpha", 0.2), beta = n.floatAttr("beta", 0.5);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  return n.bind(e.clamp(e.addScalar(e.mulScalar(x, alpha), beta), 0.0, 1.0));
}

LogicalResult hardSwish(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  return n.bind(e.mul(x, e.clamp(e.addScalar(e.mulScalar(x, 1.0 / 6.0), 0.5), 0.0, 1.0)));
}

/// log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)) so it never
/// overflows.
Value softplusOf(Emitter &e, Value x) {
  Value t = e.unary<Log1pOp>(e.unary<ExpOp>(e.unary<NegOp>(e.unary<AbsOp>(x))));
  return e.add(e.relu(x), t);
}

LogicalResult softplus(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  return n.bind(softplusOf(n.emit(), x));
}

LogicalResult softsign(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  return n.bind(e.div(x, e.addScalar(e.unary<AbsOp>(x), 1.0)));
}

LogicalResult mish(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  return n.bind(e.mul(x, e.unary<TanhOp>(softplusOf(e, x))));
}

LogicalResult swish(ONNXNode &n) {
  Value x = n.input(0);
  double alpha = n.floatAttr("alpha", 1.0);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  return n.bind(e.mul(x, e.unary<SigmoidOp>(e.mulScalar(x, alpha))));
}

LogicalResult thresholdedRelu(ONNXNode &n) {
  Value x = n.input(0);
  double alpha = n.floatAttr("alpha", 1.0);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  return n.bind(e.select(e.compareScalar(CompareDirection::GT, x, alpha), x, e.splatLike(0.0, x)));
}

LogicalResult shrink(ONNXNode &n) {
  Value x = n.input(0);
  double bias = n.floatAttr("bias", 0.0), lambd = n.floatAttr("lambd", 0.5);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  Value zero = e.splatLike(0.0, x);
  Value low = e.select(e.compareScalar(CompareDirection::LT, x, -lambd), e.addScalar(x, bias), zero);
  return n.bind(e.select(e.compareScalar(CompareDirection::GT, x, lambd), e.addScalar(x, -bias), low));
}

LogicalResult gelu(ONNXNode &n) {
  Value x = n.input(0);
  std::string approximate = n.stringAttr("approximate", "none");
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  Value inner;
  if (approximate == "tanh") { // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    Value cube = e.mul(e.mul(x, x), x);
    Value arg = e.mulScalar(e.add(x, e.mulScalar(cube, 0.044715)), std::sqrt(2.0 / M_PI));
    inner = e.unary<TanhOp>(arg);
  } else if (approximate == "none") { // 0.5 x (1 + erf(x / sqrt 2))
    inner = e.unary<ErfOp>(e.mulScalar(x, M_SQRT1_2));
  } else {
    return n.error() << "approximate must be 'none' or 'tanh', not '" << approximate << "'";
  }
  return n.bind(e.mul(e.mulScalar(x, 0.5), e.addScalar(inner, 1.0)));
}

} // namespace

void registerElementwiseOps(ONNXOpTable &t) {
  static const std::pair<const char *, ConvertFn> kOps[] = {
      {"Exp", floatUnary<ExpOp>},       {"Log", floatUnary<LogOp>},
      {"Sqrt", floatUnary<SqrtOp>},     {"Sin", floatUnary<SinOp>},
      {"Cos", floatUnary<CosOp>},       {"Tan", floatUnary<TanOp>},
      {"Asin", floatUnary<AsinOp>},     {"Acos", floatUnary<AcosOp>},
      {"Atan", floatUnary<AtanOp>},     {"Sinh", floatUnary<SinhOp>},
      {"Cosh", floatUnary<CoshOp>},     {"Tanh", floatUnary<TanhOp>},
      {"Asinh", floatUnary<AsinhOp>},   {"Acosh", floatUnary<AcoshOp>},
      {"Atanh", floatUnary<AtanhOp>},   {"Erf", floatUnary<ErfOp>},
      {"Sigmoid", floatUnary<SigmoidOp>}, {"Floor", floatUnary<FloorOp>},
      {"Ceil", floatUnary<CeilOp>},     {"Round", floatUnary<RoundOp>},
      {"Reciprocal", floatUnary<ReciprocalOp>},
      {"Neg", unary<NegOp>},            {"Abs", unary<AbsOp>},
      {"Sign", unary<SignOp>},          {"Not", unary<NotOp>},
      {"BitwiseNot", unary<NotOp>},     {"Identity", identity},
      {"Relu", relu},                   {"IsNaN", isNaN},
      {"IsInf", isInf},
      {"Add", binary<AddOp>},           {"Sub", binary<SubOp>},
      {"Mul", binary<MulOp>},           {"Div", div},
      {"Pow", pow},                     {"Mod", mod},
      {"And", binary<AndOp>},           {"Or", binary<OrOp>},
      {"Xor", binary<XorOp>},           {"BitwiseAnd", binary<AndOp>},
      {"BitwiseOr", binary<OrOp>},      {"BitwiseXor", binary<XorOp>},
      {"BitShift", bitShift},
      {"Max", variadic<MaxOp>},         {"Min", variadic<MinOp>},
      {"Sum", variadic<AddOp>},         {"Mean", variadic<AddOp, true>},
      {"Equal", compare<CompareDirection::EQ>},
      {"Less", compare<CompareDirection::LT>},
      {"LessOrEqual", compare<CompareDirection::LE>},
      {"Greater", compare<CompareDirection::GT>},
      {"GreaterOrEqual", compare<CompareDirection::GE>},
      {"Where", where},                 {"Cast", cast},
      {"CastLike", castLike},           {"Clip", clip},
      {"BitCast", bitCast},
      {"LeakyRelu", leakyRelu},         {"PRelu", prelu},
      {"Elu", elu},                     {"Selu", selu},
      {"Celu", celu},                   {"HardSigmoid", hardSigmoid},
      {"HardSwish", hardSwish},         {"Softplus", softplus},
      {"Softsign", softsign},           {"Mish", mish},
      {"Swish", swish},                 {"ThresholdedRelu", thresholdedRelu},
      {"Shrink", shrink},               {"Gelu", gelu},
  };
  for (const auto &[name, fn] : kOps)
    t.add(name, fn);
  t.add("Clip", clip, 11); // min and max were attributes before
  t.add("Mod", mod, 10);
  t.add("BitShift", bitShift, 11);
}

} // namespace thunder::onnximport
