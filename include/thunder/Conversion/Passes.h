//===- Passes.h - the thunder -> linalg lowering pipeline -------*- C++ -*-===//
//
// The entry points the code generator uses: the pipeline that takes a module
// of thunder ops to linalg/tensor/arith/math/scf on tensors, ready for
// one-shot bufferization, and the registration of every thunder pass for
// thunder-opt. docs/lowering.md describes the output contract.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_CONVERSION_PASSES_H
#define THUNDER_CONVERSION_PASSES_H

#include "thunder/Transforms/Passes.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace thunder {

/// Options of buildThunderToLinalgPipeline.
struct ThunderToLinalgOptions {
  /// Leave `thunder.attention` whole (a target with a fused kernel replaces
  /// it); everything else is lowered.
  bool keepAttention = false;
  /// Run `thunder-fuse-elementwise` (producer/consumer fusion of elementwise
  /// linalg.generic ops, duplicating cheap producers) after the conversion.
  bool fuseElementwise = true;
};

/// thunder-decompose, convert-thunder-to-linalg, canonicalize + cse and
/// (optionally) elementwise fusion, on the module `pm` is nested on (or any
/// op: every pass here is op-agnostic).
void buildThunderToLinalgPipeline(mlir::OpPassManager &pm,
                                  const ThunderToLinalgOptions &options);

/// Registers every thunder pass and the `thunder-lower-to-linalg` pipeline
/// (options `keep-attention`, `fuse-elementwise`) with the global registry.
void registerThunderPasses();

} // namespace thunder

#endif // THUNDER_CONVERSION_PASSES_H
