//===- NodeContext.cpp - what an op converter sees ------------------------===//
#include "NodeContext.h"
#include "DTypes.h"
#include "GraphImporter.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace thunder::importer {

NodeContext::NodeContext(GraphImporter &importer, const pt2::Node &node,
                         std::vector<std::pair<std::string, pt2::Argument>> args,
                         OpBuilder &builder, Location loc)
    : importer(importer), node_(node), args(std::move(args)),
      emitter(builder, loc, &importer.symbolicShapes()) {
  for (const pt2::Argument &out : node.outputs) {
    switch (out.kind()) {
    case pt2::ArgKind::Tensor:
      outputs.push_back({out.tensorName(), false, false});
      break;
    case pt2::ArgKind::Tensors:
      for (const std::string &name : out.tensorNames())
        outputs.push_back({name, false, false});
      break;
    case pt2::ArgKind::OptionalTensors:
      for (const auto &name : out.optionalTensors())
        outputs.push_back({name.value_or(""), false, false});
      break;
    case pt2::ArgKind::SymInt:
      outputs.push_back(
          {out.symInt().isName ? out.symInt().name : "", true, false});
      break;
    default:
      outputs.push_back({"", false, false});
      break;
    }
  }
}

StringRef NodeContext::target() const {
  StringRef t = node_.target;
  t.consume_front("torch.ops.");
  return t;
}

InFlightDiagnostic NodeContext::error() {
  failed_ = true;
  return emitError(loc());
}

void NodeContext::fail(const Twine &message) {
  if (!failed_)
    emitError(loc()) << message;
  failed_ = true;
}

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

const pt2::Argument *NodeContext::get(StringRef name) const {
  for (const auto &[argName, value] : args)
    if (argName == name)
      return &value;
  return nullptr;
}

bool NodeContext::isNone(StringRef name) const {
  const pt2::Argument *a = get(name);
  return !a || a->isNone();
}

const pt2::Argument *NodeContext::require(StringRef name) {
  const pt2::Argument *a = get(name);
  if (!a)
    fail("'" + target() + "' has no argument '" + name + "'");
  return a;
}

const pt2::TensorMeta *NodeContext::argumentMeta(StringRef name) const {
  const pt2::Argument *a = get(name);
  if (!a || a->kind() != pt2::ArgKind::Tensor)
    return nullptr;
  return importer.scope().graph->findTensorMeta(a->tensorName());
}

Value NodeContext::lookupTensor(const std::string &name) {
  FailureOr<Value> v = importer.lookupTensor(name, loc());
  if (failed(v)) {
    failed_ = true;
    return {};
  }
  return *v;
}

Value NodeContext::tensor(StringRef name) {
  const pt2::Argument *a = require(name);
  if (!a)
    return {};
  if (a->kind() == pt2::ArgKind::Tensor)
    return lookupTensor(a->tensorName());
  if (a->kind() == pt2::ArgKind::OptionalTensor && a->optionalTensor())
    return lookupTensor(*a->optionalTensor());
  fail("argument '" + name + "' of '" + target() + "' should be a tensor, got " +
       a->toString());
  return {};
}

std::optional<Value> NodeContext::optionalTensor(StringRef name) {
  const pt2::Argument *a = get(name);
  if (!a || a->isNone())
    return std::nullopt;
  if (a->kind() == pt2::ArgKind::OptionalTensor && !a->optionalTensor())
    return std::nullopt;
  return tensor(name);
}

SmallVector<Value> NodeContext::tensorList(StringRef name) {
  SmallVector<Value> out;
  for (std::optional<Value> v : optionalTensorList(name)) {
    if (!v) {
      fail("argument '" + name + "' of '" + target() +
           "' has a None entry where a tensor is needed");
      return {};
    }
    out.push_back(*v);
  }
  return out;
}

SmallVector<std::optional<Value>> NodeContext::optionalTensorList(StringRef name) {
  SmallVector<std::optional<Value>> out;
  const pt2::Argument *a = require(name);
  if (!a)
    return out;
  if (a->kind() == pt2::ArgKind::Tensors) {
    for (const std::string &n : a->tensorNames())
      out.push_back(lookupTensor(n));
  } else if (a->kind() == pt2::ArgKind::OptionalTensors) {
    for (const auto &n : a->optionalTensors()) {
      if (n)
        out.push_back(lookupTensor(*n));
      else
        out.push_back(std::nullopt);
    }
  } else {
    fail("argument '" + name + "' of '" + target() +
         "' should be a list of tensors, got " + a->toString());
  }
  return out;
}

std::optional<Scalar> NodeContext::toScalar(const pt2::Argument &a) {
  switch (a.kind()) {
  case pt2::ArgKind::Int:
    return Scalar::ofInt(a.intValue());
  case pt2::ArgKind::Float:
    return Scalar::ofFloat(a.floatValue());
  case pt2::ArgKind::Bool:
    return Scalar::ofBool(a.boolValue());
  case pt2::ArgKind::SymInt: {
    const pt2::SymIntArg &s = a.symInt();
    if (!s.isName)
      return Scalar::ofInt(s.value);
    FailureOr<Value> v = importer.lookupSymInt(s.name, loc());
    if (failed(v)) {
      failed_ = true;
      return std::nullopt;
    }
    if (auto c = getConstantIntValue(*v))
      return Scalar::ofInt(*c);
    Scalar out;
    out.kind = Scalar::Kind::SymInt;
    out.sym = *v;
    return out;
  }
  case pt2::ArgKind::SymFloat:
    if (!a.symFloat().isName)
      return Scalar::ofFloat(a.symFloat().value);
    break;
  case pt2::ArgKind::SymBool:
    if (!a.symBool().isName)
      return Scalar::ofBool(a.symBool().value);
    break;
  default:
    break;
  }
  return std::nullopt;
}

Operand NodeContext::operand(StringRef name) {
  Operand op;
  const pt2::Argument *a = require(name);
  if (!a)
    return op;
  if (a->kind() == pt2::ArgKind::Tensor) {
    op.tensor = lookupTensor(a->tensorName());
    return op;
  }
  if (std::optional<Scalar> s = toScalar(*a)) {
    op.number = *s;
    return op;
  }
  fail("argument '" + name + "' of '" + target() +
       "' should be a tensor or a number, got " + a->toString());
  return op;
}

Scalar NodeContext::scalar(StringRef name) {
  const pt2::Argument *a = require(name);
  if (!a)
    return {};
  if (std::optional<Scalar> s = toScalar(*a))
    return *s;
  fail("argument '" + name + "' of '" + target() + "' should be a number, got " +
       a->toString());
  return {};
}

std::optional<Scalar> NodeContext::optionalScalar(StringRef name) {
  if (isNone(name))
    return std::nullopt;
  return scalar(name);
}

std::optional<int64_t> NodeContext::toInteger(const pt2::Argument &a) {
  switch (a.kind()) {
  case pt2::ArgKind::Int:
    return a.intValue();
  case pt2::ArgKind::Bool:
    return a.boolValue() ? 1 : 0;
  case pt2::ArgKind::SymInt: {
    const pt2::SymIntArg &s = a.symInt();
    if (!s.isName)
      return s.value;
    const pt2::Graph *g = importer.scope().graph;
    auto it = g->symIntValues.find(s.name);
    if (it != g->symIntValues.end())
      if (auto c = it->second.asConstant())
        return *c;
    FailureOr<Value> v = importer.lookupSymInt(s.name, loc());
    if (succeeded(v))
      if (auto c = getConstantIntValue(*v))
        return *c;
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

int64_t NodeContext::integer(StringRef name) {
  const pt2::Argument *a = require(name);
  if (!a)
    return 0;
  if (std::optional<int64_t> v = toInteger(*a))
    return *v;
  if (a->kind() == pt2::ArgKind::SymInt)
    fail("argument '" + name + "' of '" + target() +
         "' is symbolic; only a constant is supported here");
  else
    fail("argument '" + name + "' of '" + target() +
         "' should be an int, got " + a->toString());
  return 0;
}

std::optional<int64_t> NodeContext::optionalInteger(StringRef name) {
  if (isNone(name))
    return std::nullopt;
  return integer(name);
}

SmallVector<int64_t> NodeContext::integers(StringRef name) {
  const pt2::Argument *a = require(name);
  if (!a)
    return {};
  switch (a->kind()) {
  case pt2::ArgKind::Ints:
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  case pt2::ArgKind::Int:
  case pt2::ArgKind::SymInt:
    if (std::optional<int64_t> v = toInteger(*a))
      return {*v};
    break;
  case pt2::ArgKind::SymInts: {
    SmallVector<int64_t> out;
    for (const pt2::SymIntArg &s : a->symInts()) {
      pt2::Argument one = pt2::Argument::make(pt2::ArgKind::SymInt, s);
      std::optional<int64_t> v = toInteger(one);
      if (!v) {
        fail("argument '" + name + "' of '" + target() +
             "' has a symbolic entry; only constants are supported here");
        return {};
      }
      out.push_back(*v);
    }
    return out;
  }
  default:
    break;
  }
  fail("argument '" + name + "' of '" + target() +
       "' should be a list of ints, got " + a->toString());
  return {};
}

std::optional<SmallVector<int64_t>> NodeContext::optionalIntegers(StringRef name) {
  if (isNone(name))
    return std::nullopt;
  return integers(name);
}

Sizes NodeContext::symInts(StringRef name) {
  Sizes out;
  const pt2::Argument *a = require(name);
  if (!a)
    return out;
  auto one = [&](const pt2::SymIntArg &s) -> OpFoldResult {
    if (!s.isName)
      return builder().getIndexAttr(s.value);
    FailureOr<Value> v = importer.lookupSymInt(s.name, loc());
    if (failed(v)) {
      failed_ = true;
      return builder().getIndexAttr(0);
    }
    if (auto c = getConstantIntValue(*v))
      return builder().getIndexAttr(*c);
    return *v;
  };
  switch (a->kind()) {
  case pt2::ArgKind::Ints:
    for (int64_t v : a->ints())
      out.push_back(builder().getIndexAttr(v));
    return out;
  case pt2::ArgKind::Int:
    out.push_back(builder().getIndexAttr(a->intValue()));
    return out;
  case pt2::ArgKind::SymInt:
    out.push_back(one(a->symInt()));
    return out;
  case pt2::ArgKind::SymInts:
    for (const pt2::SymIntArg &s : a->symInts())
      out.push_back(one(s));
    return out;
  default:
    fail("argument '" + name + "' of '" + target() +
         "' should be a list of ints, got " + a->toString());
    return out;
  }
}

double NodeContext::real(StringRef name) {
  const pt2::Argument *a = require(name);
  if (!a)
    return 0.0;
  if (std::optional<Scalar> s = toScalar(*a))
    if (s->isStatic())
      return s->asDouble();
  fail("argument '" + name + "' of '" + target() + "' should be a number, got " +
       a->toString());
  return 0.0;
}

std::optional<double> NodeContext::optionalReal(StringRef name) {
  if (isNone(name))
    return std::nullopt;
  return real(name);
}

std::optional<SmallVector<double>> NodeContext::optionalReals(StringRef name) {
  const pt2::Argument *a = get(name);
  if (!a || a->isNone())
    return std::nullopt;
  if (a->kind() == pt2::ArgKind::Floats)
    return SmallVector<double>(a->floats().begin(), a->floats().end());
  if (a->kind() == pt2::ArgKind::Float)
    return SmallVector<double>{a->floatValue()};
  if (a->kind() == pt2::ArgKind::Ints) {
    SmallVector<double> out;
    for (int64_t v : a->ints())
      out.push_back(static_cast<double>(v));
    return out;
  }
  fail("argument '" + name + "' of '" + target() +
       "' should be a list of floats, got " + a->toString());
  return std::nullopt;
}

bool NodeContext::boolean(StringRef name) {
  const pt2::Argument *a = require(name);
  if (!a)
    return false;
  if (a->kind() == pt2::ArgKind::Bool)
    return a->boolValue();
  if (a->kind() == pt2::ArgKind::Int)
    return a->intValue() != 0;
  if (a->kind() == pt2::ArgKind::SymBool && !a->symBool().isName)
    return a->symBool().value;
  fail("argument '" + name + "' of '" + target() + "' should be a bool, got " +
       a->toString());
  return false;
}

std::optional<bool> NodeContext::optionalBoolean(StringRef name) {
  if (isNone(name))
    return std::nullopt;
  return boolean(name);
}

std::string NodeContext::string(StringRef name) {
  const pt2::Argument *a = require(name);
  if (!a)
    return "";
  if (a->kind() == pt2::ArgKind::String)
    return a->stringValue();
  fail("argument '" + name + "' of '" + target() + "' should be a string, got " +
       a->toString());
  return "";
}

std::optional<std::string> NodeContext::optionalString(StringRef name) {
  if (isNone(name))
    return std::nullopt;
  return string(name);
}

std::optional<Type> NodeContext::dtype(StringRef name) {
  const pt2::Argument *a = get(name);
  if (!a || a->isNone())
    return std::nullopt;
  std::optional<pt2::ScalarType> st;
  if (a->kind() == pt2::ArgKind::ScalarType)
    st = a->scalarType();
  else if (a->kind() == pt2::ArgKind::Int)
    st = pt2::scalarTypeFromCode(a->intValue());
  if (!st) {
    fail("argument '" + name + "' of '" + target() + "' should be a dtype, got " +
         a->toString());
    return std::nullopt;
  }
  FailureOr<Type> t = elementTypeFor(context(), *st, /*intermediate=*/true);
  if (failed(t)) {
    fail("dtype " + dtypeName(*st) + " (argument '" + name + "' of '" +
         target() + "') is not supported");
    return std::nullopt;
  }
  return *t;
}

Value NodeContext::materialize(const Operand &op, Type type) {
  if (op.isTensor())
    return emit().convert(op.tensor, type);
  const Scalar &s = op.number;
  switch (s.kind) {
  case Scalar::Kind::Float:
    return emit().scalar(type, s.f);
  case Scalar::Kind::Int:
  case Scalar::Kind::Bool:
    return emit().scalarInt(type, s.i);
  case Scalar::Kind::SymInt:
    return emit().indexToTensor(s.sym, type);
  }
  return {};
}

Type NodeContext::resultType(ArrayRef<Operand> operands) {
  ResultTypeState state;
  for (const Operand &op : operands) {
    if (op.isTensor()) {
      state.addTensor(Emitter::elementTypeOf(op.tensor), Emitter::rankOf(op.tensor));
      continue;
    }
    switch (op.number.kind) {
    case Scalar::Kind::Bool:
      state.addWrappedNumber(Category::Bool, context());
      break;
    case Scalar::Kind::Int:
    case Scalar::Kind::SymInt:
      state.addWrappedNumber(Category::Integer, context());
      break;
    case Scalar::Kind::Float:
      state.addWrappedNumber(Category::Floating, context());
      break;
    }
  }
  return state.result();
}

//===----------------------------------------------------------------------===//
// Dims
//===----------------------------------------------------------------------===//

FailureOr<NodeContext::TensorAlongDim>
NodeContext::selfAlongDim(std::optional<int64_t> defaultDim) {
  Value x = tensor("self");
  int64_t d = defaultDim ? optionalInteger("dim").value_or(*defaultDim) : integer("dim");
  if (failed(check()))
    return failure();
  FailureOr<int64_t> checked = dim(d, Emitter::rankOf(x));
  if (failed(checked))
    return failure();
  return TensorAlongDim{x, *checked};
}

FailureOr<int64_t> NodeContext::dim(int64_t dim, int64_t rank, DimRange range,
                                    StringRef argName) {
  int64_t n = range == DimRange::Inserted ? rank + 1
              : range == DimRange::Wrapped ? std::max<int64_t>(rank, 1)
                                           : rank;
  if (dim >= -n && dim < n)
    return dim < 0 ? dim + n : dim;
  std::string accepted = n == 0 ? std::string("nothing")
                                : (Twine(-n) + ".." + Twine(n - 1)).str();
  fail("dim " + Twine(dim) + " is out of range for " +
       (range == DimRange::Inserted ? "a new dim of " : "") + "a tensor of rank " +
       Twine(rank) + " (argument '" + argName + "' takes " + accepted + ")");
  return failure();
}

FailureOr<SmallVector<int64_t>> NodeContext::dims(ArrayRef<int64_t> dims, int64_t rank,
                                                  DimRange range, StringRef argName,
                                                  bool distinct) {
  SmallVector<int64_t> out;
  for (int64_t d : dims) {
    FailureOr<int64_t> n = dim(d, rank, range, argName);
    if (failed(n))
      return failure();
    if (distinct && llvm::is_contained(out, *n)) {
      fail("dim " + Twine(d) + " appears twice (argument '" + argName + "')");
      return failure();
    }
    out.push_back(*n);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

const pt2::TensorMeta *NodeContext::resultMeta(size_t i) const {
  if (i >= outputs.size() || outputs[i].name.empty())
    return nullptr;
  return importer.scope().graph->findTensorMeta(outputs[i].name);
}

RankedTensorType NodeContext::resultType(size_t i) {
  const pt2::TensorMeta *meta = resultMeta(i);
  if (!meta) {
    fail("result " + Twine(i) + " of '" + target() + "' has no tensor metadata");
    return RankedTensorType::get({}, builder().getF32Type());
  }
  FailureOr<RankedTensorType> t =
      tensorTypeFor(*meta, loc(), "result '" + outputs[i].name + "'",
                    /*intermediate=*/true);
  if (failed(t)) {
    failed_ = true;
    return RankedTensorType::get({}, builder().getF32Type());
  }
  return *t;
}

Sizes NodeContext::resultSizes(size_t i) {
  Sizes out;
  const pt2::TensorMeta *meta = resultMeta(i);
  if (!meta) {
    fail("result " + Twine(i) + " of '" + target() + "' has no tensor metadata");
    return out;
  }
  for (const pt2::SymInt &s : meta->sizes) {
    FailureOr<OpFoldResult> v =
        importer.symbolicShapes().size(s, builder(), loc());
    if (failed(v)) {
      failed_ = true;
      out.push_back(builder().getIndexAttr(1));
    } else {
      out.push_back(*v);
    }
  }
  return out;
}

bool NodeContext::resultUsed(size_t i) const {
  if (i >= outputs.size() || outputs[i].name.empty())
    return false;
  return importer.scope().lastUse.count(outputs[i].name) != 0;
}

LogicalResult NodeContext::bindValuesIndices(Value values, Value indices) {
  if (failed(bind(0, values)))
    return failure();
  return numResults() > 1 ? bind(1, indices) : success();
}

LogicalResult NodeContext::bindScalarSelection(Value x) {
  if (failed(bind(0, x)))
    return failure();
  if (numResults() < 2)
    return success();
  Emitter &e = emit();
  return bind(1, e.scalarInt(e.i64(), 0));
}

LogicalResult NodeContext::bind(size_t i, Value value) {
  if (i >= outputs.size())
    return error() << "'" << target() << "' has no result " << i;
  Slot &slot = outputs[i];
  if (slot.name.empty()) {
    slot.bound = true;
    return success();
  }
  RankedTensorType expected = resultType(i);
  if (failed_)
    return failure();
  auto actual = dyn_cast<RankedTensorType>(value.getType());
  if (!actual)
    return error() << "result " << i << " is not a tensor";
  if (actual.getElementType() != expected.getElementType()) {
    value = emit().convert(value, expected.getElementType());
    actual = Emitter::typeOf(value);
  }
  if (actual != expected) {
    bool compatible = actual.getRank() == expected.getRank();
    for (int64_t d = 0; compatible && d < actual.getRank(); ++d) {
      int64_t a = actual.getDimSize(d), e = expected.getDimSize(d);
      compatible = a == e || ShapedType::isDynamic(a) || ShapedType::isDynamic(e);
    }
    if (!compatible)
      return error() << "result '" << slot.name << "' is " << actual
                     << " by the decomposition of '" << target()
                     << "' but the graph says " << expected;
    value = tensor::CastOp::create(builder(), loc(), expected, value);
  }
  importer.scope().tensors[slot.name] = value;
  slot.bound = true;
  return success();
}

LogicalResult NodeContext::bindConverted(size_t i, Value value) {
  return bind(i, value);
}

LogicalResult NodeContext::bindSymInt(size_t i, Value index) {
  if (i >= outputs.size())
    return error() << "'" << target() << "' has no result " << i;
  Slot &slot = outputs[i];
  if (!slot.name.empty())
    importer.scope().symInts[slot.name] = index;
  slot.bound = true;
  return success();
}

LogicalResult NodeContext::writeArgument(StringRef name, Value value) {
  const pt2::Argument *a = get(name);
  if (!a || a->kind() != pt2::ArgKind::Tensor)
    return success();
  return importer.writeTensor(a->tensorName(), value, loc());
}

} // namespace thunder::importer
