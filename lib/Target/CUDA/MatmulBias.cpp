//===- MatmulBias.cpp - a bias added to a product starts the product --------===//
//
// thunder-cuda-matmul-bias. A Linear layer lowers to a contraction into a
// zero fill and an elementwise add of the bias vector along the last dim:
// two passes over the result. Here, on tensors, the contraction starts from
// the broadcast bias instead (`bias + a @ b`, the same sum), and the add
// goes; thunder-cuda-library-calls then hands the bias to cuBLASLt's bias
// epilogue, so no kernel reads or writes the product twice.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDAMATMULBIAS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

/// `product + bias[last dim]` (either order) of one element type.
struct FoldBiasAdd : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp add, PatternRewriter &rewriter) const override {
    if (add.getNumDpsInputs() != 2 || add.getNumDpsInits() != 1 || !add.hasPureTensorSemantics() ||
        add.getNumReductionLoops() != 0)
      return failure();
    Block &body = add.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    auto addf = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
    if (!addf || &body.front() != addf.getOperation() || addf->getNextNode() != yield)
      return failure();
    unsigned rank = add.getNumLoops();
    for (unsigned productIndex : {0u, 1u}) {
      OpOperand *productOperand = add.getDpsInputOperand(productIndex);
      OpOperand *biasOperand = add.getDpsInputOperand(1 - productIndex);
      Value argP = body.getArgument(productIndex), argB = body.getArgument(1 - productIndex);
      if (!((addf.getLhs() == argP && addf.getRhs() == argB) ||
            (addf.getLhs() == argB && addf.getRhs() == argP)))
        continue;
      auto product = productOperand->get().getDefiningOp<linalg::LinalgOp>();
      if (!product || !product->hasOneUse() || product.getNumDpsInits() != 1 ||
          product.getNumReductionLoops() == 0 || !isMulAddBody(product) ||
          !add.getMatchingIndexingMap(productOperand).isIdentity())
        continue;
      // The bias: a vector along the last loop, of the product's type.
      Value bias = biasOperand->get();
      auto biasType = dyn_cast<RankedTensorType>(bias.getType());
      AffineMap biasMap = add.getMatchingIndexingMap(biasOperand);
      Type elementType = getElementTypeOrSelf(product->getResult(0).getType());
      if (!biasType || biasType.getRank() != 1 || biasType.getElementType() != elementType ||
          getElementTypeOrSelf(add->getResult(0).getType()) != elementType ||
          biasMap.getNumResults() != 1 || biasMap.getResult(0) != rewriter.getAffineDimExpr(rank - 1))
        continue;
      // The product starts from zero.
      OpOperand *init = product.getDpsInitOperand(0);
      auto fill = init->get().getDefiningOp<linalg::FillOp>();
      if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
        continue;
      if (Operation *def = bias.getDefiningOp();
          def && def->getBlock() == product->getBlock() && product->isBeforeInBlock(def))
        continue;
      rewriter.setInsertionPoint(product);
      SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
      auto broadcast = linalg::BroadcastOp::create(rewriter, add.getLoc(), bias,
                                                   fill.getDpsInits()[0], dims);
      rewriter.modifyOpInPlace(product, [&] { init->set(broadcast->getResult(0)); });
      rewriter.replaceOp(add, product->getResults());
      return success();
    }
    return failure();
  }
};

struct CUDAMatmulBiasPass : impl::CUDAMatmulBiasBase<CUDAMatmulBiasPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBiasAdd>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace thunder::cuda
