//===- ModelReader.cpp - ModelProto bytes and tensor payloads -------------===//
#include "ModelReader.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <limits>

using namespace mlir;

namespace thunder::onnximport {
namespace {

using DT = onnx::TensorProto::DataType;

/// Each ONNX dtype thunder has an element type for, with its width.
struct DTypeEntry {
  int32_t onnx;
  const char *name;
  Type (*make)(MLIRContext *);
  IntegerFormat format = {};
};

Type i8(MLIRContext *c) { return IntegerType::get(c, 8); }

const DTypeEntry kDTypes[] = {
    {DT::TensorProto_DataType_FLOAT, "FLOAT", [](MLIRContext *c) -> Type { return Float32Type::get(c); }},
    {DT::TensorProto_DataType_DOUBLE, "DOUBLE", [](MLIRContext *c) -> Type { return Float64Type::get(c); }},
    {DT::TensorProto_DataType_FLOAT16, "FLOAT16", [](MLIRContext *c) -> Type { return Float16Type::get(c); }},
    {DT::TensorProto_DataType_BFLOAT16, "BFLOAT16", [](MLIRContext *c) -> Type { return BFloat16Type::get(c); }},
    {DT::TensorProto_DataType_INT8, "INT8", [](MLIRContext *c) -> Type { return IntegerType::get(c, 8); }},
    {DT::TensorProto_DataType_INT16, "INT16", [](MLIRContext *c) -> Type { return IntegerType::get(c, 16); }},
    {DT::TensorProto_DataType_INT32, "INT32", [](MLIRContext *c) -> Type { return IntegerType::get(c, 32); }},
    {DT::TensorProto_DataType_INT64, "INT64", [](MLIRContext *c) -> Type { return IntegerType::get(c, 64); }},
    {DT::TensorProto_DataType_BOOL, "BOOL", [](MLIRContext *c) -> Type { return IntegerType::get(c, 1); }},
    // Stored in a signless type (IntegerFormat).
    {DT::TensorProto_DataType_UINT8, "UINT8", i8, {8, true}},
    {DT::TensorProto_DataType_UINT16, "UINT16", [](MLIRContext *c) -> Type { return IntegerType::get(c, 16); }, {16, true}},
    {DT::TensorProto_DataType_UINT32, "UINT32", [](MLIRContext *c) -> Type { return IntegerType::get(c, 32); }, {32, true}},
    {DT::TensorProto_DataType_UINT64, "UINT64", [](MLIRContext *c) -> Type { return IntegerType::get(c, 64); }, {64, true}},
    {DT::TensorProto_DataType_INT4, "INT4", i8, {4, false}},
    {DT::TensorProto_DataType_UINT4, "UINT4", i8, {4, true}},
    {DT::TensorProto_DataType_INT2, "INT2", i8, {2, false}},
    {DT::TensorProto_DataType_UINT2, "UINT2", i8, {2, true}},
    // 8- and 4-bit floats: MLIR's types (their casts expand in the lowering).
    {DT::TensorProto_DataType_FLOAT8E4M3FN, "FLOAT8E4M3FN", [](MLIRContext *c) -> Type { return Float8E4M3FNType::get(c); }},
    {DT::TensorProto_DataType_FLOAT8E4M3FNUZ, "FLOAT8E4M3FNUZ", [](MLIRContext *c) -> Type { return Float8E4M3FNUZType::get(c); }},
    {DT::TensorProto_DataType_FLOAT8E5M2, "FLOAT8E5M2", [](MLIRContext *c) -> Type { return Float8E5M2Type::get(c); }},
    {DT::TensorProto_DataType_FLOAT8E5M2FNUZ, "FLOAT8E5M2FNUZ", [](MLIRContext *c) -> Type { return Float8E5M2FNUZType::get(c); }},
    {DT::TensorProto_DataType_FLOAT8E8M0, "FLOAT8E8M0", [](MLIRContext *c) -> Type { return Float8E8M0FNUType::get(c); }},
    {DT::TensorProto_DataType_FLOAT4E2M1, "FLOAT4E2M1", [](MLIRContext *c) -> Type { return Float4E2M1FNType::get(c); }},
};

/// Names of the dtypes thunder refuses, for the error.
const std::pair<int32_t, const char *> kOtherDTypeNames[] = {
    {DT::TensorProto_DataType_UNDEFINED, "UNDEFINED"}, {DT::TensorProto_DataType_STRING, "STRING"},
    {DT::TensorProto_DataType_COMPLEX64, "COMPLEX64"}, {DT::TensorProto_DataType_COMPLEX128, "COMPLEX128"},
};

/// Element count of `shape`, or -1 when a dim is negative or the product
/// overflows.
int64_t checkedCount(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return -1;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return -1;
    n *= d;
  }
  return n;
}

/// Stores `count` values taken from `get(i)` as elements of `type`.
template <typename Get>
void storeElements(std::vector<uint8_t> &out, Type type, int64_t count, Get get) {
  int64_t width = elementBytes(type);
  out.assign(size_t(count * width), 0);
  for (int64_t i = 0; i < count; ++i) {
    uint64_t bits = get(i);
    std::memcpy(out.data() + i * width, &bits, size_t(width)); // little endian
  }
}

uint64_t bitsOfFloat(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
uint64_t bitsOfDouble(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

/// The bytes of an external data file: `location` relative to `dir` (no
/// absolute paths, no `..`), `offset` and `length` within the file.
FailureOr<std::vector<uint8_t>> readExternal(const onnx::TensorProto &tensor,
                                             StringRef dir, int64_t expected,
                                             Location loc, const llvm::Twine &what) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const onnx::StringStringEntryProto &kv : tensor.external_data()) {
    auto number = [&](int64_t &into) -> LogicalResult {
      if (StringRef(kv.value()).getAsInteger(10, into) || into < 0)
        return emitError(loc) << what << ": external data '" << kv.key()
                              << "' is not a non-negative integer: '" << kv.value() << "'";
      return success();
    };
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset" && failed(number(offset)))
      return failure();
    else if (kv.key() == "length" && failed(number(length)))
      return failure();
  }
  if (location.empty())
    return emitError(loc) << what << ": external data without a 'location'";
  if (dir.empty())
    return emitError(loc) << what << ": external data ('" << location
                          << "') is not available for a model read from memory";
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    return emitError(loc) << what << ": external data location '" << location
                          << "' must be a path inside the model's folder";
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, location);
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return emitError(loc) << what << ": cannot read external data file '" << path
                          << "': " << file.getError().message();
  int64_t size = int64_t((*file)->getBufferSize());
  if (length < 0)
    length = size > offset ? size - offset : 0;
  if (offset > size || length > size - offset)
    return emitError(loc) << what << ": external data [" << offset << ", +" << length
                          << ") lies outside '" << location << "' (" << size << " bytes)";
  if (length != expected)
    return emitError(loc) << what << ": external data holds " << length
                          << " bytes, its shape and dtype need " << expected;
  const uint8_t *begin =
      reinterpret_cast<const uint8_t *>((*file)->getBufferStart()) + offset;
  return std::vector<uint8_t>(begin, begin + length);
}

} // namespace

int64_t elementBytes(Type type) {
  return int64_t((type.getIntOrFloatBitWidth() + 7) / 8); // bool, float4: a byte
}

TensorData TensorData::fromInts(Type elementType, std::vector<int64_t> shape,
                                ArrayRef<int64_t> values) {
  TensorData t;
  t.elementType = elementType;
  t.shape = std::move(shape);
  storeElements(t.bytes, elementType, int64_t(values.size()),
                [&](int64_t i) { return uint64_t(values[size_t(i)]); });
  return t;
}

TensorData TensorData::fromDoubles(Type elementType, std::vector<int64_t> shape,
                                  ArrayRef<double> values) {
  TensorData t;
  t.elementType = elementType;
  t.shape = std::move(shape);
  const llvm::fltSemantics &sem = cast<FloatType>(elementType).getFloatSemantics();
  storeElements(t.bytes, elementType, int64_t(values.size()), [&](int64_t i) {
    llvm::APFloat f(values[size_t(i)]);
    bool lost;
    f.convert(sem, llvm::APFloat::rmNearestTiesToEven, &lost);
    return f.bitcastToAPInt().getZExtValue();
  });
  return t;
}

int64_t TensorData::numElements() const { return checkedCount(shape); }

std::vector<int64_t> TensorData::asInts() const {
  std::vector<int64_t> out;
  if (isa<FloatType>(elementType)) {
    for (double d : asDoubles())
      out.push_back(int64_t(d));
    return out;
  }
  int64_t width = elementBytes(elementType), n = numElements();
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = 0;
    std::memcpy(&v, bytes.data() + i * width, size_t(width));
    if (width < 8 && !elementType.isInteger(1) && !format.isUnsigned) // sign-extend
      v = llvm::SignExtend64(uint64_t(v), unsigned(width * 8));
    out.push_back(v);
  }
  return out;
}

std::vector<double> TensorData::asDoubles() const {
  std::vector<double> out;
  int64_t width = elementBytes(elementType), n = numElements();
  auto floatType = dyn_cast<FloatType>(elementType);
  for (int64_t i = 0; i < n; ++i) {
    uint64_t bits = 0;
    std::memcpy(&bits, bytes.data() + i * width, size_t(width));
    if (!floatType) {
      if (format.isUnsigned) {
        out.push_back(double(bits));
        continue;
      }
      int64_t v = elementType.isInteger(1)
                      ? int64_t(bits != 0)
                      : llvm::SignExtend64(bits, unsigned(width * 8));
      out.push_back(double(v));
      continue;
    }
    llvm::APFloat f(floatType.getFloatSemantics(),
                    llvm::APInt(unsigned(width * 8), bits));
    bool lost;
    f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &lost);
    out.push_back(f.convertToDouble());
  }
  return out;
}

DenseElementsAttr TensorData::toAttr() const {
  auto type = RankedTensorType::get(shape, elementType);
  if (elementType.isInteger(1)) {
    llvm::SmallVector<bool> values;
    for (uint8_t b : bytes)
      values.push_back(b != 0);
    return DenseElementsAttr::get(type, llvm::ArrayRef<bool>(values));
  }
  return DenseElementsAttr::getFromRawBuffer(
      type, llvm::ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
}

std::string dataTypeName(int32_t dataType) {
  for (const DTypeEntry &e : kDTypes)
    if (e.onnx == dataType)
      return e.name;
  for (const auto &[code, name] : kOtherDTypeNames)
    if (code == dataType)
      return name;
  return "data type " + std::to_string(dataType);
}

FailureOr<Type> elementTypeFor(MLIRContext *context, int32_t dataType, Location loc,
                               const llvm::Twine &what) {
  for (const DTypeEntry &e : kDTypes)
    if (e.onnx == dataType)
      return e.make(context);
  return emitError(loc) << what << " has dtype " << dataTypeName(dataType)
                        << ", which thunderc does not support (strings and complex numbers "
                           "are not)";
}

IntegerFormat integerFormatFor(int32_t dataType) {
  for (const DTypeEntry &e : kDTypes)
    if (e.onnx == dataType)
      return e.format;
  return {};
}

std::string IntegerFormat::abiName() const {
  return (isUnsigned ? "uint" : "int") + std::to_string(bits);
}

LogicalResult parseModel(StringRef bytes, onnx::ModelProto &model, Location loc) {
  if (bytes.size() > kMaxModelBytes)
    return emitError(loc) << "the model is " << bytes.size()
                          << " bytes; models over 2 GiB must keep their weights in "
                             "external data files";
  if (bytes.empty())
    return emitError(loc) << "the file is empty, not an ONNX ModelProto";
  if (!model.ParseFromArray(bytes.data(), int(bytes.size())))
    return emitError(loc) << "not a valid ONNX ModelProto (the protobuf does not parse)";
  if (!model.has_graph())
    return emitError(loc) << "the ModelProto has no graph";
  bool sawDefault = false;
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    if (!opset.domain().empty() && opset.domain() != "ai.onnx")
      continue;
    sawDefault = true;
    if (opset.version() < kOldestOpset)
      return emitError(loc) << "the model imports opset " << opset.version()
                            << " of the default domain; thunderc reads opset " << kMinOpset
                            << " and later, and " << kOldestOpset
                            << " and later for ops whose semantics did not change (convert "
                               "it with onnx.version_converter)";
  }
  if (!sawDefault && model.graph().node_size() > 0)
    return emitError(loc) << "the model imports no opset of the default domain";
  return success();
}

FailureOr<TensorData> readTensor(const onnx::TensorProto &tensor, StringRef externalDir,
                                 MLIRContext *context, Location loc, const llvm::Twine &what) {
  TensorData data;
  FailureOr<Type> type = elementTypeFor(context, tensor.data_type(), loc, what);
  if (failed(type))
    return failure();
  data.elementType = *type;
  data.format = integerFormatFor(tensor.data_type());
  data.shape.assign(tensor.dims().begin(), tensor.dims().end());
  int64_t count = checkedCount(data.shape);
  int64_t width = elementBytes(*type);
  if (count < 0 || count > std::numeric_limits<int64_t>::max() / 8)
    return emitError(loc) << what << " has an invalid shape (a negative dim, or more "
                                     "elements than fit in int64)";
  int64_t expected = count * width;

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    FailureOr<std::vector<uint8_t>> bytes = readExternal(tensor, externalDir, expected, loc, what);
    if (failed(bytes))
      return failure();
    data.bytes = std::move(*bytes);
    return data;
  }
  // 4- and 2-bit types are packed (the low bits first): one byte per element here.
  unsigned packedBits = data.format ? data.format.bits : type->getIntOrFloatBitWidth();
  if (packedBits < 8 && tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    int64_t perByte = 8 / packedBits;
    if (int64_t(raw.size()) != (count + perByte - 1) / perByte)
      return emitError(loc) << what << ": raw_data holds " << raw.size() << " bytes, its shape and "
                            << packedBits << "-bit dtype need " << (count + perByte - 1) / perByte;
    storeElements(data.bytes, *type, count, [&](int64_t i) -> uint64_t {
      uint64_t v = (uint8_t(raw[size_t(i / perByte)]) >> ((i % perByte) * packedBits)) &
                   ((1u << packedBits) - 1);
      bool extend = data.format && !data.format.isUnsigned;
      return extend ? uint64_t(llvm::SignExtend64(v, packedBits)) : v;
    });
    return data;
  }
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (int64_t(raw.size()) != expected)
      return emitError(loc) << what << ": raw_data holds " << raw.size()
                            << " bytes, its shape and dtype need " << expected;
    data.bytes.assign(raw.begin(), raw.end());
    return data;
  }
  // The typed fields: which one holds the values depends on the dtype.
  auto sized = [&](int64_t have, const char *field) -> LogicalResult {
    if (have != count)
      return emitError(loc) << what << ": " << field << " holds " << have
                            << " values, its shape needs " << count;
    return success();
  };
  switch (tensor.data_type()) {
  case DT::TensorProto_DataType_FLOAT:
    if (failed(sized(tensor.float_data_size(), "float_data")))
      return failure();
    storeElements(data.bytes, *type, count,
                  [&](int64_t i) { return bitsOfFloat(tensor.float_data(int(i))); });
    break;
  case DT::TensorProto_DataType_DOUBLE:
    if (failed(sized(tensor.double_data_size(), "double_data")))
      return failure();
    storeElements(data.bytes, *type, count,
                  [&](int64_t i) { return bitsOfDouble(tensor.double_data(int(i))); });
    break;
  case DT::TensorProto_DataType_INT64:
    if (failed(sized(tensor.int64_data_size(), "int64_data")))
      return failure();
    storeElements(data.bytes, *type, count,
                  [&](int64_t i) { return uint64_t(tensor.int64_data(int(i))); });
    break;
  default: // int32, int16, int8, bool, float16 and bfloat16 (their bits)
    if (failed(sized(tensor.int32_data_size(), "int32_data")))
      return failure();
    storeElements(data.bytes, *type, count, [&](int64_t i) {
      int32_t v = tensor.int32_data(int(i));
      return type->isInteger(1) ? uint64_t(v != 0) : uint64_t(int64_t(v));
    });
    break;
  }
  return data;
}

} // namespace thunder::onnximport
