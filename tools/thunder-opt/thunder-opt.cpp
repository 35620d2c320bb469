//===- thunder-opt.cpp - mlir-opt with the thunder dialects and passes ----===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#if THUNDER_OPT_HAVE_LOWERING
#include "thunder/Conversion/Passes.h"
#endif
#if THUNDER_OPT_HAVE_AUTODIFF
#include "thunder/Autodiff/Autodiff.h"
#include "thunder/Autodiff/VJPInterfaces.h"
#endif
#if THUNDER_OPT_HAVE_CODEGEN
#include "thunder/Target/CPU/Pipeline.h"
#include "thunder/Target/Host/Pipelines.h"
#endif
#if THUNDER_OPT_HAVE_CUDA
#include "thunder/Target/CUDA.h"
#endif
#include "thunder/Shard/Passes.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
#if THUNDER_OPT_HAVE_LOWERING
  // thunder-decompose, convert-thunder-to-linalg, thunder-lower-to-linalg.
  thunder::registerThunderPasses();
#endif
#if THUNDER_OPT_HAVE_CODEGEN
  // Codegen passes (thunder-fresh-results, thunder-plan-memory, ...) and the
  // thunder-bufferize / thunder-cpu-lowering / thunder-cpu-codegen pipelines.
  thunder::target::registerTargetPassesAndPipelines();
  thunder::cpu::registerCPUPipelines();
#endif
#if THUNDER_OPT_HAVE_AUTODIFF
  // thunder-autodiff.
  thunder::autodiff::registerThunderADPasses();
#endif
#if THUNDER_OPT_HAVE_CUDA
  // thunder-cuda-* passes, thunder-cuda-lowering / thunder-cuda-codegen.
  thunder::cuda::registerCUDAPasses();
#endif
  // thunder-shard-data-parallel, thunder-shard-lower-collectives.
  thunder::shard::registerThunderShardPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<thunder::ThunderDialect>();
#if THUNDER_OPT_HAVE_CUDA
  // LLVM IR translations and the NVVM target (gpu-module-to-binary).
  thunder::cuda::registerDialectsAndInterfaces(registry);
#endif
#if THUNDER_OPT_HAVE_AUTODIFF
  thunder::autodiff::registerVJPExternalModels(registry);
#endif
  thunder::shard::registerShardingExternalModels(registry);
  thunder::target::registerCustomCallBufferization(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "thunder optimizer driver\n", registry));
}
