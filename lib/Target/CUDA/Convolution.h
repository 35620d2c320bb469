//===- Convolution.h - recognising convolution generics ---------*- C++ -*-===//
//
// thunder.convolution lowers (lib/Conversion/ThunderToLinalg/Convolution.cpp)
// to one linalg.generic over the loops (n, [g], o, out..., c, win...):
//
//   y[n, [g,] o, out...] += x[n, [g,] c, out_i * stride_i + win_i * dilation_i ...]
//                           * w[[g,] o, c, win...]
//
// (the input already padded, channel groups split as (G, C/G) and (G, O/G)).
// The CUDA target recognises it on tensors (to take elementwise producers
// that fusion moved into it back out, over the input's own space) and on
// memrefs (to call cuDNN).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_TARGET_CUDA_CONVOLUTION_H
#define THUNDER_LIB_TARGET_CUDA_CONVOLUTION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace thunder::cuda {

/// The loops of a convolution generic and its window geometry.
struct ConvLoops {
  unsigned n = 0, o = 0, c = 0;
  std::optional<unsigned> g; // channel groups (split by expand_shape)
  llvm::SmallVector<unsigned> out, win;
  llvm::SmallVector<int64_t> stride, dilation;

  unsigned numSpatial() const { return out.size(); }
  /// Rank of the input, weight and output: n, [g], c|o, spatial.
  unsigned rank() const { return (g ? 3 : 2) + numSpatial(); }
  /// The map through which the (padded) input is read.
  mlir::AffineMap inputMap(mlir::MLIRContext *ctx, unsigned numLoops) const;
  /// The map of the input side's operand `map` over the input's own space
  /// (n, [g], c, spatial...) rather than the loops: the map P with
  /// P o inputMap == map. None when `map` indexes otherwise (a spatial
  /// expression other than the window's, a dim of the output or the weight).
  std::optional<mlir::AffineMap> toInputSpace(mlir::AffineMap map) const;
};

/// Matches the loops of a convolution from the output's map, the weight's
/// map and the maps through which the input side is read (one map: the
/// input itself; several: operands of an elementwise computation fused into
/// the convolution), with their iterator types. Every input map must read
/// spatial dim i at `stride_i * out_i + dilation_i * win_i` (one stride and
/// dilation per dim, at least one map reading each spatial dim) and
/// otherwise only n, g, c or constants.
std::optional<ConvLoops> matchConvLoops(mlir::AffineMap output, mlir::AffineMap weight,
                                        llvm::ArrayRef<mlir::AffineMap> inputs,
                                        llvm::ArrayRef<mlir::utils::IteratorType> iterators);

/// The convolution `op` (two inputs: input, weight; one output), when its
/// maps and iterators are those of a convolution (the payload is not
/// checked). The input must be read through exactly inputMap().
std::optional<ConvLoops> matchConvolution(mlir::linalg::LinalgOp op);

} // namespace thunder::cuda

#endif
