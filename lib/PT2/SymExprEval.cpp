//===- SymExprEval.cpp - Evaluate a symbolic expression exactly -----------===//
//
// Evaluation works on exact rationals (int64 numerator and denominator, 128-bit intermediates) so that
// forms like Mul(Rational(1, 2), s0) give the right integer; any overflow gives nullopt.
//
//===----------------------------------------------------------------------===//
#include "thunder/PT2/SymExpr.h"

#include <cmath>

namespace thunder::pt2 {
namespace {

using Kind = SymExpr::Kind;
using Int128 = __int128;

struct Rat {
  int64_t num = 0;
  int64_t den = 1; // > 0, gcd(num, den) == 1
  bool isInteger() const { return den == 1; }
  bool truthy() const { return num != 0; }
};
using MaybeRat = std::optional<Rat>;

Int128 gcd128(Int128 a, Int128 b) {
  if (a < 0)
    a = -a;
  while (b != 0) {
    Int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

MaybeRat makeRat(Int128 num, Int128 den) {
  if (den == 0)
    return std::nullopt;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  Int128 g = gcd128(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  if (num > INT64_MAX || num < INT64_MIN || den > INT64_MAX)
    return std::nullopt;
  return Rat{int64_t(num), int64_t(den)};
}

MaybeRat fromInt(int64_t v) { return Rat{v, 1}; }
MaybeRat fromBool(bool b) { return Rat{b ? 1 : 0, 1}; }

MaybeRat add(Rat a, Rat b) { return makeRat(Int128(a.num) * b.den + Int128(b.num) * a.den, Int128(a.den) * b.den); }
MaybeRat mul(Rat a, Rat b) { return makeRat(Int128(a.num) * b.num, Int128(a.den) * b.den); }
MaybeRat divide(Rat a, Rat b) {
  if (b.num == 0)
    return std::nullopt;
  return makeRat(Int128(a.num) * b.den, Int128(a.den) * b.num);
}
int compare(Rat a, Rat b) {
  Int128 l = Int128(a.num) * b.den, r = Int128(b.num) * a.den;
  return l < r ? -1 : (l > r ? 1 : 0);
}
// Floor of num/den for den > 0.
int64_t floorOf(Rat a) {
  int64_t q = a.num / a.den;
  if (a.num % a.den != 0 && a.num < 0)
    --q; // cannot overflow: den > 1 here, so |q| < |num|
  return q;
}
int64_t ceilOf(Rat a) {
  int64_t q = a.num / a.den;
  if (a.num % a.den != 0 && a.num > 0)
    ++q;
  return q;
}
int64_t truncOf(Rat a) { return a.num / a.den; }
// Python's round(): halves go to the even neighbour.
int64_t roundOf(Rat a) {
  int64_t f = floorOf(a);
  Rat frac{0, 1};
  if (auto r = add(a, Rat{-f, 1}))
    frac = *r;
  int c = compare(frac, Rat{1, 2});
  if (c < 0)
    return f;
  if (c > 0 || (f % 2 != 0))
    return f + 1; // f + 1 <= ceil(a) which fits
  return f;
}
MaybeRat power(Rat base, Rat exponent) {
  if (!exponent.isInteger())
    return std::nullopt;
  int64_t e = exponent.num;
  if (e < 0) {
    if (base.num == 0 || e == INT64_MIN)
      return std::nullopt;
    MaybeRat inverse = divide(Rat{1, 1}, base);
    if (!inverse)
      return std::nullopt;
    base = *inverse;
    e = -e;
  }
  Rat result{1, 1};
  while (e > 0) {
    if (e & 1) {
      MaybeRat r = mul(result, base);
      if (!r)
        return std::nullopt;
      result = *r;
    }
    e >>= 1;
    if (e > 0) {
      MaybeRat sq = mul(base, base);
      if (!sq)
        return std::nullopt;
      base = *sq;
    }
  }
  return result;
}
MaybeRat floorDiv(Rat a, Rat b) {
  MaybeRat q = divide(a, b);
  if (!q)
    return std::nullopt;
  return fromInt(floorOf(*q));
}
// Python's a % b: the result has the sign of b.
MaybeRat pythonMod(Rat a, Rat b) {
  MaybeRat q = floorDiv(a, b);
  if (!q)
    return std::nullopt;
  MaybeRat bq = mul(b, *q);
  if (!bq)
    return std::nullopt;
  return add(a, Rat{-bq->num, bq->den});
}

class Evaluator {
public:
  explicit Evaluator(const std::map<std::string, int64_t> &bindings) : bindings_(bindings) {}

  MaybeRat eval(const SymExpr &e) {
    switch (e.kind) {
    case Kind::Integer:
      return fromInt(e.value);
    case Kind::Rational:
      return makeRat(e.value, e.denominator);
    case Kind::Float: {
      double v = e.floatValue;
      if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) >= 9.2e18)
        return std::nullopt;
      return fromInt(int64_t(v));
    }
    case Kind::Boolean:
      return fromBool(e.value != 0);
    case Kind::Infinity:
    case Kind::Function:
      return std::nullopt;
    case Kind::Symbol: {
      auto it = bindings_.find(e.name);
      if (it == bindings_.end())
        return std::nullopt;
      return fromInt(it->second);
    }
    case Kind::Add:
      return fold(e, Rat{0, 1}, add);
    case Kind::Mul:
      return fold(e, Rat{1, 1}, mul);
    case Kind::Max:
    case Kind::Min: {
      MaybeRat best;
      for (const SymExpr &c : e.children) {
        MaybeRat v = eval(c);
        if (!v)
          return std::nullopt;
        if (!best || (e.kind == Kind::Max ? compare(*v, *best) > 0 : compare(*v, *best) < 0))
          best = v;
      }
      return best;
    }
    case Kind::And:
    case Kind::Or: {
      bool isAnd = e.kind == Kind::And;
      bool result = isAnd;
      for (const SymExpr &c : e.children) {
        MaybeRat v = eval(c);
        if (!v)
          return std::nullopt;
        result = isAnd ? (result && v->truthy()) : (result || v->truthy());
      }
      return fromBool(result);
    }
    default:
      break;
    }
    // Fixed-arity operations: evaluate all operands first.
    std::vector<Rat> args;
    args.reserve(e.children.size());
    for (const SymExpr &c : e.children) {
      MaybeRat v = eval(c);
      if (!v)
        return std::nullopt;
      args.push_back(*v);
    }
    return apply(e.kind, args);
  }

private:
  template <typename Op>
  MaybeRat fold(const SymExpr &e, Rat init, Op op) {
    Rat acc = init;
    for (const SymExpr &c : e.children) {
      MaybeRat v = eval(c);
      if (!v)
        return std::nullopt;
      MaybeRat next = op(acc, *v);
      if (!next)
        return std::nullopt;
      acc = *next;
    }
    return acc;
  }

  static MaybeRat apply(Kind kind, const std::vector<Rat> &a) {
    switch (kind) {
    case Kind::Pow: return power(a[0], a[1]);
    case Kind::Abs: return a[0].num == INT64_MIN ? std::nullopt : MaybeRat(Rat{a[0].num < 0 ? -a[0].num : a[0].num, a[0].den});
    case Kind::FloorDiv:
    case Kind::CleanDiv: return floorDiv(a[0], a[1]);
    case Kind::CeilDiv: {
      MaybeRat q = divide(a[0], a[1]);
      return q ? fromInt(ceilOf(*q)) : std::nullopt;
    }
    case Kind::Mod:
    case Kind::PythonMod: return pythonMod(a[0], a[1]);
    case Kind::ModularIndexing: {
      MaybeRat q = floorDiv(a[0], a[1]);
      return q ? pythonMod(*q, a[2]) : std::nullopt;
    }
    case Kind::Where: return a[0].truthy() ? a[1] : a[2];
    case Kind::CeilToInt: return fromInt(ceilOf(a[0]));
    case Kind::FloorToInt: return fromInt(floorOf(a[0]));
    case Kind::TruncToInt: return fromInt(truncOf(a[0]));
    case Kind::RoundToInt: return fromInt(roundOf(a[0]));
    case Kind::IntTrueDiv:
    case Kind::FloatTrueDiv: return divide(a[0], a[1]);
    case Kind::ToFloat:
    case Kind::Identity: return a[0];
    case Kind::Eq: return fromBool(compare(a[0], a[1]) == 0);
    case Kind::Ne: return fromBool(compare(a[0], a[1]) != 0);
    case Kind::Lt: return fromBool(compare(a[0], a[1]) < 0);
    case Kind::Le: return fromBool(compare(a[0], a[1]) <= 0);
    case Kind::Gt: return fromBool(compare(a[0], a[1]) > 0);
    case Kind::Ge: return fromBool(compare(a[0], a[1]) >= 0);
    case Kind::Not: return fromBool(!a[0].truthy());
    default: return std::nullopt;
    }
  }

  const std::map<std::string, int64_t> &bindings_;
};

// Arity as the parser checks it; hand-built trees may break it, and must not crash evaluation.
bool hasValidArity(const SymExpr &e) {
  switch (e.kind) {
  case Kind::Integer: case Kind::Rational: case Kind::Float: case Kind::Boolean: case Kind::Infinity:
  case Kind::Symbol: case Kind::Function:
    return true;
  case Kind::Add: case Kind::Mul: case Kind::Max: case Kind::Min: case Kind::And: case Kind::Or:
    break;
  case Kind::ModularIndexing: case Kind::Where:
    if (e.children.size() != 3) return false;
    break;
  case Kind::Abs: case Kind::CeilToInt: case Kind::FloorToInt: case Kind::TruncToInt:
  case Kind::RoundToInt: case Kind::ToFloat: case Kind::Identity: case Kind::Not:
    if (e.children.size() != 1) return false;
    break;
  default:
    if (e.children.size() != 2) return false;
    break;
  }
  if (e.kind == Kind::Rational && e.denominator == 0)
    return false;
  for (const SymExpr &c : e.children)
    if (!hasValidArity(c))
      return false;
  return true;
}

} // namespace

std::optional<int64_t> SymExpr::evaluate(const std::map<std::string, int64_t> &bindings) const {
  if (!hasValidArity(*this))
    return std::nullopt;
  MaybeRat r = Evaluator(bindings).eval(*this);
  if (!r || !r->isInteger())
    return std::nullopt;
  return r->num;
}

} // namespace thunder::pt2
