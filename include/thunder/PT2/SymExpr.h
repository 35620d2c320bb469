//===- SymExpr.h - Symbolic size expressions ----------------------*- C++ -*-===//
//
// Symbolic sizes in a .pt2 are sympy expressions written as `srepr` strings
// ("Mul(Integer(2), Symbol('s77', positive=True, integer=True))") or, by older writers, as `str()`
// strings ("2*s77 + 1"). parseSymExpr reads both into one small AST that the compiler can inspect,
// evaluate for concrete symbol values and print back.
//
// Function calls the parser does not know (a newer torch function) become `Kind::Function` nodes that keep
// their name and arguments: parsing only fails on bad syntax, evaluation of such a node gives nullopt.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_SYMEXPR_H
#define THUNDER_PT2_SYMEXPR_H

#include "thunder/PT2/Expected.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace thunder::pt2 {

class SymExpr {
public:
  enum class Kind {
    // Leaves.
    Integer,  // `value`
    Rational, // `value` / `denominator` (denominator > 1, reduced)
    Float,    // `floatValue`
    Boolean,  // `value` is 0 or 1 (sympy `true`/`false`, Python `True`/`False`)
    Infinity, // `value` is +1 or -1 (sympy `oo`, torch `int_oo`)
    Symbol,   // `name`
    // Arithmetic (sympy).
    Add, Mul, Pow, Max, Min, Abs,
    // torch.utils._sympy.functions.
    FloorDiv, CeilDiv, CleanDiv, Mod, PythonMod, ModularIndexing, Where, CeilToInt, FloorToInt,
    TruncToInt, RoundToInt, IntTrueDiv, FloatTrueDiv, ToFloat, Identity,
    // Relations; they evaluate to 0 or 1.
    Eq, Ne, Lt, Le, Gt, Ge,
    // Boolean operators.
    And, Or, Not,
    // Any other call `name(children...)`: kept, never evaluated.
    Function,
  };

  Kind kind = Kind::Integer;
  int64_t value = 0;
  int64_t denominator = 1;
  double floatValue = 0.0;
  std::string name; // Symbol name or Function name
  std::vector<SymExpr> children;

  static SymExpr integer(int64_t v);
  static SymExpr symbol(std::string name);
  static SymExpr call(Kind kind, std::vector<SymExpr> children);

  bool isSymbol() const { return kind == Kind::Symbol; }
  bool isInteger() const { return kind == Kind::Integer; }

  /// The value for these symbol values; nullopt when a symbol is unbound, the result is not an integer,
  /// the arithmetic overflows int64, a division is by zero, or the expression holds a Float, Infinity or
  /// unknown Function. Booleans and relations give 0 or 1.
  std::optional<int64_t> evaluate(const std::map<std::string, int64_t> &bindings) const;
  /// Names of all symbols in the expression.
  std::set<std::string> symbols() const;
  /// A readable infix form in the style of sympy's str(): "2*s0 + 1", "Max(1, s0)", "FloorDiv(s0, 2)".
  /// parseSymExpr accepts it back.
  std::string toString() const;
  /// The name used in srepr for this kind ("Add", "FloorDiv", "StrictLessThan", ...).
  static const char *kindName(Kind kind);

  friend bool operator==(const SymExpr &a, const SymExpr &b);
  friend bool operator!=(const SymExpr &a, const SymExpr &b) { return !(a == b); }
};

/// How deep parseSymExpr lets expressions nest (the parser recurses; real ones nest < 20).
constexpr unsigned kDefaultMaxSymExprDepth = 128;

/// Parses an srepr or str() expression. Errors name the byte offset and what was expected.
Expected<SymExpr> parseSymExpr(std::string_view text, unsigned maxDepth = kDefaultMaxSymExprDepth);

} // namespace thunder::pt2

#endif // THUNDER_PT2_SYMEXPR_H
