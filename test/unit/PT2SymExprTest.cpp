//===- PT2SymExprTest.cpp - Parsing and evaluating symbolic sizes --------===//
#include "thunder/PT2/SymExpr.h"

#include <gtest/gtest.h>

using namespace thunder::pt2;
using Kind = SymExpr::Kind;

namespace {

SymExpr parse(const std::string &text) {
  Expected<SymExpr> e = parseSymExpr(text);
  EXPECT_TRUE(e.ok()) << text << ": " << (e.ok() ? "" : e.error().message);
  return e.ok() ? e.take() : SymExpr();
}

std::optional<int64_t> eval(const std::string &text, const std::map<std::string, int64_t> &bindings = {}) {
  return parse(text).evaluate(bindings);
}

std::string parseError(const std::string &text, unsigned depth = kDefaultMaxSymExprDepth) {
  Expected<SymExpr> e = parseSymExpr(text, depth);
  return e.ok() ? std::string("(parsed)") : e.error().message;
}

} // namespace

TEST(PT2SymExpr, SreprSymbol) {
  SymExpr e = parse("Symbol('s31', positive=True, integer=True)");
  EXPECT_TRUE(e.isSymbol());
  EXPECT_EQ(e.name, "s31");
  EXPECT_EQ(e.symbols(), std::set<std::string>{"s31"});
  EXPECT_EQ(e.toString(), "s31");
  EXPECT_EQ(e.evaluate({{"s31", 8}}), 8);
  EXPECT_EQ(e.evaluate({}), std::nullopt);
}

TEST(PT2SymExpr, SreprArithmetic) {
  const std::string s77 = "Symbol('s77', positive=True, integer=True)";
  SymExpr mul = parse("Mul(Integer(2), " + s77 + ")");
  EXPECT_EQ(mul.kind, Kind::Mul);
  ASSERT_EQ(mul.children.size(), 2u);
  EXPECT_EQ(mul.children[0].kind, Kind::Integer);
  EXPECT_EQ(mul.children[0].value, 2);
  EXPECT_EQ(mul.toString(), "2*s77");
  EXPECT_EQ(mul.evaluate({{"s77", 5}}), 10);
  EXPECT_EQ(eval("Add(Integer(-1), " + s77 + ")", {{"s77", 5}}), 4);
  EXPECT_EQ(eval("Pow(" + s77 + ", Integer(2))", {{"s77", 5}}), 25);
  EXPECT_EQ(eval("Max(Integer(1), " + s77 + ")", {{"s77", 0}}), 1);
  EXPECT_EQ(eval("Min(Integer(1), " + s77 + ", Integer(7))", {{"s77", -3}}), -3);
  EXPECT_EQ(eval("Mul(Rational(1, 2), " + s77 + ")", {{"s77", 6}}), 3);
  EXPECT_EQ(eval("Mul(Rational(1, 2), " + s77 + ")", {{"s77", 7}}), std::nullopt); // not an integer
  EXPECT_EQ(parse("Rational(4, 2)"), SymExpr::integer(2));
}

TEST(PT2SymExpr, TorchFunctions) {
  const std::map<std::string, int64_t> s = {{"s0", 7}, {"s1", -7}};
  EXPECT_EQ(eval("FloorDiv(Symbol('s0'), Integer(2))", s), 3);
  EXPECT_EQ(eval("FloorDiv(Symbol('s1'), Integer(2))", s), -4);
  EXPECT_EQ(eval("CeilDiv(Symbol('s0'), Integer(2))", s), 4);
  EXPECT_EQ(eval("CleanDiv(Integer(8), Integer(2))", s), 4);
  EXPECT_EQ(eval("Mod(Symbol('s0'), Integer(3))", s), 1);
  EXPECT_EQ(eval("PythonMod(Symbol('s1'), Integer(3))", s), 2); // Python's sign rule
  EXPECT_EQ(eval("ModularIndexing(Symbol('s0'), Integer(2), Integer(2))", s), 1);
  EXPECT_EQ(eval("CeilToInt(IntTrueDiv(Symbol('s0'), Integer(2)))", s), 4);
  EXPECT_EQ(eval("FloorToInt(IntTrueDiv(Symbol('s1'), Integer(2)))", s), -4);
  EXPECT_EQ(eval("TruncToInt(IntTrueDiv(Symbol('s1'), Integer(2)))", s), -3);
  EXPECT_EQ(eval("RoundToInt(Rational(5, 2))"), 2); // half to even
  EXPECT_EQ(eval("RoundToInt(Rational(7, 2))"), 4);
  EXPECT_EQ(eval("Where(StrictLessThan(Symbol('s0'), Integer(10)), Integer(1), Integer(2))", s), 1);
  EXPECT_EQ(eval("Abs(Symbol('s1'))", s), 7);
}

TEST(PT2SymExpr, RelationsAndBooleans) {
  const std::map<std::string, int64_t> s = {{"s0", 4}};
  EXPECT_EQ(eval("StrictLessThan(Symbol('s0'), Integer(5))", s), 1);
  EXPECT_EQ(eval("LessThan(Symbol('s0'), Integer(3))", s), 0);
  EXPECT_EQ(eval("StrictGreaterThan(Symbol('s0'), Integer(3))", s), 1);
  EXPECT_EQ(eval("GreaterThan(Symbol('s0'), Integer(4))", s), 1);
  EXPECT_EQ(eval("Eq(Symbol('s0'), Integer(4))", s), 1);
  EXPECT_EQ(eval("Ne(Symbol('s0'), Integer(4))", s), 0);
  EXPECT_EQ(eval("And(Eq(Symbol('s0'), Integer(4)), true)", s), 1);
  EXPECT_EQ(eval("Or(false, Ne(Symbol('s0'), Integer(4)))", s), 0);
  EXPECT_EQ(eval("Not(false)"), 1);
  EXPECT_EQ(parse("true").kind, Kind::Boolean);
  EXPECT_EQ(parse("StrictLessThan(Symbol('u0'), Integer(5))").kind, Kind::Lt);
}

TEST(PT2SymExpr, OlderStrForms) {
  const std::map<std::string, int64_t> s = {{"s0", 5}, {"s1", 3}};
  EXPECT_TRUE(parse("s0").isSymbol());
  EXPECT_EQ(eval("2*s0 + 1", s), 11);
  EXPECT_EQ(eval("s0 - 1", s), 4);
  EXPECT_EQ(eval("-s0", s), -5);
  EXPECT_EQ(eval("-s0//2", s), -3); // Python: (-5)//2
  EXPECT_EQ(eval("s0//2", s), 2);
  EXPECT_EQ(eval("s0 % 3", s), 2);
  EXPECT_EQ(eval("s0**2", s), 25);
  EXPECT_EQ(eval("2**-1*s0*2", s), 5);
  EXPECT_EQ(eval("(s0 + 1)*(s1 - 2)", s), 6);
  EXPECT_EQ(eval("s0*s1/3", s), 5);
  EXPECT_EQ(eval("Max(1, s0 - 10)", s), 1);
  EXPECT_EQ(eval("s0 < s1", s), 0);
  EXPECT_EQ(eval("(s0 >= 5) & (s1 != 2)", s), 1);
  EXPECT_EQ(eval("~(s0 == 5) | False", s), 0);
  EXPECT_EQ(parse("2*s0 + 1").symbols(), std::set<std::string>{"s0"});
}

TEST(PT2SymExpr, PrintsAndReparsesTheSameTree) {
  for (const char *text :
       {"2*s0 + 1", "s0 - 1", "-s0", "-2*s0 + s1", "s0*s1", "s0/s1", "s0**2", "(s0 + 1)*(s1 - 2)",
        "FloorDiv(s0, 2)", "Max(1, s0)", "s0 < s1", "(s0 <= 2) & (s1 > 3)", "~(s0 >= 1) | (s1 < 0)",
        "Rational(1, 2)*s0", "2.5*s0", "Eq(s0, 4)", "OpaqueUnaryFn_sqrt(s0)", "True", "oo", "-oo",
        "ModularIndexing(s0, 1, 4)", "(s0 + 1)**(s1 - 1)", "-(s0 + 1)", "-s0**2"}) {
    SymExpr first = parse(text);
    std::string printed = first.toString();
    SymExpr second = parse(printed);
    EXPECT_EQ(first, second) << text << " printed as " << printed;
  }
  EXPECT_EQ(parse("Add(Mul(Integer(2), Symbol('s0')), Integer(1))").toString(), "2*s0 + 1");
  EXPECT_EQ(parse("Add(Symbol('s0'), Integer(-1))").toString(), "s0 - 1");
}

TEST(PT2SymExpr, UnknownFunctionsParseButDoNotEvaluate) {
  SymExpr e = parse("OpaqueUnaryFn_exp(Symbol('s0'))");
  EXPECT_EQ(e.kind, Kind::Function);
  EXPECT_EQ(e.name, "OpaqueUnaryFn_exp");
  EXPECT_EQ(e.symbols(), std::set<std::string>{"s0"});
  EXPECT_EQ(e.evaluate({{"s0", 1}}), std::nullopt);
}

TEST(PT2SymExpr, CheckedArithmetic) {
  EXPECT_EQ(eval("Mul(Integer(4611686018427387904), Integer(4))"), std::nullopt);
  EXPECT_EQ(eval("Add(Integer(9223372036854775807), Integer(1))"), std::nullopt);
  EXPECT_EQ(eval("Pow(Integer(2), Integer(64))"), std::nullopt);
  EXPECT_EQ(eval("Pow(Integer(2), Integer(62))"), int64_t(1) << 62);
  EXPECT_EQ(eval("Pow(Integer(1), Integer(9223372036854775807))"), 1);
  EXPECT_EQ(eval("FloorDiv(Integer(1), Integer(0))"), std::nullopt);
  EXPECT_EQ(eval("Mod(Integer(1), Integer(0))"), std::nullopt);
  EXPECT_EQ(eval("Pow(Integer(0), Integer(-1))"), std::nullopt);
  EXPECT_EQ(eval("oo"), std::nullopt);
  EXPECT_EQ(eval("Float('2.0', precision=53)"), 2);
  EXPECT_EQ(eval("Float('2.5', precision=53)"), std::nullopt);
}

TEST(PT2SymExpr, SyntaxErrorsNameTheOffset) {
  EXPECT_NE(parseError("Symbol('s0'").find("offset 11"), std::string::npos) << parseError("Symbol('s0'");
  EXPECT_NE(parseError("2 * * s0").find("expected a number, name, call or '('"), std::string::npos);
  EXPECT_NE(parseError("s0 $ 1").find("unexpected character at offset 3"), std::string::npos);
  EXPECT_NE(parseError("Integer(99999999999999999999)").find("does not fit in int64"), std::string::npos);
  EXPECT_NE(parseError("Pow(Integer(2))").find("takes 2 argument(s), not 1"), std::string::npos);
  EXPECT_NE(parseError("Rational(1, 0)").find("zero denominator"), std::string::npos);
  EXPECT_NE(parseError("Symbol(1)").find("takes one name string"), std::string::npos);
  EXPECT_NE(parseError("").find("expected a number"), std::string::npos);
  EXPECT_NE(parseError("'unterminated").find("unexpected character at offset 0"), std::string::npos);
}

TEST(PT2SymExpr, NestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 10000; ++i)
    deep += "Max(";
  deep += "1";
  for (int i = 0; i < 10000; ++i)
    deep += ")";
  EXPECT_NE(parseError(deep).find("nests deeper than 128"), std::string::npos);
  EXPECT_NE(parseError(std::string(10000, '-') + "1").find("nests deeper"), std::string::npos);
  EXPECT_NE(parseError(std::string(10000, '~') + "1").find("nests deeper"), std::string::npos);
  EXPECT_NE(parseError(std::string(10000, '(') + "1" + std::string(10000, ')')).find("nests deeper"),
            std::string::npos);
  // The whole expression is one level, each call's arguments one more.
  EXPECT_EQ(parseError("Max(Max(Max(1, 2), 3), 4)", 4), "(parsed)");
  EXPECT_NE(parseError("Max(Max(Max(1, 2), 3), 4)", 3).find("nests deeper than 3"), std::string::npos);
}
