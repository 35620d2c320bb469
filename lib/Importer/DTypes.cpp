//===- DTypes.cpp - torch dtypes as MLIR element types, type promotion ----===//
#include "DTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

#include <algorithm>
#include <limits>

using namespace mlir;

namespace thunder::importer {

FailureOr<Type> elementTypeFor(MLIRContext *context, pt2::ScalarType dtype,
                               bool intermediate) {
  Builder b(context);
  switch (dtype) {
  case pt2::ScalarType::UInt8:
    if (intermediate)
      return b.getIntegerType(16);
    return failure();
  case pt2::ScalarType::UInt16:
    if (intermediate)
      return b.getIntegerType(32);
    return failure();
  case pt2::ScalarType::Float32:
    return b.getF32Type();
  case pt2::ScalarType::Float64:
    return b.getF64Type();
  case pt2::ScalarType::Float16:
    return b.getF16Type();
  case pt2::ScalarType::BFloat16:
    return b.getBF16Type();
  case pt2::ScalarType::Int8:
    return b.getIntegerType(8);
  case pt2::ScalarType::Int16:
    return b.getIntegerType(16);
  case pt2::ScalarType::Int32:
    return b.getIntegerType(32);
  case pt2::ScalarType::Int64:
    return b.getIntegerType(64);
  case pt2::ScalarType::Bool:
    return b.getI1Type();
  default:
    return failure();
  }
}

FailureOr<RankedTensorType> tensorTypeFor(const pt2::TensorMeta &meta,
                                          Location loc, const Twine &what,
                                          bool intermediate) {
  FailureOr<Type> element =
      elementTypeFor(loc.getContext(), meta.dtype, intermediate);
  if (failed(element))
    return emitError(loc) << what << " has dtype " << dtypeName(meta.dtype)
                          << ", which the compiler does not support";
  if (meta.layout != pt2::Layout::Strided)
    return emitError(loc) << what << " has layout "
                          << pt2::layoutName(meta.layout)
                          << "; only strided (dense) tensors are supported";
  SmallVector<int64_t> shape;
  for (const pt2::SymInt &s : meta.sizes) {
    std::optional<int64_t> c = s.asConstant();
    if (c && *c < 0)
      return emitError(loc) << what << " has a negative size " << *c;
    shape.push_back(c ? *c : ShapedType::kDynamic);
  }
  // Every size product computed from it (elements, bytes, strides) must fit
  // in int64: the sizes come from the archive.
  constexpr int64_t kMaxBytes = std::numeric_limits<int64_t>::max() / 2;
  int64_t bytes = std::max<int64_t>(pt2::scalarTypeSize(meta.dtype), 1);
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d) || d <= 1)
      continue;
    if (d > kMaxBytes / bytes)
      return emitError(loc) << what << " " << meta.toString()
                            << " is too large (its byte size overflows int64)";
    bytes *= d;
  }
  return RankedTensorType::get(shape, *element);
}

std::string dtypeName(pt2::ScalarType dtype) {
  const char *name = pt2::scalarTypeName(dtype);
  return name ? name : "dtype code " + std::to_string(static_cast<int>(dtype));
}

std::optional<pt2::ScalarType> dtypeFor(Type type) {
  if (type.isF32())
    return pt2::ScalarType::Float32;
  if (type.isF64())
    return pt2::ScalarType::Float64;
  if (type.isF16())
    return pt2::ScalarType::Float16;
  if (type.isBF16())
    return pt2::ScalarType::BFloat16;
  if (type.isInteger(1))
    return pt2::ScalarType::Bool;
  if (type.isInteger(8))
    return pt2::ScalarType::Int8;
  if (type.isInteger(16))
    return pt2::ScalarType::Int16;
  if (type.isInteger(32))
    return pt2::ScalarType::Int32;
  if (type.isInteger(64))
    return pt2::ScalarType::Int64;
  return std::nullopt;
}

Category categoryOf(Type type) {
  if (isa<FloatType>(type))
    return Category::Floating;
  if (type.isInteger(1))
    return Category::Bool;
  return Category::Integer;
}

Type defaultFloatType(MLIRContext *context) { return Float32Type::get(context); }

Type promoteTypes(Type a, Type b) {
  if (!a)
    return b;
  if (!b || a == b)
    return a;
  Category ca = categoryOf(a), cb = categoryOf(b);
  if (ca != cb)
    return ca > cb ? a : b;
  if (ca == Category::Integer)
    return a.getIntOrFloatBitWidth() >= b.getIntOrFloatBitWidth() ? a : b;
  // Floating: f16 and bf16 promote to f32; otherwise the wider one.
  unsigned wa = a.getIntOrFloatBitWidth(), wb = b.getIntOrFloatBitWidth();
  if (wa == wb)
    return Float32Type::get(a.getContext()); // f16 with bf16
  return wa > wb ? a : b;
}

void ResultTypeState::addTensor(Type elementType, int64_t rank) {
  Type &slot = rank == 0 ? zeroResult : dimResult;
  slot = promoteTypes(slot, elementType);
}

void ResultTypeState::addWrappedNumber(Category category, MLIRContext *context) {
  Type t;
  switch (category) {
  case Category::Bool:
    t = IntegerType::get(context, 1);
    break;
  case Category::Integer:
    t = IntegerType::get(context, 64);
    break;
  case Category::Floating:
    t = defaultFloatType(context);
    break;
  }
  wrappedResult = promoteTypes(wrappedResult, t);
}

namespace {
/// c10's combine_categories: `higher` wins unless `lower` is of a higher
/// category (then the two promote).
Type combineCategories(Type higher, Type lower) {
  if (!higher)
    return lower;
  if (!lower)
    return higher;
  if (isFloat(higher))
    return higher;
  if (isBool(higher) || isFloat(lower))
    return promoteTypes(higher, lower);
  return higher;
}
} // namespace

Type ResultTypeState::result() const {
  return combineCategories(dimResult,
                           combineCategories(zeroResult, wrappedResult));
}

} // namespace thunder::importer
