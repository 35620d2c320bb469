//===- RandomOps.cpp - random number generation ---------------------------===//
//
// The dialect has no random-number state. rand/randn/bernoulli become a
// counter-based generator built from integer ops: each element's linear index
// is hashed (splitmix64) with a seed derived from the node's name. The numbers
// are uniformly (or normally) distributed but fixed: every call of the
// compiled model draws the same ones, and they differ from PyTorch's.
//
//===----------------------------------------------------------------------===//
#include "DTypes.h"
#include "NodeContext.h"
#include "OpTable.h"

#include <cmath>

using namespace mlir;

namespace thunder::importer {
namespace {

uint64_t fnv1a(StringRef s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

/// Logical shift right of an i64 tensor.
Value shiftRightLogical(Emitter &e, Value z, int64_t k) {
  Value s = ShiftRightOp::create(e.b, e.loc, z,
                                 e.splat(e.scalarInt(e.i64(), k), e.dims(z)));
  uint64_t mask = (k == 0) ? ~0ull : ((1ull << (64 - k)) - 1);
  return AndOp::create(e.b, e.loc, s,
                       e.splat(e.scalarInt(e.i64(), static_cast<int64_t>(mask)),
                               e.dims(z)));
}

Value mulConst(Emitter &e, Value z, uint64_t c) {
  return MulOp::create(e.b, e.loc, z,
                       e.splat(e.scalarInt(e.i64(), static_cast<int64_t>(c)), e.dims(z)));
}

/// Uniform numbers in [0, 1) of `type` (computed in f64), one per element.
Value uniform(Emitter &e, ArrayRef<OpFoldResult> sizes, Type type, uint64_t seed) {
  Value count = e.iota(Sizes{e.product(sizes)}, e.i64(), 0);
  Value z = e.reshape(count, sizes);
  z = mulConst(e, z, 0x9E3779B97F4A7C15ull);
  z = AddOp::create(e.b, e.loc, z,
                    e.splat(e.scalarInt(e.i64(), static_cast<int64_t>(seed)), e.dims(z)));
  z = XorOp::create(e.b, e.loc, z, shiftRightLogical(e, z, 30));
  z = mulConst(e, z, 0xBF58476D1CE4E5B9ull);
  z = XorOp::create(e.b, e.loc, z, shiftRightLogical(e, z, 27));
  z = mulConst(e, z, 0x94D049BB133111EBull);
  z = XorOp::create(e.b, e.loc, z, shiftRightLogical(e, z, 31));
  int bits = 53;
  if (auto ft = dyn_cast<FloatType>(type))
    bits = std::min<int>(53, llvm::APFloat::semanticsPrecision(ft.getFloatSemantics()));
  Value top = shiftRightLogical(e, z, 64 - bits);
  Type f64 = e.b.getF64Type();
  Value u = e.mulScalar(e.convert(top, f64), std::ldexp(1.0, -bits));
  return e.convert(u, type);
}

/// Standard normal numbers by Box-Muller.
Value normal(Emitter &e, ArrayRef<OpFoldResult> sizes, Type type, uint64_t seed) {
  Type f64 = e.b.getF64Type();
  Value u1 = uniform(e, sizes, f64, seed);
  Value u2 = uniform(e, sizes, f64, seed ^ 0x5851F42D4C957F2Dull);
  Value r = e.unary<SqrtOp>(
      e.mulScalar(e.unary<LogOp>(e.scalarBinary<SubOp>(1.0, u1)), -2.0));
  Value c = e.unary<CosOp>(e.mulScalar(u2, 2.0 * M_PI));
  return e.convert(e.mul(r, c), type);
}

template <bool Normal>
LogicalResult convertRandom(NodeContext &ctx) {
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  RankedTensorType type = ctx.resultType();
  Sizes sizes = ctx.resultSizes();
  if (failed(ctx.check()))
    return failure();
  if (!isFloat(type.getElementType()))
    return ctx.error() << "random numbers of " << type.getElementType()
                       << " are not supported";
  uint64_t seed = fnv1a(ctx.node().name);
  return ctx.bind(Normal ? normal(e, sizes, type.getElementType(), seed)
                         : uniform(e, sizes, type.getElementType(), seed));
}

/// bernoulli(self[, p]): rand < p.
LogicalResult convertBernoulli(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  std::optional<double> p = ctx.get("p") ? ctx.optionalReal("p") : std::nullopt;
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Type f32 = e.f32();
  Value u = uniform(e, e.dims(x), f32, fnv1a(ctx.node().name));
  Value prob = p ? e.splatLike(*p, u) : e.convert(x, f32);
  Value hit = CompareOp::create(e.b, e.loc, CompareDirection::LT, u, prob);
  return ctx.bind(e.convert(hit, ctx.resultElementType()));
}

/// randint(low, high, size): floor(rand * (high - low)) + low.
LogicalResult convertRandint(NodeContext &ctx) {
  int64_t low = ctx.get("low") ? ctx.integer("low") : 0;
  int64_t high = ctx.integer("high");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Sizes sizes = ctx.resultSizes();
  Type t = ctx.resultElementType();
  if (failed(ctx.check()))
    return failure();
  Type f64 = e.b.getF64Type();
  Value u = uniform(e, sizes, f64, fnv1a(ctx.node().name));
  Value v = e.unary<FloorOp>(e.mulScalar(u, static_cast<double>(high - low)));
  v = e.addScalar(v, static_cast<double>(low));
  return ctx.bind(e.convert(v, t));
}

/// randperm(n): the order that sorts n uniform numbers.
LogicalResult convertRandperm(NodeContext &ctx) {
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  Sizes sizes = ctx.resultSizes();
  if (failed(ctx.check()))
    return failure();
  Value u = uniform(e, sizes, e.b.getF64Type(), fnv1a(ctx.node().name));
  auto type = Emitter::typeOf(u);
  auto op = SortOp::create(e.b, e.loc, type, type.clone(e.i64()), u, uint64_t(0), false);
  return ctx.bind(e.convert(op.getIndices(), ctx.resultElementType()));
}

} // namespace

void registerRandomOps(OpTable &t) {
  t.add("aten.randperm.default", convertRandperm);
  t.add("aten.randperm.generator", convertRandperm);
  for (const char *name : {"aten.rand.default", "aten.rand_like.default",
                           "aten.rand.generator"})
    t.add(name, convertRandom<false>);
  for (const char *name : {"aten.randn.default", "aten.randn_like.default",
                           "aten.randn.generator"})
    t.add(name, convertRandom<true>);
  t.add("aten.bernoulli.default", convertBernoulli);
  t.add("aten.bernoulli.p", convertBernoulli);
  t.add("aten.randint.default", convertRandint);
  t.add("aten.randint.low", convertRandint);
  t.add("aten.randint_like.default", convertRandint);
  t.add("aten.randint_like.low_dtype", convertRandint);
}

} // namespace thunder::importer
