//===- OpSchema.h - ATen operator schemas ----------------------------*- C++ -*-===//
//
// Nodes leave out arguments that have their default value, so the importer needs each operator's schema
// to know the full argument list. The schemas of every aten:: and prims:: overload of PyTorch 2.11
// (data/aten_schemas.txt) are compiled into the library; OpSchemaRegistry::builtin() parses them once.
//
//   const OpSchema *schema = OpSchemaRegistry::builtin().lookup(node.target); // torch.ops.aten.add.Tensor
//   Expected<std::vector<BoundArgument>> args = bindNode(node, *schema);  // self, other, alpha=1
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_OPSCHEMA_H
#define THUNDER_PT2_OPSCHEMA_H

#include "thunder/PT2/Argument.h"
#include "thunder/PT2/Expected.h"
#include "thunder/PT2/Graph.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace thunder::pt2 {

/// One argument or return of a schema, e.g. `int[2] stride=1`, `Tensor(a!) self`, `*, Scalar alpha=1`.
struct SchemaArgument {
  std::string name;    // empty for an unnamed return
  std::string type;    // as written: "Tensor(a!)", "int[2]", "Scalar?", "Tensor?[]", "SymInt[]"
  std::string baseType;  // annotations removed: "Tensor", "int[2]", "Scalar?", "Tensor?[]"
  std::string elementType; // list element / optional stripped: "Tensor", "int", "Scalar", "SymInt"
  bool isOptional = false;   // the whole value may be None ("Tensor?", "int[]?")
  bool isList = false;       // "int[]", "Tensor?[]", "int[2]"
  std::optional<int> fixedListSize; // 2 for "int[2]"
  bool elementIsOptional = false;   // "Tensor?[]"
  bool isMutable = false;    // alias annotation with '!': "Tensor(a!)"
  std::string aliasSet;      // "a" for "Tensor(a)" / "Tensor(a!)"; empty when none
  bool kwargOnly = false;    // after the `*`
  std::optional<Argument> defaultValue; // typed: `int[2] padding=0` -> Ints [0, 0]; `Scalar alpha=1` -> Int 1

  bool isTensor() const { return elementType == "Tensor"; }
};

struct OpSchema {
  std::string ns;       // "aten", "prims"
  std::string name;     // "add"
  std::string overload; // "Tensor"; empty for the default overload (`.default` in node targets)
  std::vector<SchemaArgument> arguments;
  std::vector<SchemaArgument> returns;
  bool isVararg = false; // the argument list ends in `...`
  std::string text;      // the schema line

  /// "aten::add.Tensor" / "aten::linear".
  std::string qualifiedName() const;
  const SchemaArgument *findArgument(std::string_view argName) const;
  /// True when some argument is mutable (an in-place or out= op).
  bool mutatesArguments() const;
};

/// Parses one schema line: `aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor`.
Expected<OpSchema> parseOpSchema(std::string_view line);

class OpSchemaRegistry {
public:
  /// The schemas compiled into the library (data/aten_schemas.txt), parsed on first use (thread-safe).
  static const OpSchemaRegistry &builtin();
  /// Parses schema text, one schema per line; blank lines and lines starting with '#' are skipped.
  static Expected<OpSchemaRegistry> parse(std::string_view text);

  /// Accepts "aten::add.Tensor", "aten::linear", "aten.add.Tensor", "aten.linear.default",
  /// "torch.ops.aten.add.Tensor", "torch.ops.aten.linear.default". nullptr when unknown (including
  /// non-ATen targets such as "_operator.mul" or "torch.ops.higher_order.cond").
  const OpSchema *lookup(std::string_view opName) const;
  size_t size() const { return schemas_.size(); }
  const std::vector<OpSchema> &schemas() const { return schemas_; }

private:
  std::vector<OpSchema> schemas_;
  std::unordered_map<std::string, size_t> byQualifiedName_; // "aten::add.Tensor" -> index
};

/// The schema name a node target stands for: "torch.ops.aten.add.Tensor" -> "aten::add.Tensor",
/// "torch.ops.aten.linear.default" -> "aten::linear". nullopt when it is not of the form
/// [torch.ops.]<ns>.<op>.<overload> or <ns>::<op>[.<overload>].
std::optional<std::string> schemaNameForTarget(std::string_view target);

/// A schema argument with the value the node gives it, or its default.
struct BoundArgument {
  const SchemaArgument *schema = nullptr; // points into the OpSchema passed to bindNode
  Argument value;
  bool isDefault = false; // the node left it out and the default was used
};

/// The node's arguments in schema order, with defaults filled in. Named inputs bind by name; inputs
/// with an empty name bind by position. Errors (naming the node): an unknown argument name, an argument
/// given twice, a required argument missing, more positional arguments than the schema has.
/// The result points into `schema`, which must outlive it.
Expected<std::vector<BoundArgument>> bindNode(const Node &node, const OpSchema &schema);

} // namespace thunder::pt2

#endif // THUNDER_PT2_OPSCHEMA_H
