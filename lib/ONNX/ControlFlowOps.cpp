//===- ControlFlowOps.cpp - ONNX If with a compile-time condition ---------===//
//
// thunderc compiles one static program, so an If whose condition is known at
// compile time (exporters' shape checks, folded shape arithmetic) becomes the
// branch it takes, imported in place; a condition only known at run time is
// refused naming the operand.
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

LogicalResult ifOp(ONNXNode &n) {
  const TensorData *cond = n.constantInput(0, "cond");
  const onnx::AttributeProto *thenBranch = n.attr("then_branch");
  const onnx::AttributeProto *elseBranch = n.attr("else_branch");
  if (failed(n.check()))
    return failure();
  if (cond->numElements() != 1)
    return n.error() << "cond must hold one element, not " << cond->numElements();
  const onnx::AttributeProto *branch = cond->asInts().front() ? thenBranch : elseBranch;
  if (!branch || branch->type() != onnx::AttributeProto::GRAPH)
    return n.error() << "needs the graph attributes then_branch and else_branch";
  return n.inlineGraph(branch->g());
}

} // namespace

void registerControlFlowOps(ONNXOpTable &t) { t.add("If", ifOp); }

} // namespace thunder::onnximport
