//===- StoredIntegers.cpp - unsigned and sub-byte integers, and Cast ------===//
#include "StoredIntegers.h"

#include "DTypes.h"

#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace thunder::onnximport {

Value widenUnsigned(Emitter &e, Value x, IntegerFormat format) {
  if (!format.isUnsigned || format.bits == 64)
    return x;
  Value wide = e.convert(x, e.i64());
  return e.binary<AndOp>(wide, e.scalarInt(e.i64(), (int64_t(1) << format.bits) - 1));
}

Value flipSignBit(Emitter &e, Value x) {
  return e.binary<XorOp>(x, e.scalarInt(e.i64(), std::numeric_limits<int64_t>::min()));
}

Value wrapInto(Emitter &e, Value ints, Type storage, IntegerFormat format) {
  Value x = e.convert(ints, storage);
  unsigned width = storage.getIntOrFloatBitWidth();
  if (!format || format.bits >= width)
    return x;
  if (format.isUnsigned)
    return e.binary<AndOp>(x, e.scalarInt(storage, (int64_t(1) << format.bits) - 1));
  Value unused = e.scalarInt(storage, int64_t(width - format.bits));
  return e.binary<ShiftRightOp>(e.binary<ShiftLeftOp>(x, unused), unused);
}

namespace {
/// 8- and 4-bit floats: conversions only, through f32.
bool isNarrowFloat(Type t) { return isa<FloatType>(t) && t.getIntOrFloatBitWidth() <= 8; }
} // namespace

Value castValue(Emitter &e, Value x, IntegerFormat from, Type to, IntegerFormat toFormat,
                bool saturate) {
  if (from.isUnsigned && from.bits == 64 && isa<FloatType>(to)) {
    // uint64 past INT64_MAX reads negative as i64: add 2^64 back.
    Value f = e.convert(x, e.b.getF64Type());
    Value wrapped = e.addScalar(f, 18446744073709551616.0);
    x = e.select(e.compareScalar(CompareDirection::LT, x, 0.0), wrapped, f);
  } else {
    x = widenUnsigned(e, x, from);
  }
  Type src = Emitter::elementTypeOf(x);
  if (auto target = dyn_cast<FloatType>(to)) {
    if (isNarrowFloat(to) && !isa<FloatType>(src))
      x = e.convert(x, e.f32());
    if (isNarrowFloat(to) && saturate && !isa<Float8E8M0FNUType>(to)) {
      double largest = llvm::APFloat::getLargest(target.getFloatSemantics()).convertToDouble();
      x = e.clamp(x, -largest, largest); // NaN stays NaN
    }
    // A type without NaN (float4): NaN becomes -0, as ONNX's reference has it.
    if (!llvm::APFloat::semanticsHasNaN(target.getFloatSemantics()) && isa<FloatType>(src))
      x = e.select(e.compare(CompareDirection::NE, x, x), e.splatLike(-0.0, x), x);
    return e.convert(x, to);
  }
  if (isNarrowFloat(src))
    x = e.convert(x, e.f32());
  if (!toFormat || to.isInteger(1))
    return e.convert(x, to);
  if (isa<FloatType>(Emitter::elementTypeOf(x)))
    x = e.convert(x, e.i64());
  return wrapInto(e, x, to, toFormat);
}

} // namespace thunder::onnximport
