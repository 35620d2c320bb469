//===- CustomOps.cpp - user operators (torch.library) -> thunder.custom_call -===//
//
// A node whose target is an operator of the user's own namespace
// (`torch.ops.NS.NAME.default`, from torch.library.custom_op) becomes one
// thunder.custom_call of `thunder_custom_NS_NAME` (docs/custom-ops.md). The
// archive has no schema for it, but the node lists its arguments in schema
// order: tensors (and tensor lists, flattened) become operands, numbers the
// scalar attributes; the results take the shapes the fake implementation
// recorded, with symbolic extents computed as for every other node.
//
//===----------------------------------------------------------------------===//
#include "NodeContext.h"
#include "OpTable.h"

#include "thunder/Dialect/Thunder/ThunderOps.h"

using namespace mlir;

namespace thunder::importer {

bool isUserOperator(StringRef target) {
  if (!target.consume_front("torch.ops."))
    return false;
  StringRef ns = target.split('.').first;
  // PyTorch's own namespaces: an op of theirs missing from the op table is
  // unsupported, not the user's.
  static const char *const kTorch[] = {"aten",      "prims",           "prim",
                                       "higher_order", "quantized",   "quantized_decomposed",
                                       "_c10d_functional", "c10d_functional", "_dtensor",
                                       "profiler",  "debugprims",      "rngprims"};
  return llvm::none_of(kTorch, [&](const char *t) { return ns == t; });
}

std::string userOperatorSymbol(StringRef target) {
  target.consume_front("torch.ops.");
  SmallVector<StringRef, 3> parts;
  target.split(parts, '.');
  std::string symbol = "thunder_custom_" + parts[0].str();
  if (parts.size() > 1)
    symbol += "_" + parts[1].str();
  // torch.library.custom_op makes only `default`; other overloads are spelled out.
  if (parts.size() > 2 && parts[2] != "default")
    symbol += "_" + parts[2].str();
  return symbol;
}

LogicalResult convertUserOperator(NodeContext &ctx) {
  StringRef target = ctx.target();
  SmallVector<StringRef, 3> parts;
  target.split(parts, '.');
  std::string opName = (parts[0] + "::" + (parts.size() > 1 ? parts[1] : "")).str();
  Builder &b = ctx.builder();
  SmallVector<Value> inputs;
  SmallVector<Attribute> scalars;
  for (const pt2::NamedArgument &in : ctx.node().inputs) {
    const pt2::Argument &a = in.arg;
    switch (a.kind()) {
    case pt2::ArgKind::Tensor:
      inputs.push_back(ctx.tensor(in.name));
      break;
    case pt2::ArgKind::Tensors:
      llvm::append_range(inputs, ctx.tensorList(in.name));
      break;
    case pt2::ArgKind::Bool:
      scalars.push_back(b.getBoolAttr(a.boolValue()));
      break;
    case pt2::ArgKind::Float:
      scalars.push_back(b.getF64FloatAttr(a.floatValue()));
      break;
    case pt2::ArgKind::Int:
    case pt2::ArgKind::SymInt:
      // A constant SymInt is an int; a symbolic one is refused here.
      scalars.push_back(b.getI64IntegerAttr(ctx.integer(in.name)));
      break;
    default:
      return ctx.error() << "argument '" << in.name << "' of custom operator " << opName
                         << " is " << pt2::argKindJsonName(a.kind())
                         << ": only tensors, tensor lists, int, float and bool are passed to "
                            "thunder_custom_op_fn";
    }
  }
  if (failed(ctx.check()))
    return failure();

  SmallVector<Type> types;
  SmallVector<Value> sizes;
  for (size_t i = 0; i < ctx.numResults(); ++i) {
    if (ctx.slots()[i].name.empty() || ctx.slots()[i].symbolic)
      return ctx.error() << "result " << i << " of custom operator " << opName
                         << " is not a tensor: only tensor results are supported";
    Sizes s = ctx.resultSizes(i);
    Type element = ctx.resultElementType(i);
    if (failed(ctx.check()))
      return failure();
    types.push_back(ctx.emit().tensorType(s, element));
    llvm::append_range(sizes, ctx.emit().dynamicSizes(s));
  }
  auto call = CustomCallOp::create(ctx.builder(), ctx.loc(), types,
                                   FlatSymbolRefAttr::get(b.getContext(),
                                                          userOperatorSymbol(ctx.node().target)),
                                   b.getStringAttr(opName), inputs, sizes, ValueRange{},
                                   b.getArrayAttr(scalars));
  for (auto [i, r] : llvm::enumerate(call.getResults()))
    if (failed(ctx.bind(i, r)))
      return failure();
  return success();
}

} // namespace thunder::importer
