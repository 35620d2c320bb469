//===- ExpandDynamicReshapes.cpp - expand_shape with dynamic groups ------===//
//
// thunder-expand-dynamic-reshapes: a memref.expand_shape that expands one
// source dimension into several dynamic ones (`?` into `?x?`) becomes
// extract_strided_metadata + reinterpret_cast with the op's own output sizes,
// before expand-strided-metadata, whose expand_shape pattern supports one
// dynamic size per group only (and crashes on more). See Passes.td.
//
//===----------------------------------------------------------------------===//
#include "thunder/Target/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/Builders.h"

namespace thunder::target {
#define GEN_PASS_DEF_EXPANDDYNAMICRESHAPES
#include "thunder/Target/Passes.h.inc"
} // namespace thunder::target

using namespace mlir;

namespace thunder::target {
namespace {

/// Whether some reassociation group of the op has two dynamic result sizes.
bool hasGroupWithDynamicSizes(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  for (ReassociationIndices group : op.getReassociationIndices()) {
    int dynamic = 0;
    for (int64_t d : group)
      dynamic += type.isDynamicDim(d);
    if (dynamic > 1)
      return true;
  }
  return false;
}

/// a * b, folded when both are constants.
OpFoldResult mul(OpBuilder &b, Location loc, OpFoldResult x, OpFoldResult y) {
  std::optional<int64_t> cx = getConstantIntValue(x), cy = getConstantIntValue(y);
  if (cx && cy)
    return b.getIndexAttr(*cx * *cy);
  if (cx == 1)
    return y;
  if (cy == 1)
    return x;
  return arith::MulIOp::create(b, loc, getValueOrCreateConstantIndexOp(b, loc, x),
                               getValueOrCreateConstantIndexOp(b, loc, y))
      .getResult();
}

void rewrite(memref::ExpandShapeOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  MemRefType type = op.getResultType();
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, op.getSrc());
  SmallVector<OpFoldResult> srcStrides = meta.getConstifiedMixedStrides();
  SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
  // Static sizes of the result type win over the operands (they agree).
  for (int64_t d = 0, r = type.getRank(); d < r; ++d)
    if (!type.isDynamicDim(d))
      sizes[d] = b.getIndexAttr(type.getDimSize(d));
  SmallVector<OpFoldResult> strides(type.getRank());
  for (auto [srcDim, group] : llvm::enumerate(op.getReassociationIndices())) {
    OpFoldResult stride = srcStrides[srcDim];
    for (int64_t d : llvm::reverse(group)) {
      strides[d] = stride;
      if (d != group.front())
        stride = mul(b, loc, stride, sizes[d]);
    }
  }
  // Static strides of the result type (its layout) replace the computed ones.
  SmallVector<int64_t> typeStrides;
  int64_t typeOffset;
  if (succeeded(type.getStridesAndOffset(typeStrides, typeOffset)))
    for (auto [d, s] : llvm::enumerate(typeStrides))
      if (!ShapedType::isDynamic(s))
        strides[d] = b.getIndexAttr(s);
  OpFoldResult offset = meta.getConstifiedMixedOffset();
  Value cast = memref::ReinterpretCastOp::create(b, loc, type, meta.getBaseBuffer(), offset,
                                                 sizes, strides);
  op.replaceAllUsesWith(cast);
  op.erase();
}

struct ExpandDynamicReshapesPass
    : impl::ExpandDynamicReshapesBase<ExpandDynamicReshapesPass> {
  void runOnOperation() override {
    SmallVector<memref::ExpandShapeOp> ops;
    getOperation().walk([&](memref::ExpandShapeOp op) {
      if (hasGroupWithDynamicSizes(op))
        ops.push_back(op);
    });
    for (memref::ExpandShapeOp op : ops)
      rewrite(op);
  }
};

} // namespace
} // namespace thunder::target
