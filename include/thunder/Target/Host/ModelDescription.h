//===- ModelDescription.h - what MODEL.so says about itself -----*- C++ -*-===//
//
// The model as docs/model-abi.md describes it: read from the entry points'
// argument/result attributes (docs/dialect.md) before lowering, then rendered
// as the meta JSON (thunder_model_meta), the weights blob
// (thunder_model_weights) and MODEL.h. Shared by every target.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_HOST_MODELDESCRIPTION_H
#define THUNDER_TARGET_HOST_MODELDESCRIPTION_H

#include "thunder/Importer/Importer.h"
#include "thunder/Target/Host/CustomSymbols.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace thunder::target {

/// Alignment of each tensor in thunder_model_weights (and of the blob).
constexpr uint64_t kWeightAlignment = 64;

struct DimDesc {
  int64_t size = -1;  // >= 0: static
  std::string expr;   // symbolic: a symbol name or an expression ("2*s31")
};

struct TensorDesc {
  std::string name;
  std::string dtype;  // PyTorch's name: float32, bfloat16, bool, ...
  mlir::Type elementType;
  std::vector<DimDesc> shape;
  bool persistent = true;            // buffers
  uint64_t offset = 0, nbytes = 0;   // params, buffers, constants
  bool hasGrad = false;              // inputs/params: backward gives a gradient
  bool mutated = false;              // buffers: forward writes it back
  int64_t shardedDim = -1;           // --mesh: each rank's block is along it; -1 whole
};

struct SymbolDesc {
  std::string name;
  int64_t min = 0;
  std::optional<int64_t> max;        // none: unbounded
};

struct SavedDesc {
  std::string dtype;
  int64_t rank = 0;
};

struct EntryDesc {
  std::string name;                   // "forward", "backward"
  std::string function;               // the func.func symbol
  std::vector<std::string> args;      // "param:0", "input:1", ...
  std::vector<std::string> results;   // "output:0", "mutated_buffer:0", ...
};

struct ModelDesc {
  std::string name;
  std::string target;                 // "cpu" or "cuda"
  std::vector<std::string> gpuArchs;
  std::vector<SymbolDesc> symbols;
  /// --mesh: the axes and sizes (the module's thunder_shard.mesh).
  std::vector<std::pair<std::string, int64_t>> mesh;
  std::vector<TensorDesc> inputs, outputs, params, buffers, constants;
  std::vector<int64_t> mutatedBuffers; // buffer index of mutated_buffer:k
  std::vector<SavedDesc> saved;
  std::vector<int64_t> gradInputs, gradParams;
  std::vector<EntryDesc> entries;     // forward first
  uint64_t weightsSize = 0;           // the layout's size (layOutWeights)
  /// --weights=external: the .so holds no payloads; the meta says so and
  /// keeps the layout, which the runtime fills from a file or the caller.
  bool externalWeights = false;
  /// --per-sample: backward's parameter gradients come per example (the
  /// runtime runs backward once per example of the batch).
  bool perSample = false;
  /// thunderc --name: MODEL.h declares the C API as <apiPrefix>_forward, ...
  /// (PrefixedAPI.h); empty: only the generic thunder_* functions.
  std::string apiPrefix;
  /// The user operators' functions the model calls (MODEL.h lists them).
  std::vector<CustomSymbol> customSymbols;
};

struct DescribeOptions {
  std::string modelName;              // empty: the module's sym_name, else "model"
  std::string target = "cpu";
  std::vector<std::string> gpuArchs;
};

/// Reads @forward (and @backward when present) of a thunder-level module.
/// Emits a diagnostic and fails on missing or inconsistent attributes.
mlir::FailureOr<ModelDesc> describeModel(mlir::ModuleOp module, const DescribeOptions &options);

/// Lays params, buffers and constants out in one block, each at a multiple
/// of kWeightAlignment: writes their offset and nbytes and weightsSize.
void layOutWeights(ModelDesc &model);

/// layOutWeights, then the blob of that layout from the bytes of `weights`.
/// A missing tensor is an error, or zeros with `zeroFillMissing`.
mlir::LogicalResult packWeights(ModelDesc &model, const WeightStore &weights,
                                std::vector<uint8_t> &blob, mlir::Location loc,
                                bool zeroFillMissing = false);

/// thunder_model_meta's JSON.
std::string renderMetaJSON(const ModelDesc &model);

/// MODEL.h: the runtime header and a description of the model in macros,
/// enums and comments.
std::string renderHeader(const ModelDesc &model);

/// The PyTorch name of an element type ("float32"), or "" if unsupported.
std::string dtypeName(mlir::Type elementType);

} // namespace thunder::target

#endif
