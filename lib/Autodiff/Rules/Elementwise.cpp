//===- Elementwise.cpp - VJP rules of the elementwise ops -----------------===//
//
// The derivatives follow PyTorch's tools/autograd/derivatives.yaml, written
// with the primal operand x and (where PyTorch uses it) the primal result y.
// Piecewise-constant ops (floor, ceil, round, trunc, sign, floor_div) have
// no gradient and are marked in NoGradient.cpp.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

#include <cmath>

using namespace mlir;

namespace thunder::autodiff {
namespace {

Value one(VJPBuilder &b, Value like) { return b.splatLike(like, 1.0); }
Value square(VJPBuilder &b, Value x) { return b.mul(x, x); }

template <typename OpT> Value x(VJPBuilder &b, OpT op) {
  return b.primal(op.getOperand());
}
template <typename OpT> Value y(VJPBuilder &b, OpT op) {
  return b.primal(op.getResult());
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

Value expRule(VJPBuilder &b, ExpOp op, Value g) { return b.mul(g, y(b, op)); }
Value exp2Rule(VJPBuilder &b, Exp2Op op, Value g) {
  return b.mul(g, b.scale(y(b, op), std::log(2.0)));
}
Value expm1Rule(VJPBuilder &b, Expm1Op op, Value g) {
  Value r = y(b, op);
  return b.mul(g, b.add(r, one(b, r)));
}
Value logRule(VJPBuilder &b, LogOp op, Value g) { return b.div(g, x(b, op)); }
Value log2Rule(VJPBuilder &b, Log2Op op, Value g) {
  return b.div(g, b.scale(x(b, op), std::log(2.0)));
}
Value log10Rule(VJPBuilder &b, Log10Op op, Value g) {
  return b.div(g, b.scale(x(b, op), std::log(10.0)));
}
Value log1pRule(VJPBuilder &b, Log1pOp op, Value g) {
  Value v = x(b, op);
  return b.div(g, b.add(v, one(b, v)));
}
Value sqrtRule(VJPBuilder &b, SqrtOp op, Value g) {
  return b.div(g, b.scale(y(b, op), 2.0));
}
Value rsqrtRule(VJPBuilder &b, RsqrtOp op, Value g) {
  Value r = y(b, op);
  return b.mul(g, b.scale(b.mul(square(b, r), r), -0.5));
}
Value sinRule(VJPBuilder &b, SinOp op, Value g) {
  return b.mul(g, CosOp::create(b, x(b, op)));
}
Value cosRule(VJPBuilder &b, CosOp op, Value g) {
  return b.neg(b.mul(g, SinOp::create(b, x(b, op))));
}
Value tanRule(VJPBuilder &b, TanOp op, Value g) {
  Value r = y(b, op);
  return b.mul(g, b.add(one(b, r), square(b, r)));
}
Value asinRule(VJPBuilder &b, AsinOp op, Value g) {
  Value v = x(b, op);
  return b.div(g, SqrtOp::create(b, b.sub(one(b, v), square(b, v))));
}
Value acosRule(VJPBuilder &b, AcosOp op, Value g) {
  Value v = x(b, op);
  return b.neg(b.div(g, SqrtOp::create(b, b.sub(one(b, v), square(b, v)))));
}
Value atanRule(VJPBuilder &b, AtanOp op, Value g) {
  Value v = x(b, op);
  return b.div(g, b.add(one(b, v), square(b, v)));
}
Value sinhRule(VJPBuilder &b, SinhOp op, Value g) {
  return b.mul(g, CoshOp::create(b, x(b, op)));
}
Value coshRule(VJPBuilder &b, CoshOp op, Value g) {
  return b.mul(g, SinhOp::create(b, x(b, op)));
}
Value tanhRule(VJPBuilder &b, TanhOp op, Value g) {
  Value r = y(b, op);
  return b.mul(g, b.sub(one(b, r), square(b, r)));
}
Value asinhRule(VJPBuilder &b, AsinhOp op, Value g) {
  Value v = x(b, op);
  return b.div(g, SqrtOp::create(b, b.add(square(b, v), one(b, v))));
}
Value acoshRule(VJPBuilder &b, AcoshOp op, Value g) {
  Value v = x(b, op);
  return b.div(g, SqrtOp::create(b, b.sub(square(b, v), one(b, v))));
}
Value atanhRule(VJPBuilder &b, AtanhOp op, Value g) {
  Value v = x(b, op);
  return b.div(g, b.sub(one(b, v), square(b, v)));
}
Value erfRule(VJPBuilder &b, ErfOp op, Value g) {
  Value v = x(b, op);
  Value e = ExpOp::create(b, b.neg(square(b, v)));
  return b.mul(g, b.scale(e, 2.0 / std::sqrt(M_PI)));
}
Value erfinvRule(VJPBuilder &b, ErfinvOp op, Value g) {
  Value r = y(b, op);
  return b.mul(g, b.scale(ExpOp::create(b, square(b, r)), std::sqrt(M_PI) / 2));
}
Value sigmoidRule(VJPBuilder &b, SigmoidOp op, Value g) {
  Value r = y(b, op);
  return b.mul(g, b.mul(r, b.sub(one(b, r), r)));
}
Value reciprocalRule(VJPBuilder &b, ReciprocalOp op, Value g) {
  return b.neg(b.mul(g, square(b, y(b, op))));
}
Value negRule(VJPBuilder &b, NegOp, Value g) { return b.neg(g); }
Value absRule(VJPBuilder &b, AbsOp op, Value g) {
  return b.mul(g, SignOp::create(b, x(b, op)));
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

LogicalResult addRule(VJPBuilder &b, AddOp op, ArrayRef<Value> g,
                      MutableArrayRef<Value> out) {
  out[0] = g[0];
  out[1] = g[0];
  return success();
}

LogicalResult subRule(VJPBuilder &b, SubOp op, ArrayRef<Value> g,
                      MutableArrayRef<Value> out) {
  out[0] = g[0];
  if (b.wants(op.getRhs()))
    out[1] = b.neg(g[0]);
  return success();
}

LogicalResult mulRule(VJPBuilder &b, MulOp op, ArrayRef<Value> g,
                      MutableArrayRef<Value> out) {
  if (b.wants(op.getLhs()))
    out[0] = b.mul(g[0], b.primal(op.getRhs()));
  if (b.wants(op.getRhs()))
    out[1] = b.mul(g[0], b.primal(op.getLhs()));
  return success();
}

LogicalResult divRule(VJPBuilder &b, DivOp op, ArrayRef<Value> g,
                      MutableArrayRef<Value> out) {
  Value rhs = b.primal(op.getRhs());
  if (b.wants(op.getLhs()))
    out[0] = b.div(g[0], rhs);
  // -g * (lhs / rhs) / rhs
  if (b.wants(op.getRhs()))
    out[1] = b.neg(b.div(b.mul(g[0], b.primal(op.getResult())), rhs));
  return success();
}

LogicalResult powRule(VJPBuilder &b, PowOp op, ArrayRef<Value> g,
                      MutableArrayRef<Value> out) {
  Value base = b.primal(op.getLhs()), exponent = b.primal(op.getRhs());
  Value zero = b.splatLike(base, 0.0);
  if (b.wants(op.getLhs())) {
    // where(exponent == 0, 0, g * exponent * base^(exponent - 1))
    Value pm1 = PowOp::create(b, base, b.sub(exponent, one(b, exponent)));
    Value grad = b.mul(g[0], b.mul(exponent, pm1));
    out[0] =
        b.select(b.compare(CompareDirection::EQ, exponent, zero), zero, grad);
  }
  if (b.wants(op.getRhs())) {
    // where(base == 0 & exponent >= 0, 0, g * result * log(base))
    Value grad =
        b.mul(g[0], b.mul(b.primal(op.getResult()), LogOp::create(b, base)));
    Value cond = AndOp::create(b, b.compare(CompareDirection::EQ, base, zero),
                               b.compare(CompareDirection::GE, exponent, zero));
    out[1] = b.select(cond, zero, grad);
  }
  return success();
}

/// torch.maximum/minimum: the cotangent goes to the larger (smaller) operand;
/// ties split it in halves. Against an operand without a gradient (relu as
/// max(x, 0), clamp) a tie gives nothing, which is relu's derivative at 0.
template <typename OpT>
LogicalResult extremumRule(VJPBuilder &b, OpT op, ArrayRef<Value> g,
                           MutableArrayRef<Value> out, CompareDirection wins) {
  Value lhs = b.primal(op.getLhs()), rhs = b.primal(op.getRhs());
  bool both = b.wants(op.getLhs()) && b.wants(op.getRhs());
  Value zero = b.splatLike(g[0], 0.0);
  Value tie = both ? b.select(b.compare(CompareDirection::EQ, lhs, rhs),
                              b.scale(g[0], 0.5), zero)
                   : zero;
  if (b.wants(op.getLhs()))
    out[0] = b.select(b.compare(wins, lhs, rhs), g[0], tie);
  if (b.wants(op.getRhs()))
    out[1] = b.select(b.compare(wins, rhs, lhs), g[0], tie);
  return success();
}
LogicalResult maxRule(VJPBuilder &b, MaxOp op, ArrayRef<Value> g,
                      MutableArrayRef<Value> out) {
  return extremumRule(b, op, g, out, CompareDirection::GT);
}
LogicalResult minRule(VJPBuilder &b, MinOp op, ArrayRef<Value> g,
                      MutableArrayRef<Value> out) {
  return extremumRule(b, op, g, out, CompareDirection::LT);
}

LogicalResult atan2Rule(VJPBuilder &b, Atan2Op op, ArrayRef<Value> g,
                        MutableArrayRef<Value> out) {
  // atan2(a, b): da = b / (a^2 + b^2), db = -a / (a^2 + b^2)
  Value a = b.primal(op.getLhs()), c = b.primal(op.getRhs());
  Value den = b.add(square(b, a), square(b, c));
  if (b.wants(op.getLhs()))
    out[0] = b.div(b.mul(g[0], c), den);
  if (b.wants(op.getRhs()))
    out[1] = b.neg(b.div(b.mul(g[0], a), den));
  return success();
}

/// remainder / fmod: a - q * b with q = floor(a / b) / trunc(a / b).
template <typename OpT, typename RoundOpT>
LogicalResult remainderRule(VJPBuilder &b, OpT op, ArrayRef<Value> g,
                            MutableArrayRef<Value> out) {
  out[0] = g[0];
  if (b.wants(op.getRhs())) {
    Value q = RoundOpT::create(
        b, b.div(b.primal(op.getLhs()), b.primal(op.getRhs())));
    out[1] = b.neg(b.mul(g[0], q));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Select and convert
//===----------------------------------------------------------------------===//

LogicalResult selectRule(VJPBuilder &b, SelectOp op, ArrayRef<Value> g,
                         MutableArrayRef<Value> out) {
  Value cond = b.primal(op.getCondition());
  Value zero = b.splatLike(g[0], 0.0);
  if (b.wants(op.getOnTrue()))
    out[1] = b.select(cond, g[0], zero);
  if (b.wants(op.getOnFalse()))
    out[2] = b.select(cond, zero, g[0]);
  return success();
}

LogicalResult convertRule(VJPBuilder &b, ConvertOp op, ArrayRef<Value> g,
                          MutableArrayRef<Value> out) {
  // Only float -> float carries a gradient (an integer operand is not
  // differentiable; an integer result has no cotangent).
  auto from = cast<RankedTensorType>(op.getOperand().getType());
  if (isa<FloatType>(from.getElementType()))
    out[0] = b.convert(g[0], from.getElementType());
  return success();
}

} // namespace

void registerElementwiseVJPs(MLIRContext *ctx) {
  attachUnary<ExpOp, expRule>(ctx);
  attachUnary<Exp2Op, exp2Rule>(ctx);
  attachUnary<Expm1Op, expm1Rule>(ctx);
  attachUnary<LogOp, logRule>(ctx);
  attachUnary<Log2Op, log2Rule>(ctx);
  attachUnary<Log10Op, log10Rule>(ctx);
  attachUnary<Log1pOp, log1pRule>(ctx);
  attachUnary<SqrtOp, sqrtRule>(ctx);
  attachUnary<RsqrtOp, rsqrtRule>(ctx);
  attachUnary<SinOp, sinRule>(ctx);
  attachUnary<CosOp, cosRule>(ctx);
  attachUnary<TanOp, tanRule>(ctx);
  attachUnary<AsinOp, asinRule>(ctx);
  attachUnary<AcosOp, acosRule>(ctx);
  attachUnary<AtanOp, atanRule>(ctx);
  attachUnary<SinhOp, sinhRule>(ctx);
  attachUnary<CoshOp, coshRule>(ctx);
  attachUnary<TanhOp, tanhRule>(ctx);
  attachUnary<AsinhOp, asinhRule>(ctx);
  attachUnary<AcoshOp, acoshRule>(ctx);
  attachUnary<AtanhOp, atanhRule>(ctx);
  attachUnary<ErfOp, erfRule>(ctx);
  attachUnary<ErfinvOp, erfinvRule>(ctx);
  attachUnary<SigmoidOp, sigmoidRule>(ctx);
  attachUnary<ReciprocalOp, reciprocalRule>(ctx);
  attachUnary<NegOp, negRule>(ctx);
  attachUnary<AbsOp, absRule>(ctx);

  attachRule<AddOp, addRule>(ctx);
  attachRule<SubOp, subRule>(ctx);
  attachRule<MulOp, mulRule>(ctx);
  attachRule<DivOp, divRule>(ctx);
  attachRule<PowOp, powRule>(ctx);
  attachRule<MaxOp, maxRule>(ctx);
  attachRule<MinOp, minRule>(ctx);
  attachRule<Atan2Op, atan2Rule>(ctx);
  attachRule<RemainderOp, remainderRule<RemainderOp, FloorOp>>(ctx);
  attachRule<FmodOp, remainderRule<FmodOp, TruncOp>>(ctx);
  attachRule<SelectOp, selectRule>(ctx);
  attachRule<ConvertOp, convertRule>(ctx);
}

} // namespace thunder::autodiff
