//===- Passes.h - the thunder_shard passes ----------------------*- C++ -*-===//
#ifndef THUNDER_SHARD_PASSES_H
#define THUNDER_SHARD_PASSES_H

#include "thunder/Shard/ShardDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/Pass.h"

namespace thunder::shard {

#define GEN_PASS_DECL
#include "thunder/Shard/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "thunder/Shard/Passes.h.inc"

/// The ShardingInterface models of the thunder ops (lib/Shard/Rules), and the
/// dialects the passes create.
void registerShardingExternalModels(mlir::DialectRegistry &registry);

/// The runtime functions the collectives lower to (compiler_abi.h).
inline constexpr llvm::StringLiteral kAllReduceFn = "thunder_shard_all_reduce";
inline constexpr llvm::StringLiteral kAllGatherFn = "thunder_shard_all_gather";
inline constexpr llvm::StringLiteral kReduceScatterFn = "thunder_shard_reduce_scatter";
inline constexpr llvm::StringLiteral kRankFn = "thunder_shard_rank";

} // namespace thunder::shard

#endif
