//===- HostFolding.cpp - shape arithmetic on compile-time values ----------===//
//
// Integer and bool values only (shape arithmetic): elementwise ops with NumPy
// broadcasting, Where, Cast, Gather along axis 0. Results keep the ONNX dtype
// of the op (comparisons give bool). Floating-point constants are left to the
// thunder ops (and the canonicalizer), whose arithmetic the targets define.
//
//===----------------------------------------------------------------------===//
#include "HostFolding.h"

#include "llvm/ADT/StringMap.h"

#include <functional>

using namespace mlir;

namespace thunder::onnximport {
namespace {

constexpr int64_t kMaxHostElements = 4096;

struct HostValue {
  Type type;
  std::vector<int64_t> shape;
  std::vector<int64_t> values;
};

/// NumPy broadcasting of several shapes; nullopt when they do not broadcast.
std::optional<std::vector<int64_t>> broadcastShapes(ArrayRef<const HostValue *> xs) {
  size_t rank = 0;
  for (const HostValue *x : xs)
    rank = std::max(rank, x->shape.size());
  std::vector<int64_t> out(rank, 1);
  for (const HostValue *x : xs)
    for (size_t i = 0; i < x->shape.size(); ++i) {
      int64_t &o = out[rank - x->shape.size() + i];
      int64_t d = x->shape[i];
      if (d != 1 && o != 1 && d != o)
        return std::nullopt;
      if (d != 1)
        o = d;
    }
  return out;
}

/// The element of `x` at the multi-index `idx` of the broadcast shape.
int64_t at(const HostValue &x, ArrayRef<int64_t> idx) {
  int64_t flat = 0;
  size_t offset = idx.size() - x.shape.size();
  for (size_t i = 0; i < x.shape.size(); ++i)
    flat = flat * x.shape[i] + (x.shape[i] == 1 ? 0 : idx[offset + i]);
  return x.values[size_t(flat)];
}

/// out[i] = fn(inputs at i), broadcast; nullopt when the shapes do not match.
std::optional<HostValue> elementwise(ArrayRef<const HostValue *> xs, Type type,
                                     const std::function<int64_t(ArrayRef<int64_t>)> &fn) {
  std::optional<std::vector<int64_t>> shape = broadcastShapes(xs);
  if (!shape)
    return std::nullopt;
  HostValue out{type, *shape, {}};
  int64_t count = 1;
  for (int64_t d : *shape)
    count *= d;
  std::vector<int64_t> idx(shape->size(), 0), args(xs.size());
  for (int64_t k = 0; k < count; ++k) {
    for (size_t j = 0; j < xs.size(); ++j)
      args[j] = at(*xs[j], idx);
    out.values.push_back(fn(args));
    for (size_t d = shape->size(); d-- > 0;) { // next multi-index
      if (++idx[d] < (*shape)[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

using HostFn = std::optional<HostValue> (*)(ONNXNode &, ArrayRef<const HostValue *>);

template <typename Fn>
std::optional<HostValue> binary(ArrayRef<const HostValue *> xs, Type type, Fn fn) {
  if (xs.size() != 2)
    return std::nullopt;
  return elementwise(xs, type, [&](ArrayRef<int64_t> a) { return fn(a[0], a[1]); });
}

Type boolType(ONNXNode &n) { return IntegerType::get(n.context(), 1); }

std::optional<HostValue> add(ONNXNode &, ArrayRef<const HostValue *> xs) {
  return binary(xs, xs[0]->type, [](int64_t a, int64_t b) { return a + b; });
}
std::optional<HostValue> sub(ONNXNode &, ArrayRef<const HostValue *> xs) {
  return binary(xs, xs[0]->type, [](int64_t a, int64_t b) { return a - b; });
}
std::optional<HostValue> mul(ONNXNode &, ArrayRef<const HostValue *> xs) {
  return binary(xs, xs[0]->type, [](int64_t a, int64_t b) { return a * b; });
}
/// Integer Div truncates (as C); a zero divisor leaves the node to run time.
std::optional<HostValue> div(ONNXNode &, ArrayRef<const HostValue *> xs) {
  if (xs.size() != 2 || llvm::is_contained(xs[1]->values, 0))
    return std::nullopt;
  return binary(xs, xs[0]->type, [](int64_t a, int64_t b) { return a / b; });
}
/// Mod: fmod = 1 takes the dividend's sign (C's %), else the divisor's.
std::optional<HostValue> mod(ONNXNode &n, ArrayRef<const HostValue *> xs) {
  bool fmod = n.intAttr("fmod", 0);
  if (xs.size() != 2 || llvm::is_contained(xs[1]->values, 0))
    return std::nullopt;
  return binary(xs, xs[0]->type, [fmod](int64_t a, int64_t b) {
    int64_t r = a % b;
    return !fmod && r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
  });
}
std::optional<HostValue> maximum(ONNXNode &, ArrayRef<const HostValue *> xs) {
  return binary(xs, xs[0]->type, [](int64_t a, int64_t b) { return std::max(a, b); });
}
std::optional<HostValue> minimum(ONNXNode &, ArrayRef<const HostValue *> xs) {
  return binary(xs, xs[0]->type, [](int64_t a, int64_t b) { return std::min(a, b); });
}
std::optional<HostValue> equal(ONNXNode &n, ArrayRef<const HostValue *> xs) {
  return binary(xs, boolType(n), [](int64_t a, int64_t b) { return int64_t(a == b); });
}
std::optional<HostValue> less(ONNXNode &n, ArrayRef<const HostValue *> xs) {
  return binary(xs, boolType(n), [](int64_t a, int64_t b) { return int64_t(a < b); });
}
std::optional<HostValue> greater(ONNXNode &n, ArrayRef<const HostValue *> xs) {
  return binary(xs, boolType(n), [](int64_t a, int64_t b) { return int64_t(a > b); });
}
std::optional<HostValue> logicalAnd(ONNXNode &n, ArrayRef<const HostValue *> xs) {
  return binary(xs, xs[0]->type, [](int64_t a, int64_t b) { return a & b; });
}
std::optional<HostValue> logicalOr(ONNXNode &n, ArrayRef<const HostValue *> xs) {
  return binary(xs, xs[0]->type, [](int64_t a, int64_t b) { return a | b; });
}
std::optional<HostValue> neg(ONNXNode &, ArrayRef<const HostValue *> xs) {
  return elementwise(xs, xs[0]->type, [](ArrayRef<int64_t> a) { return -a[0]; });
}
std::optional<HostValue> abs(ONNXNode &, ArrayRef<const HostValue *> xs) {
  return elementwise(xs, xs[0]->type, [](ArrayRef<int64_t> a) { return std::abs(a[0]); });
}
std::optional<HostValue> logicalNot(ONNXNode &, ArrayRef<const HostValue *> xs) {
  if (!xs[0]->type.isInteger(1))
    return std::nullopt;
  return elementwise(xs, xs[0]->type, [](ArrayRef<int64_t> a) { return int64_t(!a[0]); });
}
std::optional<HostValue> identity(ONNXNode &, ArrayRef<const HostValue *> xs) { return *xs[0]; }
std::optional<HostValue> where(ONNXNode &, ArrayRef<const HostValue *> xs) {
  if (xs.size() != 3)
    return std::nullopt;
  return elementwise(xs, xs[1]->type, [](ArrayRef<int64_t> a) { return a[0] ? a[1] : a[2]; });
}

/// Cast between integer and bool types (values clipped to the target's width).
std::optional<HostValue> castTo(Type t, const HostValue &x) {
  if (!t.isSignlessInteger())
    return std::nullopt;
  HostValue out{t, x.shape, {}};
  unsigned width = t.getIntOrFloatBitWidth();
  for (int64_t v : x.values)
    out.values.push_back(width == 1    ? int64_t(v != 0)
                         : width == 64 ? v
                                       : llvm::SignExtend64(uint64_t(v), width));
  return out;
}
std::optional<HostValue> cast(ONNXNode &n, ArrayRef<const HostValue *> xs) {
  int64_t to = n.intAttr("to", 0);
  FailureOr<Type> t = elementTypeFor(n.context(), int32_t(to), n.emit().loc, "Cast: 'to'");
  if (failed(t))
    return std::nullopt;
  return castTo(*t, *xs[0]);
}
std::optional<HostValue> castLike(ONNXNode &, ArrayRef<const HostValue *> xs) {
  return xs.size() == 2 ? castTo(xs[1]->type, *xs[0]) : std::nullopt;
}

/// Gather along axis 0 of a 1-D tensor (picking dims out of a shape).
std::optional<HostValue> gather(ONNXNode &n, ArrayRef<const HostValue *> xs) {
  if (xs.size() != 2 || xs[0]->shape.size() != 1 || n.intAttr("axis", 0) != 0)
    return std::nullopt;
  int64_t extent = xs[0]->shape[0];
  HostValue out{xs[0]->type, xs[1]->shape, {}};
  for (int64_t i : xs[1]->values) {
    if (i < -extent || i >= extent)
      return std::nullopt; // out of range: the converter reports it
    out.values.push_back(xs[0]->values[size_t(i < 0 ? i + extent : i)]);
  }
  return out;
}

const llvm::StringMap<HostFn> &hostTable() {
  static const llvm::StringMap<HostFn> table = {
      {"Add", add},         {"Sub", sub},         {"Mul", mul},
      {"Div", div},         {"Mod", mod},         {"Max", maximum},     {"Min", minimum},
      {"Equal", equal},     {"Less", less},       {"Greater", greater},
      {"And", logicalAnd},  {"Or", logicalOr},    {"Not", logicalNot},
      {"Neg", neg},         {"Abs", abs},         {"Identity", identity},
      {"Where", where},     {"Cast", cast},       {"CastLike", castLike},
      {"Gather", gather},
  };
  return table;
}

} // namespace

/// Cast of a compile-time integer to a floating type (Range's operands, window
/// sizes in exported functions): the values as that type.
FailureOr<bool> foldIntToFloatCast(ONNXNode &n) {
  const TensorData *d = n.constantOrNull(0);
  if (!d || isa<FloatType>(d->elementType) || d->numElements() > kMaxHostElements)
    return false;
  Type to;
  if (n.opType() == "CastLike") {
    const TensorData *like = n.constantOrNull(1);
    if (!like)
      return false;
    to = like->elementType;
  } else {
    FailureOr<Type> t = elementTypeFor(n.context(), int32_t(n.intAttr("to", 0)), n.emit().loc,
                                       "Cast: 'to'");
    if (failed(t))
      return failure();
    to = *t;
  }
  if (!isa<FloatType>(to))
    return false;
  std::vector<int64_t> ints = d->asInts();
  std::vector<double> values(ints.begin(), ints.end());
  if (failed(n.bindConstant(0, TensorData::fromDoubles(to, d->shape, values))))
    return failure();
  return true;
}

FailureOr<bool> foldOnHost(ONNXNode &n) {
  // Unsigned and sub-byte integers (and casts to them) are left to the converters.
  for (size_t i = 0; i < n.numInputs(); ++i)
    if (n.inputFormat(i))
      return false;
  if (n.opType() == "Cast" && integerFormatFor(int32_t(n.intAttr("to", 0))))
    return false;
  if ((n.opType() == "Cast" || n.opType() == "CastLike") && n.numOutputs() == 1) {
    FailureOr<bool> folded = foldIntToFloatCast(n);
    if (failed(folded) || *folded)
      return folded;
  }
  auto it = hostTable().find(n.opType());
  if (it == hostTable().end() || n.numInputs() == 0 || n.numOutputs() != 1)
    return false;
  std::vector<HostValue> values;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    const TensorData *d = n.constantOrNull(i);
    if (!d || isa<FloatType>(d->elementType) || d->numElements() > kMaxHostElements)
      return false;
    values.push_back({d->elementType, d->shape, d->asInts()});
  }
  SmallVector<const HostValue *> args;
  for (const HostValue &v : values)
    args.push_back(&v);
  std::optional<HostValue> out = it->second(n, args);
  if (failed(n.check()))
    return failure();
  if (!out || int64_t(out->values.size()) > kMaxHostElements)
    return false;
  if (failed(n.bindConstant(0, TensorData::fromInts(out->type, out->shape, out->values))))
    return failure();
  return true;
}

} // namespace thunder::onnximport
