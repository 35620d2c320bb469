//===- VectorAccess.h - elementwise kernels moving 16 bytes a thread -*- C++ -*-===//
//
// An elementwise kernel with one thread per element moves 2 or 4 bytes per
// load: on an H100 that reaches about a third of HBM bandwidth. When the
// innermost loop walks the innermost, unit-stride dim of the operands, one
// thread can take V consecutive points instead, reading and writing each
// such operand with one 16-byte (or 8-byte) vector access and running the
// scalar payload V times in registers.
//
// Vector accesses need their address aligned to their size, which only the
// host knows (caller tensors, views with offsets): the kernel with vector
// accesses runs when every vector-accessed operand is aligned, the scalar
// kernel otherwise (MapToGPU.cpp emits both under an scf.if).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_TARGET_CUDA_VECTORACCESS_H
#define THUNDER_LIB_TARGET_CUDA_VECTORACCESS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace thunder::cuda {

/// How each operand of an elementwise op is read or written by a thread
/// that takes V consecutive points of the innermost loop.
enum class LaneAccess {
  Vector,    // V consecutive elements, one aligned vector access
  Invariant, // the same element for all V points (the map ignores the innermost loop)
  PerLane,   // V scalar accesses (other maps, constants, i1)
  Scalar,    // not a memref: the value itself
};

struct VectorPlan {
  int64_t width = 1;                   // V
  llvm::SmallVector<LaneAccess> access; // per operand of the op, in operand order
};

/// The plan for all-parallel `op` with at most `maxBytes` per vector access,
/// when its innermost loop has a static trip count that V >= 2 divides and
/// every output is written through vector accesses.
std::optional<VectorPlan> planVectorAccess(mlir::linalg::LinalgOp op, int64_t maxBytes);

/// Host code: whether every Vector operand's first element is aligned to its
/// access size (an i1).
mlir::Value buildAlignmentCheck(mlir::OpBuilder &b, mlir::Location loc, mlir::linalg::LinalgOp op,
                                const VectorPlan &plan);

/// Kernel code for the thread whose first point is `ivs` (its innermost
/// index a multiple of V): the loads, V copies of the payload, the stores.
void emitVectorPoints(mlir::OpBuilder &b, mlir::Location loc, mlir::linalg::LinalgOp op,
                      const VectorPlan &plan, mlir::ValueRange ivs);

} // namespace thunder::cuda

#endif
