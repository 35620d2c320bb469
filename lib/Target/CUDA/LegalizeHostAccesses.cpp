//===- LegalizeHostAccesses.cpp - copies and constants become kernels -----===//
//
// thunder-cuda-legalize-host-accesses: after bufferization, buffers live on
// the device, except constants (memref.global, in the .so's data). Copies
// become linalg.copy (then kernels: strided or not, from a constant or not);
// a constant used other than as a linalg operand is first copied into a
// device buffer.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDALEGALIZEHOSTACCESSES
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

/// Uses of a constant that stay valid once every linalg op is a kernel (which
/// gets a device copy of the constant) and host code reads host memory.
bool isKernelOrHostRead(OpOperand &use) {
  Operation *user = use.getOwner();
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(user))
    return linalgOp.isDpsInput(&use);
  if (user->getParentOfType<linalg::LinalgOp>())
    return true;
  return isa<memref::LoadOp>(user);
}

void copyToDevice(memref::GetGlobalOp global) {
  SmallVector<OpOperand *> uses;
  for (OpOperand &use : global->getUses())
    if (!isKernelOrHostRead(use))
      uses.push_back(&use);
  if (uses.empty())
    return;
  Location loc = global.getLoc();
  OpBuilder b(global->getContext());
  b.setInsertionPointAfter(global);
  auto type = cast<MemRefType>(global.getType());
  Value copy = memref::AllocOp::create(b, loc, type);
  linalg::CopyOp::create(b, loc, global.getResult(), copy);
  bool escapes = false;
  for (OpOperand *use : uses) {
    escapes |= use->getOwner()->hasTrait<OpTrait::ReturnLike>();
    use->set(copy);
  }
  if (!escapes) {
    b.setInsertionPoint(global->getBlock()->getTerminator());
    memref::DeallocOp::create(b, loc, copy);
  }
}

struct CUDALegalizeHostAccessesPass
    : impl::CUDALegalizeHostAccessesBase<CUDALegalizeHostAccessesPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      func.walk([](memref::CopyOp copy) {
        OpBuilder b(copy);
        linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(), copy.getTarget());
        copy->erase();
      });
      func.walk([](memref::GetGlobalOp global) { copyToDevice(global); });
    }
  }
};

} // namespace
} // namespace thunder::cuda
