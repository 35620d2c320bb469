//===- OpSchemaParser.cpp - Parse one TorchScript operator schema ---------===//
//
// Grammar (the subset that aten_schemas.txt uses):
//   schema   := ns "::" name ["." overload] "(" [arg {"," arg}] ")" "->" returns
//   arg      := "*" | "..." | type name ["=" default]
//   returns  := type [name] | "(" [type [name] {"," type [name]}] ")" | "..."
//   type     := e.g. Tensor, Tensor(a!), Tensor?[], int[2], Dict(str, t)(a), (Tensor, tVal)[]
//
//===----------------------------------------------------------------------===//
#include "thunder/PT2/OpSchema.h"

#include "Text.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace thunder::pt2 {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Index of the bracket that closes the one at `open`, skipping nested brackets and quoted strings.
size_t findClosing(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      for (++i; i < s.size() && s[i] != c; ++i)
        if (s[i] == '\\')
          ++i;
      continue;
    }
    if (c == '(' || c == '[')
      ++depth;
    else if (c == ')' || c == ']') {
      if (--depth == 0)
        return i;
    }
  }
  return std::string_view::npos;
}

// Splits at commas outside brackets and quotes.
std::vector<std::string_view> splitTopLevel(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      for (++i; i < s.size() && s[i] != c; ++i)
        if (s[i] == '\\')
          ++i;
      continue;
    }
    if (c == '(' || c == '[')
      ++depth;
    else if (c == ')' || c == ']')
      --depth;
    else if (c == separator && depth == 0) {
      parts.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  std::string_view last = trim(s.substr(start));
  if (!last.empty() || !parts.empty())
    parts.push_back(last);
  return parts;
}

// Last position of `c` outside brackets and quotes.
size_t findLastTopLevel(std::string_view s, char target) {
  int depth = 0;
  size_t found = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"' || c == '\'') {
      for (++i; i < s.size() && s[i] != c; ++i)
        if (s[i] == '\\')
          ++i;
      continue;
    }
    if (c == '(' || c == '[')
      ++depth;
    else if (c == ')' || c == ']')
      --depth;
    else if (c == target && depth == 0)
      found = i;
  }
  return found;
}

bool isAliasAnnotation(std::string_view content) {
  // "a", "a!", "b -> *", "a|b", "*"
  if (content == "*")
    return true;
  if (content.empty() || !(content[0] >= 'a' && content[0] <= 'z'))
    return false;
  for (char c : content)
    if (!((c >= 'a' && c <= 'z') || c == '!' || c == ' ' || c == '-' || c == '>' || c == '*' || c == '|' || c == '.'))
      return false;
  return true;
}

// Fills the type fields of `arg` from the type text.
bool analyseType(std::string_view type, SchemaArgument &arg) {
  arg.type = std::string(type);
  // Remove alias annotations, remembering them.
  std::string base;
  for (size_t i = 0; i < type.size(); ++i) {
    if (type[i] == '(' && i > 0) {
      size_t close = findClosing(type, i);
      if (close == std::string_view::npos)
        return false;
      std::string_view content = type.substr(i + 1, close - i - 1);
      // Type constructors take type arguments, not annotations: Future(t), RRef(t), Dict(k, v).
      bool isConstructor = base.size() >= 4 && (base.compare(base.size() - 4, 4, "Dict") == 0 ||
                                                base.compare(base.size() - 4, 4, "RRef") == 0 ||
                                                (base.size() >= 6 && base.compare(base.size() - 6, 6, "Future") == 0));
      if (!isConstructor && isAliasAnnotation(content)) {
        if (content.find('!') != std::string_view::npos)
          arg.isMutable = true;
        size_t end = 0;
        while (end < content.size() && content[end] >= 'a' && content[end] <= 'z')
          ++end;
        arg.aliasSet = std::string(content.substr(0, end));
        i = close;
        continue;
      }
      base.append(type.substr(i, close - i + 1));
      i = close;
      continue;
    }
    base += type[i];
  }
  arg.baseType = base;
  std::string_view rest = arg.baseType;
  if (!rest.empty() && rest.back() == '?') {
    arg.isOptional = true;
    rest.remove_suffix(1);
  }
  if (!rest.empty() && rest.back() == ']') {
    size_t open = rest.rfind('[');
    if (open == std::string_view::npos)
      return false;
    std::string_view size = rest.substr(open + 1, rest.size() - open - 2);
    if (!size.empty()) {
      int n = 0;
      auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), n);
      if (ec != std::errc() || end != size.data() + size.size() || n < 0)
        return false;
      arg.fixedListSize = n;
    }
    arg.isList = true;
    rest = rest.substr(0, open);
    if (!rest.empty() && rest.back() == '?') {
      arg.elementIsOptional = true;
      rest.remove_suffix(1);
    }
  }
  arg.elementType = std::string(rest);
  return !arg.elementType.empty();
}

// A default's literal before it is typed.
struct Literal {
  enum Kind { None, Bool, Int, Float, String, Identifier, List } kind = None;
  bool boolValue = false;
  int64_t intValue = 0;
  double floatValue = 0;
  std::string text; // String contents or Identifier
  std::vector<Literal> items;
};

bool unescape(std::string_view quotedText, std::string &out) {
  for (size_t i = 1; i + 1 < quotedText.size(); ++i) {
    char c = quotedText[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= quotedText.size() - 1)
      return false; // the backslash escapes the closing quote
    switch (quotedText[i]) {
    case 'n': out += '\n'; break;
    case 't': out += '\t'; break;
    case 'r': out += '\r'; break;
    case 'f': out += '\f'; break;
    case 'v': out += '\v'; break;
    case '0': out += '\0'; break;
    default: out += quotedText[i]; break; // \\ \" \'
    }
  }
  return true;
}

std::optional<Literal> parseLiteral(std::string_view text) {
  text = trim(text);
  Literal lit;
  if (text.empty())
    return std::nullopt;
  if (text == "None")
    return lit;
  if (text == "True" || text == "False") {
    lit.kind = Literal::Bool;
    lit.boolValue = text == "True";
    return lit;
  }
  if (text.front() == '"' || text.front() == '\'') {
    if (text.size() < 2 || text.back() != text.front() || !unescape(text, lit.text))
      return std::nullopt;
    lit.kind = Literal::String;
    return lit;
  }
  if (text.front() == '[') {
    if (text.back() != ']')
      return std::nullopt;
    lit.kind = Literal::List;
    for (std::string_view item : splitTopLevel(text.substr(1, text.size() - 2), ',')) {
      std::optional<Literal> element = parseLiteral(item);
      if (!element || element->kind == Literal::List)
        return std::nullopt;
      lit.items.push_back(std::move(*element));
    }
    return lit;
  }
  if (text == "inf" || text == "-inf" || text == "nan") {
    lit.kind = Literal::Float;
    lit.floatValue = text == "nan" ? std::numeric_limits<double>::quiet_NaN()
                                   : (text == "inf" ? 1 : -1) * std::numeric_limits<double>::infinity();
    return lit;
  }
  const char *begin = text.data(), *end = text.data() + text.size();
  auto [intEnd, intError] = std::from_chars(begin, end, lit.intValue);
  if (intError == std::errc() && intEnd == end) {
    lit.kind = Literal::Int;
    return lit;
  }
  auto [floatEnd, floatError] = std::from_chars(begin, end, lit.floatValue);
  if (floatError == std::errc() && floatEnd == end) {
    lit.kind = Literal::Float;
    return lit;
  }
  bool identifier = true;
  for (char c : text)
    identifier = identifier && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  if (!identifier)
    return std::nullopt;
  lit.kind = Literal::Identifier;
  lit.text = std::string(text);
  return lit;
}

std::optional<ScalarType> scalarTypeByName(const std::string &name) {
  static const std::pair<const char *, ScalarType> kNames[] = {
      {"uint8", ScalarType::UInt8}, {"int8", ScalarType::Int8}, {"int16", ScalarType::Int16},
      {"short", ScalarType::Int16}, {"int32", ScalarType::Int32}, {"int", ScalarType::Int32},
      {"int64", ScalarType::Int64}, {"long", ScalarType::Int64}, {"float16", ScalarType::Float16},
      {"half", ScalarType::Float16}, {"float32", ScalarType::Float32}, {"float", ScalarType::Float32},
      {"float64", ScalarType::Float64}, {"double", ScalarType::Float64}, {"bool", ScalarType::Bool},
      {"bfloat16", ScalarType::BFloat16}, {"complex64", ScalarType::Complex64},
      {"complex128", ScalarType::Complex128}};
  for (const auto &[n, t] : kNames)
    if (name == n)
      return t;
  return std::nullopt;
}

// The schema dump writes enum defaults as c10's integer codes (`MemoryFormat memory_format=0`,
// `ScalarType? dtype=4`), which differ from the export schema's codes.
std::optional<ScalarType> scalarTypeFromC10Code(int64_t code) {
  static const std::pair<int64_t, ScalarType> kCodes[] = {
      {0, ScalarType::UInt8},        {1, ScalarType::Int8},        {2, ScalarType::Int16},
      {3, ScalarType::Int32},        {4, ScalarType::Int64},       {5, ScalarType::Float16},
      {6, ScalarType::Float32},      {7, ScalarType::Float64},     {8, ScalarType::Complex32},
      {9, ScalarType::Complex64},    {10, ScalarType::Complex128}, {11, ScalarType::Bool},
      {15, ScalarType::BFloat16},    {23, ScalarType::Float8E5M2}, {24, ScalarType::Float8E4M3FN},
      {25, ScalarType::Float8E5M2FNUZ}, {26, ScalarType::Float8E4M3FNUZ}, {27, ScalarType::UInt16}};
  for (const auto &[c, t] : kCodes)
    if (c == code)
      return t;
  return std::nullopt;
}
std::optional<MemoryFormat> memoryFormatFromC10Code(int64_t code) {
  switch (code) {
  case 0: return MemoryFormat::Contiguous;
  case 1: return MemoryFormat::Preserve;
  case 2: return MemoryFormat::ChannelsLast;
  case 3: return MemoryFormat::ChannelsLast3d;
  default: return std::nullopt;
  }
}
std::optional<Layout> layoutFromC10Code(int64_t code) {
  switch (code) {
  case 0: return Layout::Strided;
  case 1: return Layout::SparseCoo;
  case 2: return Layout::SparseCsr;
  case 3: return Layout::Mkldnn;
  case 4: return Layout::SparseCsc;
  case 5: return Layout::SparseBsr;
  case 6: return Layout::SparseBsc;
  default: return std::nullopt;
  }
}

std::optional<Argument> scalarDefault(const Literal &lit, const std::string &element) {
  if (lit.kind == Literal::Int) {
    if (element == "ScalarType")
      if (std::optional<ScalarType> t = scalarTypeFromC10Code(lit.intValue))
        return Argument::ofScalarType(*t);
    if (element == "MemoryFormat")
      if (std::optional<MemoryFormat> f = memoryFormatFromC10Code(lit.intValue))
        return Argument::ofMemoryFormat(*f);
    if (element == "Layout")
      if (std::optional<Layout> l = layoutFromC10Code(lit.intValue))
        return Argument::ofLayout(*l);
  }
  bool isInt = element == "int" || element == "SymInt";
  if (isInt && lit.kind == Literal::Int)
    return Argument::ofInt(lit.intValue);
  if (element == "float" && (lit.kind == Literal::Int || lit.kind == Literal::Float))
    return Argument::ofFloat(lit.kind == Literal::Int ? double(lit.intValue) : lit.floatValue);
  if (element == "bool" && lit.kind == Literal::Bool)
    return Argument::ofBool(lit.boolValue);
  if (element == "Scalar") {
    if (lit.kind == Literal::Int)
      return Argument::ofInt(lit.intValue);
    if (lit.kind == Literal::Float)
      return Argument::ofFloat(lit.floatValue);
    if (lit.kind == Literal::Bool)
      return Argument::ofBool(lit.boolValue);
  }
  if (element == "str" && lit.kind == Literal::String)
    return Argument::ofString(lit.text);
  if (element == "Device" && lit.kind == Literal::String) {
    Device d;
    std::string_view text = lit.text;
    size_t colon = text.find(':');
    d.type = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      int64_t index = 0;
      std::string_view digits = text.substr(colon + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (ec != std::errc() || end != digits.data() + digits.size())
        return std::nullopt;
      d.index = index;
    }
    return Argument::ofDevice(d);
  }
  if (element == "ScalarType" && lit.kind == Literal::Identifier)
    if (std::optional<ScalarType> t = scalarTypeByName(lit.text))
      return Argument::ofScalarType(*t);
  if (element == "MemoryFormat" && lit.kind == Literal::Identifier) {
    for (int code = 1; code <= 4; ++code)
      if (lit.text == memoryFormatName(MemoryFormat(code)))
        return Argument::ofMemoryFormat(MemoryFormat(code));
  }
  if (element == "Layout" && lit.kind == Literal::Identifier) {
    for (int code = 1; code <= 7; ++code)
      if (lit.text == layoutName(Layout(code)))
        return Argument::ofLayout(Layout(code));
  }
  return std::nullopt;
}

std::optional<Argument> listDefault(const std::vector<Literal> &items, const std::string &element) {
  if (element == "Tensor") {
    if (items.empty())
      return Argument::ofTensors({});
    return std::nullopt;
  }
  if (element == "int" || element == "SymInt") {
    std::vector<int64_t> out;
    for (const Literal &l : items) {
      if (l.kind != Literal::Int)
        return std::nullopt;
      out.push_back(l.intValue);
    }
    return Argument::ofInts(std::move(out));
  }
  if (element == "float") {
    std::vector<double> out;
    for (const Literal &l : items) {
      if (l.kind != Literal::Int && l.kind != Literal::Float)
        return std::nullopt;
      out.push_back(l.kind == Literal::Int ? double(l.intValue) : l.floatValue);
    }
    return Argument::ofFloats(std::move(out));
  }
  if (element == "bool") {
    std::vector<bool> out;
    for (const Literal &l : items) {
      if (l.kind != Literal::Bool)
        return std::nullopt;
      out.push_back(l.boolValue);
    }
    return Argument::ofBools(std::move(out));
  }
  if (element == "str") {
    std::vector<std::string> out;
    for (const Literal &l : items) {
      if (l.kind != Literal::String)
        return std::nullopt;
      out.push_back(l.text);
    }
    return Argument::ofStrings(std::move(out));
  }
  if (items.empty())
    return Argument::ofInts({}); // an empty list of any other element type
  return std::nullopt;
}

// The default typed by the argument's type: `int[2] padding=0` is the list [0, 0].
std::optional<Argument> typedDefault(const Literal &lit, const SchemaArgument &arg) {
  if (lit.kind == Literal::None)
    return Argument::none();
  if (!arg.isList)
    return scalarDefault(lit, arg.elementType);
  if (lit.kind == Literal::List)
    return listDefault(lit.items, arg.elementType);
  std::vector<Literal> repeated(size_t(arg.fixedListSize.value_or(1)), lit);
  return listDefault(repeated, arg.elementType);
}

std::optional<std::string> parseDeclaration(std::string_view text, bool isReturn, SchemaArgument &arg) {
  std::string_view declaration = text;
  std::string_view defaultText;
  size_t equals = findLastTopLevel(text, '=');
  if (equals != std::string_view::npos) {
    if (isReturn)
      return "a return cannot have a default";
    declaration = trim(text.substr(0, equals));
    defaultText = trim(text.substr(equals + 1));
  }
  size_t space = findLastTopLevel(declaration, ' ');
  std::string_view type = declaration;
  if (space != std::string_view::npos) {
    type = trim(declaration.substr(0, space));
    arg.name = std::string(trim(declaration.substr(space + 1)));
  } else if (!isReturn) {
    return "argument " + quote(declaration) + " has no name";
  }
  if (!analyseType(type, arg))
    return "cannot read the type " + quote(type);
  if (equals != std::string_view::npos) {
    std::optional<Literal> lit = parseLiteral(defaultText);
    std::optional<Argument> value = lit ? typedDefault(*lit, arg) : std::nullopt;
    if (!value)
      return "cannot read the default " + quote(defaultText) + " of argument " + quote(arg.name);
    arg.defaultValue = std::move(*value);
  }
  return std::nullopt;
}

} // namespace

std::string OpSchema::qualifiedName() const {
  return ns + "::" + name + (overload.empty() ? "" : "." + overload);
}

const SchemaArgument *OpSchema::findArgument(std::string_view argName) const {
  for (const SchemaArgument &arg : arguments)
    if (arg.name == argName)
      return &arg;
  return nullptr;
}

bool OpSchema::mutatesArguments() const {
  for (const SchemaArgument &arg : arguments)
    if (arg.isMutable)
      return true;
  return false;
}

Expected<OpSchema> parseOpSchema(std::string_view line) {
  line = trim(line);
  auto fail = [&](const std::string &why) { return makeError("bad operator schema " + quote(line) + ": " + why); };
  size_t open = line.find('(');
  if (open == std::string_view::npos)
    return fail("no '('");
  std::string_view qualified = trim(line.substr(0, open));
  size_t colons = qualified.find("::");
  if (colons == std::string_view::npos || colons == 0)
    return fail("the name has no namespace");
  OpSchema schema;
  schema.text = std::string(line);
  schema.ns = std::string(qualified.substr(0, colons));
  std::string_view nameAndOverload = qualified.substr(colons + 2);
  size_t dot = nameAndOverload.find('.');
  schema.name = std::string(nameAndOverload.substr(0, dot));
  if (dot != std::string_view::npos)
    schema.overload = std::string(nameAndOverload.substr(dot + 1));
  if (schema.name.empty())
    return fail("empty operator name");

  size_t close = findClosing(line, open);
  if (close == std::string_view::npos)
    return fail("unbalanced parentheses");
  bool kwargOnly = false;
  for (std::string_view part : splitTopLevel(line.substr(open + 1, close - open - 1), ',')) {
    if (part == "*") {
      kwargOnly = true;
      continue;
    }
    if (part == "...") {
      schema.isVararg = true;
      continue;
    }
    SchemaArgument arg;
    arg.kwargOnly = kwargOnly;
    if (std::optional<std::string> problem = parseDeclaration(part, false, arg))
      return fail(*problem);
    schema.arguments.push_back(std::move(arg));
  }

  std::string_view rest = trim(line.substr(close + 1));
  if (rest.substr(0, 2) != "->")
    return fail("no '->' after the arguments");
  std::string_view returns = trim(rest.substr(2));
  if (returns == "...")
    return schema;
  std::vector<std::string_view> parts;
  if (!returns.empty() && returns.front() == '(' && findClosing(returns, 0) == returns.size() - 1 &&
      !(returns.size() > 1 && returns.back() == ']'))
    parts = splitTopLevel(returns.substr(1, returns.size() - 2), ',');
  else
    parts.push_back(returns);
  for (std::string_view part : parts) {
    if (part.empty())
      continue;
    SchemaArgument ret;
    if (std::optional<std::string> problem = parseDeclaration(part, true, ret))
      return fail(*problem);
    schema.returns.push_back(std::move(ret));
  }
  return schema;
}

} // namespace thunder::pt2
