//===- CustomCallOp.cpp - thunder.custom_call ------------------------------===//
//
// The verifier of a user operator's call (docs/custom-ops.md) in its two
// forms (tensors with results, buffers with outputs), and its memory effects:
// none on tensors (a torch.library op without mutated arguments is a
// function of its inputs), on buffers it reads the inputs and writes the
// outputs.
//
//===----------------------------------------------------------------------===//
#include "thunder/Dialect/Thunder/ThunderOps.h"

using namespace mlir;

namespace thunder {

LogicalResult CustomCallOp::verify() {
  if (!getCallee().starts_with("thunder_custom_"))
    return emitOpError("callee '") << getCallee() << "' must start with 'thunder_custom_'";
  bool buffers = llvm::any_of(getInputs().getTypes(), llvm::IsaPred<MemRefType>) ||
                 !getOutputs().empty();
  if (buffers) {
    if (!llvm::all_of(getInputs().getTypes(), llvm::IsaPred<MemRefType>))
      return emitOpError("inputs must be all tensors or all buffers");
    if (getNumResults() || !getSizes().empty())
      return emitOpError("on buffers takes outputs, and no sizes or results");
  } else {
    int64_t dynamic = 0;
    for (Type t : getResultTypes())
      dynamic += cast<RankedTensorType>(t).getNumDynamicDims();
    if (static_cast<int64_t>(getSizes().size()) != dynamic)
      return emitOpError("expects ") << dynamic << " sizes (one per dynamic result dim), got "
                                     << getSizes().size();
  }
  for (Attribute a : getScalars()) {
    auto i = dyn_cast<IntegerAttr>(a);
    auto f = dyn_cast<FloatAttr>(a);
    if (!isa<BoolAttr>(a) && !(i && i.getType().isInteger(64)) && !(f && f.getType().isF64()))
      return emitOpError("scalar ") << a << " is not an i64, f64 or bool attribute";
  }
  return success();
}

void CustomCallOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  for (OpOperand &operand : getInputsMutable())
    if (isa<MemRefType>(operand.get().getType()))
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  for (OpOperand &operand : getOutputsMutable())
    effects.emplace_back(MemoryEffects::Write::get(), &operand,
                         SideEffects::DefaultResource::get());
}

} // namespace thunder
