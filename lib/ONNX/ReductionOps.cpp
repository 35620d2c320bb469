//===- ReductionOps.cpp - ONNX reductions, arg-reductions, softmax, scans -===//
//
// Reduce* take their axes from an input (ReduceSum since opset 13, the others
// since 18) or, before that, from the `axes` attribute; empty axes reduce
// everything unless noop_with_empty_axes. keepdims defaults to 1.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "ONNXOpTable.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

/// The reduced axes, or nullopt when the node is the identity
/// (noop_with_empty_axes with no axes).
std::optional<SmallVector<int64_t>> reducedAxes(ONNXNode &n, Value x) {
  int64_t rank = Emitter::rankOf(x);
  SmallVector<int64_t> axes = n.intsOperand(1, "axes").value_or(SmallVector<int64_t>{});
  if (axes.empty()) {
    if (n.intAttr("noop_with_empty_axes", 0))
      return std::nullopt;
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
    return axes;
  }
  return n.axes(axes, rank);
}

using ReduceFn = Value (*)(Emitter &, Value, ArrayRef<int64_t>, bool);

template <ReduceFn Fn>
LogicalResult reduce(ONNXNode &n) {
  Value x = n.input(0);
  bool keep = n.intAttr("keepdims", 1);
  if (failed(n.check()))
    return failure();
  std::optional<SmallVector<int64_t>> axes = reducedAxes(n, x);
  if (failed(n.check()))
    return failure();
  if (!axes)
    return n.bind(x);
  return n.bind(Fn(n.emit(), x, *axes, keep));
}

template <typename OpTy>
Value plain(Emitter &e, Value x, ArrayRef<int64_t> axes, bool keep) {
  return e.reduce<OpTy>(x, axes, keep);
}
Value mean(Emitter &e, Value x, ArrayRef<int64_t> axes, bool keep) {
  return e.mean(x, axes, keep);
}
Value l1(Emitter &e, Value x, ArrayRef<int64_t> axes, bool keep) {
  return e.sum(e.unary<AbsOp>(x), axes, keep);
}
Value sumSquare(Emitter &e, Value x, ArrayRef<int64_t> axes, bool keep) {
  return e.sum(e.mul(x, x), axes, keep);
}
Value l2(Emitter &e, Value x, ArrayRef<int64_t> axes, bool keep) {
  Type t = Emitter::elementTypeOf(x);
  Value f = importer::isFloat(t) ? x : e.convert(x, e.f32());
  return e.convert(e.unary<SqrtOp>(sumSquare(e, f, axes, keep)), t);
}
Value logSum(Emitter &e, Value x, ArrayRef<int64_t> axes, bool keep) {
  return e.unary<LogOp>(e.sum(x, axes, keep));
}
Value logSumExp(Emitter &e, Value x, ArrayRef<int64_t> axes, bool keep) {
  return e.logsumexp(x, axes, keep);
}

/// ArgMax / ArgMin; select_last_index flips the axis first.
template <typename OpTy>
LogicalResult argReduce(ONNXNode &n) {
  Value x = n.input(0);
  int64_t rank = Emitter::rankOf(x);
  int64_t axis = n.axis(n.intAttr("axis", 0), rank);
  bool keep = n.intAttr("keepdims", 1), last = n.intAttr("select_last_index", 0);
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  if (last)
    x = e.reverse(x, {axis});
  SmallVector<int64_t> shape(Emitter::shapeOf(x));
  if (rank > 0) {
    if (keep)
      shape[size_t(axis)] = 1;
    else
      shape.erase(shape.begin() + axis);
  }
  Value r = OpTy::create(e.b, e.loc, RankedTensorType::get(shape, e.i64()), x, uint64_t(axis), keep)
                .getResult();
  if (last) { // index in the flipped axis -> extent - 1 - index
    Value extent = e.indexToTensor(e.dim(x, axis), e.i64());
    r = e.sub(e.addScalar(e.broadcastTo(extent, e.dims(r)), -1.0), r);
  }
  return n.bind(r);
}

template <bool Log>
LogicalResult softmax(ONNXNode &n) {
  Value x = n.input(0);
  int64_t axis = n.axis(n.intAttr("axis", -1), Emitter::rankOf(x));
  if (failed(n.check()))
    return failure();
  return n.bind(n.emit().softmax(x, axis, Log));
}

/// One-hot of the first maximum along the axis.
LogicalResult hardmax(ONNXNode &n) {
  Value x = n.input(0);
  int64_t axis = n.axis(n.intAttr("axis", -1), Emitter::rankOf(x));
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  SmallVector<int64_t> shape(Emitter::shapeOf(x));
  shape[size_t(axis)] = 1;
  Value idx = ArgMaxOp::create(e.b, e.loc, RankedTensorType::get(shape, e.i64()), x,
                               uint64_t(axis), true)
                  .getResult();
  Value pos = e.iota(e.dims(x), e.i64(), axis);
  Value hit = e.compare(CompareDirection::EQ, pos, idx);
  return n.bind(e.convert(hit, Emitter::elementTypeOf(x)));
}

/// CumSum / CumProd with exclusive (each element's scan of the ones before
/// it: the inclusive scan shifted by one, the identity first) and reverse.
template <typename OpTy, int Identity>
LogicalResult scan(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<double> axisIn = n.optionalScalar(1, "axis");
  bool exclusive = n.intAttr("exclusive", 0), reverse = n.intAttr("reverse", 0);
  if (failed(n.check()))
    return failure();
  int64_t axis = n.axis(int64_t(axisIn.value_or(0)), Emitter::rankOf(x));
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  if (reverse)
    x = e.reverse(x, {axis});
  Value r = OpTy::create(e.b, e.loc, x, uint64_t(axis)).getResult();
  if (exclusive) {
    SmallVector<int64_t> low(size_t(Emitter::rankOf(x)), 0), high(low);
    low[size_t(axis)] = 1;
    high[size_t(axis)] = -1;
    r = e.pad(r, e.scalar(Emitter::elementTypeOf(x), Identity), low, high);
  }
  if (reverse)
    r = e.reverse(r, {axis});
  return n.bind(r);
}

/// TopK: a stable sort along the axis (ties keep the lower index first), the
/// first K values and indices.
LogicalResult topK(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<double> k = n.optionalScalar(1, "K");
  int64_t axis = n.axis(n.intAttr("axis", -1), Emitter::rankOf(x));
  bool largest = n.intAttr("largest", 1);
  if (failed(n.check()))
    return failure();
  int64_t extent = Emitter::shapeOf(x)[size_t(axis)];
  if (!k || *k < 0 || (extent != ShapedType::kDynamic && *k > double(extent)))
    return n.error() << "K must be a compile-time value in 0..the axis extent";
  Emitter &e = n.emit();
  auto sort = SortOp::create(e.b, e.loc, x.getType(),
                             cast<RankedTensorType>(x.getType()).clone(e.i64()), x,
                             uint64_t(axis), largest);
  if (failed(n.bind(0, e.slice(sort.getValues(), axis, 0, int64_t(*k)))))
    return failure();
  return n.bind(1, e.slice(sort.getIndices(), axis, 0, int64_t(*k)));
}

} // namespace

void registerReductionOps(ONNXOpTable &t) {
  static const std::pair<const char *, ConvertFn> kOps[] = {
      {"ReduceSum", reduce<plain<ReduceSumOp>>},
      {"ReduceProd", reduce<plain<ReduceProdOp>>},
      {"ReduceMax", reduce<plain<ReduceMaxOp>>},
      {"ReduceMin", reduce<plain<ReduceMinOp>>},
      {"ReduceMean", reduce<mean>},
      {"ReduceL1", reduce<l1>},
      {"ReduceL2", reduce<l2>},
      {"ReduceSumSquare", reduce<sumSquare>},
      {"ReduceLogSum", reduce<logSum>},
      {"ReduceLogSumExp", reduce<logSumExp>},
      {"ArgMax", argReduce<ArgMaxOp>},
      {"ArgMin", argReduce<ArgMinOp>},
      {"Softmax", softmax<false>},
      {"LogSoftmax", softmax<true>},
      {"Hardmax", hardmax},
      {"CumSum", scan<CumSumOp, 0>},
      {"CumProd", scan<CumProdOp, 1>},
      {"TopK", topK},
  };
  for (const auto &[name, fn] : kOps)
    t.add(name, fn);
  // Before opset 13 these coerced the input to 2-D around `axis`.
  t.add("Softmax", softmax<false>, 13);
  t.add("LogSoftmax", softmax<true>, 13);
  t.add("Hardmax", hardmax, 13);
}

} // namespace thunder::onnximport
