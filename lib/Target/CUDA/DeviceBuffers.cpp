//===- DeviceBuffers.cpp - device allocations, ordered on one stream ------===//
//
// thunder-cuda-device-buffers: host-side memref.alloc/dealloc become
// gpu.alloc/dealloc, and every gpu op of a host function becomes async on
// the token of one `gpu.wait async` at its entry. gpu-to-llvm lowers that
// token to mgpuStreamCreate(), which inside a thunder call is the caller's
// stream: allocations (stream-ordered), library calls (on the same stream),
// kernel launches and frees are ordered on it, and nothing synchronises.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDADEVICEBUFFERS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

void makeAsync(gpu::LaunchOp launch, Value token) {
  OpBuilder b(launch);
  Type tokenType = token.getType();
  auto async = gpu::LaunchOp::create(
      b, launch.getLoc(), launch.getGridSizeX(), launch.getGridSizeY(), launch.getGridSizeZ(),
      launch.getBlockSizeX(), launch.getBlockSizeY(), launch.getBlockSizeZ(),
      launch.getDynamicSharedMemorySize(), tokenType, ValueRange{token}, {}, {}, nullptr,
      nullptr, nullptr, launch.getModuleAttr(), launch.getFunctionAttr());
  async.getBody().takeBody(launch.getBody());
  launch->erase();
}

LogicalResult convertFunction(func::FuncOp func) {
  SmallVector<Operation *> ops;
  WalkResult result = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (auto launch = dyn_cast<gpu::LaunchOp>(op)) {
      if (!launch.getAsyncToken())
        ops.push_back(op);
      return WalkResult::skip();
    }
    if (isa<memref::AllocOp, memref::DeallocOp>(op)) {
      ops.push_back(op);
    } else if (isa<memref::AllocaOp>(op)) {
      op->emitOpError("allocates host stack memory that kernels would read; the CUDA target "
                      "does not support it");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  if (ops.empty())
    return success();

  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  Type tokenType = gpu::AsyncTokenType::get(func.getContext());
  Value token = gpu::WaitOp::create(b, func.getLoc(), tokenType, ValueRange{}).getAsyncToken();
  for (Operation *op : ops) {
    b.setInsertionPoint(op);
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      auto device = gpu::AllocOp::create(b, alloc.getLoc(), alloc.getType(), tokenType,
                                         ValueRange{token}, alloc.getDynamicSizes(),
                                         alloc.getSymbolOperands(), /*hostShared=*/false);
      alloc.replaceAllUsesWith(device.getMemref());
      alloc->erase();
    } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      gpu::DeallocOp::create(b, dealloc.getLoc(), tokenType, ValueRange{token},
                             dealloc.getMemref());
      dealloc->erase();
    } else {
      makeAsync(cast<gpu::LaunchOp>(op), token);
    }
  }
  return success();
}

struct CUDADeviceBuffersPass : impl::CUDADeviceBuffersBase<CUDADeviceBuffersPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(convertFunction(func)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace thunder::cuda
