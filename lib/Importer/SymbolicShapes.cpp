//===- SymbolicShapes.cpp - symbolic sizes as index values ----------------===//
#include "SymbolicShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace thunder::importer {

using pt2::SymExpr;

void SymbolicShapes::bindSymbol(StringRef symbol, BlockArgument arg,
                                int64_t dim) {
  if (!symbols.count(symbol))
    symbols[symbol] = Binding{arg, dim, Value()};
}

void SymbolicShapes::noteArgumentDim(BlockArgument arg, int64_t dim,
                                     StringRef symbol) {
  argumentSymbols[{arg.getAsOpaquePointer(), dim}] = symbol.str();
}

Value SymbolicShapes::argumentDim(BlockArgument arg, int64_t dim) {
  auto it = argumentSymbols.find({arg.getAsOpaquePointer(), dim});
  if (it == argumentSymbols.end())
    return {};
  OpBuilder b(arg.getContext());
  FailureOr<Value> v =
      materialize(pt2::SymExpr::symbol(it->second), b, arg.getLoc());
  return succeeded(v) ? *v : Value();
}

FailureOr<OpFoldResult> SymbolicShapes::size(const pt2::SymInt &sym,
                                             OpBuilder &b, Location loc) {
  if (auto c = sym.asConstant())
    return OpFoldResult(b.getIndexAttr(*c));
  if (!sym.expr)
    return OpFoldResult(b.getIndexAttr(sym.value));
  FailureOr<Value> v = materialize(*sym.expr, b, loc);
  if (failed(v))
    return failure();
  return OpFoldResult(*v);
}

FailureOr<Value> SymbolicShapes::materialize(const SymExpr &expr, OpBuilder &b,
                                             Location loc) {
  std::string key = expr.toString();
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  FailureOr<Value> v = build(expr, b, loc);
  if (succeeded(v))
    cache[key] = *v;
  return v;
}

FailureOr<Value> SymbolicShapes::build(const SymExpr &expr, OpBuilder &b,
                                       Location loc) {
  using K = SymExpr::Kind;
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // Children first (most kinds need them all).
  SmallVector<Value> kids;
  auto buildChildren = [&]() -> LogicalResult {
    for (const SymExpr &child : expr.children) {
      FailureOr<Value> v = materialize(child, b, loc);
      if (failed(v))
        return failure();
      kids.push_back(*v);
    }
    return success();
  };
  auto fold = [&](auto makeOp) -> FailureOr<Value> {
    if (failed(buildChildren()) || kids.empty())
      return failure();
    Value acc = kids.front();
    for (Value v : ArrayRef<Value>(kids).drop_front())
      acc = makeOp(acc, v);
    return acc;
  };
  // Python's a % b for b > 0 (and sympy's Mod on integers).
  auto pythonMod = [&](Value a, Value m) -> Value {
    Value r = arith::RemSIOp::create(b, loc, a, m);
    Value rPlus = arith::AddIOp::create(b, loc, r, m);
    return arith::RemSIOp::create(b, loc, rPlus, m);
  };
  auto asIndex = [&](Value i1) -> Value {
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), i1);
  };
  auto compare = [&](arith::CmpIPredicate pred) -> FailureOr<Value> {
    if (failed(buildChildren()) || kids.size() != 2)
      return failure();
    return asIndex(arith::CmpIOp::create(b, loc, pred, kids[0], kids[1]));
  };

  switch (expr.kind) {
  case K::Integer:
  case K::Boolean:
    return constant(expr.value);
  case K::Symbol: {
    auto it = symbols.find(expr.name);
    if (it == symbols.end()) {
      emitError(loc) << "symbolic size '" << expr.name
                     << "' is not the size of any user input dimension, so "
                        "it cannot be computed at run time";
      return failure();
    }
    Binding &binding = it->second;
    if (!binding.value) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(entry);
      binding.value =
          tensor::DimOp::create(b, binding.arg.getLoc(), binding.arg, binding.dim);
    }
    return binding.value;
  }
  case K::Add:
    return fold([&](Value x, Value y) -> Value {
      return arith::AddIOp::create(b, loc, x, y);
    });
  case K::Mul:
    return fold([&](Value x, Value y) -> Value {
      return arith::MulIOp::create(b, loc, x, y);
    });
  case K::Max:
    return fold([&](Value x, Value y) -> Value {
      return arith::MaxSIOp::create(b, loc, x, y);
    });
  case K::Min:
    return fold([&](Value x, Value y) -> Value {
      return arith::MinSIOp::create(b, loc, x, y);
    });
  case K::FloorDiv:
    return fold([&](Value x, Value y) -> Value {
      return arith::FloorDivSIOp::create(b, loc, x, y);
    });
  case K::CeilDiv:
    return fold([&](Value x, Value y) -> Value {
      return arith::CeilDivSIOp::create(b, loc, x, y);
    });
  case K::CleanDiv:
    return fold([&](Value x, Value y) -> Value {
      return arith::DivSIOp::create(b, loc, x, y);
    });
  case K::Mod:
  case K::PythonMod:
    return fold(pythonMod);
  case K::ModularIndexing: {
    // ModularIndexing(x, d, m) = (x // d) % m.
    if (failed(buildChildren()) || kids.size() != 3)
      break;
    Value q = arith::FloorDivSIOp::create(b, loc, kids[0], kids[1]);
    return pythonMod(q, kids[2]);
  }
  case K::Pow: {
    // Only a non-negative integer exponent stays integral.
    if (expr.children.size() != 2 || !expr.children[1].isInteger() ||
        expr.children[1].value < 0 || expr.children[1].value > 64)
      break;
    FailureOr<Value> base = materialize(expr.children[0], b, loc);
    if (failed(base))
      return failure();
    Value acc = constant(1);
    for (int64_t i = 0; i < expr.children[1].value; ++i)
      acc = arith::MulIOp::create(b, loc, acc, *base);
    return acc;
  }
  case K::Abs: {
    if (failed(buildChildren()) || kids.size() != 1)
      break;
    Value neg = arith::SubIOp::create(b, loc, constant(0), kids[0]);
    return arith::MaxSIOp::create(b, loc, kids[0], neg).getResult();
  }
  case K::Where: {
    if (failed(buildChildren()) || kids.size() != 3)
      break;
    Value cond = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                       kids[0], constant(0));
    return arith::SelectOp::create(b, loc, cond, kids[1], kids[2]).getResult();
  }
  case K::Identity:
    if (expr.children.size() != 1)
      break;
    return materialize(expr.children[0], b, loc);
  case K::Eq:
    return compare(arith::CmpIPredicate::eq);
  case K::Ne:
    return compare(arith::CmpIPredicate::ne);
  case K::Lt:
    return compare(arith::CmpIPredicate::slt);
  case K::Le:
    return compare(arith::CmpIPredicate::sle);
  case K::Gt:
    return compare(arith::CmpIPredicate::sgt);
  case K::Ge:
    return compare(arith::CmpIPredicate::sge);
  case K::And:
    return fold([&](Value x, Value y) -> Value {
      return arith::AndIOp::create(b, loc, x, y);
    });
  case K::Or:
    return fold([&](Value x, Value y) -> Value {
      return arith::OrIOp::create(b, loc, x, y);
    });
  case K::Not: {
    if (failed(buildChildren()) || kids.size() != 1)
      break;
    return arith::XOrIOp::create(b, loc, kids[0], constant(1)).getResult();
  }
  default:
    break;
  }
  emitError(loc) << "symbolic size expression '" << expr.toString()
                 << "' is not integer arithmetic the compiler can evaluate";
  return failure();
}

} // namespace thunder::importer
