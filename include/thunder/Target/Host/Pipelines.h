//===- Pipelines.h - tensors to caller-owned buffers, for every target -*- C++ -*-===//
#ifndef THUNDER_TARGET_HOST_PIPELINES_H
#define THUNDER_TARGET_HOST_PIPELINES_H

#include "mlir/Pass/PassManager.h"

#include <functional>

namespace thunder::target {

struct BufferizationPipelineOptions {
  /// Place static temporaries in one arena per call (thunder-plan-memory).
  bool planMemory = true;
  /// A target's passes on the buffers, before the memory plan sees them.
  std::function<void(mlir::OpPassManager &)> onBuffers;
};

/// linalg/tensor/arith/math on tensors -> the same on memrefs, with the buffer
/// ABI of docs/model-abi.md: read-only arguments, identity layouts at function
/// boundaries, every result a distinct buffer allocated with memref.alloc and
/// owned by the caller, every temporary freed (or in the arena).
/// `bufferization.*` ops are gone at the end (clones are alloc + memref.copy).
void buildBufferizationPipeline(mlir::OpPassManager &pm,
                                const BufferizationPipelineOptions &options = {});

/// The bufferization of thunder.custom_call (CustomCalls.cpp): new buffers
/// for its results, the op on buffers writing them.
void registerCustomCallBufferization(mlir::DialectRegistry &registry);

/// Registers the passes of Passes.td and the pipeline above as
/// `thunder-bufferize` (for thunder-opt).
void registerTargetPassesAndPipelines();

} // namespace thunder::target

#endif
