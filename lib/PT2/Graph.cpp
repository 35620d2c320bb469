//===- Graph.cpp - Graphs, nodes and tensor metadata ----------------------===//
#include "thunder/PT2/Graph.h"

namespace thunder::pt2 {

std::optional<int64_t> SymInt::asConstant() const {
  if (!expr)
    return value;
  if (!expr->symbols().empty())
    return std::nullopt;
  return expr->evaluate({});
}

bool TensorMeta::hasStaticShape() const {
  for (const SymInt &s : sizes)
    if (!s.asConstant())
      return false;
  return true;
}

std::optional<std::vector<int64_t>> TensorMeta::staticSizes() const {
  std::vector<int64_t> out;
  out.reserve(sizes.size());
  for (const SymInt &s : sizes) {
    std::optional<int64_t> v = s.asConstant();
    if (!v)
      return std::nullopt;
    out.push_back(*v);
  }
  return out;
}

std::string TensorMeta::toString() const {
  std::string out = scalarTypeName(dtype);
  out += '[';
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i)
      out += ", ";
    if (std::optional<int64_t> v = sizes[i].asConstant())
      out += std::to_string(*v);
    else
      out += sizes[i].expr->toString();
  }
  out += ']';
  return out;
}

const NamedArgument *Node::findInput(const std::string &argName) const {
  for (const NamedArgument &input : inputs)
    if (input.name == argName)
      return &input;
  return nullptr;
}

const std::string &Node::stackTrace() const {
  static const std::string kEmpty;
  auto it = metadata.find("stack_trace");
  return it == metadata.end() ? kEmpty : it->second;
}

std::string Node::describe() const { return "node '" + name + "' (" + target + ")"; }

const TensorMeta *Graph::findTensorMeta(const std::string &name) const {
  auto it = tensorValues.find(name);
  return it == tensorValues.end() ? nullptr : &it->second;
}

} // namespace thunder::pt2
