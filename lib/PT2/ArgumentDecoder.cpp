//===- ArgumentDecoder.cpp - The Argument union from JSON -----------------===//
#include "SchemaDecoder.h"

#include "Text.h"

#include "thunder/PT2/Graph.h"

namespace thunder::pt2::json {
namespace {

std::string decodeTensorName(const Json &j) { return member(j, "name", asString); }

SymIntArg decodeSymIntArg(const Json &j) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "SymIntArgument");
  const std::string &variant = chosen.first;
  const Json *value = chosen.second;
  SymIntArg out;
  if (variant == "as_name") {
    out.isName = true;
    out.name = atPath(variant, [&] { return asString(*value); });
  } else if (variant == "as_int") {
    out.value = atPath(variant, [&] { return asInt(*value); });
  } else {
    fail("unknown SymIntArgument variant " + quote(variant));
  }
  return out;
}

SymBoolArg decodeSymBoolArg(const Json &j) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "SymBoolArgument");
  const std::string &variant = chosen.first;
  const Json *value = chosen.second;
  SymBoolArg out;
  if (variant == "as_name") {
    out.isName = true;
    out.name = atPath(variant, [&] { return asString(*value); });
  } else if (variant == "as_bool") {
    out.value = atPath(variant, [&] { return asBool(*value); });
  } else {
    fail("unknown SymBoolArgument variant " + quote(variant));
  }
  return out;
}

SymFloatArg decodeSymFloatArg(const Json &j) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "SymFloatArgument");
  const std::string &variant = chosen.first;
  const Json *value = chosen.second;
  SymFloatArg out;
  if (variant == "as_name") {
    out.isName = true;
    out.name = atPath(variant, [&] { return asString(*value); });
  } else if (variant == "as_float") {
    out.value = atPath(variant, [&] { return asFloat(*value); });
  } else {
    fail("unknown SymFloatArgument variant " + quote(variant));
  }
  return out;
}

Argument::OptionalTensorName decodeOptionalTensor(const Json &j) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "OptionalTensorArgument");
  const std::string &variant = chosen.first;
  const Json *value = chosen.second;
  if (variant == "as_none")
    return std::nullopt;
  if (variant == "as_tensor")
    return atPath(variant, [&] { return decodeTensorName(*value); });
  fail("unknown OptionalTensorArgument variant " + quote(variant));
}

MemoryFormat decodeMemoryFormat(const Json &j) {
  int64_t code = asInt(j);
  std::optional<MemoryFormat> f = memoryFormatFromCode(code);
  if (!f)
    fail("unknown memory format code " + std::to_string(code));
  return *f;
}

Layout decodeLayout(const Json &j) {
  int64_t code = asInt(j);
  std::optional<Layout> l = layoutFromCode(code);
  if (!l)
    fail("unknown layout code " + std::to_string(code));
  return *l;
}

CustomObjArgument decodeCustomObj(const Json &j) {
  CustomObjArgument out;
  out.name = member(j, "name", asString);
  out.classFqn = memberOr(j, "class_fqn", std::string(), asString);
  return out;
}

} // namespace

ScalarType decodeScalarType(const Json &j) {
  int64_t code = asInt(j);
  std::optional<ScalarType> t = scalarTypeFromCode(code);
  if (!t)
    fail("unknown dtype code " + std::to_string(code));
  return *t;
}

Device decodeDevice(const Json &j) {
  Device d;
  d.type = member(j, "type", asString);
  if (const Json *index = optionalMember(j, "index"))
    d.index = atPath("index", [&] { return asInt(*index); });
  return d;
}

bool isKnownArgumentVariant(const std::string &variant) {
  for (int k = 0; k <= int(ArgKind::StringToArgument); ++k)
    if (variant == argKindJsonName(ArgKind(k)))
      return true;
  return false;
}

Argument decodeArgument(const Json &j, const ReadLimits &limits) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "Argument");
  const std::string &variant = chosen.first;
  const Json *valuePtr = chosen.second;
  if (!isKnownArgumentVariant(variant))
    fail("unknown Argument variant " + quote(variant));
  const Json &v = *valuePtr;
  return atPath(variant, [&]() -> Argument {
    if (variant == "as_none")
      return Argument::none();
    if (variant == "as_tensor")
      return Argument::ofTensor(decodeTensorName(v));
    if (variant == "as_tensors")
      return Argument::ofTensors(decodeList<std::string>(v, decodeTensorName));
    if (variant == "as_int")
      return Argument::ofInt(asInt(v));
    if (variant == "as_ints")
      return Argument::ofInts(decodeList<int64_t>(v, asInt));
    if (variant == "as_float")
      return Argument::ofFloat(asFloat(v));
    if (variant == "as_floats")
      return Argument::ofFloats(decodeList<double>(v, asFloat));
    if (variant == "as_string")
      return Argument::ofString(asString(v));
    if (variant == "as_strings")
      return Argument::ofStrings(decodeList<std::string>(v, asString));
    if (variant == "as_sym_int")
      return Argument::make(ArgKind::SymInt, decodeSymIntArg(v));
    if (variant == "as_sym_ints")
      return Argument::make(ArgKind::SymInts, decodeList<SymIntArg>(v, decodeSymIntArg));
    if (variant == "as_scalar_type")
      return Argument::ofScalarType(decodeScalarType(v));
    if (variant == "as_memory_format")
      return Argument::ofMemoryFormat(decodeMemoryFormat(v));
    if (variant == "as_layout")
      return Argument::ofLayout(decodeLayout(v));
    if (variant == "as_device")
      return Argument::ofDevice(decodeDevice(v));
    if (variant == "as_bool")
      return Argument::ofBool(asBool(v));
    if (variant == "as_bools")
      return Argument::ofBools(decodeList<bool>(v, asBool));
    if (variant == "as_sym_bool")
      return Argument::make(ArgKind::SymBool, decodeSymBoolArg(v));
    if (variant == "as_sym_bools")
      return Argument::make(ArgKind::SymBools, decodeList<SymBoolArg>(v, decodeSymBoolArg));
    if (variant == "as_graph") {
      auto graph = std::make_shared<GraphArgument>();
      graph->name = member(v, "name", asString);
      graph->graph = member(v, "graph", [&](const Json &g) { return decodeGraph(g, limits); });
      return Argument::make(ArgKind::Graph, std::shared_ptr<const GraphArgument>(std::move(graph)));
    }
    if (variant == "as_optional_tensors")
      return Argument::make(ArgKind::OptionalTensors,
                            decodeList<Argument::OptionalTensorName>(v, decodeOptionalTensor));
    if (variant == "as_optional_tensor")
      return Argument::make(ArgKind::OptionalTensor, decodeOptionalTensor(v));
    if (variant == "as_custom_obj")
      return Argument::make(ArgKind::CustomObj, decodeCustomObj(v));
    if (variant == "as_operator")
      return Argument::make(ArgKind::Operator, asString(v));
    if (variant == "as_sym_float")
      return Argument::make(ArgKind::SymFloat, decodeSymFloatArg(v));
    if (variant == "as_sym_floats")
      return Argument::make(ArgKind::SymFloats, decodeList<SymFloatArg>(v, decodeSymFloatArg));
    if (variant == "as_complex") {
      ComplexValue c;
      c.real = member(v, "real", asFloat);
      c.imag = member(v, "imag", asFloat);
      return Argument::make(ArgKind::Complex, c);
    }
    if (variant == "as_nested_tensors")
      return Argument::make(ArgKind::NestedTensors, decodeList<std::vector<std::string>>(v, [](const Json &list) {
                              return decodeList<std::string>(list, decodeTensorName);
                            }));
    if (variant == "as_int_lists")
      return Argument::make(ArgKind::IntLists, decodeList<std::vector<int64_t>>(v, [](const Json &list) {
                              return decodeList<int64_t>(list, asInt);
                            }));
    if (variant == "as_string_to_argument") {
      auto map = std::make_shared<StringToArgument>();
      const Json &object = expectObject(v, "a string-to-argument map");
      for (auto it = object.begin(); it != object.end(); ++it)
        map->entries.emplace_back(it.key(),
                                  atPath(keySegment(it.key()), [&] { return decodeArgument(it.value(), limits); }));
      return Argument::make(ArgKind::StringToArgument, std::shared_ptr<const StringToArgument>(std::move(map)));
    }
    fail("Argument variant " + quote(variant) + " is not decoded"); // unreachable: all kinds handled
  });
}

} // namespace thunder::pt2::json
