//===- HostABIPasses.cpp - the buffer ABI of entry points -----------------===//
//
// thunder-prepare-host-abi, thunder-fresh-results, thunder-legalize-copies:
// what makes a bufferized function honour docs/model-abi.md (read-only
// arguments, distinct caller-owned results) and lower without MLIR's C runner
// utilities.
//
//===----------------------------------------------------------------------===//
#include "thunder/Target/Passes.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace thunder::target {
#define GEN_PASS_DEF_PREPAREHOSTABI
#define GEN_PASS_DEF_FRESHRESULTS
#define GEN_PASS_DEF_LEGALIZECOPIES
#include "thunder/Target/Passes.h.inc"
} // namespace thunder::target

using namespace mlir;

namespace thunder::target {
namespace {

/// Entry points are the public functions with a body.
bool isEntryPoint(func::FuncOp f) { return f.isPublic() && !f.isExternal(); }

struct PrepareHostABIPass : impl::PrepareHostABIBase<PrepareHostABIPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    for (auto f : getOperation().getOps<func::FuncOp>()) {
      if (!isEntryPoint(f))
        continue;
      f->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
      for (unsigned i = 0, e = f.getNumArguments(); i < e; ++i)
        if (isa<TensorType>(f.getArgument(i).getType()))
          f.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                       BoolAttr::get(ctx, false));
    }
  }
};

/// The allocation a memref value is a view of, or null when it is not (an
/// argument, a global, the result of an op with regions, a call...).
Value allocationRoot(Value v) {
  while (true) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return {};
    if (isa<memref::AllocOp>(def))
      return v;
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      // memref.view / subview / reshape ops: the result aliases the source.
      if (view.getViewSource() == v)
        return {};
      v = view.getViewSource();
      continue;
    }
    if (auto cast = dyn_cast<memref::CastOp>(def)) {
      v = cast.getSource();
      continue;
    }
    return {};
  }
}

struct FreshResultsPass : impl::FreshResultsBase<FreshResultsPass> {
  void runOnOperation() override {
    for (auto f : getOperation().getOps<func::FuncOp>()) {
      if (!isEntryPoint(f))
        continue;
      f.walk([&](func::ReturnOp ret) { fixReturn(ret); });
    }
  }

  void fixReturn(func::ReturnOp ret) {
    OpBuilder b(ret);
    llvm::DenseSet<Value> claimed;
    for (OpOperand &operand : ret->getOpOperands()) {
      Value v = operand.get();
      auto type = dyn_cast<MemRefType>(v.getType());
      if (!type)
        continue;
      Value root = allocationRoot(v);
      if (root && claimed.insert(root).second) {
        auto alloc = root.getDefiningOp<memref::AllocOp>();
        if (!alloc.getAlignment() || *alloc.getAlignment() < 64)
          alloc.setAlignment(64);
        continue;
      }
      // A copy the caller owns: an identity-layout allocation of the result's
      // type (function results have identity layouts after bufferization with
      // function-boundary-type-conversion=identity-layout-map).
      Location loc = v.getLoc();
      MemRefType allocType = MemRefType::get(type.getShape(), type.getElementType(),
                                             MemRefLayoutAttrInterface(), type.getMemorySpace());
      SmallVector<Value> dynSizes;
      for (int64_t d = 0, r = type.getRank(); d < r; ++d)
        if (type.isDynamicDim(d))
          dynSizes.push_back(memref::DimOp::create(b, loc, v, d));
      auto copy = memref::AllocOp::create(b, loc, allocType, dynSizes, b.getI64IntegerAttr(64));
      memref::CopyOp::create(b, loc, v, copy);
      Value result = copy;
      if (allocType != type)
        result = memref::CastOp::create(b, loc, type, copy);
      operand.set(result);
      claimed.insert(copy);
    }
  }
};

bool hasIdentityLayout(Type t) {
  auto m = dyn_cast<MemRefType>(t);
  return m && m.getLayout().isIdentity();
}

struct LegalizeCopiesPass : impl::LegalizeCopiesBase<LegalizeCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp c) {
      if (!hasIdentityLayout(c.getSource().getType()) ||
          !hasIdentityLayout(c.getTarget().getType()))
        copies.push_back(c);
    });
    for (memref::CopyOp c : copies) {
      OpBuilder b(c);
      linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
      c.erase();
    }
  }
};

} // namespace
} // namespace thunder::target
