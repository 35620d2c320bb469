//===- ExportedProgram.h - The program in models/<M>.json ----------*- C++ -*-===//
//
// A torch.export ExportedProgram (schema 8.x): the graph, what each graph input and output means (the
// signature), and the ranges of its symbolic sizes. Only what a compiler needs is kept; unknown JSON keys
// are ignored.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_EXPORTEDPROGRAM_H
#define THUNDER_PT2_EXPORTEDPROGRAM_H

#include "thunder/PT2/Expected.h"
#include "thunder/PT2/Graph.h"
#include "thunder/PT2/Limits.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thunder::pt2 {

enum class InputKind : uint8_t {
  UserInput,      // arg: any Argument (usually a tensor)
  Parameter,      // arg: tensor; target: parameter FQN (weights config)
  Buffer,         // arg: tensor; target: buffer FQN (weights config if persistent, else constants config)
  TensorConstant, // arg: tensor; target: constant FQN (constants config)
  CustomObj,      // arg: custom object; target: custom_obj FQN (constants config; always pickled)
  Token,          // arg: none; name: the token's name
  ConstantInput,  // arg: the constant value (None, int, float, str or bool); name: the input's name
};
const char *inputKindName(InputKind kind); // the JSON key: "user_input", "parameter", ...

struct InputSpec {
  InputKind kind = InputKind::UserInput;
  Argument arg;
  /// The graph input's name: the tensor, symbolic scalar, custom object or token name; for
  /// ConstantInput the spec's `name`. Empty for a user input that is a constant.
  std::string name;
  /// parameter_name / buffer_name / tensor_constant_name / custom_obj_name; empty otherwise.
  std::string target;
  bool persistent = true; // Buffer only
};

enum class OutputKind : uint8_t {
  UserOutput,          // arg: any Argument
  LossOutput,          // arg: tensor
  BufferMutation,      // arg: tensor; target: buffer FQN (the new value of the buffer)
  GradientToParameter, // arg: tensor; target: parameter FQN
  GradientToUserInput, // arg: tensor; target: user input name
  UserInputMutation,   // arg: tensor; target: user input name
  Token,               // name: the token
  ParameterMutation,   // arg: tensor; target: parameter FQN
};
const char *outputKindName(OutputKind kind);

struct OutputSpec {
  OutputKind kind = OutputKind::UserOutput;
  Argument arg;
  std::string name;   // the graph output's value name (empty for a constant user output)
  std::string target; // buffer_name / parameter_name / user_input_name; empty otherwise
};

struct GraphSignature {
  std::vector<InputSpec> inputs;   // inputs[i] describes graph.inputs[i]
  std::vector<OutputSpec> outputs; // outputs[j] describes graph.outputs[j]
};

/// The range of a symbol; nullopt = unbounded on that side.
struct RangeConstraint {
  std::optional<int64_t> minVal;
  std::optional<int64_t> maxVal;
};

struct SchemaVersion {
  int64_t major = 0;
  int64_t minor = 0;
};

/// How a submodule was called (`module_call_graph`); the root entry (fqn "") holds the pytree specs
/// that map the user's (args, kwargs) to the flat user inputs.
struct ModuleCallEntry {
  std::string fqn;
  bool hasSignature = false;
  std::vector<Argument> inputs;
  std::vector<Argument> outputs;
  std::string inSpec;  // pytree spec JSON, as written
  std::string outSpec;
  std::vector<std::string> forwardArgNames;
};

struct ExportedProgram {
  Graph graph;
  GraphSignature signature;
  std::vector<ModuleCallEntry> moduleCallGraph;
  std::map<std::string, std::string> graphModuleMetadata;
  std::map<std::string, RangeConstraint> rangeConstraints; // by symbol name ("s31")
  SchemaVersion schemaVersion;                             // major is always 8
  std::map<std::string, int64_t> opsetVersion;             // {"aten": 10}
  std::vector<std::string> verifiers;                      // ["TRAINING"] for the default export IR
  std::string torchVersion;                                // "2.11.0+cu130"
  std::vector<std::string> guardsCode;

  /// The spec of the graph input with this name, or nullptr.
  const InputSpec *findInputSpec(const std::string &name) const;
};

/// Decodes and checks models/<M>.json text: JSON limits (size, depth, UTF-8), schema major 8, every
/// variant and enum code known, every value defined before use and every tensor with a TensorMeta,
/// signature and graph inputs/outputs in step. `where` prefixes error messages (e.g. the entry name).
Expected<ExportedProgram> parseExportedProgram(std::string_view json, const ReadLimits &limits = {},
                                               std::string_view where = "model JSON");

} // namespace thunder::pt2

#endif // THUNDER_PT2_EXPORTEDPROGRAM_H
