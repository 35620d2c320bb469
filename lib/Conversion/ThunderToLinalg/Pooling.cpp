//===- Pooling.cpp - max_pool, avg_pool, max_pool_backward -> linalg ------===//
//
// The last `kernel.size()` dims are pooled. A window is an extra reduction
// dimension per pooled dim, sized by a tensor.empty of the kernel's shape
// (an input the body ignores), read at `out * stride + window * dilation`.
//  - max_pool: -inf padding, NaN-propagating maximum.
//  - avg_pool: zero padding, sum (f32 for f16/bf16), then a generic that
//    divides by divisor_override, or by the number of window positions inside
//    [-counted_low, extent + counted_high) (PyTorch's count_include_pad).
//  - max_pool_backward: a generic finds the first maximum of each window (an
//    index into the window; padding never wins), then, for each input
//    position, a generic over the window offsets sums the gradients of the
//    windows whose maximum it is. No scatter, no loops.
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

/// The window geometry of a pool op over a rank-`rank` input.
struct Window {
  int64_t rank, pooled, lead; // lead = rank - pooled leading (batch) dims
  SmallVector<int64_t> kernel, stride, low, high, dilation;

  template <typename OpTy>
  static Window of(OpTy op, int64_t rank, ArrayRef<int64_t> dilation) {
    Window w;
    w.rank = rank;
    w.pooled = op.getKernel().size();
    w.lead = rank - w.pooled;
    w.kernel.assign(op.getKernel().begin(), op.getKernel().end());
    w.stride.assign(op.getStride().begin(), op.getStride().end());
    w.low.assign(op.getPaddingLow().begin(), op.getPaddingLow().end());
    w.high.assign(op.getPaddingHigh().begin(), op.getPaddingHigh().end());
    if (dilation.empty())
      w.dilation.assign(w.pooled, 1);
    else
      w.dilation.assign(dilation.begin(), dilation.end());
    return w;
  }

  /// Pads the pooled dims of `input` with `value`.
  Value pad(OpBuilder &b, Location loc, Value input, Value value) const {
    SmallVector<int64_t> lo(lead, 0), hi(lead, 0);
    llvm::append_range(lo, low);
    llvm::append_range(hi, high);
    return padTensor(b, loc, input, lo, hi, value);
  }

  /// The result extents for `input` (unpadded): static ones from `type`.
  SmallVector<Value> outputSizes(OpBuilder &b, Location loc, Value input,
                                 RankedTensorType type) const {
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < rank; ++i) {
      if (!type.isDynamicDim(i)) {
        sizes.push_back(indexConstant(b, loc, type.getDimSize(i)));
        continue;
      }
      Value extent = dimSize(b, loc, input, i);
      if (i < lead) {
        sizes.push_back(extent);
        continue;
      }
      int64_t p = i - lead;
      // (extent + low + high - dilation * (kernel - 1) - 1) / stride + 1
      Value room = arith::AddIOp::create(
          b, loc, extent,
          indexConstant(b, loc,
                        low[p] + high[p] - dilation[p] * (kernel[p] - 1) - 1));
      sizes.push_back(arith::AddIOp::create(
          b, loc,
          arith::DivSIOp::create(b, loc, room, indexConstant(b, loc, stride[p])),
          indexConstant(b, loc, 1)));
    }
    return sizes;
  }

  /// Iteration space (lead..., out..., win...): the maps of the (padded)
  /// input, the kernel-shaped tensor and the output.
  SmallVector<AffineMap> maps(MLIRContext *ctx) const {
    int64_t numDims = rank + pooled;
    SmallVector<AffineExpr> in, win, out;
    for (int64_t i = 0; i < rank; ++i) {
      AffineExpr d = getAffineDimExpr(i, ctx);
      out.push_back(d);
      if (i < lead) {
        in.push_back(d);
        continue;
      }
      int64_t p = i - lead;
      AffineExpr w = getAffineDimExpr(rank + p, ctx);
      in.push_back(d * stride[p] + w * dilation[p]);
      win.push_back(w);
    }
    return {AffineMap::get(numDims, 0, in, ctx),
            AffineMap::get(numDims, 0, win, ctx),
            AffineMap::get(numDims, 0, out, ctx)};
  }

  SmallVector<utils::IteratorType> iterators() const {
    SmallVector<utils::IteratorType> it = parallelIterators(rank + pooled);
    for (int64_t i = rank; i < rank + pooled; ++i)
      it[i] = utils::IteratorType::reduction;
    return it;
  }

  /// A tensor of the kernel's shape: it sizes the window dims.
  Value windowTensor(OpBuilder &b, Location loc, Type elementType) const {
    return tensor::EmptyOp::create(b, loc, kernel, elementType);
  }
};

struct MaxPoolOpLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    Window w = Window::of(op, type.getRank(), op.getDilation());
    Value lowest = lowestValue(rewriter, loc, elementType);
    Value padded = w.pad(rewriter, loc, input, lowest);
    Value init = filledTensor(
        rewriter, loc, type,
        pickDynamic(type, w.outputSizes(rewriter, loc, input, type)), lowest);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{type},
            ValueRange{padded, w.windowTensor(rewriter, loc, elementType)},
            ValueRange{init}, w.maps(rewriter.getContext()), w.iterators(),
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l,
                  ValueRange{arith::MaximumFOp::create(b, l, args[2], args[0])});
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct AvgPoolOpLowering : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    Type accType = accumulatorType(elementType);
    Window w = Window::of(op, type.getRank(), {});
    Value padded = w.pad(rewriter, loc, input,
                         scalarConstant(rewriter, loc, elementType, 0));
    SmallVector<Value> dynamicSizes =
        pickDynamic(type, w.outputSizes(rewriter, loc, input, type));
    auto accTensor = type.clone(accType);
    Value zeros = filledTensor(rewriter, loc, accTensor, dynamicSizes,
                               scalarConstant(rewriter, loc, accType, 0));
    Value sums =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{accTensor},
            ValueRange{padded, w.windowTensor(rewriter, loc, elementType)},
            ValueRange{zeros}, w.maps(rewriter.getContext()), w.iterators(),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value x = convertScalar(b, l, args[0], accType);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::AddFOp::create(b, l, args[2], x)});
            })
            .getResult(0);

    // Divide each window sum by its divisor.
    SmallVector<Value> extents;
    for (int64_t p = 0; p < w.pooled; ++p)
      extents.push_back(dimSize(rewriter, loc, input, w.lead + p));
    std::optional<uint64_t> divisorOverride = op.getDivisorOverride();
    ArrayRef<int64_t> countedLow = op.getCountedPaddingLow();
    ArrayRef<int64_t> countedHigh = op.getCountedPaddingHigh();
    Value init = emptyTensor(rewriter, loc, type, dynamicSizes);
    Value result = mapElementwise(
        rewriter, loc, sums, init,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value divisor;
          if (divisorOverride) {
            divisor = scalarConstant(b, l, accType,
                                     static_cast<double>(*divisorOverride));
          } else {
            Value count = indexConstant(b, l, 1);
            for (int64_t p = 0; p < w.pooled; ++p) {
              // [start, start + k) intersected with
              // [-countedLow, extent + countedHigh).
              Value o = linalg::IndexOp::create(b, l, w.lead + p);
              Value start = arith::SubIOp::create(
                  b, l, arith::MulIOp::create(b, l, o, indexConstant(b, l, w.stride[p])),
                  indexConstant(b, l, w.low[p]));
              Value end = arith::AddIOp::create(b, l, start,
                                                indexConstant(b, l, w.kernel[p]));
              Value hi = arith::AddIOp::create(
                  b, l, extents[p], indexConstant(b, l, countedHigh[p]));
              Value lo = indexConstant(b, l, -countedLow[p]);
              Value size = arith::SubIOp::create(
                  b, l, arith::MinSIOp::create(b, l, end, hi),
                  arith::MaxSIOp::create(b, l, start, lo));
              count = arith::MulIOp::create(b, l, count, size);
            }
            Value i64 = arith::IndexCastOp::create(b, l, b.getI64Type(), count);
            divisor = arith::SIToFPOp::create(b, l, accType, i64);
          }
          Value mean = arith::DivFOp::create(b, l, args[0], divisor);
          linalg::YieldOp::create(b, l, convertScalar(b, l, mean, elementType));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MaxPoolBackwardOpLowering : OpConversionPattern<MaxPoolBackwardOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getInput(), grad = adaptor.getGradOutput();
    auto inType = cast<RankedTensorType>(input.getType());
    auto gradType = cast<RankedTensorType>(grad.getType());
    Type elementType = inType.getElementType();
    Type accType = accumulatorType(elementType);
    Type i64 = rewriter.getI64Type();
    Window w = Window::of(op, inType.getRank(), op.getDilation());
    int64_t rank = w.rank;

    SmallVector<Value> extents = dimSizes(rewriter, loc, input);
    // Linear index of a window offset: sum(win_p * prod(kernel[p+1:])).
    auto linearWindow = [&](OpBuilder &b, Location l) {
      Value linear = indexConstant(b, l, 0);
      for (int64_t p = 0; p < w.pooled; ++p) {
        linear = arith::MulIOp::create(b, l, linear,
                                       indexConstant(b, l, w.kernel[p]));
        linear = arith::AddIOp::create(b, l, linear,
                                       linalg::IndexOp::create(b, l, rank + p));
      }
      return arith::IndexCastOp::create(b, l, b.getI64Type(), linear).getResult();
    };

    // 1. The first maximum of each window, as a linear window offset.
    Value lowest = lowestValue(rewriter, loc, elementType);
    Value padded = w.pad(rewriter, loc, input, lowest);
    SmallVector<Value> gradDynamic = dynamicDimSizes(rewriter, loc, grad);
    Value maxInit = filledTensor(rewriter, loc, gradType.clone(elementType),
                                 gradDynamic, lowest);
    Value argInit = filledTensor(rewriter, loc, gradType.clone(i64), gradDynamic,
                                 scalarConstant(rewriter, loc, i64, -1));
    SmallVector<AffineMap> maps = w.maps(ctx);
    maps.push_back(maps.back());
    auto argmax = linalg::GenericOp::create(
        rewriter, loc, TypeRange{maxInit.getType(), argInit.getType()},
        ValueRange{padded, w.windowTensor(rewriter, loc, elementType)},
        ValueRange{maxInit, argInit}, maps, w.iterators(),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], v = args[2], idx = args[3];
          // Inside the input (not padding)?
          Value valid = scalarConstant(b, l, b.getI1Type(), 1);
          for (int64_t p = 0; p < w.pooled; ++p) {
            Value o = linalg::IndexOp::create(b, l, w.lead + p);
            Value k = linalg::IndexOp::create(b, l, rank + p);
            Value pos = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, o, indexConstant(b, l, w.stride[p])),
                arith::MulIOp::create(b, l, k, indexConstant(b, l, w.dilation[p])));
            Value lo = indexConstant(b, l, w.low[p]);
            Value hi = arith::AddIOp::create(b, l, extents[w.lead + p], lo);
            valid = arith::AndIOp::create(
                b, l, valid,
                arith::AndIOp::create(
                    b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, pos, lo),
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, pos, hi)));
          }
          Value j = linearWindow(b, l);
          Value none = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, idx,
                                             scalarConstant(b, l, i64, -1));
          Value xNaN = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
          Value vNaN = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
          Value better = arith::OrIOp::create(
              b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, v),
              arith::AndIOp::create(
                  b, l, xNaN,
                  arith::XOrIOp::create(b, l, vNaN,
                                        scalarConstant(b, l, b.getI1Type(), 1))));
          Value equal = arith::OrIOp::create(
              b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x, v),
              arith::AndIOp::create(b, l, xNaN, vNaN));
          Value earlier = arith::AndIOp::create(
              b, l, equal,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, idx));
          Value take = arith::AndIOp::create(
              b, l, valid,
              arith::OrIOp::create(b, l, none,
                                   arith::OrIOp::create(b, l, better, earlier)));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, x, v),
                         arith::SelectOp::create(b, l, take, j, idx)});
        });
    Value argmaxes = argmax.getResult(1);

    // 2. For each input position p and window offset k, the window
    //    o = (p + low - k * dilation) / stride (when exact and in range)
    //    contributes its gradient if its maximum is at offset k.
    SmallVector<Value> gradExtents = dimSizes(rewriter, loc, grad);
    SmallVector<AffineExpr> inExprs, winExprs;
    for (int64_t i = 0; i < rank; ++i)
      inExprs.push_back(getAffineDimExpr(i, ctx));
    for (int64_t p = 0; p < w.pooled; ++p)
      winExprs.push_back(getAffineDimExpr(rank + p, ctx));
    AffineMap inMap = AffineMap::get(rank + w.pooled, 0, inExprs, ctx);
    AffineMap winMap = AffineMap::get(rank + w.pooled, 0, winExprs, ctx);
    Value zeros = filledTensor(rewriter, loc, inType.clone(accType),
                               dynamicDimSizes(rewriter, loc, input),
                               scalarConstant(rewriter, loc, accType, 0));
    Value sums =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{zeros.getType()},
            ValueRange{w.windowTensor(rewriter, loc, elementType)},
            ValueRange{zeros}, {winMap, inMap}, w.iterators(),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value valid = scalarConstant(b, l, b.getI1Type(), 1);
              SmallVector<Value> at;
              for (int64_t i = 0; i < w.lead; ++i)
                at.push_back(linalg::IndexOp::create(b, l, i));
              Value zero = indexConstant(b, l, 0);
              for (int64_t p = 0; p < w.pooled; ++p) {
                Value pos = linalg::IndexOp::create(b, l, w.lead + p);
                Value k = linalg::IndexOp::create(b, l, rank + p);
                Value num = arith::SubIOp::create(
                    b, l,
                    arith::AddIOp::create(b, l, pos, indexConstant(b, l, w.low[p])),
                    arith::MulIOp::create(b, l, k, indexConstant(b, l, w.dilation[p])));
                Value s = indexConstant(b, l, w.stride[p]);
                Value o = arith::DivSIOp::create(b, l, num, s);
                Value ok = arith::AndIOp::create(
                    b, l,
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, num, zero),
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                          arith::RemSIOp::create(b, l, num, s), zero));
                ok = arith::AndIOp::create(
                    b, l, ok,
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, o,
                                          gradExtents[w.lead + p]));
                valid = arith::AndIOp::create(b, l, valid, ok);
                at.push_back(o);
              }
              // Read at a clamped position; the select drops it when invalid.
              for (int64_t p = 0; p < w.pooled; ++p)
                at[w.lead + p] = arith::SelectOp::create(b, l, valid,
                                                         at[w.lead + p], zero);
              Value arg = tensor::ExtractOp::create(b, l, argmaxes, at);
              Value hit = arith::AndIOp::create(
                  b, l, valid,
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, arg,
                                        linearWindow(b, l)));
              Value g = convertScalar(
                  b, l, tensor::ExtractOp::create(b, l, grad, at), accType);
              Value added = arith::AddFOp::create(b, l, args[1], g);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::SelectOp::create(b, l, hit, added, args[1])});
            })
            .getResult(0);
    Value result = convertTensor(rewriter, loc, sums, elementType);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

} // namespace

void populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolOpLowering, AvgPoolOpLowering, MaxPoolBackwardOpLowering>(
      patterns.getContext());
}

} // namespace thunder
