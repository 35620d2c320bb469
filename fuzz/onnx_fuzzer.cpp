//===- onnx_fuzzer.cpp - libFuzzer target for the ONNX importer -----------===//
//
// Each input is taken as the bytes of an ONNX ModelProto and goes the way
// `thunderc MODEL.onnx --emit=mlir` takes a file: parsed (lib/ONNX's bounds
// checks), imported into the thunder dialect, verified and printed. External
// data is refused (no folder), so no input reaches the file system. Errors are
// expected and dropped; crashes, hangs, leaks and sanitizer reports are bugs.
//
//===----------------------------------------------------------------------===//
#include "thunder/ONNX/ONNXImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace thunder;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const bool verbose = std::getenv("THUNDER_FUZZ_VERBOSE") != nullptr;
  mlir::DialectRegistry registry;
  registerImporterDialects(registry);
  // A fresh context per input: uniqued attributes and types would otherwise pile up.
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    if (diagnostics.size() < 4096)
      diagnostics += diag.str();
    return mlir::success();
  });
  mlir::FailureOr<ImportResult> imported = importONNXBytes(
      context, llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx");
  if (verbose)
    llvm::errs() << (mlir::failed(imported) ? "import failed: " : "imported") << diagnostics
                 << "\n";
  if (mlir::failed(imported))
    return 0;
  if (mlir::failed(mlir::verify(*imported->module)))
    __builtin_trap(); // importONNXBytes verified it: a second verify cannot fail
  std::string text;
  llvm::raw_string_ostream os(text);
  imported->module->print(os);
  return 0;
}
