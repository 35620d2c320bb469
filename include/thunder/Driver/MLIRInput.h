//===- MLIRInput.h - .mlir files as compiler input, and the dialects --*- C++ -*-===//
//
// For thunderc: a `.mlir` file in place of a .pt2 archive (a module in the
// form the importer produces, docs/dialect.md; or already lowered to linalg
// on tensors), so that code generation is testable without an archive.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_DRIVER_MLIRINPUT_H
#define THUNDER_DRIVER_MLIRINPUT_H

#include "thunder/Importer/Importer.h"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace thunder::driver {

/// Every dialect, interface and LLVM IR translation that thunder::driver::compile
/// may meet or produce. compile() also appends these to the module's context,
/// so calling this is only needed to parse such modules.
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// Parses `path` ("-": standard input) and verifies it. The weights of every
/// param/buffer/constant argument of @forward are its `thunder.init` attribute
/// (dense elements of the argument's type) when present, else zeros.
/// Diagnostics go to the context's handler.
mlir::FailureOr<ImportResult> importMLIRFile(mlir::MLIRContext &context, llvm::StringRef path);

} // namespace thunder::driver

#endif
