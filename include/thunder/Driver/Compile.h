//===- Compile.h - from an imported module to MODEL.so ----------*- C++ -*-===//
#ifndef THUNDER_DRIVER_COMPILE_H
#define THUNDER_DRIVER_COMPILE_H

#include "thunder/Importer/Importer.h"

#include <string>
#include <vector>

namespace thunder::driver {

enum class Target { CPU, CUDA };
enum class EmitKind { SharedObject, Object, MLIR, PTX, Header };

struct CompileOptions {
  Target target = Target::CUDA;
  std::vector<std::string> gpuArchs = {"sm_90"};
  bool backward = false;
  /// --per-sample (with backward): parameter gradients per example along the
  /// outputs' batch dim (dim 0), for models whose examples do not interact.
  bool perSample = false;
  /// Float32 matrix products on the GPU: "tf32", "ieee", or "" for the
  /// default: tf32 for inference, ieee with `backward`, since gradients sum
  /// many products and TF32's 10-bit mantissa leaves them off PyTorch's
  /// float32 results by more than training tolerances allow.
  std::string fp32Matmul;
  /// --autocast=bf16|f16: matrix products, convolutions and attention of a
  /// float32 program in that type, as under torch.autocast ("" or "none": off).
  std::string autocast;
  EmitKind emit = EmitKind::SharedObject;
  /// --weights=external: no payloads in the .so; they go to
  /// MODEL.weights.safetensors beside it when the archive has them all.
  bool externalWeights = false;
  int optLevel = 2;
  bool printIrAfterAll = false;
  std::string printIrAfter; // pass argument name
  bool verbose = false;
  bool timePasses = false;
  std::string modelName;    // for the header and the meta
  /// The prefix of the model's own copy of the C API (thunderc --name; a C
  /// identifier); empty: derived from modelName (PrefixedAPI.h).
  std::string apiPrefix;
  std::string inputPath;    // for diagnostics
  /// --mesh=dp:N[,tp:M]: the mesh axes in the order given (empty: one
  /// device); thunderc has checked the names and sizes. docs/sharding.md.
  std::vector<std::pair<std::string, int64_t>> mesh;
  /// --shard-params: FSDP / ZeRO-3 over the mesh's dp axis.
  bool shardParams = false;
  /// --link: the user's libraries (.so, .o, .a) that define the functions of
  /// its custom operators (docs/custom-ops.md); linked into MODEL.so.
  std::vector<std::string> linkInputs;
};

/// Runs everything after import (autodiff, decomposition, lowering, codegen,
/// link) and writes `outputPath` atomically (temporary file, then rename), and
/// with externalWeights the weights file beside it the same way.
/// Emits diagnostics and returns failure on error, leaving no output.
mlir::LogicalResult compile(mlir::ModuleOp module, const WeightStore &weights,
                            const CompileOptions &options,
                            llvm::StringRef outputPath);

} // namespace thunder::driver

#endif
