//===- GraphDecoder.cpp - Graph, Node, TensorMeta and symbolic values -----===//
#include "SchemaDecoder.h"

#include "Text.h"

namespace thunder::pt2::json {
namespace {

struct ParsedExpr {
  std::shared_ptr<const SymExpr> expr;
  std::string text;
  const Json *hint = nullptr; // the SymExprHint union, if any
};

ParsedExpr decodeSymExprStruct(const Json &j, const ReadLimits &limits) {
  ParsedExpr out;
  out.text = member(j, "expr_str", asString);
  Expected<SymExpr> parsed = parseSymExpr(out.text, limits.maxSymExprDepth);
  if (!parsed)
    atPath("expr_str", [&] { fail(parsed.error().message); });
  out.expr = std::make_shared<const SymExpr>(parsed.take());
  out.hint = optionalMember(j, "hint");
  return out;
}

// The hint's value when it has the wanted variant; other variants are ignored (a hint is advisory).
template <typename T, typename F>
std::optional<T> hintValue(const Json *hint, const char *wanted, F decode) {
  if (!hint)
    return std::nullopt;
  return atPath("hint", [&]() -> std::optional<T> {
    const std::pair<std::string, const Json *> chosen = unionVariant(*hint, "SymExprHint");
    const std::string &variant = chosen.first;
    const Json *value = chosen.second;
    if (variant != wanted)
      return std::nullopt;
    return atPath(variant, [&] { return decode(*value); });
  });
}

void checkStaticNonNegative(const std::vector<SymInt> &values, const char *what) {
  for (size_t i = 0; i < values.size(); ++i)
    if (!values[i].isSymbolic() && values[i].value < 0)
      fail(std::string("negative ") + what + " " + std::to_string(values[i].value) + " in dimension " +
           std::to_string(i));
}

ArgumentPassing decodePassing(const Json &j) {
  int64_t code = asInt(j);
  if (code < 0 || code > 2)
    fail("unknown ArgumentKind code " + std::to_string(code));
  return ArgumentPassing(code);
}

NamedArgument decodeNamedArgument(const Json &j, const ReadLimits &limits) {
  NamedArgument out;
  out.name = memberOr(j, "name", std::string(), asString);
  out.arg = member(j, "arg", [&](const Json &a) { return decodeArgument(a, limits); });
  out.passing = memberOr(j, "kind", ArgumentPassing::Unknown, decodePassing);
  return out;
}

std::map<std::string, std::string> decodeStringMap(const Json &j) {
  // Node metadata is advisory: values that are not strings are dropped, not refused.
  std::map<std::string, std::string> out;
  const Json &object = expectObject(j, "metadata");
  for (auto it = object.begin(); it != object.end(); ++it)
    if (it->is_string())
      out.emplace(it.key(), it->get<std::string>());
  return out;
}

} // namespace

SymInt decodeSymInt(const Json &j, const ReadLimits &limits) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "SymInt");
  const std::string &variant = chosen.first;
  const Json *value = chosen.second;
  SymInt out;
  if (variant == "as_int") {
    out.value = atPath(variant, [&] { return asInt(*value); });
  } else if (variant == "as_expr") {
    ParsedExpr e = atPath(variant, [&] { return decodeSymExprStruct(*value, limits); });
    out.expr = std::move(e.expr);
    out.exprText = std::move(e.text);
    out.hint = atPath(variant, [&] { return hintValue<int64_t>(e.hint, "as_int", asInt); });
  } else {
    fail("unknown SymInt variant " + quote(variant));
  }
  return out;
}

SymBool decodeSymBool(const Json &j, const ReadLimits &limits) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "SymBool");
  const std::string &variant = chosen.first;
  const Json *value = chosen.second;
  SymBool out;
  if (variant == "as_bool") {
    out.value = atPath(variant, [&] { return asBool(*value); });
  } else if (variant == "as_expr") {
    ParsedExpr e = atPath(variant, [&] { return decodeSymExprStruct(*value, limits); });
    out.expr = std::move(e.expr);
    out.exprText = std::move(e.text);
    out.hint = atPath(variant, [&] { return hintValue<bool>(e.hint, "as_bool", asBool); });
  } else {
    fail("unknown SymBool variant " + quote(variant));
  }
  return out;
}

SymFloat decodeSymFloat(const Json &j, const ReadLimits &limits) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "SymFloat");
  const std::string &variant = chosen.first;
  const Json *value = chosen.second;
  SymFloat out;
  if (variant == "as_float") {
    out.value = atPath(variant, [&] { return asFloat(*value); });
  } else if (variant == "as_expr") {
    ParsedExpr e = atPath(variant, [&] { return decodeSymExprStruct(*value, limits); });
    out.expr = std::move(e.expr);
    out.exprText = std::move(e.text);
    out.hint = atPath(variant, [&] { return hintValue<double>(e.hint, "as_float", asFloat); });
  } else {
    fail("unknown SymFloat variant " + quote(variant));
  }
  return out;
}

TensorMeta decodeTensorMeta(const Json &j, const ReadLimits &limits) {
  auto symInt = [&](const Json &s) { return decodeSymInt(s, limits); };
  TensorMeta meta;
  meta.dtype = member(j, "dtype", decodeScalarType);
  meta.sizes = member(j, "sizes", [&](const Json &l) { return decodeList<SymInt>(l, symInt); });
  meta.strides = memberOr(j, "strides", std::vector<SymInt>(), [&](const Json &l) {
    return decodeList<SymInt>(l, symInt);
  });
  meta.storageOffset = memberOr(j, "storage_offset", SymInt::constant(0), symInt);
  meta.requiresGrad = memberOr(j, "requires_grad", false, asBool);
  meta.device = memberOr(j, "device", Device(), decodeDevice);
  meta.layout = memberOr(j, "layout", Layout::Strided, [](const Json &l) {
    int64_t code = asInt(l);
    std::optional<Layout> layout = layoutFromCode(code);
    if (!layout)
      fail("unknown layout code " + std::to_string(code));
    return *layout;
  });
  if (meta.strides.size() != meta.sizes.size())
    fail("tensor has " + std::to_string(meta.sizes.size()) + " sizes but " +
         std::to_string(meta.strides.size()) + " strides");
  atPath("sizes", [&] { checkStaticNonNegative(meta.sizes, "size"); });
  atPath("strides", [&] { checkStaticNonNegative(meta.strides, "stride"); });
  if (!meta.storageOffset.isSymbolic() && meta.storageOffset.value < 0)
    atPath("storage_offset", [&] { fail("negative storage offset " + std::to_string(meta.storageOffset.value)); });
  return meta;
}

Node decodeNode(const Json &j, const ReadLimits &limits) {
  Node node;
  // Read the name first so that every error inside this node can name it.
  if (const Json *name = optionalMember(j, "name"); name && name->is_string())
    node.name = name->get<std::string>();
  try {
    node.target = member(j, "target", asString);
    node.inputs = memberOr(j, "inputs", std::vector<NamedArgument>(), [&](const Json &l) {
      return decodeList<NamedArgument>(l, [&](const Json &a) { return decodeNamedArgument(a, limits); });
    });
    node.outputs = memberOr(j, "outputs", std::vector<Argument>(), [&](const Json &l) {
      return decodeList<Argument>(l, [&](const Json &a) { return decodeArgument(a, limits); });
    });
    node.metadata = memberOr(j, "metadata", std::map<std::string, std::string>(), decodeStringMap);
    if (const Json *single = optionalMember(j, "is_hop_single_tensor_return"))
      node.isHopSingleTensorReturn = atPath("is_hop_single_tensor_return", [&] { return asBool(*single); });
  } catch (DecodeError &e) {
    if (e.node.empty())
      e.node = node.name;
    throw;
  }
  if (node.name.empty()) {
    // Writers before node names existed: the first output's name is what FX called the node.
    for (const Argument &out : node.outputs) {
      std::vector<std::string> names = out.referencedNames();
      if (!names.empty()) {
        node.name = names.front();
        break;
      }
    }
  }
  return node;
}

Graph decodeGraph(const Json &j, const ReadLimits &limits) {
  auto argument = [&](const Json &a) { return decodeArgument(a, limits); };
  auto argumentList = [&](const Json &l) { return decodeList<Argument>(l, argument); };
  Graph g;
  g.inputs = memberOr(j, "inputs", std::vector<Argument>(), argumentList);
  g.outputs = memberOr(j, "outputs", std::vector<Argument>(), argumentList);
  g.nodes = memberOr(j, "nodes", std::vector<Node>(), [&](const Json &l) {
    return decodeList<Node>(l, [&](const Json &n) { return decodeNode(n, limits); });
  });
  g.tensorValues = memberOr(j, "tensor_values", std::map<std::string, TensorMeta>(), [&](const Json &m) {
    return decodeMap<TensorMeta>(m, [&](const Json &t) { return decodeTensorMeta(t, limits); });
  });
  g.symIntValues = memberOr(j, "sym_int_values", std::map<std::string, SymInt>(), [&](const Json &m) {
    return decodeMap<SymInt>(m, [&](const Json &s) { return decodeSymInt(s, limits); });
  });
  g.symBoolValues = memberOr(j, "sym_bool_values", std::map<std::string, SymBool>(), [&](const Json &m) {
    return decodeMap<SymBool>(m, [&](const Json &s) { return decodeSymBool(s, limits); });
  });
  g.symFloatValues = memberOr(j, "sym_float_values", std::map<std::string, SymFloat>(), [&](const Json &m) {
    return decodeMap<SymFloat>(m, [&](const Json &s) { return decodeSymFloat(s, limits); });
  });
  g.customObjValues =
      memberOr(j, "custom_obj_values", std::map<std::string, CustomObjArgument>(), [](const Json &m) {
        return decodeMap<CustomObjArgument>(m, [](const Json &c) {
          CustomObjArgument obj;
          obj.name = member(c, "name", asString);
          obj.classFqn = memberOr(c, "class_fqn", std::string(), asString);
          return obj;
        });
      });
  g.isSingleTensorReturn = memberOr(j, "is_single_tensor_return", false, asBool);
  return g;
}

} // namespace thunder::pt2::json
