//===- DataMovementOps.cpp - views, concatenation, slicing, padding -------===//
//
// Views become value-semantic ops: every view/reshape family op is a
// `thunder.reshape` to the sizes of its result's TensorMeta; permutations are
// `thunder.permute`; slices take static bounds (negative indices count from
// the end, ends are clamped, as in Python).
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"
#include "Views.h"

#include "thunder/PT2/OpSchema.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <algorithm>
#include <limits>

using namespace mlir;

namespace thunder::importer {
namespace {

constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();

/// View ops whose result is the base's elements in order, reshaped.
bool isReshapeView(StringRef target) {
  static const char *const kNames[] = {
      "aten.view.default", "aten._unsafe_view.default", "aten.reshape.default",
      "aten.view_as.default", "aten.reshape_as.default", "aten.flatten.using_ints",
      "aten.unflatten.int", "aten.unsqueeze.default", "aten.squeeze.default",
      "aten.squeeze.dim", "aten.squeeze.dims", "aten.ravel.default"};
  return llvm::is_contained(kNames, target);
}

LogicalResult convertIdentity(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  return ctx.bind(x);
}

/// view, reshape, flatten, unflatten, squeeze, unsqueeze, ...: the result's
/// sizes come from its TensorMeta; their dim arguments are only checked.
LogicalResult convertReshapeLike(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (ctx.target().starts_with("aten.unsqueeze"))
    (void)ctx.dim(ctx.integer("dim"), rank, DimRange::Inserted);
  else if (ctx.target().starts_with("aten.unflatten"))
    (void)ctx.dim(ctx.integer("dim"), rank, DimRange::Existing);
  else if (ctx.get("dim")) // squeeze.dim, squeeze.dims
    (void)ctx.dims(ctx.integers("dim"), rank, DimRange::Wrapped, "dim");
  for (StringRef name : {"start_dim", "end_dim"})
    if (ctx.get(name))
      (void)ctx.dim(ctx.integer(name), rank, DimRange::Wrapped, name);
  if (failed(ctx.check()))
    return failure();
  Sizes sizes = ctx.resultSizes();
  if (failed(ctx.check()))
    return failure();
  return ctx.bind(ctx.emit().reshape(x, sizes));
}

LogicalResult convertExpand(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  Sizes sizes = ctx.resultSizes();
  if (failed(ctx.check()))
    return failure();
  return ctx.bind(ctx.emit().broadcastTo(x, sizes));
}

LogicalResult convertPermute(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> dims = ctx.integers("dims");
  if (failed(ctx.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (static_cast<int64_t>(dims.size()) != rank)
    return ctx.error() << "permute: " << dims.size() << " dims for rank " << rank;
  FailureOr<SmallVector<int64_t>> perm = ctx.dims(dims, rank);
  if (failed(perm))
    return failure();
  return ctx.bind(ctx.emit().permute(x, *perm));
}

LogicalResult convertTranspose(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  StringRef a = ctx.get("dim0") ? "dim0" : "axis0";
  StringRef b = ctx.get("dim1") ? "dim1" : "axis1";
  int64_t d0 = ctx.integer(a), d1 = ctx.integer(b);
  if (failed(ctx.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  FailureOr<int64_t> n0 = ctx.dim(d0, rank, DimRange::Wrapped, a),
                     n1 = ctx.dim(d1, rank, DimRange::Wrapped, b);
  if (failed(ctx.check()))
    return failure();
  if (rank == 0)
    return ctx.bind(x);
  return ctx.bind(ctx.emit().transpose(x, *n0, *n1));
}

LogicalResult convertT(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  if (Emitter::rankOf(x) < 2)
    return ctx.bind(x);
  return ctx.bind(ctx.emit().transpose(x, 0, 1));
}

/// mT / mH / adjoint: the last two dims swapped.
LogicalResult convertMatrixT(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (rank < 2)
    return ctx.error() << "'" << ctx.target() << "' needs a tensor of rank >= 2";
  return ctx.bind(ctx.emit().transpose(x, rank - 2, rank - 1));
}

LogicalResult convertNumpyT(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  SmallVector<int64_t> perm;
  for (int64_t i = rank - 1; i >= 0; --i)
    perm.push_back(i);
  return ctx.bind(ctx.emit().permute(x, perm));
}

LogicalResult convertMovedim(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> src = ctx.integers("source");
  SmallVector<int64_t> dst = ctx.integers("destination");
  if (failed(ctx.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  if (src.size() != dst.size())
    return ctx.error() << "movedim: source and destination differ in length";
  FailureOr<SmallVector<int64_t>> from = ctx.dims(src, rank, DimRange::Wrapped, "source");
  FailureOr<SmallVector<int64_t>> to = ctx.dims(dst, rank, DimRange::Wrapped, "destination");
  if (failed(ctx.check()))
    return failure();
  if (rank == 0)
    return ctx.bind(x);
  SmallVector<int64_t> perm(rank, -1);
  SmallVector<bool> used(rank, false);
  for (auto [s, d] : llvm::zip(*from, *to)) {
    perm[d] = s;
    used[s] = true;
  }
  int64_t next = 0;
  for (int64_t &p : perm) {
    if (p != -1)
      continue;
    while (used[next])
      ++next;
    p = next++;
  }
  return ctx.bind(ctx.emit().permute(x, perm));
}

LogicalResult convertCat(NodeContext &ctx) {
  SmallVector<Value> inputs = ctx.tensorList("tensors");
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  RankedTensorType result = ctx.resultType();
  if (failed(ctx.check()))
    return failure();
  FailureOr<int64_t> d = ctx.dim(dim, result.getRank(), DimRange::Existing);
  if (failed(d))
    return failure();
  SmallVector<Value> parts;
  for (Value v : inputs) {
    // PyTorch skips legacy empty 1-D tensors.
    if (Emitter::rankOf(v) == 1 && Emitter::shapeOf(v)[0] == 0 &&
        result.getRank() != 1)
      continue;
    parts.push_back(e.convert(v, result.getElementType()));
  }
  if (parts.empty())
    return ctx.bind(e.full(ctx.resultSizes(),
                           e.scalarAttr(result.getElementType(), 0.0)));
  return ctx.bind(e.concat(parts, *d));
}

/// hstack / vstack / dstack / column_stack: cat after raising the rank.
LogicalResult convertStackFamily(NodeContext &ctx) {
  SmallVector<Value> inputs = ctx.tensorList("tensors");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  StringRef target = ctx.target();
  RankedTensorType result = ctx.resultType();
  SmallVector<Value> parts;
  int64_t dim = 0;
  for (Value v : inputs) {
    v = e.convert(v, result.getElementType());
    int64_t r = Emitter::rankOf(v);
    Sizes s = e.dims(v);
    if (target.starts_with("aten.hstack")) {
      if (r == 0)
        v = e.reshape(v, Sizes{e.index(1)});
      dim = result.getRank() == 1 ? 0 : 1;
    } else if (target.starts_with("aten.vstack")) {
      if (r < 2)
        v = e.reshape(v, Sizes{e.index(1), r ? s[0] : e.index(1)});
      dim = 0;
    } else if (target.starts_with("aten.dstack")) {
      if (r == 0)
        v = e.reshape(v, Sizes{e.index(1), e.index(1), e.index(1)});
      else if (r == 1)
        v = e.reshape(v, Sizes{e.index(1), s[0], e.index(1)});
      else if (r == 2)
        v = e.reshape(v, Sizes{s[0], s[1], e.index(1)});
      dim = 2;
    } else { // column_stack
      if (r == 0)
        v = e.reshape(v, Sizes{e.index(1), e.index(1)});
      else if (r == 1)
        v = e.reshape(v, Sizes{s[0], e.index(1)});
      dim = 1;
    }
    parts.push_back(v);
  }
  return ctx.bind(e.concat(parts, dim));
}

LogicalResult convertStack(NodeContext &ctx) {
  SmallVector<Value> inputs = ctx.tensorList("tensors");
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  RankedTensorType result = ctx.resultType();
  if (inputs.empty())
    return ctx.error() << "stack of no tensors";
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(inputs.front()), DimRange::Inserted);
  if (failed(ctx.check()))
    return failure();
  SmallVector<Value> parts;
  for (Value v : inputs)
    parts.push_back(e.unsqueeze(e.convert(v, result.getElementType()), *d));
  return ctx.bind(e.concat(parts, *d));
}

/// Python slice bounds on a static extent: [start, end) clamped.
std::pair<int64_t, int64_t> clampBounds(int64_t start, int64_t end, int64_t n) {
  if (start < 0)
    start += n;
  if (end < 0)
    end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  return {start, end};
}

/// Python slice bounds on an extent known at run time: negative bounds count
/// from the end, both are clamped to [0, n] and end to >= start.
std::pair<OpFoldResult, OpFoldResult> clampBounds(Emitter &e, OpFoldResult start,
                                                  OpFoldResult end, OpFoldResult n) {
  auto normalize = [&](OpFoldResult b) -> OpFoldResult {
    std::optional<int64_t> c = getConstantIntValue(b);
    if (c && *c >= 0)
      return b;
    if (c)
      return e.add(n, b);
    // Symbolic: b < 0 ? b + n : b.
    Value v = e.indexValue(b);
    Value zero = e.indexValue(e.index(0));
    Value neg = arith::CmpIOp::create(e.b, e.loc, arith::CmpIPredicate::slt, v, zero);
    Value plus = e.indexValue(e.add(n, v));
    return arith::SelectOp::create(e.b, e.loc, neg, plus, v).getResult();
  };
  OpFoldResult s = e.min(e.max(normalize(start), e.index(0)), n);
  OpFoldResult t = e.min(e.max(normalize(end), s), n);
  return {s, t};
}

/// x[start:end:step] along dim (Python semantics); static bounds on a static
/// extent give a thunder.slice, anything else an index_select.
FailureOr<Value> sliceValue(NodeContext &ctx, Value x, int64_t d, OpFoldResult start,
                            OpFoldResult end, int64_t step) {
  Emitter &e = ctx.emit();
  if (step <= 0)
    return ctx.error() << "slice step must be positive, got " << step;
  int64_t n = Emitter::shapeOf(x)[d];
  std::optional<int64_t> s = getConstantIntValue(start), t = getConstantIntValue(end);
  if (!ShapedType::isDynamic(n) && s && t) {
    auto [cs, ct] = clampBounds(*s, *t, n);
    return e.slice(x, d, cs, ct, step);
  }
  // A static start from the front and an open end keep the slice op.
  if (ShapedType::isDynamic(n) && s && *s >= 0 && t && *t == kEnd)
    return e.slice(x, d, *s, kEnd, step);
  auto [cs, ct] = clampBounds(e, start, end, e.dim(x, d));
  return e.dynamicSlice(x, d, cs, ct, step);
}

/// An optional SymInt argument as an index (attribute or value).
std::optional<OpFoldResult> optionalIndex(NodeContext &ctx, StringRef name) {
  if (ctx.isNone(name))
    return std::nullopt;
  Sizes v = ctx.symInts(name);
  if (v.empty())
    return std::nullopt;
  return v.front();
}

/// x[start:end:step] along dim `d` (0..rank-1).
LogicalResult sliceImpl(NodeContext &ctx, Value x, int64_t d,
                        std::optional<OpFoldResult> start,
                        std::optional<OpFoldResult> end, int64_t step) {
  Emitter &e = ctx.emit();
  FailureOr<Value> r = sliceValue(ctx, x, d, start.value_or(e.index(0)),
                                  end.value_or(e.index(kEnd)), step);
  if (failed(r))
    return failure();
  return ctx.bind(*r);
}

LogicalResult convertSlice(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  std::optional<OpFoldResult> start = optionalIndex(ctx, "start");
  std::optional<OpFoldResult> end = optionalIndex(ctx, "end");
  int64_t step = ctx.optionalInteger("step").value_or(1);
  if (failed(ctx.check()))
    return failure();
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(x), DimRange::Existing);
  if (failed(d))
    return failure();
  return sliceImpl(ctx, x, *d, start, end, step);
}

LogicalResult convertNarrow(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.integer("dim");
  std::optional<OpFoldResult> start = optionalIndex(ctx, "start");
  std::optional<OpFoldResult> length = optionalIndex(ctx, "length");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(x), DimRange::Existing);
  if (failed(d))
    return failure();
  OpFoldResult s = *start;
  if (getConstantIntValue(s).value_or(0) < 0)
    s = e.add(e.dim(x, *d), s);
  return sliceImpl(ctx, x, *d, s, e.add(s, *length), 1);
}

/// x[..., index, ...] along `d` (negative counts from the end).
FailureOr<Value> selectIndex(NodeContext &ctx, Value x, int64_t d, OpFoldResult index) {
  Emitter &e = ctx.emit();
  int64_t n = Emitter::shapeOf(x)[d];
  std::optional<int64_t> c = getConstantIntValue(index);
  if (c && !ShapedType::isDynamic(n)) {
    int64_t i = *c < 0 ? *c + n : *c;
    if (i < 0 || i >= n)
      return ctx.error() << "index " << *c << " is out of range for dim " << d
                         << " of extent " << n;
    return e.squeeze(e.slice(x, d, i, i + 1), d);
  }
  OpFoldResult i = index;
  if (c && *c < 0)
    i = e.add(e.dim(x, d), index);
  else if (!c) {
    auto [cs, ct] = clampBounds(e, index, e.add(index, e.index(1)), e.dim(x, d));
    (void)ct;
    i = cs;
  }
  Value one = e.dynamicSlice(x, d, i, e.add(i, e.index(1)), 1);
  Sizes shape = e.dims(one);
  shape.erase(shape.begin() + d);
  return e.reshape(one, shape);
}

LogicalResult convertSelect(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.integer("dim");
  std::optional<OpFoldResult> index = optionalIndex(ctx, "index");
  if (failed(ctx.check()) || !index)
    return failure();
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(x), DimRange::Existing);
  if (failed(d))
    return failure();
  FailureOr<Value> r = selectIndex(ctx, x, *d, *index);
  if (failed(r))
    return failure();
  return ctx.bind(*r);
}

/// Binds consecutive slices of `x` along `d` with the given sizes.
LogicalResult bindPieces(NodeContext &ctx, Value x, int64_t d,
                         ArrayRef<int64_t> sizes) {
  Emitter &e = ctx.emit();
  if (sizes.size() != ctx.numResults())
    return ctx.error() << "the split makes " << sizes.size()
                       << " pieces but the node has " << ctx.numResults()
                       << " results";
  int64_t offset = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (ctx.resultUsed(i) &&
        failed(ctx.bind(i, e.slice(x, d, offset, offset + size))))
      return failure();
    offset += size;
  }
  return success();
}

FailureOr<int64_t> staticExtent(NodeContext &ctx, Value x, int64_t d) {
  if (d < 0 || d >= Emitter::rankOf(x))
    return ctx.error() << "'" << ctx.target() << "': dim " << d
                       << " is out of range for a tensor of rank " << Emitter::rankOf(x);
  int64_t n = Emitter::shapeOf(x)[d];
  if (ShapedType::isDynamic(n))
    return ctx.error() << "'" << ctx.target() << "' along dynamic dim " << d
                       << " is not supported";
  return n;
}

/// Dim `dim` of `x` from the archive (checked, normalized) and its extent,
/// which must be static.
struct StaticDim {
  int64_t dim, extent;
};
FailureOr<StaticDim> staticDim(NodeContext &ctx, Value x, int64_t dim) {
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(x), DimRange::Existing);
  if (failed(d))
    return failure();
  FailureOr<int64_t> n = staticExtent(ctx, x, *d);
  if (failed(n))
    return failure();
  return StaticDim{*d, *n};
}

/// Pieces of `size` (the last one shorter) covering `n` elements, as many as
/// the node has results: checked first, as n / size (from the archive) may be
/// huge.
FailureOr<SmallVector<int64_t>> evenPieces(NodeContext &ctx, int64_t n, int64_t size) {
  int64_t pieces = n == 0 ? 1 : n / size + (n % size != 0);
  if (pieces != static_cast<int64_t>(ctx.numResults()))
    return ctx.error() << "the split makes " << pieces << " pieces but the node has "
                       << ctx.numResults() << " results";
  SmallVector<int64_t> sizes;
  for (int64_t i = 0; i < pieces; ++i)
    sizes.push_back(std::min(size, n - i * size));
  return sizes;
}

/// split / chunk: pieces of `pieceSize(extent)` along `dim` (argument `countName`,
/// which must be positive), the last one shorter.
LogicalResult convertEvenSplit(NodeContext &ctx, llvm::StringRef countName,
                               llvm::function_ref<int64_t(int64_t extent, int64_t count)> pieceSize) {
  Value x = ctx.tensor("self");
  int64_t count = ctx.integer(countName);
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  if (failed(ctx.check()))
    return failure();
  FailureOr<StaticDim> d = staticDim(ctx, x, dim);
  if (failed(d))
    return failure();
  if (count <= 0)
    return ctx.error() << "'" << countName << "' must be positive, not " << count;
  FailureOr<SmallVector<int64_t>> sizes = evenPieces(ctx, d->extent, pieceSize(d->extent, count));
  if (failed(sizes))
    return failure();
  return bindPieces(ctx, x, d->dim, *sizes);
}

LogicalResult convertSplitWithSizes(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> sizes = ctx.integers("split_sizes");
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  if (failed(ctx.check()))
    return failure();
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(x), DimRange::Existing);
  if (failed(d))
    return failure();
  return bindPieces(ctx, x, *d, sizes);
}

/// tensor_split.sections / .indices: the first n % k pieces are one longer.
LogicalResult convertTensorSplit(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  bool bySections = ctx.get("sections") != nullptr;
  int64_t sections = bySections ? ctx.integer("sections") : 0;
  SmallVector<int64_t> indices = bySections ? SmallVector<int64_t>{} : ctx.integers("indices");
  if (failed(ctx.check()))
    return failure();
  FailureOr<StaticDim> d = staticDim(ctx, x, dim);
  if (failed(d))
    return failure();
  int64_t n = d->extent;
  SmallVector<int64_t> sizes;
  if (bySections) {
    if (sections <= 0 || sections != static_cast<int64_t>(ctx.numResults()))
      return ctx.error() << "tensor_split into " << sections << " sections for "
                         << ctx.numResults() << " results";
    for (int64_t i = 0; i < sections; ++i)
      sizes.push_back(n / sections + (i < n % sections ? 1 : 0));
  } else {
    int64_t prev = 0;
    for (int64_t b : indices) {
      int64_t c = std::clamp<int64_t>(b < 0 ? b + n : b, prev, n);
      sizes.push_back(c - prev);
      prev = c;
    }
    sizes.push_back(n - prev);
  }
  return bindPieces(ctx, x, d->dim, sizes);
}

LogicalResult convertUnbind(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  if (failed(ctx.check()))
    return failure();
  FailureOr<StaticDim> d = staticDim(ctx, x, dim);
  if (failed(d))
    return failure();
  if (static_cast<size_t>(d->extent) != ctx.numResults())
    return ctx.error() << "unbind makes " << d->extent << " tensors but the node has "
                       << ctx.numResults() << " results";
  for (int64_t i = 0; i < d->extent; ++i) {
    if (!ctx.resultUsed(i))
      continue;
    FailureOr<Value> r = selectIndex(ctx, x, d->dim, ctx.emit().index(i));
    if (failed(r) || failed(ctx.bind(i, *r)))
      return failure();
  }
  return success();
}

LogicalResult convertFlip(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> dims = ctx.integers("dims");
  if (failed(ctx.check()))
    return failure();
  int64_t rank = Emitter::rankOf(x);
  FailureOr<SmallVector<int64_t>> flipped = ctx.dims(dims, rank);
  if (failed(flipped))
    return failure();
  if (rank == 0)
    return ctx.bind(x);
  llvm::sort(*flipped);
  return ctx.bind(ctx.emit().reverse(x, *flipped));
}

/// roll: the last `shift` elements move to the front.
FailureOr<Value> rollDim(NodeContext &ctx, Value x, int64_t d, int64_t shift) {
  FailureOr<int64_t> n = staticExtent(ctx, x, d);
  if (failed(n))
    return failure();
  if (*n == 0)
    return x;
  int64_t s = ((shift % *n) + *n) % *n;
  if (s == 0)
    return x;
  Emitter &e = ctx.emit();
  return e.concat({e.slice(x, d, *n - s, *n), e.slice(x, d, 0, *n - s)}, d);
}

LogicalResult convertRoll(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> shifts = ctx.integers("shifts");
  SmallVector<int64_t> dims = ctx.optionalIntegers("dims").value_or(SmallVector<int64_t>{});
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  if (dims.empty()) {
    if (shifts.size() != 1)
      return ctx.error() << "roll without dims takes one shift";
    Sizes shape = e.dims(x);
    FailureOr<Value> r = rollDim(ctx, e.flatten(x, 0, std::max<int64_t>(rank - 1, 0)),
                                 0, shifts[0]);
    if (failed(r))
      return failure();
    return ctx.bind(e.reshape(*r, shape));
  }
  if (dims.size() != shifts.size())
    return ctx.error() << "roll: shifts and dims differ in length";
  FailureOr<SmallVector<int64_t>> rolled = ctx.dims(dims, rank, DimRange::Wrapped, "dims",
                                                        /*distinct=*/false);
  if (failed(rolled))
    return failure();
  for (auto [s, d] : llvm::zip(shifts, *rolled)) {
    FailureOr<Value> r = rollDim(ctx, x, d, s);
    if (failed(r))
      return failure();
    x = *r;
  }
  return ctx.bind(x);
}

/// repeat: broadcast to [r0, s0, r1, s1, ...] and merge each pair.
LogicalResult convertRepeat(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  StringRef name = ctx.get("repeats") ? "repeats" : "dims";
  SmallVector<int64_t> repeats = ctx.integers(name);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  if (ctx.target().starts_with("aten.tile"))
    while (static_cast<int64_t>(repeats.size()) < rank)
      repeats.insert(repeats.begin(), 1);
  int64_t out = repeats.size();
  if (out < rank)
    return ctx.error() << "repeat: fewer repeats than dimensions";
  Sizes sizes = e.dims(x);
  while (static_cast<int64_t>(sizes.size()) < out)
    sizes.insert(sizes.begin(), e.index(1));
  x = e.reshape(x, sizes);
  Sizes wide, merged;
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < out; ++i) {
    wide.push_back(e.index(repeats[i]));
    wide.push_back(sizes[i]);
    dims.push_back(2 * i + 1);
    merged.push_back(e.mul(e.index(repeats[i]), sizes[i]));
  }
  Value b = e.broadcastInDim(x, wide, dims);
  return ctx.bind(e.reshape(b, merged));
}

/// repeat_interleave.self_int: every element `repeats` times along `dim` (of
/// the flattened input when dim is None): broadcast to [..., s_d, r, ...] and
/// merge the pair. GPT-J's rotary embedding (sin/cos interleaved).
LogicalResult convertRepeatInterleaveInt(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t repeats = ctx.integer("repeats");
  std::optional<int64_t> dim = ctx.optionalInteger("dim");
  if (failed(ctx.check()))
    return failure();
  if (repeats < 0)
    return ctx.error() << "repeat_interleave: repeats must be non-negative, got " << repeats;
  Emitter &e = ctx.emit();
  int64_t d = 0;
  if (!dim) {
    OpFoldResult n = e.index(1);
    for (OpFoldResult s : e.dims(x))
      n = e.mul(n, s);
    x = e.reshape(x, Sizes{n});
  } else {
    FailureOr<SmallVector<int64_t>> dims =
        ctx.dims({*dim}, Emitter::rankOf(x), DimRange::Wrapped, "dim");
    if (failed(dims))
      return failure();
    d = (*dims)[0];
  }
  Sizes sizes = e.dims(x);
  Sizes wide, merged;
  SmallVector<int64_t> map;
  for (int64_t i = 0, r = sizes.size(); i < r; ++i) {
    map.push_back(wide.size());
    wide.push_back(sizes[i]);
    if (i == d) {
      wide.push_back(e.index(repeats));
      merged.push_back(e.mul(sizes[i], e.index(repeats)));
    } else {
      merged.push_back(sizes[i]);
    }
  }
  Value b = e.broadcastInDim(x, wide, map);
  return ctx.bind(e.reshape(b, merged));
}

/// tril / triu: keep where (col - row) <= k (tril) or >= k (triu).
template <bool Lower>
LogicalResult convertTriangle(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t k = ctx.optionalInteger("diagonal").value_or(0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  if (rank < 2)
    return ctx.error() << "tril/triu need a tensor of rank >= 2";
  Sizes mn = {e.dim(x, rank - 2), e.dim(x, rank - 1)};
  Value row = e.iota(mn, e.i64(), 0), col = e.iota(mn, e.i64(), 1);
  Value diff = SubOp::create(e.b, e.loc, col, row);
  Value keep = e.compareScalar(Lower ? CompareDirection::LE : CompareDirection::GE,
                               diff, static_cast<double>(k));
  Value zero = e.splatLike(0.0, x);
  return ctx.bind(e.select(keep, x, zero));
}

/// The padding of dimension `d` by (lo, hi) in a non-constant mode.
FailureOr<Value> padDim(NodeContext &ctx, Value x, int64_t d, int64_t lo,
                        int64_t hi, StringRef mode) {
  if (lo == 0 && hi == 0)
    return x;
  FailureOr<int64_t> n = staticExtent(ctx, x, d);
  if (failed(n))
    return failure();
  Emitter &e = ctx.emit();
  if (lo < 0 || hi < 0)
    return ctx.error() << mode << " padding does not take negative amounts";
  SmallVector<Value> parts;
  if (mode == "reflect") {
    if (lo >= *n || hi >= *n)
      return ctx.error() << "reflect padding must be smaller than the extent";
    if (lo)
      parts.push_back(e.reverse(e.slice(x, d, 1, lo + 1), {d}));
    parts.push_back(x);
    if (hi)
      parts.push_back(e.reverse(e.slice(x, d, *n - 1 - hi, *n - 1), {d}));
  } else if (mode == "replicate") {
    auto edge = [&](int64_t at, int64_t count) {
      Value s = e.slice(x, d, at, at + 1);
      Sizes sizes = e.dims(s);
      sizes[d] = e.index(count);
      return e.broadcastInDim(s, sizes,
                              llvm::to_vector(llvm::seq<int64_t>(0, Emitter::rankOf(s))));
    };
    if (lo)
      parts.push_back(edge(0, lo));
    parts.push_back(x);
    if (hi)
      parts.push_back(edge(*n - 1, hi));
  } else if (mode == "circular") {
    if (lo > *n || hi > *n)
      return ctx.error() << "circular padding must not exceed the extent";
    if (lo)
      parts.push_back(e.slice(x, d, *n - lo, *n));
    parts.push_back(x);
    if (hi)
      parts.push_back(e.slice(x, d, 0, hi));
  } else {
    return ctx.error() << "unknown padding mode '" << mode << "'";
  }
  return e.concat(parts, d);
}

/// `pad` lists (lo, hi) pairs from the last dimension backwards.
LogicalResult padImpl(NodeContext &ctx, Value x, ArrayRef<int64_t> pad,
                      StringRef mode, double value) {
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  if (pad.size() % 2 || static_cast<int64_t>(pad.size()) > 2 * rank)
    return ctx.error() << "bad padding list of length " << pad.size();
  if (mode == "constant") {
    SmallVector<int64_t> low(rank, 0), high(rank, 0);
    for (size_t i = 0; i < pad.size() / 2; ++i) {
      low[rank - 1 - i] = pad[2 * i];
      high[rank - 1 - i] = pad[2 * i + 1];
    }
    Value v = e.scalar(Emitter::elementTypeOf(x), value);
    return ctx.bind(e.pad(x, v, low, high));
  }
  for (size_t i = 0; i < pad.size() / 2; ++i) {
    FailureOr<Value> r = padDim(ctx, x, rank - 1 - i, pad[2 * i], pad[2 * i + 1], mode);
    if (failed(r))
      return failure();
    x = *r;
  }
  return ctx.bind(x);
}

LogicalResult convertPad(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> pad = ctx.integers("pad");
  std::string mode = ctx.optionalString("mode").value_or("constant");
  double value = ctx.optionalReal("value").value_or(0.0);
  if (failed(ctx.check()))
    return failure();
  return padImpl(ctx, x, pad, mode, value);
}

LogicalResult convertConstantPadNd(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> pad = ctx.integers("pad");
  double value = ctx.optionalReal("value").value_or(0.0);
  if (failed(ctx.check()))
    return failure();
  return padImpl(ctx, x, pad, "constant", value);
}

template <const char *Mode>
LogicalResult convertModePad(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> pad = ctx.integers("padding");
  if (failed(ctx.check()))
    return failure();
  return padImpl(ctx, x, pad, Mode, 0.0);
}
constexpr char kReflect[] = "reflect";
constexpr char kReplicate[] = "replicate";
constexpr char kCircular[] = "circular";

/// pixel_shuffle: [*, C r^2, H, W] -> [*, C, H r, W r].
template <bool Shuffle>
LogicalResult convertPixelShuffle(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t r = ctx.integer(Shuffle ? "upscale_factor" : "downscale_factor");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  if (rank < 3)
    return ctx.error() << "pixel_shuffle needs rank >= 3";
  Sizes s = e.dims(x);
  Sizes lead(s.begin(), s.end() - 3);
  OpFoldResult c = s[rank - 3], h = s[rank - 2], w = s[rank - 1];
  int64_t b = lead.size();
  Sizes split(lead);
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, b));
  if (Shuffle) {
    // [*, C, r, r, H, W] -> [*, C, H, r, W, r]
    split.append({e.floorDiv(c, e.index(r * r)), e.index(r), e.index(r), h, w});
    perm.append({b, b + 3, b + 1, b + 4, b + 2});
  } else {
    // [*, C, H/r, r, W/r, r] -> [*, C, r, r, H/r, W/r]
    split.append({c, e.floorDiv(h, e.index(r)), e.index(r),
                  e.floorDiv(w, e.index(r)), e.index(r)});
    perm.append({b, b + 2, b + 4, b + 1, b + 3});
  }
  Value y = e.permute(e.reshape(x, split), perm);
  return ctx.bind(e.reshape(y, ctx.resultSizes()));
}

LogicalResult convertBroadcastTensors(NodeContext &ctx) {
  SmallVector<Value> inputs = ctx.tensorList("tensors");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Sizes shape = e.broadcastShape(inputs);
  for (auto [i, v] : llvm::enumerate(inputs))
    if (failed(ctx.bind(i, e.broadcastTo(v, shape))))
      return failure();
  return success();
}

/// diff: n times x[1:] - x[:-1] along dim (xor for bools).
LogicalResult convertDiff(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t n = ctx.optionalInteger("n").value_or(1);
  int64_t dim = ctx.optionalInteger("dim").value_or(-1);
  std::optional<Value> prepend = ctx.optionalTensor("prepend");
  std::optional<Value> append = ctx.optionalTensor("append");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  FailureOr<int64_t> checked = ctx.dim(dim, Emitter::rankOf(x), DimRange::Existing);
  if (failed(checked))
    return failure();
  int64_t d = *checked;
  SmallVector<Value> parts;
  if (prepend)
    parts.push_back(e.convert(*prepend, Emitter::elementTypeOf(x)));
  parts.push_back(x);
  if (append)
    parts.push_back(e.convert(*append, Emitter::elementTypeOf(x)));
  x = e.concat(parts, d);
  for (int64_t i = 0; i < n; ++i) {
    FailureOr<int64_t> len = staticExtent(ctx, x, d);
    if (failed(len))
      return failure();
    if (*len == 0)
      break;
    Value hi = e.slice(x, d, 1, *len), lo = e.slice(x, d, 0, *len - 1);
    x = isBool(Emitter::elementTypeOf(x))
            ? XorOp::create(e.b, e.loc, hi, lo).getResult()
            : SubOp::create(e.b, e.loc, hi, lo).getResult();
  }
  return ctx.bind(x);
}

/// diagonal: dims dim1, dim2 go last, then both are indexed by one iota.
LogicalResult convertDiagonal(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t offset = ctx.optionalInteger("offset").value_or(0);
  int64_t dim1 = ctx.optionalInteger("dim1").value_or(0);
  int64_t dim2 = ctx.optionalInteger("dim2").value_or(1);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  if (rank < 2)
    return ctx.error() << "diagonal needs a tensor of rank >= 2";
  FailureOr<int64_t> c1 = ctx.dim(dim1, rank, DimRange::Wrapped, "dim1");
  FailureOr<int64_t> c2 = ctx.dim(dim2, rank, DimRange::Wrapped, "dim2");
  if (failed(ctx.check()))
    return failure();
  int64_t d1 = *c1, d2 = *c2;
  if (d1 == d2)
    return ctx.error() << "dim " << dim2 << " appears twice (arguments 'dim1' and 'dim2')";
  SmallVector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i)
    if (i != d1 && i != d2)
      perm.push_back(i);
  perm.append({d1, d2});
  x = e.permute(x, perm);
  FailureOr<int64_t> n1 = staticExtent(ctx, x, rank - 2);
  FailureOr<int64_t> n2 = staticExtent(ctx, x, rank - 1);
  if (failed(n1) || failed(n2))
    return failure();
  int64_t s1 = std::max<int64_t>(0, -offset), s2 = std::max<int64_t>(0, offset);
  int64_t len = std::max<int64_t>(0, std::min(*n1 - s1, *n2 - s2));
  x = e.slice(e.slice(x, rank - 2, std::min(s1, *n1), *n1), rank - 1,
              std::min(s2, *n2), *n2);
  if (len == 0)
    return ctx.bind(e.full(ctx.resultSizes(),
                           e.scalarAttr(Emitter::elementTypeOf(x), 0.0)));
  Value idx = e.iota(Sizes{e.index(len)}, e.i64(), 0);
  Sizes out = e.dims(x);
  out.pop_back();
  out.back() = e.index(len);
  auto type = e.tensorType(out, Emitter::elementTypeOf(x));
  return ctx.bind(IndexOp::create(e.b, e.loc, type, x, ValueRange{idx, idx},
                                  static_cast<uint64_t>(rank - 2))
                      .getResult());
}

/// diag: a vector to a matrix with it on diagonal k, a matrix to diagonal k.
LogicalResult convertDiag(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t k = ctx.optionalInteger("diagonal").value_or(0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  if (Emitter::rankOf(x) == 2) {
    int64_t n1 = Emitter::shapeOf(x)[0], n2 = Emitter::shapeOf(x)[1];
    if (ShapedType::isDynamic(n1) || ShapedType::isDynamic(n2))
      return ctx.error() << "diag of a dynamically shaped matrix is not supported";
    int64_t s1 = std::max<int64_t>(0, -k), s2 = std::max<int64_t>(0, k);
    int64_t len = std::max<int64_t>(0, std::min(n1 - s1, n2 - s2));
    if (len == 0)
      return ctx.bind(e.full(ctx.resultSizes(), e.scalarAttr(Emitter::elementTypeOf(x), 0.0)));
    Value y = e.slice(e.slice(x, 0, std::min(s1, n1), n1), 1, std::min(s2, n2), n2);
    Value idx = e.iota(Sizes{e.index(len)}, e.i64(), 0);
    auto type = RankedTensorType::get({len}, Emitter::elementTypeOf(x));
    return ctx.bind(IndexOp::create(e.b, e.loc, type, y, ValueRange{idx, idx}, uint64_t(0))
                        .getResult());
  }
  if (Emitter::rankOf(x) != 1)
    return ctx.error() << "diag needs a 1-D or 2-D tensor";
  int64_t n = Emitter::shapeOf(x)[0];
  if (ShapedType::isDynamic(n))
    return ctx.error() << "diag of a dynamically sized vector is not supported";
  int64_t m = n + std::abs(k);
  Sizes shape = {e.index(m), e.index(m)};
  Value rows = e.iota(shape, e.i64(), 0), cols = e.iota(shape, e.i64(), 1);
  Value offset = SubOp::create(e.b, e.loc, cols, rows);
  Value onDiag = e.compareScalar(CompareDirection::EQ, offset, static_cast<double>(k));
  // Entry (i, i + k) takes x[i] (k >= 0); entry (j - k, j) takes x[j] (k < 0).
  Value pos = k >= 0 ? rows : cols;
  pos = e.binaryScalar<MinOp>(pos, static_cast<double>(n - 1));
  Value flat = e.reshape(pos, SmallVector<int64_t>{m * m});
  auto type = RankedTensorType::get({m * m}, Emitter::elementTypeOf(x));
  Value vals = IndexSelectOp::create(e.b, e.loc, type, x, flat, uint64_t(0));
  vals = e.reshape(vals, SmallVector<int64_t>{m, m});
  return ctx.bind(e.select(onDiag, vals, e.splatLike(0.0, vals)));
}

/// as_strided over the tensor's own (contiguous) elements.
LogicalResult convertAsStrided(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  SmallVector<int64_t> size = ctx.integers("size");
  SmallVector<int64_t> stride = ctx.integers("stride");
  int64_t offset = ctx.optionalInteger("storage_offset").value_or(0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  if (const pt2::TensorMeta *meta = ctx.argumentMeta("self")) {
    // Only a contiguous input has its elements in storage order.
    int64_t expected = 1;
    bool contiguous = !meta->storageOffset.asConstant().value_or(1);
    for (int64_t i = static_cast<int64_t>(meta->sizes.size()) - 1; i >= 0; --i) {
      std::optional<int64_t> s = meta->strides[i].asConstant();
      std::optional<int64_t> n = meta->sizes[i].asConstant();
      if (!s || !n)
        contiguous = false;
      else if (*n != 1 && *s != expected)
        contiguous = false;
      expected *= n.value_or(1);
    }
    if (!contiguous)
      return ctx.error() << "as_strided of a non-contiguous tensor is not supported";
  }
  if (!Emitter::typeOf(x).hasStaticShape())
    return ctx.error() << "as_strided of a dynamically shaped tensor is not supported";
  int64_t total = 1;
  for (int64_t s : size)
    total *= s;
  int64_t numel = Emitter::typeOf(x).getNumElements();
  SmallVector<int64_t> indices;
  indices.reserve(total);
  SmallVector<int64_t> pos(size.size(), 0);
  for (int64_t k = 0; k < total; ++k) {
    int64_t lin = offset;
    for (size_t i = 0; i < size.size(); ++i)
      lin += pos[i] * stride[i];
    if (lin < 0 || lin >= numel)
      return ctx.error() << "as_strided reads outside the tensor";
    indices.push_back(lin);
    for (int64_t i = static_cast<int64_t>(size.size()) - 1; i >= 0; --i) {
      if (++pos[i] < size[i])
        break;
      pos[i] = 0;
    }
  }
  Value flat = e.reshape(x, SmallVector<int64_t>{numel});
  Value idx = e.constantInts({total}, e.i64(), indices);
  auto type = RankedTensorType::get({total}, Emitter::elementTypeOf(x));
  Value picked = IndexSelectOp::create(e.b, e.loc, type, flat, idx, uint64_t(0));
  return ctx.bind(e.reshape(picked, size));
}

/// self with self[start:end:step] along dim `d` replaced by src.
FailureOr<Value> sliceScatterValue(Emitter &e, Value self, Value src, int64_t d,
                                   std::optional<int64_t> start,
                                   std::optional<int64_t> end, int64_t step) {
  int64_t n = Emitter::shapeOf(self)[d];
  if (ShapedType::isDynamic(n))
    return emitError(e.loc) << "a slice update along dynamic dim " << d
                            << " is not supported";
  auto [s, t] = clampBounds(start.value_or(0), end.value_or(kEnd), n);
  src = e.convert(src, Emitter::elementTypeOf(self));
  if (step == 1) {
    SmallVector<Value> parts;
    if (s > 0)
      parts.push_back(e.slice(self, d, 0, s));
    parts.push_back(src);
    if (t < n)
      parts.push_back(e.slice(self, d, t, n));
    return e.concat(parts, d);
  }
  SmallVector<int64_t> positions;
  for (int64_t i = s; i < t; i += step)
    positions.push_back(i);
  Value idx = e.constantInts({static_cast<int64_t>(positions.size())}, e.i64(),
                             positions);
  return IndexPutOp::create(e.b, e.loc, self.getType(), self, ValueRange{idx}, src,
                            uint64_t(d), false)
      .getResult();
}

/// Binds self with self[start:end:step] along dim `d` (0..rank-1) replaced.
LogicalResult sliceScatterImpl(NodeContext &ctx, Value self, Value src, int64_t d,
                               std::optional<int64_t> start,
                               std::optional<int64_t> end, int64_t step) {
  FailureOr<Value> r = sliceScatterValue(ctx.emit(), self, src, d, start, end, step);
  if (failed(r))
    return failure();
  return ctx.bind(*r);
}

LogicalResult convertSliceScatter(NodeContext &ctx) {
  Value self = ctx.tensor("self"), src = ctx.tensor("src");
  int64_t dim = ctx.optionalInteger("dim").value_or(0);
  std::optional<int64_t> start = ctx.optionalInteger("start");
  std::optional<int64_t> end = ctx.optionalInteger("end");
  int64_t step = ctx.optionalInteger("step").value_or(1);
  if (failed(ctx.check()))
    return failure();
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(self), DimRange::Existing);
  if (failed(d))
    return failure();
  return sliceScatterImpl(ctx, self, src, *d, start, end, step);
}

LogicalResult convertSelectScatter(NodeContext &ctx) {
  Value self = ctx.tensor("self"), src = ctx.tensor("src");
  int64_t dim = ctx.integer("dim");
  int64_t index = ctx.integer("index");
  if (failed(ctx.check()))
    return failure();
  FailureOr<StaticDim> d = staticDim(ctx, self, dim);
  if (failed(d))
    return failure();
  if (index < 0)
    index += d->extent;
  return sliceScatterImpl(ctx, self, ctx.emit().unsqueeze(src, d->dim), d->dim, index,
                          index + 1, 1);
}

/// unfold(dimension, size, step): windows along `dimension`, as a new last dim.
LogicalResult convertUnfold(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.integer("dimension");
  int64_t size = ctx.integer("size");
  int64_t step = ctx.integer("step");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t rank = Emitter::rankOf(x);
  FailureOr<int64_t> checked = ctx.dim(dim, rank, DimRange::Wrapped, "dimension");
  if (failed(checked))
    return failure();
  if (rank == 0)
    return ctx.bind(e.reshape(x, SmallVector<int64_t>{1}));
  int64_t d = *checked;
  FailureOr<int64_t> n = staticExtent(ctx, x, d);
  if (failed(n))
    return failure();
  if (step <= 0 || size > *n)
    return ctx.error() << "bad unfold size or step";
  int64_t count = (*n - size) / step + 1;
  SmallVector<int64_t> positions;
  for (int64_t i = 0; i < count; ++i)
    for (int64_t j = 0; j < size; ++j)
      positions.push_back(i * step + j);
  Value idx = e.constantInts({count, size}, e.i64(), positions);
  Sizes out = e.dims(x);
  out[d] = e.index(count);
  out.insert(out.begin() + d + 1, e.index(size));
  Value g = IndexOp::create(e.b, e.loc, e.tensorType(out, Emitter::elementTypeOf(x)),
                            x, ValueRange{idx}, uint64_t(d));
  return ctx.bind(e.moveDim(g, d + 1, rank));
}

} // namespace

FailureOr<Value> writeThroughView(OpBuilder &builder, Location loc,
                                  const pt2::Node &viewNode, Value base,
                                  Value update) {
  Emitter e(builder, loc);
  StringRef target = viewNode.target;
  target.consume_front("torch.ops.");
  const pt2::OpSchema *schema = pt2::OpSchemaRegistry::builtin().lookup(viewNode.target);
  if (!schema)
    return emitError(loc) << "in-place update through a '" << target
                          << "' view is not supported";
  pt2::Expected<std::vector<pt2::BoundArgument>> bound = pt2::bindNode(viewNode, *schema);
  if (!bound)
    return emitError(loc) << bound.error().message;
  auto arg = [&](StringRef name) -> const pt2::Argument * {
    for (const pt2::BoundArgument &a : bound.value())
      if (a.schema->name == name)
        return &a.value;
    return nullptr;
  };
  auto integer = [&](StringRef name) -> std::optional<int64_t> {
    const pt2::Argument *a = arg(name);
    if (!a)
      return std::nullopt;
    if (a->kind() == pt2::ArgKind::Int)
      return a->intValue();
    if (a->kind() == pt2::ArgKind::SymInt && !a->symInt().isName)
      return a->symInt().value;
    return std::nullopt;
  };
  // The view's dims were checked (NodeContext::dim) when its node was converted.
  int64_t rank = Emitter::rankOf(base);
  update = e.convert(update, Emitter::elementTypeOf(base));
  if (target == "aten.slice.Tensor" || target == "aten.narrow.default") {
    std::optional<int64_t> dim = integer("dim");
    std::optional<int64_t> start = integer("start");
    std::optional<int64_t> end = integer("end");
    int64_t step = integer("step").value_or(1);
    if (target == "aten.narrow.default") {
      std::optional<int64_t> length = integer("length");
      if (start && length)
        end = *start + *length;
    }
    bool symbolic = (arg("start") && !arg("start")->isNone() && !start) ||
                    (arg("end") && !arg("end")->isNone() && !end);
    if (!dim || symbolic)
      return emitError(loc) << "in-place update of a slice with symbolic bounds "
                               "is not supported";
    return sliceScatterValue(e, base, update, normalizeDim(*dim, rank), start, end,
                             step);
  }
  if (target == "aten.select.int") {
    std::optional<int64_t> dim = integer("dim"), index = integer("index");
    if (!dim || !index)
      return emitError(loc) << "in-place update of a symbolic select is not supported";
    int64_t d = normalizeDim(*dim, rank);
    int64_t n = Emitter::shapeOf(base)[d];
    if (ShapedType::isDynamic(n))
      return emitError(loc) << "in-place update of a select along a dynamic dim "
                               "is not supported";
    int64_t i = *index < 0 ? *index + n : *index;
    return sliceScatterValue(e, base, e.unsqueeze(update, d), d, i, i + 1, 1);
  }
  if (isReshapeView(target))
    return e.reshape(update, e.dims(base));
  if (target == "aten.alias.default" || target == "aten.detach.default")
    return update;
  SmallVector<int64_t> perm;
  if (target == "aten.permute.default") {
    const pt2::Argument *a = arg("dims");
    if (a && a->kind() == pt2::ArgKind::Ints)
      for (int64_t d : a->ints())
        perm.push_back(normalizeDim(d, rank));
  } else if (target == "aten.transpose.int") {
    std::optional<int64_t> d0 = integer("dim0"), d1 = integer("dim1");
    if (rank == 0)
      return update;
    if (d0 && d1) {
      perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
      std::swap(perm[normalizeDim(*d0, rank)], perm[normalizeDim(*d1, rank)]);
    }
  } else if (target == "aten.t.default" || target == "aten.numpy_T.default") {
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
    if (target == "aten.t.default" && rank < 2)
      return update;
  }
  if (static_cast<int64_t>(perm.size()) == rank && rank > 0) {
    SmallVector<int64_t> inverse(rank);
    for (auto [i, p] : llvm::enumerate(perm))
      inverse[p] = i;
    return e.permute(update, inverse);
  }
  return emitError(loc) << "in-place update through a '" << target
                        << "' view is not supported";
}

void registerDataMovementOps(OpTable &t) {
  for (const char *name :
       {"aten.contiguous.default", "aten.clone.default", "aten.alias.default",
        "aten.detach.default", "aten.lift_fresh_copy.default",
        "aten.lift_fresh.default", "aten.lift.default", "aten.alias_copy.default",
        "aten.detach_copy.default", "aten.positive.default",
        "aten.resolve_conj.default", "aten.resolve_neg.default"})
    t.add(name, convertIdentity);
  t.addInPlace("aten.detach_.default", convertIdentity);
  for (const char *name :
       {"aten.view.default", "aten._unsafe_view.default", "aten.reshape.default",
        "aten.view_copy.default", "aten._reshape_alias.default",
        "aten.view_as.default", "aten.reshape_as.default",
        "aten.flatten.using_ints", "aten.unflatten.int",
        "aten.unsqueeze.default", "aten.unsqueeze_copy.default",
        "aten.squeeze.default", "aten.squeeze.dim", "aten.squeeze.dims",
        "aten.squeeze_copy.default", "aten.squeeze_copy.dim", "aten.squeeze_copy.dims",
        "aten.ravel.default"})
    t.add(name, convertReshapeLike);
  t.addInPlace("aten.unsqueeze_.default", convertReshapeLike);
  t.addInPlace("aten.squeeze_.dim", convertReshapeLike);
  t.addInPlace("aten.squeeze_.default", convertReshapeLike);
  t.add("aten.expand.default", convertExpand);
  t.add("aten.expand_copy.default", convertExpand);
  t.add("aten.expand_as.default", convertExpand);
  t.add("aten.broadcast_to.default", convertExpand);
  t.add("aten.permute.default", convertPermute);
  t.add("aten.permute_copy.default", convertPermute);
  t.add("aten.transpose.int", convertTranspose);
  t.add("aten.transpose_copy.int", convertTranspose);
  t.add("aten.swapaxes.default", convertTranspose);
  t.add("aten.swapdims.default", convertTranspose);
  t.add("aten.t.default", convertT);
  t.add("aten.t_copy.default", convertT);
  t.add("aten.numpy_T.default", convertNumpyT);
  for (const char *name : {"aten.mT.default", "aten.mH.default", "aten.adjoint.default"})
    t.add(name, convertMatrixT);
  t.add("aten.movedim.int", convertMovedim);
  t.add("aten.movedim.intlist", convertMovedim);
  t.add("aten.moveaxis.int", convertMovedim);
  t.add("aten.cat.default", convertCat);
  t.add("aten.concat.default", convertCat);
  t.add("aten.concatenate.default", convertCat);
  t.add("aten.stack.default", convertStack);
  for (const char *name : {"aten.hstack.default", "aten.vstack.default",
                           "aten.dstack.default", "aten.column_stack.default"})
    t.add(name, convertStackFamily);
  t.add("aten.slice.Tensor", convertSlice);
  t.add("aten.slice_copy.Tensor", convertSlice);
  t.add("aten.narrow.default", convertNarrow);
  t.add("aten.narrow_copy.default", convertNarrow);
  t.add("aten.select.int", convertSelect);
  t.add("aten.select_copy.int", convertSelect);
  auto split = [](NodeContext &ctx) {
    return convertEvenSplit(ctx, "split_size", [](int64_t, int64_t size) { return size; });
  };
  t.add("aten.split.Tensor", split);
  t.add("aten.split_copy.Tensor", split);
  t.add("aten.split_with_sizes.default", convertSplitWithSizes);
  t.add("aten.split_with_sizes_copy.default", convertSplitWithSizes);
  t.add("aten.chunk.default", [](NodeContext &ctx) {
    return convertEvenSplit(ctx, "chunks", [](int64_t n, int64_t chunks) {
      return std::max<int64_t>(1, n / chunks + (n % chunks != 0));
    });
  });
  t.add("aten.tensor_split.sections", convertTensorSplit);
  t.add("aten.tensor_split.indices", convertTensorSplit);
  t.add("aten.diag.default", convertDiag);
  t.add("aten.unbind.int", convertUnbind);
  t.add("aten.unbind_copy.int", convertUnbind);
  t.add("aten.flip.default", convertFlip);
  t.add("aten.roll.default", convertRoll);
  t.add("aten.repeat.default", convertRepeat);
  t.add("aten.repeat_interleave.self_int", convertRepeatInterleaveInt);
  t.add("aten.tile.default", convertRepeat);
  t.addWithInPlace("tril", "default", convertTriangle<true>);
  t.addWithInPlace("triu", "default", convertTriangle<false>);
  t.add("aten.pad.default", convertPad);
  t.add("aten.constant_pad_nd.default", convertConstantPadNd);
  for (const char *n : {"1d", "2d", "3d"}) {
    t.add(std::string("aten.reflection_pad") + n + ".default", convertModePad<kReflect>);
    t.add(std::string("aten.replication_pad") + n + ".default", convertModePad<kReplicate>);
  }
  t.add("aten._pad_circular.default", convertModePad<kCircular>);
  t.add("aten.pixel_shuffle.default", convertPixelShuffle<true>);
  t.add("aten.pixel_unshuffle.default", convertPixelShuffle<false>);
  t.add("aten.broadcast_tensors.default", convertBroadcastTensors);
  t.add("aten.diff.default", convertDiff);
  t.add("aten.diagonal.default", convertDiagonal);
  t.add("aten.diagonal_copy.default", convertDiagonal);
  t.add("aten.as_strided.default", convertAsStrided);
  t.add("aten.as_strided_copy.default", convertAsStrided);
  t.add("aten.slice_scatter.default", convertSliceScatter);
  t.add("aten.select_scatter.default", convertSelectScatter);
  t.add("aten.unfold.default", convertUnfold);
}

} // namespace thunder::importer
