//===- Compile.cpp - from an imported module to MODEL.so ------------------===//
//
// thunder::driver::compile: autodiff (--backward), the thunder -> linalg
// lowering, the target's code generation, and the output of the requested
// stage, written atomically. docs/codegen.md describes the pipeline.
//
//===----------------------------------------------------------------------===//
#include "thunder/Driver/Compile.h"
#include "thunder/Driver/MLIRInput.h"
#include "thunder/Target/CPU/Pipeline.h"
#include "thunder/Target/Host/CustomSymbols.h"
#include "thunder/Target/Host/HostCode.h"
#include "thunder/Target/Host/ModelDescription.h"
#include "thunder/Target/Host/PrefixedAPI.h"
#include "thunder/Target/Host/WeightsFile.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Shard/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <algorithm>
#include <optional>

// The other halves of the compiler, when this build has them (CMake defines
// these from the targets it knows).
#if THUNDER_HAVE_LOWERING
#include "thunder/Conversion/Passes.h"
#endif
#if THUNDER_HAVE_AUTODIFF
#include "thunder/Autodiff/Autodiff.h"
#endif
#if THUNDER_HAVE_CUDA_TARGET
#include "thunder/Target/CUDA.h"
#endif

using namespace mlir;

namespace thunder::driver {
namespace {

/// `-v`: one line per pass on stderr.
struct VerboseInstrumentation : PassInstrumentation {
  void runBeforePass(Pass *pass, Operation *op) override {
    if (pass->getArgument().empty()) // pass adaptors
      return;
    if (isa<ModuleOp>(op))
      llvm::errs() << "thunderc:   " << pass->getArgument() << "\n";
    else if (auto f = dyn_cast<func::FuncOp>(op))
      llvm::errs() << "thunderc:   " << pass->getArgument() << " (@" << f.getSymName() << ")\n";
    else
      llvm::errs() << "thunderc:   " << pass->getArgument() << " (" << op->getName() << ")\n";
  }
};

const char *targetName(Target t) { return t == Target::CUDA ? "cuda" : "cpu"; }

class Compiler {
public:
  Compiler(ModuleOp module, const WeightStore &weights, const CompileOptions &options,
           llvm::StringRef outputPath)
      : module(module), weights(weights), options(options), outputPath(outputPath.str()),
        ctx(module.getContext()),
        loc(options.inputPath.empty()
                ? module.getLoc()
                : Location(FileLineColLoc::get(ctx, options.inputPath, 0, 0))) {
    timing.setEnabled(options.timePasses);
  }

  LogicalResult run();

private:
  ModuleOp module;
  const WeightStore &weights;
  const CompileOptions &options;
  std::string outputPath;
  /// The embedded weights and the assembly that .incbin's them into the .so
  /// (kept until the link).
  std::optional<target::TempOutput> weightsBin, weightsAsm;
  MLIRContext *ctx;
  Location loc;
  DefaultTimingManager timing;

  void progress(llvm::StringRef what) {
    if (options.verbose)
      llvm::errs() << "thunderc: " << what << "\n";
  }

  LogicalResult error(llvm::Error err) {
    emitError(loc) << llvm::toString(std::move(err));
    return failure();
  }

  LogicalResult addBackward();
  LogicalResult partition(TimingScope &root);
  LogicalResult addLowering(OpPassManager &pm);
  void configure(PassManager &pm, TimingScope &scope);
  LogicalResult emitHost(const target::ModelDesc &model, std::vector<uint8_t> &blob,
                         TimingScope &root);
  LogicalResult writeWeightsAssembly(std::vector<uint8_t> &blob);
  void reportMemoryPlan();
  LogicalResult checkLoweredToLLVM();
  LogicalResult writeObjectOrLink(const target::ModelDesc &model,
                                  llvm::SmallVectorImpl<char> &object);
  LogicalResult writeWeightsFile(const target::ModelDesc &model,
                                 std::optional<target::TempOutput> &file);
};

LogicalResult Compiler::addBackward() {
  if (module.lookupSymbol<func::FuncOp>("backward")) {
    progress("autodiff: @backward is already there");
    return success();
  }
#if THUNDER_HAVE_AUTODIFF
  progress("autodiff");
  auto stats = thunder::autodiff::addBackward(module, thunder::autodiff::AutodiffOptions());
  if (failed(stats))
    return failure();
  if (options.verbose)
    llvm::errs() << "thunderc: autodiff: " << stats->numSaved << " saved values ("
                 << stats->savedBytes << (stats->savedBytesDynamic ? "+ bytes" : " bytes") << "), "
                 << stats->numRecomputed << " ops recomputed, " << stats->numReferences
                 << " reference arguments\n";
  return success();
#else
  return emitError(loc) << "--backward: this thunderc was built without the autodiff transform",
         failure();
#endif
}

/// --mesh: the plan as the module's thunder_shard.mesh, then the partition
/// of @forward and @backward (docs/sharding.md).
LogicalResult Compiler::partition(TimingScope &root) {
  if (options.shardParams && options.target == Target::CUDA)
    return emitError(loc) << "--shard-params is implemented for --target=cpu only (the CUDA "
                             "runtime does not keep parameter blocks yet)",
           failure();
  ctx->getOrLoadDialect<shard::ThunderShardDialect>();
  SmallVector<StringAttr> axes;
  SmallVector<int64_t> sizes;
  for (const auto &[axis, size] : options.mesh) {
    axes.push_back(StringAttr::get(ctx, axis));
    sizes.push_back(size);
  }
  auto mesh = shard::MeshAttr::getChecked([&] { return emitError(loc); }, ctx,
                                          ArrayRef<StringAttr>(axes), ArrayRef<int64_t>(sizes));
  if (!mesh)
    return failure();
  module->setAttr(shard::ThunderShardDialect::kMeshAttrName, mesh);
  TimingScope t = root.nest("sharding");
  progress("partition over the mesh");
  PassManager pm(ctx);
  configure(pm, t);
  shard::ThunderShardDataParallelOptions plan;
  plan.shardParams = options.shardParams;
  pm.addPass(shard::createThunderShardDataParallel(plan));
  return pm.run(module);
}

LogicalResult Compiler::addLowering(OpPassManager &pm) {
#if THUNDER_HAVE_LOWERING
#if THUNDER_HAVE_CUDA_TARGET
  if (options.target == Target::CUDA)
    cuda::buildCUDAThunderPipeline(pm, cuda::getPipelineOptions(options));
#endif
  thunder::ThunderToLinalgOptions lowering;
  thunder::buildThunderToLinalgPipeline(pm, lowering);
  return success();
#else
  // Without the lowering, only modules already in linalg on tensors compile.
  Operation *thunderOp = nullptr;
  module.walk([&](Operation *op) {
    if (isa<thunder::ThunderDialect>(op->getDialect())) {
      thunderOp = op;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (thunderOp)
    return thunderOp->emitOpError()
               << "cannot be compiled: this thunderc was built without the thunder -> linalg lowering",
           failure();
  return success();
#endif
}

void Compiler::configure(PassManager &pm, TimingScope &scope) {
  pm.enableVerifier(true);
  if (options.printIrAfterAll || !options.printIrAfter.empty()) {
    ctx->disableMultithreading();
    std::string only = options.printIrAfter;
    bool all = options.printIrAfterAll;
    pm.enableIRPrinting(
        [](Pass *, Operation *) { return false; },
        [all, only](Pass *pass, Operation *) { return all || pass->getArgument() == only; },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
  if (options.verbose)
    pm.addInstrumentation(std::make_unique<VerboseInstrumentation>());
  if (options.timePasses)
    pm.enableTiming(scope);
}

LogicalResult Compiler::writeObjectOrLink(const target::ModelDesc &model,
                                          llvm::SmallVectorImpl<char> &object) {
  llvm::StringRef bytes(object.data(), object.size());
  if (outputPath == "-")
    return emitError(loc) << "--emit=" << (options.emit == EmitKind::Object ? "obj" : "so")
                          << " cannot write to standard output",
           failure();
  std::optional<target::TempOutput> weightsFile;
  if (failed(writeWeightsFile(model, weightsFile)))
    return failure();
  if (options.emit == EmitKind::Object) {
    if (llvm::Error e = target::writeFileAtomically(outputPath, bytes))
      return error(std::move(e));
    if (weightsFile)
      if (llvm::Error e = weightsFile->commit())
        return error(std::move(e));
    return success();
  }
  auto runtime = target::findRuntimeLibrary();
  if (!runtime)
    return error(runtime.takeError());
  auto obj = target::TempOutput::create(outputPath, ".o");
  if (!obj)
    return error(obj.takeError());
  if (llvm::Error e = obj->write(bytes))
    return error(std::move(e));
  auto so = target::TempOutput::create(outputPath, ".so");
  if (!so)
    return error(so.takeError());
  target::LinkOptions link;
  link.verbose = options.verbose;
  link.modelSymbols = target::exportedSymbols(model);
  link.apiPrefix = model.apiPrefix;
  link.soname = llvm::sys::path::filename(outputPath).str();
  std::vector<std::string> objects = {obj->path()};
  if (weightsAsm)
    objects.push_back(weightsAsm->path());
  // The user operators' libraries after the model's object, which calls them;
  // a shared one is found at run time by its absolute path (or the rpath).
  for (const std::string &lib : options.linkInputs) {
    llvm::SmallString<256> path(lib);
    llvm::sys::fs::make_absolute(path);
    objects.push_back(path.str().str());
    if (llvm::StringRef(lib).ends_with(".so") || llvm::StringRef(lib).contains(".so."))
      link.extraArgs.push_back("-Wl,-rpath," + llvm::sys::path::parent_path(path).str());
  }
  if (llvm::Error e = target::linkSharedObject(objects, *runtime, so->path(), link))
    return error(std::move(e));
  if (llvm::Error e = so->commit())
    return error(std::move(e));
  if (weightsFile)
    if (llvm::Error e = weightsFile->commit())
      return error(std::move(e));
  return success();
}

/// --weights=external: MODEL.weights.safetensors, into a temporary file that
/// is committed with the output.
LogicalResult Compiler::writeWeightsFile(const target::ModelDesc &model,
                                         std::optional<target::TempOutput> &file) {
  if (!options.externalWeights)
    return success();
  // An archive saved without payloads: the user supplies the file.
  if (std::optional<std::string> missing = target::firstMissingWeight(model, weights)) {
    progress("--weights=external: the archive has no data for " + *missing +
             "; no weights file written");
    return success();
  }
  std::string path = target::weightsFilePathFor(outputPath);
  progress("write " + path);
  auto tmp = target::TempOutput::create(path, "");
  if (!tmp)
    return error(tmp.takeError());
  if (llvm::Error e = target::writeWeightsFile(model, weights, tmp->path()))
    return error(std::move(e));
  file.emplace(std::move(*tmp));
  return success();
}

/// Embedded weights for a .so: written to a file that an assembly stub
/// .incbin's, instead of an LLVM constant that the object writer copies again
/// (GPT-2 124M: three copies of 250 MB and 2.4 s of LLVM time). The blob is
/// freed once written.
LogicalResult Compiler::writeWeightsAssembly(std::vector<uint8_t> &blob) {
  auto bin = target::TempOutput::create(outputPath, ".weights.bin");
  if (!bin)
    return error(bin.takeError());
  if (llvm::Error e =
          bin->write(llvm::StringRef(reinterpret_cast<const char *>(blob.data()), blob.size())))
    return error(std::move(e));
  auto asmFile = target::TempOutput::create(outputPath, ".weights.s");
  if (!asmFile)
    return error(asmFile.takeError());
  if (llvm::Error e = asmFile->write(target::weightsAssembly(blob.size(), bin->path())))
    return error(std::move(e));
  weightsBin.emplace(std::move(*bin));
  weightsAsm.emplace(std::move(*asmFile));
  std::vector<uint8_t>().swap(blob);
  return success();
}

LogicalResult Compiler::emitHost(const target::ModelDesc &model, std::vector<uint8_t> &blob,
                                TimingScope &root) {
  // An object must hold its weights itself; a .so gets them through the link.
  std::optional<uint64_t> weightsElsewhere;
  if (options.emit != EmitKind::Object && !blob.empty()) {
    weightsElsewhere = blob.size();
    if (failed(writeWeightsAssembly(blob)))
      return failure();
  }
  llvm::LLVMContext llvmContext;
  TimingScope translateTimer = root.nest("LLVM IR translation");
  progress("translate to LLVM IR");
  auto llvmModule =
      target::translateHostModule(module, llvmContext, model, blob, weightsElsewhere);
  if (!llvmModule)
    return error(llvmModule.takeError());
  translateTimer.stop();

  // On the CUDA target the host code is launch glue (argument checks, library
  // calls, kernel launches): -O1 makes it as fast to run (the driver calls
  // dominate) and takes about half the LLVM time of -O2 on a 12-layer model.
  int hostOptLevel =
      options.target == Target::CUDA ? std::min(options.optLevel, 1) : options.optLevel;
  // Its instruction selection at -O0 (FastISel, the fast register allocator)
  // after the -O1 IR passes: GPT-2 124M's --backward host code took 7 s at
  // -O1 codegen.
  int hostCodegenLevel = options.target == Target::CUDA ? 0 : hostOptLevel;
  auto tm = target::createHostTargetMachine(hostCodegenLevel);
  if (!tm)
    return error(tm.takeError());
  TimingScope optTimer = root.nest("LLVM optimisation");
  progress("LLVM -O" + std::to_string(hostOptLevel));
  target::optimizeModule(**llvmModule, **tm, hostOptLevel);
  optTimer.stop();
  if (options.printIrAfterAll || options.printIrAfter == "llvm")
    llvm::errs() << "// -----// LLVM IR after optimisation //----- //\n" << **llvmModule << "\n";

  TimingScope codegenTimer = root.nest("LLVM code generation");
  progress("code generation (" + (*tm)->getTargetTriple().str() + ", x86-64)");
  llvm::SmallVector<char, 0> object;
  if (llvm::Error e = target::emitObject(**llvmModule, **tm, object))
    return error(std::move(e));
  codegenTimer.stop();

  TimingScope linkTimer = root.nest(options.emit == EmitKind::Object ? "write object" : "link");
  if (options.emit != EmitKind::Object)
    progress("link " + outputPath);
  return writeObjectOrLink(model, object);
}

LogicalResult Compiler::run() {
  if (options.optLevel < 0 || options.optLevel > 3)
    return emitError(loc) << "optimisation level " << options.optLevel << " is not 0..3", failure();
  if (options.emit == EmitKind::PTX && options.target != Target::CUDA)
    return emitError(loc) << "--emit=ptx needs --target=cuda", failure();

  DialectRegistry registry;
  registerCompilerDialects(registry);
  ctx->appendDialectRegistry(registry);

  TimingScope root = timing.getRootScope();

  if (!options.autocast.empty() && options.autocast != "none") {
#if THUNDER_HAVE_LOWERING
    // Before autodiff: backward differentiates the autocast program.
    TimingScope t = root.nest("autocast");
    progress("autocast to " + options.autocast);
    PassManager pm(ctx);
    configure(pm, t);
    pm.addPass(createThunderAutocast({options.autocast}));
    if (failed(pm.run(module)))
      return failure();
#else
    return emitError(loc) << "--autocast needs the lowering, which this build of thunderc lacks",
           failure();
#endif
  }

  if (options.backward) {
    TimingScope t = root.nest("autodiff");
    if (failed(addBackward()))
      return failure();
  }

  if (!options.mesh.empty() && failed(partition(root)))
    return failure();

  // The user operators' functions: defined by the --link libraries, checked
  // before anything is written (a .so must link; other outputs when given).
  if ((options.emit == EmitKind::SharedObject || !options.linkInputs.empty()) &&
      failed(target::checkCustomSymbols(module, options.linkInputs)))
    return failure();

  if (options.emit == EmitKind::MLIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module.print(os);
    if (llvm::Error e = target::writeFileAtomically(outputPath, text))
      return error(std::move(e));
    return success();
  }

  target::DescribeOptions describe;
  describe.modelName = options.modelName;
  if (describe.modelName.empty() && !options.inputPath.empty())
    describe.modelName = llvm::sys::path::stem(options.inputPath).str();
  describe.target = targetName(options.target);
  describe.gpuArchs = options.gpuArchs;
  auto model = target::describeModel(module, describe);
  if (failed(model))
    return failure();
  model->mesh = options.mesh;
  if (options.perSample) {
    // Per-example gradients mean something only when an example's outputs
    // depend on that example alone; batch statistics (BatchNorm in training,
    // which updates its running buffers) mix them.
    if (!model->mutatedBuffers.empty())
      return emitError(loc) << "--per-sample: this model updates buffers in forward (BatchNorm "
                               "statistics in training mode), so its examples interact and have "
                               "no gradients of their own; export it in eval mode",
             failure();
    if (!options.mesh.empty())
      return emitError(loc) << "--per-sample with --mesh is not supported", failure();
    model->perSample = true;
  }
  model->customSymbols = target::getCustomSymbols(module);
  model->apiPrefix =
      options.apiPrefix.empty() ? target::defaultAPIPrefix(model->name) : options.apiPrefix;
  if (!target::isCIdentifier(model->apiPrefix))
    return emitError(loc) << "the API prefix '" << model->apiPrefix << "' is not a C identifier",
           failure();
  if (std::optional<std::string> clash = target::prefixClash(model->apiPrefix))
    return emitError(loc) << "the API prefix '" << model->apiPrefix << "' would redefine "
                          << *clash << ": pick another --name",
           failure();
  std::vector<uint8_t> blob;
  if (options.externalWeights) {
    model->externalWeights = true;
    target::layOutWeights(*model); // the meta keeps the layout; the .so no payloads
  } else if (failed(target::packWeights(*model, weights, blob, loc))) {
    return failure();
  }
  progress("model '" + model->name + "': " + std::to_string(model->inputs.size()) + " inputs, " +
           std::to_string(model->outputs.size()) + " outputs, " +
           std::to_string(model->params.size()) + " params, " +
           std::to_string(model->buffers.size()) + " buffers, " +
           std::to_string(model->weightsSize) + " bytes of weights" +
           (options.externalWeights ? " (external)" : ""));

  if (options.emit == EmitKind::Header) {
    if (llvm::Error e = target::writeFileAtomically(outputPath, target::renderHeader(*model)))
      return error(std::move(e));
    return success();
  }

  // thunder -> linalg on tensors (the shared lowering).
  {
    TimingScope t = root.nest("thunder -> linalg");
    PassManager pm(ctx, ModuleOp::getOperationName(), OpPassManager::Nesting::Implicit);
    configure(pm, t);
    if (failed(addLowering(pm)))
      return failure();
    // The collectives become runtime calls on tensors, before bufferization.
    if (!options.mesh.empty())
      pm.addPass(shard::createThunderShardLowerCollectives());
    progress("lowering to linalg: " + std::to_string(pm.size()) + " passes");
    if (pm.size() && failed(pm.run(module)))
      return failure();
  }

  if (options.target == Target::CPU) {
    TimingScope t = root.nest("CPU code generation (MLIR)");
    PassManager pm(ctx, ModuleOp::getOperationName(), OpPassManager::Nesting::Implicit);
    configure(pm, t);
    cpu::CPUPipelineOptions cpuOptions;
    cpuOptions.optLevel = options.optLevel;
    cpu::buildCPUCodegenPipeline(pm, cpuOptions);
    progress("CPU code generation: " + std::to_string(pm.size()) + " passes");
    if (failed(pm.run(module)))
      return failure();
    t.stop();
    if (failed(checkLoweredToLLVM()))
      return failure();
    reportMemoryPlan();
    return emitHost(*model, blob, root);
  }

#if THUNDER_HAVE_CUDA_TARGET
  if (options.emit == EmitKind::PTX) {
    TimingScope t = root.nest("CUDA code generation (to PTX)");
    auto ptx = cuda::emitPTX(module, options);
    if (failed(ptx))
      return failure();
    std::string text;
    llvm::raw_string_ostream os(text);
    cuda::printPTX(*ptx, os);
    if (llvm::Error e = target::writeFileAtomically(outputPath, text))
      return error(std::move(e));
    return success();
  }
  {
    TimingScope t = root.nest("CUDA code generation (MLIR)");
    progress("CUDA code generation");
    if (failed(cuda::lowerToLLVM(module, options)))
      return failure();
  }
  reportMemoryPlan();
  return emitHost(*model, blob, root);
#else
  return emitError(loc) << "CUDA target not built (use --target=cpu)", failure();
#endif
}

/// After the CPU pipeline only the LLVM dialect may be left: name the first op
/// that is not (at its location) rather than failing in the translation.
LogicalResult Compiler::checkLoweredToLLVM() {
  Operation *bad = nullptr;
  module.walk([&](Operation *op) {
    if (op == module.getOperation() || isa<LLVM::LLVMDialect>(op->getDialect()))
      return WalkResult::advance();
    bad = op;
    return WalkResult::interrupt();
  });
  if (!bad)
    return success();
  return bad->emitError() << "'" << bad->getName()
                          << "' is not supported by the CPU target (it was not lowered to LLVM)",
         failure();
}

void Compiler::reportMemoryPlan() {
  if (!options.verbose)
    return;
  module.walk([&](Operation *op) {
    auto arena = op->getAttrOfType<IntegerAttr>("thunder.arena_bytes");
    auto unshared = op->getAttrOfType<IntegerAttr>("thunder.arena_unshared_bytes");
    auto name = op->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
    if (arena && unshared && name && !name.getValue().starts_with("_mlir_ciface_"))
      llvm::errs() << "thunderc: memory plan of @" << name.getValue() << ": an arena of "
                   << arena.getInt() << " bytes holds " << unshared.getInt()
                   << " bytes of temporaries\n";
  });
}

} // namespace

LogicalResult compile(ModuleOp module, const WeightStore &weights, const CompileOptions &options,
                      llvm::StringRef outputPath) {
  if (!module)
    return failure();
  return Compiler(module, weights, options, outputPath).run();
}

} // namespace thunder::driver
