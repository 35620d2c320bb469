//===- CustomCall.cpp - VJP rule of thunder.custom_call --------------------===//
//
// A user operator's gradient is the user's own function: the VJP of
// `thunder.custom_call @thunder_custom_NS_NAME` calls
// `@thunder_custom_NS_NAME_backward` with one cotangent per result (zeros
// where none reaches it), then the forward's tensor inputs (saved or
// recomputed like any primal), and the same scalars; it returns one gradient
// per input, typed like it (docs/custom-ops.md). Whether the user's library
// defines that function is the driver's check (--link), not the rule's.
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::autodiff {
namespace {

LogicalResult customCallRule(VJPBuilder &b, CustomCallOp op, ArrayRef<Value> resultCots,
                             MutableArrayRef<Value> operandCots) {
  if (op.onBuffers())
    return op.emitOpError("has no VJP on buffers");
  SmallVector<Value> inputs;
  for (auto [result, cot] : llvm::zip(op.getResults(), resultCots))
    inputs.push_back(cot ? cot : b.zerosFor(result));
  SmallVector<Type> types;
  SmallVector<Value> sizes;
  for (Value in : op.getInputs()) {
    inputs.push_back(b.primal(in));
    types.push_back(in.getType());
    llvm::append_range(sizes, b.dynamicSizes(in));
  }
  auto callee = FlatSymbolRefAttr::get(b.getContext(), (op.getCallee() + "_backward").str());
  auto grads = CustomCallOp::create(b, types, callee, op.getOpNameAttr(), inputs, sizes,
                                    ValueRange{}, op.getScalarsAttr());
  // The inputs are the first operands.
  for (auto [i, in] : llvm::enumerate(op.getInputs()))
    if (b.wants(in))
      operandCots[i] = grads.getResult(i);
  return success();
}

} // namespace

void registerCustomCallVJPs(MLIRContext *ctx) { attachRule<CustomCallOp, customCallRule>(ctx); }

} // namespace thunder::autodiff
