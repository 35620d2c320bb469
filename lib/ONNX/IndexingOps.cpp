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

} // namespace

void registerIndexingOps(ONNXOpTable &t) {
  static const std::pair<const char *, ConvertFn> kOps[] = {
      {"Gather", gather},
      {"GatherElements", gatherElements},
      {"ScatterElements", scatterElements},
      {"Trilu", trilu},
  };
  for (const auto &[name, fn] : kOps)
    t.add(name, fn);
}

} // namespace thunder::onnximport
