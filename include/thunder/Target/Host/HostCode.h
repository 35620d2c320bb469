//===- HostCode.h - LLVM IR host code, objects and MODEL.so ----*- C++ -*-===//
//
// The target-independent half of code generation after the LLVM dialect:
// the symbols of docs/model-abi.md (entry points, meta, weights), LLVM's
// optimisation pipeline, the object file for the host (generic x86-64, PIC),
// and the link with libthunder_runtime.a. The CUDA target reuses all of it
// for its host side.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_HOST_HOSTCODE_H
#define THUNDER_TARGET_HOST_HOSTCODE_H

#include "thunder/Target/Host/ModelDescription.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
} // namespace llvm

namespace thunder::target {

/// The name of the entry point symbol of an entry ("thunder_entry_forward").
std::string entrySymbol(llvm::StringRef entryName);

/// Adds `void <symbol>(void **args)` to `m`: loads the descriptor pointers
/// args[1..numArgs] and calls `cifaceName` (MLIR's `_mlir_ciface_` wrapper),
/// passing args[0] as the result pointer when the wrapper takes one (one or
/// more memref results) and storing a scalar result into *args[0].
llvm::Error addEntryPoint(llvm::Module &m, llvm::StringRef symbol, llvm::StringRef cifaceName,
                          unsigned numArgs);

/// Adds thunder_model_meta, thunder_model_weights (64-byte aligned) and
/// thunder_model_weights_size. With `weightsElsewhere` (their size) the
/// weights are only declared: weightsAssembly defines them in an object of
/// their own, and `weights` is not read.
void addModelData(llvm::Module &m, llvm::StringRef metaJSON, llvm::ArrayRef<uint8_t> weights,
                  std::optional<uint64_t> weightsElsewhere = std::nullopt);

/// Assembly that defines thunder_model_weights (64-byte aligned, `size`
/// bytes) as the contents of the file `binPath` (.incbin): the weights reach
/// the .so without passing through LLVM or the object writer.
std::string weightsAssembly(uint64_t size, llvm::StringRef binPath);

/// The symbols MODEL.so exports for `model` (meta, weights, entry points).
std::vector<std::string> exportedSymbols(const ModelDesc &model);

/// Internal linkage for every definition not in `keep`, so LLVM inlines the
/// kernels into the entry points and nothing else leaves the object.
void internalizeAllBut(llvm::Module &m, llvm::ArrayRef<std::string> keep);

/// A TargetMachine for the host triple, CPU "x86-64" (generic: the .so runs
/// on any x86-64), PIC, function and data sections.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createHostTargetMachine(int optLevel);

/// Sets the module's triple and data layout from `tm` and runs LLVM's
/// default -O<optLevel> pipeline.
void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm, int optLevel);

/// Code generation to an ELF object in memory.
llvm::Error emitObject(llvm::Module &m, llvm::TargetMachine &tm, llvm::SmallVectorImpl<char> &out);

/// The LLVM-dialect `module` (after the target's lowering) as LLVM IR, with
/// the entry points of `model.entries` (calling `_mlir_ciface_<function>`),
/// the meta JSON and the weights added, and everything else internal.
/// The LLVM IR translations of the dialects in `module` must be registered in
/// its context (the builtin and LLVM ones are registered here).
llvm::Expected<std::unique_ptr<llvm::Module>>
translateHostModule(mlir::ModuleOp module, llvm::LLVMContext &llvmContext, const ModelDesc &model,
                    llvm::ArrayRef<uint8_t> weights,
                    std::optional<uint64_t> weightsElsewhere = std::nullopt);

//===----------------------------------------------------------------------===//
// Files and the link
//===----------------------------------------------------------------------===//

/// A file next to `finalPath` (same directory, so rename is atomic) that is
/// removed unless commit() renames it to `finalPath`; also removed on signals.
class TempOutput {
public:
  static llvm::Expected<TempOutput> create(llvm::StringRef finalPath, llvm::StringRef suffix);
  TempOutput(TempOutput &&other);
  TempOutput &operator=(TempOutput &&) = delete;
  ~TempOutput();
  const std::string &path() const { return tmpPath; }
  llvm::Error write(llvm::StringRef contents);
  llvm::Error commit();

private:
  TempOutput(std::string tmp, std::string final) : tmpPath(std::move(tmp)), finalPath(std::move(final)) {}
  std::string tmpPath, finalPath;
  bool done = false;
};

/// Writes `contents` to `path` atomically ("-": standard output).
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

/// $THUNDER_RUNTIME_LIB, else <directory of this executable>/../lib/libthunder_runtime.a.
llvm::Expected<std::string> findRuntimeLibrary();

/// $THUNDER_LINKER (split at spaces: a program and its first arguments), else
/// `c++` from PATH.
llvm::Expected<std::vector<std::string>> findLinker();

struct LinkOptions {
  std::vector<std::string> extraArgs; // after the runtime (e.g. -ldl)
  bool verbose = false;               // print the command on stderr
  /// The symbols the objects define that MODEL.so exports (exportedSymbols).
  std::vector<std::string> modelSymbols;
  /// thunderc --name: also export <apiPrefix>_<function> for every function of
  /// thunder.h, as an alias of thunder_<function> (PrefixedAPI.h).
  std::string apiPrefix;
  /// -Wl,-soname: a program linked with MODEL.so records this name, found
  /// through its rpath, not the path it was linked by.
  std::string soname;
};

/// `c++ -shared -o output objects... -Wl,--whole-archive runtime
/// -Wl,--no-whole-archive -Wl,-Bsymbolic -Wl,-z,noexecstack -ldl -lpthread -lm`
/// plus a version script that exports only the generic API of thunder.h,
/// `modelSymbols` and the prefixed API (`-Wl,--defsym=P_forward=thunder_forward`,
/// ...): nothing of the static runtime or the C++ standard library.
/// The linker's messages become the error's text.
llvm::Error linkSharedObject(llvm::ArrayRef<std::string> objects, llvm::StringRef runtimeLibrary,
                             llvm::StringRef output, const LinkOptions &options = {});

} // namespace thunder::target

#endif
