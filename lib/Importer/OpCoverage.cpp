//===- OpCoverage.cpp - what the importer covers, for reports -------------===//
//
// Every op the importer builds is located at its node (GraphImporter::
// nodeLocation: a NameLoc with the node's name, fused with the source line),
// so the ops of a node are found by that name after import.
//
//===----------------------------------------------------------------------===//
#include "thunder/Importer/OpCoverage.h"

#include "OpTable.h"

#include "thunder/Importer/Importer.h"
#include "thunder/PT2/Archive.h"
#include "thunder/PT2/OpSchema.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <set>

using namespace mlir;

namespace thunder {

std::vector<OpTableEntry> opTableEntries() {
  std::vector<OpTableEntry> out;
  llvm::DenseMap<importer::ConvertFn, unsigned> converters;
  for (auto &[target, entry] : importer::OpTable::get().entriesByTarget()) {
    OpTableEntry e;
    e.target = target;
    if (entry->convert)
      e.converter = converters.try_emplace(entry->convert, converters.size() + 1)
                        .first->second;
    e.mutatedArgument = entry->mutatedArgument;
    e.refusal = entry->refusal;
    if (const pt2::OpSchema *schema = pt2::OpSchemaRegistry::builtin().lookup(target))
      e.returnsTensor = llvm::any_of(
          schema->returns, [](const pt2::SchemaArgument &r) { return r.isTensor(); });
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

/// The node name of an op's location (the first NameLoc), or "".
StringRef nodeName(Location loc) {
  StringRef name;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l)) {
      name = n.getName().getValue();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

bool isFloatingTensor(Type type) {
  auto tensor = dyn_cast<TensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

struct Collector {
  llvm::StringMap<std::set<std::string>> opsByNode;
  llvm::StringMap<std::set<std::string>> foreignByNode;
  std::map<std::string, NodeLowering> byTarget;

  /// Whether `arg` names a tensor; with `floatingOnly`, a floating tensor.
  bool tensor(const pt2::Graph &graph, const pt2::Argument &arg,
              bool floatingOnly) const {
    if (!arg.refersToTensors())
      return false;
    for (const std::string &name : arg.referencedNames()) {
      auto it = graph.tensorValues.find(name);
      if (it != graph.tensorValues.end() &&
          (!floatingOnly || pt2::isFloatingType(it->second.dtype)))
        return true;
    }
    return false;
  }

  void visit(const pt2::Graph &graph) {
    for (const pt2::Node &node : graph.nodes) {
      StringRef target = node.target;
      target.consume_front("torch.ops.");
      NodeLowering &entry = byTarget[target.str()];
      entry.target = target.str();
      ++entry.count;
      bool floatIn = false, floatOut = false;
      for (const pt2::NamedArgument &input : node.inputs) {
        floatIn |= tensor(graph, input.arg, /*floatingOnly=*/true);
        entry.tensorInput |= tensor(graph, input.arg, /*floatingOnly=*/false);
        if (input.arg.kind() == pt2::ArgKind::Graph)
          visit(input.arg.graph().graph);
      }
      for (const pt2::Argument &output : node.outputs)
        floatOut |= tensor(graph, output, /*floatingOnly=*/true);
      entry.differentiable |= floatIn && floatOut;
      entry.floatingInput |= floatIn;
      auto merge = [](std::vector<std::string> &into, const std::set<std::string> &from) {
        std::set<std::string> all(into.begin(), into.end());
        all.insert(from.begin(), from.end());
        into.assign(all.begin(), all.end());
      };
      auto ops = opsByNode.find(node.name);
      if (ops != opsByNode.end())
        merge(entry.ops, ops->second);
      auto foreign = foreignByNode.find(node.name);
      if (foreign != foreignByNode.end())
        merge(entry.floatingForeignOps, foreign->second);
    }
  }
};

} // namespace

FailureOr<std::vector<NodeLowering>>
describeNodeLowerings(MLIRContext &context, StringRef path) {
  FailureOr<ImportResult> imported = importPT2(context, path);
  if (failed(imported))
    return failure();
  // The import succeeded, so the archive reads.
  pt2::Expected<pt2::Archive> archive = pt2::readArchive(path.str());
  if (!archive)
    return emitError(FileLineColLoc::get(&context, path, 0, 0))
           << archive.error().message;

  Collector collector;
  imported->module->walk([&](Operation *op) {
    if (isa<ModuleOp>(op) || op->hasTrait<OpTrait::IsTerminator>() ||
        op->getNumRegions() != 0)
      return;
    StringRef node = nodeName(op->getLoc());
    if (node.empty())
      return;
    std::string name = op->getName().getStringRef().str();
    collector.opsByNode[node].insert(name);
    if (op->getDialect() && op->getDialect()->getNamespace() == "thunder")
      return;
    // Only a floating result carries a gradient: tensor.dim of a floating
    // tensor (a dynamic extent for a broadcast) reads its shape, not its values.
    if (llvm::any_of(op->getResultTypes(), isFloatingTensor))
      collector.foreignByNode[node].insert(name);
  });
  collector.visit(archive->program.graph);

  std::vector<NodeLowering> out;
  for (auto &[target, entry] : collector.byTarget)
    out.push_back(std::move(entry));
  return out;
}

} // namespace thunder
