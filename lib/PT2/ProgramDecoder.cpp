//===- ProgramDecoder.cpp - ExportedProgram and its signature from JSON ---===//
#include "GraphValidator.h"
#include "JsonText.h"
#include "SchemaDecoder.h"
#include "Text.h"

namespace thunder::pt2::json {
namespace {

std::string tensorArgName(const Json &j) { return member(j, "name", asString); }

// The value name a signature argument stands for: its first referenced name.
std::string firstName(const Argument &arg) {
  std::vector<std::string> names = arg.referencedNames();
  return names.empty() ? std::string() : names.front();
}

InputSpec decodeInputSpec(const Json &j, const ReadLimits &limits) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "InputSpec");
  const std::string &variant = chosen.first;
  const Json *valuePtr = chosen.second;
  const Json &v = *valuePtr;
  auto tensorSpec = [&](InputKind kind, const char *targetKey) {
    InputSpec spec;
    spec.kind = kind;
    spec.name = member(v, "arg", tensorArgName);
    spec.arg = Argument::ofTensor(spec.name);
    spec.target = member(v, targetKey, asString);
    return spec;
  };
  return atPath(variant, [&]() -> InputSpec {
    if (variant == "user_input") {
      InputSpec spec;
      spec.kind = InputKind::UserInput;
      spec.arg = member(v, "arg", [&](const Json &a) { return decodeArgument(a, limits); });
      spec.name = firstName(spec.arg);
      return spec;
    }
    if (variant == "parameter")
      return tensorSpec(InputKind::Parameter, "parameter_name");
    if (variant == "buffer") {
      InputSpec spec = tensorSpec(InputKind::Buffer, "buffer_name");
      spec.persistent = memberOr(v, "persistent", true, asBool);
      return spec;
    }
    if (variant == "tensor_constant")
      return tensorSpec(InputKind::TensorConstant, "tensor_constant_name");
    if (variant == "custom_obj") {
      InputSpec spec;
      spec.kind = InputKind::CustomObj;
      CustomObjArgument obj;
      obj.name = member(v, "arg", [](const Json &a) { return member(a, "name", asString); });
      obj.classFqn = member(v, "arg", [](const Json &a) { return memberOr(a, "class_fqn", std::string(), asString); });
      spec.name = obj.name;
      spec.arg = Argument::make(ArgKind::CustomObj, obj);
      spec.target = member(v, "custom_obj_name", asString);
      return spec;
    }
    if (variant == "token") {
      InputSpec spec;
      spec.kind = InputKind::Token;
      spec.name = member(v, "arg", tensorArgName);
      return spec;
    }
    if (variant == "constant_input") {
      InputSpec spec;
      spec.kind = InputKind::ConstantInput;
      spec.name = member(v, "name", asString);
      spec.arg = member(v, "value", [](const Json &c) {
        const std::pair<std::string, const Json *> chosenConstant = unionVariant(c, "ConstantValue");
        const std::string &kind = chosenConstant.first;
        const Json *value = chosenConstant.second;
        return atPath(kind, [&]() -> Argument {
          if (kind == "as_none")
            return Argument::none();
          if (kind == "as_int")
            return Argument::ofInt(asInt(*value));
          if (kind == "as_float")
            return Argument::ofFloat(asFloat(*value));
          if (kind == "as_string")
            return Argument::ofString(asString(*value));
          if (kind == "as_bool")
            return Argument::ofBool(asBool(*value));
          fail("unknown ConstantValue variant " + quote(kind));
        });
      });
      return spec;
    }
    fail("unknown InputSpec variant " + quote(variant));
  });
}

OutputSpec decodeOutputSpec(const Json &j, const ReadLimits &limits) {
  const std::pair<std::string, const Json *> chosen = unionVariant(j, "OutputSpec");
  const std::string &variant = chosen.first;
  const Json *valuePtr = chosen.second;
  const Json &v = *valuePtr;
  auto tensorSpec = [&](OutputKind kind, const char *targetKey) {
    OutputSpec spec;
    spec.kind = kind;
    spec.name = member(v, "arg", tensorArgName);
    spec.arg = Argument::ofTensor(spec.name);
    if (targetKey)
      spec.target = member(v, targetKey, asString);
    return spec;
  };
  return atPath(variant, [&]() -> OutputSpec {
    if (variant == "user_output") {
      OutputSpec spec;
      spec.kind = OutputKind::UserOutput;
      spec.arg = member(v, "arg", [&](const Json &a) { return decodeArgument(a, limits); });
      spec.name = firstName(spec.arg);
      return spec;
    }
    if (variant == "loss_output")
      return tensorSpec(OutputKind::LossOutput, nullptr);
    if (variant == "buffer_mutation")
      return tensorSpec(OutputKind::BufferMutation, "buffer_name");
    if (variant == "gradient_to_parameter")
      return tensorSpec(OutputKind::GradientToParameter, "parameter_name");
    if (variant == "gradient_to_user_input")
      return tensorSpec(OutputKind::GradientToUserInput, "user_input_name");
    if (variant == "user_input_mutation")
      return tensorSpec(OutputKind::UserInputMutation, "user_input_name");
    if (variant == "parameter_mutation")
      return tensorSpec(OutputKind::ParameterMutation, "parameter_name");
    if (variant == "token") {
      OutputSpec spec;
      spec.kind = OutputKind::Token;
      spec.name = member(v, "arg", tensorArgName);
      return spec;
    }
    fail("unknown OutputSpec variant " + quote(variant));
  });
}

ModuleCallEntry decodeModuleCallEntry(const Json &j, const ReadLimits &limits) {
  ModuleCallEntry entry;
  entry.fqn = memberOr(j, "fqn", std::string(), asString);
  const Json *signature = optionalMember(j, "signature");
  if (!signature)
    return entry;
  atPath("signature", [&] {
    auto argumentList = [&](const Json &l) {
      return decodeList<Argument>(l, [&](const Json &a) { return decodeArgument(a, limits); });
    };
    entry.hasSignature = true;
    entry.inputs = memberOr(*signature, "inputs", std::vector<Argument>(), argumentList);
    entry.outputs = memberOr(*signature, "outputs", std::vector<Argument>(), argumentList);
    entry.inSpec = memberOr(*signature, "in_spec", std::string(), asString);
    entry.outSpec = memberOr(*signature, "out_spec", std::string(), asString);
    entry.forwardArgNames = memberOr(*signature, "forward_arg_names", std::vector<std::string>(),
                                     [](const Json &l) { return decodeList<std::string>(l, asString); });
  });
  return entry;
}

RangeConstraint decodeRangeConstraint(const Json &j) {
  // Bounds beyond int64 (sympy's int_oo written as a huge number) mean unbounded.
  auto bound = [](const Json &b) -> std::optional<int64_t> {
    if (b.is_number_unsigned() && b.get<uint64_t>() > uint64_t(INT64_MAX))
      return std::nullopt;
    if (b.is_number_float())
      return std::nullopt; // +-inf written as a float
    return asInt(b);
  };
  RangeConstraint r;
  r.minVal = memberOr(j, "min_val", std::optional<int64_t>(), bound);
  r.maxVal = memberOr(j, "max_val", std::optional<int64_t>(), bound);
  if (r.minVal && r.maxVal && *r.minVal > *r.maxVal)
    fail("empty range: min_val " + std::to_string(*r.minVal) + " > max_val " + std::to_string(*r.maxVal));
  return r;
}

SchemaVersion decodeSchemaVersion(const Json &j) {
  SchemaVersion v;
  v.major = member(j, "major", asInt);
  v.minor = memberOr(j, "minor", int64_t(0), asInt);
  if (v.major != 8)
    fail("schema version " + std::to_string(v.major) + "." + std::to_string(v.minor) +
         " is not supported (thunderc reads schema 8.x, written by PyTorch 2.3 to 2.11)");
  return v;
}

} // namespace

GraphSignature decodeSignature(const Json &j, const ReadLimits &limits) {
  GraphSignature s;
  s.inputs = memberOr(j, "input_specs", std::vector<InputSpec>(), [&](const Json &l) {
    return decodeList<InputSpec>(l, [&](const Json &i) { return decodeInputSpec(i, limits); });
  });
  s.outputs = memberOr(j, "output_specs", std::vector<OutputSpec>(), [&](const Json &l) {
    return decodeList<OutputSpec>(l, [&](const Json &o) { return decodeOutputSpec(o, limits); });
  });
  return s;
}

ExportedProgram decodeExportedProgram(const Json &j, const ReadLimits &limits) {
  expectObject(j, "an ExportedProgram");
  ExportedProgram p;
  // The version first: an unsupported major version explains every later mismatch.
  p.schemaVersion = member(j, "schema_version", decodeSchemaVersion);
  const Json &module = requiredMember(j, "graph_module");
  atPath("graph_module", [&] {
    p.graph = member(module, "graph", [&](const Json &g) { return decodeGraph(g, limits); });
    p.signature = member(module, "signature", [&](const Json &s) { return decodeSignature(s, limits); });
    p.moduleCallGraph = memberOr(module, "module_call_graph", std::vector<ModuleCallEntry>(), [&](const Json &l) {
      return decodeList<ModuleCallEntry>(l, [&](const Json &e) { return decodeModuleCallEntry(e, limits); });
    });
    p.graphModuleMetadata = memberOr(module, "metadata", std::map<std::string, std::string>(), [](const Json &m) {
      return decodeMap<std::string>(m, [](const Json &s) { return s.is_string() ? s.get<std::string>() : s.dump(); });
    });
  });
  p.opsetVersion = memberOr(j, "opset_version", std::map<std::string, int64_t>(),
                            [](const Json &m) { return decodeMap<int64_t>(m, asInt); });
  p.rangeConstraints = memberOr(j, "range_constraints", std::map<std::string, RangeConstraint>(),
                                [](const Json &m) { return decodeMap<RangeConstraint>(m, decodeRangeConstraint); });
  p.verifiers = memberOr(j, "verifiers", std::vector<std::string>(),
                         [](const Json &l) { return decodeList<std::string>(l, asString); });
  p.torchVersion = memberOr(j, "torch_version", std::string(), asString);
  p.guardsCode = memberOr(j, "guards_code", std::vector<std::string>(),
                          [](const Json &l) { return decodeList<std::string>(l, asString); });
  return p;
}

} // namespace thunder::pt2::json

namespace thunder::pt2 {

Expected<ExportedProgram> parseExportedProgram(std::string_view text, const ReadLimits &limits,
                                               std::string_view where) {
  std::string prefix = std::string(where) + ": ";
  Expected<nlohmann::json> document = parseJsonText(text, limits);
  if (!document)
    return makeError(prefix + document.error().message);
  try {
    ExportedProgram program = json::decodeExportedProgram(*document, limits);
    if (std::optional<std::string> problem = validateProgram(program))
      return makeError(prefix + *problem);
    return program;
  } catch (const json::DecodeError &e) {
    return makeError(prefix + e.render());
  } catch (const std::bad_alloc &) {
    return makeError(prefix + "out of memory while decoding the program");
  } catch (const std::exception &e) {
    return makeError(prefix + "unexpected failure while decoding the program: " + e.what());
  }
}

} // namespace thunder::pt2
