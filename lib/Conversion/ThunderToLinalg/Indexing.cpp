//===- Indexing.cpp - gather, index_select, index, index_put, scatter -----===//
//
// Reads (gather, index_select, index) are a linalg.generic over the result
// whose body reads the operand with tensor.extract at indices taken from the
// index tensors, negative ones wrapped as in PyTorch (out-of-range indices
// are the user's problem). Writes (index_put, scatter) copy the operand and
// run an scf.for nest over the updates with tensor.extract/tensor.insert,
// in order, so repeated positions accumulate (or the last write wins).
// f16/bf16 accumulating writes accumulate in f32 (i8/i16 in i32): the copy
// widens, the loop adds widened values, the result is rounded (truncated)
// once, and a target running the iterations in parallel adds with 32-bit
// atomics.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"

#include "thunder/Conversion/ThunderToLinalg/ThunderToLinalg.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace thunder::lowering;

namespace thunder {
namespace {

/// A linalg.generic over `resultType` whose body reads `source` at the
/// indices `indicesFor(builder, loc, block arguments)` returns.
Value gatherGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType,
    ValueRange dynamicSizes, ValueRange inputs, ArrayRef<AffineMap> inputMaps,
    Value source,
    llvm::function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        indicesFor) {
  Value init = emptyTensor(b, loc, resultType, dynamicSizes);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             parallelIterators(resultType.getRank()),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               SmallVector<Value> indices = indicesFor(nb, l, args);
               linalg::YieldOp::create(
                   nb, l, tensor::ExtractOp::create(nb, l, source, indices)
                              .getResult());
             })
      .getResult(0);
}

SmallVector<Value> loopIndices(OpBuilder &b, Location loc, int64_t from,
                               int64_t to) {
  SmallVector<Value> indices;
  for (int64_t i = from; i < to; ++i)
    indices.push_back(linalg::IndexOp::create(b, loc, i));
  return indices;
}

/// torch.gather: result[p] = operand[p with p[dim] = index[p]].
struct GatherOpLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value operand = adaptor.getOperand(), index = adaptor.getIndex();
    int64_t dim = op.getDim();
    auto type = cast<RankedTensorType>(op.getType());
    Value extent = dimSize(rewriter, loc, operand, dim);
    Value result = gatherGeneric(
        rewriter, loc, type, dynamicDimSizes(rewriter, loc, index), index,
        {rewriter.getMultiDimIdentityMap(type.getRank())}, operand,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> indices = loopIndices(b, l, 0, type.getRank());
          indices[dim] = wrapIndex(b, l, args[0], extent);
          return indices;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// index_select: result[..., i, ...] = operand[..., index[i], ...].
struct IndexSelectOpLowering : OpConversionPattern<IndexSelectOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IndexSelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value operand = adaptor.getOperand(), index = adaptor.getIndex();
    int64_t dim = op.getDim();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    SmallVector<Value> sizes = dimSizes(rewriter, loc, operand);
    Value extent = sizes[dim];
    sizes[dim] = dimSize(rewriter, loc, index, 0);
    AffineMap indexMap = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(dim));
    Value result = gatherGeneric(
        rewriter, loc, type, pickDynamic(type, sizes), index, {indexMap},
        operand, [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> indices = loopIndices(b, l, 0, rank);
          indices[dim] = wrapIndex(b, l, args[0], extent);
          return indices;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Shape bookkeeping shared by index and index_put: the index tensors (shape
/// B, rank nb) replace operand dims [start, start + k).
struct AdvancedIndexing {
  int64_t start, k, nb, rank;
  /// The result (= values) dims in terms of operand dims and B dims.
  SmallVector<Value> resultSizes(OpBuilder &b, Location loc, Value operand,
                                 Value firstIndex) const {
    SmallVector<Value> operandSizes = dimSizes(b, loc, operand);
    SmallVector<Value> sizes(operandSizes.begin(),
                             operandSizes.begin() + start);
    llvm::append_range(sizes, dimSizes(b, loc, firstIndex));
    sizes.append(operandSizes.begin() + start + k, operandSizes.end());
    return sizes;
  }
  int64_t resultRank() const { return rank - k + nb; }
  /// Operand indices from the result position `pos` and the index values.
  SmallVector<Value> operandIndices(OpBuilder &b, Location loc,
                                    ArrayRef<Value> pos, ValueRange indexValues,
                                    ArrayRef<Value> operandSizes) const {
    SmallVector<Value> indices(pos.begin(), pos.begin() + start);
    for (int64_t t = 0; t < k; ++t)
      indices.push_back(
          wrapIndex(b, loc, indexValues[t], operandSizes[start + t]));
    indices.append(pos.begin() + start + nb, pos.end());
    return indices;
  }
};

/// thunder.index -> a linalg.generic reading the operand at the indexed
/// positions; the index tensors are inputs mapped to the B dims.
struct IndexOpLowering : OpConversionPattern<IndexOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IndexOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value operand = adaptor.getOperand();
    ValueRange indexTensors = adaptor.getIndices();
    auto type = cast<RankedTensorType>(op.getType());
    AdvancedIndexing ix{static_cast<int64_t>(op.getStartDim()),
                        static_cast<int64_t>(indexTensors.size()),
                        cast<RankedTensorType>(indexTensors[0].getType()).getRank(),
                        cast<RankedTensorType>(operand.getType()).getRank()};
    int64_t resultRank = ix.resultRank();
    SmallVector<AffineExpr> bExprs;
    for (int64_t i = 0; i < ix.nb; ++i)
      bExprs.push_back(rewriter.getAffineDimExpr(ix.start + i));
    AffineMap indexMap =
        AffineMap::get(resultRank, 0, bExprs, rewriter.getContext());
    SmallVector<AffineMap> maps(indexTensors.size(), indexMap);
    SmallVector<Value> operandSizes = dimSizes(rewriter, loc, operand);
    SmallVector<Value> sizes =
        ix.resultSizes(rewriter, loc, operand, indexTensors[0]);
    Value result = gatherGeneric(
        rewriter, loc, type, pickDynamic(type, sizes), indexTensors, maps,
        operand, [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> pos = loopIndices(b, l, 0, resultRank);
          return ix.operandIndices(b, l, pos, args.take_front(ix.k),
                                   operandSizes);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A copy of `operand` in a new tensor of element type `elementType` (what
/// the scatters write into).
Value copyOf(OpBuilder &b, Location loc, Value operand, Type elementType) {
  auto type = cast<RankedTensorType>(operand.getType());
  if (type.getElementType() != elementType)
    return convertTensor(b, loc, operand, elementType);
  Value init = emptyLike(b, loc, operand, elementType);
  return linalg::CopyOp::create(b, loc, TypeRange{type}, ValueRange{operand},
                                ValueRange{init})
      .getResult(0);
}

/// The element type a scatter into `operand` updates in: with accumulate,
/// f32 for f16/bf16 and i32 for i8/i16 (the same sums modulo 2^8 or 2^16
/// once truncated; a target has atomic adds of these), else the operand's.
Type updateType(Value operand, bool accumulate) {
  Type t = cast<RankedTensorType>(operand.getType()).getElementType();
  if (!accumulate)
    return t;
  if (auto i = dyn_cast<IntegerType>(t); i && !isBool(t) && i.getWidth() < 32)
    return IntegerType::get(t.getContext(), 32);
  return accumulatorType(t);
}

/// `old + value` (or `value` without accumulate); or on i1.
Value update(OpBuilder &b, Location loc, bool accumulate, Value old,
             Value value) {
  if (!accumulate)
    return value;
  Type type = value.getType();
  if (isa<FloatType>(type))
    return arith::AddFOp::create(b, loc, old, value);
  if (isBool(type))
    return arith::OrIOp::create(b, loc, old, value);
  return arith::AddIOp::create(b, loc, old, value);
}

/// Indices into `tensor` at `pos`, reading index 0 of dims of static extent 1
/// (values broadcast along them).
SmallVector<Value> broadcastIndices(OpBuilder &b, Location loc, Value tensor,
                                    ArrayRef<Value> pos) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> indices(pos);
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.getDimSize(i) == 1)
      indices[i] = indexConstant(b, loc, 0);
  return indices;
}

/// An scf.for nest over `sizes` carrying `init`; `body` returns the next
/// tensor from the induction variables and the current one.
Value scatterLoops(
    OpBuilder &b, Location loc, ArrayRef<Value> sizes, Value init,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  SmallVector<Value> lbs(sizes.size(), indexConstant(b, loc, 0));
  SmallVector<Value> steps(sizes.size(), indexConstant(b, loc, 1));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, sizes, steps, ValueRange{init},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange iter) {
        return scf::ValueVector{body(nb, l, ivs, iter[0])};
      });
  return nest.results.empty() ? init : nest.results[0];
}

/// thunder.index_put -> copy + loops over the positions of `values`.
struct IndexPutOpLowering : OpConversionPattern<IndexPutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IndexPutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value operand = adaptor.getOperand(), values = adaptor.getValues();
    ValueRange indexTensors = adaptor.getIndices();
    AdvancedIndexing ix{static_cast<int64_t>(op.getStartDim()),
                        static_cast<int64_t>(indexTensors.size()),
                        cast<RankedTensorType>(indexTensors[0].getType()).getRank(),
                        cast<RankedTensorType>(operand.getType()).getRank()};
    bool accumulate = op.getAccumulate();
    SmallVector<Value> operandSizes = dimSizes(rewriter, loc, operand);
    SmallVector<Value> sizes =
        ix.resultSizes(rewriter, loc, operand, indexTensors[0]);
    Type t = updateType(operand, accumulate);
    Value result = scatterLoops(
        rewriter, loc, sizes, copyOf(rewriter, loc, operand, t),
        [&](OpBuilder &b, Location l, ValueRange pos, Value current) {
          SmallVector<Value> posVec(pos);
          SmallVector<Value> indexPos(pos.begin() + ix.start,
                                      pos.begin() + ix.start + ix.nb);
          SmallVector<Value> indexValues;
          for (Value t : indexTensors)
            indexValues.push_back(tensor::ExtractOp::create(
                b, l, t, broadcastIndices(b, l, t, indexPos)));
          SmallVector<Value> at =
              ix.operandIndices(b, l, posVec, indexValues, operandSizes);
          Value value = convertScalar(
              b, l,
              tensor::ExtractOp::create(b, l, values,
                                        broadcastIndices(b, l, values, posVec)),
              t);
          Value old = accumulate ? tensor::ExtractOp::create(b, l, current, at)
                                       .getResult()
                                 : Value();
          return tensor::InsertOp::create(b, l, update(b, l, accumulate, old, value),
                                          current, at)
              .getResult();
        });
    rewriter.replaceOp(op, convertTensor(rewriter, loc, result,
                                         getElementTypeOrSelf(op.getType())));
    return success();
  }
};

/// thunder.scatter -> copy + loops over the positions of `index`.
struct ScatterOpLowering : OpConversionPattern<ScatterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value operand = adaptor.getOperand(), index = adaptor.getIndex(),
          src = adaptor.getSrc();
    int64_t dim = op.getDim();
    bool accumulate = op.getAccumulate();
    Value extent = dimSize(rewriter, loc, operand, dim);
    Type t = updateType(operand, accumulate);
    Value result = scatterLoops(
        rewriter, loc, dimSizes(rewriter, loc, index),
        copyOf(rewriter, loc, operand, t),
        [&](OpBuilder &b, Location l, ValueRange pos, Value current) {
          SmallVector<Value> at(pos);
          at[dim] = wrapIndex(b, l, tensor::ExtractOp::create(b, l, index, pos),
                              extent);
          Value value =
              convertScalar(b, l, tensor::ExtractOp::create(b, l, src, pos), t);
          Value old = accumulate ? tensor::ExtractOp::create(b, l, current, at)
                                       .getResult()
                                 : Value();
          return tensor::InsertOp::create(b, l, update(b, l, accumulate, old, value),
                                          current, at)
              .getResult();
        });
    rewriter.replaceOp(op, convertTensor(rewriter, loc, result,
                                         getElementTypeOrSelf(op.getType())));
    return success();
  }
};

} // namespace

void populateIndexingPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherOpLowering, IndexSelectOpLowering, IndexOpLowering,
               IndexPutOpLowering, ScatterOpLowering>(patterns.getContext());
}

} // namespace thunder
