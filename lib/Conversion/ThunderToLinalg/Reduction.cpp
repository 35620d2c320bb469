//===- Reduction.cpp - reductions, arg-reductions, scans -> linalg --------===//
//
// reduce_* -> linalg.reduce with the op's identity as init (max/min start at
// -inf/+inf and propagate NaN); f16/bf16 sums and products accumulate in
// f32. argmax/argmin -> a linalg.generic carrying (value, index) whose
// update is order-independent: first index among ties, NaN is the extreme.
// Scans -> a linalg.generic with an extra reduction dimension j that
// combines x[j] for j <= i (O(n^2), fully parallel, no loops).
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

//===----------------------------------------------------------------------===//
// The table: Combiner<Op>::identity(builder, loc, accumulator type) and
// Combiner<Op>::combine(builder, loc, accumulator, element).
//===----------------------------------------------------------------------===//

enum class Combine { Sum, Prod, Max, Min, Or, And };

/// Whether f16/bf16 accumulate in f32 (sums and products round at each step).
bool widens(Combine kind) { return kind == Combine::Sum || kind == Combine::Prod; }

Value identityOf(OpBuilder &b, Location loc, Combine kind, Type type) {
  switch (kind) {
  case Combine::Sum:
  case Combine::Or:
    return scalarConstant(b, loc, type, 0);
  case Combine::Prod:
    return scalarConstant(b, loc, type, 1);
  case Combine::Max:
    return lowestValue(b, loc, type);
  case Combine::Min:
    return highestValue(b, loc, type);
  case Combine::And:
    return arith::ConstantOp::create(
        b, loc,
        b.getIntegerAttr(type, APInt::getAllOnes(type.getIntOrFloatBitWidth())));
  }
  llvm_unreachable("combine kind");
}

Value combine(OpBuilder &b, Location loc, Combine kind, Value acc, Value x) {
  Type type = acc.getType();
  bool isFloat = isa<FloatType>(type);
  switch (kind) {
  case Combine::Sum:
    if (isFloat)
      return arith::AddFOp::create(b, loc, acc, x);
    if (isBool(type))
      return arith::OrIOp::create(b, loc, acc, x);
    return arith::AddIOp::create(b, loc, acc, x);
  case Combine::Prod:
    if (isFloat)
      return arith::MulFOp::create(b, loc, acc, x);
    if (isBool(type))
      return arith::AndIOp::create(b, loc, acc, x);
    return arith::MulIOp::create(b, loc, acc, x);
  case Combine::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, acc, x);
    if (isBool(type))
      return arith::MaxUIOp::create(b, loc, acc, x);
    return arith::MaxSIOp::create(b, loc, acc, x);
  case Combine::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, acc, x);
    if (isBool(type))
      return arith::MinUIOp::create(b, loc, acc, x);
    return arith::MinSIOp::create(b, loc, acc, x);
  case Combine::Or:
    return arith::OrIOp::create(b, loc, acc, x);
  case Combine::And:
    return arith::AndIOp::create(b, loc, acc, x);
  }
  llvm_unreachable("combine kind");
}

template <typename OpTy>
struct CombineOf;
template <> struct CombineOf<ReduceSumOp> { static constexpr Combine kind = Combine::Sum; };
template <> struct CombineOf<ReduceProdOp> { static constexpr Combine kind = Combine::Prod; };
template <> struct CombineOf<ReduceMaxOp> { static constexpr Combine kind = Combine::Max; };
template <> struct CombineOf<ReduceMinOp> { static constexpr Combine kind = Combine::Min; };
template <> struct CombineOf<ReduceOrOp> { static constexpr Combine kind = Combine::Or; };
template <> struct CombineOf<ReduceAndOp> { static constexpr Combine kind = Combine::And; };
template <> struct CombineOf<CumSumOp> { static constexpr Combine kind = Combine::Sum; };
template <> struct CombineOf<CumProdOp> { static constexpr Combine kind = Combine::Prod; };
template <> struct CombineOf<CumMaxOp> { static constexpr Combine kind = Combine::Max; };
template <> struct CombineOf<CumMinOp> { static constexpr Combine kind = Combine::Min; };

/// The shape of `type` without `dims`, and the extents of its '?' dims.
RankedTensorType droppedDims(OpBuilder &b, Location loc, Value tensor,
                             ArrayRef<int64_t> dims, Type elementType,
                             SmallVectorImpl<Value> &dynamicSizes) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (llvm::is_contained(dims, i))
      continue;
    shape.push_back(type.getDimSize(i));
    if (type.isDynamicDim(i))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, tensor, i));
  }
  return RankedTensorType::get(shape, elementType);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// reduce_* -> linalg.reduce (+ a truncation for f16/bf16 sums/products,
/// + expand_shape for keepdim).
template <typename OpTy>
struct ReduceOpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpTy>::OpAdaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr Combine kind = CombineOf<OpTy>::kind;
    Location loc = op.getLoc();
    Value input = adaptor.getOperand();
    ArrayRef<int64_t> dims = op.getDims();
    Type elementType = op.getType().getElementType();
    if (dims.empty()) {
      rewriter.replaceOp(op, input);
      return success();
    }
    Type accType = widens(kind) ? accumulatorType(elementType) : elementType;
    SmallVector<Value> dynamicSizes;
    RankedTensorType accTensor =
        droppedDims(rewriter, loc, input, dims, accType, dynamicSizes);
    Value init = filledTensor(rewriter, loc, accTensor, dynamicSizes,
                              identityOf(rewriter, loc, kind, accType));
    Value result =
        linalg::ReduceOp::create(
            rewriter, loc, ValueRange{input}, ValueRange{init}, dims,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value x = convertScalar(b, l, args[0], accType);
              linalg::YieldOp::create(b, l, combine(b, l, kind, args[1], x));
            })
            .getResult(0);
    result = convertTensor(rewriter, loc, result, elementType);
    if (op.getKeepdim())
      result = expandUnitDims(rewriter, loc, result, dims);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// argmax/argmin -> linalg.generic with (value, index) outputs. An element
/// (x, j) replaces the accumulator (v, i) when x is strictly more extreme,
/// or NaN where v is not, or ties with v at a smaller index: the first
/// extreme whatever order the reduction runs in. The init (-inf or +inf, 0)
/// is dominated by element 0.
template <typename OpTy, bool isMax>
struct ArgReduceOpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpTy>::OpAdaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getOperand();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t dim = op.getDim(), rank = inType.getRank();
    Type elementType = inType.getElementType();
    Type indexType = op.getType().getElementType();
    SmallVector<Value> dynamicSizes;
    RankedTensorType valueTensor =
        droppedDims(rewriter, loc, input, {dim}, elementType, dynamicSizes);
    RankedTensorType indexTensor = valueTensor.clone(indexType);
    Value valueInit =
        filledTensor(rewriter, loc, valueTensor, dynamicSizes,
                     isMax ? lowestValue(rewriter, loc, elementType)
                           : highestValue(rewriter, loc, elementType));
    Value indexInit = filledTensor(rewriter, loc, indexTensor, dynamicSizes,
                                   scalarConstant(rewriter, loc, indexType, 0));
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      if (i != dim)
        outExprs.push_back(rewriter.getAffineDimExpr(i));
    AffineMap inMap = rewriter.getMultiDimIdentityMap(rank);
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, rewriter.getContext());
    SmallVector<utils::IteratorType> iterators = parallelIterators(rank);
    iterators[dim] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueTensor, indexTensor}, ValueRange{input},
        ValueRange{valueInit, indexInit}, {inMap, outMap, outMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], v = args[1], i = args[2];
          Value j = convertScalar(
              b, l,
              arith::IndexCastOp::create(b, l, b.getI64Type(),
                                         linalg::IndexOp::create(b, l, dim)),
              indexType);
          Value better, equal;
          if (isa<FloatType>(elementType)) {
            better = arith::CmpFOp::create(
                b, l, isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
                x, v);
            Value xNaN = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, x, x);
            Value vNaN = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO, v, v);
            Value vNotNaN = arith::XOrIOp::create(
                b, l, vNaN, scalarConstant(b, l, b.getI1Type(), 1));
            better = arith::OrIOp::create(
                b, l, better, arith::AndIOp::create(b, l, xNaN, vNotNaN));
            equal = arith::OrIOp::create(
                b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, x, v),
                arith::AndIOp::create(b, l, xNaN, vNaN));
          } else {
            bool u = isBool(elementType);
            auto pred = isMax ? (u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt)
                              : (u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt);
            better = arith::CmpIOp::create(b, l, pred, x, v);
            equal = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, x, v);
          }
          Value earlier = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, i);
          Value take = arith::OrIOp::create(
              b, l, better, arith::AndIOp::create(b, l, equal, earlier));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, x, v),
                         arith::SelectOp::create(b, l, take, j, i)});
        });
    Value result = generic.getResult(1);
    if (op.getKeepdim())
      result = expandUnitDims(rewriter, loc, result, {dim});
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Inclusive scans -> out[..., i, ...] = combine over j <= i of x[..., j, ...]
/// as a linalg.generic with j as an extra (last) reduction dimension.
template <typename OpTy>
struct ScanOpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpTy>::OpAdaptor;
  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    constexpr Combine kind = CombineOf<OpTy>::kind;
    Location loc = op.getLoc();
    Value input = adaptor.getOperand();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t dim = op.getDim(), rank = type.getRank();
    Type elementType = type.getElementType();
    Type accType = widens(kind) ? accumulatorType(elementType) : elementType;
    Value init = filledTensor(rewriter, loc, type.clone(accType),
                              dynamicDimSizes(rewriter, loc, input),
                              identityOf(rewriter, loc, kind, accType));
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t i = 0; i < rank; ++i) {
      inExprs.push_back(getAffineDimExpr(i == dim ? rank : i, ctx));
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
    AffineMap inMap = AffineMap::get(rank + 1, 0, inExprs, ctx);
    AffineMap outMap = AffineMap::get(rank + 1, 0, outExprs, ctx);
    SmallVector<utils::IteratorType> iterators = parallelIterators(rank + 1);
    iterators[rank] = utils::IteratorType::reduction;
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{init.getType()}, ValueRange{input},
            ValueRange{init}, {inMap, outMap}, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value i = linalg::IndexOp::create(b, l, dim);
              Value j = linalg::IndexOp::create(b, l, rank);
              Value inPrefix =
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::ule, j, i);
              Value x = convertScalar(b, l, args[0], accType);
              Value next = combine(b, l, kind, args[1], x);
              linalg::YieldOp::create(
                  b, l, ValueRange{arith::SelectOp::create(b, l, inPrefix, next,
                                                           args[1])});
            })
            .getResult(0);
    rewriter.replaceOp(op, convertTensor(rewriter, loc, result, elementType));
    return success();
  }
};

} // namespace

void populateReductionPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReduceOpLowering<ReduceSumOp>, ReduceOpLowering<ReduceProdOp>,
               ReduceOpLowering<ReduceMaxOp>, ReduceOpLowering<ReduceMinOp>,
               ReduceOpLowering<ReduceOrOp>, ReduceOpLowering<ReduceAndOp>,
               ArgReduceOpLowering<ArgMaxOp, true>,
               ArgReduceOpLowering<ArgMinOp, false>, ScanOpLowering<CumSumOp>,
               ScanOpLowering<CumProdOp>, ScanOpLowering<CumMaxOp>,
               ScanOpLowering<CumMinOp>>(ctx);
}

} // namespace thunder
