//===- CallTemporaries.h - buffers a host-side call needs compact -*- C++ -*-===//
//
// A runtime function called from host code on memrefs (the CUDA target's
// library calls, user operators) may need an operand in a layout the memref
// does not have: it gets a new identity-layout buffer holding the operand,
// copied in before the call or, for an output, copied back after it.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_HOST_CALLTEMPORARIES_H
#define THUNDER_TARGET_HOST_CALLTEMPORARIES_H

#include "mlir/IR/Builders.h"

namespace thunder::target {

struct CallTemporaries {
  mlir::OpBuilder &b;
  mlir::Location loc;
  llvm::SmallVector<std::pair<mlir::Value, mlir::Value>> copyBack; // (temporary, output)
  llvm::SmallVector<mlir::Value> temporaries;

  CallTemporaries(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}
  /// A new identity-layout buffer with the contents of `memref` (an input),
  /// or whose contents go to `memref` after the call (an output).
  mlir::Value compactCopy(mlir::Value memref, bool output);
  /// After the call: the outputs' copies back, then the frees.
  void finish();
};

} // namespace thunder::target

#endif
