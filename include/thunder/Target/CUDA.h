//===- CUDA.h - the CUDA target: linalg on tensors to kernels + host code -*- C++ -*-===//
//
// The CUDA target of thunderc (docs/cuda.md). It takes the module the shared
// lowering produces (linalg/tensor/arith/math on tensors, thunder.* argument
// attributes) and returns it in the LLVM dialect:
//  - host functions (@forward, @backward, with their `_mlir_ciface_`
//    wrappers) that allocate on the device, call thunder_cuda_matmul
//    (cuBLASLt) and thunder_cuda_conv (cuDNN, with a generated kernel as
//    fallback) and launch kernels on the caller's stream (mgpu* calls of
//    include/thunder/runtime/compiler_abi.h);
//  - the kernels in one `gpu.binary @thunder_kernels`, whose LLVM IR
//    translation embeds a fatbin (cubins for every --gpu-arch + PTX) or PTX,
//    and loads it with mgpuModuleLoad / mgpuModuleLoadJIT from a global
//    constructor.
// The driver then translates to LLVM IR, adds the entry wrappers, the meta and
// the weights, and links with the runtime as for the CPU target. No GPU is
// needed; ptxas/fatbinary are used when a CUDA toolkit is found.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_CUDA_H
#define THUNDER_TARGET_CUDA_H

#include "thunder/Driver/Compile.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace thunder::cuda {

/// What the pipelines below take.
struct CUDAPipelineOptions {
  /// Architectures (`sm_90`, `sm_80`...): one cubin each, and the PTX of
  /// the lowest.
  std::vector<std::string> gpuArchs = {"sm_90"};
  /// NVPTX/ptxas optimisation level.
  int optLevel = 3;
  /// float32 matrix products and convolutions on TF32 tensor cores.
  bool tf32 = true;
  /// Convolutions call cuDNN (thunder_cuda_conv) first, the generated kernel
  /// being the fallback (thunder-cuda-convolution-calls); false: generated
  /// kernels only.
  bool cudnn = true;
  /// Convolutions with fewer multiply-adds stay generated kernels (see the
  /// thunder-cuda-convolution-calls option min-macs).
  int64_t cudnnMinMacs = 50000000;
  /// Supported attention runs on the runtime's fused kernels
  /// (thunder-cuda-fuse-attention, thunder-cuda-attention-calls).
  bool fusedAttention = true;
  /// ... and the attention gradient too (THUNDERC_CUDA_FUSED_ATTENTION_BACKWARD=0:
  /// the backward recomputes attention with cuBLASLt products instead).
  bool fusedAttentionBackward = true;
  /// Scatter loops (index_put, scatter) run one thread per update with
  /// atomic adds; false: one thread, in order (deterministic sums).
  bool parallelScatters = true;
  /// Long reductions whose innermost loop is parallel (column sums) run
  /// split over blocks, merged with atomics; false: one thread per output,
  /// in order (deterministic sums: THUNDERC_CUDA_SPLIT_REDUCTIONS=0).
  bool splitReductions = true;
  /// bf16/f16 products only read rounded store their own type
  /// (thunder-cuda-narrow-matmul-results); THUNDERC_CUDA_NARROW_MATMULS=0 off.
  bool narrowMatmuls = true;
  /// Fused attention reads and writes permuted views, not transposed copies
  /// (thunder-cuda-fold-attention-permutes; THUNDERC_CUDA_FOLD_ATTENTION_PERMUTES=0
  /// off: session 6, not yet run on a GPU).
  bool foldAttentionPermutes = true;
  /// A Linear layer's bias add goes into cuBLASLt's bias epilogue
  /// (thunder-cuda-matmul-bias). Opt-in (THUNDERC_CUDA_MATMUL_BIAS=1) until it
  /// has run on a GPU.
  bool matmulBias = false;
  /// Elementwise kernels take up to 16 bytes of each unit-stride operand per
  /// thread (VectorAccess.h). Opt-in (THUNDERC_CUDA_VECTOR_ELEMENTWISE=1)
  /// until it has run on a GPU.
  bool vectorElementwise = false;
  /// Many short rows reduce one warp per row (THUNDERC_CUDA_WARP_REDUCTIONS=0:
  /// a block per row, as before).
  bool warpReductions = true;
  /// Identical kernels compile once (thunder-cuda-dedup-kernels;
  /// THUNDERC_CUDA_DEDUP_KERNELS=0 off).
  bool dedupKernels = true;
  /// thunder-plan-memory in the shared bufferization.
  bool planMemory = true;
  /// CUDA toolkit directory for ptxas/fatbinary/libdevice ("" = search).
  std::string toolkit;
  /// Embed PTX only (no ptxas even where found).
  bool ptxOnly = false;
  /// Stop after gpu-module-to-binary{format=isa}: the gpu.binary holds one
  /// PTX object per architecture, host code stays in gpu/func/memref
  /// (for --emit=ptx and tests).
  bool stopAtPTX = false;
};

/// The options of the driver's CompileOptions that concern this target.
CUDAPipelineOptions getPipelineOptions(const driver::CompileOptions &options);

/// On thunder ops, before the shared thunder -> linalg lowering: supported
/// attention (and attention gradients) become the fused, destination-style
/// ops that thunder-cuda-attention-calls turns into runtime calls.
void buildCUDAThunderPipeline(mlir::OpPassManager &pm, const CUDAPipelineOptions &options);
/// Tensors -> memrefs: the CUDA preparation on tensors (transposes folded
/// into matrix products), then the shared bufferization
/// (thunder::target::buildBufferizationPipeline).
void buildCUDABufferizationPipeline(mlir::OpPassManager &pm,
                                    const CUDAPipelineOptions &options);

/// Memrefs (after the shared bufferization) -> LLVM dialect + gpu.binary:
/// library calls, kernels (gpu dialect), device buffers, outlining, NVVM,
/// PTX (and cubins/fatbin), host code to LLVM.
void buildCUDALoweringPipeline(mlir::OpPassManager &pm, const CUDAPipelineOptions &options);

/// Both of the above: linalg on tensors -> LLVM dialect.
void buildCUDACodegenPipeline(mlir::OpPassManager &pm, const CUDAPipelineOptions &options);

/// Adds to `registry` the dialects, interfaces (NVVM target serialisation)
/// and LLVM IR translations that the pipelines and the translation of their
/// output need. lowerToLLVM and emitPTX call it on the module's context.
void registerDialectsAndInterfaces(mlir::DialectRegistry &registry);

/// Registers the passes of lib/Target/CUDA/Passes.td and the pipelines
/// `thunder-cuda-lowering` (memrefs -> LLVM), `thunder-cuda-codegen`
/// (tensors -> LLVM) with options `gpu-archs`, `O`, `tf32`, `cudnn`, `toolkit`,
/// `ptx-only`, `stop-at-ptx` (for thunder-opt).
void registerCUDAPasses();

/// The driver's entry point for `--target=cuda`: linalg on tensors (after
/// the shared lowering) -> the LLVM dialect, in place. Honours
/// options.gpuArchs, optLevel, printIrAfterAll / printIrAfter, timePasses.
/// Emits diagnostics on failure.
mlir::LogicalResult lowerToLLVM(mlir::ModuleOp module, const driver::CompileOptions &options);

/// One architecture's PTX.
struct PTXModule {
  std::string arch; // "sm_90"
  std::string ptx;
};

/// For `--emit=ptx`: runs the pipeline (in place) up to the PTX of every
/// architecture of options.gpuArchs, in that order.
mlir::FailureOr<std::vector<PTXModule>> emitPTX(mlir::ModuleOp module,
                                               const driver::CompileOptions &options);

/// Writes `modules` as one text: the PTX itself for one architecture; for
/// several, each preceded by a `// thunderc: --gpu-arch=sm_XX` line (ptxas
/// takes one architecture per file: split at those lines).
void printPTX(llvm::ArrayRef<PTXModule> modules, llvm::raw_ostream &os);

} // namespace thunder::cuda

#endif // THUNDER_TARGET_CUDA_H
