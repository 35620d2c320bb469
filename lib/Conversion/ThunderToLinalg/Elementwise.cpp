//===- Elementwise.cpp - elementwise thunder ops -> linalg.generic --------===//
//
// Every elementwise op becomes one linalg.generic with identity maps whose
// body is built by `ScalarMapping<Op>`: the table from op to scalar body
// (StableHLO's MapStablehloToScalarOp idea). Each entry handles the float,
// integer and i1 (bool) variants with PyTorch's semantics; f16/bf16
// transcendental and composite functions are computed in f32 and rounded
// once, as PyTorch does.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"

#include "thunder/Conversion/ThunderToLinalg/ThunderToLinalg.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

#include <type_traits>

using namespace mlir;
using namespace thunder::lowering;

namespace thunder {
namespace {

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

/// One scalar op whose result has the type of its first operand.
template <typename ScalarOp>
Value create(OpBuilder &b, Location loc, ValueRange args) {
  return ScalarOp::create(b, loc, TypeRange{args.front().getType()}, args)
      ->getResult(0);
}

Value cmpf(OpBuilder &b, Location loc, arith::CmpFPredicate p, Value x,
           Value y) {
  return arith::CmpFOp::create(b, loc, p, x, y);
}
Value cmpi(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x,
           Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}
Value select(OpBuilder &b, Location loc, Value c, Value t, Value f) {
  return arith::SelectOp::create(b, loc, c, t, f);
}
Value cst(OpBuilder &b, Location loc, Type type, double value) {
  return scalarConstant(b, loc, type, value);
}

/// Evaluates `fn` on `args` converted to the accumulator type (f32 for
/// f16/bf16) and converts the result back to `type`.
Value computeWide(OpBuilder &b, Location loc, Type type, ValueRange args,
                  llvm::function_ref<Value(ValueRange)> fn) {
  Type wide = accumulatorType(type);
  if (wide == type)
    return fn(args);
  SmallVector<Value> wideArgs;
  for (Value a : args)
    wideArgs.push_back(arith::ExtFOp::create(b, loc, wide, a));
  return arith::TruncFOp::create(b, loc, type, fn(wideArgs));
}

/// The sign of x != the sign of y (for y != 0), as PyTorch's floor/mod fix-ups.
Value signsDiffer(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType())) {
    Value zero = cst(b, loc, x.getType(), 0);
    return arith::XOrIOp::create(
        b, loc, cmpf(b, loc, arith::CmpFPredicate::OLT, x, zero),
        cmpf(b, loc, arith::CmpFPredicate::OLT, y, zero));
  }
  Value zero = cst(b, loc, x.getType(), 0);
  return arith::XOrIOp::create(
      b, loc, cmpi(b, loc, arith::CmpIPredicate::slt, x, zero),
      cmpi(b, loc, arith::CmpIPredicate::slt, y, zero));
}

Value isNonZero(OpBuilder &b, Location loc, Value x) {
  Value zero = cst(b, loc, x.getType(), 0);
  if (isa<FloatType>(x.getType()))
    return cmpf(b, loc, arith::CmpFPredicate::UNE, x, zero);
  return cmpi(b, loc, arith::CmpIPredicate::ne, x, zero);
}

//===----------------------------------------------------------------------===//
// The table: ScalarMapping<Op>::map(builder, loc, op, result element type,
// block arguments) -> the result element.
//===----------------------------------------------------------------------===//

template <typename OpTy>
struct ScalarMapping;

/// One arith/math op per element class; `BoolOp` defaults to `IntOp`, a
/// `void` FloatOp marks an op the verifier keeps off floats.
template <typename FloatOp, typename IntOp, typename BoolOp = IntOp>
struct ByType {
  template <typename OpTy>
  static Value map(OpBuilder &b, Location loc, OpTy, Type type,
                   ValueRange args) {
    if constexpr (!std::is_void_v<FloatOp>)
      if (isa<FloatType>(type))
        return create<FloatOp>(b, loc, args);
    if (isBool(type))
      return create<BoolOp>(b, loc, args);
    return create<IntOp>(b, loc, args);
  }
};

/// A float-only math function, in f32 for f16/bf16.
template <typename MathOp>
struct FloatFunction {
  template <typename OpTy>
  static Value map(OpBuilder &b, Location loc, OpTy, Type type,
                   ValueRange args) {
    return computeWide(b, loc, type, args, [&](ValueRange wide) {
      return create<MathOp>(b, loc, wide);
    });
  }
};

#define THUNDER_FLOAT_FUNCTION(Op, MathOp)                                     \
  template <>                                                                  \
  struct ScalarMapping<Op> : FloatFunction<MathOp> {};
THUNDER_FLOAT_FUNCTION(ExpOp, math::ExpOp)
THUNDER_FLOAT_FUNCTION(Exp2Op, math::Exp2Op)
THUNDER_FLOAT_FUNCTION(Expm1Op, math::ExpM1Op)
THUNDER_FLOAT_FUNCTION(LogOp, math::LogOp)
THUNDER_FLOAT_FUNCTION(Log2Op, math::Log2Op)
THUNDER_FLOAT_FUNCTION(Log10Op, math::Log10Op)
THUNDER_FLOAT_FUNCTION(Log1pOp, math::Log1pOp)
THUNDER_FLOAT_FUNCTION(SqrtOp, math::SqrtOp)
THUNDER_FLOAT_FUNCTION(RsqrtOp, math::RsqrtOp)
THUNDER_FLOAT_FUNCTION(SinOp, math::SinOp)
THUNDER_FLOAT_FUNCTION(CosOp, math::CosOp)
THUNDER_FLOAT_FUNCTION(TanOp, math::TanOp)
THUNDER_FLOAT_FUNCTION(AsinOp, math::AsinOp)
THUNDER_FLOAT_FUNCTION(AcosOp, math::AcosOp)
THUNDER_FLOAT_FUNCTION(AtanOp, math::AtanOp)
THUNDER_FLOAT_FUNCTION(SinhOp, math::SinhOp)
THUNDER_FLOAT_FUNCTION(CoshOp, math::CoshOp)
THUNDER_FLOAT_FUNCTION(TanhOp, math::TanhOp)
THUNDER_FLOAT_FUNCTION(AsinhOp, math::AsinhOp)
THUNDER_FLOAT_FUNCTION(AcoshOp, math::AcoshOp)
THUNDER_FLOAT_FUNCTION(AtanhOp, math::AtanhOp)
THUNDER_FLOAT_FUNCTION(ErfOp, math::ErfOp)
THUNDER_FLOAT_FUNCTION(FloorOp, math::FloorOp)
THUNDER_FLOAT_FUNCTION(CeilOp, math::CeilOp)
THUNDER_FLOAT_FUNCTION(RoundOp, math::RoundEvenOp) // half to even
THUNDER_FLOAT_FUNCTION(TruncOp, math::TruncOp)
THUNDER_FLOAT_FUNCTION(Atan2Op, math::Atan2Op)
#undef THUNDER_FLOAT_FUNCTION

template <>
struct ScalarMapping<ReciprocalOp> {
  static Value map(OpBuilder &b, Location loc, ReciprocalOp, Type type,
                   ValueRange args) {
    return arith::DivFOp::create(b, loc, cst(b, loc, type, 1), args[0]);
  }
};

/// 1 / (1 + exp(-x)).
template <>
struct ScalarMapping<SigmoidOp> {
  static Value map(OpBuilder &b, Location loc, SigmoidOp, Type type,
                   ValueRange args) {
    return computeWide(b, loc, type, args, [&](ValueRange x) {
      Type t = x[0].getType();
      Value negExp =
          math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x[0]));
      Value one = cst(b, loc, t, 1);
      return arith::DivFOp::create(b, loc, one,
                                   arith::AddFOp::create(b, loc, one, negExp))
          .getResult();
    });
  }
};

/// Giles' single-precision approximation ("Approximating the erfinv
/// function", GPU Computing Gems) refined by two Newton steps on erf, as
/// PyTorch's calc_erfinv refines its rational approximation; +-1 give +-inf,
/// |x| > 1 gives NaN.
template <>
struct ScalarMapping<ErfinvOp> {
  static Value horner(OpBuilder &b, Location loc, Value w,
                      ArrayRef<double> coefficients) {
    Type t = w.getType();
    Value p = cst(b, loc, t, coefficients.front());
    for (double c : coefficients.drop_front())
      p = math::FmaOp::create(b, loc, p, w, cst(b, loc, t, c));
    return p;
  }
  static Value map(OpBuilder &b, Location loc, ErfinvOp, Type type,
                   ValueRange args) {
    return computeWide(b, loc, type, args, [&](ValueRange in) {
      Value x = in[0];
      Type t = x.getType();
      Value one = cst(b, loc, t, 1);
      // w = -log((1 - x) * (1 + x))
      Value w = arith::NegFOp::create(
          b, loc,
          math::LogOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, arith::SubFOp::create(b, loc, one, x),
                                    arith::AddFOp::create(b, loc, one, x))));
      Value small = cmpf(b, loc, arith::CmpFPredicate::OLT, w, cst(b, loc, t, 5));
      Value pSmall = horner(
          b, loc, arith::SubFOp::create(b, loc, w, cst(b, loc, t, 2.5)),
          {2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
           0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
           1.50140941});
      Value pLarge = horner(
          b, loc,
          arith::SubFOp::create(b, loc, math::SqrtOp::create(b, loc, w),
                                cst(b, loc, t, 3)),
          {-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
           0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
           2.83297682});
      Value y = arith::MulFOp::create(b, loc, select(b, loc, small, pSmall, pLarge),
                                      x);
      // Newton: y -= (erf(y) - x) / (2/sqrt(pi) * exp(-y^2)).
      Value twoOverSqrtPi = cst(b, loc, t, 1.1283791670955126);
      for (int i = 0; i < 2; ++i) {
        Value err = arith::SubFOp::create(b, loc, math::ErfOp::create(b, loc, y), x);
        Value deriv = arith::MulFOp::create(
            b, loc, twoOverSqrtPi,
            math::ExpOp::create(
                b, loc,
                arith::NegFOp::create(b, loc, arith::MulFOp::create(b, loc, y, y))));
        y = arith::SubFOp::create(b, loc, y,
                                  arith::DivFOp::create(b, loc, err, deriv));
      }
      Value absX = math::AbsFOp::create(b, loc, x);
      Value isOne = cmpf(b, loc, arith::CmpFPredicate::OEQ, absX, one);
      Value inf = math::CopySignOp::create(b, loc, highestValue(b, loc, t), x);
      return select(b, loc, isOne, inf, y);
    });
  }
};

template <>
struct ScalarMapping<NegOp> {
  static Value map(OpBuilder &b, Location loc, NegOp, Type type,
                   ValueRange args) {
    if (isa<FloatType>(type))
      return arith::NegFOp::create(b, loc, args[0]);
    if (isBool(type))
      return args[0];
    return arith::SubIOp::create(b, loc, cst(b, loc, type, 0), args[0]);
  }
};

template <>
struct ScalarMapping<AbsOp> {
  static Value map(OpBuilder &b, Location loc, AbsOp, Type type,
                   ValueRange args) {
    if (isa<FloatType>(type))
      return math::AbsFOp::create(b, loc, args[0]);
    if (isBool(type))
      return args[0];
    return math::AbsIOp::create(b, loc, args[0]);
  }
};

/// -1, 0 or 1; NaN and -0.0 stay as they are.
template <>
struct ScalarMapping<SignOp> {
  static Value map(OpBuilder &b, Location loc, SignOp, Type type,
                   ValueRange args) {
    Value x = args[0];
    if (isBool(type))
      return x;
    Value zero = cst(b, loc, type, 0);
    Value one = cst(b, loc, type, 1), minusOne = cst(b, loc, type, -1);
    if (isa<FloatType>(type)) {
      Value pos = cmpf(b, loc, arith::CmpFPredicate::OGT, x, zero);
      Value neg = cmpf(b, loc, arith::CmpFPredicate::OLT, x, zero);
      return select(b, loc, pos, one, select(b, loc, neg, minusOne, x));
    }
    Value pos = cmpi(b, loc, arith::CmpIPredicate::sgt, x, zero);
    Value neg = cmpi(b, loc, arith::CmpIPredicate::slt, x, zero);
    return select(b, loc, pos, one, select(b, loc, neg, minusOne, zero));
  }
};

/// Bitwise not on integers, logical not on i1: xor with all ones.
template <>
struct ScalarMapping<NotOp> {
  static Value map(OpBuilder &b, Location loc, NotOp, Type type,
                   ValueRange args) {
    Value ones = arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(type, APInt::getAllOnes(type.getIntOrFloatBitWidth())));
    return arith::XOrIOp::create(b, loc, args[0], ones);
  }
};

// On i1, add is or, sub is xor and mul is and (PyTorch's bool arithmetic).
template <>
struct ScalarMapping<AddOp>
    : ByType<arith::AddFOp, arith::AddIOp, arith::OrIOp> {};
template <>
struct ScalarMapping<SubOp>
    : ByType<arith::SubFOp, arith::SubIOp, arith::XOrIOp> {};
template <>
struct ScalarMapping<MulOp>
    : ByType<arith::MulFOp, arith::MulIOp, arith::AndIOp> {};
// True division on floats, truncating on integers.
template <>
struct ScalarMapping<DivOp>
    : ByType<arith::DivFOp, arith::DivSIOp, arith::DivUIOp> {};
// NaN-propagating (torch.maximum/minimum); i1 is unsigned (false < true).
template <>
struct ScalarMapping<MaxOp>
    : ByType<arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp> {};
template <>
struct ScalarMapping<MinOp>
    : ByType<arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp> {};
template <>
struct ScalarMapping<AndOp> : ByType<void, arith::AndIOp> {};
template <>
struct ScalarMapping<OrOp> : ByType<void, arith::OrIOp> {};
template <>
struct ScalarMapping<XorOp> : ByType<void, arith::XOrIOp> {};

/// C fmod on floats (sign of the dividend), truncating remainder on integers.
template <>
struct ScalarMapping<FmodOp> {
  static Value map(OpBuilder &b, Location loc, FmodOp, Type type,
                   ValueRange args) {
    if (isBool(type))
      return arith::RemUIOp::create(b, loc, args[0], args[1]);
    if (!isa<FloatType>(type))
      return arith::RemSIOp::create(b, loc, args[0], args[1]);
    return computeWide(b, loc, type, args, [&](ValueRange x) {
      return arith::RemFOp::create(b, loc, x[0], x[1]).getResult();
    });
  }
};

/// torch.remainder: the remainder takes the sign of the divisor.
template <>
struct ScalarMapping<RemainderOp> {
  static Value map(OpBuilder &b, Location loc, RemainderOp, Type type,
                   ValueRange args) {
    if (isBool(type))
      return arith::RemUIOp::create(b, loc, args[0], args[1]);
    auto fixUp = [&](Value mod, Value divisor, bool isFloat) -> Value {
      Value adjust = arith::AndIOp::create(b, loc, isNonZero(b, loc, mod),
                                           signsDiffer(b, loc, mod, divisor));
      Value sum = isFloat ? Value(arith::AddFOp::create(b, loc, mod, divisor))
                          : Value(arith::AddIOp::create(b, loc, mod, divisor));
      return select(b, loc, adjust, sum, mod);
    };
    if (!isa<FloatType>(type))
      return fixUp(arith::RemSIOp::create(b, loc, args[0], args[1]), args[1],
                   false);
    return computeWide(b, loc, type, args, [&](ValueRange x) {
      return fixUp(arith::RemFOp::create(b, loc, x[0], x[1]), x[1], true);
    });
  }
};

/// Division rounding towards -inf; on floats, c10's div_floor_floating.
template <>
struct ScalarMapping<FloorDivOp> {
  static Value map(OpBuilder &b, Location loc, FloorDivOp, Type type,
                   ValueRange args) {
    Value a = args[0], d = args[1];
    if (isBool(type))
      return arith::DivUIOp::create(b, loc, a, d);
    if (!isa<FloatType>(type)) {
      Value quot = arith::DivSIOp::create(b, loc, a, d);
      Value rem = arith::RemSIOp::create(b, loc, a, d);
      Value adjust = arith::AndIOp::create(b, loc, isNonZero(b, loc, rem),
                                           signsDiffer(b, loc, rem, d));
      Value minusOne =
          arith::SubIOp::create(b, loc, quot, cst(b, loc, type, 1));
      return select(b, loc, adjust, minusOne, quot);
    }
    return computeWide(b, loc, type, args, [&](ValueRange x) {
      Value a = x[0], d = x[1];
      Type t = a.getType();
      Value zero = cst(b, loc, t, 0), one = cst(b, loc, t, 1);
      Value trueDiv = arith::DivFOp::create(b, loc, a, d);
      Value mod = arith::RemFOp::create(b, loc, a, d);
      Value div = arith::DivFOp::create(
          b, loc, arith::SubFOp::create(b, loc, a, mod), d);
      Value adjust = arith::AndIOp::create(b, loc, isNonZero(b, loc, mod),
                                           signsDiffer(b, loc, mod, d));
      div = select(b, loc, adjust, arith::SubFOp::create(b, loc, div, one), div);
      Value floored = math::FloorOp::create(b, loc, div);
      Value roundUp = cmpf(b, loc, arith::CmpFPredicate::OGT,
                           arith::SubFOp::create(b, loc, div, floored),
                           cst(b, loc, t, 0.5));
      floored = select(b, loc, roundUp,
                       arith::AddFOp::create(b, loc, floored, one), floored);
      Value signedZero = math::CopySignOp::create(b, loc, zero, trueDiv);
      Value result = select(b, loc, isNonZero(b, loc, div), floored, signedZero);
      Value divByZero = cmpf(b, loc, arith::CmpFPredicate::OEQ, d, zero);
      return select(b, loc, divByZero, trueDiv, result);
    });
  }
};

/// powf on floats; on integers exponentiation by squaring (bit-width steps),
/// with PyTorch's rules for negative exponents (1, +-1, else 0).
template <>
struct ScalarMapping<PowOp> {
  static Value map(OpBuilder &b, Location loc, PowOp, Type type,
                   ValueRange args) {
    if (isa<FloatType>(type))
      return computeWide(b, loc, type, args, [&](ValueRange x) {
        return math::PowFOp::create(b, loc, x[0], x[1]).getResult();
      });
    Value base = args[0], exponent = args[1];
    if (isBool(type)) // a ** b = a or not b
      return arith::OrIOp::create(
          b, loc, base,
          arith::XOrIOp::create(b, loc, exponent, cst(b, loc, type, 1)));
    unsigned width = type.getIntOrFloatBitWidth();
    Value one = cst(b, loc, type, 1), zero = cst(b, loc, type, 0);
    auto loop = scf::ForOp::create(
        b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, width),
        indexConstant(b, loc, 1), ValueRange{one, base, exponent},
        [&](OpBuilder &lb, Location ll, Value, ValueRange iter) {
          Value result = iter[0], power = iter[1], e = iter[2];
          Value bit = arith::TruncIOp::create(lb, ll, lb.getI1Type(), e);
          Value multiplied = arith::MulIOp::create(lb, ll, result, power);
          Value next = arith::SelectOp::create(lb, ll, bit, multiplied, result);
          Value squared = arith::MulIOp::create(lb, ll, power, power);
          Value shifted = arith::ShRUIOp::create(lb, ll, e, one);
          scf::YieldOp::create(lb, ll, ValueRange{next, squared, shifted});
        });
    Value positive = loop.getResult(0);
    // Negative exponents: 1 ** e = 1, (-1) ** e = +-1 by parity, else 0.
    Value minusOne = cst(b, loc, type, -1);
    Value odd = arith::TruncIOp::create(b, loc, b.getI1Type(), exponent);
    Value ofMinusOne = select(b, loc, odd, minusOne, one);
    Value negativeResult =
        select(b, loc, cmpi(b, loc, arith::CmpIPredicate::eq, base, one), one,
               select(b, loc, cmpi(b, loc, arith::CmpIPredicate::eq, base, minusOne),
                      ofMinusOne, zero));
    Value negative = cmpi(b, loc, arith::CmpIPredicate::slt, exponent, zero);
    return select(b, loc, negative, negativeResult, positive);
  }
};

/// Shifts by a negative amount or by >= the bit width give 0 (left) or the
/// sign fill (arithmetic right), as in PyTorch.
template <>
struct ScalarMapping<ShiftLeftOp> {
  static Value map(OpBuilder &b, Location loc, ShiftLeftOp, Type type,
                   ValueRange args) {
    unsigned width = type.getIntOrFloatBitWidth();
    Value outOfRange = cmpi(b, loc, arith::CmpIPredicate::uge, args[1],
                            cst(b, loc, type, width));
    if (width == 1)
      outOfRange = args[1];
    Value shifted = arith::ShLIOp::create(b, loc, args[0], args[1]);
    return select(b, loc, outOfRange, cst(b, loc, type, 0), shifted);
  }
};

template <>
struct ScalarMapping<ShiftRightOp> {
  static Value map(OpBuilder &b, Location loc, ShiftRightOp, Type type,
                   ValueRange args) {
    unsigned width = type.getIntOrFloatBitWidth();
    if (width == 1) // a >> 0 = a; a >> 1 (true) = sign fill of a = a
      return args[0];
    Value outOfRange = cmpi(b, loc, arith::CmpIPredicate::uge, args[1],
                            cst(b, loc, type, width));
    Value amount = select(b, loc, outOfRange, cst(b, loc, type, width - 1),
                          args[1]);
    return arith::ShRSIOp::create(b, loc, args[0], amount);
  }
};

/// Floats: ordered comparisons except `ne` (unordered: NaN != x is true);
/// integers signed; i1 unsigned.
template <>
struct ScalarMapping<CompareOp> {
  static Value map(OpBuilder &b, Location loc, CompareOp op, Type,
                   ValueRange args) {
    Type operandType = args[0].getType();
    CompareDirection direction = op.getDirection();
    if (isa<FloatType>(operandType)) {
      static const arith::CmpFPredicate table[] = {
          arith::CmpFPredicate::OEQ, arith::CmpFPredicate::UNE,
          arith::CmpFPredicate::OLT, arith::CmpFPredicate::OLE,
          arith::CmpFPredicate::OGT, arith::CmpFPredicate::OGE};
      return cmpf(b, loc, table[static_cast<int>(direction)], args[0], args[1]);
    }
    static const arith::CmpIPredicate signedTable[] = {
        arith::CmpIPredicate::eq,  arith::CmpIPredicate::ne,
        arith::CmpIPredicate::slt, arith::CmpIPredicate::sle,
        arith::CmpIPredicate::sgt, arith::CmpIPredicate::sge};
    static const arith::CmpIPredicate unsignedTable[] = {
        arith::CmpIPredicate::eq,  arith::CmpIPredicate::ne,
        arith::CmpIPredicate::ult, arith::CmpIPredicate::ule,
        arith::CmpIPredicate::ugt, arith::CmpIPredicate::uge};
    const arith::CmpIPredicate *table =
        isBool(operandType) ? unsignedTable : signedTable;
    return cmpi(b, loc, table[static_cast<int>(direction)], args[0], args[1]);
  }
};

template <>
struct ScalarMapping<SelectOp> {
  static Value map(OpBuilder &b, Location loc, SelectOp, Type,
                   ValueRange args) {
    return select(b, loc, args[0], args[1], args[2]);
  }
};

template <>
struct ScalarMapping<ConvertOp> {
  static Value map(OpBuilder &b, Location loc, ConvertOp, Type type,
                   ValueRange args) {
    return convertScalar(b, loc, args[0], type);
  }
};

template <>
struct ScalarMapping<BitcastOp> {
  static Value map(OpBuilder &b, Location loc, BitcastOp, Type type,
                   ValueRange args) {
    return arith::BitcastOp::create(b, loc, type, args[0]);
  }
};

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

/// Any elementwise op -> linalg.generic over the result shape, body from
/// ScalarMapping<OpTy>. Operands have the result's shape (the importer made
/// broadcasting explicit), so dynamic extents come from the first operand.
template <typename OpTy>
struct ElementwiseOpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpTy>::OpAdaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    ValueRange operands = adaptor.getOperands();
    Value init = emptyLike(rewriter, loc, operands.front(),
                           type.getElementType());
    Value result = mapElementwise(
        rewriter, loc, operands, init,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value element = ScalarMapping<OpTy>::map(
              b, l, op, type.getElementType(), args.drop_back());
          linalg::YieldOp::create(b, l, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename... Ops>
void addElementwise(RewritePatternSet &patterns) {
  patterns.add<ElementwiseOpLowering<Ops>...>(patterns.getContext());
}

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns) {
  addElementwise<
      // Float functions.
      ExpOp, Exp2Op, Expm1Op, LogOp, Log2Op, Log10Op, Log1pOp, SqrtOp, RsqrtOp,
      SinOp, CosOp, TanOp, AsinOp, AcosOp, AtanOp, SinhOp, CoshOp, TanhOp,
      AsinhOp, AcoshOp, AtanhOp, ErfOp, ErfinvOp, SigmoidOp, FloorOp, CeilOp,
      RoundOp, TruncOp, ReciprocalOp,
      // Any numeric type.
      NegOp, AbsOp, SignOp, NotOp,
      // Binary.
      AddOp, SubOp, MulOp, DivOp, FloorDivOp, RemainderOp, FmodOp, PowOp,
      MaxOp, MinOp, Atan2Op, AndOp, OrOp, XorOp, ShiftLeftOp, ShiftRightOp,
      // Compare, select, convert.
      CompareOp, SelectOp, ConvertOp, BitcastOp>(patterns);
}

} // namespace thunder
