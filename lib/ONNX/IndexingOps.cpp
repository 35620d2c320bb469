//===- IndexingOps.cpp - ONNX Gather, GatherElements, ScatterElements, Trilu ===//
//
// ONNX indices may be negative (counting from the end) and int32 or int64;
// they are made int64 and non-negative before the thunder gather/scatter ops.
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

/// int64 indices with negative ones wrapped around `extent` (an index value).
Value wrapIndices(Emitter &e, Value idx, OpFoldResult extent) {
  idx = e.convert(idx, e.i64());
  Value ext = e.broadcastTo(e.indexToTensor(extent, e.i64()), e.dims(idx));
  return e.select(e.compareScalar(CompareDirection::LT, idx, 0.0), e.add(idx, ext), idx);
}

LogicalResult gather(ONNXNode &n) {
  Value x = n.input(0), idx = n.input(1);
  int64_t axis = n.axis(n.intAttr("axis", 0), Emitter::rankOf(x));
  if (failed(n.check()))
    return failure();
  Emitter &e = n.emit();
  idx = wrapIndices(e, idx, e.dim(x, axis));
  SmallVector<int64_t> shape(Emitter::shapeOf(x).take_front(size_t(axis)));
  llvm::append_range(shape, Emitter::shapeOf(idx));
  llvm::append_range(shape, Emitter::shapeOf(x).drop_front(size_t(axis) + 1));
  auto type = RankedTensorType::get(shape, Emitter::elementTypeOf(x));
  return n.bind(IndexOp::create(e.b, e.loc, type, x, ValueRange{idx}, uint64_t(axis)).getResult());
}

LogicalResult gatherElements(ONNXNode &n) {
  Value x = n.input(0), idx = n.input(1);
  int64_t axis = n.axis(n.intAttr("axis", 0), Emitter::rankOf(x));
  if (failed(n.check()))
    return failure();
  if (Emitter::rankOf(idx) != Emitter::rankOf(x))
    return n.error() << "indices must have the data's rank";
  Emitter &e = n.emit();
  idx = wrapIndices(e, idx, e.dim(x, axis));
  auto type = RankedTensorType::get(Emitter::shapeOf(idx), Emitter::elementTypeOf(x));
  return n.bind(GatherOp::create(e.b, e.loc, type, x, idx, uint64_t(axis)).getResult());
}

LogicalResult scatterElements(ONNXNode &n) {
  Value x = n.input(0), idx = n.input(1), src = n.input(2);
  int64_t axis = n.axis(n.intAttr("axis", 0), Emitter::rankOf(x));
  std::string reduction = n.stringAttr("reduction", "none");
  if (failed(n.check()))
    return failure();
  if (reduction != "none" && reduction != "add")
    return n.error() << "reduction '" << reduction << "' is not supported (none, add are)";
  Emitter &e = n.emit();
  idx = wrapIndices(e, idx, e.dim(x, axis));
  return n.bind(ScatterOp::create(e.b, e.loc, x.getType(), x, idx, src, uint64_t(axis),
                                  reduction == "add")
                    .getResult());
}

/// The upper (col - row >= k) or lower (col - row <= k) triangle of the last
/// two axes.
LogicalResult trilu(ONNXNode &n) {
  Value x = n.input(0);
  std::optional<double> k = n.optionalScalar(1, "k");
  bool upper = n.intAttr("upper", 1);
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (rank < 2)
    return n.error() << "needs a tensor of rank >= 2";
  Emitter &e = n.emit();
  importer::Sizes dims = e.dims(x);
  Value row = e.iota(dims, e.i64(), rank - 2), col = e.iota(dims, e.i64(), rank - 1);
  Value diff = e.sub(col, row);
  Value keep = e.compareScalar(upper ? CompareDirection::GE : CompareDirection::LE, diff,
                               k.value_or(0));
  return n.bind(e.select(keep, x, e.splatLike(0.0, x)));
}

/// The K index tensors of GatherND / ScatterND: indices [..., K] split along
/// the last axis, each wrapped around its data axis.
SmallVector<Value> splitIndexTuples(Emitter &e, Value x, Value idx) {
  int64_t k = Emitter::shapeOf(idx).back(), r = Emitter::rankOf(idx);
  SmallVector<Value> out;
  for (int64_t j = 0; j < k; ++j)
    out.push_back(wrapIndices(e, e.squeeze(e.slice(idx, r - 1, j, j + 1), r - 1), e.dim(x, j)));
  return out;
}

LogicalResult gatherND(ONNXNode &n) {
  Value x = n.input(0), idx = n.input(1);
  int64_t batchDims = n.intAttr("batch_dims", 0);
  if (failed(n.check()))
    return failure();
  if (batchDims != 0)
    return n.error() << "batch_dims = " << batchDims << " is not supported (0 is)";
  int64_t k = Emitter::shapeOf(idx).empty() ? -1 : Emitter::shapeOf(idx).back();
  if (k < 1 || k > Emitter::rankOf(x))
    return n.error() << "the last axis of indices must be a static 1.." << Emitter::rankOf(x);
  Emitter &e = n.emit();
  SmallVector<Value> tuples = splitIndexTuples(e, x, idx);
  SmallVector<int64_t> shape(Emitter::shapeOf(idx).drop_back());
  llvm::append_range(shape, Emitter::shapeOf(x).drop_front(size_t(k)));
  auto type = RankedTensorType::get(shape, Emitter::elementTypeOf(x));
  return n.bind(IndexOp::create(e.b, e.loc, type, x, tuples, uint64_t(0)).getResult());
}

LogicalResult scatterND(ONNXNode &n) {
  Value x = n.input(0), idx = n.input(1), updates = n.input(2);
  std::string reduction = n.stringAttr("reduction", "none");
  if (failed(n.check()))
    return failure();
  if (reduction != "none" && reduction != "add")
    return n.error() << "reduction '" << reduction << "' is not supported (none, add are)";
  int64_t k = Emitter::shapeOf(idx).empty() ? -1 : Emitter::shapeOf(idx).back();
  if (k < 1 || k > Emitter::rankOf(x))
    return n.error() << "the last axis of indices must be a static 1.." << Emitter::rankOf(x);
  Emitter &e = n.emit();
  SmallVector<Value> tuples = splitIndexTuples(e, x, idx);
  return n.bind(IndexPutOp::create(e.b, e.loc, x.getType(), x, tuples,
                                   e.convert(updates, Emitter::elementTypeOf(x)), uint64_t(0),
                                   reduction == "add")
                    .getResult());
}

/// OneHot: `values[1]` where the position along `axis` equals the (wrapped)
/// index, `values[0]` elsewhere.
LogicalResult oneHot(ONNXNode &n) {
  Value idx = n.input(0), values = n.input(2);
  std::optional<double> depth = n.optionalScalar(1, "depth");
  int64_t axisAttr = n.intAttr("axis", -1);
  if (failed(n.check()))
    return failure();
  int64_t outRank = Emitter::rankOf(idx) + 1;
  int64_t axis = n.axis(axisAttr, outRank);
  if (failed(n.check()))
    return failure();
  if (!depth || *depth < 1 || *depth > double(1 << 24))
    return n.error() << "depth must be a compile-time value in 1..2^24";
  Emitter &e = n.emit();
  int64_t d = int64_t(*depth);
  Value wrapped = wrapIndices(e, idx, e.index(d));
  importer::Sizes sizes = e.dims(idx);
  sizes.insert(sizes.begin() + axis, e.index(d));
  Value pos = e.iota(sizes, e.i64(), axis);
  Value hit = e.compare(CompareDirection::EQ, pos, e.broadcastTo(e.unsqueeze(wrapped, axis), sizes));
  Value off = e.reshape(e.slice(values, 0, 0, 1), ArrayRef<int64_t>{});
  Value on = e.reshape(e.slice(values, 0, 1, 2), ArrayRef<int64_t>{});
  return n.bind(e.select(hit, e.broadcastTo(on, sizes), e.broadcastTo(off, sizes)));
}

/// EyeLike: ones on the k-th diagonal of a matrix shaped like the input.
LogicalResult eyeLike(ONNXNode &n) {
  Value x = n.input(0);
  int64_t k = n.intAttr("k", 0);
  std::optional<int64_t> dtype;
  if (n.hasAttr("dtype"))
    dtype = n.intAttr("dtype", 1);
  if (failed(n.check()))
    return failure();
  if (Emitter::rankOf(x) != 2)
    return n.error() << "needs a 2-D input";
  Type t = Emitter::elementTypeOf(x);
  if (dtype) {
    FailureOr<Type> dt = elementTypeFor(n.context(), int32_t(*dtype), n.emit().loc, "EyeLike: 'dtype'");
    if (failed(dt))
      return failure();
    t = *dt;
  }
  Emitter &e = n.emit();
  importer::Sizes dims = e.dims(x);
  Value diag = e.compareScalar(CompareDirection::EQ,
                               e.sub(e.iota(dims, e.i64(), 1), e.iota(dims, e.i64(), 0)), double(k));
  return n.bind(e.convert(diag, t));
}

/// ReverseSequence: along time_axis, the first sequence_lens[b] elements of
/// each batch entry b reversed, the rest kept (a gather of computed positions).
LogicalResult reverseSequence(ONNXNode &n) {
  Value x = n.input(0), lens = n.input(1);
  int64_t batchAxis = n.intAttr("batch_axis", 1), timeAxis = n.intAttr("time_axis", 0);
  if (failed(n.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (rank < 2 || batchAxis == timeAxis || (batchAxis != 0 && batchAxis != 1) ||
      (timeAxis != 0 && timeAxis != 1) || Emitter::rankOf(lens) != 1)
    return n.error() << "needs batch_axis and time_axis in {0, 1}, different, and 1-D lengths";
  Emitter &e = n.emit();
  importer::Sizes dims = e.dims(x);
  Value t = e.iota(dims, e.i64(), timeAxis);
  Value len = e.broadcastInDim(e.convert(lens, e.i64()), dims, {batchAxis});
  Value reversed = e.sub(e.addScalar(len, -1.0), t);
  Value idx = e.select(e.compare(CompareDirection::LT, t, len), reversed, t);
  return n.bind(GatherOp::create(e.b, e.loc, x.getType(), x, idx, uint64_t(timeAxis)).getResult());
}

} // namespace

void registerIndexingOps(ONNXOpTable &t) {
  static const std::pair<const char *, ConvertFn> kOps[] = {
      {"Gather", gather},
      {"GatherElements", gatherElements},
      {"ScatterElements", scatterElements},
      {"Trilu", trilu},
      {"GatherND", gatherND},
      {"ScatterND", scatterND},
      {"OneHot", oneHot},
      {"EyeLike", eyeLike},
      {"ReverseSequence", reverseSequence},
  };
  for (const auto &[name, fn] : kOps)
    t.add(name, fn);
  t.add("GatherElements", gatherElements, 11);
  t.add("ScatterElements", scatterElements, 11);
  t.add("Scatter", scatterElements, 9); // ScatterElements' older name
}

} // namespace thunder::onnximport
