//===- Elementwise.cpp - elementwise ops shard along any dimension --------===//
//
// One rule for every thunder op with the Elementwise trait (operands of the
// result's shape): each dimension is a parallel loop.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::shard {

LoopNest identityNest(MLIRContext *ctx, int64_t rank, unsigned numOperands, unsigned numResults) {
  LoopNest nest;
  nest.iterators.assign(rank, utils::IteratorType::parallel);
  nest.maps.assign(numOperands + numResults, AffineMap::getMultiDimIdentityMap(rank, ctx));
  return nest;
}

bool onlyTensors(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), llvm::IsaPred<RankedTensorType>) &&
         llvm::all_of(op->getResultTypes(), llvm::IsaPred<RankedTensorType>);
}

namespace {

std::optional<LoopNest> describeElementwise(Operation *op) {
  if (!onlyTensors(op) || op->getNumResults() != 1)
    return std::nullopt;
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  for (Type t : op->getOperandTypes())
    if (cast<RankedTensorType>(t).getShape() != type.getShape())
      return std::nullopt;
  return identityNest(op->getContext(), type.getRank(), op->getNumOperands(), 1);
}

template <typename OpT> std::optional<LoopNest> describe(OpT op) {
  return describeElementwise(op.getOperation());
}

template <typename... OpTs> void attachToElementwise(MLIRContext *ctx) {
  (
      [&] {
        if constexpr (OpTs::template hasTrait<OpTrait::Elementwise>())
          attachLoopNest<OpTs, describe<OpTs>>(ctx);
      }(),
      ...);
}

} // namespace

void attachElementwiseRules(MLIRContext *ctx) {
  attachToElementwise<
#define GET_OP_LIST
#include "thunder/Dialect/Thunder/ThunderOps.cpp.inc"
      >(ctx);
}

} // namespace thunder::shard
