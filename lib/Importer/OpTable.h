//===- OpTable.h - node targets to converters --------------------*- C++ -*-===//
//
// The importer looks every node's target up here ("aten.add.Tensor",
// "_operator.mul"); there is no chain of comparisons over op names. Each op
// family registers its converters in its own file (ElementwiseOps.cpp, ...).
// In-place variants (`add_`, `relu_`) reuse the functional converter: the
// importer rebinds the mutated tensor to the result.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_IMPORTER_OPTABLE_H
#define THUNDER_LIB_IMPORTER_OPTABLE_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringMap.h"

#include <string>
#include <utility>
#include <vector>

namespace thunder::importer {

class NodeContext;

using ConvertFn = mlir::LogicalResult (*)(NodeContext &);

struct OpEntry {
  ConvertFn convert = nullptr; // null for a refused op
  /// Why the op cannot be compiled (refused ops only).
  std::string refusal;
  /// For in-place ops: the argument the op writes ("self"); empty otherwise.
  std::string mutatedArgument;
};

class OpTable {
public:
  /// The table with every family registered (built once, thread-safe).
  static const OpTable &get();

  /// `target` without `torch.ops.`: "aten.add.Tensor", "_operator.mul".
  void add(llvm::StringRef target, ConvertFn fn);
  /// An in-place variant: `fn` computes the new value of `mutated`.
  void addInPlace(llvm::StringRef target, ConvertFn fn,
                  llvm::StringRef mutated = "self");
  /// Both "aten.X.overload" and "aten.X_.overload" (in place).
  void addWithInPlace(llvm::StringRef name, llvm::StringRef overload, ConvertFn fn);
  /// An op the compiler cannot support, with the reason for its error.
  void refuse(llvm::StringRef target, llvm::StringRef reason);

  /// Accepts targets with or without `torch.ops.`; nullptr when unknown.
  const OpEntry *lookup(llvm::StringRef target) const;
  /// Every supported target (refused ones excluded), sorted.
  std::vector<std::string> targets() const;
  /// Every entry, refused ones included, sorted by target (for reports:
  /// thunder/Importer/OpCoverage.h).
  std::vector<std::pair<std::string, const OpEntry *>> entriesByTarget() const;

private:
  llvm::StringMap<OpEntry> entries;
};

/// Whether `target` ("torch.ops.NS.NAME.default") is an operator of the
/// user's namespace, which compiles to a call of its C function
/// (CustomOps.cpp, docs/custom-ops.md) rather than through the table.
bool isUserOperator(llvm::StringRef target);
/// Its C function: "thunder_custom_NS_NAME".
std::string userOperatorSymbol(llvm::StringRef target);
mlir::LogicalResult convertUserOperator(NodeContext &ctx);

// One registration function per family (each in its *Ops.cpp).
void registerElementwiseOps(OpTable &table);
void registerActivationOps(OpTable &table);
void registerReductionOps(OpTable &table);
void registerDataMovementOps(OpTable &table);
void registerIndexingOps(OpTable &table);
void registerCreationOps(OpTable &table);
void registerLinearAlgebraOps(OpTable &table);
void registerConvolutionOps(OpTable &table);
void registerPoolingOps(OpTable &table);
void registerNormalizationOps(OpTable &table);
void registerAttentionOps(OpTable &table);
void registerLossOps(OpTable &table);
void registerSortOps(OpTable &table);
void registerResizeOps(OpTable &table);
void registerRandomOps(OpTable &table);
void registerSymbolicOps(OpTable &table);
void registerMiscOps(OpTable &table);
void registerBackwardOps(OpTable &table);
void registerExpertOps(OpTable &table);

} // namespace thunder::importer

#endif
