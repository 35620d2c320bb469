//===- FoldAttentionPermutes.cpp - attention reads and writes permuted views ===//
//
// thunder-cuda-fold-attention-permutes. Models split heads with a permute
// ([B, T, H, E] -> [B, H, T, E]) before attention and merge them with the
// inverse after; bufferization turns each permute into a copy kernel into a
// fresh buffer. The fused attention kernels take strided operands (only the
// last dim must be contiguous), so on buffers, before the memory plan:
//   - an input filled by `linalg.transpose ins(%src) outs(%tmp)` and read by
//     nothing else is read as `memref.transpose %src` instead;
//   - an output read by nothing but `linalg.transpose ins(%out) outs(%dst)`
//     is written straight into `memref.transpose %dst` (the inverse order).
// Both only when nothing between the copy and the attention op writes (or,
// for an output, touches) the buffer the view would read (or write).
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDAFOLDATTENTIONPERMUTES
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

/// The buffer a view is a view of (through view-like ops and memref.transpose,
/// which is no ViewLikeOpInterface), or the value itself.
Value getRootBuffer(Value v) {
  while (true) {
    if (auto view = v.getDefiningOp<ViewLikeOpInterface>())
      v = view.getViewSource();
    else if (auto transpose = v.getDefiningOp<memref::TransposeOp>())
      v = transpose.getIn();
    else
      return v;
  }
}

/// Whether an op strictly between `from` and `to` (one block, `from` first)
/// may write `root` (with `orRead`: or read it). Ops without declared effects
/// count as touching everything.
bool touchedBetween(Operation *from, Operation *to, Value root, bool orRead) {
  for (Operation *op = from->getNextNode(); op && op != to; op = op->getNextNode()) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects) {
      if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() || op->getNumRegions() == 0)
        if (isMemoryEffectFree(op))
          continue;
      return true;
    }
    SmallVector<MemoryEffects::EffectInstance> list;
    effects.getEffects(list);
    for (auto &e : list) {
      bool relevant = isa<MemoryEffects::Write>(e.getEffect()) ||
                      (orRead && isa<MemoryEffects::Read>(e.getEffect()));
      if (!relevant || isa<MemoryEffects::Allocate, MemoryEffects::Free>(e.getEffect()))
        continue;
      Value v = e.getValue();
      if (!v || getRootBuffer(v) == root)
        return true;
    }
  }
  return false;
}

/// The fresh buffer `v` if it is a memref.alloc used only by `users`.
bool isFreshAllocUsedOnlyBy(Value v, ArrayRef<Operation *> users) {
  if (!v.getDefiningOp<memref::AllocOp>())
    return false;
  return llvm::all_of(v.getUsers(), [&](Operation *u) { return llvm::is_contained(users, u); });
}

/// memref.transpose of `source` that reads it in linalg.transpose order `perm`
/// (result dim i is source dim perm[i]).
Value createPermutedView(PatternRewriter &rewriter, Location loc, Value source,
                         ArrayRef<int64_t> perm) {
  SmallVector<unsigned> dims(perm.begin(), perm.end());
  AffineMap map = AffineMap::getPermutationMap(dims, rewriter.getContext());
  return memref::TransposeOp::create(rewriter, loc, source, AffineMapAttr::get(map));
}

template <typename OpTy> struct FoldPermutes : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    if (!isa<MemRefType>(op.getQuery().getType()))
      return failure();
    bool changed = false;
    // Inputs: q, k, v (and the output gradient); not the mask, not the outputs.
    unsigned firstOutput = op->getNumOperands() - op.getOutputs().size();
    for (OpOperand &use : op->getOpOperands()) {
      if (use.getOperandNumber() >= firstOutput || use.get() == op.getMask())
        continue;
      Value tmp = use.get();
      linalg::TransposeOp copy;
      for (Operation *user : tmp.getUsers())
        if (auto t = dyn_cast<linalg::TransposeOp>(user); t && t.getInit() == tmp)
          copy = t;
      if (!copy || copy->getBlock() != op->getBlock() || !copy->isBeforeInBlock(op) ||
          !isFreshAllocUsedOnlyBy(tmp, {copy, op}))
        continue;
      // Nothing may write the source before the op reads it, nor the op itself.
      Value source = getRootBuffer(copy.getInput());
      if (touchedBetween(copy, op, source, /*orRead=*/false) ||
          llvm::any_of(op.getOutputs(), [&](Value o) { return getRootBuffer(o) == source; }))
        continue;
      rewriter.setInsertionPoint(op);
      Value view = createPermutedView(rewriter, op.getLoc(), copy.getInput(), copy.getPermutation());
      rewriter.modifyOpInPlace(op, [&] { use.set(view); });
      rewriter.eraseOp(copy);
      if (tmp.use_empty())
        rewriter.eraseOp(tmp.getDefiningOp());
      changed = true;
    }
    // Outputs read only by a transpose into another buffer.
    for (OpOperand &use : op->getOpOperands()) {
      if (use.getOperandNumber() < firstOutput)
        continue;
      Value out = use.get();
      linalg::TransposeOp copy;
      for (Operation *user : out.getUsers())
        if (auto t = dyn_cast<linalg::TransposeOp>(user); t && t.getInput() == out)
          copy = t;
      if (!copy || copy->getBlock() != op->getBlock() || !op->isBeforeInBlock(copy) ||
          !isFreshAllocUsedOnlyBy(out, {copy, op}))
        continue;
      Value dst = copy.getInit();
      Value root = getRootBuffer(dst);
      // The destination must exist before the attention op (a fresh alloc
      // after it moves up) and nothing in between may touch it, nor may the
      // attention op read it.
      Operation *def = dst.getDefiningOp();
      if (def && def->getBlock() == op->getBlock() && op->isBeforeInBlock(def)) {
        if (!isa<memref::AllocOp>(def) || def->getNumOperands() != 0 ||
            touchedBetween(op, def, root, /*orRead=*/true))
          continue;
      } else if (def && !(def->getBlock() != op->getBlock() || def->isBeforeInBlock(op))) {
        continue;
      }
      if (touchedBetween(op, copy, root, /*orRead=*/true) ||
          llvm::any_of(op->getOperands(), [&](Value v) {
            return v != out && getRootBuffer(v) == root;
          }))
        continue;
      if (def && def->getBlock() == op->getBlock() && op->isBeforeInBlock(def))
        rewriter.moveOpBefore(def, op);
      // Writing out[i] = dst[inverse(i)]: dst viewed in the inverse order.
      ArrayRef<int64_t> perm = copy.getPermutation();
      SmallVector<int64_t> inverse(perm.size());
      for (auto [i, p] : llvm::enumerate(perm))
        inverse[p] = i;
      rewriter.setInsertionPoint(op);
      Value view = createPermutedView(rewriter, op.getLoc(), dst, inverse);
      rewriter.modifyOpInPlace(op, [&] { use.set(view); });
      rewriter.eraseOp(copy);
      if (out.use_empty())
        rewriter.eraseOp(out.getDefiningOp());
      changed = true;
    }
    return success(changed);
  }
};

struct CUDAFoldAttentionPermutesPass
    : impl::CUDAFoldAttentionPermutesBase<CUDAFoldAttentionPermutesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldPermutes<FusedAttentionOp>, FoldPermutes<FusedAttentionGradOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace thunder::cuda
