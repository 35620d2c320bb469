//===- Rules.h - how thunder ops shard: ShardingInterface models -*- C++ -*-===//
//
// Private to lib/Shard/Rules. Each thunder op that shards describes itself as
// a loop nest, as linalg ops do for upstream's ShardingInterface: iterator
// types (parallel / reduction, with the reduction's kind) and one indexing
// map per tensor operand and result. A describe function returns that nest,
// or nothing where the op does not fit one (the partition then runs the op
// replicated). attachLoopNest<OpT, describe> attaches it.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_SHARD_RULES_RULES_H
#define THUNDER_LIB_SHARD_RULES_RULES_H

#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Shard/Interfaces/ShardingInterface.h"
#include "mlir/IR/AffineMap.h"

#include <optional>

namespace thunder::shard {

struct LoopNest {
  llvm::SmallVector<mlir::utils::IteratorType> iterators;
  llvm::SmallVector<mlir::shard::ReductionKind> reductionKinds; // one per reduction loop
  llvm::SmallVector<mlir::AffineMap> maps; // operands, then results
};

template <typename OpT>
using DescribeFn = std::optional<LoopNest> (*)(OpT);

template <typename OpT, DescribeFn<OpT> Describe>
struct LoopNestModel
    : mlir::shard::ShardingInterface::ExternalModel<LoopNestModel<OpT, Describe>, OpT> {
  llvm::SmallVector<mlir::utils::IteratorType> getLoopIteratorTypes(mlir::Operation *op) const {
    auto nest = Describe(mlir::cast<OpT>(op));
    return nest ? nest->iterators : llvm::SmallVector<mlir::utils::IteratorType>{};
  }
  llvm::SmallVector<mlir::shard::ReductionKind>
  getReductionLoopIteratorKinds(mlir::Operation *op) const {
    auto nest = Describe(mlir::cast<OpT>(op));
    return nest ? nest->reductionKinds : llvm::SmallVector<mlir::shard::ReductionKind>{};
  }
  llvm::SmallVector<mlir::AffineMap> getIndexingMaps(mlir::Operation *op) const {
    auto nest = Describe(mlir::cast<OpT>(op));
    return nest ? nest->maps : llvm::SmallVector<mlir::AffineMap>{};
  }
};

template <typename OpT, DescribeFn<OpT> Describe>
void attachLoopNest(mlir::MLIRContext *ctx) {
  OpT::template attachInterface<LoopNestModel<OpT, Describe>>(*ctx);
}

/// All loops parallel, every operand and result indexed by the loops as they
/// are (rank `rank`).
LoopNest identityNest(mlir::MLIRContext *ctx, int64_t rank, unsigned numOperands,
                      unsigned numResults);

/// True where every operand and result of `op` is a ranked tensor (the nests
/// index tensors only; ops with index operands for dynamic sizes run
/// replicated).
bool onlyTensors(mlir::Operation *op);

void attachElementwiseRules(mlir::MLIRContext *ctx);
void attachDataMovementRules(mlir::MLIRContext *ctx);
void attachReductionRules(mlir::MLIRContext *ctx);
void attachLinearAlgebraRules(mlir::MLIRContext *ctx);
void attachConvolutionRules(mlir::MLIRContext *ctx);
void attachAttentionRules(mlir::MLIRContext *ctx);

} // namespace thunder::shard

#endif
