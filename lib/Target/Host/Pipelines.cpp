//===- Pipelines.cpp - tensors to caller-owned buffers --------------------===//
#include "thunder/Target/Host/Pipelines.h"
#include "thunder/Target/Passes.h"

#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace thunder::target {

void buildBufferizationPipeline(OpPassManager &pm, const BufferizationPipelineOptions &options) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createPrepareHostABI());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createEmptyTensorToAllocTensorPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.unknownTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());

  pm.addPass(createFreshResults());
  if (options.onBuffers)
    options.onBuffers(pm);
  if (options.planMemory)
    pm.addNestedPass<func::FuncOp>(createPlanMemory());
  // Ownership-based deallocation: frees every temporary (and the arena); the
  // results stay owned by the caller (thunder-fresh-results made them fresh).
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());
}

void registerTargetPassesAndPipelines() {
  registerThunderTargetPasses();
  PassPipelineRegistration<>(
      "thunder-bufferize",
      "linalg on tensors -> memrefs with the model ABI's buffer ownership",
      [](OpPassManager &pm) { buildBufferizationPipeline(pm); });
}

} // namespace thunder::target
