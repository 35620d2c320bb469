//===- LinearAlgebra.cpp - thunder.matmul -> linalg.matmul/batch_matmul ---===//
//
// Rank 2: linalg.matmul; rank 3: linalg.batch_matmul; rank > 3: the batch
// dims are collapsed into one around a linalg.batch_matmul. f16/bf16
// accumulate into an f32 init (the named ops extend their inputs), then
// round once.
//
//===----------------------------------------------------------------------===//
#include "Utils.h"

#include "thunder/Conversion/ThunderToLinalg/ThunderToLinalg.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace thunder::lowering;

namespace thunder {
namespace {

/// Collapses dims [0, rank - 2) of `tensor` into one.
Value collapseBatch(OpBuilder &b, Location loc, Value tensor) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  ReassociationIndices batch;
  for (int64_t i = 0; i < rank - 2; ++i)
    batch.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, tensor,
      ArrayRef<ReassociationIndices>{batch, {rank - 2}, {rank - 1}});
}

struct MatmulOpLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    Type elementType = type.getElementType();
    Type accType = accumulatorType(elementType);
    if (rank > 3) {
      lhs = collapseBatch(rewriter, loc, lhs);
      rhs = collapseBatch(rewriter, loc, rhs);
    }
    // Extents of the (collapsed) result: [batch,] M, N.
    SmallVector<Value> sizes;
    if (rank > 2)
      sizes.push_back(dimSize(rewriter, loc, lhs, 0));
    int64_t r = rank > 2 ? 3 : 2;
    sizes.push_back(dimSize(rewriter, loc, lhs, r - 2));
    sizes.push_back(dimSize(rewriter, loc, rhs, r - 1));
    SmallVector<int64_t> shape;
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    if (rank > 2)
      shape.push_back(lhsType.getDimSize(0));
    shape.push_back(lhsType.getDimSize(r - 2));
    shape.push_back(rhsType.getDimSize(r - 1));
    auto accTensor = RankedTensorType::get(shape, accType);
    Value init = filledTensor(rewriter, loc, accTensor,
                              pickDynamic(accTensor, sizes),
                              scalarConstant(rewriter, loc, accType, 0));
    Value product =
        rank == 2
            ? linalg::MatmulOp::create(rewriter, loc, TypeRange{accTensor},
                                       ValueRange{lhs, rhs}, ValueRange{init})
                  .getResult(0)
            : linalg::BatchMatmulOp::create(rewriter, loc, TypeRange{accTensor},
                                            ValueRange{lhs, rhs},
                                            ValueRange{init})
                  .getResult(0);
    product = convertTensor(rewriter, loc, product, elementType);
    if (rank > 3) {
      // Expand the batch dim back, with the extents of the original lhs.
      ReassociationIndices batch;
      SmallVector<OpFoldResult> outputShape;
      for (int64_t i = 0; i < rank - 2; ++i) {
        batch.push_back(i);
        outputShape.push_back(
            tensor::getMixedSize(rewriter, loc, adaptor.getLhs(), i));
      }
      outputShape.push_back(tensor::getMixedSize(rewriter, loc, product, 1));
      outputShape.push_back(tensor::getMixedSize(rewriter, loc, product, 2));
      product = tensor::ExpandShapeOp::create(
          rewriter, loc, type, product,
          ArrayRef<ReassociationIndices>{batch, {rank - 2}, {rank - 1}},
          outputShape);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, product, type));
    return success();
  }
};

} // namespace

void populateLinearAlgebraPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulOpLowering>(patterns.getContext());
}

} // namespace thunder
