//===- NodeBinding.cpp - A node's arguments in schema order ---------------===//
#include "thunder/PT2/OpSchema.h"

#include "Text.h"

namespace thunder::pt2 {

Expected<std::vector<BoundArgument>> bindNode(const Node &node, const OpSchema &schema) {
  std::string where = node.describe() + " (schema " + schema.qualifiedName() + ")";
  std::vector<std::optional<Argument>> given(schema.arguments.size());
  size_t nextPositional = 0;
  for (const NamedArgument &input : node.inputs) {
    size_t index;
    if (input.name.empty()) {
      // Higher-order-op style: no names, bind by position.
      index = nextPositional++;
      if (index >= schema.arguments.size())
        return makeError(where + ": more arguments than the schema's " + std::to_string(schema.arguments.size()));
    } else {
      const SchemaArgument *arg = schema.findArgument(input.name);
      if (!arg)
        return makeError(where + ": unknown argument " + quote(input.name));
      index = size_t(arg - schema.arguments.data());
    }
    if (given[index])
      return makeError(where + ": argument " + quote(schema.arguments[index].name) + " is given twice");
    given[index] = input.arg;
  }
  std::vector<BoundArgument> bound;
  bound.reserve(schema.arguments.size());
  for (size_t i = 0; i < schema.arguments.size(); ++i) {
    const SchemaArgument &arg = schema.arguments[i];
    BoundArgument b;
    b.schema = &arg;
    if (given[i]) {
      b.value = std::move(*given[i]);
    } else if (arg.defaultValue) {
      b.value = *arg.defaultValue;
      b.isDefault = true;
    } else {
      return makeError(where + ": missing required argument " + quote(arg.name));
    }
    bound.push_back(std::move(b));
  }
  return bound;
}

} // namespace thunder::pt2
