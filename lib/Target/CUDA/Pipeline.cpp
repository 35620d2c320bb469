//===- Pipeline.cpp - the CUDA target: tensors to LLVM + kernels ----------===//
//
// The pass pipelines of the CUDA target (docs/cuda.md) and the driver's
// entry points (lowerToLLVM, emitPTX). The GPU half follows MLIR's
// gpu-lower-to-nvvm-pipeline (outlining, nvvm-attach-target per
// architecture, convert-gpu-to-nvvm, gpu-module-to-binary, gpu-to-llvm), with
// thunder's own passes in front (library calls: cuBLASLt, cuDNN; kernel mapping, device
// buffers) and behind (one fatbin for all architectures).
//
//===----------------------------------------------------------------------===//
#include "thunder/Target/CUDA.h"

#include "Passes.h"
#include "Toolkit.h"
#include "thunder/Target/Host/Pipelines.h"
#include "thunder/Target/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

#include <cstdlib>

using namespace mlir;

namespace thunder::cuda {
namespace {

/// Math in kernels without libdevice (no CUDA toolkit at compile time):
/// expansions and polynomial approximations, so that no __nv_* call is left.
struct ApproximateMathPass : PassWrapper<ApproximateMathPass, OperationPass<gpu::GPUModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ApproximateMathPass)
  StringRef getArgument() const final { return "thunder-cuda-approximate-math"; }
  StringRef getDescription() const final {
    return "math ops -> polynomial approximations (kernels without libdevice)";
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    math::populateExpansionPatterns(patterns);
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

/// math.absi -> select(x < 0, 0 - x, x). convert-gpu-to-nvvm has no pattern
/// for it (nor libdevice, nor the expansions), and an integer abs in a kernel
/// (T5's relative-position buckets) then failed the translation to LLVM IR.
struct ExpandAbsI : OpRewritePattern<math::AbsIOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::AbsIOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(x.getType()));
    Value negative = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt, x, zero);
    Value negated = arith::SubIOp::create(rewriter, loc, zero, x);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, negative, negated, x);
    return success();
  }
};

struct IntegerMathPass : PassWrapper<IntegerMathPass, OperationPass<gpu::GPUModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(IntegerMathPass)
  StringRef getArgument() const final { return "thunder-cuda-integer-math"; }
  StringRef getDescription() const final {
    return "integer math ops without an NVVM lowering (math.absi) -> arith";
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandAbsI>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

CUDAPipelineOptions getPipelineOptions(const driver::CompileOptions &options) {
  CUDAPipelineOptions o;
  o.gpuArchs = options.gpuArchs;
  if (o.gpuArchs.empty())
    o.gpuArchs = {"sm_90"};
  o.optLevel = options.optLevel == 0 ? 0 : 3;
  o.tf32 = options.fp32Matmul.empty() ? !options.backward : options.fp32Matmul == "tf32";
  // Switches for experiments and opt-ins: "0" turns one off, anything else on.
  auto flag = [](const char *name, bool &option) {
    if (const char *value = std::getenv(name))
      option = llvm::StringRef(value) != "0";
  };
  // Generated kernels only for convolutions (no thunder_cuda_conv calls).
  flag("THUNDERC_CUDA_CUDNN", o.cudnn);
  // Attention decomposed (matmul, softmax, matmul) instead of the fused kernels.
  flag("THUNDERC_CUDA_FUSED_ATTENTION", o.fusedAttention);
  // The attention gradient decomposed (cuBLASLt products) instead of the fused backward kernels.
  flag("THUNDERC_CUDA_FUSED_ATTENTION_BACKWARD", o.fusedAttentionBackward);
  // Scatters in order on one thread (deterministic float sums).
  flag("THUNDERC_CUDA_PARALLEL_SCATTERS", o.parallelScatters);
  // Column reductions in order on one thread per output (deterministic sums) instead of split.
  flag("THUNDERC_CUDA_SPLIT_REDUCTIONS", o.splitReductions);
  // Session 5's defaults, not yet run on a GPU: off for an A/B or a fallback.
  flag("THUNDERC_CUDA_NARROW_MATMULS", o.narrowMatmuls);
  flag("THUNDERC_CUDA_WARP_REDUCTIONS", o.warpReductions);
  flag("THUNDERC_CUDA_DEDUP_KERNELS", o.dedupKernels);
  flag("THUNDERC_CUDA_MATMUL_BIAS", o.matmulBias);
  flag("THUNDERC_CUDA_FOLD_ATTENTION_PERMUTES", o.foldAttentionPermutes);
  flag("THUNDERC_CUDA_VECTOR_ELEMENTWISE", o.vectorElementwise);
  // The size below which convolutions stay generated kernels (0: every one).
  if (const char *macs = std::getenv("THUNDERC_CUDA_CUDNN_MIN_MACS"))
    llvm::StringRef(macs).getAsInteger(10, o.cudnnMinMacs);
  return o;
}

void buildCUDAThunderPipeline(OpPassManager &pm, const CUDAPipelineOptions &options) {
  if (options.fusedAttention)
    pm.addPass(createCUDAFuseAttention({options.fusedAttentionBackward}));
}

void buildCUDABufferizationPipeline(OpPassManager &pm, const CUDAPipelineOptions &options) {
  CUDAExtractMatmulOperandsOptions extract;
  extract.convolutions = options.cudnn;
  pm.addPass(createCUDAExtractMatmulOperands(extract));
  pm.addPass(createCUDAFoldMatmulOperands());
  if (options.narrowMatmuls)
    pm.addPass(createCUDANarrowMatmulResults());
  if (options.matmulBias)
    pm.addPass(createCUDAMatmulBias());
  pm.addPass(createCanonicalizerPass());
  target::BufferizationPipelineOptions bufferize;
  bufferize.planMemory = options.planMemory;
  if (options.fusedAttention && options.foldAttentionPermutes)
    bufferize.onBuffers = [](OpPassManager &buffers) {
      buffers.addPass(createCUDAFoldAttentionPermutes());
    };
  target::buildBufferizationPipeline(pm, bufferize);
}

void buildCUDALoweringPipeline(OpPassManager &pm, const CUDAPipelineOptions &options) {
  // Host code on memrefs: library calls, then one kernel per linalg op.
  pm.addPass(createCUDAAttentionCalls());
  // User operators: host-side calls on the call's stream (before
  // legalize-host-accesses, which makes their copies kernels).
  pm.addPass(target::createCustomCalls());
  CUDALibraryCallsOptions calls;
  calls.tf32 = options.tf32;
  pm.addPass(createCUDALibraryCalls(calls));
  if (options.cudnn) {
    CUDAConvolutionCallsOptions convs;
    convs.tf32 = options.tf32;
    convs.minMacs = options.cudnnMinMacs;
    pm.addPass(createCUDAConvolutionCalls(convs));
  }
  pm.addPass(createCUDALegalizeHostAccesses());
  pm.addNestedPass<func::FuncOp>(createLinalgGeneralizeNamedOpsPass());
  CUDAMapToGPUOptions map;
  map.parallelScatters = options.parallelScatters;
  map.splitReductions = options.splitReductions;
  map.warpReductions = options.warpReductions;
  map.vectorBytes = options.vectorElementwise ? 16 : 0;
  pm.addPass(createCUDAMapToGPU(map));
  pm.addPass(createCUDADeviceBuffers());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  if (options.dedupKernels)
    pm.addPass(createCUDADedupKernels());

  // Kernels: NVVM, then the PTX of every architecture.
  for (const std::string &arch : options.gpuArchs) {
    GpuNVVMAttachTargetOptions target;
    target.chip = arch;
    target.optLevel = options.optLevel;
    pm.addPass(createGpuNVVMAttachTarget(target));
  }
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  std::optional<Toolkit> toolkit = findToolkit(options.toolkit);
  bool libdevice = toolkit && toolkit->hasLibdevice;
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  // bf16/f16 math in f32 (libdevice and the approximations are f32/f64).
  kernels.addPass(math::createMathExtendToSupportedTypes());
  kernels.addPass(std::make_unique<IntegerMathPass>());
  if (!libdevice)
    kernels.addPass(std::make_unique<ApproximateMathPass>());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  if (libdevice)
    binary.toolkitPath = toolkit->root;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (options.stopAtPTX)
    return;
  CUDAAssembleOptions assemble;
  assemble.toolkit = toolkit ? toolkit->root : "none";
  assemble.ptxOnly = options.ptxOnly;
  assemble.optLevel = options.optLevel;
  pm.addPass(createCUDAAssemble(assemble));

  // Host code to LLVM (gpu-to-llvm converts every dialect with a
  // ConvertToLLVM interface, and the _mlir_ciface_ wrappers).
  // Before expand-strided-metadata, which crashes on an expand_shape of one
  // dimension into several dynamic ones (dynamic batch and sequence).
  pm.addPass(target::createExpandDynamicReshapes());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildCUDACodegenPipeline(OpPassManager &pm, const CUDAPipelineOptions &options) {
  buildCUDABufferizationPipeline(pm, options);
  buildCUDALoweringPipeline(pm, options);
}

void registerDialectsAndInterfaces(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerFusedAttentionInterfaces(registry);
  target::registerCustomCallBufferization(registry);
}

namespace {

struct CLOptions : PassPipelineOptions<CLOptions> {
  ListOption<std::string> gpuArchs{*this, "gpu-archs",
                                   llvm::cl::desc("architectures (default sm_90)")};
  Option<int> optLevel{*this, "O", llvm::cl::desc("NVPTX/ptxas optimisation level"),
                       llvm::cl::init(3)};
  Option<bool> tf32{*this, "tf32", llvm::cl::desc("float32 products on TF32 tensor cores"),
                    llvm::cl::init(true)};
  Option<bool> cudnn{*this, "cudnn",
                     llvm::cl::desc("convolutions call cuDNN first (generated kernel fallback)"),
                     llvm::cl::init(true)};
  Option<int64_t> cudnnMinMacs{*this, "cudnn-min-macs",
                               llvm::cl::desc("smaller convolutions stay generated kernels"),
                               llvm::cl::init(50000000)};
  Option<bool> planMemory{*this, "plan-memory", llvm::cl::desc("thunder-plan-memory"),
                          llvm::cl::init(true)};
  Option<bool> parallelScatters{*this, "parallel-scatters",
                                llvm::cl::desc("scatter loops one thread per update (atomics)"),
                                llvm::cl::init(true)};
  Option<bool> splitReductions{
      *this, "split-reductions",
      llvm::cl::desc("column reductions split over blocks (atomic merges)"),
      llvm::cl::init(false)};
  Option<bool> narrowMatmuls{*this, "narrow-matmuls",
                             llvm::cl::desc("bf16/f16 products only read rounded store bf16/f16"),
                             llvm::cl::init(true)};
  Option<bool> warpReductions{*this, "warp-reductions",
                              llvm::cl::desc("many short rows reduce one warp per row"),
                              llvm::cl::init(true)};
  Option<bool> vectorElementwise{*this, "vector-elementwise",
                                 llvm::cl::desc("elementwise kernels with 16-byte accesses"),
                                 llvm::cl::init(false)};
  Option<bool> dedupKernels{*this, "dedup-kernels",
                            llvm::cl::desc("identical kernels compile once"),
                            llvm::cl::init(true)};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("CUDA toolkit directory (\"none\": without)"),
                              llvm::cl::init("")};
  Option<bool> ptxOnly{*this, "ptx-only", llvm::cl::desc("embed PTX only"),
                       llvm::cl::init(false)};
  Option<bool> stopAtPTX{*this, "stop-at-ptx",
                         llvm::cl::desc("stop after gpu-module-to-binary{format=isa}"),
                         llvm::cl::init(false)};

  CUDAPipelineOptions get() const {
    CUDAPipelineOptions o;
    if (!gpuArchs.empty())
      o.gpuArchs.assign(gpuArchs.begin(), gpuArchs.end());
    o.optLevel = optLevel;
    o.tf32 = tf32;
    o.cudnn = cudnn;
    o.cudnnMinMacs = cudnnMinMacs;
    o.planMemory = planMemory;
    o.parallelScatters = parallelScatters;
    o.splitReductions = splitReductions;
    o.narrowMatmuls = narrowMatmuls;
    o.warpReductions = warpReductions;
    o.vectorElementwise = vectorElementwise;
    o.dedupKernels = dedupKernels;
    o.toolkit = toolkit;
    o.ptxOnly = ptxOnly;
    o.stopAtPTX = stopAtPTX;
    return o;
  }
};

} // namespace

void registerCUDAPasses() {
  registerThunderCUDAPasses();
  PassRegistration<ApproximateMathPass>();
  PassRegistration<IntegerMathPass>();
  PassPipelineRegistration<CLOptions>(
      "thunder-cuda-lowering",
      "memrefs (after thunder-bufferize) -> LLVM dialect + kernels in a gpu.binary (CUDA)",
      [](OpPassManager &pm, const CLOptions &o) { buildCUDALoweringPipeline(pm, o.get()); });
  PassPipelineRegistration<CLOptions>(
      "thunder-cuda-codegen", "linalg on tensors -> LLVM dialect + kernels (CUDA)",
      [](OpPassManager &pm, const CLOptions &o) { buildCUDACodegenPipeline(pm, o.get()); });
}

namespace {

LogicalResult runPipeline(ModuleOp module, const driver::CompileOptions &options,
                          const CUDAPipelineOptions &pipeline) {
  MLIRContext *ctx = module.getContext();
  DialectRegistry registry;
  registerDialectsAndInterfaces(registry);
  ctx->appendDialectRegistry(registry);
  PassManager pm(ctx, ModuleOp::getOperationName(), OpPassManager::Nesting::Implicit);
  if (options.printIrAfterAll || !options.printIrAfter.empty()) {
    ctx->disableMultithreading();
    std::string after = options.printIrAfter;
    bool all = options.printIrAfterAll;
    pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                        [after, all](Pass *p, Operation *) {
                          return all || p->getArgument() == after;
                        },
                        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
  if (options.timePasses)
    pm.enableTiming();
  buildCUDACodegenPipeline(pm, pipeline);
  return pm.run(module);
}

} // namespace

LogicalResult lowerToLLVM(ModuleOp module, const driver::CompileOptions &options) {
  return runPipeline(module, options, getPipelineOptions(options));
}

FailureOr<std::vector<PTXModule>> emitPTX(ModuleOp module, const driver::CompileOptions &options) {
  CUDAPipelineOptions pipeline = getPipelineOptions(options);
  pipeline.stopAtPTX = true;
  if (failed(runPipeline(module, options, pipeline)))
    return failure();
  std::vector<PTXModule> result;
  for (const std::string &arch : pipeline.gpuArchs) {
    PTXModule m{arch, ""};
    for (auto binary : module.getOps<gpu::BinaryOp>())
      for (Attribute a : binary.getObjects()) {
        auto object = cast<gpu::ObjectAttr>(a);
        auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
        if (target && target.getChip() == arch)
          m.ptx += object.getObject().getValue().str();
      }
    if (m.ptx.empty()) // no kernel at all: an empty, valid PTX module
      m.ptx = ".version 7.8\n.target " + arch + "\n.address_size 64\n";
    result.push_back(std::move(m));
  }
  return result;
}

void printPTX(llvm::ArrayRef<PTXModule> modules, llvm::raw_ostream &os) {
  for (const PTXModule &m : modules) {
    if (modules.size() > 1)
      os << "// thunderc: --gpu-arch=" << m.arch << "\n";
    os << m.ptx;
  }
}

} // namespace thunder::cuda
