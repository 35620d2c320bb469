//===- SymExpr.cpp - Symbolic expression AST: building and printing -------===//
#include "thunder/PT2/SymExpr.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace thunder::pt2 {

using Kind = SymExpr::Kind;

SymExpr SymExpr::integer(int64_t v) {
  SymExpr e;
  e.kind = Kind::Integer;
  e.value = v;
  return e;
}

SymExpr SymExpr::symbol(std::string name) {
  SymExpr e;
  e.kind = Kind::Symbol;
  e.name = std::move(name);
  return e;
}

SymExpr SymExpr::call(Kind kind, std::vector<SymExpr> children) {
  SymExpr e;
  e.kind = kind;
  e.children = std::move(children);
  return e;
}

const char *SymExpr::kindName(Kind kind) {
  switch (kind) {
  case Kind::Integer: return "Integer";
  case Kind::Rational: return "Rational";
  case Kind::Float: return "Float";
  case Kind::Boolean: return "Boolean";
  case Kind::Infinity: return "Infinity";
  case Kind::Symbol: return "Symbol";
  case Kind::Add: return "Add";
  case Kind::Mul: return "Mul";
  case Kind::Pow: return "Pow";
  case Kind::Max: return "Max";
  case Kind::Min: return "Min";
  case Kind::Abs: return "Abs";
  case Kind::FloorDiv: return "FloorDiv";
  case Kind::CeilDiv: return "CeilDiv";
  case Kind::CleanDiv: return "CleanDiv";
  case Kind::Mod: return "Mod";
  case Kind::PythonMod: return "PythonMod";
  case Kind::ModularIndexing: return "ModularIndexing";
  case Kind::Where: return "Where";
  case Kind::CeilToInt: return "CeilToInt";
  case Kind::FloorToInt: return "FloorToInt";
  case Kind::TruncToInt: return "TruncToInt";
  case Kind::RoundToInt: return "RoundToInt";
  case Kind::IntTrueDiv: return "IntTrueDiv";
  case Kind::FloatTrueDiv: return "FloatTrueDiv";
  case Kind::ToFloat: return "ToFloat";
  case Kind::Identity: return "Identity";
  case Kind::Eq: return "Eq";
  case Kind::Ne: return "Ne";
  case Kind::Lt: return "StrictLessThan";
  case Kind::Le: return "LessThan";
  case Kind::Gt: return "StrictGreaterThan";
  case Kind::Ge: return "GreaterThan";
  case Kind::And: return "And";
  case Kind::Or: return "Or";
  case Kind::Not: return "Not";
  case Kind::Function: return "Function";
  }
  return "?";
}

bool operator==(const SymExpr &a, const SymExpr &b) {
  if (a.kind != b.kind || a.value != b.value || a.denominator != b.denominator || a.name != b.name)
    return false;
  // Compare floats bitwise so that NaN == NaN structurally.
  if (a.kind == Kind::Float && std::memcmp(&a.floatValue, &b.floatValue, sizeof(double)) != 0)
    return false;
  return a.children == b.children;
}

namespace {
void collectSymbols(const SymExpr &e, std::set<std::string> &out) {
  if (e.kind == Kind::Symbol)
    out.insert(e.name);
  for (const SymExpr &c : e.children)
    collectSymbols(c, out);
}
} // namespace

std::set<std::string> SymExpr::symbols() const {
  std::set<std::string> out;
  collectSymbols(*this, out);
  return out;
}

//===----------------------------------------------------------------------===//
// Printing, in the style of sympy's str(). Precedence decides parentheses; a child whose precedence is
// not above its parent's is parenthesised so that parseSymExpr rebuilds the same tree.
//===----------------------------------------------------------------------===//
namespace {

enum Precedence { kOr = 1, kAnd, kNot, kRelation, kAdd, kMul, kUnary, kPow, kAtom };

bool isNegativeLiteral(const SymExpr &e) {
  return (e.kind == Kind::Integer || e.kind == Kind::Rational || e.kind == Kind::Infinity) && e.value < 0;
}
// A Mul whose leading coefficient is negative prints as "-...".
bool isNegativeTerm(const SymExpr &e) {
  if (isNegativeLiteral(e) && e.kind != Kind::Rational)
    return e.value != INT64_MIN;
  return e.kind == Kind::Mul && e.children.size() >= 2 && e.children[0].kind == Kind::Integer &&
         e.children[0].value < 0 && e.children[0].value != INT64_MIN;
}

int precedenceOf(const SymExpr &e) {
  switch (e.kind) {
  case Kind::Integer:
  case Kind::Infinity:
    return e.value < 0 ? kUnary : kAtom;
  case Kind::Float:
    return e.floatValue < 0 ? kUnary : kAtom;
  case Kind::Add: return kAdd;
  case Kind::Mul: return isNegativeTerm(e) ? kUnary : kMul;
  case Kind::Pow: return kPow;
  case Kind::Lt:
  case Kind::Le:
  case Kind::Gt:
  case Kind::Ge: return kRelation;
  case Kind::And: return kAnd;
  case Kind::Or: return kOr;
  case Kind::Not: return kNot;
  default: return kAtom;
  }
}

void print(const SymExpr &e, std::string &out);

void printChild(const SymExpr &child, int parentPrecedence, std::string &out) {
  bool parens = precedenceOf(child) <= parentPrecedence;
  if (parens)
    out += '(';
  print(child, out);
  if (parens)
    out += ')';
}

// The term without its minus sign: -x -> x, -2*x -> 2*x, -3 -> 3.
SymExpr negatedTerm(const SymExpr &e) {
  if (e.kind != Kind::Mul) {
    SymExpr copy = e;
    copy.value = -copy.value;
    return copy;
  }
  SymExpr copy = e;
  if (copy.children[0].value == -1) {
    copy.children.erase(copy.children.begin());
    if (copy.children.size() == 1)
      return copy.children[0];
  } else {
    copy.children[0].value = -copy.children[0].value;
  }
  return copy;
}

void printCall(const char *name, const SymExpr &e, std::string &out) {
  out += name;
  out += '(';
  for (size_t i = 0; i < e.children.size(); ++i) {
    if (i)
      out += ", ";
    print(e.children[i], out);
  }
  out += ')';
}

void printInfix(const SymExpr &e, const char *op, int precedence, std::string &out) {
  for (size_t i = 0; i < e.children.size(); ++i) {
    if (i)
      out += op;
    printChild(e.children[i], precedence, out);
  }
}

void printFloat(double v, std::string &out) {
  if (std::isnan(v) || std::isinf(v)) {
    out += std::isnan(v) ? "Float('nan')" : (v > 0 ? "Float('inf')" : "Float('-inf')");
    return;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out += buf;
  if (!std::strpbrk(buf, ".eE"))
    out += ".0"; // keep it a float when read back
}

void print(const SymExpr &e, std::string &out) {
  switch (e.kind) {
  case Kind::Integer:
    out += std::to_string(e.value);
    return;
  case Kind::Rational:
    out += "Rational(" + std::to_string(e.value) + ", " + std::to_string(e.denominator) + ")";
    return;
  case Kind::Float:
    printFloat(e.floatValue, out);
    return;
  case Kind::Boolean:
    out += e.value ? "True" : "False";
    return;
  case Kind::Infinity:
    out += e.value < 0 ? "-oo" : "oo";
    return;
  case Kind::Symbol:
    out += e.name;
    return;
  case Kind::Add:
    for (size_t i = 0; i < e.children.size(); ++i) {
      const SymExpr &term = e.children[i];
      if (i > 0 && isNegativeTerm(term)) {
        out += " - ";
        printChild(negatedTerm(term), kAdd, out);
      } else {
        if (i > 0)
          out += " + ";
        printChild(term, kAdd, out);
      }
    }
    return;
  case Kind::Mul: {
    size_t first = 0;
    if (isNegativeTerm(e) && e.children[0].value == -1) {
      out += '-';
      first = 1;
    }
    for (size_t i = first; i < e.children.size(); ++i) {
      const SymExpr &factor = e.children[i];
      bool isReciprocal = i > first && factor.kind == Kind::Pow && factor.children.size() == 2 &&
                          factor.children[1].kind == Kind::Integer && factor.children[1].value == -1;
      if (isReciprocal) {
        out += '/';
        printChild(factor.children[0], kMul, out);
        continue;
      }
      if (i > first)
        out += '*';
      // A leading "-" binds to the first factor only, so a first factor that is itself a product or
      // power needs no parentheses; later negative factors print as "*-2" which reads back the same.
      printChild(factor, i == first && first == 1 ? kUnary : kMul, out);
    }
    return;
  }
  case Kind::Pow:
    printChild(e.children[0], kPow, out);
    out += "**";
    printChild(e.children[1], kPow, out);
    return;
  case Kind::Lt: printInfix(e, " < ", kRelation, out); return;
  case Kind::Le: printInfix(e, " <= ", kRelation, out); return;
  case Kind::Gt: printInfix(e, " > ", kRelation, out); return;
  case Kind::Ge: printInfix(e, " >= ", kRelation, out); return;
  // Operands of & | ~ are parenthesised unless atoms, as sympy prints them (Python's & binds tighter
  // than comparisons).
  case Kind::And: printInfix(e, " & ", kRelation, out); return;
  case Kind::Or: printInfix(e, " | ", kRelation, out); return;
  case Kind::Not:
    out += '~';
    printChild(e.children[0], kRelation, out);
    return;
  case Kind::Function:
    printCall(e.name.c_str(), e, out);
    return;
  default:
    printCall(SymExpr::kindName(e.kind), e, out);
    return;
  }
}

} // namespace

std::string SymExpr::toString() const {
  std::string out;
  print(*this, out);
  return out;
}

} // namespace thunder::pt2
