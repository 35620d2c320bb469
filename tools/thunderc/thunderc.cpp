//===- thunderc.cpp - the thunderc compiler driver ------------------------===//
//
//   thunderc MODEL.pt2 -o OUT [--target=cuda|cpu] [--gpu-arch=sm_90,sm_80]
//            [--backward] [--emit=so|obj|mlir|ptx|header] [-O0..-O3]
//            [--weights=embedded|external] [--name=NAME] [--link=LIB]...
//            [--print-ir-after-all] [--print-ir-after=PASS] [-v] [--time-passes]
//   thunderc --list-ops [MODEL.pt2]
//
// Imports the archive (thunder::importPT2) and either prints the module
// (--emit=mlir) or hands it to thunder::driver::compile. Exit status: 0 on
// success, 1 for a bad or unsupported input (diagnostics on stderr that start
// with `error:` and name the file, node and Python source line), 2 for a bad
// command line (see /work/shared/design/CONTRACT.md). Outputs are written
// atomically: a failed run never leaves a partial or stale file.
// --weights=external leaves the payloads out of the .so and writes them to
// MODEL.weights.safetensors beside it (nothing when the archive has none).
// --name=NAME names the model and its own copy of the C API (NAME_forward, ...;
// docs/serving.md); the default is the input's stem.
//
//===----------------------------------------------------------------------===//
#include "ListOps.h"
#include "MeshOption.h"
#include "thunder/Importer/Importer.h"
#include "thunder/ONNX/ONNXImporter.h"

#ifdef THUNDERC_HAVE_DRIVER
#include "thunder/Driver/Compile.h"
#include "thunder/Driver/MLIRInput.h"
#include "thunder/Target/Host/PrefixedAPI.h"
#endif

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace mlir;

namespace {

struct Options {
  std::string input;
  std::string output;
  std::string target = "cuda";
  std::string gpuArch = "sm_90";
  bool backward = false;
  bool perSample = false;
  std::string fp32Matmul;
  std::string autocast = "none";
  std::string emit = "so";
  std::string weights = "embedded";
  std::string mesh;
  bool shardParams = false;
  std::string name;
  std::vector<std::string> link;
  int optLevel = 2;
  bool printIrAfterAll = false;
  std::string printIrAfter;
  bool verbose = false;
  bool timePasses = false;
};

/// The node name and the Python source line a location carries.
void describeLocation(Location loc, std::string &node, std::string &source) {
  loc->walk([&](Location l) {
    if (auto name = dyn_cast<NameLoc>(l)) {
      if (node.empty())
        node = name.getName().str();
    } else if (auto file = dyn_cast<FileLineColLoc>(l)) {
      if (source.empty() && file.getLine() > 0)
        source = (file.getFilename().getValue() + ":" + llvm::Twine(file.getLine())).str();
    }
    return WalkResult::advance();
  });
}

/// Prints `error: FILE: node 'x' (model.py:12): message`.
void printDiagnostic(Diagnostic &diag, StringRef file, bool isNote = false) {
  const char *severity = "error";
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    severity = "error";
    break;
  case DiagnosticSeverity::Warning:
    severity = "warning";
    break;
  case DiagnosticSeverity::Note:
    severity = "note";
    break;
  case DiagnosticSeverity::Remark:
    severity = "remark";
    break;
  }
  std::string node, source;
  describeLocation(diag.getLocation(), node, source);
  llvm::raw_ostream &os = llvm::errs();
  if (isNote)
    os << "  ";
  os << severity << ": " << file << ": ";
  if (!node.empty()) {
    os << "node '" << node << "'";
    if (!source.empty())
      os << " (" << source << ")";
    os << ": ";
  } else if (!source.empty()) {
    os << source << ": ";
  }
  os << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note, file, /*isNote=*/true);
}

/// Writes `text` to `path` through a temporary file in the same directory.
bool writeAtomically(StringRef path, StringRef text, StringRef inputFile) {
  if (path == "-") {
    llvm::outs() << text;
    llvm::outs().flush();
    return true;
  }
  SmallString<256> model(path);
  model += ".tmp.%%%%%%";
  int fd = -1;
  SmallString<256> tmp;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, tmp)) {
    llvm::errs() << "error: " << inputFile << ": cannot create '" << model
                 << "': " << ec.message() << "\n";
    return false;
  }
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << text;
    os.close();
    if (os.has_error()) {
      llvm::errs() << "error: " << inputFile << ": cannot write '" << tmp
                   << "': " << os.error().message() << "\n";
      os.clear_error();
      llvm::sys::fs::remove(tmp);
      return false;
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
    llvm::errs() << "error: " << inputFile << ": cannot write '" << path
                 << "': " << ec.message() << "\n";
    llvm::sys::fs::remove(tmp);
    return false;
  }
  return true;
}

int run(const Options &opts) {
  DialectRegistry registry;
  thunder::registerImporterDialects(registry);
#ifdef THUNDERC_HAVE_DRIVER
  thunder::driver::registerCompilerDialects(registry);
#endif
  MLIRContext context(registry);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    printDiagnostic(diag, opts.input);
    return success();
  });

  auto start = std::chrono::steady_clock::now();
  if (opts.verbose)
    llvm::errs() << "thunderc: importing " << opts.input << "\n";
  if (!llvm::sys::fs::exists(opts.input)) {
    llvm::errs() << "error: " << opts.input << ": no such file\n";
    return 1;
  }
  FailureOr<thunder::ImportResult> imported = failure();
  if (StringRef(opts.input).ends_with(".mlir")) {
#ifdef THUNDERC_HAVE_DRIVER
    imported = thunder::driver::importMLIRFile(context, opts.input);
#else
    llvm::errs() << "error: " << opts.input
                 << ": .mlir input needs the code generator, which is not built\n";
    return 1;
#endif
  } else {
    thunder::ImportOptions importOptions;
    importOptions.allowMissingWeights = opts.weights == "external";
    imported = thunder::looksLikeONNX(opts.input)
                   ? thunder::importONNX(context, opts.input, importOptions)
                   : thunder::importPT2(context, opts.input, importOptions);
  }
  if (failed(imported))
    return 1;
  double importMs = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  if (opts.verbose || opts.timePasses)
    llvm::errs() << "thunderc: import took " << llvm::format("%.1f", importMs)
                 << " ms\n";

  if (opts.emit == "mlir" && !opts.backward) {
    std::string text;
    llvm::raw_string_ostream os(text);
    imported->module->print(os);
    return writeAtomically(opts.output, text, opts.input) ? 0 : 1;
  }

#ifdef THUNDERC_HAVE_DRIVER
  namespace drv = thunder::driver;
  drv::CompileOptions copts;
  copts.target = opts.target == "cpu" ? drv::Target::CPU : drv::Target::CUDA;
  copts.gpuArchs.clear();
  for (StringRef arch : llvm::split(opts.gpuArch, ','))
    if (!arch.trim().empty())
      copts.gpuArchs.push_back(arch.trim().str());
  copts.backward = opts.backward;
  copts.perSample = opts.perSample;
  copts.fp32Matmul = opts.fp32Matmul;
  copts.autocast = opts.autocast;
  static const std::pair<const char *, drv::EmitKind> kEmit[] = {
      {"so", drv::EmitKind::SharedObject}, {"obj", drv::EmitKind::Object},
      {"mlir", drv::EmitKind::MLIR},       {"ptx", drv::EmitKind::PTX},
      {"header", drv::EmitKind::Header}};
  for (const auto &[name, kind] : kEmit)
    if (opts.emit == name)
      copts.emit = kind;
  copts.externalWeights = opts.weights == "external";
  copts.optLevel = opts.optLevel;
  copts.printIrAfterAll = opts.printIrAfterAll;
  copts.printIrAfter = opts.printIrAfter;
  copts.verbose = opts.verbose;
  copts.timePasses = opts.timePasses;
  copts.modelName = opts.name.empty() ? llvm::sys::path::stem(opts.input).str() : opts.name;
  copts.apiPrefix = opts.name;
  copts.inputPath = opts.input;
  copts.mesh = thunderc::parseMesh(opts.mesh).axes; // checked in main
  copts.shardParams = opts.shardParams;
  copts.linkInputs = opts.link;
  if (failed(drv::compile(*imported->module, imported->weights, copts, opts.output)))
    return 1;
  return 0;
#else
  llvm::errs() << "error: " << opts.input << ": --emit=" << opts.emit
               << (opts.backward ? " --backward" : "")
               << " needs the code generator, which is not built in this thunderc\n";
  return 1;
#endif
}

/// `--list-ops MODEL.pt2`: the ops each operator of the model became.
int listModelOps(const Options &opts) {
  DialectRegistry registry;
  thunder::registerImporterDialects(registry);
  MLIRContext context(registry);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    printDiagnostic(diag, opts.input);
    return success();
  });
  if (!llvm::sys::fs::exists(opts.input)) {
    llvm::errs() << "error: " << opts.input << ": no such file\n";
    return 1;
  }
  return thunderc::listModelOps(context, opts.input, llvm::outs());
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  Options opts;
  CLI::App app{"thunderc: compile a PyTorch .pt2 archive (torch.export) into a "
               "shared library"};
  app.set_version_flag("--version", "thunderc 0.1");
  bool listOps = false;
  // Hidden: the operators the importer converts, one per line (docs/status.md).
  app.add_flag("--list-supported-ops", listOps)->group("");
  bool listOpTables = false;
  app.add_flag("--list-ops", listOpTables,
               "print the operators the importer converts or refuses and the "
               "gradient of every thunder op; with an input, the ops each of "
               "its operators becomes (docs/status.md)");
  app.add_option("input", opts.input, "the .pt2 archive (torch.export.save)");
  app.add_option("-o", opts.output, "output file ('-' for stdout with --emit=mlir)");
  app.add_option("--target", opts.target, "cuda (default) or cpu")
      ->check(CLI::IsMember({"cuda", "cpu"}));
  app.add_option("--gpu-arch", opts.gpuArch,
                 "GPU architectures, comma separated (default sm_90)");
  app.add_flag("--backward", opts.backward,
               "also emit the backward entry point");
  app.add_flag("--per-sample", opts.perSample,
               "with --backward: backward returns each parameter's gradient per example, "
               "stacked along a new leading dim (the outputs' batch dim; models whose "
               "examples do not interact)")
      ->needs("--backward");
  app.add_option("--fp32-matmul", opts.fp32Matmul,
                 "float32 matrix products on the GPU: tf32 (tensor cores, as "
                 "torch's 'high' precision) or ieee (full float32, 'highest'); "
                 "default tf32, or ieee with --backward")
      ->check(CLI::IsMember({"tf32", "ieee"}));
  app.add_option("--autocast", opts.autocast,
                 "none (default), bf16 or f16: run a float32 program's matrix products, "
                 "convolutions and attention in that type, as torch.autocast does (norms, "
                 "softmax, losses, parameters and gradients stay float32)")
      ->check(CLI::IsMember({"none", "bf16", "f16"}));
  app.add_option("--emit", opts.emit, "so (default), obj, mlir, ptx or header")
      ->check(CLI::IsMember({"so", "obj", "mlir", "ptx", "header"}));
  app.add_option("--weights", opts.weights,
                 "embedded (default): parameters, buffers and constants inside the .so; "
                 "external: none inside, written to MODEL.weights.safetensors beside it "
                 "(an archive saved without weight payloads is accepted)")
      ->check(CLI::IsMember({"embedded", "external"}));
  app.add_option("--name", opts.name,
                 "the model's name (default: the input's stem) and the prefix of its own "
                 "copy of the C API, NAME_model_create, NAME_forward, ... (a C identifier), "
                 "so that one binary can link several models");
  app.add_option("--link", opts.link,
                 "a library (.so, .o or .a) that defines the C functions of the model's "
                 "custom operators (thunder_custom_NS_NAME[_backward], docs/custom-ops.md), "
                 "linked into the .so; repeatable")
      ->allow_extra_args(false);
  app.add_option("-O", opts.optLevel, "optimisation level 0..3 (default 2)")
      ->check(CLI::Range(0, 3));
  app.add_flag("--print-ir-after-all", opts.printIrAfterAll,
               "print the IR after every pass");
  app.add_option("--print-ir-after", opts.printIrAfter,
                 "print the IR after the named pass");
  app.add_flag("-v,--verbose", opts.verbose, "progress on stderr");
  app.add_flag("--time-passes", opts.timePasses, "per-stage timing on stderr");
  app.add_option("--mesh", opts.mesh,
                 "partition over a device mesh: dp:N (data parallel) or tp:N (tensor "
                 "parallel), docs/sharding.md");
  app.add_flag("--shard-params", opts.shardParams,
               "with --mesh: shard parameters on dim 0 (FSDP / ZeRO-3)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    llvm::errs() << "thunderc: error: " << e.what() << "\n";
    llvm::errs() << app.help() << "\n";
    return 2;
  }
  if (listOps) {
    for (const std::string &op : thunder::supportedOperators())
      llvm::outs() << op << "\n";
    return 0;
  }
  if (listOpTables)
    return opts.input.empty() ? thunderc::listOps(llvm::outs()) : listModelOps(opts);
  if (opts.input.empty()) {
    llvm::errs() << "thunderc: error: no input file\n" << app.help() << "\n";
    return 2;
  }
  if (opts.output.empty()) {
    llvm::errs() << "thunderc: error: -o needs a file name\n" << app.help() << "\n";
    return 2;
  }
#ifdef THUNDERC_HAVE_DRIVER
  if (!opts.name.empty()) {
    if (!thunder::target::isCIdentifier(opts.name)) {
      llvm::errs() << "thunderc: error: --name=" << opts.name
                   << " is not a C identifier (letters, digits and '_', not starting with a "
                      "digit)\n";
      return 2;
    }
    if (auto clash = thunder::target::prefixClash(opts.name)) {
      llvm::errs() << "thunderc: error: --name=" << opts.name << " would make " << *clash
                   << " name another function of the C API; pick another name\n";
      return 2;
    }
  }
#endif
  if (!opts.mesh.empty()) {
    thunderc::MeshParse mesh = thunderc::parseMesh(opts.mesh);
    if (!mesh.error.empty()) {
      llvm::errs() << "thunderc: error: " << mesh.error << "\n";
      return 2;
    }
  }
  if (opts.shardParams && opts.mesh.empty()) {
    llvm::errs() << "thunderc: error: --shard-params needs --mesh (e.g. --mesh=dp:2)\n";
    return 2;
  }
  if (opts.output == "-" && opts.emit != "mlir") {
    llvm::errs() << "thunderc: error: -o - (stdout) is only for --emit=mlir\n";
    return 2;
  }
  return run(opts);
}
