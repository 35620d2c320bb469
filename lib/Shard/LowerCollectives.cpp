//===- LowerCollectives.cpp - shard collectives -> runtime calls ----------===//
//
// thunder-shard-lower-collectives (dialects/ThunderShardPasses.td): on
// tensors, after the thunder -> linalg lowering and before bufferization. A
// collective reads its operand's buffer (bufferization.to_buffer) and writes
// a new one that becomes its result (bufferization.to_tensor); the runtime
// (compiler_abi.h) runs it on the instance's communicator.
//
//===----------------------------------------------------------------------===//
#include "thunder/Shard/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace thunder::shard {
#define GEN_PASS_DEF_THUNDERSHARDLOWERCOLLECTIVES
#include "thunder/Shard/Passes.h.inc"
} // namespace thunder::shard

using namespace mlir;
namespace upstream = mlir::shard;

namespace thunder::shard {
namespace {

/// compiler_abi.h's thunder_shard_dtype for an element type; -1 if none.
int32_t dtypeCode(Type t) {
  if (t.isF32())
    return 0;
  if (t.isF64())
    return 1;
  if (t.isInteger(64))
    return 2;
  if (t.isInteger(32))
    return 3;
  return -1;
}

/// compiler_abi.h's thunder_shard_op; -1 if the runtime has none.
int32_t reductionCode(upstream::ReductionKind kind) {
  switch (kind) {
  case upstream::ReductionKind::Sum:
    return 0;
  case upstream::ReductionKind::Max:
    return 1;
  case upstream::ReductionKind::Min:
    return 2;
  default:
    return -1;
  }
}

func::FuncOp declareRuntimeFunction(PatternRewriter &rewriter, Operation *from, StringRef name,
                                    FunctionType type) {
  auto module = from->getParentOfType<ModuleOp>();
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(module.getBody());
  auto f = func::FuncOp::create(rewriter, module.getLoc(), name, type);
  f.setPrivate();
  return f;
}

/// The address of a memref's first element as an !llvm.ptr.
Value dataPointer(OpBuilder &b, Location loc, Value memref) {
  Value index = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
}

/// The number of elements of a tensor, as i64 (dynamic extents read).
Value numElements(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value n = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = 0; d < type.getRank(); ++d) {
    Value extent = type.isDynamicDim(d)
                       ? tensor::DimOp::create(b, loc, tensor, d).getResult()
                       : arith::ConstantIndexOp::create(b, loc, type.getDimSize(d)).getResult();
    n = arith::MulIOp::create(b, loc, n, extent);
  }
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
}

/// The operand's buffer (read only) and a new buffer of `resultType`, whose
/// dynamic extents are the operand's (dim 0 times `dim0Factor`: a gather).
std::pair<Value, Value> buffers(OpBuilder &b, Location loc, Value operand,
                                RankedTensorType resultType, int64_t dim0Factor = 1) {
  auto inType = cast<RankedTensorType>(operand.getType());
  Value in = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get(inType.getShape(), inType.getElementType()), operand,
      /*read_only=*/true);
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < resultType.getRank(); ++d) {
    if (!resultType.isDynamicDim(d))
      continue;
    Value extent = tensor::DimOp::create(b, loc, operand, d);
    if (d == 0 && dim0Factor != 1)
      extent = arith::MulIOp::create(b, loc, extent,
                                     arith::ConstantIndexOp::create(b, loc, dim0Factor));
    dynamic.push_back(extent);
  }
  Value out = memref::AllocOp::create(
      b, loc, MemRefType::get(resultType.getShape(), resultType.getElementType()), dynamic);
  return {in, out};
}

Value asTensor(OpBuilder &b, Location loc, Value buffer, RankedTensorType type) {
  return bufferization::ToTensorOp::create(b, loc, type, buffer, /*restrict=*/true,
                                           /*writable=*/true);
}

/// A reduction into a new buffer of `type`: `fn(in, out, count, dtype, op)`
/// with `count` the elements of the result (compiler_abi.h).
LogicalResult lowerReduction(Operation *op, Value input, RankedTensorType type,
                             upstream::ReductionKind reduction, StringRef fn, Value count,
                             PatternRewriter &rewriter) {
  int32_t dtype = dtypeCode(type.getElementType());
  int32_t kind = reductionCode(reduction);
  if (dtype < 0 || kind < 0)
    return op->emitOpError("the runtime reduces f32, f64, i64 and i32 by sum, max or min only"),
           failure();
  Location loc = op->getLoc();
  auto [in, out] = buffers(rewriter, loc, input, type);
  Type ptr = LLVM::LLVMPointerType::get(rewriter.getContext());
  Type i64 = rewriter.getI64Type(), i32 = rewriter.getI32Type();
  func::FuncOp callee = declareRuntimeFunction(
      rewriter, op, fn, rewriter.getFunctionType({ptr, ptr, i64, i32, i32}, {}));
  func::CallOp::create(rewriter, loc, callee,
                       ValueRange{dataPointer(rewriter, loc, in), dataPointer(rewriter, loc, out),
                                  count, arith::ConstantIntOp::create(rewriter, loc, i32, dtype),
                                  arith::ConstantIntOp::create(rewriter, loc, i32, kind)});
  rewriter.replaceOp(op, asTensor(rewriter, loc, out, type));
  return success();
}

struct LowerAllReduce : OpRewritePattern<upstream::AllReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(upstream::AllReduceOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || op.getInput().getType() != type)
      return rewriter.notifyMatchFailure(op, "not a same-type all_reduce on tensors");
    return lowerReduction(op, op.getInput(), type, op.getReduction(), kAllReduceFn,
                          numElements(rewriter, op.getLoc(), op.getInput()), rewriter);
  }
};

/// Along dimension 0 each rank's block of the sum is contiguous.
struct LowerReduceScatter : OpRewritePattern<upstream::ReduceScatterOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(upstream::ReduceScatterOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (op.getScatterAxis().getZExtValue() != 0 || !type.hasStaticShape())
      return op.emitOpError("the runtime reduce-scatters static tensors along dim 0 only"),
             failure();
    Value count = arith::ConstantIntOp::create(rewriter, op.getLoc(), rewriter.getI64Type(),
                                               type.getNumElements());
    return lowerReduction(op, op.getInput(), type, op.getReduction(), kReduceScatterFn, count,
                          rewriter);
  }
};

/// Along dimension 0 the ranks' blocks are contiguous in the result.
struct LowerAllGather : OpRewritePattern<upstream::AllGatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(upstream::AllGatherOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getGatherAxis().getZExtValue() != 0)
      return rewriter.notifyMatchFailure(op, "gathers along a later dimension");
    auto type = cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    auto grid = SymbolTable::lookupNearestSymbolFrom<upstream::GridOp>(op, op.getGridAttr());
    if (!grid || grid.getShape().size() != 1)
      return op.emitOpError("gathers over a grid that is not one axis"), failure();
    auto [in, out] = buffers(rewriter, loc, op.getInput(), type, grid.getShape()[0]);
    Type ptr = LLVM::LLVMPointerType::get(getContext());
    Type i64 = rewriter.getI64Type();
    func::FuncOp fn = declareRuntimeFunction(rewriter, op, kAllGatherFn,
                                             rewriter.getFunctionType({ptr, ptr, i64}, {}));
    unsigned bytes = (type.getElementTypeBitWidth() + 7) / 8;
    Value perRank = arith::MulIOp::create(
        rewriter, loc, numElements(rewriter, loc, op.getInput()),
        arith::ConstantIntOp::create(rewriter, loc, i64, bytes));
    func::CallOp::create(rewriter, loc, fn,
                         ValueRange{dataPointer(rewriter, loc, in),
                                    dataPointer(rewriter, loc, out), perRank});
    rewriter.replaceOp(op, asTensor(rewriter, loc, out, type));
    return success();
  }
};

/// A gather along dimension d > 0: that dimension moved first, gathered, and
/// moved back (linalg.transpose).
struct GatherAlongDimZero : OpRewritePattern<upstream::AllGatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(upstream::AllGatherOp op,
                                PatternRewriter &rewriter) const override {
    int64_t axis = op.getGatherAxis().getZExtValue();
    if (axis == 0)
      return failure();
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> perm = {axis};
    for (int64_t d = 0; d < inType.getRank(); ++d)
      if (d != axis)
        perm.push_back(d);
    auto transpose = [&](Value v, ArrayRef<int64_t> p) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape;
      SmallVector<Value> dynamic;
      for (int64_t d : p) {
        shape.push_back(t.getDimSize(d));
        if (t.isDynamicDim(d))
          dynamic.push_back(tensor::DimOp::create(rewriter, loc, v, d));
      }
      Value init = tensor::EmptyOp::create(rewriter, loc, shape, t.getElementType(), dynamic);
      return linalg::TransposeOp::create(rewriter, loc, v, init, p).getResult()[0];
    };
    Value first = transpose(op.getInput(), perm);
    auto firstType = cast<RankedTensorType>(first.getType());
    SmallVector<int64_t> gatheredShape(firstType.getShape());
    gatheredShape[0] = outType.getDimSize(axis);
    Value gathered = upstream::AllGatherOp::create(
        rewriter, loc, firstType.clone(gatheredShape), op.getGridAttr(),
        op.getGridAxesAttr(), first, rewriter.getIndexAttr(0));
    rewriter.replaceOp(op, transpose(gathered, invertPermutationVector(perm)));
    return success();
  }
};

/// This rank's block: an extract_slice at rank * block extent.
struct LowerAllSlice : OpRewritePattern<upstream::AllSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(upstream::AllSliceOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getSliceAxis().getZExtValue();
    if (type.isDynamicDim(axis))
      return op.emitOpError("slices a dynamic dimension, which the lowering does not support"),
             failure();
    Location loc = op.getLoc();
    func::FuncOp fn = declareRuntimeFunction(
        rewriter, op, kRankFn, rewriter.getFunctionType({}, {rewriter.getI64Type()}));
    Value rank = func::CallOp::create(rewriter, loc, fn, ValueRange{}).getResult(0);
    Value offset = arith::MulIOp::create(
        rewriter, loc, arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), rank),
        arith::ConstantIndexOp::create(rewriter, loc, type.getDimSize(axis)));
    SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(type.getRank(), rewriter.getIndexAttr(1));
    offsets[axis] = offset;
    for (int64_t d = 0; d < type.getRank(); ++d)
      sizes.push_back(type.isDynamicDim(d)
                          ? OpFoldResult(tensor::DimOp::create(rewriter, loc, op.getInput(), d))
                          : rewriter.getIndexAttr(type.getDimSize(d)));
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, type, op.getInput(), offsets, sizes,
                                                        strides);
    return success();
  }
};

struct ThunderShardLowerCollectives
    : impl::ThunderShardLowerCollectivesBase<ThunderShardLowerCollectives> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerAllReduce, LowerAllGather, GatherAlongDimZero, LowerAllSlice,
                 LowerReduceScatter>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    bool left = false;
    getOperation().walk([&](Operation *op) {
      if (isa<upstream::GridOp>(op)) {
        op->erase();
        return;
      }
      if (isa<upstream::ShardDialect>(op->getDialect())) {
        op->emitOpError("has no lowering to the runtime's collectives");
        left = true;
      }
    });
    if (left)
      return signalPassFailure();
    // The model description has read the shardings by now; the lowering to
    // LLVM has no use for them.
    getOperation().walk([](func::FuncOp f) {
      for (StringRef name :
           {ThunderShardDialect::kShardedDimAttrName, ThunderShardDialect::kWholeSizeAttrName}) {
        auto attr = StringAttr::get(f.getContext(), name);
        for (unsigned i = 0; i < f.getNumArguments(); ++i)
          f.removeArgAttr(i, attr);
        for (unsigned i = 0; i < f.getNumResults(); ++i)
          f.removeResultAttr(i, attr);
      }
    });
  }
};

} // namespace
} // namespace thunder::shard
