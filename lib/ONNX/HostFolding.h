//===- HostFolding.h - shape arithmetic on compile-time values --*- C++ -*-===//
//
// Exported graphs compute shapes at run time from `Shape` (Shape -> Gather ->
// Add -> Concat -> Reshape / Expand / ConstantOfShape / Range). With static
// input shapes every value of such a chain is known at compile time, and the
// ops that need a shape operand need it then. Nodes whose inputs are all small
// compile-time tensors are therefore evaluated here, on the host, and their
// outputs bound as constants; the other nodes are converted to thunder ops.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_ONNX_HOSTFOLDING_H
#define THUNDER_LIB_ONNX_HOSTFOLDING_H

#include "ONNXNode.h"

namespace thunder::onnximport {

/// Whether the node was evaluated on the host (its outputs bound as
/// constants); false when an input is not a small compile-time integer or
/// bool tensor, or the op has no host evaluation. Failure after an error.
mlir::FailureOr<bool> foldOnHost(ONNXNode &n);

} // namespace thunder::onnximport

#endif
