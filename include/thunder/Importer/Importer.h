//===- Importer.h - .pt2 archive to the thunder dialect ---------*- C++ -*-===//
//
// The importer turns one ExportedProgram of a .pt2 archive into a module with
// `func.func @forward` in the thunder dialect (conventions in docs/importer.md
// and docs/dialect.md: argument/result attributes name parameters, buffers,
// constants and user inputs; weights stay outside the IR in a WeightStore).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_IMPORTER_IMPORTER_H
#define THUNDER_IMPORTER_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace thunder {

namespace pt2 {
struct Archive;
} // namespace pt2

/// Contiguous little-endian bytes of every parameter, buffer and constant, by
/// the name in the argument's `thunder.name` attribute.
struct WeightStore {
  std::map<std::string, std::vector<uint8_t>> bytes;
};

struct ImportOptions {
  /// Which `models/<name>.json` of the archive; empty = "model" or the only one.
  std::string modelName;
  /// Accept an archive saved without (some) weight payloads (--weights=external):
  /// those tensors are left out of the WeightStore instead of being an error.
  bool allowMissingWeights = false;
};

struct ImportResult {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  WeightStore weights;
};

/// What every front end does with a module it built: verify it, then CSE (the
/// decompositions ask for the same sizes and constants many times).
mlir::LogicalResult finishImportedModule(mlir::ModuleOp module);

/// Reads `path` and builds the module. Errors are emitted as MLIR diagnostics
/// (located at the archive, or at the node's Python source line) and yield
/// failure; nothing is ever thrown or aborted on bad input.
mlir::FailureOr<ImportResult> importPT2(mlir::MLIRContext &context,
                                        llvm::StringRef path,
                                        const ImportOptions &options = {});

/// The same for an archive already read (e.g. with pt2::readArchiveFromMemory,
/// as the fuzzer does); `name` stands for the path in locations.
mlir::FailureOr<ImportResult> importArchive(mlir::MLIRContext &context,
                                            const pt2::Archive &archive,
                                            llvm::StringRef name,
                                            const ImportOptions &options = {});

/// The node targets the importer converts ("aten.add.Tensor", "_operator.mul",
/// ...), sorted; for coverage reports (docs/status.md).
std::vector<std::string> supportedOperators();

/// Registers the dialects the importer produces.
void registerImporterDialects(mlir::DialectRegistry &registry);

} // namespace thunder

#endif
