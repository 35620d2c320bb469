//===- DataMovement.cpp - reshape, permute, broadcast, slice, ... -> linalg/tensor ===//
//
// reshape -> tensor.collapse_shape/expand_shape (through 1-D where the
// grouping is not unique); permute -> linalg.transpose; broadcast_in_dim ->
// a linalg.generic (which elementwise fusion folds into its consumers) whose
// map reads index 0 of operand dims of extent 1; slice -> tensor.extract_slice (limits clamped at run
// time for dynamic dims); concat -> tensor.insert_slice into a tensor.empty;
// pad -> tensor.pad (negative amounts: extract_slice); reverse -> a
// linalg.generic reading `n - 1 - i`.
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

struct ReshapeOpLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(),
                                         adaptor.getOperand(), op.getType(),
                                         adaptor.getSizes()));
    return success();
  }
};

struct PermuteOpLowering : OpConversionPattern<PermuteOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PermuteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getOperand();
    SmallVector<Value> inSizes = dimSizes(rewriter, loc, input), outSizes;
    for (int64_t p : op.getPerm())
      outSizes.push_back(inSizes[p]);
    auto type = cast<RankedTensorType>(op.getType());
    Value init = emptyTensor(rewriter, loc, type, pickDynamic(type, outSizes));
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, loc, input,
                                                       init, op.getPerm())
                               .getResult()
                               .front());
    return success();
  }
};

struct BroadcastInDimOpLowering : OpConversionPattern<BroadcastInDimOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastInDimOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getOperand();
    auto inType = cast<RankedTensorType>(input.getType());
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> dims = op.getDims();
    if (inType == type &&
        llvm::equal(dims, llvm::seq<int64_t>(0, type.getRank()))) {
      rewriter.replaceOp(op, input);
      return success();
    }
    Value init = emptyTensor(rewriter, loc, type, adaptor.getSizes());
    // An operand dim of static extent 1 broadcasts unless its result dim is
    // statically 1 too: the map reads index 0 there.
    auto expands = [&](int64_t i) {
      return inType.getDimSize(i) == 1 && type.getDimSize(dims[i]) != 1;
    };
    // Always a linalg.generic (not linalg.broadcast): elementwise fusion folds
    // it into its consumers instead of materializing the broadcast tensor.
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < inType.getRank(); ++i)
      exprs.push_back(expands(i) ? rewriter.getAffineConstantExpr(0)
                                 : rewriter.getAffineDimExpr(dims[i]));
    AffineMap inMap =
        AffineMap::get(type.getRank(), 0, exprs, rewriter.getContext());
    AffineMap outMap = rewriter.getMultiDimIdentityMap(type.getRank());
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{type}, ValueRange{input}, ValueRange{init},
            {inMap, outMap}, parallelIterators(type.getRank()),
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(b, l, args[0]);
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// thunder.slice -> tensor.extract_slice. A dynamic extent gets
/// max(0, ceil((min(limit, n) - start) / step)).
struct SliceOpLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getOperand();
    auto inType = cast<RankedTensorType>(input.getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (int64_t i = 0; i < inType.getRank(); ++i) {
      int64_t start = op.getStart()[i], limit = op.getLimit()[i],
              step = op.getStep()[i];
      offsets.push_back(rewriter.getIndexAttr(start));
      strides.push_back(rewriter.getIndexAttr(step));
      if (!inType.isDynamicDim(i)) {
        int64_t end = std::min(limit, inType.getDimSize(i));
        int64_t size = std::max<int64_t>(0, (end - start + step - 1) / step);
        sizes.push_back(rewriter.getIndexAttr(size));
        // An empty slice starting at the end (x[..., n:], Phi-3's rotary
        // split when the whole head rotates): extract_slice rejects an
        // offset out of bounds even for size 0, and any offset will do.
        if (size == 0)
          offsets.back() = rewriter.getIndexAttr(0);
        continue;
      }
      Value n = tensor::DimOp::create(rewriter, loc, input, i);
      Value end = arith::MinSIOp::create(rewriter, loc, n,
                                         indexConstant(rewriter, loc, limit));
      Value length = arith::SubIOp::create(rewriter, loc, end,
                                           indexConstant(rewriter, loc, start));
      length = arith::MaxSIOp::create(rewriter, loc, length,
                                      indexConstant(rewriter, loc, 0));
      Value size = arith::DivUIOp::create(
          rewriter, loc,
          arith::AddIOp::create(rewriter, loc, length,
                                indexConstant(rewriter, loc, step - 1)),
          indexConstant(rewriter, loc, step));
      sizes.push_back(size);
    }
    Value slice = tensor::ExtractSliceOp::create(rewriter, loc, input, offsets,
                                                 sizes, strides);
    rewriter.replaceOp(op, castTo(rewriter, loc, slice, op.getType()));
    return success();
  }
};

/// thunder.concat -> tensor.insert_slice of each input into a tensor.empty.
struct ConcatOpLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange inputs = adaptor.getInputs();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t dim = op.getDim(), rank = type.getRank();
    SmallVector<Value> sizes = dimSizes(rewriter, loc, inputs.front());
    SmallVector<Value> offsets{indexConstant(rewriter, loc, 0)};
    for (Value input : inputs)
      offsets.push_back(arith::AddIOp::create(
          rewriter, loc, offsets.back(), dimSize(rewriter, loc, input, dim)));
    sizes[dim] = offsets.back();
    Value result = emptyTensor(rewriter, loc, type, pickDynamic(type, sizes));
    for (auto [k, input] : llvm::enumerate(inputs)) {
      SmallVector<OpFoldResult> at(rank, rewriter.getIndexAttr(0));
      at[dim] = offsets[k];
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, at,
          tensor::getMixedSizes(rewriter, loc, input), strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadOpLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value padValue = tensor::ExtractOp::create(
        rewriter, loc, adaptor.getPaddingValue(), ValueRange{});
    Value padded = padTensor(rewriter, loc, adaptor.getOperand(), op.getLow(),
                             op.getHigh(), padValue);
    rewriter.replaceOp(op, castTo(rewriter, loc, padded, op.getType()));
    return success();
  }
};

/// thunder.reverse -> linalg.generic. Static extents: the input map reads
/// `n - 1 - d`; a dynamic reversed extent: tensor.extract in the body.
struct ReverseOpLowering : OpConversionPattern<ReverseOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReverseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getOperand();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    ArrayRef<int64_t> dims = op.getDims();
    Value init = emptyLike(rewriter, loc, input, type.getElementType());
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    bool staticDims = llvm::all_of(
        dims, [&](int64_t d) { return !type.isDynamicDim(d); });
    Value result;
    if (staticDims) {
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < rank; ++i) {
        AffineExpr d = rewriter.getAffineDimExpr(i);
        exprs.push_back(llvm::is_contained(dims, i)
                            ? type.getDimSize(i) - 1 - d
                            : d);
      }
      AffineMap inMap = AffineMap::get(rank, 0, exprs, rewriter.getContext());
      result = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{type}, ValueRange{input},
                   ValueRange{init}, {inMap, identity}, parallelIterators(rank),
                   [](OpBuilder &b, Location l, ValueRange args) {
                     linalg::YieldOp::create(b, l, args[0]);
                   })
                   .getResult(0);
    } else {
      SmallVector<Value> sizes = dimSizes(rewriter, loc, input);
      result =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
              {identity}, parallelIterators(rank),
              [&](OpBuilder &b, Location l, ValueRange) {
                SmallVector<Value> indices;
                for (int64_t i = 0; i < rank; ++i) {
                  Value idx = linalg::IndexOp::create(b, l, i);
                  if (llvm::is_contained(dims, i))
                    idx = arith::SubIOp::create(
                        b, l,
                        arith::SubIOp::create(b, l, sizes[i],
                                              indexConstant(b, l, 1)),
                        idx);
                  indices.push_back(idx);
                }
                linalg::YieldOp::create(
                    b, l, tensor::ExtractOp::create(b, l, input, indices)
                              .getResult());
              })
              .getResult(0);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeOpLowering, PermuteOpLowering, BroadcastInDimOpLowering,
               SliceOpLowering, ConcatOpLowering, PadOpLowering,
               ReverseOpLowering>(patterns.getContext());
}

} // namespace thunder
