//===- Autodiff.h - the thunder-autodiff transform --------------*- C++ -*-===//
//
// Derives `@backward` from `@forward` by reverse-mode rules (VJPOpInterface)
// and makes `@forward` return what backward needs. docs/autodiff.md describes
// the transform and the rematerialisation policy; docs/model-abi.md what
// backward's arguments and results mean to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_AUTODIFF_AUTODIFF_H
#define THUNDER_AUTODIFF_AUTODIFF_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <memory>

namespace thunder::autodiff {

struct AutodiffOptions {
  /// Choose what forward saves by a minimum cut in bytes, recomputing cheap
  /// values (elementwise, broadcast, reshape, permute, slice) in backward;
  /// false saves every value the rules read.
  bool remat = true;
  /// Backward receives the parameters, constants and non-mutated buffers it
  /// reads by reference (`param:i`, `constant:i`, `buffer:i` arguments the
  /// runtime passes from the instance) instead of as saved copies.
  bool referenceArgs = true;
};

/// What the transform decided, for `thunderc -v` and the pass statistics.
struct AutodiffStats {
  unsigned numSaved = 0;          ///< saved:k results of forward
  int64_t savedBytes = 0;         ///< their bytes, dynamic extents counted as 1
  bool savedBytesDynamic = false; ///< some saved value has a dynamic extent
  unsigned numRecomputed = 0;     ///< forward ops cloned into backward
  unsigned numReferences = 0; ///< param/buffer/constant arguments of backward
};

/// Adds `@backward` to `module` and the saved results to `@forward`.
/// Emits diagnostics and returns failure (leaving the module unspecified) if
/// an op a cotangent reaches has no rule.
mlir::FailureOr<AutodiffStats> addBackward(mlir::ModuleOp module,
                                           const AutodiffOptions &options);
/// The same with the default options.
mlir::LogicalResult addBackward(mlir::ModuleOp module);

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "thunder/Autodiff/Passes.h.inc"

} // namespace thunder::autodiff

#endif // THUNDER_AUTODIFF_AUTODIFF_H
