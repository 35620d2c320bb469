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

IntegerFormat ONNXNode::inputFormat(size_t i) {
  return hasInput(i) ? scope.format(proto.input(int(i))) : IntegerFormat{};
}

SmallVector<Value> ONNXNode::allInputs() {
  SmallVector<Value> xs;
  for (size_t i = 0; i < numInputs(); ++i)
    xs.push_back(input(i));
  return xs;
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

std::optional<SmallVector<int64_t>> ONNXNode::intsOperand(size_t i, StringRef name) {
  if (hasAttr(name))
    return intsAttr(name);
  return optionalInts(i, name);
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
  if (rank == 0) {
    error() << "needs a tensor of rank >= 1 for its " << what;
    return 0;
  }
  int64_t lo = -rank, hi = rank - 1;
  if (axis < lo || axis > hi) {
    error() << what << " " << axis << " is out of range for a tensor of rank " << rank
            << " (" << lo << ".." << hi << ")";
    return 0;
  }
  return axis < 0 ? axis + rank : axis;
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

//===--- Operand checks --------------------------------------------------------===//

LogicalResult ONNXNode::checkBroadcast(ArrayRef<Value> values) {
  size_t rank = 0;
  for (Value v : values)
    rank = std::max(rank, size_t(Emitter::rankOf(v)));
  for (size_t d = 0; d < rank; ++d) {
    int64_t extent = 1;
    for (Value v : values) {
      auto shape = Emitter::shapeOf(v);
      if (d + shape.size() < rank)
        continue;
      int64_t e = shape[d + shape.size() - rank];
      if (e == 1 || ShapedType::isDynamic(e))
        continue;
      if (extent != 1 && extent != e) {
        InFlightDiagnostic diag = error();
        diag << "operands of types";
        for (Value w : values)
          diag << " " << w.getType();
        return diag << " do not broadcast together";
      }
      extent = e;
    }
  }
  return success();
}

LogicalResult ONNXNode::checkMatmul(Value a, Value b) {
  auto sa = Emitter::shapeOf(a), sb = Emitter::shapeOf(b);
  if (sa.empty() || sb.empty())
    return error() << "the operands of a matrix product need rank >= 1, not "
                   << a.getType() << " and " << b.getType();
  int64_t ka = sa.back(), kb = sb.size() == 1 ? sb[0] : sb[sb.size() - 2];
  if (!ShapedType::isDynamic(ka) && !ShapedType::isDynamic(kb) && ka != kb)
    return error() << "cannot multiply " << a.getType() << " by " << b.getType()
                   << ": contraction extents " << ka << " and " << kb << " differ";
  size_t batchA = sa.size() > 2 ? sa.size() - 2 : 0, batchB = sb.size() > 2 ? sb.size() - 2 : 0;
  size_t rank = std::max(batchA, batchB);
  for (size_t d = 0; d < rank; ++d) {
    int64_t x = d + batchA >= rank ? sa[d + batchA - rank] : 1;
    int64_t y = d + batchB >= rank ? sb[d + batchB - rank] : 1;
    if (x != 1 && y != 1 && !ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
      return error() << "the batch dims of " << a.getType() << " and " << b.getType()
                     << " do not broadcast";
  }
  return success();
}

SmallVector<int64_t> ONNXNode::trailingAxes(int64_t axis, int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t d = axis; d < rank; ++d)
    out.push_back(d);
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

LogicalResult ONNXNode::bind(size_t i, Value v, IntegerFormat format) {
  if (mlir::failed(bind(i, v)))
    return failure();
  if (boundFormats.size() <= i)
    boundFormats.resize(i + 1);
  boundFormats[i] = true;
  if (hasOutput(i))
    scope.setFormat(proto.output(int(i)), format);
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

LogicalResult ONNXNode::inlineGraph(const onnx::GraphProto &graph) {
  if (failed)
    return failure();
  if (graph.output_size() != proto.output_size())
    return error() << "the subgraph has " << graph.output_size() << " outputs, the node "
                   << proto.output_size();
  if (graph.initializer_size() > 0 || graph.sparse_initializer_size() > 0)
    return error() << "initializers inside a subgraph are not supported";
  if (mlir::failed(scope.importNodes(graph)))
    return mlir::failure(failed = true);
  for (size_t i = 0; i < numOutputs(); ++i) {
    const std::string &name = graph.output(int(i)).name();
    if (const TensorData *data = scope.constant(name)) {
      if (mlir::failed(bindConstant(i, *data)))
        return failure();
      continue;
    }
    Value v = scope.lookup(name, emitter.loc);
    if (!v)
      return mlir::failure(failed = true);
    if (mlir::failed(bind(i, v, scope.format(name))))
      return failure();
  }
  return success();
}

} // namespace thunder::onnximport
