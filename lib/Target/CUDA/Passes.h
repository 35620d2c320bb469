//===- Passes.h - the CUDA target's passes (internal) -----------*- C++ -*-===//
//
// Generated from Passes.td; see it (and docs/cuda.md) for what each does.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_TARGET_CUDA_PASSES_H
#define THUNDER_LIB_TARGET_CUDA_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace thunder::cuda {

#define GEN_PASS_DECL
#include "CUDAPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "CUDAPasses.h.inc"

/// The bufferization of thunder.fused_attention / _grad (FuseAttention.cpp).
void registerFusedAttentionInterfaces(mlir::DialectRegistry &registry);

/// The name of the gpu.module (then gpu.binary) that holds every kernel.
inline constexpr llvm::StringLiteral kKernelModuleName = "thunder_kernels";

} // namespace thunder::cuda

#endif
