//===- GraphImporter.cpp - the node walk ----------------------------------===//
#include "GraphImporter.h"
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"
#include "Views.h"

#include "thunder/PT2/OpSchema.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace thunder::importer {

namespace {

/// A frame of a Python stack trace.
struct Frame {
  std::string file;
  unsigned line = 0;
};

std::vector<Frame> parseStackTrace(StringRef text) {
  std::vector<Frame> frames;
  size_t pos = 0;
  while ((pos = text.find("File \"", pos)) != StringRef::npos) {
    pos += 6;
    size_t end = text.find('"', pos);
    if (end == StringRef::npos)
      break;
    Frame f;
    f.file = text.slice(pos, end).str();
    pos = end + 1;
    StringRef rest = text.drop_front(pos);
    if (rest.consume_front(", line ")) {
      size_t digits = rest.find_first_not_of("0123456789");
      rest.take_front(digits).getAsInteger(10, f.line);
    }
    frames.push_back(std::move(f));
  }
  return frames;
}

/// Frames of PyTorch itself or of installed packages.
bool isLibraryFrame(StringRef file) {
  if (file.contains("site-packages/") || file.contains("dist-packages/") ||
      file.starts_with("<"))
    return true;
  // A PyTorch source tree: .../torch/<module>/...
  size_t pos = file.rfind("/torch/");
  if (pos == StringRef::npos)
    return false;
  StringRef sub = file.drop_front(pos + 7);
  static const char *const kTorchParts[] = {
      "nn/",         "fx/",          "export/",    "_export/",  "_dynamo/",
      "_functorch/", "_higher_order_ops/", "utils/", "_refs/",  "_prims/",
      "_decomp/",    "autograd/",    "amp/",       "ao/",       "_subclasses/",
      "_library/",   "distributed/", "cuda/",      "_ops.py",   "_tensor.py",
      "functional.py", "overrides.py", "_jit_internal.py", "__init__.py"};
  for (const char *part : kTorchParts)
    if (sub.starts_with(part))
      return true;
  return false;
}

/// View ops: their result shares memory with an input.
bool isViewOp(StringRef target) {
  static const llvm::StringSet<> kViews = {
      "aten.view.default",      "aten.slice.Tensor",     "aten.select.int",
      "aten.narrow.default",    "aten.expand.default",   "aten.transpose.int",
      "aten.permute.default",   "aten.t.default",        "aten.unsqueeze.default",
      "aten.squeeze.dim",       "aten.squeeze.dims",     "aten.squeeze.default",
      "aten.alias.default",     "aten.as_strided.default", "aten.diagonal.default",
      "aten.unflatten.int",     "aten.detach.default",   "aten.numpy_T.default",
      "aten.movedim.int",       "aten.split.Tensor",     "aten.chunk.default",
      "aten.unbind.int",        "aten.split_with_sizes.default", "aten.view_as.default",
      "aten.expand_as.default", "aten.reshape.default",  "aten.flatten.using_ints"};
  return kViews.contains(target);
}

/// Higher-order ops whose subgraph runs once, inline (`wrap_with_*`).
bool isInlinedWrapper(StringRef target) {
  return target == "higher_order.wrap_with_set_grad_enabled" ||
         target == "higher_order.wrap_with_autocast" ||
         target == "higher_order.autocast";
}

} // namespace

GraphImporter::GraphImporter(OpBuilder &builder, SymbolicShapes &shapes)
    : builder(builder), shapes(shapes) {}

Location GraphImporter::nodeLocation(const pt2::Node &node) {
  MLIRContext *ctx = builder.getContext();
  Location name = NameLoc::get(StringAttr::get(ctx, node.name));
  std::vector<Frame> frames = parseStackTrace(node.stackTrace());
  if (frames.empty())
    return name;
  const Frame *chosen = &frames.back();
  for (auto it = frames.rbegin(); it != frames.rend(); ++it)
    if (!isLibraryFrame(it->file)) {
      chosen = &*it;
      break;
    }
  Location file = FileLineColLoc::get(ctx, chosen->file, chosen->line, 0);
  return FusedLoc::get(ctx, {name, file});
}

FailureOr<Value> GraphImporter::lookupTensor(StringRef name, Location loc) {
  Scope &s = scope();
  auto it = s.tensors.find(name);
  if (it != s.tensors.end())
    return it->second;
  if (s.symInts.count(name))
    return emitError(loc) << "'" << name
                          << "' is a symbolic int where a tensor is expected";
  return emitError(loc) << "use of undefined value '" << name << "'";
}

FailureOr<Value> GraphImporter::lookupSymInt(StringRef name, Location loc) {
  Scope &s = scope();
  auto it = s.symInts.find(name);
  if (it != s.symInts.end())
    return it->second;
  // A name in sym_int_values that no node defines: evaluate its expression.
  auto expr = s.graph->symIntValues.find(name.str());
  if (expr != s.graph->symIntValues.end()) {
    FailureOr<OpFoldResult> v = shapes.size(expr->second, builder, loc);
    if (failed(v))
      return failure();
    Value value = Emitter(builder, loc).indexValue(*v);
    s.symInts[name] = value;
    return value;
  }
  return emitError(loc) << "use of undefined symbolic int '" << name << "'";
}

void GraphImporter::rebind(StringRef name, Value value) {
  Scope &s = scope();
  s.tensors[name] = value;
  if (scopes.size() != 1)
    return;
  auto buffer = bufferNames.find(name.str());
  if (buffer == bufferNames.end())
    return;
  auto it = llvm::find_if(bufferWrites,
                          [&](const auto &w) { return w.first == buffer->second; });
  if (it != bufferWrites.end())
    it->second = value;
  else
    bufferWrites.emplace_back(buffer->second, value);
}

LogicalResult GraphImporter::writeTensor(StringRef name, Value value,
                                         Location loc) {
  Scope &s = scope();
  rebind(name, value);
  // Aliases of the written tensor (earlier in-place results) follow it.
  for (auto &[other, view] : s.views)
    if (!view.node && view.base == name && other != name)
      if (s.tensors.lookup(other) != value)
        rebind(other, value);
  auto it = s.views.find(name);
  if (it == s.views.end())
    return success();
  Scope::View view = it->second;
  // Other views of the same base that are still used would go stale.
  for (auto &[other, w] : s.views) {
    if (other == name || w.base != view.base || !w.node)
      continue;
    auto use = s.lastUse.find(other);
    if (use != s.lastUse.end() && use->second > s.currentNode)
      return emitError(loc) << "in-place update of '" << name << "' changes '"
                            << view.base << "', of which '" << other
                            << "' is another view that is used later; such "
                               "aliasing is not supported";
  }
  FailureOr<Value> base = lookupTensor(view.base, loc);
  if (failed(base))
    return failure();
  if (!view.node)
    return writeTensor(view.base, value, loc);
  FailureOr<Value> updated = writeThroughView(builder, loc, *view.node, *base, value);
  if (failed(updated))
    return failure();
  return writeTensor(view.base, *updated, loc);
}

FailureOr<SmallVector<Value>>
GraphImporter::importGraph(const pt2::Graph &graph, ArrayRef<Value> inputs) {
  scopes.emplace_back();
  Scope &s = scopes.back();
  s.graph = &graph;
  llvm::scope_exit popScope([&] { scopes.pop_back(); });

  // Where each name is used last.
  for (auto [i, node] : llvm::enumerate(graph.nodes))
    for (const pt2::NamedArgument &in : node.inputs)
      for (const std::string &name : in.arg.referencedNames())
        s.lastUse[name] = i;
  for (const pt2::Argument &out : graph.outputs)
    for (const std::string &name : out.referencedNames())
      s.lastUse[name] = graph.nodes.size();

  for (auto [i, in] : llvm::enumerate(graph.inputs)) {
    if (i >= inputs.size() || !inputs[i])
      continue;
    if (in.kind() == pt2::ArgKind::Tensor)
      s.tensors[in.tensorName()] = inputs[i];
    else if (in.kind() == pt2::ArgKind::SymInt && in.symInt().isName)
      s.symInts[in.symInt().name] = inputs[i];
  }

  for (auto [i, node] : llvm::enumerate(graph.nodes)) {
    scopes.back().currentNode = i;
    if (failed(importNode(node)))
      return failure();
  }

  SmallVector<Value> outputs;
  for (const pt2::Argument &out : graph.outputs) {
    if (out.kind() == pt2::ArgKind::Tensor) {
      FailureOr<Value> v = lookupTensor(out.tensorName(), builder.getUnknownLoc());
      if (failed(v))
        return failure();
      outputs.push_back(*v);
    } else if (out.kind() == pt2::ArgKind::Tensors) {
      for (const std::string &name : out.tensorNames()) {
        FailureOr<Value> v = lookupTensor(name, builder.getUnknownLoc());
        if (failed(v))
          return failure();
        outputs.push_back(*v);
      }
    } else {
      outputs.push_back(Value()); // the caller decides whether that is allowed
    }
  }
  return outputs;
}

LogicalResult GraphImporter::inlineSubgraph(const pt2::Node &node,
                                            Location loc) {
  // [flags..., as_graph, tensors...]: the tensors after the graph are its inputs.
  const pt2::GraphArgument *sub = nullptr;
  SmallVector<Value> inputs;
  for (const pt2::NamedArgument &in : node.inputs) {
    if (in.arg.kind() == pt2::ArgKind::Graph) {
      sub = &in.arg.graph();
      continue;
    }
    if (!sub)
      continue;
    if (in.arg.kind() == pt2::ArgKind::Tensor) {
      FailureOr<Value> v = lookupTensor(in.arg.tensorName(), loc);
      if (failed(v))
        return failure();
      inputs.push_back(*v);
    } else if (in.arg.kind() == pt2::ArgKind::Tensors) {
      for (const std::string &name : in.arg.tensorNames()) {
        FailureOr<Value> v = lookupTensor(name, loc);
        if (failed(v))
          return failure();
        inputs.push_back(*v);
      }
    } else if (in.arg.kind() == pt2::ArgKind::SymInt && in.arg.symInt().isName) {
      FailureOr<Value> v = lookupSymInt(in.arg.symInt().name, loc);
      if (failed(v))
        return failure();
      inputs.push_back(*v);
    } else {
      inputs.push_back(Value());
    }
  }
  if (!sub)
    return emitError(loc) << "higher-order op without a subgraph";
  if (sub->graph.inputs.size() != inputs.size())
    return emitError(loc) << "subgraph '" << sub->name << "' takes "
                          << sub->graph.inputs.size() << " inputs, the node gives "
                          << inputs.size();
  FailureOr<SmallVector<Value>> results = importGraph(sub->graph, inputs);
  if (failed(results))
    return failure();
  // The node's outputs, flattened, take the subgraph's outputs in order.
  SmallVector<std::string> names;
  for (const pt2::Argument &out : node.outputs) {
    if (out.kind() == pt2::ArgKind::Tensor)
      names.push_back(out.tensorName());
    else if (out.kind() == pt2::ArgKind::Tensors)
      llvm::append_range(names, out.tensorNames());
    else
      names.push_back("");
  }
  if (names.size() != results->size())
    return emitError(loc) << "the subgraph returns " << results->size()
                          << " values, the node names " << names.size();
  for (auto [name, value] : llvm::zip(names, *results))
    if (!name.empty() && value)
      scope().tensors[name] = value;
  return success();
}

LogicalResult GraphImporter::importNode(const pt2::Node &node) {
  Location loc = nodeLocation(node);
  StringRef target = node.target;
  target.consume_front("torch.ops.");
  if (isInlinedWrapper(target))
    return inlineSubgraph(node, loc);

  const OpEntry *entry = OpTable::get().lookup(target);
  static const OpEntry userOperator{convertUserOperator, "", ""};
  if (!entry && isUserOperator(node.target))
    entry = &userOperator;
  if (!entry)
    return emitError(loc) << "unsupported operator '" << target << "'";
  if (!entry->convert)
    return emitError(loc) << "unsupported operator '" << target << "': "
                          << entry->refusal;

  // Arguments in schema order with defaults; targets without a schema
  // (_operator.mul, torch.sym_max) take the node's named inputs as given.
  std::vector<std::pair<std::string, pt2::Argument>> args;
  if (const pt2::OpSchema *schema =
          pt2::OpSchemaRegistry::builtin().lookup(node.target)) {
    pt2::Expected<std::vector<pt2::BoundArgument>> bound =
        pt2::bindNode(node, *schema);
    if (!bound)
      return emitError(loc) << bound.error().message;
    for (pt2::BoundArgument &a : bound.value())
      args.emplace_back(a.schema->name, std::move(a.value));
  } else {
    for (const pt2::NamedArgument &in : node.inputs)
      args.emplace_back(in.name, in.arg);
  }

  Block *block = builder.getInsertionBlock();
  Operation *before = block->empty() ? nullptr : &block->back();
  NodeContext ctx(*this, node, std::move(args), builder, loc);
  if (failed(entry->convert(ctx)))
    return failure();

  // Every used result must have been produced.
  for (auto [i, slot] : llvm::enumerate(ctx.slots()))
    if (!slot.name.empty() && !slot.bound && ctx.resultUsed(i))
      return emitError(loc) << "the converter of '" << target
                            << "' did not produce result " << i << " ('"
                            << slot.name << "')";

  // Check the new ops now, so that a shape contradiction names this node.
  for (Operation *op = before            ? before->getNextNode()
                     : block->empty() ? nullptr
                                      : &block->front();
       op;
       op = op->getNextNode()) {
    if (failed(mlir::verify(op, /*verifyRecursively=*/false)))
      return failure();
  }

  Scope &s = scope();
  if (isViewOp(target)) {
    std::string base;
    for (const auto &in : node.inputs)
      if (in.arg.kind() == pt2::ArgKind::Tensor) {
        base = in.arg.tensorName();
        break;
      }
    if (!base.empty())
      for (const NodeContext::Slot &slot : ctx.slots())
        if (!slot.name.empty())
          s.views[slot.name] = Scope::View{base, &node};
  }

  // In place: the mutated tensor's name now means the result, which is an
  // alias of it.
  if (!entry->mutatedArgument.empty()) {
    const pt2::Argument *mutated = ctx.get(entry->mutatedArgument);
    if (mutated && mutated->kind() == pt2::ArgKind::Tensor &&
        !ctx.slots().empty() && ctx.slots()[0].bound) {
      const std::string &out = ctx.slots()[0].name;
      Value result = s.tensors.lookup(out);
      if (!out.empty() && out != mutated->tensorName())
        s.views[out] = Scope::View{mutated->tensorName(), nullptr};
      if (failed(writeTensor(mutated->tensorName(), result, loc)))
        return failure();
    }
  }
  return success();
}

} // namespace thunder::importer
