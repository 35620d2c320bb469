//===- Pipeline.cpp - the CPU target: tensors to the LLVM dialect ---------===//
#include "thunder/Target/CPU/Pipeline.h"
#include "thunder/Target/Host/Pipelines.h"
#include "thunder/Target/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToFuncs/MathToFuncs.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Affine/Transforms/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace thunder::cpu {

void buildCPULoweringPipeline(OpPassManager &pm, const CPUPipelineOptions &options) {
  // User operators become runtime calls first: their copies are legalised too.
  pm.addPass(target::createCustomCalls());
  pm.addPass(target::createLegalizeCopies());
  if (options.optLevel > 0)
    pm.addNestedPass<func::FuncOp>(target::createInterchangeLoops());
  if (options.outlineKernels)
    pm.addPass(target::createOutlineKernels());
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createConvertLinalgToAffineLoopsPass());
  if (options.optLevel > 0) {
    fpm.addPass(affine::createAffineScalarReplacementPass());
    fpm.addPass(createLoopInvariantCodeMotionPass());
  }
  fpm.addPass(createLowerAffinePass());
  fpm.addPass(createForallToForLoopPass());
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());

  // bf16/f16 arithmetic in f32 (x86-64 has none), conversions in integer ops
  // (no soft-float library calls from libgcc); 8- and 4-bit floats (ONNX) are
  // only converted, in integer ops too.
  fpm.addPass(target::createExpandFloat8Casts());
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16", "f16"};
  emulate.targetTypeStr = "f32";
  fpm.addPass(arith::createArithEmulateUnsupportedFloats(emulate));
  math::MathExtendToSupportedTypesOptions extend;
  extend.targetTypeStr = "f32";
  fpm.addPass(math::createMathExtendToSupportedTypes(extend));
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  expand.includeF8E8M0 = true;
  expand.includeF4E2M1 = true;
  fpm.addPass(arith::createArithExpandOpsPass(expand));

  pm.addPass(createSCFToControlFlowPass());
  // Before expand-strided-metadata, which crashes on an expand_shape of one
  // dimension into several dynamic ones (dynamic batch and sequence).
  pm.addPass(target::createExpandDynamicReshapes());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  // Math: LLVM intrinsics where they exist, libm (linked by the .so) for the
  // rest (erf, tanh, ...), generated functions for integer powers.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void buildCPUCodegenPipeline(OpPassManager &pm, const CPUPipelineOptions &options) {
  target::BufferizationPipelineOptions bufferize;
  bufferize.planMemory = options.planMemory;
  target::buildBufferizationPipeline(pm, bufferize);
  buildCPULoweringPipeline(pm, options);
}

void registerCPUPipelines() {
  PassPipelineRegistration<>("thunder-cpu-lowering",
                             "memrefs (after thunder-bufferize) -> the LLVM dialect, for the CPU",
                             [](OpPassManager &pm) { buildCPULoweringPipeline(pm); });
  PassPipelineRegistration<>("thunder-cpu-codegen",
                             "linalg on tensors -> the LLVM dialect, for the CPU",
                             [](OpPassManager &pm) { buildCPUCodegenPipeline(pm); });
}

} // namespace thunder::cpu
