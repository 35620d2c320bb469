//===- DedupKernels.cpp - one kernel for identical kernel bodies -----------===//
//
// thunder-cuda-dedup-kernels: after outlining, the kernels of identical
// layers (every block of a 12-layer GPT-2, forward and backward) are the same
// function under different names. Each group of structurally equal gpu.func
// kernels keeps its first member; launches of the others launch it, and they
// are erased. NVPTX and ptxas then see each distinct kernel once: code
// generation time scales with the distinct layer shapes, not the depth.
//
//===----------------------------------------------------------------------===//
#include "Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/ADT/StringMap.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDADEDUPKERNELS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

/// The kernel's text with its own name left out: equal for kernels that
/// compile to the same code.
std::string structuralKey(gpu::GPUFuncOp kernel) {
  std::string key;
  llvm::raw_string_ostream os(key);
  // Local scope: printing one function must not number the whole module.
  kernel->print(os, OpPrintingFlags().useLocalScope());
  std::string name = ("@" + kernel.getName() + "(").str();
  if (size_t at = key.find(name); at != std::string::npos)
    key.replace(at, name.size(), "@(");
  return key;
}

struct CUDADedupKernelsPass : impl::CUDADedupKernelsBase<CUDADedupKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // (gpu.module, kernel) -> the kernel that replaces it.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> replacement;
    SmallVector<gpu::GPUFuncOp> erased;
    for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
      llvm::StringMap<gpu::GPUFuncOp> first;
      for (auto kernel : gpuModule.getOps<gpu::GPUFuncOp>()) {
        if (!kernel.isKernel())
          continue;
        auto [it, inserted] = first.try_emplace(structuralKey(kernel), kernel);
        if (inserted)
          continue;
        replacement[{gpuModule.getNameAttr(), kernel.getNameAttr()}] = it->second.getNameAttr();
        erased.push_back(kernel);
      }
    }
    if (replacement.empty())
      return;
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr ref = launch.getKernel();
      auto it = replacement.find({ref.getRootReference(), ref.getLeafReference()});
      if (it != replacement.end())
        launch.setKernelAttr(SymbolRefAttr::get(ref.getRootReference(),
                                                {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUFuncOp kernel : erased)
      kernel.erase();
  }
};

} // namespace
} // namespace thunder::cuda
