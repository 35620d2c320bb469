//===- QuantizationOps.cpp - ONNX linear quantization ---------------------===//
//
// QuantizeLinear / DequantizeLinear (per tensor, per axis, blocked; integer,
// 8-bit float and float4 types), DynamicQuantizeLinear, and the products of
// quantized operands (QLinearMatMul, MatMulInteger) computed exactly on
// their centred values in float64. The convolutions are in NeuralNetOps.cpp.
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"
#include "QuantizedValues.h"
#include "StoredIntegers.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

bool isFloatType(Type t) { return isa<FloatType>(t); }

/// The quantized output's type: the zero point's, else `output_dtype`, else uint8.
LogicalResult quantizedType(ONNXNode &n, std::optional<Value> zeroPoint, Type &storage,
                            IntegerFormat &format) {
  if (zeroPoint) {
    storage = Emitter::elementTypeOf(*zeroPoint);
    format = n.inputFormat(2);
    return success();
  }
  int64_t dtype = n.intAttr("output_dtype", 0);
  if (dtype == 0)
    dtype = 2; // UINT8
  FailureOr<Type> t = elementTypeFor(n.context(), int32_t(dtype), n.emit().loc,
                                     "QuantizeLinear: 'output_dtype'");
  if (failed(t))
    return failure();
  storage = *t;
  format = integerFormatFor(int32_t(dtype));
  return success();
}

/// Reads `axis` and `block_size` for a quantized `x`.
LogicalResult quantizationAxis(ONNXNode &n, Value x, int64_t &axis, int64_t &blockSize) {
  // Checked where a per-axis or blocked operand needs it (scalars ignore it).
  axis = n.intAttr("axis", 1);
  if (axis < 0)
    axis += Emitter::rankOf(x);
  blockSize = n.intAttr("block_size", 0);
  if (failed(n.check()))
    return failure();
  if (blockSize < 0)
    return n.error() << "block_size must be >= 0, not " << blockSize;
  return success();
}

LogicalResult quantizeLinear(ONNXNode &n) {
  Value x = n.input(0), scale = n.input(1);
  std::optional<Value> zeroPoint = n.optionalInput(2);
  bool saturate = n.intAttr("saturate", 1);
  int64_t precision = n.intAttr("precision", 0);
  int64_t axis, blockSize;
  Type storage;
  IntegerFormat format;
  if (failed(n.check()) || failed(quantizationAxis(n, x, axis, blockSize)) ||
      failed(quantizedType(n, zeroPoint, storage, format)))
    return failure();
  Emitter &e = n.emit();
  FailureOr<Value> s = alongAxis(n, scale, x, axis, blockSize);
  if (failed(s))
    return failure();
  Type divisionType = Emitter::elementTypeOf(x);
  if (precision) {
    FailureOr<Type> t = elementTypeFor(n.context(), int32_t(precision), e.loc,
                                       "QuantizeLinear: 'precision'");
    if (failed(t))
      return failure();
    divisionType = *t;
  }
  if (!isFloatType(divisionType) || !isFloatType(Emitter::elementTypeOf(scale)))
    return n.error() << "quantizes floating-point values by floating-point scales";
  Value scaled = e.convert(e.binary<DivOp>(x, *s, divisionType), e.f32());
  if (isFloatType(storage)) { // 8-bit floats: no zero point; float4 adds it
    if (zeroPoint && storage.getIntOrFloatBitWidth() == 4) {
      FailureOr<Value> zp = alongAxis(n, *zeroPoint, x, axis, blockSize);
      if (failed(zp))
        return failure();
      scaled = e.add(scaled, e.convert(*zp, e.f32()));
    }
    return n.bind(0, castValue(e, scaled, {}, storage, {}, saturate), {});
  }
  if (!storage.isInteger() || storage.isInteger(1))
    return n.error() << "cannot quantize into " << storage;
  Value real = e.convert(e.unary<RoundOp>(scaled), e.b.getF64Type());
  if (zeroPoint) {
    FailureOr<Value> zp = alongAxis(n, *zeroPoint, x, axis, blockSize);
    if (failed(zp))
      return failure();
    real = e.add(real, castValue(e, *zp, format, e.b.getF64Type(), {}, false));
  }
  return n.bind(0, saturateToInteger(e, real, storage, format), format);
}

LogicalResult dequantizeLinear(ONNXNode &n) {
  Value x = n.input(0), scale = n.input(1);
  std::optional<Value> zeroPoint = n.optionalInput(2);
  int64_t outputDtype = n.intAttr("output_dtype", 0);
  int64_t axis, blockSize;
  if (failed(n.check()) || failed(quantizationAxis(n, x, axis, blockSize)))
    return failure();
  Emitter &e = n.emit();
  Type resultType = Emitter::elementTypeOf(scale);
  if (outputDtype) {
    FailureOr<Type> t = elementTypeFor(n.context(), int32_t(outputDtype), e.loc,
                                       "DequantizeLinear: 'output_dtype'");
    if (failed(t))
      return failure();
    resultType = *t;
  }
  if (!isFloatType(resultType))
    return n.error() << "dequantizes into floating-point values, not " << resultType;
  FailureOr<Value> s = alongAxis(n, scale, x, axis, blockSize);
  if (failed(s))
    return failure();
  // Float inputs (8-bit floats, float4) have no zero point to subtract.
  std::optional<Value> zp;
  if (zeroPoint && !isFloatType(Emitter::elementTypeOf(x))) {
    FailureOr<Value> laid = alongAxis(n, *zeroPoint, x, axis, blockSize);
    if (failed(laid))
      return failure();
    zp = *laid;
  }
  Value real = centred(e, x, n.inputFormat(0), zp, n.inputFormat(2), e.f32());
  return n.bind(0, e.convert(e.mul(real, e.convert(*s, e.f32())), resultType), {});
}

/// y = saturate(round(x / scale) + zero_point) in uint8, the scale and zero
/// point from x's range (widened to include 0).
LogicalResult dynamicQuantizeLinear(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  if (Emitter::elementTypeOf(x) != n.emit().f32())
    return n.error() << "quantizes float32 values, not " << x.getType();
  Emitter &e = n.emit();
  SmallVector<int64_t> all = llvm::to_vector(llvm::seq<int64_t>(0, Emitter::rankOf(x)));
  Value zero = e.scalar(e.f32(), 0.0);
  Value hi = e.binary<MaxOp>(e.reduce<ReduceMaxOp>(x, all, false), zero);
  Value lo = e.binary<MinOp>(e.reduce<ReduceMinOp>(x, all, false), zero);
  Value range = e.sub(hi, lo);
  range = e.select(e.compareScalar(CompareDirection::EQ, range, 0.0), e.scalar(e.f32(), 1.0),
                   range);
  Value scale = e.div(range, e.scalar(e.f32(), 255.0));
  Value zeroPoint = e.unary<RoundOp>(e.clamp(e.unary<NegOp>(e.div(lo, scale)), 0.0, 255.0));
  Value y = e.add(e.unary<RoundOp>(e.div(x, scale)), zeroPoint);
  IntegerFormat u8{8, true};
  Type i8 = e.b.getIntegerType(8);
  if (failed(n.bind(0, saturateToInteger(e, y, i8, u8), u8)) || failed(n.bind(1, scale, {})))
    return failure();
  return n.bind(2, saturateToInteger(e, zeroPoint, i8, u8), u8);
}

/// (a - a_zero_point) @ (b - b_zero_point), exact in float64.
Value centredProduct(ONNXNode &n, Value a, std::optional<Value> aZero, size_t aZeroInput, Value b,
                     std::optional<Value> bZero, size_t bZeroInput, size_t bInput) {
  Emitter &e = n.emit();
  Type f64 = e.b.getF64Type();
  Value ca = centred(e, a, n.inputFormat(0), aZero, n.inputFormat(aZeroInput), f64);
  Value cb = centred(e, b, n.inputFormat(bInput), bZero, n.inputFormat(bZeroInput), f64);
  return e.matmul(ca, cb);
}

LogicalResult matMulInteger(ONNXNode &n) {
  Value a = n.input(0), b = n.input(1);
  std::optional<Value> aZero = n.optionalInput(2), bZero = n.optionalInput(3);
  if (failed(n.check()) || failed(n.checkMatmul(a, b)))
    return failure();
  Value product = centredProduct(n, a, aZero, 2, b, bZero, 3, 1);
  return n.bind(0, n.emit().convert(product, n.emit().b.getI32Type()), {});
}

LogicalResult qlinearMatMul(ONNXNode &n) {
  Value a = n.input(0), aScale = n.input(1), aZero = n.input(2);
  Value b = n.input(3), bScale = n.input(4), bZero = n.input(5);
  Value yScale = n.input(6), yZero = n.input(7);
  if (failed(n.check()) || failed(n.checkMatmul(a, b)) ||
      failed(n.checkBroadcast({aScale, bScale, yScale})))
    return failure();
  Emitter &e = n.emit();
  Type f64 = e.b.getF64Type();
  Value product = centredProduct(n, a, aZero, 2, b, bZero, 5, 3);
  // The multiplier in the scales' own type, as ONNX's reference computes it.
  Value multiplier = e.div(e.mul(aScale, bScale), yScale);
  Value real = e.mul(product, e.convert(multiplier, f64));
  real = e.add(real, castValue(e, yZero, n.inputFormat(7), f64, {}, false));
  IntegerFormat format = n.inputFormat(7);
  return n.bind(0, saturateToInteger(e, real, Emitter::elementTypeOf(yZero), format), format);
}

} // namespace

void registerQuantizationOps(ONNXOpTable &t) {
  t.add("QuantizeLinear", quantizeLinear, 10);
  t.add("DequantizeLinear", dequantizeLinear, 10);
  t.add("DynamicQuantizeLinear", dynamicQuantizeLinear, 11);
  t.add("MatMulInteger", matMulInteger, 10);
  t.add("QLinearMatMul", qlinearMatMul, 10);
}

} // namespace thunder::onnximport
