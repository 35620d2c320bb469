//===- AttentionOps.cpp - attention_grad and the fused attention ops ------===//
//
// Verifiers of thunder.attention_grad (tensors) and of the destination-style
// fused_attention / fused_attention_grad (tensors or buffers), and the memory
// effects of the latter on buffers (read the inputs, write the outputs).
//
//===----------------------------------------------------------------------===//
#include "thunder/Dialect/Thunder/ThunderOps.h"

using namespace mlir;

namespace thunder {
namespace {

bool conflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

/// Shapes equal up to dynamic extents.
bool compatible(ShapedType a, ShapedType b) {
  if (a.getRank() != b.getRank())
    return false;
  for (int64_t i = 0; i < a.getRank(); ++i)
    if (conflict(a.getDimSize(i), b.getDimSize(i)))
      return false;
  return true;
}

/// q [B, H, L, E], k and v [B, Hkv, S, E] with Hkv dividing H, one float
/// element type; the mask broadcastable to [B, H, L, S] (right-aligned,
/// extents 1 or equal), float or i1.
LogicalResult verifyFusedOperands(Operation *op, ShapedType q, ShapedType k, ShapedType v,
                                  Value mask) {
  if (q.getRank() != 4 || k.getRank() != 4 || v.getRank() != 4)
    return op->emitOpError("query, key and value must have rank 4 ([B, H, L, E])");
  Type e = q.getElementType();
  if (!isa<FloatType>(e) || k.getElementType() != e || v.getElementType() != e)
    return op->emitOpError("query, key and value must have one float element type");
  if (conflict(q.getDimSize(0), k.getDimSize(0)) || conflict(k.getDimSize(0), v.getDimSize(0)))
    return op->emitOpError("batch extents differ");
  if (conflict(k.getDimSize(1), v.getDimSize(1)) || conflict(k.getDimSize(2), v.getDimSize(2)))
    return op->emitOpError("key and value shapes differ");
  if (conflict(q.getDimSize(3), k.getDimSize(3)) || conflict(q.getDimSize(3), v.getDimSize(3)))
    return op->emitOpError("query, key and value head dims differ");
  int64_t h = q.getDimSize(1), hkv = k.getDimSize(1);
  if (!ShapedType::isDynamic(h) && !ShapedType::isDynamic(hkv) && (hkv == 0 || h % hkv != 0))
    return op->emitOpError("the key/value heads (") << hkv << ") must divide the query heads ("
                                                    << h << ")";
  if (mask) {
    auto m = cast<ShapedType>(mask.getType());
    if (!isa<FloatType>(m.getElementType()) && !m.getElementType().isInteger(1))
      return op->emitOpError("mask must be float or i1");
    if (m.getRank() > 4)
      return op->emitOpError("mask rank must be <= 4");
    int64_t full[4] = {q.getDimSize(0), h, q.getDimSize(2), k.getDimSize(2)};
    for (int64_t i = 0; i < m.getRank(); ++i) {
      int64_t extent = m.getDimSize(i), target = full[4 - m.getRank() + i];
      if (extent != 1 && conflict(extent, target))
        return op->emitOpError("mask does not broadcast to [B, H, L, S]");
    }
  }
  return success();
}

/// Tensor operands and results together: every output a tensor with a tied
/// result of its type, or every output a buffer and no result.
LogicalResult verifyOutputs(Operation *op, ValueRange outputs, ArrayRef<ShapedType> expected) {
  if (outputs.size() != expected.size())
    return op->emitOpError("expects ") << expected.size() << " outputs";
  bool tensors = isa<RankedTensorType>(outputs[0].getType());
  for (auto [out, want] : llvm::zip(outputs, expected)) {
    auto t = cast<ShapedType>(out.getType());
    if (isa<RankedTensorType>(t) != tensors)
      return op->emitOpError("outputs must be all tensors or all buffers");
    if (t.getElementType() != want.getElementType() || !compatible(t, want))
      return op->emitOpError("output type ") << t << " does not match " << want;
  }
  for (Value operand : op->getOperands())
    if (isa<RankedTensorType>(operand.getType()) != tensors)
      return op->emitOpError("operands must be all tensors or all buffers");
  if (op->getNumResults() != (tensors ? outputs.size() : 0))
    return op->emitOpError("needs one result per output on tensors, none on buffers");
  return success();
}

void bufferEffects(Operation *op, ValueRange outputs,
                   SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    bool isOutput = operand.getOperandNumber() >= op->getNumOperands() - outputs.size();
    if (isOutput)
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

} // namespace

LogicalResult AttentionGradOp::verify() {
  auto q = cast<RankedTensorType>(getQuery().getType());
  auto k = cast<RankedTensorType>(getKey().getType());
  auto v = cast<RankedTensorType>(getValue().getType());
  auto g = cast<RankedTensorType>(getGradOutput().getType());
  if (getGradQuery().getType() != q || getGradKey().getType() != k ||
      getGradValue().getType() != v)
    return emitOpError("gradients must be typed like query, key and value");
  int64_t r = q.getRank();
  if (r < 2 || k.getRank() != r || v.getRank() != r || g.getRank() != r)
    return emitOpError("query, key, value and grad_output must have one rank >= 2");
  SmallVector<int64_t> out(q.getShape().drop_back());
  out.push_back(v.getDimSize(r - 1));
  if (g.getElementType() != q.getElementType() ||
      !compatible(g, RankedTensorType::get(out, q.getElementType())))
    return emitOpError("grad_output must have the attention result's type");
  return success();
}

LogicalResult FusedAttentionOp::verify() {
  auto q = cast<ShapedType>(getQuery().getType());
  if (failed(verifyFusedOperands(*this, q, cast<ShapedType>(getKey().getType()),
                                 cast<ShapedType>(getValue().getType()), getMask())))
    return failure();
  return verifyOutputs(*this, getOutputs(), {q});
}

void FusedAttentionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  bufferEffects(*this, getOutputs(), effects);
}

LogicalResult FusedAttentionGradOp::verify() {
  auto q = cast<ShapedType>(getQuery().getType());
  auto k = cast<ShapedType>(getKey().getType()), v = cast<ShapedType>(getValue().getType());
  if (failed(verifyFusedOperands(*this, q, k, v, getMask())))
    return failure();
  auto g = cast<ShapedType>(getGradOutput().getType());
  if (g.getElementType() != q.getElementType() || !compatible(g, q))
    return emitOpError("grad_output must be shaped like the query");
  return verifyOutputs(*this, getOutputs(), {q, k, v});
}

void FusedAttentionGradOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  bufferEffects(*this, getOutputs(), effects);
}

} // namespace thunder
