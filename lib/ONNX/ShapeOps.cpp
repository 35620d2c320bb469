//===- ShapeOps.cpp - ONNX shape and data-movement ops --------------------===//
//
// Reshape, Transpose, Concat, Slice, Squeeze/Unsqueeze, Flatten, Expand, Tile,
// Split, Pad, Shape/Size, Constant/ConstantOfShape/Range, Dropout.
// Shape operands (Reshape's shape, Slice's starts, ...) must be known at
// compile time. Exported graphs compute them from `Shape` of static tensors
// (Shape -> Gather -> Concat -> Reshape), so integer shape arithmetic on
// compile-time values is done here, on the host, and bound as constants.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "ONNXOpTable.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/Support/InterleavedRange.h"

#include <limits>
#include <numeric>

using namespace mlir;

namespace thunder::onnximport {
namespace {

constexpr int64_t kMaxFoldElements = 4096;

/// Sizes of a compile-time shape operand with ONNX Reshape's 0 (copy) and -1
/// (infer) entries resolved against `x`.
FailureOr<importer::Sizes> reshapeSizes(ONNXNode &n, Value x, ArrayRef<int64_t> shape,
                                        bool allowZero) {
  Emitter &e = n.emit();
  importer::Sizes in = e.dims(x), out;
  int64_t infer = -1;
  for (auto [i, s] : llvm::enumerate(shape)) {
    if (s == -1) {
      if (infer >= 0)
        return n.error() << "shape has more than one -1", failure();
      infer = int64_t(i);
      out.push_back(e.index(1));
    } else if (s == 0 && !allowZero) {
      if (i >= in.size())
        return n.error() << "shape entry " << i << " is 0 (copy) past the input's rank", failure();
      out.push_back(in[i]);
    } else if (s < 0) {
      return n.error() << "shape entry " << i << " is " << s, failure();
    } else {
      out.push_back(e.index(s));
    }
  }
  if (infer >= 0) {
    OpFoldResult known = e.product(out);
    if (auto k = getConstantIntValue(known); k && *k == 0)
      return n.error() << "cannot infer the -1 entry next to a 0 size", failure();
    out[size_t(infer)] = e.floorDiv(e.product(in), known);
  }
  return out;
}

/// The static shape of `sizes`, when every entry is a constant.
std::optional<std::vector<int64_t>> staticSizes(ArrayRef<OpFoldResult> sizes) {
  std::vector<int64_t> out;
  for (OpFoldResult s : sizes) {
    std::optional<int64_t> c = getConstantIntValue(s);
    if (!c)
      return std::nullopt;
    out.push_back(*c);
  }
  return out;
}

/// A compile-time input's elements in a new shape (Reshape, Squeeze,
/// Unsqueeze, Flatten of constants keep the bytes).
LogicalResult bindReshapedConstant(ONNXNode &n, const TensorData &data,
                                   ArrayRef<OpFoldResult> sizes) {
  std::optional<std::vector<int64_t>> shape = staticSizes(sizes);
  if (!shape)
    return n.bind(n.emit().reshape(n.input(0), sizes));
  TensorData out = data;
  out.shape = *shape;
  return n.bindConstant(0, std::move(out));
}

/// Whether input `i` is a small compile-time integer tensor (shape arithmetic).
const TensorData *smallIntConstant(ONNXNode &n, size_t i) {
  const TensorData *d = n.constantOrNull(i);
  if (!d || isa<FloatType>(d->elementType) || d->numElements() > kMaxFoldElements)
    return nullptr;
  return d;
}

LogicalResult reshape(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> shape = n.optionalInts(1, "shape");
  bool allowZero = n.intAttr("allowzero", 0);
  if (failed(n.check()))
    return failure();
  if (!shape)
    return n.error() << "input 1 ('shape') is required";
  FailureOr<importer::Sizes> sizes = reshapeSizes(n, x, *shape, allowZero);
  if (failed(sizes))
    return failure();
  if (std::optional<std::vector<int64_t>> s = staticSizes(*sizes)) {
    if (Emitter::typeOf(x).hasStaticShape() &&
        std::accumulate(s->begin(), s->end(), int64_t(1), std::multiplies<>()) !=
            Emitter::typeOf(x).getNumElements())
      return n.error() << "cannot reshape " << Emitter::typeOf(x) << " to "
                       << llvm::interleaved_array(*s);
  }
  if (const TensorData *c = n.constantOrNull(0))
    return bindReshapedConstant(n, *c, *sizes);
  return n.bind(n.emit().reshape(x, *sizes));
}

LogicalResult flatten(ONNXNode &n) {
  Value x = n.input(0);
  int64_t rank = Emitter::rankOf(x);
  int64_t axis = n.intAttr("axis", 1);
  if (failed(n.check()))
    return failure();
  if (axis < -rank || axis > rank)
    return n.error() << "axis " << axis << " is out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  Emitter &e = n.emit();
  importer::Sizes dims = e.dims(x);
  importer::Sizes sizes = {e.product(ArrayRef(dims).take_front(size_t(axis))),
                           e.product(ArrayRef(dims).drop_front(size_t(axis)))};
  if (const TensorData *c = n.constantOrNull(0))
    return bindReshapedConstant(n, *c, sizes);
  return n.bind(e.reshape(x, sizes));
}

LogicalResult squeeze(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> axesIn = n.intsOperand(1, "axes");
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  SmallVector<int64_t> axes;
  if (axesIn) {
    axes = n.axes(*axesIn, rank);
  } else {
    for (int64_t d = 0; d < rank; ++d)
      if (Emitter::shapeOf(x)[size_t(d)] == 1)
        axes.push_back(d);
  }
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  importer::Sizes sizes;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(axes, d)) {
      sizes.push_back(e.dim(x, d));
      continue;
    }
    int64_t extent = Emitter::shapeOf(x)[size_t(d)];
    if (extent != 1 && extent != ShapedType::kDynamic)
      return n.error() << "cannot squeeze axis " << d << " of extent " << extent;
  }
  if (const TensorData *c = n.constantOrNull(0))
    return bindReshapedConstant(n, *c, sizes);
  return n.bind(e.reshape(x, sizes));
}

LogicalResult unsqueeze(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> axesIn = n.intsOperand(1, "axes");
  if (failed(n.check()))
    return failure();
  if (!axesIn)
    return n.error() << "input 1 ('axes') is required";
  int64_t outRank = Emitter::rankOf(x) + int64_t(axesIn->size());
  SmallVector<int64_t> axes = n.axes(*axesIn, outRank);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  importer::Sizes sizes;
  int64_t next = 0;
  for (int64_t d = 0; d < outRank; ++d)
    sizes.push_back(llvm::is_contained(axes, d) ? e.index(1) : e.dim(x, next++));
  if (const TensorData *c = n.constantOrNull(0))
    return bindReshapedConstant(n, *c, sizes);
  return n.bind(e.reshape(x, sizes));
}

LogicalResult transpose(ONNXNode &n) {
  Value x = n.input(0);
  int64_t rank = Emitter::rankOf(x);
  SmallVector<int64_t> reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  SmallVector<int64_t> perm = n.intsAttr("perm", reversed);
  if (failed(n.check()))
    return failure();
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (int64_t(perm.size()) != rank ||
      llvm::any_of(llvm::enumerate(sorted), [](auto p) { return int64_t(p.index()) != p.value(); }))
    return n.error() << "perm " << llvm::interleaved_array(perm)
                     << " is not a permutation of the " << rank << " axes";
  return n.bind(n.emit().permute(x, perm));
}

/// Concat of compile-time 1-D integer tensors (shapes) on the host.
LogicalResult concat(ONNXNode &n) {
  SmallVector<Value> xs;
  bool allConstant = n.numInputs() > 0;
  for (size_t i = 0; i < n.numInputs(); ++i)
    allConstant &= smallIntConstant(n, i) != nullptr;
  int64_t axisAttr = n.intAttr("axis", 0);
  if (allConstant && n.constantOrNull(0)->shape.size() == 1) {
    std::vector<int64_t> all;
    for (size_t i = 0; i < n.numInputs(); ++i) {
      std::vector<int64_t> v = n.constantOrNull(i)->asInts();
      all.insert(all.end(), v.begin(), v.end());
    }
    return n.bindConstant(0, TensorData::fromInts(n.constantOrNull(0)->elementType,
                                                  {int64_t(all.size())}, all));
  }
  xs = n.allInputs();
  if (failed(n.check()))
    return failure();
  if (xs.empty())
    return n.error() << "needs at least one input";
  int64_t axis = n.axis(axisAttr, Emitter::rankOf(xs.front()));
  if (failed(n.check()))
    return failure();
  for (Value x : xs)
    if (Emitter::rankOf(x) != Emitter::rankOf(xs.front()))
      return n.error() << "inputs of ranks " << Emitter::rankOf(xs.front()) << " and "
                       << Emitter::rankOf(x) << " cannot be concatenated";
  return n.bind(n.emit().concat(xs, axis));
}

/// Slice bounds of one axis after ONNX's clamping; a negative step walks
/// [start, end) backwards.
struct AxisSlice {
  int64_t start, end, step;
};

AxisSlice clampSlice(int64_t start, int64_t end, int64_t step, int64_t extent) {
  if (start < 0)
    start += extent;
  if (end < 0)
    end += extent;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, extent);
    end = std::clamp<int64_t>(end, 0, extent);
  } else {
    start = std::clamp<int64_t>(start, 0, extent - 1);
    end = std::clamp<int64_t>(end, -1, extent - 1);
  }
  return {start, end, step};
}

LogicalResult slice(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> starts = n.optionalInts(1, "starts");
  std::optional<SmallVector<int64_t>> ends = n.optionalInts(2, "ends");
  std::optional<SmallVector<int64_t>> axesIn = n.optionalInts(3, "axes");
  std::optional<SmallVector<int64_t>> steps = n.optionalInts(4, "steps");
  if (failed(n.check()))
    return failure();
  if (!starts || !ends)
    return n.error() << "inputs 'starts' and 'ends' are required";
  int64_t rank = Emitter::rankOf(x);
  SmallVector<int64_t> axes;
  if (axesIn)
    axes = n.axes(*axesIn, rank);
  else
    for (int64_t d = 0; d < int64_t(starts->size()); ++d)
      axes.push_back(d);
  if (failed(n.check()))
    return failure();
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      (steps && steps->size() != starts->size()))
    return n.error() << "starts, ends, axes and steps must have one entry per sliced axis";
  Emitter &e = n.emit();
  const TensorData *c = smallIntConstant(n, 0);
  std::vector<int64_t> folded = c && c->shape.size() == 1 ? c->asInts() : std::vector<int64_t>{};
  for (auto [i, axis] : llvm::enumerate(axes)) {
    int64_t step = steps ? (*steps)[i] : 1;
    if (step == 0)
      return n.error() << "step 0 on axis " << axis;
    int64_t extent = Emitter::shapeOf(x)[size_t(axis)];
    if (extent == ShapedType::kDynamic) {
      int64_t start = (*starts)[i], end = (*ends)[i];
      if (step < 0 || start < 0 || (end < 0 && end != std::numeric_limits<int64_t>::min()))
        return n.error() << "slicing the dynamic axis " << axis
                         << " needs a non-negative start and end and a positive step";
      x = e.slice(x, axis, start, end < 0 ? 0 : end, step);
      continue;
    }
    AxisSlice s = clampSlice((*starts)[i], (*ends)[i], step, extent);
    if (c && c->shape.size() == 1) { // shape arithmetic on the host
      std::vector<int64_t> picked;
      for (int64_t k = s.start; step > 0 ? k < s.end : k > s.end; k += step)
        picked.push_back(folded[size_t(k)]);
      folded = picked;
      continue;
    }
    if (step > 0) {
      x = e.slice(x, axis, s.start, std::max(s.start, s.end), step);
    } else { // walk the reversed axis forwards
      x = e.reverse(x, {axis});
      int64_t start = extent - 1 - s.start, end = extent - 1 - s.end;
      x = e.slice(x, axis, start, std::max(start, end), -step);
    }
  }
  if (c && c->shape.size() == 1)
    return n.bindConstant(0, TensorData::fromInts(c->elementType, {int64_t(folded.size())}, folded));
  return n.bind(x);
}

LogicalResult expand(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> shape = n.optionalInts(1, "shape");
  if (failed(n.check()))
    return failure();
  if (!shape)
    return n.error() << "input 1 ('shape') is required";
  Emitter &e = n.emit();
  importer::Sizes target;
  for (int64_t s : *shape) {
    if (s < 0 || s > (int64_t(1) << 40))
      return n.error() << "shape entry " << s << " is out of range";
    target.push_back(e.index(s));
  }
  auto in = Emitter::shapeOf(x);
  for (size_t i = 0; i < std::min(in.size(), shape->size()); ++i) {
    int64_t a = in[in.size() - 1 - i], b = (*shape)[shape->size() - 1 - i];
    if (a != 1 && b != 1 && a != b && !ShapedType::isDynamic(a))
      return n.error() << "cannot expand " << x.getType() << " to "
                       << llvm::interleaved_array(*shape);
  }
  return n.bind(e.broadcastTo(x, e.broadcastSizes(e.dims(x), target)));
}

LogicalResult tile(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> repeats = n.optionalInts(1, "repeats");
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (!repeats || int64_t(repeats->size()) != rank)
    return n.error() << "repeats must have one entry per axis (" << rank << ")";
  // [d0, d1] -> broadcast to [r0, d0, r1, d1] -> reshape to [r0*d0, r1*d1].
  Emitter &e = n.emit();
  importer::Sizes wide, out;
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d) {
    if ((*repeats)[size_t(d)] < 0)
      return n.error() << "repeats must be non-negative";
    wide.push_back(e.index((*repeats)[size_t(d)]));
    wide.push_back(e.dim(x, d));
    dims.push_back(2 * d + 1);
    out.push_back(e.mul(e.index((*repeats)[size_t(d)]), e.dim(x, d)));
  }
  return n.bind(e.reshape(e.broadcastInDim(x, wide, dims), out));
}

LogicalResult split(ONNXNode &n) {
  Value x = n.input(0);
  int64_t axis = n.axis(n.intAttr("axis", 0), Emitter::rankOf(x));
  std::optional<SmallVector<int64_t>> sizes = n.intsOperand(1, "split");
  int64_t parts = n.intAttr("num_outputs", int64_t(n.numOutputs()));
  if (failed(n.check()))
    return failure();
  int64_t extent = Emitter::shapeOf(x)[size_t(axis)];
  if (extent == ShapedType::kDynamic)
    return n.error() << "cannot split the dynamic axis " << axis;
  if (!sizes) {
    if (parts <= 0)
      return n.error() << "needs a positive number of outputs";
    int64_t chunk = (extent + parts - 1) / parts;
    sizes.emplace();
    for (int64_t start = 0; start < extent || int64_t(sizes->size()) < parts; start += chunk)
      sizes->push_back(std::max<int64_t>(0, std::min(chunk, extent - start)));
  }
  if (std::accumulate(sizes->begin(), sizes->end(), int64_t(0)) != extent ||
      sizes->size() != n.numOutputs() || llvm::any_of(*sizes, [](int64_t s) { return s < 0; }))
    return n.error() << "split sizes " << llvm::interleaved_array(*sizes)
                     << " do not divide axis " << axis << " of extent " << extent << " into "
                     << n.numOutputs() << " outputs";
  // A 1-D shape split into its dims (exported functions' N, C, H, W) stays a constant.
  const TensorData *data = smallIntConstant(n, 0);
  if (data && data->shape.size() == 1) {
    std::vector<int64_t> values = data->asInts();
    int64_t begin = 0;
    for (auto [i, s] : llvm::enumerate(*sizes)) {
      ArrayRef<int64_t> part = ArrayRef<int64_t>(values).slice(size_t(begin), size_t(s));
      if (failed(n.bindConstant(i, TensorData::fromInts(data->elementType, {s}, part))))
        return failure();
      begin += s;
    }
    return success();
  }
  int64_t start = 0;
  for (auto [i, s] : llvm::enumerate(*sizes)) {
    if (failed(n.bind(i, n.emit().slice(x, axis, start, start + s))))
      return failure();
    start += s;
  }
  return success();
}

LogicalResult pad(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> pads = n.optionalInts(1, "pads");
  std::optional<Value> value = n.optionalInput(2);
  std::optional<SmallVector<int64_t>> axesIn = n.optionalInts(3, "axes");
  std::string mode = n.stringAttr("mode", "constant");
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  SmallVector<int64_t> axes;
  if (axesIn)
    axes = n.axes(*axesIn, rank);
  else
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  if (failed(n.check()))
    return failure();
  if (!pads || pads->size() != 2 * axes.size())
    return n.error() << "pads must have two entries per padded axis";
  SmallVector<int64_t> low(size_t(rank), 0), high(size_t(rank), 0);
  for (auto [i, a] : llvm::enumerate(axes)) {
    low[size_t(a)] = (*pads)[i];
    high[size_t(a)] = (*pads)[i + axes.size()];
  }
  Emitter &e = n.emit();
  if (mode == "constant") {
    Value v = value ? e.reshape(*value, ArrayRef<int64_t>{})
                    : e.scalar(Emitter::elementTypeOf(x), 0.0);
    return n.bind(e.pad(x, e.convert(v, Emitter::elementTypeOf(x)), low, high));
  }
  if (mode != "edge" && mode != "reflect")
    return n.error() << "mode '" << mode << "' is not supported (constant, edge, reflect are)";
  // edge / reflect: concatenate the mirrored or repeated border slices.
  for (int64_t d = 0; d < rank; ++d) {
    int64_t extent = Emitter::shapeOf(x)[size_t(d)];
    int64_t lo = low[size_t(d)], hi = high[size_t(d)];
    if (lo == 0 && hi == 0)
      continue;
    if (extent == ShapedType::kDynamic || lo < 0 || hi < 0 ||
        (mode == "reflect" && (lo >= extent || hi >= extent)))
      return n.error() << mode << " padding of " << lo << ", " << hi << " on axis " << d
                       << " of extent " << extent << " is not supported";
    SmallVector<Value> pieces;
    for (int64_t k = lo; k >= 1; --k)
      pieces.push_back(mode == "edge" ? e.slice(x, d, 0, 1) : e.slice(x, d, k, k + 1));
    pieces.push_back(x);
    for (int64_t k = 1; k <= hi; ++k)
      pieces.push_back(mode == "edge" ? e.slice(x, d, extent - 1, extent)
                                      : e.slice(x, d, extent - 1 - k, extent - k));
    x = e.concat(pieces, d);
  }
  return n.bind(x);
}

LogicalResult shape(ONNXNode &n) {
  Value x = n.input(0);
  int64_t rank = Emitter::rankOf(x);
  int64_t start = n.intAttr("start", 0), end = n.intAttr("end", rank);
  if (failed(n.check()))
    return failure();
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  Emitter &e = n.emit();
  std::vector<int64_t> dims;
  SmallVector<Value> pieces;
  bool isStatic = true;
  for (int64_t d = start; d < end; ++d) {
    int64_t extent = Emitter::shapeOf(x)[size_t(d)];
    isStatic &= extent != ShapedType::kDynamic;
    dims.push_back(extent);
    pieces.push_back(e.reshape(e.indexToTensor(e.dim(x, d), e.i64()), ArrayRef<int64_t>{1}));
  }
  if (isStatic)
    return n.bindConstant(0, TensorData::fromInts(e.i64(), {int64_t(dims.size())}, dims));
  return n.bind(e.concat(pieces, 0));
}

LogicalResult size(ONNXNode &n) {
  Value x = n.input(0);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  OpFoldResult count = e.product(e.dims(x));
  if (std::optional<int64_t> c = getConstantIntValue(count))
    return n.bindConstant(0, TensorData::fromInts(e.i64(), {}, {*c}));
  return n.bind(e.indexToTensor(count, e.i64()));
}

LogicalResult constant(ONNXNode &n) {
  // Exactly one of the value attributes.
  if (std::optional<TensorData> t = n.tensorAttr("value"))
    return n.bindConstant(0, std::move(*t));
  MLIRContext *ctx = n.context();
  Type i64 = IntegerType::get(ctx, 64);
  if (n.hasAttr("value_int"))
    return n.bindConstant(0, TensorData::fromInts(i64, {}, {n.intAttr("value_int", 0)}));
  if (n.hasAttr("value_ints")) {
    SmallVector<int64_t> v = n.intsAttr("value_ints");
    return n.bindConstant(0, TensorData::fromInts(i64, {int64_t(v.size())}, v));
  }
  auto floats = [&](ArrayRef<double> values, std::vector<int64_t> shape) {
    TensorData t;
    t.elementType = Float32Type::get(ctx);
    t.shape = std::move(shape);
    for (double v : values) {
      float f = float(v);
      const uint8_t *b = reinterpret_cast<const uint8_t *>(&f);
      t.bytes.insert(t.bytes.end(), b, b + 4);
    }
    return t;
  };
  if (n.hasAttr("value_float"))
    return n.bindConstant(0, floats({n.floatAttr("value_float", 0)}, {}));
  if (n.hasAttr("value_floats")) {
    SmallVector<double> v = n.floatsAttr("value_floats");
    return n.bindConstant(0, floats(v, {int64_t(v.size())}));
  }
  if (failed(n.check()))
    return failure();
  return n.error() << "has no value attribute that thunderc reads (value, value_int(s), "
                      "value_float(s))";
}

LogicalResult constantOfShape(ONNXNode &n) {
  std::optional<SmallVector<int64_t>> shape = n.optionalInts(0, "input");
  std::optional<TensorData> value = n.tensorAttr("value");
  if (failed(n.check()))
    return failure();
  if (!shape)
    return n.error() << "input 0 ('input') is required";
  Emitter &e = n.emit();
  TypedAttr fill = value ? cast<TypedAttr>(*value->toAttr().value_begin<Attribute>())
                         : e.scalarAttr(e.f32(), 0.0);
  if (value && value->numElements() != 1)
    return n.error() << "attribute 'value' must hold one element";
  importer::Sizes sizes;
  int64_t count = 1;
  for (int64_t s : *shape) {
    if (s < 0 || s > (int64_t(1) << 40))
      return n.error() << "size " << s << " is out of range";
    sizes.push_back(e.index(s));
    count = std::min(count * std::max<int64_t>(s, 1), kMaxFoldElements + 1) * (s != 0);
  }
  if (count <= kMaxFoldElements) { // small: a compile-time value (often a shape)
    TensorData data = value ? *value : TensorData::fromInts(e.f32(), {}, {0});
    std::vector<uint8_t> one = data.bytes;
    data.shape.assign(shape->begin(), shape->end());
    data.bytes.clear();
    for (int64_t i = 0; i < count; ++i)
      data.bytes.insert(data.bytes.end(), one.begin(), one.end());
    return n.bindConstant(0, std::move(data));
  }
  return n.bind(e.full(sizes, fill));
}

/// Range of compile-time scalars, computed on the host.
LogicalResult range(ONNXNode &n) {
  const TensorData *start = n.constantInput(0, "start");
  const TensorData *limit = n.constantInput(1, "limit");
  const TensorData *delta = n.constantInput(2, "delta");
  if (failed(n.check()))
    return failure();
  double s = start->asDoubles().at(0), l = limit->asDoubles().at(0), d = delta->asDoubles().at(0);
  if (d == 0)
    return n.error() << "delta is 0";
  double count = std::max(std::ceil((l - s) / d), 0.0);
  if (!(count <= double(kMaxFoldElements) * 256))
    return n.error() << "the range has too many elements (" << count << ")";
  Emitter &e = n.emit();
  int64_t len = int64_t(count);
  Type t = start->elementType;
  // start + i * delta, in the start's type.
  Value i = e.iota({e.index(len)}, isa<FloatType>(t) ? t : e.i64(), 0);
  Value r = e.addScalar(e.mulScalar(i, d), s);
  if (!isa<FloatType>(t)) {
    std::vector<int64_t> values;
    for (int64_t k = 0; k < len; ++k)
      values.push_back(int64_t(s) + k * int64_t(d));
    return n.bindConstant(0, TensorData::fromInts(t, {len}, values));
  }
  return n.bind(r);
}

/// Inference: the identity (and an all-true mask).
LogicalResult dropout(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<double> training = n.optionalScalar(2, "training_mode");
  if (failed(n.check()))
    return failure();
  if (training && *training != 0)
    return n.error() << "training_mode = true is not supported (compile the model for inference)";
  if (failed(n.bind(0, x)))
    return failure();
  Emitter &e = n.emit();
  return n.bind(1, e.splat(1.0, e.i1(), e.dims(x)));
}

/// DepthToSpace (DCR / CRD) and SpaceToDepth: a reshape, a permutation and a
/// reshape.
LogicalResult depthToSpace(ONNXNode &n) {
  Value x = n.input(0);
  int64_t b = n.intAttr("blocksize", 0);
  std::string mode = n.stringAttr("mode", "DCR");
  if (failed(n.check()))
    return failure();
  auto s = Emitter::shapeOf(x);
  if (s.size() != 4 || !Emitter::typeOf(x).hasStaticShape() || b <= 0 || s[1] % (b * b))
    return n.error() << "needs a static 4-D input whose channels divide by blocksize^2";
  Emitter &e = n.emit();
  int64_t c = s[1] / (b * b);
  Value y = mode == "DCR" ? e.reshape(x, ArrayRef<int64_t>{s[0], b, b, c, s[2], s[3]})
                          : e.reshape(x, ArrayRef<int64_t>{s[0], c, b, b, s[2], s[3]});
  y = mode == "DCR" ? e.permute(y, {0, 3, 4, 1, 5, 2}) : e.permute(y, {0, 1, 4, 2, 5, 3});
  return n.bind(e.reshape(y, ArrayRef<int64_t>{s[0], c, s[2] * b, s[3] * b}));
}

LogicalResult spaceToDepth(ONNXNode &n) {
  Value x = n.input(0);
  int64_t b = n.intAttr("blocksize", 0);
  if (failed(n.check()))
    return failure();
  auto s = Emitter::shapeOf(x);
  if (s.size() != 4 || !Emitter::typeOf(x).hasStaticShape() || b <= 0 || s[2] % b || s[3] % b)
    return n.error() << "needs a static 4-D input whose height and width divide by blocksize";
  Emitter &e = n.emit();
  Value y = e.reshape(x, ArrayRef<int64_t>{s[0], s[1], s[2] / b, b, s[3] / b, b});
  y = e.permute(y, {0, 3, 5, 1, 2, 4});
  return n.bind(e.reshape(y, ArrayRef<int64_t>{s[0], s[1] * b * b, s[2] / b, s[3] / b}));
}

/// CenterCropPad: each listed axis cropped or zero-padded to its target extent
/// around the center (the extra element goes to the end).
LogicalResult centerCropPad(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<SmallVector<int64_t>> shape = n.optionalInts(1, "shape");
  SmallVector<int64_t> axesAttr = n.intsAttr("axes");
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  SmallVector<int64_t> axes;
  if (axesAttr.empty())
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  else
    axes = n.axes(axesAttr, rank);
  if (failed(n.check()))
    return failure();
  if (!shape || shape->size() != axes.size())
    return n.error() << "shape must have one entry per axis";
  Emitter &e = n.emit();
  for (auto [i, d] : llvm::enumerate(axes)) {
    int64_t in = Emitter::shapeOf(x)[size_t(d)], target = (*shape)[i];
    if (ShapedType::isDynamic(in) || target < 0 || target > (int64_t(1) << 40))
      return n.error() << "axis " << d << " needs a static extent and a target in range";
    if (target < in) {
      int64_t start = (in - target) / 2;
      x = e.slice(x, d, start, start + target);
    } else if (target > in) {
      SmallVector<int64_t> low(size_t(rank), 0), high(size_t(rank), 0);
      low[size_t(d)] = (target - in) / 2;
      high[size_t(d)] = target - in - low[size_t(d)];
      x = e.pad(x, e.scalar(Emitter::elementTypeOf(x), 0.0), low, high);
    }
  }
  return n.bind(x);
}

} // namespace

void registerShapeOps(ONNXOpTable &t) {
  static const std::pair<const char *, ConvertFn> kOps[] = {
      {"Reshape", reshape},       {"Flatten", flatten},
      {"Squeeze", squeeze},       {"Unsqueeze", unsqueeze},
      {"Transpose", transpose},   {"Concat", concat},
      {"Slice", slice},           {"Expand", expand},
      {"Tile", tile},             {"Split", split},
      {"Pad", pad},               {"Shape", shape},
      {"Size", size},             {"Constant", constant},
      {"ConstantOfShape", constantOfShape}, {"Range", range},
      {"Dropout", dropout},       {"DepthToSpace", depthToSpace},
      {"SpaceToDepth", spaceToDepth},
      {"CenterCropPad", centerCropPad},
  };
  for (const auto &[name, fn] : kOps)
    t.add(name, fn);
  t.add("Pad", pad, 11);     // pads was an attribute before
  t.add("Slice", slice, 10); // starts/ends were attributes before
  t.add("Range", range, 11);
  t.add("Dropout", dropout, 12);
  t.add("ConstantOfShape", constantOfShape, 9);
}

} // namespace thunder::onnximport
