//===- Passes.h - thunder transforms and conversions ------------*- C++ -*-===//
//
// Declarations generated from dialects/ThunderPasses.td: the pass creation
// functions and option structs of every thunder pass (`thunder-decompose`,
// `convert-thunder-to-linalg`). Registration and the lowering pipeline are in
// thunder/Conversion/Passes.h.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TRANSFORMS_PASSES_H
#define THUNDER_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace thunder {

#define GEN_PASS_DECL
#include "thunder/Transforms/Passes.h.inc"

/// The rewrites of `thunder-decompose`: `thunder.attention` into primitives
/// (unless `keepAttention`).
void populateThunderDecomposePatterns(mlir::RewritePatternSet &patterns,
                                      bool keepAttention = false);

} // namespace thunder

#endif // THUNDER_TRANSFORMS_PASSES_H
