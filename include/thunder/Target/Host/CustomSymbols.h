//===- CustomSymbols.h - the user functions a model calls -------*- C++ -*-===//
//
// A model with user operators (thunder.custom_call, docs/custom-ops.md) needs
// their C functions from the libraries given to thunderc --link: which ones,
// whether those libraries define them (checked before any output is
// written), and where the header lists them.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_HOST_CUSTOMSYMBOLS_H
#define THUNDER_TARGET_HOST_CUSTOMSYMBOLS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>
#include <vector>

namespace thunder::target {

struct CustomSymbol {
  std::string symbol; // thunder_custom_NS_NAME[_backward]
  std::string op;     // NS::NAME
  bool backward = false;
};

/// The user functions the module's thunder.custom_call ops name, each once,
/// sorted by symbol.
std::vector<CustomSymbol> getCustomSymbols(mlir::ModuleOp module);

/// Fails with one error per function of `getCustomSymbols(module)` that no
/// file of `libraries` (.so: its dynamic symbols; .o; .a: its index)
/// defines, at the first call of it, or when a library cannot be read.
mlir::LogicalResult checkCustomSymbols(mlir::ModuleOp module,
                                       llvm::ArrayRef<std::string> libraries);

} // namespace thunder::target

#endif
