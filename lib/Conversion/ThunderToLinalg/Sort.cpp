//===- Sort.cpp - thunder.sort -> two rank-based linalg.generic ops -------===//
//
// A stable sort without loops: the rank of element i along `dim` is
//   rank(i) = #{ j : x_j before x_i, or x_j == x_i and j < i }
// (a generic with j as an extra reduction dimension); then element i lands at
// position rank(i) (a second generic that, for each output position r,
// selects the i whose rank is r). "Before" is `<` ascending and `>`
// descending, with NaN after every number ascending and before descending,
// NaNs equal among themselves, as PyTorch's sort. O(n^2) along `dim`.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"

#include "thunder/Conversion/ThunderToLinalg/ThunderToLinalg.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace thunder::lowering;

namespace thunder {
namespace {

/// a < b with NaN greater than every number.
Value lessThan(OpBuilder &b, Location loc, Value x, Value y) {
  Type type = x.getType();
  if (isa<FloatType>(type)) {
    Value lt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, y);
    Value xNumber = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, x, x);
    Value yNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, y, y);
    return arith::OrIOp::create(b, loc, lt,
                                arith::AndIOp::create(b, loc, xNumber, yNaN));
  }
  return arith::CmpIOp::create(b, loc,
                               isBool(type) ? arith::CmpIPredicate::ult
                                            : arith::CmpIPredicate::slt,
                               x, y);
}

/// a == b with NaN equal to NaN.
Value sameKey(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType())) {
    Value eq = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, y);
    Value xNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
    Value yNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, y, y);
    return arith::OrIOp::create(b, loc, eq,
                                arith::AndIOp::create(b, loc, xNaN, yNaN));
  }
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
}

struct SortOpLowering : OpConversionPattern<SortOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SortOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value input = adaptor.getOperand();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t dim = op.getDim(), rank = type.getRank();
    bool descending = op.getDescending();
    Type indexType = op.getIndices().getType().getElementType();
    Type i64 = rewriter.getI64Type();
    SmallVector<Value> dynamicSizes = dynamicDimSizes(rewriter, loc, input);

    // Maps over rank + 1 dims: the last one is the "other" position along dim.
    SmallVector<AffineExpr> same, other;
    for (int64_t i = 0; i < rank; ++i) {
      same.push_back(getAffineDimExpr(i, ctx));
      other.push_back(getAffineDimExpr(i == dim ? rank : i, ctx));
    }
    AffineMap sameMap = AffineMap::get(rank + 1, 0, same, ctx);
    AffineMap otherMap = AffineMap::get(rank + 1, 0, other, ctx);
    SmallVector<utils::IteratorType> iterators = parallelIterators(rank + 1);
    iterators[rank] = utils::IteratorType::reduction;

    // rank(i) = #{ j : x_j before x_i, or equal with j < i }.
    Value zeros = filledTensor(rewriter, loc, type.clone(i64), dynamicSizes,
                               scalarConstant(rewriter, loc, i64, 0));
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{zeros.getType()}, ValueRange{input, input},
            ValueRange{zeros}, {sameMap, otherMap, sameMap}, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value xi = args[0], xj = args[1], count = args[2];
              Value i = linalg::IndexOp::create(b, l, dim);
              Value j = linalg::IndexOp::create(b, l, rank);
              Value before = descending ? lessThan(b, l, xi, xj)
                                        : lessThan(b, l, xj, xi);
              Value tie = arith::AndIOp::create(
                  b, l, sameKey(b, l, xi, xj),
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, j, i));
              Value counts = arith::OrIOp::create(b, l, before, tie);
              Value one = arith::ExtUIOp::create(b, l, b.getI64Type(), counts);
              linalg::YieldOp::create(b, l,
                                      ValueRange{arith::AddIOp::create(b, l, count, one)});
            })
            .getResult(0);

    // values[r] = x_i and indices[r] = i for the i with rank(i) = r.
    Value valueInit = filledTensor(rewriter, loc, type, dynamicSizes,
                                   scalarConstant(rewriter, loc,
                                                  type.getElementType(), 0));
    Value indexInit = filledTensor(rewriter, loc, type.clone(indexType),
                                   dynamicSizes,
                                   scalarConstant(rewriter, loc, indexType, 0));
    auto placed = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueInit.getType(), indexInit.getType()},
        ValueRange{input, ranks}, ValueRange{valueInit, indexInit},
        {otherMap, otherMap, sameMap, sameMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value xi = args[0], rankI = args[1], value = args[2], index = args[3];
          Value r = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                               linalg::IndexOp::create(b, l, dim));
          Value i = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                               linalg::IndexOp::create(b, l, rank));
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, rankI, r);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, hit, xi, value),
                         arith::SelectOp::create(
                             b, l, hit, convertScalar(b, l, i, indexType), index)});
        });
    rewriter.replaceOp(op, placed.getResults());
    return success();
  }
};

} // namespace

void populateSortPatterns(RewritePatternSet &patterns) {
  patterns.add<SortOpLowering>(patterns.getContext());
}

} // namespace thunder
