//===- ONNXNode.cpp - what an ONNX op converter sees ----------------------===//
#include "ONNXNode.h"

#include <cmath>

using namespace mlir;

namespace thunder::onnximport {

ONNXNode::ONNXNode(const onnx::NodeProto &proto, ValueScope &scope, Emitter &emitter,
                   int64_t opset, StringRef externalDir)
    : proto(proto), scope(scope), emitter(emitter), opsetVersion(opset),
      externalDir(externalDir.str()) {}

InFlightDiagnostic ONNXNode::error() {
  failed = true;
  InFlightDiagnostic diag = emitError(emitter.loc);
  diag << proto.op_type() << ": ";
  return diag;
}

Value ONNXNode::placeholder() { return emitter.scalar(emitter.f32(), 0.0); }

//===--- Inputs ----------------------------------------------------------------===//

bool ONNXNode::hasInput(size_t i) const {
  return i < numInputs() && !proto.input(int(i)).empty();
}

Value ONNXNode::input(size_t i) {
  if (!hasInput(i)) {
    error() << "input " << i << " is required";
    return placeholder();
  }
  Value v = scope.lookup(proto.input(int(i)), emitter.loc);
  if (!v) {
    failed = true;
    return placeholder();
  }
  return v;
}

std::optional<Value> ONNXNode::optionalInput(size_t i) {
  if (!hasInput(i))
    return std::nullopt;
  return input(i);
}

const TensorData *ONNXNode::constantInput(size_t i, StringRef what) {
  if (!hasInput(i)) {
    error() << "input " << i << " ('" << what << "') is required";
    return nullptr;
  }
  const TensorData *data = scope.constant(proto.input(int(i)));
  if (!data)
    error() << "input " << i << " ('" << what << "', value '" << proto.input(int(i))
            << "') must be known at compile time (an initializer or a Constant): "
               "thunderc compiles shapes ahead of time";
  return data;
}

const TensorData *ONNXNode::constantOrNull(size_t i) {
  return hasInput(i) ? scope.constant(proto.input(int(i))) : nullptr;
}

std::optional<SmallVector<int64_t>> ONNXNode::optionalInts(size_t i, StringRef what) {
  if (!hasInput(i))
    return std::nullopt;
  const TensorData *data = constantInput(i, what);
  if (!data)
    return SmallVector<int64_t>{};
  std::vector<int64_t> v = data->asInts();
  return SmallVector<int64_t>(v.begin(), v.end());
}

std::optional<double> ONNXNode::optionalScalar(size_t i, StringRef what) {
  if (!hasInput(i))
    return std::nullopt;
  const TensorData *data = constantInput(i, what);
  if (!data)
    return 0.0;
  if (data->numElements() != 1) {
    error() << "input " << i << " ('" << what << "') must hold one value, not "
            << data->numElements();
    return 0.0;
  }
  return data->asDoubles().front();
}

//===--- Attributes ------------------------------------------------------------===//

const onnx::AttributeProto *ONNXNode::attr(StringRef name) const {
  for (const onnx::AttributeProto &a : proto.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

namespace {
const char *attrTypeName(onnx::AttributeProto::AttributeType t) {
  switch (t) {
  case onnx::AttributeProto::FLOAT: return "FLOAT";
  case onnx::AttributeProto::INT: return "INT";
  case onnx::AttributeProto::STRING: return "STRING";
  case onnx::AttributeProto::TENSOR: return "TENSOR";
  case onnx::AttributeProto::FLOATS: return "FLOATS";
  case onnx::AttributeProto::INTS: return "INTS";
  case onnx::AttributeProto::GRAPH: return "GRAPH";
  default: return "another type";
  }
}
} // namespace

const onnx::AttributeProto *ONNXNode::typedAttr(StringRef name,
                                                onnx::AttributeProto::AttributeType type) {
  const onnx::AttributeProto *a = attr(name);
  if (a && a->type() != type) {
    error() << "attribute '" << name << "' is " << attrTypeName(a->type()) << ", expected "
            << attrTypeName(type);
    return nullptr;
  }
  return a;
}

int64_t ONNXNode::intAttr(StringRef name, int64_t defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INT);
  return a ? a->i() : defaultValue;
}

double ONNXNode::floatAttr(StringRef name, double defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOAT);
  return a ? double(a->f()) : defaultValue;
}

std::string ONNXNode::stringAttr(StringRef name, StringRef defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t> ONNXNode::intsAttr(StringRef name, ArrayRef<int64_t> defaultValue) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INTS);
  if (!a)
    return SmallVector<int64_t>(defaultValue);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<double> ONNXNode::floatsAttr(StringRef name) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOATS);
  if (!a)
    return {};
  return SmallVector<double>(a->floats().begin(), a->floats().end());
}

std::optional<TensorData> ONNXNode::tensorAttr(StringRef name) {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::TENSOR);
  if (!a)
    return std::nullopt;
  FailureOr<TensorData> data =
      readTensor(a->t(), externalDir, context(), emitter.loc,
                 proto.op_type() + ": attribute '" + name + "'");
  if (mlir::failed(data)) {
    failed = true;
    return std::nullopt;
  }
  return std::move(*data);
}

//===--- Axes ------------------------------------------------------------------===//

int64_t ONNXNode::axis(int64_t axis, int64_t rank, StringRef what) {
  int64_t lo = -std::max<int64_t>(rank, 1), hi = std::max<int64_t>(rank, 1) - 1;
  if (axis < lo || axis > hi) {
    error() << what << " " << axis << " is out of range for a tensor of rank " << rank
            << " (" << lo << ".." << hi << ")";
    return 0;
  }
  return axis < 0 ? axis + std::max<int64_t>(rank, 1) : axis;
}

SmallVector<int64_t> ONNXNode::axes(ArrayRef<int64_t> list, int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : list) {
    int64_t d = axis(a, rank, "axis");
    if (llvm::is_contained(out, d)) {
      error() << "axis " << a << " is listed twice";
      return {};
    }
    out.push_back(d);
  }
  return out;
}

//===--- Outputs ---------------------------------------------------------------===//

bool ONNXNode::hasOutput(size_t i) const {
  return i < numOutputs() && !proto.output(int(i)).empty();
}

LogicalResult ONNXNode::bind(size_t i, Value v) {
  if (failed)
    return failure();
  if (!hasOutput(i))
    return success(); // an output nobody asked for
  scope.define(proto.output(int(i)), v);
  return success();
}

LogicalResult ONNXNode::bindConstant(size_t i, TensorData data) {
  if (failed)
    return failure();
  if (!hasOutput(i))
    return success();
  scope.defineConstant(proto.output(int(i)), std::move(data));
  return success();
}

} // namespace thunder::onnximport
