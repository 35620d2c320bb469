//===- GradientBuckets.cpp - one all_reduce for many small gradients ------===//
#include "GradientBuckets.h"

#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;
namespace upstream = mlir::shard;

namespace thunder::shard {
namespace {

/// An all_reduce of a whole float gradient that only the return reads.
bool bucketable(upstream::AllReduceOp op) {
  auto type = dyn_cast<RankedTensorType>(op.getType());
  return type && type == op.getInput().getType() && type.hasStaticShape() &&
         isa<FloatType>(type.getElementType()) &&
         op.getReduction() == upstream::ReductionKind::Sum && op->hasOneUse() &&
         isa<func::ReturnOp>(*op->user_begin());
}

Type elementOf(upstream::AllReduceOp op) {
  return cast<RankedTensorType>(op.getType()).getElementType();
}

void emitBucket(MutableArrayRef<upstream::AllReduceOp> bucket, Operation *ret) {
  OpBuilder b(ret);
  Location loc = ret->getLoc();
  Type element = elementOf(bucket.front());
  SmallVector<Value> flat;
  SmallVector<Type> flatTypes;
  int64_t total = 0;
  for (upstream::AllReduceOp op : bucket) {
    auto type = cast<RankedTensorType>(op.getType());
    auto flatType = RankedTensorType::get({type.getNumElements()}, element);
    flat.push_back(type == flatType
                       ? op.getInput()
                       : ReshapeOp::create(b, loc, flatType, op.getInput(), ValueRange{}).getResult());
    flatTypes.push_back(flatType);
    total += type.getNumElements();
  }
  auto allType = RankedTensorType::get({total}, element);
  Value all = ConcatOp::create(b, loc, allType, flat, b.getI64IntegerAttr(0));
  auto first = bucket.front();
  Value summed = upstream::AllReduceOp::create(b, loc, allType, first.getGridAttr(),
                                               first.getGridAxesAttr(), all,
                                               first.getReductionAttr());
  int64_t offset = 0;
  for (upstream::AllReduceOp op : bucket) {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t n = type.getNumElements();
    Value part = SliceOp::create(b, loc, RankedTensorType::get({n}, element), summed,
                                 b.getDenseI64ArrayAttr({offset}),
                                 b.getDenseI64ArrayAttr({offset + n}), b.getDenseI64ArrayAttr({1}));
    op.getResult().replaceAllUsesWith(
        part.getType() == type ? part
                               : ReshapeOp::create(b, loc, type, part, ValueRange{}).getResult());
    op->erase();
    offset += n;
  }
}

} // namespace

unsigned bucketGradientReductions(func::FuncOp f, int64_t bucketBytes) {
  Operation *ret = f.getBody().front().getTerminator();
  // Per element type, in the order of the results.
  llvm::MapVector<Type, SmallVector<upstream::AllReduceOp>> byType;
  for (Value v : ret->getOperands())
    if (auto op = v.getDefiningOp<upstream::AllReduceOp>(); op && bucketable(op))
      byType[elementOf(op)].push_back(op);
  unsigned replaced = 0;
  for (auto &[element, ops] : byType) {
    int64_t item = (element.getIntOrFloatBitWidth() + 7) / 8;
    SmallVector<upstream::AllReduceOp> bucket;
    int64_t bytes = 0;
    auto flush = [&] {
      if (bucket.size() > 1) {
        replaced += bucket.size();
        emitBucket(bucket, ret);
      }
      bucket.clear();
      bytes = 0;
    };
    for (upstream::AllReduceOp op : ops) {
      int64_t size = cast<RankedTensorType>(op.getType()).getNumElements() * item;
      if (!bucket.empty() && bytes + size > bucketBytes)
        flush();
      bucket.push_back(op);
      bytes += size;
    }
    flush();
  }
  return replaced;
}

} // namespace thunder::shard
