//===- QuantizedValues.h - quantized integers and their real values --*- C++ -*-===//
//
// ONNX's quantization ops (QuantizeLinear, DequantizeLinear, QLinearMatMul,
// QLinearConv, MatMulInteger, ConvInteger) share three steps: a scale or zero
// point laid along the quantized tensor (per tensor, per axis, per block),
// `q - zero_point` as real values, and real values rounded half to even and
// saturated into an integer type's range.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_ONNX_QUANTIZEDVALUES_H
#define THUNDER_LIB_ONNX_QUANTIZEDVALUES_H

#include "ONNXNode.h"

namespace thunder::onnximport {

/// A scale or zero point `v` made to broadcast against `x`: a scalar (or a
/// one-element tensor) as a scalar, a 1-D tensor along `axis`, or, when
/// `blockSize` > 0, a tensor of `x`'s rank whose `axis` extent counts blocks,
/// repeated `blockSize` times along it. An error at the node when the shapes
/// do not agree.
mlir::FailureOr<mlir::Value> alongAxis(ONNXNode &n, mlir::Value v, mlir::Value x, int64_t axis,
                                       int64_t blockSize);

/// `q - zeroPoint` (stored per `qFormat` / `zpFormat`; no zero point: `q`) as
/// values of the floating-point `type`.
mlir::Value centred(Emitter &e, mlir::Value q, IntegerFormat qFormat,
                    std::optional<mlir::Value> zeroPoint, IntegerFormat zpFormat,
                    mlir::Type type);

/// Floating-point `real` rounded half to even, clamped into the range of
/// integers stored in `storage` as `format` says, and stored so.
mlir::Value saturateToInteger(Emitter &e, mlir::Value real, mlir::Type storage,
                              IntegerFormat format);

} // namespace thunder::onnximport

#endif
