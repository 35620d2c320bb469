//===- ONNXImporter.h - ONNX ModelProto to the thunder dialect --*- C++ -*-===//
//
// The second front end: an ONNX model (a ModelProto, opset 13 and later, with
// its external data files) becomes the same `func.func @forward` in the
// thunder dialect as a .pt2 archive does (docs/dialect.md), so lowering,
// autodiff and both targets are shared. docs/onnx.md tells how.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_ONNX_ONNXIMPORTER_H
#define THUNDER_ONNX_ONNXIMPORTER_H

#include "thunder/Importer/Importer.h"

#include <string>
#include <utility>
#include <vector>

namespace thunder {

/// Whether `path` is an ONNX model rather than a .pt2 archive: the extension
/// `.onnx`, or bytes that are no zip archive and open as a ModelProto does
/// (field 1, `ir_version`, a varint).
bool looksLikeONNX(llvm::StringRef path);

/// Reads the model at `path` (external data relative to its folder) and builds
/// the module. Errors are MLIR diagnostics located at the file, or at the node
/// (its name and op_type); never a crash on bad input.
mlir::FailureOr<ImportResult> importONNX(mlir::MLIRContext &context,
                                         llvm::StringRef path,
                                         const ImportOptions &options = {});

/// The same for the bytes of a ModelProto; `name` stands for the path in
/// locations. External data is refused unless `externalDataDir` is given.
mlir::FailureOr<ImportResult> importONNXBytes(mlir::MLIRContext &context,
                                              llvm::StringRef bytes,
                                              llvm::StringRef name,
                                              llvm::StringRef externalDataDir = {},
                                              const ImportOptions &options = {});

/// The op_types of the standard domain the importer converts, sorted, each
/// with the oldest opset whose semantics of it the converter implements.
std::vector<std::pair<std::string, int64_t>> supportedONNXOperators();

} // namespace thunder

#endif
