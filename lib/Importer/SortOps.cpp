//===- SortOps.cpp - sort, argsort, topk, median --------------------------===//
//
// `thunder.sort` (stable, values and indices) is the primitive: topk is a sort
// followed by a slice of the first k, median the middle entry of a sort
// (the lower one for an even count, as PyTorch).
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

using namespace mlir;

namespace thunder::importer {
namespace {

std::pair<Value, Value> sortAlong(Emitter &e, Value x, int64_t dim, bool descending) {
  auto type = Emitter::typeOf(x);
  auto idxType = type.clone(e.i64());
  auto op = SortOp::create(e.b, e.loc, type, idxType, x, uint64_t(dim), descending);
  return {op.getValues(), op.getIndices()};
}

/// sort (values, indices) and argsort (indices only).
LogicalResult convertSortFamily(NodeContext &ctx, bool indicesOnly) {
  FailureOr<NodeContext::TensorAlongDim> a = ctx.selfAlongDim(-1);
  bool descending = ctx.optionalBoolean("descending").value_or(false);
  if (failed(a) || failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  if (Emitter::rankOf(a->x) == 0)
    return indicesOnly ? ctx.bind(e.scalarInt(e.i64(), 0)) : ctx.bindScalarSelection(a->x);
  auto [values, indices] = sortAlong(e, a->x, a->dim, descending);
  return indicesOnly ? ctx.bind(indices) : ctx.bindValuesIndices(values, indices);
}

LogicalResult convertTopk(NodeContext &ctx) {
  FailureOr<NodeContext::TensorAlongDim> a = ctx.selfAlongDim(-1);
  int64_t k = ctx.integer("k");
  bool largest = ctx.optionalBoolean("largest").value_or(true);
  if (failed(a) || failed(ctx.check()))
    return failure();
  Value x = a->x;
  int64_t d = a->dim;
  Emitter &e = ctx.emit();
  if (Emitter::rankOf(x) == 0) {
    return ctx.bindScalarSelection(x);
  }
  auto [values, indices] = sortAlong(e, x, d, largest);
  return ctx.bindValuesIndices(e.slice(values, d, 0, k), e.slice(indices, d, 0, k));
}

/// median.dim (values, indices) and median.default (over all elements).
LogicalResult convertMedian(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  std::optional<int64_t> dim = ctx.optionalInteger("dim");
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  FailureOr<int64_t> checked = ctx.dim(dim.value_or(0), rank);
  if (failed(checked))
    return failure();
  int64_t d = 0;
  if (!dim) {
    x = e.flatten(x, 0, std::max<int64_t>(rank - 1, 0));
    keepdim = false;
  } else if (rank == 0) {
    return ctx.bindScalarSelection(x);
  } else {
    d = *checked;
  }
  int64_t n = Emitter::shapeOf(x)[d];
  if (ShapedType::isDynamic(n))
    return ctx.error() << "median along a dynamic dim is not supported";
  auto [values, indices] = sortAlong(e, x, d, false);
  int64_t mid = (n - 1) / 2;
  auto pick = [&](Value v) {
    Value s = e.slice(v, d, mid, mid + 1);
    return keepdim ? s : e.squeeze(s, d);
  };
  return ctx.bindValuesIndices(pick(values), pick(indices));
}

/// kthvalue: the k-th smallest along dim (values, indices).
LogicalResult convertKthvalue(NodeContext &ctx) {
  FailureOr<NodeContext::TensorAlongDim> a = ctx.selfAlongDim(-1);
  int64_t k = ctx.integer("k");
  bool keepdim = ctx.optionalBoolean("keepdim").value_or(false);
  if (failed(a) || failed(ctx.check()))
    return failure();
  Value x = a->x;
  int64_t d = a->dim;
  Emitter &e = ctx.emit();
  if (Emitter::rankOf(x) == 0) {
    return ctx.bindScalarSelection(x);
  }
  auto [values, indices] = sortAlong(e, x, d, false);
  auto pick = [&](Value v) {
    Value s = e.slice(v, d, k - 1, k);
    return keepdim ? s : e.squeeze(s, d);
  };
  return ctx.bindValuesIndices(pick(values), pick(indices));
}

} // namespace

/// searchsorted / bucketize: for each value, how many boundaries lie below it
/// (strictly below for the left side, at or below for the right side), which
/// is the insertion index into the sorted boundaries. searchsorted's
/// sequence may be batched ([..., M] against values [..., N]); bucketize's
/// boundaries are 1-D against values of any shape.
LogicalResult convertSearchsorted(NodeContext &ctx) {
  bool bucketize = ctx.target().starts_with("aten.bucketize");
  Value seq = ctx.tensor(bucketize ? "boundaries" : "sorted_sequence");
  Value values = ctx.tensor(bucketize ? "self" : "self");
  bool right = ctx.optionalBoolean("right").value_or(false);
  std::optional<std::string> side = bucketize ? std::nullopt : ctx.optionalString("side");
  bool sorter = !bucketize && !ctx.isNone("sorter");
  if (failed(ctx.check()))
    return failure();
  if (sorter)
    return ctx.error() << "searchsorted with a sorter is not supported (sort the sequence first)";
  if (side)
    right = *side == "right";
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(values);
  bool batched = !bucketize && Emitter::rankOf(seq) > 1;
  if (batched && Emitter::rankOf(seq) != rank)
    return ctx.error() << "searchsorted: the sequence and the values must have the same rank";
  if (rank == 0)
    values = e.unsqueeze(values, 0);
  int64_t vr = Emitter::rankOf(values);
  // [..., N, M]: every value against every boundary of its row.
  Sizes grid = e.dims(values);
  grid.push_back(e.dim(seq, Emitter::rankOf(seq) - 1));
  Value v = e.broadcastTo(e.unsqueeze(values, vr), grid);
  Value b = batched ? e.broadcastTo(e.unsqueeze(seq, vr - 1), grid) : e.broadcastTo(seq, grid);
  Value below = e.compare(right ? CompareDirection::LE : CompareDirection::LT, b, v);
  Value index = e.sum(e.convert(below, e.i64()), {vr}, false);
  if (rank == 0)
    index = e.reshape(index, Sizes{});
  return ctx.bind(e.convert(index, ctx.resultElementType()));
}

void registerSortOps(OpTable &t) {
  t.add("aten.kthvalue.default", convertKthvalue);
  auto sort = [](NodeContext &ctx) { return convertSortFamily(ctx, false); };
  auto argsort = [](NodeContext &ctx) { return convertSortFamily(ctx, true); };
  t.add("aten.sort.default", sort);
  t.add("aten.sort.stable", sort);
  t.add("aten.argsort.default", argsort);
  t.add("aten.argsort.stable", argsort);
  t.add("aten.topk.default", convertTopk);
  t.add("aten.median.dim", convertMedian);
  t.add("aten.median.default", convertMedian);
  t.add("aten.searchsorted.Tensor", convertSearchsorted);
  t.add("aten.bucketize.Tensor", convertSearchsorted);
}

} // namespace thunder::importer
