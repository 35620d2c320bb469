//===- IndexingOps.cpp - gather, scatter, advanced indexing ---------------===//
//
// Advanced indexing (`x[i, :, j]`, index.Tensor) maps onto `thunder.index`,
// which indexes consecutive dims: index tensors are broadcast to one shape;
// when the indexed dims are not adjacent the operand is permuted to put them
// first, exactly as PyTorch places the broadcast dims first in that case.
// Boolean masks give data-dependent shapes and are refused.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <limits>

using namespace mlir;

namespace thunder::importer {
namespace {

/// Index tensors must be i32 or i64; narrower integers widen to i64.
FailureOr<Value> indexTensor(NodeContext &ctx, Value idx) {
  Type t = Emitter::elementTypeOf(idx);
  if (isBool(t))
    return ctx.error() << "indexing with a boolean mask gives a data-dependent "
                          "shape, which is not supported";
  if (isFloat(t))
    return ctx.error() << "index tensors must be integers, got " << t;
  if (t.isInteger(32) || t.isInteger(64))
    return idx;
  return ctx.emit().convert(idx, ctx.emit().i64());
}

/// The operand (permuted when needed), the broadcast index tensors and the
/// start dim of an advanced-indexing expression.
struct IndexPlan {
  Value operand;
  SmallVector<Value> indices;
  int64_t startDim = 0;
  SmallVector<int64_t> perm; // empty when not permuted
  RankedTensorType resultType;
};

FailureOr<IndexPlan> planIndex(NodeContext &ctx, Value x,
                               ArrayRef<std::optional<Value>> list) {
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  if (static_cast<int64_t>(list.size()) > rank)
    return ctx.error() << "too many indices (" << list.size()
                       << ") for a tensor of rank " << rank;
  SmallVector<int64_t> positions;
  SmallVector<Value> indices;
  for (auto [i, idx] : llvm::enumerate(list)) {
    if (!idx)
      continue;
    FailureOr<Value> v = indexTensor(ctx, *idx);
    if (failed(v))
      return failure();
    positions.push_back(i);
    indices.push_back(*v);
  }
  if (indices.empty())
    return ctx.error() << "indexing without any index tensor";
  // One index type and one shape.
  Type idxType = Emitter::elementTypeOf(indices.front());
  for (Value v : indices)
    if (Emitter::elementTypeOf(v) != idxType)
      idxType = e.i64();
  for (Value &v : indices)
    v = e.convert(v, idxType);
  Sizes shape = e.broadcastShape(indices);
  for (Value &v : indices)
    v = e.broadcastTo(v, shape);

  IndexPlan plan;
  bool adjacent = true;
  for (size_t i = 1; i < positions.size(); ++i)
    adjacent &= positions[i] == positions[i - 1] + 1;
  if (adjacent) {
    plan.operand = x;
    plan.startDim = positions.front();
  } else {
    SmallVector<int64_t> perm(positions);
    for (int64_t i = 0; i < rank; ++i)
      if (!llvm::is_contained(positions, i))
        perm.push_back(i);
    plan.operand = e.permute(x, perm);
    plan.perm = perm;
    plan.startDim = 0;
  }
  plan.indices = indices;
  auto opType = Emitter::typeOf(plan.operand);
  SmallVector<int64_t> out(opType.getShape().take_front(plan.startDim));
  llvm::append_range(out, Emitter::staticShape(shape));
  llvm::append_range(out,
                     opType.getShape().drop_front(plan.startDim + indices.size()));
  plan.resultType = RankedTensorType::get(out, opType.getElementType());
  return plan;
}

LogicalResult convertIndex(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<std::optional<Value>> list = ctx.optionalTensorList("indices");
  if (failed(ctx.check()))
    return failure();
  FailureOr<IndexPlan> plan = planIndex(ctx, x, list);
  if (failed(plan))
    return failure();
  Emitter &e = ctx.emit();
  return ctx.bind(IndexOp::create(e.b, e.loc, plan->resultType, plan->operand,
                                  plan->indices, uint64_t(plan->startDim))
                      .getResult());
}

LogicalResult convertIndexPut(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<std::optional<Value>> list = ctx.optionalTensorList("indices");
  Value values = ctx.tensor("values");
  bool accumulate = ctx.optionalBoolean("accumulate").value_or(false);
  if (failed(ctx.check()))
    return failure();
  FailureOr<IndexPlan> plan = planIndex(ctx, x, list);
  if (failed(plan))
    return failure();
  Emitter &e = ctx.emit();
  values = e.convert(values, Emitter::elementTypeOf(x));
  // Values broadcast to the shape that x[indices] has.
  Sizes target;
  Sizes opSizes = e.dims(plan->operand);
  Sizes idxSizes = e.dims(plan->indices.front());
  for (int64_t i = 0; i < plan->startDim; ++i)
    target.push_back(opSizes[i]);
  llvm::append_range(target, idxSizes);
  for (int64_t i = plan->startDim + plan->indices.size();
       i < static_cast<int64_t>(opSizes.size()); ++i)
    target.push_back(opSizes[i]);
  values = e.broadcastTo(values, target);
  Value r = IndexPutOp::create(e.b, e.loc, plan->operand.getType(), plan->operand,
                               plan->indices, values, uint64_t(plan->startDim),
                               accumulate);
  if (!plan->perm.empty()) {
    SmallVector<int64_t> inverse(plan->perm.size());
    for (auto [i, p] : llvm::enumerate(plan->perm))
      inverse[p] = i;
    r = e.permute(r, inverse);
  }
  return ctx.bind(r);
}

/// The checked dim and index tensor of the ops that index along one dim
/// (index_select, gather, scatter, index_add/copy/fill); also fails for
/// errors of the arguments read before.
struct DimAndIndex {
  int64_t dim;
  Value index;
};
FailureOr<DimAndIndex> dimAndIndex(NodeContext &ctx, Value x, int64_t dim, Value index,
                                   DimRange range = DimRange::Wrapped) {
  if (failed(ctx.check()))
    return failure();
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(x), range);
  FailureOr<Value> idx = indexTensor(ctx, index);
  if (failed(d) || failed(idx))
    return failure();
  return DimAndIndex{*d, *idx};
}
/// The same when "dim" and "index" are the next arguments (index_select, gather).
FailureOr<DimAndIndex> dimAndIndex(NodeContext &ctx, Value x) {
  int64_t dim = ctx.integer("dim");
  Value index = ctx.tensor("index");
  return dimAndIndex(ctx, x, dim, index);
}

LogicalResult convertIndexSelect(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  FailureOr<DimAndIndex> a = dimAndIndex(ctx, x);
  if (failed(a))
    return failure();
  Emitter &e = ctx.emit();
  Value idx = Emitter::rankOf(a->index) == 0
                  ? e.reshape(a->index, SmallVector<int64_t>{1})
                  : a->index;
  if (Emitter::rankOf(x) == 0)
    return ctx.bind(e.reshape(x, ctx.resultSizes()));
  SmallVector<int64_t> shape(Emitter::shapeOf(x));
  shape[a->dim] = Emitter::shapeOf(idx)[0];
  auto type = RankedTensorType::get(shape, Emitter::elementTypeOf(x));
  return ctx.bind(IndexSelectOp::create(e.b, e.loc, type, x, idx, uint64_t(a->dim))
                      .getResult());
}

/// embedding: rows of `weight` picked by the flattened indices.
LogicalResult convertEmbedding(NodeContext &ctx) {
  Value weight = ctx.tensor("weight");
  Value indices = ctx.tensor("indices");
  if (failed(ctx.check()))
    return failure();
  FailureOr<Value> idx = indexTensor(ctx, indices);
  if (failed(idx))
    return failure();
  Emitter &e = ctx.emit();
  int64_t r = Emitter::rankOf(*idx);
  Value flat = r == 1 ? *idx : e.flatten(*idx, 0, std::max<int64_t>(r - 1, 0));
  SmallVector<int64_t> shape(Emitter::shapeOf(weight));
  shape[0] = Emitter::shapeOf(flat)[0];
  auto type = RankedTensorType::get(shape, Emitter::elementTypeOf(weight));
  Value rows = IndexSelectOp::create(e.b, e.loc, type, weight, flat, uint64_t(0));
  return ctx.bind(e.reshape(rows, ctx.resultSizes()));
}

LogicalResult convertGather(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  FailureOr<DimAndIndex> a = dimAndIndex(ctx, x);
  if (failed(a))
    return failure();
  Emitter &e = ctx.emit();
  if (Emitter::rankOf(x) == 0)
    return ctx.bind(x);
  auto type = Emitter::typeOf(a->index).clone(Emitter::elementTypeOf(x));
  return ctx.bind(
      GatherOp::create(e.b, e.loc, type, x, a->index, uint64_t(a->dim)).getResult());
}

/// scatter_reduce with prod / mean / amax / amin (and scatter.reduce's
/// multiply), computed densely: every source element is compared with every
/// position along `d` ([index..., J] one-hot), the hits reduced over the
/// index's own `d`, and combined with self where any element landed (or
/// always, with include_self). Costs index size x self's extent along d; the
/// index must span self in the other dims (the usual case: message passing
/// over a [edges, features] source into [nodes, features]).
LogicalResult scatterReduceDense(NodeContext &ctx, Value x, int64_t d, Value idx, Value s,
                                 llvm::StringRef reduce, bool includeSelf) {
  Emitter &e = ctx.emit();
  int64_t r = Emitter::rankOf(x);
  Type t = Emitter::elementTypeOf(x);
  bool isFloat = isa<FloatType>(t);
  if (r == 0)
    return ctx.error() << "scatter_reduce '" << reduce << "' of a 0-d tensor is not supported";
  for (int64_t k = 0; k < r; ++k)
    if (k != d && Emitter::shapeOf(idx)[k] != Emitter::shapeOf(x)[k])
      return ctx.error() << "scatter_reduce '" << reduce << "': the index must have self's extent in "
                         << "every dim but " << d << " (got " << Emitter::shapeOf(idx)[k] << " vs "
                         << Emitter::shapeOf(x)[k] << " in dim " << k << ")";
  if (reduce == "mean" && !isFloat)
    return ctx.error() << "scatter_reduce 'mean' of an integer tensor is not supported";
  Sizes grid = e.dims(idx);
  grid.push_back(e.dim(x, d));
  Value hit = e.compare(CompareDirection::EQ, e.broadcastTo(e.unsqueeze(idx, r), grid),
                        e.iota(grid, e.i64(), r));
  Value vals = e.broadcastTo(e.unsqueeze(s, r), grid);
  auto extreme = [&](bool lowest) {
    if (isFloat)
      return lowest ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    unsigned bits = t.getIntOrFloatBitWidth();
    double big = bits >= 64 ? 9223372036854775807.0 : double((uint64_t(1) << (bits - 1)) - 1);
    return lowest ? -big - 1 : big;
  };
  // The hits reduced over the index's dim d; the result's last dim moved to d.
  auto reduceHits = [&](double neutral, auto reduceOp) {
    Value filled = e.select(hit, vals, e.splat(neutral, t, grid));
    return e.moveDim(reduceOp(filled), r - 1, d);
  };
  Value count = e.moveDim(e.sum(e.convert(hit, t), {d}, false), r - 1, d);
  Value landed = e.compareScalar(CompareDirection::GT, count, 0.0);
  Value out;
  if (reduce == "amax" || reduce == "amin") {
    bool max = reduce == "amax";
    Value red = reduceHits(extreme(max), [&](Value v) {
      return max ? e.reduce<ReduceMaxOp>(v, {d}, false) : e.reduce<ReduceMinOp>(v, {d}, false);
    });
    Value both = max ? e.binary<MaxOp>(x, red) : e.binary<MinOp>(x, red);
    out = e.select(landed, includeSelf ? both : red, x);
  } else if (reduce == "prod" || reduce == "multiply") {
    Value red = reduceHits(1.0, [&](Value v) { return e.reduce<ReduceProdOp>(v, {d}, false); });
    out = e.select(landed, includeSelf ? e.mul(x, red) : red, x);
  } else if (reduce == "mean") {
    Value total = reduceHits(0.0, [&](Value v) { return e.sum(v, {d}, false); });
    Value mean = includeSelf ? e.div(e.add(x, total), e.addScalar(count, 1.0)) : e.div(total, count);
    out = e.select(landed, mean, x);
  } else {
    return ctx.error() << "scatter with reduce='" << reduce
                       << "' is not supported (sum, add, prod, multiply, mean, amax, amin)";
  }
  return ctx.bind(out);
}

/// scatter / scatter_add / scatter.value / scatter.reduce / scatter_reduce.two.
LogicalResult convertScatter(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.integer("dim");
  Value index = ctx.tensor("index");
  std::optional<Value> src;
  std::optional<Scalar> value;
  if (ctx.get("src"))
    src = ctx.tensor("src");
  else
    value = ctx.scalar("value");
  std::optional<std::string> reduce = ctx.optionalString("reduce");
  bool includeSelf = ctx.optionalBoolean("include_self").value_or(true);
  FailureOr<DimAndIndex> a = dimAndIndex(ctx, x, dim, index);
  if (failed(a))
    return failure();
  auto [d, idx] = *a;
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(x);
  Value s = src ? e.convert(*src, t)
                : e.splat(ctx.materialize(Operand{Value(), *value}, t), e.dims(idx));
  bool accumulate = ctx.target().starts_with("aten.scatter_add");
  if (reduce) {
    if (*reduce == "add" || *reduce == "sum")
      accumulate = true;
    else
      return scatterReduceDense(ctx, x, d, idx, s, *reduce, includeSelf);
  }
  if (accumulate && !includeSelf) {
    // Positions that receive values start from zero.
    Value zeros = e.splat(0.0, t, e.dims(idx));
    x = ScatterOp::create(e.b, e.loc, x.getType(), x, idx, zeros, uint64_t(d), false);
  }
  return ctx.bind(ScatterOp::create(e.b, e.loc, x.getType(), x, idx, s,
                                    uint64_t(d), accumulate)
                      .getResult());
}

/// index_add / index_copy / index_fill: writes along one dim by a 1-D index.
LogicalResult indexAlongDim(NodeContext &ctx, bool accumulate, bool fill) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.integer("dim");
  Value index = ctx.tensor("index");
  Value source;
  std::optional<Scalar> alpha;
  Operand value;
  if (fill) {
    value = ctx.operand("value");
  } else {
    source = ctx.tensor("source");
    alpha = ctx.optionalScalar("alpha");
  }
  FailureOr<DimAndIndex> a = dimAndIndex(ctx, x, dim, index, DimRange::Existing);
  if (failed(a))
    return failure();
  auto [d, idx] = *a;
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(x);
  Value i1 = Emitter::rankOf(idx) == 0 ? e.reshape(idx, SmallVector<int64_t>{1}) : idx;
  Sizes shape = e.dims(x);
  shape[d] = e.dim(i1, 0);
  Value values;
  if (fill) {
    values = e.splat(ctx.materialize(value, t), shape);
  } else {
    values = e.reshape(e.convert(source, t), shape);
    if (alpha && !(alpha->isStatic() && alpha->asDouble() == 1.0))
      values = e.mul(values, ctx.materialize(Operand{Value(), *alpha}, t));
  }
  return ctx.bind(IndexPutOp::create(e.b, e.loc, x.getType(), x, ValueRange{i1},
                                     values, uint64_t(d), accumulate)
                      .getResult());
}

LogicalResult convertIndexAdd(NodeContext &ctx) { return indexAlongDim(ctx, true, false); }
LogicalResult convertIndexCopy(NodeContext &ctx) { return indexAlongDim(ctx, false, false); }
LogicalResult convertIndexFill(NodeContext &ctx) { return indexAlongDim(ctx, false, true); }

/// masked_scatter: the k-th true position of the mask takes source's k-th element.
LogicalResult convertMaskedScatter(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  Value mask = ctx.tensor("mask");
  Value source = ctx.tensor("source");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Sizes shape = e.dims(x);
  Value m = e.broadcastTo(e.convert(mask, e.i1()), shape);
  int64_t rank = Emitter::rankOf(x);
  Value flatMask = e.flatten(m, 0, std::max<int64_t>(rank - 1, 0));
  Value pos = CumSumOp::create(e.b, e.loc, e.convert(flatMask, e.i64()), uint64_t(0));
  pos = e.binaryScalar<MaxOp>(e.binaryScalar<SubOp>(pos, 1.0), 0.0);
  int64_t sr = Emitter::rankOf(source);
  Value flatSource = e.convert(e.flatten(source, 0, std::max<int64_t>(sr - 1, 0)),
                               Emitter::elementTypeOf(x));
  auto type = Emitter::typeOf(pos).clone(Emitter::elementTypeOf(x));
  Value picked = IndexSelectOp::create(e.b, e.loc, type, flatSource, pos, uint64_t(0));
  picked = e.reshape(picked, shape);
  return ctx.bind(SelectOp::create(e.b, e.loc, x.getType(), m, picked, x).getResult());
}

LogicalResult convertOneHot(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t classes = ctx.optionalInteger("num_classes").value_or(-1);
  if (failed(ctx.check()))
    return failure();
  if (classes < 0)
    return ctx.error() << "one_hot without num_classes has a data-dependent "
                          "shape; pass num_classes";
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  Value u = e.unsqueeze(e.convert(x, e.i64()), rank);
  Sizes shape = e.dims(x);
  shape.push_back(e.index(classes));
  Value classIds = e.iota(shape, e.i64(), rank);
  Value hit = CompareOp::create(e.b, e.loc, CompareDirection::EQ,
                                e.broadcastTo(u, shape), classIds);
  return ctx.bind(e.convert(hit, e.i64()));
}

/// take_along_dim: gather with the non-gathered dims broadcast.
LogicalResult convertTakeAlongDim(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  Value index = ctx.tensor("indices");
  std::optional<int64_t> dim = ctx.optionalInteger("dim");
  if (failed(ctx.check()))
    return failure();
  FailureOr<Value> idx = indexTensor(ctx, index);
  if (failed(idx))
    return failure();
  Emitter &e = ctx.emit();
  Value i = *idx;
  int64_t d = 0;
  if (!dim) {
    x = e.flatten(x, 0, std::max<int64_t>(Emitter::rankOf(x) - 1, 0));
    i = e.flatten(i, 0, std::max<int64_t>(Emitter::rankOf(i) - 1, 0));
  } else {
    int64_t rank = Emitter::rankOf(x);
    if (Emitter::rankOf(i) != rank)
      return ctx.error() << "take_along_dim needs indices of the input's rank";
    FailureOr<int64_t> checked = ctx.dim(*dim, rank, DimRange::Existing);
    if (failed(checked))
      return failure();
    d = *checked;
    Sizes xs = e.dims(x), is = e.dims(i);
    Sizes common = e.broadcastSizes(xs, is);
    Sizes xt(common), it(common);
    xt[d] = xs[d];
    it[d] = is[d];
    x = e.broadcastTo(x, xt);
    i = e.broadcastTo(i, it);
  }
  auto type = Emitter::typeOf(i).clone(Emitter::elementTypeOf(x));
  return ctx.bind(GatherOp::create(e.b, e.loc, type, x, i, uint64_t(d)).getResult());
}

/// col2im (fold): [N, C*kh*kw, L] columns summed back into [N, C, H, W].
LogicalResult convertCol2im(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> out = ctx.integers("output_size");
  SmallVector<int64_t> k = ctx.integers("kernel_size"), dil = ctx.integers("dilation");
  SmallVector<int64_t> pad = ctx.integers("padding"), st = ctx.integers("stride");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  auto fill2 = [](SmallVector<int64_t> &v) {
    if (v.size() == 1)
      v.push_back(v[0]);
  };
  for (auto *v : {&out, &k, &dil, &pad, &st})
    fill2(*v);
  bool unbatched = Emitter::rankOf(x) == 2;
  if (unbatched)
    x = e.unsqueeze(x, 0);
  auto type = Emitter::typeOf(x);
  if (type.getRank() != 3 || !type.hasStaticShape())
    return ctx.error() << "col2im needs a static [N, C*kh*kw, L] input";
  int64_t n = type.getDimSize(0), ckk = type.getDimSize(1), l = type.getDimSize(2);
  int64_t c = ckk / (k[0] * k[1]);
  int64_t hp = out[0] + 2 * pad[0], wp = out[1] + 2 * pad[1];
  int64_t nbh = (hp - (dil[0] * (k[0] - 1) + 1)) / st[0] + 1;
  int64_t nbw = (wp - (dil[1] * (k[1] - 1) + 1)) / st[1] + 1;
  if (c * k[0] * k[1] != ckk || nbh * nbw != l)
    return ctx.error() << "col2im: the input does not match the kernel and output size";
  SmallVector<int64_t> targets;
  for (int64_t ki = 0; ki < k[0]; ++ki)
    for (int64_t kj = 0; kj < k[1]; ++kj)
      for (int64_t bh = 0; bh < nbh; ++bh)
        for (int64_t bw = 0; bw < nbw; ++bw)
          targets.push_back((bh * st[0] + ki * dil[0]) * wp + bw * st[1] + kj * dil[1]);
  Type t = type.getElementType();
  Value values = e.reshape(x, SmallVector<int64_t>{n, c, k[0] * k[1] * l});
  Value idx = e.constantInts({static_cast<int64_t>(targets.size())}, e.i64(), targets);
  Value zeros = e.full(Sizes{e.index(n), e.index(c), e.index(hp * wp)}, e.scalarAttr(t, 0.0));
  Value sum = IndexPutOp::create(e.b, e.loc, zeros.getType(), zeros, ValueRange{idx},
                                 values, uint64_t(2), true);
  Value img = e.reshape(sum, SmallVector<int64_t>{n, c, hp, wp});
  img = e.slice(e.slice(img, 2, pad[0], pad[0] + out[0]), 3, pad[1], pad[1] + out[1]);
  return ctx.bind(unbatched ? e.squeeze(img, 0) : img);
}

/// grid_sampler_2d: bilinear or nearest sampling of [N, C, H, W] at the grid's
/// [N, Ho, Wo, (x, y)] points in [-1, 1], zeros or border padding.
LogicalResult convertGridSampler(NodeContext &ctx) {
  Value input = ctx.tensor("input"), grid = ctx.tensor("grid");
  int64_t mode = ctx.integer("interpolation_mode");
  int64_t padding = ctx.integer("padding_mode");
  bool align = ctx.boolean("align_corners");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  auto it = Emitter::typeOf(input), gt = Emitter::typeOf(grid);
  if (it.getRank() != 4 || !it.hasStaticShape() || !gt.hasStaticShape())
    return ctx.error() << "grid_sampler_2d needs static 4-D inputs";
  if (mode > 1)
    return ctx.error() << "grid_sampler_2d: bicubic interpolation is not supported";
  if (padding > 1)
    return ctx.error() << "grid_sampler_2d: reflection padding is not supported";
  int64_t n = it.getDimSize(0), c = it.getDimSize(1), h = it.getDimSize(2),
          w = it.getDimSize(3), ho = gt.getDimSize(1), wo = gt.getDimSize(2);
  Type t = it.getElementType();
  grid = e.convert(grid, t);
  auto coord = [&](int64_t which, int64_t size) {
    Value g = e.squeeze(e.slice(grid, 3, which, which + 1), 3); // [N, Ho, Wo]
    // align: (g + 1) / 2 * (size - 1); else ((g + 1) * size - 1) / 2
    Value v = align ? e.mulScalar(e.addScalar(g, 1.0), 0.5 * (size - 1))
                    : e.mulScalar(e.addScalar(e.mulScalar(e.addScalar(g, 1.0), size), -1.0), 0.5);
    if (padding == 1)
      v = e.clamp(v, 0.0, static_cast<double>(size - 1));
    return v;
  };
  Value x = coord(0, w), y = coord(1, h);
  Value flat = e.reshape(input, SmallVector<int64_t>{n, c, h * w});
  // The value at integer coordinates (xi, yi) times `weight`, 0 outside.
  auto sample = [&](Value xi, Value yi, Value weight) {
    Value inX = AndOp::create(e.b, e.loc, e.compareScalar(CompareDirection::GE, xi, 0.0),
                              e.compareScalar(CompareDirection::LE, xi, double(w - 1)));
    Value inY = AndOp::create(e.b, e.loc, e.compareScalar(CompareDirection::GE, yi, 0.0),
                              e.compareScalar(CompareDirection::LE, yi, double(h - 1)));
    Value inside = AndOp::create(e.b, e.loc, inX, inY);
    Value cx = e.clamp(xi, 0.0, double(w - 1)), cy = e.clamp(yi, 0.0, double(h - 1));
    Value lin = e.convert(e.add(e.mulScalar(cy, double(w)), cx), e.i64()); // [N, Ho, Wo]
    Value idx = e.reshape(lin, SmallVector<int64_t>{n, 1, ho * wo});
    idx = e.broadcastTo(idx, Sizes{e.index(n), e.index(c), e.index(ho * wo)});
    auto type = RankedTensorType::get({n, c, ho * wo}, t);
    Value v = GatherOp::create(e.b, e.loc, type, flat, idx, uint64_t(2));
    v = e.reshape(v, SmallVector<int64_t>{n, c, ho, wo});
    Value wt = e.select(inside, weight, e.splatLike(0.0, weight));
    return e.mul(v, e.unsqueeze(wt, 1));
  };
  if (mode == 1) {
    Value one = e.splatLike(1.0, x);
    return ctx.bind(sample(e.unary<RoundOp>(x), e.unary<RoundOp>(y), one));
  }
  Value x0 = e.unary<FloorOp>(x), y0 = e.unary<FloorOp>(y);
  Value x1 = e.addScalar(x0, 1.0), y1 = e.addScalar(y0, 1.0);
  Value wx1 = e.sub(x, x0), wy1 = e.sub(y, y0);
  Value wx0 = e.scalarBinary<SubOp>(1.0, wx1), wy0 = e.scalarBinary<SubOp>(1.0, wy1);
  Value r = sample(x0, y0, e.mul(wx0, wy0));
  r = e.add(r, sample(x1, y0, e.mul(wx1, wy0)));
  r = e.add(r, sample(x0, y1, e.mul(wx0, wy1)));
  r = e.add(r, sample(x1, y1, e.mul(wx1, wy1)));
  return ctx.bind(r);
}

/// _embedding_bag (sum and mean): rows of `weight` summed per bag.
LogicalResult convertEmbeddingBag(NodeContext &ctx) {
  Value weight = ctx.tensor("weight"), indices = ctx.tensor("indices");
  Value offsets = ctx.tensor("offsets");
  int64_t mode = ctx.optionalInteger("mode").value_or(0);
  std::optional<Value> psw = ctx.optionalTensor("per_sample_weights");
  bool includeLast = ctx.optionalBoolean("include_last_offset").value_or(false);
  int64_t paddingIdx = ctx.optionalInteger("padding_idx").value_or(-1);
  if (failed(ctx.check()))
    return failure();
  if (mode == 2)
    return ctx.error() << "embedding_bag with mode='max' is not supported";
  Emitter &e = ctx.emit();
  Type t = Emitter::elementTypeOf(weight);
  FailureOr<Value> idx = indexTensor(ctx, indices);
  if (failed(idx))
    return failure();
  Value ids = e.convert(*idx, e.i64());
  if (Emitter::rankOf(ids) == 2) {
    // Each row a bag.
    Sizes s = e.dims(ids);
    offsets = e.mul(e.iota(Sizes{s[0]}, e.i64(), 0), e.indexToTensor(s[1], e.i64()));
    ids = e.flatten(ids, 0, 1);
    if (psw)
      psw = e.flatten(*psw, 0, 1);
  }
  int64_t l = Emitter::shapeOf(ids)[0], nOff = Emitter::shapeOf(offsets)[0];
  if (ShapedType::isDynamic(l) || ShapedType::isDynamic(nOff))
    return ctx.error() << "embedding_bag needs static index and offset counts";
  int64_t bags = includeLast ? nOff - 1 : nOff;
  offsets = e.convert(e.slice(offsets, 0, 0, bags), e.i64());
  // bag[i] = #{b : offsets[b] <= i} - 1
  Value pos = e.iota(Sizes{e.index(l), e.index(bags)}, e.i64(), 0);
  Value started = CompareOp::create(e.b, e.loc, CompareDirection::GE, pos,
                                    e.broadcastInDim(offsets, e.dims(pos), {1}));
  Value bag = e.addScalar(e.sum(e.convert(started, e.i64()), {1}, false), -1.0);
  int64_t d = Emitter::shapeOf(weight)[1];
  auto rowsType = RankedTensorType::get({l, d}, t);
  Value rows = IndexSelectOp::create(e.b, e.loc, rowsType, weight, ids, uint64_t(0));
  Value keep = e.splat(1.0, t, Sizes{e.index(l)});
  if (paddingIdx >= 0)
    keep = e.convert(e.compareScalar(CompareDirection::NE, ids, double(paddingIdx)), t);
  Value scaled = e.mul(rows, e.unsqueeze(keep, 1));
  if (psw)
    scaled = e.mul(scaled, e.unsqueeze(e.convert(*psw, t), 1));
  Value zeros = e.full(Sizes{e.index(bags), e.index(d)}, e.scalarAttr(t, 0.0));
  Value out = IndexPutOp::create(e.b, e.loc, zeros.getType(), zeros, ValueRange{bag},
                                 scaled, uint64_t(0), true);
  Value zeroCounts = e.full(Sizes{e.index(bags)}, e.scalarAttr(t, 0.0));
  Value counts = IndexPutOp::create(e.b, e.loc, zeroCounts.getType(), zeroCounts,
                                    ValueRange{bag}, keep, uint64_t(0), true);
  if (mode == 1)
    out = e.div(out, e.unsqueeze(e.binaryScalar<MaxOp>(counts, 1.0), 1));
  if (failed(ctx.bind(0, out)))
    return failure();
  if (ctx.numResults() > 1 && ctx.resultUsed(1) && failed(ctx.bind(1, bag)))
    return failure();
  if (ctx.numResults() > 2 && ctx.resultUsed(2) &&
      failed(ctx.bind(2, e.convert(counts, e.i64()))))
    return failure();
  if (ctx.numResults() > 3 && ctx.resultUsed(3))
    return ctx.bind(3, e.full(ctx.resultSizes(3), e.scalarAttrInt(e.i64(), 0)));
  return success();
}

} // namespace

void registerIndexingOps(OpTable &t) {
  t.add("aten.col2im.default", convertCol2im);
  t.add("aten.grid_sampler_2d.default", convertGridSampler);
  t.add("aten._embedding_bag.default", convertEmbeddingBag);
  t.add("aten._embedding_bag_forward_only.default", convertEmbeddingBag);
  t.add("aten.embedding_bag.default", convertEmbeddingBag);
  t.add("aten.embedding_bag.padding_idx", convertEmbeddingBag);
  t.add("aten.grid_sampler.default", convertGridSampler);
  t.add("aten.take_along_dim.default", convertTakeAlongDim);
  t.add("aten.index.Tensor", convertIndex);
  t.add("aten.index.Tensor_hacked_twin", convertIndex);
  t.add("aten._unsafe_index.Tensor", convertIndex);
  t.addWithInPlace("index_put", "default", convertIndexPut);
  t.add("aten.index_put.hacked_twin", convertIndexPut);
  t.add("aten._unsafe_index_put.default", convertIndexPut);
  t.add("aten._index_put_impl.default", convertIndexPut);
  t.add("aten.index_select.default", convertIndexSelect);
  t.add("aten.embedding.default", convertEmbedding);
  t.add("aten.gather.default", convertGather);
  t.addWithInPlace("scatter", "src", convertScatter);
  t.addWithInPlace("scatter", "value", convertScatter);
  t.addWithInPlace("scatter", "reduce", convertScatter);
  t.addWithInPlace("scatter", "value_reduce", convertScatter);
  t.addWithInPlace("scatter_add", "default", convertScatter);
  t.addWithInPlace("scatter_reduce", "two", convertScatter);
  t.addWithInPlace("index_add", "default", convertIndexAdd);
  t.addWithInPlace("index_copy", "default", convertIndexCopy);
  t.addWithInPlace("index_fill", "int_Scalar", convertIndexFill);
  t.addWithInPlace("index_fill", "int_Tensor", convertIndexFill);
  t.addWithInPlace("masked_scatter", "default", convertMaskedScatter);
  t.add("aten.one_hot.default", convertOneHot);
}

} // namespace thunder::importer
