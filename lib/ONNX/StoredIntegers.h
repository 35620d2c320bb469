//===- StoredIntegers.h - unsigned and sub-byte integers, and Cast --*- C++ -*-===//
//
// ONNX's unsigned integers live in signless types of their width and its 4-
// and 2-bit integers in i8 (IntegerFormat). Add, Mul, And, ... are the same
// bits either way; the ops whose result depends on the sign (Div, Mod,
// comparisons, Max/Min, right shifts, conversions) see the values through
// these helpers: widened to i64 below 64 bits, the sign bit flipped for
// uint64's order.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_ONNX_STOREDINTEGERS_H
#define THUNDER_LIB_ONNX_STOREDINTEGERS_H

#include "ModelReader.h"
#include "ONNXNode.h"

namespace thunder::onnximport {

/// `x`'s values as signed integers: unsigned ones below 64 bits zero-extended
/// into i64; everything else as it is.
mlir::Value widenUnsigned(Emitter &e, mlir::Value x, IntegerFormat format);

/// uint64 bits as an i64 of the same order (the sign bit flipped); its own
/// inverse.
mlir::Value flipSignBit(Emitter &e, mlir::Value x);

/// Integer values in `storage` wrapped into `format`'s range, as ONNX's Cast
/// truncates (two's complement): int4 sign-extended, uint4 masked.
mlir::Value wrapInto(Emitter &e, mlir::Value ints, mlir::Type storage, IntegerFormat format);

/// ONNX Cast of `x` (stored per `from`) to `to` (stored per `toFormat`).
/// `saturate` clamps to the largest finite value of an 8- or 4-bit float.
mlir::Value castValue(Emitter &e, mlir::Value x, IntegerFormat from, mlir::Type to,
                      IntegerFormat toFormat, bool saturate);

/// A binary op on `x` and `y` of one IntegerFormat whose result depends on the
/// sign: unsigned operands below 64 bits are widened; `wide(x, y)` computes;
/// a result of the operands' (widened) type is wrapped back into storage.
template <typename Fn>
mlir::Value onUnsignedValues(Emitter &e, mlir::Value x, mlir::Value y, IntegerFormat format,
                             Fn wide) {
  if (!format.isUnsigned || format.bits == 64)
    return wide(x, y);
  mlir::Type storage = Emitter::elementTypeOf(x);
  mlir::Value r = wide(widenUnsigned(e, x, format), widenUnsigned(e, y, format));
  if (Emitter::elementTypeOf(r) == e.i64())
    return wrapInto(e, r, storage, format);
  return r;
}

} // namespace thunder::onnximport

#endif
