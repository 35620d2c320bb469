//===- ThunderToLinalg.cpp - the convert-thunder-to-linalg pass -----------===//
#include "thunder/Conversion/ThunderToLinalg/ThunderToLinalg.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"
#include "thunder/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace thunder {

#define GEN_PASS_DEF_CONVERTTHUNDERTOLINALG
#include "thunder/Transforms/Passes.h.inc"

void populateThunderToLinalgPatterns(mlir::RewritePatternSet &patterns) {
  populateCreationPatterns(patterns);
  populateElementwisePatterns(patterns);
  populateReductionPatterns(patterns);
  populateDataMovementPatterns(patterns);
  populateIndexingPatterns(patterns);
  populateSortPatterns(patterns);
  populateLinearAlgebraPatterns(patterns);
  populateConvolutionPatterns(patterns);
  populatePoolingPatterns(patterns);
}

namespace {
struct ConvertThunderToLinalgPass
    : impl::ConvertThunderToLinalgBase<ConvertThunderToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    mlir::MLIRContext *ctx = &getContext();
    mlir::ConversionTarget target(*ctx);
    target.addIllegalDialect<ThunderDialect>();
    if (keepAttention)
      target.addLegalOp<AttentionOp>();
    // A target's fused kernels (destination style, bufferized by the target).
    target.addLegalOp<FusedAttentionOp, FusedAttentionGradOp>();
    // A user operator's call stays whole until bufferization (custom-ops.md).
    target.addLegalOp<CustomCallOp>();
    target.markUnknownOpDynamicallyLegal([](mlir::Operation *) { return true; });
    mlir::RewritePatternSet patterns(ctx);
    populateThunderToLinalgPatterns(patterns);
    if (mlir::failed(mlir::applyPartialConversion(getOperation(), target,
                                                  std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

} // namespace thunder
