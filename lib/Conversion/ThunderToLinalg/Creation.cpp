//===- Creation.cpp - constant, full, iota -> arith/linalg ----------------===//
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

/// thunder.constant -> arith.constant (one-shot-bufferize makes it a
/// memref.global).
struct ConstantOpLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

/// thunder.full -> linalg.fill of a tensor.empty sized by its operands.
struct FullOpLowering : OpConversionPattern<FullOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FullOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scalar = arith::ConstantOp::create(rewriter, loc, op.getValue());
    rewriter.replaceOp(op, filledTensor(rewriter, loc, op.getType(),
                                        adaptor.getSizes(), scalar));
    return success();
  }
};

/// thunder.iota -> linalg.generic yielding linalg.index(dim), converted.
struct IotaOpLowering : OpConversionPattern<IotaOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IotaOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value init = emptyTensor(rewriter, loc, type, adaptor.getSizes());
    int64_t dim = op.getDim();
    Type elementType = type.getElementType();
    Value result = mapElementwise(
        rewriter, loc, {}, init, [&](OpBuilder &b, Location l, ValueRange) {
          Value index = linalg::IndexOp::create(b, l, dim);
          Value i64 = arith::IndexCastOp::create(b, l, b.getI64Type(), index);
          linalg::YieldOp::create(b, l, convertScalar(b, l, i64, elementType));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateCreationPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantOpLowering, FullOpLowering, IotaOpLowering>(
      patterns.getContext());
}

} // namespace thunder
