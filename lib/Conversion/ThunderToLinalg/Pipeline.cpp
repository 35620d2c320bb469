//===- Pipeline.cpp - thunder-lower-to-linalg and pass registration -------===//
#include "thunder/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace thunder {
namespace gen {
#define GEN_PASS_REGISTRATION
#include "thunder/Transforms/Passes.h.inc"
} // namespace gen

void buildThunderToLinalgPipeline(mlir::OpPassManager &pm,
                                  const ThunderToLinalgOptions &options) {
  pm.addPass(createThunderDecompose({options.keepAttention}));
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(createConvertThunderToLinalg({options.keepAttention}));
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  if (options.fuseElementwise) {
    pm.addPass(createThunderFuseElementwise());
    pm.addPass(mlir::createCanonicalizerPass());
    pm.addPass(mlir::createCSEPass());
  }
}

namespace {
struct PipelineOptions : mlir::PassPipelineOptions<PipelineOptions> {
  Option<bool> keepAttention{
      *this, "keep-attention",
      llvm::cl::desc("Leave thunder.attention whole (for a fused kernel)"),
      llvm::cl::init(false)};
  Option<bool> fuseElementwise{
      *this, "fuse-elementwise",
      llvm::cl::desc("Fuse elementwise linalg.generic ops after the conversion"),
      llvm::cl::init(true)};
};
} // namespace

void registerThunderPasses() {
  gen::registerThunderPasses();
  mlir::PassPipelineRegistration<PipelineOptions>(
      "thunder-lower-to-linalg",
      "Decompose and lower the thunder dialect to linalg/tensor/arith/math/scf "
      "on tensors, ready for one-shot-bufferize",
      [](mlir::OpPassManager &pm, const PipelineOptions &opts) {
        buildThunderToLinalgPipeline(
            pm, ThunderToLinalgOptions{opts.keepAttention, opts.fuseElementwise});
      });
}

} // namespace thunder
