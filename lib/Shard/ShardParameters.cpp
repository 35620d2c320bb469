//===- ShardParameters.cpp - FSDP / ZeRO-3 over the dp axis ---------------===//
#include "ShardParameters.h"

#include "thunder/Dialect/Thunder/ThunderOps.h"
#include "thunder/Shard/ShardDialect.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
namespace upstream = mlir::shard;

namespace thunder::shard {
namespace {

std::string stringAttr(DictionaryAttr attrs, StringRef key) {
  auto s = attrs ? attrs.getAs<StringAttr>(key) : StringAttr();
  return s ? s.str() : "";
}

int64_t blockRows(int64_t whole, int64_t ranks) { return (whole + ranks - 1) / ranks; }

RankedTensorType withRows(RankedTensorType t, int64_t rows) {
  SmallVector<int64_t> shape(t.getShape());
  shape[0] = rows;
  return t.clone(shape);
}

/// Every floating parameter of rank >= 1 with a static dim 0.
bool shardable(Value arg, DictionaryAttr attrs) {
  auto t = dyn_cast<RankedTensorType>(arg.getType());
  return stringAttr(attrs, "thunder.kind") == "param" && t && t.getRank() > 0 &&
         !t.isDynamicDim(0) && isa<FloatType>(t.getElementType());
}

void markBlock(func::FuncOp f, unsigned i, bool result, int64_t whole, int64_t block,
               int64_t ranks) {
  Builder b(f.getContext());
  auto set = [&](StringRef name, Attribute a) {
    result ? f.setResultAttr(i, name, a) : f.setArgAttr(i, name, a);
  };
  set(ThunderShardDialect::kShardedDimAttrName, b.getI64IntegerAttr(0));
  set(ThunderShardDialect::kWholeSizeAttrName, b.getI64IntegerAttr(whole));
}

} // namespace

std::map<std::string, int64_t> gatherParameterBlocks(func::FuncOp f, int64_t ranks,
                                                     StringRef grid) {
  std::map<std::string, int64_t> sharded;
  Block &body = f.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  for (BlockArgument arg : body.getArguments()) {
    DictionaryAttr attrs = f.getArgAttrDict(arg.getArgNumber());
    if (!shardable(arg, attrs))
      continue;
    auto whole = cast<RankedTensorType>(arg.getType());
    int64_t rows = whole.getDimSize(0), block = blockRows(rows, ranks);
    Location loc = arg.getLoc();
    arg.setType(withRows(whole, block));
    Value gathered = upstream::AllGatherOp::create(b, loc, withRows(whole, block * ranks), grid,
                                                   ArrayRef<upstream::GridAxis>{0}, arg,
                                                   APInt(64, 0));
    Value value = gathered;
    if (block * ranks != rows) { // the padding rows are not the parameter's
      SmallVector<int64_t> start(whole.getRank(), 0), step(whole.getRank(), 1);
      value = SliceOp::create(b, loc, whole, gathered, b.getDenseI64ArrayAttr(start),
                              b.getDenseI64ArrayAttr(whole.getShape()),
                              b.getDenseI64ArrayAttr(step));
    }
    arg.replaceAllUsesExcept(value, gathered.getDefiningOp());
    markBlock(f, arg.getArgNumber(), false, rows, block, ranks);
    sharded[stringAttr(attrs, "thunder.name")] = rows;
  }
  f.setType(FunctionType::get(f.getContext(), body.getArgumentTypes(), f.getResultTypes()));
  return sharded;
}

void scatterParameterGradients(func::FuncOp f, int64_t ranks, StringRef grid,
                               const std::map<std::string, int64_t> &sharded) {
  Block &body = f.getBody().front();
  Operation *ret = body.getTerminator();
  OpBuilder b(ret);
  for (OpOperand &o : ret->getOpOperands()) {
    unsigned i = o.getOperandNumber();
    DictionaryAttr attrs = f.getResultAttrDict(i);
    if (stringAttr(attrs, "thunder.kind") != "grad_param")
      continue;
    auto it = sharded.find(stringAttr(attrs, "thunder.name"));
    if (it == sharded.end())
      continue;
    auto whole = cast<RankedTensorType>(o.get().getType());
    int64_t rows = it->second, block = blockRows(rows, ranks);
    Location loc = ret->getLoc();
    // A partial sum about to be all-reduced: reduce-scattered instead (each
    // rank receives only its block: half the traffic of an all_reduce).
    Value v = o.get();
    auto allReduce = v.getDefiningOp<upstream::AllReduceOp>();
    bool scatter = allReduce && allReduce.getReduction() == upstream::ReductionKind::Sum &&
                   v.hasOneUse();
    if (scatter)
      v = allReduce.getInput();
    if (block * ranks != rows) {
      SmallVector<int64_t> low(whole.getRank(), 0), high(whole.getRank(), 0);
      high[0] = block * ranks - rows;
      Value zero = ConstantOp::create(
          b, loc, RankedTensorType::get({}, whole.getElementType()),
          DenseElementsAttr::get(RankedTensorType::get({}, whole.getElementType()),
                                 b.getZeroAttr(whole.getElementType())));
      v = PadOp::create(b, loc, withRows(whole, block * ranks), v, zero,
                        b.getDenseI64ArrayAttr(low), b.getDenseI64ArrayAttr(high));
    }
    Value out =
        scatter ? upstream::ReduceScatterOp::create(
                      b, loc, withRows(whole, block), FlatSymbolRefAttr::get(b.getContext(), grid),
                      b.getDenseI16ArrayAttr({0}), v,
                      upstream::ReductionKindAttr::get(b.getContext(),
                                                       upstream::ReductionKind::Sum),
                      b.getIndexAttr(0))
                      .getResult()
                : upstream::AllSliceOp::create(b, loc, withRows(whole, block), v, grid,
                                               ArrayRef<upstream::GridAxis>{0}, 0)
                      .getResult();
    o.set(out);
    if (scatter && allReduce->use_empty())
      allReduce->erase();
    markBlock(f, i, true, rows, block, ranks);
  }
  f.setType(FunctionType::get(f.getContext(), body.getArgumentTypes(), ret->getOperandTypes()));
}

} // namespace thunder::shard
