//===- PlanMemory.cpp - one arena per call for static temporaries ---------===//
//
// thunder-plan-memory: after bufferization and thunder-fresh-results, before
// the deallocation pipeline. Every static-shaped `memref.alloc` of a
// function's entry block that does not escape (returned, passed to a call,
// stored, carried through a region) is a temporary with a live range: from the
// alloc to the last op of the entry block that uses it or a view of it
// (directly or inside its regions). Temporaries whose live ranges are disjoint
// share bytes; offsets are chosen greedily, largest first, at the lowest
// offset that overlaps no placed temporary with an overlapping live range.
// The allocs become `memref.view`s of one arena allocated at function entry;
// the deallocation pipeline then frees the arena like any other buffer.
//
//===----------------------------------------------------------------------===//
#include "thunder/Target/Passes.h"

#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>

namespace thunder::target {
#define GEN_PASS_DEF_PLANMEMORY
#include "thunder/Target/Passes.h.inc"
} // namespace thunder::target

using namespace mlir;

namespace thunder::target {
namespace {

struct Temporary {
  memref::AllocOp alloc;
  int64_t start = 0, end = 0; // positions in the entry block, inclusive
  int64_t size = 0;           // bytes, rounded up to the alignment
  int64_t offset = -1;
};

int64_t alignTo(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

/// The live range end of `alloc`'s buffer, or failure when it escapes.
FailureOr<int64_t> lastUse(memref::AllocOp alloc, Block &entry,
                           const llvm::DenseMap<Operation *, int64_t> &position) {
  int64_t last = position.lookup(alloc);
  SmallVector<Value> worklist{alloc.getResult()};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp, CallOpInterface, memref::DeallocOp>(user) ||
          user->hasTrait<OpTrait::IsTerminator>() || isa<RegionBranchOpInterface>(user))
        return failure();
      if (auto store = dyn_cast<memref::StoreOp>(user); store && store.getValue() == v)
        return failure();
      bool isAlias = false;
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == v) {
        for (Value r : user->getResults())
          if (isa<BaseMemRefType>(r.getType()))
            worklist.push_back(r), isAlias = true;
      } else if (auto cast = dyn_cast<memref::CastOp>(user)) {
        worklist.push_back(cast.getResult());
        isAlias = true;
      }
      // Any other op that yields a memref might alias its operand: give up.
      if (!isAlias)
        for (Value r : user->getResults())
          if (isa<BaseMemRefType>(r.getType()))
            return failure();
      Operation *anchor = entry.findAncestorOpInBlock(*user);
      if (!anchor)
        return failure();
      last = std::max(last, position.lookup(anchor));
    }
  }
  return last;
}

struct PlanMemoryPass : impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp f = getOperation();
    if (f.isExternal() || alignment <= 0 || (alignment & (alignment - 1)) != 0)
      return;
    Block &entry = f.front();
    llvm::DenseMap<Operation *, int64_t> position;
    int64_t pos = 0;
    for (Operation &op : entry)
      position[&op] = pos++;

    DataLayout layout = DataLayout::closest(f);
    std::vector<Temporary> temps;
    for (auto alloc : entry.getOps<memref::AllocOp>()) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          type.getMemorySpace() || !alloc.getSymbolOperands().empty())
        continue;
      Type elem = type.getElementType();
      if (!elem.isIntOrIndexOrFloat())
        continue;
      FailureOr<int64_t> end = lastUse(alloc, entry, position);
      if (failed(end))
        continue;
      int64_t bytes = type.getNumElements() * static_cast<int64_t>(layout.getTypeSize(elem));
      if (alloc.getAlignment() && static_cast<int64_t>(*alloc.getAlignment()) > alignment)
        continue; // needs more than the arena guarantees
      temps.push_back({alloc, position[alloc], *end, alignTo(std::max<int64_t>(bytes, 1), alignment)});
    }
    if (temps.size() < 2)
      return;

    // Largest first, each at the lowest offset free over its live range.
    std::vector<Temporary *> order;
    for (Temporary &t : temps)
      order.push_back(&t);
    std::stable_sort(order.begin(), order.end(),
                     [](Temporary *a, Temporary *b) { return a->size > b->size; });
    int64_t arenaSize = 0;
    std::vector<Temporary *> placed;
    for (Temporary *t : order) {
      std::vector<std::pair<int64_t, int64_t>> busy; // [offset, offset + size)
      for (Temporary *p : placed)
        if (p->start <= t->end && t->start <= p->end)
          busy.push_back({p->offset, p->offset + p->size});
      std::sort(busy.begin(), busy.end());
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + t->size <= lo)
          break;
        offset = std::max(offset, hi);
      }
      t->offset = offset;
      arenaSize = std::max(arenaSize, offset + t->size);
      placed.push_back(t);
    }

    OpBuilder b(&entry, entry.begin());
    Location loc = f.getLoc();
    auto arenaType = MemRefType::get({arenaSize}, b.getI8Type());
    Value arena = memref::AllocOp::create(b, loc, arenaType, b.getI64IntegerAttr(alignment));
    for (Temporary &t : temps) {
      b.setInsertionPoint(t.alloc);
      Value offset = arith::ConstantIndexOp::create(b, t.alloc.getLoc(), t.offset);
      Value view = memref::ViewOp::create(b, t.alloc.getLoc(), t.alloc.getType(), arena, offset,
                                          ValueRange{});
      t.alloc.getResult().replaceAllUsesWith(view);
      t.alloc.erase();
    }
    int64_t total = 0;
    for (Temporary &t : temps)
      total += t.size;
    f->setAttr("thunder.arena_bytes", b.getI64IntegerAttr(arenaSize));
    f->setAttr("thunder.arena_unshared_bytes", b.getI64IntegerAttr(total));
  }
};

} // namespace
} // namespace thunder::target
