//===- InterchangeLoops.cpp - a contiguous parallel loop innermost ----------===//
//
// thunder-interchange-loops (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "thunder/Target/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace thunder::target {
#define GEN_PASS_DEF_INTERCHANGELOOPS
#include "thunder/Target/Passes.h.inc"
} // namespace thunder::target

using namespace mlir;

namespace thunder::target {
namespace {

/// Whether loop dimension `d` occurs in `map` at most in its last result.
bool onlyInLastResult(AffineMap map, unsigned d) {
  for (unsigned r = 0, e = map.getNumResults(); r + 1 < e; ++r)
    if (map.getResult(r).isFunctionOfDim(d))
      return false;
  return true;
}

/// Whether `d` as the innermost loop walks every operand contiguously (or
/// not at all) and every output contiguously.
bool isGoodInnermost(linalg::LinalgOp op, unsigned d) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!onlyInLastResult(map, d))
      return false;
    if (op.isDpsInit(&operand) &&
        (map.getNumResults() == 0 || !map.getResults().back().isFunctionOfDim(d)))
      return false;
  }
  return true;
}

struct InterchangeLoopsPass : impl::InterchangeLoopsBase<InterchangeLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && op.getNumReductionLoops() > 0 && op.getNumLoops() >= 2)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      unsigned n = op.getNumLoops();
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      if (iterators[n - 1] == utils::IteratorType::parallel || isGoodInnermost(op, n - 1))
        continue;
      std::optional<unsigned> chosen;
      for (unsigned d = n - 1; d-- > 0;)
        if (iterators[d] == utils::IteratorType::parallel && isGoodInnermost(op, d)) {
          chosen = d;
          break;
        }
      if (!chosen)
        continue;
      SmallVector<unsigned> permutation;
      for (unsigned d = 0; d < n; ++d)
        if (d != *chosen)
          permutation.push_back(d);
      permutation.push_back(*chosen);

      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
        if (failed(g))
          continue;
        generic = *g;
      }
      (void)linalg::interchangeGenericOp(rewriter, generic, permutation);
    }
  }
};

} // namespace
} // namespace thunder::target
