//===- Convolution.cpp - recognising convolution generics -----------------===//
#include "Convolution.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;

namespace thunder::cuda {
namespace {

/// `e` as a sum of coefficient * dim plus a constant, when it is one.
struct Linear {
  llvm::SmallDenseMap<unsigned, int64_t, 4> terms;
  int64_t constant = 0;
};

bool addTerms(AffineExpr e, int64_t scale, Linear &l) {
  if (auto d = dyn_cast<AffineDimExpr>(e)) {
    l.terms[d.getPosition()] += scale;
    return true;
  }
  if (auto c = dyn_cast<AffineConstantExpr>(e)) {
    l.constant += scale * c.getValue();
    return true;
  }
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return false;
  if (e.getKind() == AffineExprKind::Add)
    return addTerms(bin.getLHS(), scale, l) && addTerms(bin.getRHS(), scale, l);
  if (e.getKind() != AffineExprKind::Mul)
    return false;
  if (auto c = dyn_cast<AffineConstantExpr>(bin.getRHS()))
    return addTerms(bin.getLHS(), scale * c.getValue(), l);
  if (auto c = dyn_cast<AffineConstantExpr>(bin.getLHS()))
    return addTerms(bin.getRHS(), scale * c.getValue(), l);
  return false;
}

std::optional<Linear> decompose(AffineExpr e) {
  Linear l;
  if (!addTerms(e, 1, l))
    return std::nullopt;
  for (auto it = l.terms.begin(); it != l.terms.end();) {
    auto current = it++;
    if (current->second == 0)
      l.terms.erase(current);
  }
  return l;
}

unsigned dimAt(AffineMap map, unsigned i) {
  return cast<AffineDimExpr>(map.getResult(i)).getPosition();
}

/// What a result expression of the input side reads: a constant, one of
/// n / g / c, or spatial dim `spatial` (with its stride and dilation).
struct Access {
  enum Kind { Constant, Dim, Spatial } kind;
  int64_t value = 0;    // Constant: the value; Dim: the loop
  unsigned spatial = 0; // Spatial: which
  int64_t stride = 0, dilation = 0;
};

std::optional<Access> classify(const ConvLoops &l, AffineExpr e) {
  std::optional<Linear> lin = decompose(e);
  if (!lin)
    return std::nullopt;
  if (lin->terms.empty())
    return Access{Access::Constant, lin->constant};
  if (lin->constant != 0)
    return std::nullopt;
  if (lin->terms.size() == 1) {
    auto [d, coeff] = *lin->terms.begin();
    if (coeff == 1 && (d == l.n || d == l.c || (l.g && d == *l.g)))
      return Access{Access::Dim, d};
    return std::nullopt;
  }
  if (lin->terms.size() != 2)
    return std::nullopt;
  for (unsigned i = 0; i < l.numSpatial(); ++i) {
    auto s = lin->terms.find(l.out[i]), d = lin->terms.find(l.win[i]);
    if (s != lin->terms.end() && d != lin->terms.end() && s->second > 0 && d->second > 0)
      return Access{Access::Spatial, 0, i, s->second, d->second};
  }
  return std::nullopt;
}

} // namespace

AffineMap ConvLoops::inputMap(MLIRContext *ctx, unsigned numLoops) const {
  SmallVector<AffineExpr> results = {getAffineDimExpr(n, ctx)};
  if (g)
    results.push_back(getAffineDimExpr(*g, ctx));
  results.push_back(getAffineDimExpr(c, ctx));
  for (unsigned i = 0; i < numSpatial(); ++i)
    results.push_back(getAffineDimExpr(out[i], ctx) * stride[i] +
                      getAffineDimExpr(win[i], ctx) * dilation[i]);
  return AffineMap::get(numLoops, 0, results, ctx);
}

std::optional<AffineMap> ConvLoops::toInputSpace(AffineMap map) const {
  MLIRContext *ctx = map.getContext();
  unsigned lead = g ? 3 : 2;
  SmallVector<AffineExpr> results;
  for (AffineExpr e : map.getResults()) {
    std::optional<Access> a = classify(*this, e);
    if (!a)
      return std::nullopt;
    switch (a->kind) {
    case Access::Constant:
      results.push_back(getAffineConstantExpr(a->value, ctx));
      break;
    case Access::Dim:
      results.push_back(getAffineDimExpr(a->value == n ? 0 : a->value == c ? lead - 1 : 1, ctx));
      break;
    case Access::Spatial:
      if (a->stride != stride[a->spatial] || a->dilation != dilation[a->spatial])
        return std::nullopt;
      results.push_back(getAffineDimExpr(lead + a->spatial, ctx));
      break;
    }
  }
  return AffineMap::get(rank(), 0, results, ctx);
}

std::optional<ConvLoops> matchConvLoops(AffineMap output, AffineMap weight,
                                        ArrayRef<AffineMap> inputs,
                                        ArrayRef<utils::IteratorType> iterators) {
  unsigned numLoops = output.getNumDims();
  if (iterators.size() != numLoops || weight.getNumDims() != numLoops ||
      !output.isProjectedPermutation() || !weight.isProjectedPermutation())
    return std::nullopt;
  unsigned r = output.getNumResults();
  if (weight.getNumResults() != r || r < 3 || dimAt(weight, 0) != dimAt(output, 1))
    return std::nullopt;
  ConvLoops l;
  bool grouped = r >= 4 && dimAt(weight, 1) == dimAt(output, 2);
  unsigned lead = grouped ? 3 : 2;
  l.n = dimAt(output, 0);
  if (grouped)
    l.g = dimAt(output, 1);
  l.o = dimAt(output, lead - 1);
  l.c = dimAt(weight, lead - 1);
  for (unsigned i = lead; i < r; ++i) {
    l.out.push_back(dimAt(output, i));
    l.win.push_back(dimAt(weight, i));
  }
  // Every loop exactly once, in its role.
  SmallVector<unsigned> parallel = {l.n, l.o}, reduced = {l.c};
  if (l.g)
    parallel.push_back(*l.g);
  llvm::append_range(parallel, l.out);
  llvm::append_range(reduced, l.win);
  llvm::SmallBitVector seen(numLoops);
  for (auto [dims, kind] : {std::make_pair(&parallel, utils::IteratorType::parallel),
                            std::make_pair(&reduced, utils::IteratorType::reduction)})
    for (unsigned d : *dims) {
      if (seen.test(d) || iterators[d] != kind)
        return std::nullopt;
      seen.set(d);
    }
  if (!seen.all())
    return std::nullopt;

  unsigned k = l.numSpatial();
  l.stride.assign(k, 0);
  l.dilation.assign(k, 0);
  for (AffineMap map : inputs) {
    if (map.getNumDims() != numLoops || map.getNumSymbols() != 0)
      return std::nullopt;
    for (AffineExpr e : map.getResults()) {
      std::optional<Access> a = classify(l, e);
      if (!a)
        return std::nullopt;
      if (a->kind != Access::Spatial)
        continue;
      int64_t &s = l.stride[a->spatial], &d = l.dilation[a->spatial];
      if ((s && s != a->stride) || (d && d != a->dilation))
        return std::nullopt;
      s = a->stride;
      d = a->dilation;
    }
  }
  if (llvm::is_contained(l.stride, 0))
    return std::nullopt;
  return l;
}

std::optional<ConvLoops> matchConvolution(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap in = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap w = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  std::optional<ConvLoops> l = matchConvLoops(out, w, {in}, op.getIteratorTypesArray());
  if (!l)
    return std::nullopt;
  std::optional<AffineMap> space = l->toInputSpace(in);
  if (!space || !space->isIdentity())
    return std::nullopt;
  return l;
}

} // namespace thunder::cuda
