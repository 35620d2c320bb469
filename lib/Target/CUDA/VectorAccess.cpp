//===- VectorAccess.cpp - elementwise kernels moving 16 bytes a thread ----===//
#include "VectorAccess.h"
#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace thunder::cuda {
namespace {

int64_t elementBytes(Type t) { return t.getIntOrFloatBitWidth() / 8; }

/// Whether `operand` can be accessed V elements at a time for some V: its
/// map's last result is the innermost loop, which no other result uses, and
/// its innermost dim has unit stride and the others static strides.
bool isVectorCandidate(linalg::LinalgOp op, OpOperand &operand, unsigned inner) {
  auto type = cast<MemRefType>(operand.get().getType());
  Type element = type.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0 ||
      element.getIntOrFloatBitWidth() > 64)
    return false;
  // A constant is cloned into the kernel as a device global; the host's
  // alignment check would look at the host copy.
  if (operand.get().getDefiningOp<memref::GetGlobalOp>())
    return false;
  AffineMap map = op.getMatchingIndexingMap(&operand);
  if (map.getNumResults() == 0 || map.getResults().back() != getAffineDimExpr(inner, op.getContext()))
    return false;
  for (AffineExpr e : map.getResults().drop_back())
    if (e.isFunctionOfDim(inner))
      return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) || strides.back() != 1)
    return false;
  return llvm::none_of(strides, ShapedType::isDynamic);
}

/// Whether every stride but the innermost is a multiple of `width`: then the
/// first point of every thread is as aligned as the operand's first element.
bool stridesKeepAlignment(Value memref, int64_t width) {
  SmallVector<int64_t> strides;
  int64_t offset;
  (void)cast<MemRefType>(memref.getType()).getStridesAndOffset(strides, offset);
  return llvm::all_of(ArrayRef<int64_t>(strides).drop_back(),
                      [&](int64_t s) { return s % width == 0; });
}

} // namespace

std::optional<VectorPlan> planVectorAccess(linalg::LinalgOp op, int64_t maxBytes) {
  unsigned loops = op.getNumLoops();
  if (loops == 0)
    return std::nullopt;
  unsigned inner = loops - 1;
  int64_t range = op.getStaticLoopRanges()[inner];
  if (ShapedType::isDynamic(range))
    return std::nullopt;

  VectorPlan plan;
  int64_t widest = 0;
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType())) {
      plan.access.push_back(LaneAccess::Scalar);
      continue;
    }
    bool isOutput = op.isDpsInit(&operand);
    if (isVectorCandidate(op, operand, inner)) {
      plan.access.push_back(LaneAccess::Vector);
      widest = std::max(widest, elementBytes(getElementTypeOrSelf(operand.get().getType())));
    } else if (isOutput) {
      return std::nullopt;
    } else if (!op.getMatchingIndexingMap(&operand).isFunctionOfDim(inner)) {
      plan.access.push_back(LaneAccess::Invariant);
    } else {
      plan.access.push_back(LaneAccess::PerLane);
    }
  }
  if (widest == 0)
    return std::nullopt;
  // V points of the widest operand fill one access; at most 8 payloads.
  int64_t width = std::min<int64_t>(maxBytes / widest, 8);
  while (width >= 2 && range % width != 0)
    width /= 2;
  if (width < 2)
    return std::nullopt;
  for (auto [operand, access] : llvm::zip(op->getOpOperands(), plan.access))
    if (access == LaneAccess::Vector && !stridesKeepAlignment(operand.get(), width)) {
      if (op.isDpsInit(&operand))
        return std::nullopt;
      access = LaneAccess::PerLane;
    }
  plan.width = width;
  return plan;
}

Value buildAlignmentCheck(OpBuilder &b, Location loc, linalg::LinalgOp op, const VectorPlan &plan) {
  Value aligned = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (auto [operand, access] : llvm::zip(op->getOpOperands(), plan.access)) {
    if (access != LaneAccess::Vector)
      continue;
    Value memref = operand.get();
    int64_t bytes = elementBytes(getElementTypeOrSelf(memref.getType()));
    Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    Value offset = memref::ExtractStridedMetadataOp::create(b, loc, memref).getOffset();
    Value address = arith::AddIOp::create(
        b, loc, pointer,
        arith::MulIOp::create(b, loc, offset, arith::ConstantIndexOp::create(b, loc, bytes)));
    Value misalignment = arith::AndIOp::create(
        b, loc, address, arith::ConstantIndexOp::create(b, loc, bytes * plan.width - 1));
    Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, misalignment,
                                     arith::ConstantIndexOp::create(b, loc, 0));
    aligned = arith::AndIOp::create(b, loc, aligned, ok);
  }
  return aligned;
}

void emitVectorPoints(OpBuilder &b, Location loc, linalg::LinalgOp op, const VectorPlan &plan,
                      ValueRange ivs) {
  int64_t width = plan.width;
  unsigned inner = op.getNumLoops() - 1;
  SmallVector<SmallVector<Value>> laneIvs;
  for (int64_t lane = 0; lane < width; ++lane) {
    SmallVector<Value> point(ivs.begin(), ivs.end());
    if (lane)
      point[inner] = arith::AddIOp::create(b, loc, ivs[inner],
                                           arith::ConstantIndexOp::create(b, loc, lane));
    laneIvs.push_back(point);
  }

  // Per lane, the value of every block argument the payload reads.
  SmallVector<DenseMap<Value, Value>> args(width);
  Block *body = op.getBlock();
  for (auto [operand, access] : llvm::zip(op->getOpOperands(), plan.access)) {
    BlockArgument arg = body->getArgument(operand.getOperandNumber());
    if (arg.use_empty())
      continue;
    Value v = operand.get();
    AffineMap map = op.getMatchingIndexingMap(&operand);
    Type element = getElementTypeOrSelf(v.getType());
    switch (access) {
    case LaneAccess::Scalar:
      for (auto &lane : args)
        lane[arg] = v;
      break;
    case LaneAccess::Invariant: {
      Value loaded = memref::LoadOp::create(b, loc, v, applyMap(b, loc, map, ivs));
      for (auto &lane : args)
        lane[arg] = loaded;
      break;
    }
    case LaneAccess::PerLane:
      for (int64_t lane = 0; lane < width; ++lane)
        args[lane][arg] = memref::LoadOp::create(b, loc, v, applyMap(b, loc, map, laneIvs[lane]));
      break;
    case LaneAccess::Vector: {
      auto type = VectorType::get({width}, element);
      Value loaded = vector::LoadOp::create(b, loc, type, v, applyMap(b, loc, map, ivs),
                                            /*nontemporal=*/false,
                                            llvm::Align(width * elementBytes(element)));
      for (int64_t lane = 0; lane < width; ++lane)
        args[lane][arg] = vector::ExtractOp::create(b, loc, loaded, lane);
      break;
    }
    }
  }

  SmallVector<SmallVector<Value>> results(op.getNumDpsInits());
  for (int64_t lane = 0; lane < width; ++lane) {
    IRMapping mapping;
    emitPayload(b, loc, op, laneIvs[lane], args[lane], /*skip=*/{}, mapping);
    for (auto [k, v] : llvm::enumerate(getYielded(op, mapping)))
      results[k].push_back(v);
  }
  for (auto [init, lanes] : llvm::zip(op.getDpsInitsMutable(), results)) {
    Value memref = init.get();
    Type element = getElementTypeOrSelf(memref.getType());
    Value packed = vector::FromElementsOp::create(b, loc, VectorType::get({width}, element), lanes);
    vector::StoreOp::create(b, loc, packed, memref,
                            applyMap(b, loc, op.getMatchingIndexingMap(&init), ivs),
                            /*nontemporal=*/false, llvm::Align(width * elementBytes(element)));
  }
}

} // namespace thunder::cuda
