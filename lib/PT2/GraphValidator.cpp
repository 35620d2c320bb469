//===- GraphValidator.cpp - Def-before-use and signature checks -----------===//
//
// The importer walks nodes in order and looks each input up by name; these checks make a missing or
// late definition an error that names the node instead of a lookup failure deep in the compiler.
//
//===----------------------------------------------------------------------===//
#include "GraphValidator.h"

#include "Text.h"

#include <unordered_map>

namespace thunder::pt2 {
namespace {

constexpr int kGraphInput = -1;

std::vector<std::string> tensorNamesOf(const Argument &arg) {
  return arg.refersToTensors() ? arg.referencedNames() : std::vector<std::string>();
}

class GraphChecker {
public:
  GraphChecker(const Graph &graph, const std::string &where) : graph_(graph), where_(where) {}

  std::optional<std::string> run() {
    if (auto problem = collectDefinitions())
      return problem;
    for (size_t i = 0; i < graph_.nodes.size(); ++i)
      if (auto problem = checkNodeInputs(int(i)))
        return problem;
    for (size_t j = 0; j < graph_.outputs.size(); ++j)
      for (const std::string &name : graph_.outputs[j].referencedNames())
        if (!definedAt_.count(name))
          return where_ + ": graph output " + std::to_string(j) + " " + quote(name) + " is never defined";
    return std::nullopt;
  }

private:
  std::string describeDefinition(int index) const {
    return index == kGraphInput ? std::string("a graph input") : graph_.nodes[size_t(index)].describe();
  }

  std::optional<std::string> define(const Argument &arg, int index) {
    for (const std::string &name : arg.referencedNames()) {
      auto [it, inserted] = definedAt_.emplace(name, index);
      if (!inserted)
        return where_ + ": " + quote(name) + " is defined twice: by " + describeDefinition(it->second) +
               " and by " + describeDefinition(index);
    }
    for (const std::string &name : tensorNamesOf(arg))
      if (!graph_.tensorValues.count(name))
        return where_ + ": tensor " + quote(name) + " (" + (index == kGraphInput ? "a graph input" : "output of " + describeDefinition(index)) +
               ") has no TensorMeta in tensor_values";
    return std::nullopt;
  }

  std::optional<std::string> collectDefinitions() {
    for (const Argument &input : graph_.inputs)
      if (auto problem = define(input, kGraphInput))
        return problem;
    for (size_t i = 0; i < graph_.nodes.size(); ++i)
      for (const Argument &output : graph_.nodes[i].outputs)
        if (auto problem = define(output, int(i)))
          return problem;
    return std::nullopt;
  }

  std::optional<std::string> checkNodeInputs(int index) {
    const Node &node = graph_.nodes[size_t(index)];
    for (const NamedArgument &input : node.inputs) {
      if (input.arg.kind() == ArgKind::Graph) {
        const GraphArgument &sub = input.arg.graph();
        std::string subWhere = where_ + ": " + node.describe() + " subgraph " + quote(sub.name);
        if (auto problem = validateGraph(sub.graph, subWhere))
          return problem;
        continue;
      }
      for (const std::string &name : input.arg.referencedNames()) {
        auto it = definedAt_.find(name);
        if (it == definedAt_.end())
          return where_ + ": " + node.describe() + " uses " + quote(name) + ", which is never defined";
        if (it->second >= index)
          return where_ + ": " + node.describe() + " uses " + quote(name) + " before it is defined (by " +
                 describeDefinition(it->second) + ")";
      }
    }
    return std::nullopt;
  }

  const Graph &graph_;
  const std::string &where_;
  std::unordered_map<std::string, int> definedAt_;
};

// The value name a graph input or output stands for.
std::string valueName(const Argument &arg) {
  std::vector<std::string> names = arg.referencedNames();
  return names.empty() ? std::string() : names.front();
}

} // namespace

std::optional<std::string> validateGraph(const Graph &graph, const std::string &where) {
  return GraphChecker(graph, where).run();
}

std::optional<std::string> validateProgram(const ExportedProgram &program) {
  const Graph &graph = program.graph;
  const GraphSignature &signature = program.signature;
  if (auto problem = validateGraph(graph, "graph_module.graph"))
    return problem;
  if (signature.inputs.size() != graph.inputs.size())
    return "graph_module: the graph has " + std::to_string(graph.inputs.size()) + " inputs but the signature has " +
           std::to_string(signature.inputs.size()) + " input_specs";
  if (signature.outputs.size() != graph.outputs.size())
    return "graph_module: the graph has " + std::to_string(graph.outputs.size()) +
           " outputs but the signature has " + std::to_string(signature.outputs.size()) + " output_specs";
  for (size_t i = 0; i < signature.inputs.size(); ++i) {
    const InputSpec &spec = signature.inputs[i];
    std::string actual = valueName(graph.inputs[i]);
    if (spec.kind != InputKind::ConstantInput && !spec.name.empty() && !actual.empty() && spec.name != actual)
      return "graph_module.signature.input_specs[" + std::to_string(i) + "] (" + inputKindName(spec.kind) +
             ") is for " + quote(spec.name) + " but graph input " + std::to_string(i) + " is " + quote(actual);
  }
  for (size_t j = 0; j < signature.outputs.size(); ++j) {
    const OutputSpec &spec = signature.outputs[j];
    std::string actual = valueName(graph.outputs[j]);
    if (!spec.name.empty() && !actual.empty() && spec.name != actual)
      return "graph_module.signature.output_specs[" + std::to_string(j) + "] (" + outputKindName(spec.kind) +
             ") is for " + quote(spec.name) + " but graph output " + std::to_string(j) + " is " + quote(actual);
  }
  return std::nullopt;
}

} // namespace thunder::pt2
