//===- LinearAlgebraOps.cpp - linear, matmul family, einsum ---------------===//
//
// Everything becomes `thunder.matmul` ([..., M, K] x [..., K, N], same batch
// dims) after the permutes, reshapes and broadcasts torch.matmul implies:
// linear = x @ W^T (+ b); addmm = beta * self + alpha * (m1 @ m2); einsum
// contracts operand pairs through batched matmuls.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "Decompositions.h"
#include "OpTable.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <map>

using namespace mlir;

namespace thunder::importer {
namespace {

LogicalResult convertLinear(NodeContext &ctx) {
  Value x = ctx.tensor("input"), w = ctx.tensor("weight");
  std::optional<Value> bias = ctx.optionalTensor("bias");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Value wt = Emitter::rankOf(w) == 2 ? e.transpose(w, 0, 1) : w;
  Value y = e.matmul(x, wt);
  if (bias)
    y = e.add(y, *bias);
  return ctx.bind(y);
}

LogicalResult convertMatmul(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  StringRef other = ctx.get("other") ? "other"
                    : ctx.get("mat2") ? "mat2"
                    : ctx.get("vec")  ? "vec"
                    : ctx.get("vec2") ? "vec2"
                                      : "tensor";
  Value y = ctx.tensor(other);
  if (failed(ctx.check()))
    return failure();
  return ctx.bind(ctx.emit().matmul(x, y));
}

/// beta * self + alpha * (a @ b): addmm, baddbmm, addmv, addbmm.
LogicalResult addProduct(NodeContext &ctx, StringRef aName, StringRef bName,
                         bool sumBatch) {
  Value self = ctx.tensor("self");
  Value a = ctx.tensor(aName), b = ctx.tensor(bName);
  std::optional<Scalar> beta = ctx.optionalScalar("beta");
  std::optional<Scalar> alpha = ctx.optionalScalar("alpha");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  Value p = e.matmul(e.convert(a, t), e.convert(b, t));
  if (sumBatch)
    p = e.sum(p, {0}, false);
  if (alpha && !(alpha->isStatic() && alpha->asDouble() == 1.0))
    p = e.mul(p, ctx.materialize(Operand{Value(), *alpha}, t));
  // beta = 0 ignores self entirely (NaN and inf included).
  if (beta && beta->isStatic() && beta->asDouble() == 0.0)
    return ctx.bind(e.broadcastTo(p, ctx.resultSizes()));
  Value s = e.convert(self, t);
  if (beta && !(beta->isStatic() && beta->asDouble() == 1.0))
    s = e.mul(s, ctx.materialize(Operand{Value(), *beta}, t));
  return ctx.bind(e.add(s, p));
}

LogicalResult convertAddmm(NodeContext &ctx) { return addProduct(ctx, "mat1", "mat2", false); }
LogicalResult convertBaddbmm(NodeContext &ctx) {
  return addProduct(ctx, "batch1", "batch2", false);
}
LogicalResult convertAddbmm(NodeContext &ctx) {
  return addProduct(ctx, "batch1", "batch2", true);
}
LogicalResult convertAddmv(NodeContext &ctx) { return addProduct(ctx, "mat", "vec", false); }

LogicalResult convertOuter(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  Value y = ctx.tensor(ctx.get("vec2") ? "vec2" : "other");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Value col = e.unsqueeze(x, 1), row = e.unsqueeze(y, 0);
  return ctx.bind(e.mul(col, row));
}

/// tensordot(a, b, dims_a, dims_b): contract the listed dims pairwise.
LogicalResult convertTensordot(NodeContext &ctx) {
  Value a = ctx.tensor("self"), b = ctx.tensor("other");
  SmallVector<int64_t> da = ctx.integers("dims_self"), db = ctx.integers("dims_other");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  if (da.size() != db.size())
    return ctx.error() << "tensordot: dims lists differ in length";
  int64_t ra = Emitter::rankOf(a), rb = Emitter::rankOf(b);
  FailureOr<SmallVector<int64_t>> ca = ctx.dims(da, ra, DimRange::Existing, "dims_self");
  FailureOr<SmallVector<int64_t>> cb = ctx.dims(db, rb, DimRange::Existing, "dims_other");
  if (failed(ctx.check()))
    return failure();
  da = *ca;
  db = *cb;
  SmallVector<int64_t> pa, pb;
  for (int64_t i = 0; i < ra; ++i)
    if (!llvm::is_contained(da, i))
      pa.push_back(i);
  size_t freeA = pa.size();
  llvm::append_range(pa, da);
  llvm::append_range(pb, db);
  for (int64_t i = 0; i < rb; ++i)
    if (!llvm::is_contained(db, i))
      pb.push_back(i);
  Value ap = e.permute(a, pa), bp = e.permute(b, pb);
  Sizes as = e.dims(ap), bs = e.dims(bp);
  ArrayRef<OpFoldResult> asr(as), bsr(bs);
  OpFoldResult m = e.product(asr.take_front(freeA));
  OpFoldResult k = e.product(asr.drop_front(freeA));
  OpFoldResult n = e.product(bsr.drop_front(db.size()));
  Value r = e.matmul(e.reshape(ap, Sizes{m, k}), e.reshape(bp, Sizes{k, n}));
  Sizes out(asr.take_front(freeA));
  llvm::append_range(out, bsr.drop_front(db.size()));
  return ctx.bind(e.reshape(r, out));
}

/// bilinear: y[..., k] = x1[..., i] W[k, i, j] x2[..., j] + b[k].
LogicalResult convertBilinear(NodeContext &ctx) {
  Value x1 = ctx.tensor("input1"), x2 = ctx.tensor("input2"), w = ctx.tensor("weight");
  std::optional<Value> bias = ctx.optionalTensor("bias");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Sizes ws = e.dims(w);
  // [k, i, j] -> [i, k * j]
  Value wt = e.reshape(e.permute(w, {1, 0, 2}), Sizes{ws[1], e.mul(ws[0], ws[2])});
  Value t = e.matmul(x1, wt);
  Sizes ts = e.dims(t);
  ts.back() = ws[0];
  ts.push_back(ws[2]);
  t = e.reshape(t, ts);
  Value y = e.sum(e.mul(t, e.unsqueeze(x2, Emitter::rankOf(x2) - 1)),
                  {static_cast<int64_t>(ts.size()) - 1}, false);
  if (bias)
    y = e.add(y, *bias);
  return ctx.bind(y);
}

/// _trilinear: the product of the three inputs, each unsqueezed at its expand
/// dims, summed over sumdim.
LogicalResult convertTrilinear(NodeContext &ctx) {
  SmallVector<Value> in = {ctx.tensor("i1"), ctx.tensor("i2"), ctx.tensor("i3")};
  SmallVector<SmallVector<int64_t>> expand = {
      ctx.integers("expand1"), ctx.integers("expand2"), ctx.integers("expand3")};
  SmallVector<int64_t> sumdim = ctx.integers("sumdim");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  // Each input unsqueezed at its expand dims has rank `total` (PyTorch's check).
  int64_t total = Emitter::rankOf(in[0]) + static_cast<int64_t>(expand[0].size());
  const char *const names[] = {"expand1", "expand2", "expand3"};
  Value acc;
  for (auto [v, dims, name] : llvm::zip(in, expand, names)) {
    if (Emitter::rankOf(v) + static_cast<int64_t>(dims.size()) != total)
      return ctx.error() << "_trilinear: the inputs with their expand dims differ in rank";
    FailureOr<SmallVector<int64_t>> sorted = ctx.dims(dims, total, DimRange::Wrapped, name);
    if (failed(sorted))
      return failure();
    llvm::sort(*sorted);
    for (int64_t d : *sorted)
      v = e.unsqueeze(v, d);
    acc = acc ? e.mul(acc, v) : v;
  }
  FailureOr<SmallVector<int64_t>> summed = ctx.dims(sumdim, total, DimRange::Wrapped, "sumdim");
  if (failed(summed))
    return failure();
  if (!summed->empty())
    acc = e.sum(acc, *summed, false);
  return ctx.bind(acc);
}

/// cdist / _cdist_forward: p-norm distances between the rows of x1 and x2.
LogicalResult convertCdist(NodeContext &ctx) {
  Value x1 = ctx.tensor("x1"), x2 = ctx.tensor("x2");
  double p = ctx.optionalReal("p").value_or(2.0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type t = ctx.resultElementType();
  x1 = e.convert(x1, t);
  x2 = e.convert(x2, t);
  int64_t r = Emitter::rankOf(x1);
  if (r < 2 || Emitter::rankOf(x2) != r)
    return ctx.error() << "cdist needs inputs of one rank >= 2";
  return ctx.bind(e.broadcastTo(pairwiseDistance(e, x1, x2, p), ctx.resultSizes()));
}

/// _pdist_forward: the distances of the row pairs i < j, in row-major order.
LogicalResult convertPdist(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  double p = ctx.optionalReal("p").value_or(2.0);
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  int64_t n = Emitter::shapeOf(x)[0];
  if (Emitter::rankOf(x) != 2 || ShapedType::isDynamic(n))
    return ctx.error() << "pdist needs a 2-D input with a static row count";
  x = e.convert(x, ctx.resultElementType());
  Value d = pairwiseDistance(e, x, x, p);
  SmallVector<int64_t> is, js;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) {
      is.push_back(i);
      js.push_back(j);
    }
  int64_t count = is.size();
  if (count == 0)
    return ctx.bind(e.full(ctx.resultSizes(), e.scalarAttr(ctx.resultElementType(), 0.0)));
  Value ii = e.constantInts({count}, e.i64(), is), jj = e.constantInts({count}, e.i64(), js);
  auto type = RankedTensorType::get({count}, Emitter::elementTypeOf(d));
  return ctx.bind(IndexOp::create(e.b, e.loc, type, d, ValueRange{ii, jj}, uint64_t(0))
                      .getResult());
}

//===--- einsum ---------------------------------------------------------------===//

/// An operand with one label per dimension.
struct Labeled {
  Value value;
  std::string labels;
};

/// Sums away the labels of `op` that are not in `keep`.
Labeled sumOut(Emitter &e, Labeled op, StringRef keep) {
  SmallVector<int64_t> dims;
  std::string rest;
  for (auto [i, c] : llvm::enumerate(op.labels)) {
    if (keep.contains(c))
      rest.push_back(c);
    else
      dims.push_back(i);
  }
  if (dims.empty())
    return op;
  return {e.sum(op.value, dims, false), rest};
}

/// Permutes `op` to the label order `order` (a permutation of its labels).
Value permuteTo(Emitter &e, const Labeled &op, StringRef order) {
  SmallVector<int64_t> perm;
  for (char c : order)
    perm.push_back(op.labels.find(c));
  return e.permute(op.value, perm);
}

Labeled contract(Emitter &e, Labeled a, Labeled b, StringRef needed) {
  // Labels of one operand only that nobody needs are summed first.
  std::string keepA = needed.str() + b.labels, keepB = needed.str() + a.labels;
  a = sumOut(e, a, keepA);
  b = sumOut(e, b, keepB);
  std::string batch, lhs, rhs, contracted;
  for (char c : a.labels) {
    bool inB = b.labels.find(c) != std::string::npos;
    bool need = needed.contains(c);
    if (inB && need)
      batch.push_back(c);
    else if (inB)
      contracted.push_back(c);
    else
      lhs.push_back(c);
  }
  for (char c : b.labels)
    if (a.labels.find(c) == std::string::npos)
      rhs.push_back(c);
  Value av = permuteTo(e, a, batch + lhs + contracted);
  Value bv = permuteTo(e, b, batch + contracted + rhs);
  size_t nb = batch.size();
  Sizes as = e.dims(av), bs = e.dims(bv);
  auto range = [](const Sizes &s, size_t from, size_t n) {
    return ArrayRef<OpFoldResult>(s).slice(from, n);
  };
  Sizes aBatch(range(as, 0, nb)), bBatch(range(bs, 0, nb));
  OpFoldResult m = e.product(range(as, nb, lhs.size()));
  OpFoldResult k = e.product(range(as, nb + lhs.size(), contracted.size()));
  OpFoldResult n = e.product(range(bs, nb + contracted.size(), rhs.size()));
  Sizes a3(aBatch), b3(bBatch);
  a3.append({m, k});
  b3.append({k, n});
  Value r = e.matmul(e.reshape(av, a3), e.reshape(bv, b3));
  // [batch..., M, N] -> [batch..., lhs..., rhs...]
  Sizes rs = e.dims(r);
  Sizes out(range(rs, 0, nb));
  llvm::append_range(out, range(as, nb, lhs.size()));
  llvm::append_range(out, range(bs, nb + contracted.size(), rhs.size()));
  return {e.reshape(r, out), batch + lhs + rhs};
}

LogicalResult convertEinsum(NodeContext &ctx) {
  std::string equation = ctx.string("equation");
  SmallVector<Value> operands = ctx.tensorList("tensors");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  equation.erase(std::remove(equation.begin(), equation.end(), ' '), equation.end());
  StringRef eq = equation;
  auto [lhsText, rhsText] = eq.split("->");
  bool explicitOutput = eq.contains("->");
  SmallVector<StringRef> terms;
  lhsText.split(terms, ',');
  if (terms.size() != operands.size())
    return ctx.error() << "einsum '" << equation << "' has " << terms.size()
                       << " operand terms for " << operands.size() << " tensors";
  // Ellipses become private labels ('0'..'9'), aligned from the right.
  size_t ellipsisRank = 0;
  for (auto [term, v] : llvm::zip(terms, operands))
    if (term.contains("..."))
      ellipsisRank = std::max<size_t>(ellipsisRank,
                                      Emitter::rankOf(v) - (term.size() - 3));
  if (ellipsisRank > 10)
    return ctx.error() << "einsum ellipsis covers too many dims";
  std::string ellipsis;
  for (size_t i = 0; i < ellipsisRank; ++i)
    ellipsis.push_back('0' + i);
  SmallVector<Labeled> ops;
  std::map<char, int> counts;
  for (auto [term, v] : llvm::zip(terms, operands)) {
    std::string labels = term.str();
    size_t pos = labels.find("...");
    if (pos != std::string::npos) {
      size_t n = Emitter::rankOf(v) - (labels.size() - 3);
      labels.replace(pos, 3, ellipsis.substr(ellipsisRank - n));
    }
    if (static_cast<int64_t>(labels.size()) != Emitter::rankOf(v))
      return ctx.error() << "einsum term '" << term << "' does not match rank "
                         << Emitter::rankOf(v);
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels.find(labels[i], i + 1) != std::string::npos)
        return ctx.error() << "einsum with a repeated label in one operand "
                              "(a diagonal) is not supported";
    for (char c : labels)
      ++counts[c];
    ops.push_back({v, labels});
  }
  std::string output;
  if (explicitOutput) {
    output = rhsText.str();
    size_t pos = output.find("...");
    if (pos != std::string::npos)
      output.replace(pos, 3, ellipsis);
  } else {
    output = ellipsis;
    for (auto [c, n] : counts)
      if (n == 1 && !llvm::isDigit(c))
        output.push_back(c);
  }
  // Contract left to right; each step keeps what later operands or the
  // output still need.
  Type t = ctx.resultElementType();
  for (Labeled &op : ops)
    op.value = e.convert(op.value, t);
  Labeled acc = ops.front();
  for (size_t i = 1; i < ops.size(); ++i) {
    std::string needed = output;
    for (size_t j = i + 1; j < ops.size(); ++j)
      needed += ops[j].labels;
    acc = contract(e, acc, ops[i], needed);
  }
  acc = sumOut(e, acc, output);
  for (char c : output)
    if (acc.labels.find(c) == std::string::npos)
      return ctx.error() << "einsum output label '" << c << "' is not an input label";
  Value r = permuteTo(e, acc, output);
  return ctx.bind(e.broadcastTo(r, ctx.resultSizes()));
}

} // namespace

Value pairwiseDistance(Emitter &e, Value x1, Value x2, double p) {
  Type t = Emitter::elementTypeOf(x1);
  int64_t r = Emitter::rankOf(x1);
  // [..., P, 1, M] - [..., 1, R, M]
  Value d = e.sub(e.unsqueeze(x1, r - 1), e.unsqueeze(x2, r - 2));
  Value a = e.unary<AbsOp>(d);
  int64_t last = r;
  if (p == 0.0)
    return e.sum(e.convert(e.compareScalar(CompareDirection::NE, a, 0.0), t), {last}, false);
  if (std::isinf(p))
    return e.reduce<ReduceMaxOp>(a, {last}, false);
  if (p == 1.0)
    return e.sum(a, {last}, false);
  if (p == 2.0)
    return e.unary<SqrtOp>(e.sum(e.mul(d, d), {last}, false));
  return e.binaryScalar<PowOp>(e.sum(e.binaryScalar<PowOp>(a, p), {last}, false), 1.0 / p);
}

void registerLinearAlgebraOps(OpTable &t) {
  t.add("aten._pdist_forward.default", convertPdist);
  t.add("aten.pdist.default", convertPdist);
  t.add("aten.linear.default", convertLinear);
  for (const char *name :
       {"aten.matmul.default", "aten.mm.default", "aten.bmm.default",
        "aten.mv.default", "aten.dot.default", "aten.vdot.default"})
    t.add(name, convertMatmul);
  t.addWithInPlace("addmm", "default", convertAddmm);
  t.addWithInPlace("baddbmm", "default", convertBaddbmm);
  t.addWithInPlace("addbmm", "default", convertAddbmm);
  t.addWithInPlace("addmv", "default", convertAddmv);
  t.add("aten.outer.default", convertOuter);
  t.add("aten.ger.default", convertOuter);
  t.add("aten.einsum.default", convertEinsum);
  t.add("aten.tensordot.default", convertTensordot);
  t.add("aten.cdist.default", convertCdist);
  t.add("aten._cdist_forward.default", convertCdist);
  t.add("aten.bilinear.default", convertBilinear);
  t.add("aten._trilinear.default", convertTrilinear);
}

} // namespace thunder::importer
