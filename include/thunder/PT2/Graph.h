//===- Graph.h - Graphs, nodes and tensor metadata -----------------*- C++ -*-===//
//
// The dataflow graph of an exported program (`Graph`, `Node`, `TensorMeta` in export_schema.yaml).
// Values are named: graph inputs and node outputs define names, node inputs and graph outputs use them.
// The reader checks that every name is defined once, before its first use, and that every tensor has a
// TensorMeta in `tensorValues`.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_GRAPH_H
#define THUNDER_PT2_GRAPH_H

#include "thunder/PT2/Argument.h"
#include "thunder/PT2/DType.h"
#include "thunder/PT2/SymExpr.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace thunder::pt2 {

/// A size, stride or offset: a constant, or a symbolic expression with the value it had at export.
struct SymInt {
  int64_t value = 0;                    // when !isSymbolic()
  std::shared_ptr<const SymExpr> expr;  // parsed `expr_str`, when symbolic
  std::string exprText;                 // `expr_str` as written
  std::optional<int64_t> hint;          // the example value at export time, if recorded

  bool isSymbolic() const { return expr != nullptr; }
  /// The constant, or the expression's value when it holds no symbol (e.g. "Integer(4)").
  std::optional<int64_t> asConstant() const;
  static SymInt constant(int64_t v) { SymInt s; s.value = v; return s; }
};

/// A symbolic bool (`sym_bool_values`): a constant or an expression.
struct SymBool {
  bool value = false;
  std::shared_ptr<const SymExpr> expr;
  std::string exprText;
  std::optional<bool> hint;
  bool isSymbolic() const { return expr != nullptr; }
};

/// A symbolic float (`sym_float_values`): a constant or an expression.
struct SymFloat {
  double value = 0.0;
  std::shared_ptr<const SymExpr> expr;
  std::string exprText;
  std::optional<double> hint;
  bool isSymbolic() const { return expr != nullptr; }
};

struct TensorMeta {
  ScalarType dtype = ScalarType::Unknown;
  std::vector<SymInt> sizes;
  std::vector<SymInt> strides; // same length as sizes (checked), in elements
  SymInt storageOffset;        // in elements
  bool requiresGrad = false;
  Device device;
  Layout layout = Layout::Strided;

  size_t rank() const { return sizes.size(); }
  bool hasStaticShape() const;
  /// The sizes when none is symbolic.
  std::optional<std::vector<int64_t>> staticSizes() const;
  /// "float32[s31, 64]": for diagnostics.
  std::string toString() const;
};

enum class ArgumentPassing : uint8_t { Unknown = 0, Positional = 1, Keyword = 2 };

/// One input of a node: the schema argument's name (empty for higher-order ops) and its value.
struct NamedArgument {
  std::string name;
  Argument arg;
  ArgumentPassing passing = ArgumentPassing::Unknown;
};

struct Node {
  /// "torch.ops.aten.add.Tensor", "torch.ops.higher_order.cond", "_operator.mul", ...
  std::string target;
  /// The arguments given; arguments left at their schema default are absent (see bindNode in OpSchema.h).
  std::vector<NamedArgument> inputs;
  /// One Argument per result; see PT2_FORMAT.md §4 for how tuples and lists are written.
  std::vector<Argument> outputs;
  /// "stack_trace", "nn_module_stack", "source_fn_stack", "torch_fn", "custom", "from_node", ...
  std::map<std::string, std::string> metadata;
  std::optional<bool> isHopSingleTensorReturn;
  /// The node's name; older writers omit it, then the reader uses the first output's name.
  std::string name;

  const NamedArgument *findInput(const std::string &argName) const;
  /// metadata["stack_trace"] or an empty string.
  const std::string &stackTrace() const;
  /// "node 'linear' (torch.ops.aten.linear.default)": for diagnostics.
  std::string describe() const;
};

struct Graph {
  std::vector<Argument> inputs;  // graph.inputs[i] <-> signature.inputs[i] for the top graph
  std::vector<Argument> outputs; // graph.outputs[j] <-> signature.outputs[j]
  std::vector<Node> nodes;       // in execution order
  std::map<std::string, TensorMeta> tensorValues;
  std::map<std::string, SymInt> symIntValues;
  std::map<std::string, SymBool> symBoolValues;
  std::map<std::string, SymFloat> symFloatValues;
  std::map<std::string, CustomObjArgument> customObjValues;
  bool isSingleTensorReturn = false;

  const TensorMeta *findTensorMeta(const std::string &name) const;
};

/// A subgraph of a higher-order op (`as_graph`): cond branches, while_loop bodies, wrap_with_* bodies.
/// It has its own inputs and sees no value of the enclosing graph.
struct GraphArgument {
  std::string name;
  Graph graph;
};

} // namespace thunder::pt2

#endif // THUNDER_PT2_GRAPH_H
