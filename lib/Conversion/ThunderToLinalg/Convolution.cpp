//===- Convolution.cpp - thunder.convolution -> linalg.generic ------------===//
//
// N-d grouped convolution (cross-correlation) in NC... layout:
//  1. lhs_dilation: the input is inserted with strides into a zero tensor;
//  2. padding: tensor.pad with 0 (negative amounts slice);
//  3. groups > 1: channels are split as (G, C/G) by expand_shape on the
//     input, (G, O/G) on the weight, and collapsed back on the result;
//  4. one linalg.generic over (n, [g], o, out..., c, window...) reading the
//     input at `out * stride + window * dilation`, accumulating in f32 for
//     f16/bf16.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"

#include "thunder/Conversion/ThunderToLinalg/ThunderToLinalg.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace thunder::lowering;

namespace thunder {
namespace {

/// Inserts `d - 1` zeros between the elements of each spatial dim (dims 2..).
Value dilateInput(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> lhsDilation) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<Value> sizes = dimSizes(b, loc, input);
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  for (auto [i, d] : llvm::enumerate(lhsDilation)) {
    int64_t dim = i + 2;
    strides[dim] = b.getIndexAttr(d);
    if (!type.isDynamicDim(dim))
      shape[dim] = type.getDimSize(dim) == 0
                       ? 0
                       : (type.getDimSize(dim) - 1) * d + 1;
    Value minusOne = arith::SubIOp::create(b, loc, sizes[dim],
                                           indexConstant(b, loc, 1));
    sizes[dim] = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, minusOne, indexConstant(b, loc, d)),
        indexConstant(b, loc, 1));
  }
  auto dilatedType = RankedTensorType::get(shape, type.getElementType());
  Value zeros = filledTensor(b, loc, dilatedType, pickDynamic(dilatedType, sizes),
                             scalarConstant(b, loc, type.getElementType(), 0));
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  return tensor::InsertSliceOp::create(b, loc, input, zeros, offsets,
                                       tensor::getMixedSizes(b, loc, input),
                                       strides);
}

/// Splits dim `dim` of `tensor` into (groups, extent / groups).
Value splitDim(OpBuilder &b, Location loc, Value tensor, int64_t dim,
               int64_t groups) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> outputShape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t next = shape.size();
    if (i != dim) {
      shape.push_back(type.getDimSize(i));
      outputShape.push_back(tensor::getMixedSize(b, loc, tensor, i));
      reassociation.push_back({next});
      continue;
    }
    int64_t extent = type.getDimSize(i);
    shape.push_back(groups);
    shape.push_back(ShapedType::isDynamic(extent) ? extent : extent / groups);
    outputShape.push_back(b.getIndexAttr(groups));
    if (ShapedType::isDynamic(extent))
      outputShape.push_back(
          arith::DivUIOp::create(b, loc, tensor::DimOp::create(b, loc, tensor, i),
                                 indexConstant(b, loc, groups))
              .getResult());
    else
      outputShape.push_back(b.getIndexAttr(extent / groups));
    reassociation.push_back({next, next + 1});
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), tensor,
      reassociation, outputShape);
}

struct ConvolutionOpLowering : OpConversionPattern<ConvolutionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvolutionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    Type accType = accumulatorType(elementType);
    int64_t spatial = resultType.getRank() - 2;
    int64_t groups = op.getGroups();
    ArrayRef<int64_t> stride = op.getStride(), dilation = op.getDilation();

    if (llvm::any_of(op.getLhsDilation(), [](int64_t d) { return d != 1; }))
      input = dilateInput(rewriter, loc, input, op.getLhsDilation());
    SmallVector<int64_t> low(2, 0), high(2, 0);
    llvm::append_range(low, op.getPaddingLow());
    llvm::append_range(high, op.getPaddingHigh());
    input = padTensor(rewriter, loc, input, low, high,
                      scalarConstant(rewriter, loc, elementType, 0));

    // Result extents: static where the result type has them, else computed
    // as (padded - dilation * (kernel - 1) - 1) / stride + 1.
    SmallVector<Value> outSizes{dimSize(rewriter, loc, input, 0),
                                dimSize(rewriter, loc, weight, 0)};
    SmallVector<int64_t> outShape{resultType.getDimSize(0),
                                  resultType.getDimSize(1)};
    for (int64_t i = 0; i < spatial; ++i) {
      outShape.push_back(resultType.getDimSize(2 + i));
      if (!resultType.isDynamicDim(2 + i)) {
        outSizes.push_back(indexConstant(rewriter, loc, outShape.back()));
        continue;
      }
      Value padded = dimSize(rewriter, loc, input, 2 + i);
      Value kernel = dimSize(rewriter, loc, weight, 2 + i);
      Value span = arith::MulIOp::create(
          rewriter, loc,
          arith::SubIOp::create(rewriter, loc, kernel,
                                indexConstant(rewriter, loc, 1)),
          indexConstant(rewriter, loc, dilation[i]));
      Value room = arith::SubIOp::create(
          rewriter, loc, arith::SubIOp::create(rewriter, loc, padded, span),
          indexConstant(rewriter, loc, 1));
      outSizes.push_back(arith::AddIOp::create(
          rewriter, loc,
          arith::DivSIOp::create(rewriter, loc, room,
                                 indexConstant(rewriter, loc, stride[i])),
          indexConstant(rewriter, loc, 1)));
    }

    bool grouped = groups > 1;
    if (grouped) {
      input = splitDim(rewriter, loc, input, 1, groups);   // N, G, C/G, S...
      weight = splitDim(rewriter, loc, weight, 0, groups); // G, O/G, C/G, K...
      int64_t o = outShape[1];
      outShape[1] = ShapedType::isDynamic(o) ? o : o / groups;
      outShape.insert(outShape.begin() + 1, groups);
      outSizes[1] = arith::DivUIOp::create(rewriter, loc, outSizes[1],
                                           indexConstant(rewriter, loc, groups));
      outSizes.insert(outSizes.begin() + 1, indexConstant(rewriter, loc, groups));
    }
    auto accTensor = RankedTensorType::get(outShape, accType);
    Value init = filledTensor(rewriter, loc, accTensor,
                              pickDynamic(accTensor, outSizes),
                              scalarConstant(rewriter, loc, accType, 0));

    // Iteration dims: n, [g], o, out_1..out_k | c, win_1..win_k.
    int64_t g = grouped ? 1 : -1;
    int64_t o = grouped ? 2 : 1;
    int64_t out0 = o + 1, c = out0 + spatial, win0 = c + 1;
    int64_t numDims = win0 + spatial;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> inExprs{d(0)}, wExprs, outExprs{d(0)};
    if (grouped) {
      inExprs.push_back(d(g));
      wExprs.push_back(d(g));
      outExprs.push_back(d(g));
    }
    inExprs.push_back(d(c));
    wExprs.push_back(d(o));
    wExprs.push_back(d(c));
    outExprs.push_back(d(o));
    for (int64_t i = 0; i < spatial; ++i) {
      inExprs.push_back(d(out0 + i) * stride[i] + d(win0 + i) * dilation[i]);
      wExprs.push_back(d(win0 + i));
      outExprs.push_back(d(out0 + i));
    }
    SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, inExprs, ctx),
                                AffineMap::get(numDims, 0, wExprs, ctx),
                                AffineMap::get(numDims, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators = parallelIterators(numDims);
    for (int64_t i = c; i < numDims; ++i)
      iterators[i] = utils::IteratorType::reduction;
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{accTensor}, ValueRange{input, weight},
            ValueRange{init}, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value x = convertScalar(b, l, args[0], accType);
              Value w = convertScalar(b, l, args[1], accType);
              Value product = arith::MulFOp::create(b, l, x, w);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, args[2], product)});
            })
            .getResult(0);
    if (grouped) {
      SmallVector<ReassociationIndices> reassociation{{0}, {1, 2}};
      for (int64_t i = 0; i < spatial; ++i)
        reassociation.push_back({3 + i});
      result = tensor::CollapseShapeOp::create(rewriter, loc, result,
                                               reassociation);
    }
    result = convertTensor(rewriter, loc, result, elementType);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void populateConvolutionPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvolutionOpLowering>(patterns.getContext());
}

} // namespace thunder
