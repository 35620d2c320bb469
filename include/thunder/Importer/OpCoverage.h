//===- OpCoverage.h - what the importer covers, for reports ------*- C++ -*-===//
//
// The importer's op table as data (`thunderc --list-ops`, docs/status.md via
// scripts/gen_status.py): the targets it converts, the ones it refuses with
// the reason, and, for a given archive, the ops each node became.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_IMPORTER_OPCOVERAGE_H
#define THUNDER_IMPORTER_OPCOVERAGE_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>
#include <vector>

namespace thunder {

/// One entry of the importer's op table.
struct OpTableEntry {
  /// "aten.add.Tensor", "_operator.mul" (without `torch.ops.`).
  std::string target;
  /// Entries with the same number share one converter function (in-place
  /// variants, aliases such as `divide`/`div`); 0 for a refused target.
  unsigned converter = 0;
  /// In-place variants: the argument the op writes ("self", "out").
  std::string mutatedArgument;
  /// Refused targets: why the op cannot be compiled (the error's text).
  std::string refusal;
  /// Whether PyTorch's schema of the target returns a tensor (false for size
  /// queries such as `aten.sym_numel`); unset for targets without a schema
  /// (`_operator.mul`, overloads PyTorch 2.11 does not have).
  std::optional<bool> returnsTensor;
};

/// Every entry of the op table, converted and refused, sorted by target.
/// (supportedOperators() adds the subgraph wrappers the importer inlines.)
std::vector<OpTableEntry> opTableEntries();

/// What the importer made of the nodes of one target in one archive.
struct NodeLowering {
  /// The node target without `torch.ops.`: "aten.add.Tensor", "_operator.mul".
  std::string target;
  /// How many nodes have this target (subgraphs included).
  unsigned count = 0;
  /// Whether some node has a floating tensor input and a floating tensor
  /// output (otherwise PyTorch's autograd never differentiates it here).
  bool differentiable = false;
  /// Whether some node has a floating tensor input; a tensor input.
  bool floatingInput = false;
  bool tensorInput = false;
  /// The ops located at those nodes after import ("thunder.add",
  /// "arith.constant"), sorted and unique; empty for views and identities.
  std::vector<std::string> ops;
  /// The non-thunder ops among `ops` with a floating tensor result (they would
  /// need a VJP rule, which they lack).
  std::vector<std::string> floatingForeignOps;
};

/// Imports the archive at `path` and groups its ops by the node named in
/// their location, one entry per target, sorted by target. Import errors are
/// emitted as diagnostics and give failure.
mlir::FailureOr<std::vector<NodeLowering>>
describeNodeLowerings(mlir::MLIRContext &context, llvm::StringRef path);

} // namespace thunder

#endif
