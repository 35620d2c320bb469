//===- SymbolicOps.cpp - symbolic ints: sym_size and integer arithmetic ----===//
//
// Nodes that compute symbolic ints (`aten.sym_size.int`, `_operator.mul`,
// `torch.sym_max`, ...) produce `index` values (arith ops on tensor.dim), which
// later nodes use for their SymInt arguments.
//
//===----------------------------------------------------------------------===//
#include "NodeContext.h"
#include "OpTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace thunder::importer {
namespace {

/// The i-th operand of a symbolic op (named `a`, `b` or positional).
FailureOr<Value> symOperand(NodeContext &ctx, size_t i) {
  static const char *const kNames[] = {"a", "b", "c"};
  Scalar s;
  if (i < 3 && ctx.get(kNames[i])) {
    s = ctx.scalar(kNames[i]);
  } else if (i < ctx.node().inputs.size()) {
    s = ctx.scalar(ctx.node().inputs[i].name);
  } else {
    return ctx.error() << "'" << ctx.target() << "' needs " << i + 1 << " operands";
  }
  if (failed(ctx.check()))
    return failure();
  if (s.kind == Scalar::Kind::SymInt)
    return s.sym;
  if (s.kind == Scalar::Kind::Float)
    return ctx.error() << "symbolic float arithmetic is not supported";
  return arith::ConstantIndexOp::create(ctx.builder(), ctx.loc(), s.i).getResult();
}

/// Tensor "self" and its checked (existing) dim "dim": sym_size, sym_stride.
FailureOr<std::pair<Value, int64_t>> selfAndDim(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  int64_t dim = ctx.integer("dim");
  if (failed(ctx.check()))
    return failure();
  FailureOr<int64_t> d = ctx.dim(dim, Emitter::rankOf(x), DimRange::Existing);
  if (failed(d))
    return failure();
  return std::make_pair(x, *d);
}

LogicalResult convertSymSize(NodeContext &ctx) {
  FailureOr<std::pair<Value, int64_t>> a = selfAndDim(ctx);
  if (failed(a))
    return failure();
  Emitter &e = ctx.emit();
  return ctx.bindSymInt(0, e.indexValue(e.dim(a->first, a->second)));
}

LogicalResult convertSymNumel(NodeContext &ctx) {
  Value x = ctx.tensor("self");
  if (failed(ctx.check()))
    return failure();
  Emitter &e = ctx.emit();
  return ctx.bindSymInt(0, e.indexValue(e.product(e.dims(x))));
}

/// The stride of a contiguous tensor.
LogicalResult convertSymStride(NodeContext &ctx) {
  FailureOr<std::pair<Value, int64_t>> a = selfAndDim(ctx);
  if (failed(a))
    return failure();
  Emitter &e = ctx.emit();
  Sizes sizes = e.dims(a->first);
  return ctx.bindSymInt(
      0, e.indexValue(e.product(ArrayRef<OpFoldResult>(sizes).drop_front(a->second + 1))));
}

LogicalResult convertSymStorageOffset(NodeContext &ctx) {
  return ctx.bindSymInt(
      0, arith::ConstantIndexOp::create(ctx.builder(), ctx.loc(), 0).getResult());
}

template <typename OpTy>
LogicalResult symBinary(NodeContext &ctx) {
  FailureOr<Value> a = symOperand(ctx, 0), b = symOperand(ctx, 1);
  if (failed(a) || failed(b))
    return failure();
  return ctx.bindSymInt(0, OpTy::create(ctx.builder(), ctx.loc(), *a, *b).getResult());
}

/// Python's a % b (sign of the divisor).
LogicalResult symMod(NodeContext &ctx) {
  FailureOr<Value> a = symOperand(ctx, 0), b = symOperand(ctx, 1);
  if (failed(a) || failed(b))
    return failure();
  OpBuilder &bld = ctx.builder();
  Location loc = ctx.loc();
  Value r = arith::RemSIOp::create(bld, loc, *a, *b);
  Value shifted = arith::AddIOp::create(bld, loc, r, *b);
  return ctx.bindSymInt(0, arith::RemSIOp::create(bld, loc, shifted, *b).getResult());
}

LogicalResult symNeg(NodeContext &ctx) {
  FailureOr<Value> a = symOperand(ctx, 0);
  if (failed(a))
    return failure();
  Value zero = arith::ConstantIndexOp::create(ctx.builder(), ctx.loc(), 0);
  return ctx.bindSymInt(
      0, arith::SubIOp::create(ctx.builder(), ctx.loc(), zero, *a).getResult());
}

/// Integer-valued identities (math.floor of an int, torch.sym_int).
LogicalResult symIdentity(NodeContext &ctx) {
  FailureOr<Value> a = symOperand(ctx, 0);
  if (failed(a))
    return failure();
  return ctx.bindSymInt(0, *a);
}

/// Symbolic bools only feed assertions, which are dropped.
LogicalResult symBoolNoOp(NodeContext &) { return success(); }

} // namespace

void registerSymbolicOps(OpTable &t) {
  t.add("aten.sym_size.int", convertSymSize);
  t.add("aten.sym_numel.default", convertSymNumel);
  t.add("aten.sym_stride.int", convertSymStride);
  t.add("aten.sym_storage_offset.default", convertSymStorageOffset);
  t.add("_operator.add", symBinary<arith::AddIOp>);
  t.add("_operator.sub", symBinary<arith::SubIOp>);
  t.add("_operator.mul", symBinary<arith::MulIOp>);
  t.add("_operator.floordiv", symBinary<arith::FloorDivSIOp>);
  t.add("_operator.mod", symMod);
  t.add("_operator.neg", symNeg);
  t.add("torch.sym_max", symBinary<arith::MaxSIOp>);
  t.add("torch.sym_min", symBinary<arith::MinSIOp>);
  t.add("torch.sym_int", symIdentity);
  t.add("math.floor", symIdentity);
  t.add("math.ceil", symIdentity);
  t.add("math.trunc", symIdentity);
  for (const char *name : {"_operator.eq", "_operator.ne", "_operator.lt",
                           "_operator.le", "_operator.gt", "_operator.ge",
                           "_operator.and_", "_operator.or_", "torch.sym_not"})
    t.add(name, symBoolNoOp);
}

} // namespace thunder::importer
