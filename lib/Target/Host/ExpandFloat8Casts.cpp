//===- ExpandFloat8Casts.cpp - 8-bit float casts as integer arithmetic ----===//
//
// thunder-expand-float8-casts (Passes.td): arith.extf from and arith.truncf to
// 8-bit floats become integer operations on the bits of an f32, derived from
// the type's APFloat semantics, so every such format is one code path.
//
//===----------------------------------------------------------------------===//
#include "thunder/Target/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/APFloat.h"

namespace thunder::target {
#define GEN_PASS_DEF_EXPANDFLOAT8CASTS
#include "thunder/Target/Passes.h.inc"
} // namespace thunder::target

using namespace mlir;

namespace thunder::target {
namespace {

/// The bit layout of a signed 8-bit float: 1 sign bit, E exponent bits, M
/// mantissa bits, exponent bias, and the encodings of its special values.
struct Float8Layout {
  int64_t mantissaBits, bias, minExponent;
  int64_t maxFiniteMagnitude; // the largest finite value's low 7 bits
  bool hasInf;                // IEEE-style: an all-ones exponent is Inf/NaN
  bool nanIsNegativeZero;     // FNUZ: 0x80 is the only NaN, there is no -0

  static std::optional<Float8Layout> of(Type t) {
    auto ft = dyn_cast<FloatType>(t);
    if (!ft || ft.getWidth() != 8 || isa<Float8E8M0FNUType>(ft))
      return std::nullopt;
    const llvm::fltSemantics &sem = ft.getFloatSemantics();
    Float8Layout l;
    l.mantissaBits = llvm::APFloat::semanticsPrecision(sem) - 1;
    l.minExponent = llvm::APFloat::semanticsMinExponent(sem);
    l.bias = 1 - l.minExponent;
    l.maxFiniteMagnitude =
        int64_t(llvm::APFloat::getLargest(sem).bitcastToAPInt().getZExtValue() & 0x7F);
    l.hasInf = llvm::APFloat::getInf(sem).isInfinity();
    l.nanIsNegativeZero = llvm::APFloat::getNaN(sem).bitcastToAPInt().getZExtValue() == 0x80;
    return l;
  }
  int64_t exponentMask() const { return (int64_t(1) << (7 - mantissaBits)) - 1; }
  int64_t mantissaMask() const { return (int64_t(1) << mantissaBits) - 1; }
};

/// Scalar i32/f32 arithmetic for the rewrites.
struct Bits {
  PatternRewriter &b;
  Location loc;
  Type i32 = b.getI32Type(), f32 = b.getF32Type();

  Value c(int64_t v) { return arith::ConstantIntOp::create(b, loc, i32, v); }
  Value cf(double v) { return arith::ConstantFloatOp::create(b, loc, cast<FloatType>(f32), llvm::APFloat(float(v))); }
  Value band(Value x, int64_t m) { return arith::AndIOp::create(b, loc, x, c(m)); }
  Value bor(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value shr(Value x, int64_t s) { return arith::ShRUIOp::create(b, loc, x, c(s)); }
  Value shl(Value x, int64_t s) { return arith::ShLIOp::create(b, loc, x, c(s)); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value eq(Value x, int64_t v) { return cmp(arith::CmpIPredicate::eq, x, c(v)); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) { return arith::CmpIOp::create(b, loc, p, x, y); }
  Value sel(Value cond, Value x, Value y) { return arith::SelectOp::create(b, loc, cond, x, y); }
  Value sel(Value cond, int64_t x, Value y) { return sel(cond, c(x), y); }
};

/// A float of another width to f32 or back (f16, bf16 and f64 through f32).
Value toFloatType(PatternRewriter &b, Location loc, Value v, Type to) {
  auto from = cast<FloatType>(v.getType());
  if (from == to)
    return v;
  if (from.getWidth() < cast<FloatType>(to).getWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

/// extf: sign, exponent and mantissa moved into an f32's fields; subnormals
/// as mantissa * 2^(minExponent - M); NaN and infinity by the encoding.
struct ExpandExtF final : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp op, PatternRewriter &rewriter) const override {
    std::optional<Float8Layout> l = Float8Layout::of(op.getIn().getType());
    if (!l)
      return failure();
    Bits k{rewriter, op.getLoc()};
    Value byte = arith::BitcastOp::create(rewriter, k.loc, rewriter.getI8Type(), op.getIn());
    Value w = arith::ExtUIOp::create(rewriter, k.loc, k.i32, byte);
    Value mag = k.band(w, 0x7F);
    Value e = k.shr(mag, l->mantissaBits), m = k.band(mag, l->mantissaMask());
    Value normal = k.bor(k.shl(k.add(e, k.c(127 - l->bias)), 23), k.shl(m, 23 - l->mantissaBits));
    Value subValue = arith::MulFOp::create(
        rewriter, k.loc, arith::UIToFPOp::create(rewriter, k.loc, k.f32, m),
        k.cf(std::ldexp(1.0, int(l->minExponent - l->mantissaBits))));
    Value sub = arith::BitcastOp::create(rewriter, k.loc, k.i32, subValue);
    Value r = k.bor(k.sel(k.eq(e, 0), sub, normal), k.shl(k.shr(w, 7), 31));
    Value nan;
    if (l->hasInf) {
      Value special = k.eq(e, l->exponentMask());
      r = k.sel(special, k.bor(k.c(0x7F800000), k.shl(k.shr(w, 7), 31)), r);
      nan = arith::AndIOp::create(rewriter, k.loc, special,
                                  k.cmp(arith::CmpIPredicate::ne, m, k.c(0)));
    } else {
      nan = l->nanIsNegativeZero ? k.eq(w, 0x80) : k.eq(mag, 0x7F);
    }
    r = k.sel(nan, 0x7FC00000, r);
    Value f = arith::BitcastOp::create(rewriter, k.loc, k.f32, r);
    rewriter.replaceOp(op, toFloatType(rewriter, k.loc, f, op.getType()));
    return success();
  }
};

/// truncf: the f32 mantissa rounded to M bits (nearest, ties to even) and the
/// exponent re-biased; below the smallest normal, round(|x| * 2^(M - minExp))
/// is the subnormal's mantissa; past the largest finite value, Inf or NaN.
struct ExpandTruncF final : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op, PatternRewriter &rewriter) const override {
    std::optional<Float8Layout> l = Float8Layout::of(op.getType());
    if (!l)
      return failure();
    Bits k{rewriter, op.getLoc()};
    Value x = toFloatType(rewriter, k.loc, op.getIn(), k.f32);
    Value w = arith::BitcastOp::create(rewriter, k.loc, k.i32, x);
    Value sign = k.shl(k.shr(w, 31), 7);
    Value a = k.band(w, 0x7FFFFFFF);
    Value nan = k.cmp(arith::CmpIPredicate::ugt, a, k.c(0x7F800000));
    int64_t shift = 23 - l->mantissaBits;
    Value rounded = k.shr(k.add(a, k.add(k.c((int64_t(1) << (shift - 1)) - 1), k.band(k.shr(a, shift), 1))), shift);
    Value normal = arith::SubIOp::create(rewriter, k.loc, rounded, k.c((127 - l->bias) << l->mantissaBits));
    Value absX = arith::BitcastOp::create(rewriter, k.loc, k.f32, a);
    Value scaled = arith::MulFOp::create(rewriter, k.loc, absX,
                                         k.cf(std::ldexp(1.0, int(l->mantissaBits - l->minExponent))));
    Value sub = arith::FPToSIOp::create(rewriter, k.loc, k.i32,
                                        math::RoundEvenOp::create(rewriter, k.loc, scaled));
    Value isSub = k.cmp(arith::CmpIPredicate::slt, k.shr(a, 23), k.c(l->minExponent + 127));
    Value mag = k.sel(isSub, sub, normal);
    Value overflow = k.cmp(arith::CmpIPredicate::sgt, mag, k.c(l->maxFiniteMagnitude));
    Value r;
    if (l->nanIsNegativeZero) { // no -0; NaN (and overflow) is 0x80
      r = k.sel(k.eq(mag, 0), 0, k.bor(sign, mag));
      r = k.sel(arith::OrIOp::create(rewriter, k.loc, overflow, nan), 0x80, r);
    } else {
      int64_t overflowMag = l->hasInf ? l->maxFiniteMagnitude + 1 : 0x7F; // Inf, else NaN
      r = k.bor(sign, k.sel(overflow, overflowMag, mag));
      r = k.sel(nan, 0x7F, r);
    }
    Value byte = arith::TruncIOp::create(rewriter, k.loc, rewriter.getI8Type(), r);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), byte);
    return success();
  }
};

struct ExpandFloat8CastsPass final : impl::ExpandFloat8CastsBase<ExpandFloat8CastsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandExtF, ExpandTruncF>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace thunder::target
