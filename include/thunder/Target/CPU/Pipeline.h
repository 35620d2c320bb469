//===- Pipeline.h - the CPU target: tensors to the LLVM dialect -*- C++ -*-===//
#ifndef THUNDER_TARGET_CPU_PIPELINE_H
#define THUNDER_TARGET_CPU_PIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace thunder::cpu {

struct CPUPipelineOptions {
  int optLevel = 2;
  /// thunder-plan-memory (static temporaries in one arena per call).
  bool planMemory = true;
  /// thunder-outline-kernels (one function per linalg op; compile time).
  bool outlineKernels = true;
};

/// memrefs (after buildBufferizationPipeline) -> the LLVM dialect: linalg to
/// affine loops, scalar replacement, scf/cf, bf16/f16 emulated in f32, math to
/// LLVM intrinsics or libm, everything else to LLVM. Functions marked
/// `llvm.emit_c_interface` get their `_mlir_ciface_` wrappers.
void buildCPULoweringPipeline(mlir::OpPassManager &pm, const CPUPipelineOptions &options = {});

/// Both: linalg on tensors -> the LLVM dialect.
void buildCPUCodegenPipeline(mlir::OpPassManager &pm, const CPUPipelineOptions &options = {});

/// Registers `thunder-cpu-lowering` and `thunder-cpu-codegen` (for thunder-opt).
void registerCPUPipelines();

} // namespace thunder::cpu

#endif
