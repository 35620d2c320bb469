//===- LinearAlgebraOps.cpp - ONNX MatMul and Gemm ------------------------===//
#include "ONNXOpTable.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

/// MatMul is numpy.matmul, whose cases (1-D, batched, broadcast batch) the
/// Emitter's torch.matmul covers.
LogicalResult matmul(ONNXNode &n) {
  Value a = n.input(0), b = n.input(1);
  if (failed(n.check()) || failed(n.checkMatmul(a, b)))
    return failure();
  return n.bind(n.emit().matmul(a, b));
}

/// alpha * A' B' + beta * C (C broadcast to the product).
LogicalResult gemm(ONNXNode &n) {
  Value a = n.input(0), b = n.input(1);
  std::optional<Value> c = n.optionalInput(2);
  double alpha = n.floatAttr("alpha", 1.0), beta = n.floatAttr("beta", 1.0);
  bool transA = n.intAttr("transA", 0), transB = n.intAttr("transB", 0);
  if (failed(n.check()))
    return failure();
  if (Emitter::rankOf(a) != 2 || Emitter::rankOf(b) != 2)
    return n.error() << "A and B must be matrices";
  Emitter &e = n.emit();
  if (transA)
    a = e.transpose(a, 0, 1);
  if (transB)
    b = e.transpose(b, 0, 1);
  if (failed(n.checkMatmul(a, b)))
    return failure();
  Value y = e.matmul(a, b);
  if (c && failed(n.checkBroadcast({y, *c})))
    return failure();
  if (alpha != 1.0)
    y = e.mulScalar(y, alpha);
  if (c) {
    Value cc = beta != 1.0 ? e.mulScalar(*c, beta) : *c;
    y = e.add(y, cc);
  }
  return n.bind(y);
}

} // namespace

void registerLinearAlgebraOps(ONNXOpTable &t) {
  t.add("MatMul", matmul);
  t.add("Gemm", gemm);
}

} // namespace thunder::onnximport
