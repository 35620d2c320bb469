//===- ListOps.h - thunderc --list-ops --------------------------*- C++ -*-===//
#ifndef THUNDER_TOOLS_THUNDERC_LISTOPS_H
#define THUNDER_TOOLS_THUNDERC_LISTOPS_H

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

namespace thunderc {

/// The importer's targets (converted and refused) and every thunder op with
/// its gradient (vjp, no-gradient, none). Returns the exit status.
int listOps(llvm::raw_ostream &os);

/// For the archive at `path`: each node target, its node count, whether it is
/// differentiable (has floating / tensor inputs), and the ops the importer
/// made of it. Returns the exit
/// status (1 when the import fails; the diagnostics are already printed).
int listModelOps(mlir::MLIRContext &context, llvm::StringRef path,
                 llvm::raw_ostream &os);

} // namespace thunderc

#endif
