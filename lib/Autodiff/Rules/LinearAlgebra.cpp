//===- LinearAlgebra.cpp - VJP rule of matmul -----------------------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::autodiff {
namespace {

/// C = A B: dA = dC B^T, dB = A^T dC (batch dims are equal, so no sums).
/// A widened product (f16/bf16 operands, f32 result: thunder-autocast) takes
/// its cotangent in the operands' type, as autocast's backward does.
LogicalResult matmulRule(VJPBuilder &b, MatmulOp op, ArrayRef<Value> g,
                         MutableArrayRef<Value> out) {
  Value dC = b.convert(g[0], cast<RankedTensorType>(op.getLhs().getType()).getElementType());
  if (b.wants(op.getLhs()))
    out[0] = b.matmul(dC, b.transposeLast2(b.primal(op.getRhs())));
  if (b.wants(op.getRhs()))
    out[1] = b.matmul(b.transposeLast2(b.primal(op.getLhs())), dC);
  // A dynamic extent the result type knows statically (or the reverse) must
  // match the operand type exactly.
  for (int i = 0; i < 2; ++i)
    if (out[i] && out[i].getType() != op->getOperand(i).getType())
      out[i] =
          b.reshape(out[i], cast<RankedTensorType>(op->getOperand(i).getType()),
                    b.dynamicSizes(op->getOperand(i)));
  return success();
}

} // namespace

void registerLinearAlgebraVJPs(MLIRContext *ctx) {
  attachRule<MatmulOp, matmulRule>(ctx);
}

} // namespace thunder::autodiff
