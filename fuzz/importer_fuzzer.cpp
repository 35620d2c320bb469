//===- importer_fuzzer.cpp - libFuzzer target for the .pt2 importer -------===//
//
// Each input goes the way `thunderc --emit=mlir` takes an archive: read (from memory, with the fuzz
// limits), imported into the thunder dialect (thunder::importArchive, the body of importPT2), verified
// and printed. Errors are expected and their diagnostics are formatted and dropped; crashes, hangs,
// leaks and sanitizer reports are bugs.
//
// An input that is not a zip ("PK" header) is taken as a model JSON (models/<M>.json): the program is
// decoded and validated as the reader does, and its parameters, buffers and constants get zero-filled
// payloads of the graph's types. Mutating JSON text reaches the importer's op converters far more
// often than mutating zip bytes, whose CRCs reject almost every change.
//
//===----------------------------------------------------------------------===//
#include "FuzzLimits.h"

#include "thunder/Importer/Importer.h"
#include "thunder/PT2/Archive.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace thunder;

namespace {

constexpr size_t kMaxSyntheticBytes = 4u << 20; // zero-filled weights, all together

/// The Archive readArchive would give for this program if its weights were stored: a zero-filled
/// payload per parameter, buffer and constant with static sizes (others stay missing, which the
/// importer reports).
pt2::Archive syntheticArchive(pt2::ExportedProgram program) {
  pt2::Archive archive;
  archive.models = {"model"};
  archive.modelName = "model";
  archive.program = std::move(program);
  size_t budget = kMaxSyntheticBytes;
  for (const pt2::InputSpec &spec : archive.program.signature.inputs) {
    bool inWeights = spec.kind == pt2::InputKind::Parameter ||
                     (spec.kind == pt2::InputKind::Buffer && spec.persistent);
    if (!inWeights && spec.kind != pt2::InputKind::Buffer &&
        spec.kind != pt2::InputKind::TensorConstant)
      continue;
    const pt2::TensorMeta *meta = archive.program.graph.findTensorMeta(spec.name);
    if (!meta)
      continue;
    std::optional<std::vector<int64_t>> shape = meta->staticSizes();
    if (!shape)
      continue;
    size_t bytes = pt2::scalarTypeSize(meta->dtype);
    int64_t numel = 1;
    for (int64_t d : *shape) {
      if (d < 0 || (d != 0 && static_cast<uint64_t>(numel) > budget / static_cast<uint64_t>(d)))
        return archive; // the rest stays missing
      numel *= d;
    }
    if (bytes == 0 || static_cast<uint64_t>(numel) > budget / bytes)
      return archive;
    bytes *= static_cast<size_t>(numel);
    budget -= bytes;
    pt2::TensorPayload payload;
    payload.fqn = spec.target;
    payload.pathName = spec.target;
    payload.isParam = spec.kind == pt2::InputKind::Parameter;
    payload.meta = *meta;
    payload.shape = *shape;
    payload.numel = numel;
    payload.setData(std::make_shared<const std::vector<uint8_t>>(bytes, 0), 0);
    payload.setByteSize(bytes);
    (inWeights ? archive.weights : archive.constants).emplace(spec.target, std::move(payload));
  }
  return archive;
}

std::optional<pt2::Archive> readInput(const uint8_t *data, size_t size, bool verbose) {
  static const pt2::ReadLimits limits = fuzz::fuzzLimits();
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
    pt2::ReadOptions options;
    options.limits = limits;
    pt2::Expected<pt2::Archive> archive = pt2::readArchiveFromMemory(data, size, options, "fuzz.pt2");
    if (!archive) {
      if (verbose)
        llvm::errs() << "not read: " << archive.error().message << "\n";
      return std::nullopt;
    }
    return archive.take();
  }
  pt2::Expected<pt2::ExportedProgram> program = pt2::parseExportedProgram(
      std::string_view(reinterpret_cast<const char *>(data), size), limits, "fuzz.json");
  if (!program) {
    if (verbose)
      llvm::errs() << "not read: " << program.error().message << "\n";
    return std::nullopt;
  }
  return syntheticArchive(program.take());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // THUNDER_FUZZ_VERBOSE=1: say what became of each input (for reproducing a find).
  static const bool verbose = std::getenv("THUNDER_FUZZ_VERBOSE") != nullptr;
  std::optional<pt2::Archive> archive = readInput(data, size, verbose);
  if (!archive)
    return 0;

  mlir::DialectRegistry registry;
  registerImporterDialects(registry);
  // A fresh context per input: uniqued attributes and types would otherwise pile up forever.
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    // Formatted (the names in it come from the input) and dropped; kept short.
    if (diagnostics.size() < 4096)
      diagnostics += diag.str();
    return mlir::success();
  });

  mlir::FailureOr<ImportResult> imported = importArchive(context, *archive, "fuzz.pt2");
  if (verbose)
    llvm::errs() << (mlir::failed(imported) ? "import failed: " : "imported") << diagnostics << "\n";
  if (mlir::failed(imported))
    return 0;
  if (mlir::failed(mlir::verify(*imported->module)))
    __builtin_trap(); // importArchive verified it: a second verify cannot fail
  std::string text;
  llvm::raw_string_ostream os(text);
  imported->module->print(os);
  return 0;
}
