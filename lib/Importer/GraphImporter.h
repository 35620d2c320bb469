//===- GraphImporter.h - the node walk ---------------------------*- C++ -*-===//
//
// Walks the nodes of a graph in order, looks each target up in the OpTable and
// runs its converter with a NodeContext. Values are named: every graph input
// and node output defines a name, node inputs use them. Subgraphs of
// `wrap_with_set_grad_enabled` / autocast wrappers are inlined in a scope of
// their own. In-place ops rebind the name they mutate; mutated buffers are
// remembered so that they become `mutated_buffer` results.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_IMPORTER_GRAPHIMPORTER_H
#define THUNDER_LIB_IMPORTER_GRAPHIMPORTER_H

#include "SymbolicShapes.h"

#include "thunder/PT2/ExportedProgram.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <string>
#include <vector>

namespace thunder::importer {

class NodeContext;

/// A graph's names: tensors, symbolic ints, and where each name is last used.
struct Scope {
  const pt2::Graph *graph = nullptr;
  llvm::StringMap<mlir::Value> tensors;
  llvm::StringMap<mlir::Value> symInts;
  /// Index of the last node that uses a name; nodes.size() for graph outputs.
  llvm::StringMap<size_t> lastUse;
  /// Values that share memory with another tensor in PyTorch: results of view
  /// ops (`node` made them from `base`) and results of in-place ops (aliases
  /// of the tensor they wrote). A write into one is a write into its base.
  struct View {
    std::string base;
    const pt2::Node *node = nullptr; // null for an alias
  };
  llvm::StringMap<View> views;
  size_t currentNode = 0;
};

class GraphImporter {
public:
  GraphImporter(mlir::OpBuilder &builder, SymbolicShapes &shapes);

  /// Imports `graph` with its inputs bound to `inputs` (nullptr entries for
  /// non-tensor inputs) and returns the values of its outputs.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  importGraph(const pt2::Graph &graph, llvm::ArrayRef<mlir::Value> inputs);

  /// Marks graph-input names of the top graph as buffers (for mutations).
  void setBufferNames(std::map<std::string, std::string> nameToFqn) {
    bufferNames = std::move(nameToFqn);
  }
  /// Buffers written in place (FQN, new value), in order of first write.
  const std::vector<std::pair<std::string, mlir::Value>> &inPlaceBufferWrites() const {
    return bufferWrites;
  }

  /// The location of a node: its name fused with the user's source line.
  mlir::Location nodeLocation(const pt2::Node &node);

  // Used by NodeContext.
  Scope &scope() { return scopes.back(); }
  SymbolicShapes &symbolicShapes() { return shapes; }
  mlir::FailureOr<mlir::Value> lookupTensor(llvm::StringRef name, mlir::Location loc);
  mlir::FailureOr<mlir::Value> lookupSymInt(llvm::StringRef name, mlir::Location loc);
  /// Rebinds a tensor name to a new value (an in-place write), and the tensors
  /// it is a view of to their updated values.
  mlir::LogicalResult writeTensor(llvm::StringRef name, mlir::Value value,
                                  mlir::Location loc);

private:
  mlir::LogicalResult importNode(const pt2::Node &node);
  mlir::LogicalResult inlineSubgraph(const pt2::Node &node, mlir::Location loc);
  void rebind(llvm::StringRef name, mlir::Value value);

  mlir::OpBuilder &builder;
  SymbolicShapes &shapes;
  std::vector<Scope> scopes;
  std::map<std::string, std::string> bufferNames;
  std::vector<std::pair<std::string, mlir::Value>> bufferWrites;
};

} // namespace thunder::importer

#endif
