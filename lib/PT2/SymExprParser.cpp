//===- SymExprParser.cpp - Parse sympy srepr and str() expressions --------===//
//
// One recursive-descent parser for both spellings: srepr is only calls (`Add(Integer(1), Symbol('s0'))`),
// str() uses Python operators (`s0 + 1`). Operator precedence follows Python.
//
//===----------------------------------------------------------------------===//
#include "thunder/PT2/SymExpr.h"

#include "Text.h"

#include <charconv>
#include <cstring>
#include <optional>

namespace thunder::pt2 {
namespace {

using Kind = SymExpr::Kind;

struct Token {
  enum Type { End, Int, Float, Name, String, Punct } type = End;
  std::string_view text;
  size_t offset = 0;
};

class Lexer {
public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // Returns false (with the offset) on a character that starts no token.
  bool next(Token &token, size_t &badOffset) {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n'))
      ++pos_;
    token.offset = pos_;
    if (pos_ >= text_.size()) {
      token.type = Token::End;
      token.text = {};
      return true;
    }
    char c = text_[pos_];
    size_t start = pos_;
    if (isDigit(c) || (c == '.' && pos_ + 1 < text_.size() && isDigit(text_[pos_ + 1]))) {
      bool isFloat = false;
      while (pos_ < text_.size() && isDigit(text_[pos_]))
        ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '.') {
        isFloat = true;
        ++pos_;
        while (pos_ < text_.size() && isDigit(text_[pos_]))
          ++pos_;
      }
      if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
        size_t save = pos_++;
        if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
          ++pos_;
        if (pos_ < text_.size() && isDigit(text_[pos_])) {
          isFloat = true;
          while (pos_ < text_.size() && isDigit(text_[pos_]))
            ++pos_;
        } else {
          pos_ = save;
        }
      }
      token.type = isFloat ? Token::Float : Token::Int;
    } else if (isNameStart(c)) {
      while (pos_ < text_.size() && (isNameStart(text_[pos_]) || isDigit(text_[pos_])))
        ++pos_;
      token.type = Token::Name;
    } else if (c == '\'' || c == '"') {
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != c && text_[pos_] != '\\')
        ++pos_;
      if (pos_ >= text_.size() || text_[pos_] != c) {
        badOffset = start; // unterminated, or an escape we do not need (symbol names are identifiers)
        return false;
      }
      ++pos_;
      token.type = Token::String;
      token.text = text_.substr(start + 1, pos_ - start - 2);
      return true;
    } else {
      static const char *const kPuncts[] = {"**", "//", "<=", ">=", "==", "!=", "(", ")", ",", "=",
                                            "+",  "-",  "*",  "/",  "%",  "<",  ">", "&", "|", "~"};
      for (const char *p : kPuncts) {
        size_t n = std::strlen(p);
        if (text_.substr(pos_, n) == p) {
          pos_ += n;
          token.type = Token::Punct;
          token.text = text_.substr(start, n);
          return true;
        }
      }
      badOffset = start;
      return false;
    }
    token.text = text_.substr(start, pos_ - start);
    return true;
  }

private:
  static bool isDigit(char c) { return c >= '0' && c <= '9'; }
  static bool isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  std::string_view text_;
  size_t pos_ = 0;
};

struct ParseFailure {
  std::string message;
};

// One argument of a call: a positional expression or string, or a keyword argument.
struct CallArg {
  std::string keyword;
  bool isString = false;
  std::string stringValue;
  SymExpr expr;
};

struct KnownFunction {
  const char *name;
  Kind kind;
  int arity; // -1: one or more
};
constexpr KnownFunction kKnownFunctions[] = {
    {"Add", Kind::Add, -1},
    {"Mul", Kind::Mul, -1},
    {"Pow", Kind::Pow, 2},
    {"PowByNatural", Kind::Pow, 2},
    {"Max", Kind::Max, -1},
    {"Min", Kind::Min, -1},
    {"Abs", Kind::Abs, 1},
    {"FloorDiv", Kind::FloorDiv, 2},
    {"CeilDiv", Kind::CeilDiv, 2},
    {"CleanDiv", Kind::CleanDiv, 2},
    {"Mod", Kind::Mod, 2},
    {"PythonMod", Kind::PythonMod, 2},
    {"ModularIndexing", Kind::ModularIndexing, 3},
    {"Where", Kind::Where, 3},
    {"CeilToInt", Kind::CeilToInt, 1},
    {"ceiling", Kind::CeilToInt, 1},
    {"FloorToInt", Kind::FloorToInt, 1},
    {"floor", Kind::FloorToInt, 1},
    {"TruncToInt", Kind::TruncToInt, 1},
    {"RoundToInt", Kind::RoundToInt, 1},
    {"IntTrueDiv", Kind::IntTrueDiv, 2},
    {"FloatTrueDiv", Kind::FloatTrueDiv, 2},
    {"ToFloat", Kind::ToFloat, 1},
    {"Identity", Kind::Identity, 1},
    {"Eq", Kind::Eq, 2},
    {"Equality", Kind::Eq, 2},
    {"Ne", Kind::Ne, 2},
    {"Unequality", Kind::Ne, 2},
    {"StrictLessThan", Kind::Lt, 2},
    {"Lt", Kind::Lt, 2},
    {"LessThan", Kind::Le, 2},
    {"Le", Kind::Le, 2},
    {"StrictGreaterThan", Kind::Gt, 2},
    {"Gt", Kind::Gt, 2},
    {"GreaterThan", Kind::Ge, 2},
    {"Ge", Kind::Ge, 2},
    {"And", Kind::And, -1},
    {"Or", Kind::Or, -1},
    {"Not", Kind::Not, 1},
};

SymExpr makeLeaf(Kind kind, int64_t value) {
  SymExpr e;
  e.kind = kind;
  e.value = value;
  return e;
}

bool isIntegerLiteral(const SymExpr &e) { return e.kind == Kind::Integer; }

// -e, written the way sympy would hold it: literals negated, a leading coefficient negated.
SymExpr negate(SymExpr e) {
  if ((e.kind == Kind::Integer || e.kind == Kind::Rational) && e.value != INT64_MIN) {
    e.value = -e.value;
    return e;
  }
  if (e.kind == Kind::Float) {
    e.floatValue = -e.floatValue;
    return e;
  }
  if (e.kind == Kind::Infinity) {
    e.value = -e.value;
    return e;
  }
  if (e.kind == Kind::Mul && !e.children.empty() && isIntegerLiteral(e.children[0]) &&
      e.children[0].value != INT64_MIN) {
    int64_t coefficient = -e.children[0].value;
    if (coefficient == 1) {
      e.children.erase(e.children.begin());
      if (e.children.size() == 1)
        return std::move(e.children[0]);
      return e;
    }
    e.children[0].value = coefficient;
    return e;
  }
  if (e.kind == Kind::Mul) {
    e.children.insert(e.children.begin(), SymExpr::integer(-1));
    return e;
  }
  return SymExpr::call(Kind::Mul, {SymExpr::integer(-1), std::move(e)});
}

SymExpr product(std::vector<SymExpr> factors) {
  if (factors.size() == 1)
    return std::move(factors[0]);
  return SymExpr::call(Kind::Mul, std::move(factors));
}

class Parser {
public:
  Parser(std::string_view text, unsigned maxDepth) : text_(text), lexer_(text), maxDepth_(maxDepth) {}

  std::optional<SymExpr> parse(std::string &error) {
    if (!advance(error))
      return std::nullopt;
    std::optional<SymExpr> result = parseOr(error);
    if (result && current_.type != Token::End) {
      error = expected("end of expression");
      return std::nullopt;
    }
    return result;
  }

private:
  // Depth guard: every nested parenthesis, call or unary operator costs one level.
  class DepthGuard {
  public:
    explicit DepthGuard(Parser &p) : p_(p) { ++p_.depth_; }
    ~DepthGuard() { --p_.depth_; }
    bool tooDeep() const { return p_.depth_ > p_.maxDepth_; }

  private:
    Parser &p_;
  };

  bool advance(std::string &error) {
    size_t bad = 0;
    if (!lexer_.next(current_, bad)) {
      error = "unexpected character at offset " + std::to_string(bad) + " in " + quote(text_);
      return false;
    }
    return true;
  }
  bool isPunct(std::string_view p) const { return current_.type == Token::Punct && current_.text == p; }
  std::string expected(const char *what) const {
    std::string found = current_.type == Token::End ? "end of text" : quote(current_.text);
    return std::string("expected ") + what + " at offset " + std::to_string(current_.offset) +
           " but found " + found + " in " + quote(text_);
  }
  std::string tooDeepMessage() const {
    return "symbolic expression nests deeper than " + std::to_string(maxDepth_) + " in " + quote(text_);
  }

  std::optional<SymExpr> parseOr(std::string &error) {
    DepthGuard guard(*this);
    if (guard.tooDeep()) {
      error = tooDeepMessage();
      return std::nullopt;
    }
    return parseBinaryChain(error, "|", Kind::Or, &Parser::parseAnd);
  }
  std::optional<SymExpr> parseAnd(std::string &error) {
    return parseBinaryChain(error, "&", Kind::And, &Parser::parseNot);
  }
  std::optional<SymExpr> parseBinaryChain(std::string &error, std::string_view op, Kind kind,
                                          std::optional<SymExpr> (Parser::*operand)(std::string &)) {
    std::optional<SymExpr> first = (this->*operand)(error);
    if (!first || !isPunct(op))
      return first;
    std::vector<SymExpr> operands;
    operands.push_back(std::move(*first));
    while (isPunct(op)) {
      if (!advance(error))
        return std::nullopt;
      std::optional<SymExpr> next = (this->*operand)(error);
      if (!next)
        return std::nullopt;
      operands.push_back(std::move(*next));
    }
    return SymExpr::call(kind, std::move(operands));
  }
  std::optional<SymExpr> parseNot(std::string &error) {
    if (!isPunct("~"))
      return parseComparison(error);
    DepthGuard guard(*this);
    if (guard.tooDeep()) {
      error = tooDeepMessage();
      return std::nullopt;
    }
    if (!advance(error))
      return std::nullopt;
    std::optional<SymExpr> operand = parseNot(error);
    if (!operand)
      return std::nullopt;
    return SymExpr::call(Kind::Not, {std::move(*operand)});
  }
  std::optional<SymExpr> parseComparison(std::string &error) {
    std::optional<SymExpr> lhs = parseSum(error);
    if (!lhs)
      return std::nullopt;
    static const std::pair<const char *, Kind> kRelations[] = {
        {"<", Kind::Lt}, {"<=", Kind::Le}, {">", Kind::Gt}, {">=", Kind::Ge}, {"==", Kind::Eq}, {"!=", Kind::Ne}};
    for (const auto &[op, kind] : kRelations) {
      if (!isPunct(op))
        continue;
      if (!advance(error))
        return std::nullopt;
      std::optional<SymExpr> rhs = parseSum(error);
      if (!rhs)
        return std::nullopt;
      return SymExpr::call(kind, {std::move(*lhs), std::move(*rhs)});
    }
    return lhs;
  }
  std::optional<SymExpr> parseSum(std::string &error) {
    std::optional<SymExpr> first = parseTerm(error);
    if (!first)
      return std::nullopt;
    if (!isPunct("+") && !isPunct("-"))
      return first;
    std::vector<SymExpr> terms;
    terms.push_back(std::move(*first));
    while (isPunct("+") || isPunct("-")) {
      bool minus = isPunct("-");
      if (!advance(error))
        return std::nullopt;
      std::optional<SymExpr> term = parseTerm(error);
      if (!term)
        return std::nullopt;
      terms.push_back(minus ? negate(std::move(*term)) : std::move(*term));
    }
    return SymExpr::call(Kind::Add, std::move(terms));
  }
  // A product chain. `* /` collect factors of one Mul; `// %` apply to everything to their left. A
  // leading minus belongs to the first factor (Python: -a//b == (-a)//b).
  std::optional<SymExpr> parseTerm(std::string &error) {
    bool negative = false;
    std::optional<DepthGuard> guard;
    if (isPunct("-") || isPunct("+")) {
      negative = isPunct("-");
      guard.emplace(*this);
      if (guard->tooDeep()) {
        error = tooDeepMessage();
        return std::nullopt;
      }
      if (!advance(error))
        return std::nullopt;
    }
    std::optional<SymExpr> first = parseFactor(error);
    if (!first)
      return std::nullopt;
    std::vector<SymExpr> factors;
    factors.push_back(std::move(*first));
    auto collapse = [&]() {
      SymExpr e = product(std::move(factors));
      factors.clear();
      if (negative)
        e = negate(std::move(e));
      negative = false;
      return e;
    };
    while (isPunct("*") || isPunct("/") || isPunct("//") || isPunct("%")) {
      std::string op(current_.text);
      if (!advance(error))
        return std::nullopt;
      std::optional<SymExpr> rhs = parseFactor(error);
      if (!rhs)
        return std::nullopt;
      if (op == "*") {
        factors.push_back(std::move(*rhs));
      } else if (op == "/") {
        factors.push_back(SymExpr::call(Kind::Pow, {std::move(*rhs), SymExpr::integer(-1)}));
      } else {
        SymExpr lhs = collapse();
        factors.push_back(SymExpr::call(op == "//" ? Kind::FloorDiv : Kind::PythonMod,
                                        {std::move(lhs), std::move(*rhs)}));
      }
    }
    return collapse();
  }
  // A unary minus after an operator ("a*-2", "2**-1"), or a power.
  std::optional<SymExpr> parseFactor(std::string &error) {
    if (isPunct("-") || isPunct("+")) {
      bool minus = isPunct("-");
      DepthGuard guard(*this);
      if (guard.tooDeep()) {
        error = tooDeepMessage();
        return std::nullopt;
      }
      if (!advance(error))
        return std::nullopt;
      std::optional<SymExpr> operand = parseFactor(error);
      if (!operand)
        return std::nullopt;
      return minus ? negate(std::move(*operand)) : std::move(*operand);
    }
    std::optional<SymExpr> base = parseAtom(error);
    if (!base || !isPunct("**"))
      return base;
    if (!advance(error))
      return std::nullopt;
    std::optional<SymExpr> exponent = parseFactor(error); // right-associative
    if (!exponent)
      return std::nullopt;
    return SymExpr::call(Kind::Pow, {std::move(*base), std::move(*exponent)});
  }
  std::optional<SymExpr> parseAtom(std::string &error) {
    Token token = current_;
    switch (token.type) {
    case Token::Int: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(token.text.data(), token.text.data() + token.text.size(), v);
      if (ec != std::errc() || end != token.text.data() + token.text.size()) {
        error = "integer " + quote(token.text) + " does not fit in int64 in " + quote(text_);
        return std::nullopt;
      }
      if (!advance(error))
        return std::nullopt;
      return SymExpr::integer(v);
    }
    case Token::Float: {
      SymExpr e;
      e.kind = Kind::Float;
      if (!parseDouble(token.text, e.floatValue)) {
        error = "bad float " + quote(token.text) + " in " + quote(text_);
        return std::nullopt;
      }
      if (!advance(error))
        return std::nullopt;
      return e;
    }
    case Token::Name: {
      if (!advance(error))
        return std::nullopt;
      if (isPunct("("))
        return parseCall(token, error);
      return nameAtom(token.text);
    }
    case Token::Punct:
      if (token.text == "(") {
        if (!advance(error))
          return std::nullopt;
        std::optional<SymExpr> inner = parseOr(error);
        if (!inner)
          return std::nullopt;
        if (!isPunct(")")) {
          error = expected("')'");
          return std::nullopt;
        }
        if (!advance(error))
          return std::nullopt;
        return inner;
      }
      break;
    default:
      break;
    }
    error = expected("a number, name, call or '('");
    return std::nullopt;
  }

  static SymExpr nameAtom(std::string_view name) {
    if (name == "true" || name == "True")
      return makeLeaf(Kind::Boolean, 1);
    if (name == "false" || name == "False")
      return makeLeaf(Kind::Boolean, 0);
    if (name == "oo" || name == "int_oo")
      return makeLeaf(Kind::Infinity, 1);
    return SymExpr::symbol(std::string(name));
  }

  static bool parseDouble(std::string_view text, double &out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  }

  // The arguments nest through parseOr, which counts the depth.
  std::optional<SymExpr> parseCall(const Token &nameToken, std::string &error) {
    if (!advance(error)) // '('
      return std::nullopt;
    std::vector<CallArg> args;
    while (!isPunct(")")) {
      CallArg arg;
      if (current_.type == Token::String) {
        arg.isString = true;
        arg.stringValue = std::string(current_.text);
        if (!advance(error))
          return std::nullopt;
      } else {
        if (current_.type == Token::Name) {
          // Either a keyword argument (`integer=True`) or an expression starting with a name.
          Lexer probe = lexer_;
          Token next;
          size_t bad = 0;
          if (probe.next(next, bad) && next.type == Token::Punct && next.text == "=") {
            arg.keyword = std::string(current_.text);
            if (!advance(error) || !advance(error))
              return std::nullopt;
          }
        }
        if (current_.type == Token::String && !arg.keyword.empty()) {
          arg.isString = true;
          arg.stringValue = std::string(current_.text);
          if (!advance(error))
            return std::nullopt;
        } else {
          std::optional<SymExpr> value = parseOr(error);
          if (!value)
            return std::nullopt;
          arg.expr = std::move(*value);
        }
      }
      args.push_back(std::move(arg));
      if (isPunct(",")) {
        if (!advance(error))
          return std::nullopt;
      } else if (!isPunct(")")) {
        error = expected("',' or ')'");
        return std::nullopt;
      }
    }
    if (!advance(error)) // ')'
      return std::nullopt;
    return buildCall(nameToken, std::move(args), error);
  }

  std::optional<SymExpr> buildCall(const Token &nameToken, std::vector<CallArg> args, std::string &error) {
    std::string_view name = nameToken.text;
    std::vector<CallArg *> positional;
    for (CallArg &a : args)
      if (a.keyword.empty())
        positional.push_back(&a);
    auto fail = [&](const std::string &what) {
      error = std::string(name) + " at offset " + std::to_string(nameToken.offset) + " " + what + " in " +
              quote(text_);
      return std::nullopt;
    };

    if (name == "Symbol" || name == "Dummy") {
      if (positional.size() != 1 || !positional[0]->isString || positional[0]->stringValue.empty())
        return fail("takes one name string");
      return SymExpr::symbol(positional[0]->stringValue);
    }
    if (name == "Float") {
      if (positional.size() != 1)
        return fail("takes one value");
      SymExpr e;
      e.kind = Kind::Float;
      if (positional[0]->isString) {
        if (!parseDouble(positional[0]->stringValue, e.floatValue))
          return fail("has a bad value");
        return e;
      }
      const SymExpr &v = positional[0]->expr;
      if (v.kind == Kind::Float)
        return v;
      if (v.kind == Kind::Integer) {
        e.floatValue = double(v.value);
        return e;
      }
      return fail("takes a number");
    }
    for (CallArg *a : positional)
      if (a->isString)
        return fail("takes no string argument");
    if (name == "Integer") {
      if (positional.size() != 1 || positional[0]->expr.kind != Kind::Integer)
        return fail("takes one integer literal");
      return positional[0]->expr;
    }
    if (name == "Rational") {
      if (positional.size() != 2 || positional[0]->expr.kind != Kind::Integer ||
          positional[1]->expr.kind != Kind::Integer)
        return fail("takes two integer literals");
      return makeRational(positional[0]->expr.value, positional[1]->expr.value, fail);
    }
    std::vector<SymExpr> children;
    children.reserve(positional.size());
    for (CallArg *a : positional)
      children.push_back(std::move(a->expr));
    for (const KnownFunction &f : kKnownFunctions) {
      if (name != f.name)
        continue;
      if (f.arity < 0 ? children.empty() : int(children.size()) != f.arity)
        return fail(f.arity < 0 ? "takes at least one argument"
                                : "takes " + std::to_string(f.arity) + " argument(s), not " +
                                      std::to_string(children.size()));
      return SymExpr::call(f.kind, std::move(children));
    }
    SymExpr e = SymExpr::call(Kind::Function, std::move(children));
    e.name = std::string(name);
    return e;
  }

  template <typename Fail>
  static std::optional<SymExpr> makeRational(int64_t p, int64_t q, Fail &fail) {
    if (q == 0)
      return fail("has a zero denominator");
    if (p == INT64_MIN || q == INT64_MIN)
      return fail("overflows int64");
    if (q < 0) {
      p = -p;
      q = -q;
    }
    int64_t a = p < 0 ? -p : p, b = q;
    while (b != 0) {
      int64_t t = a % b;
      a = b;
      b = t;
    }
    if (a > 1) {
      p /= a;
      q /= a;
    }
    if (q == 1)
      return SymExpr::integer(p);
    SymExpr e = makeLeaf(Kind::Rational, p);
    e.denominator = q;
    return e;
  }

  std::string_view text_;
  Lexer lexer_;
  Token current_;
  unsigned maxDepth_;
  unsigned depth_ = 0;
};

} // namespace

Expected<SymExpr> parseSymExpr(std::string_view text, unsigned maxDepth) {
  std::string error;
  Parser parser(text, maxDepth);
  std::optional<SymExpr> result = parser.parse(error);
  if (!result)
    return makeError("cannot parse symbolic expression: " + error);
  return std::move(*result);
}

} // namespace thunder::pt2
