//===- Decompositions.h - pieces shared between op families ------*- C++ -*-===//
//
// Converters of one family that another family builds on: the convolution
// (also the gradient of one), the pooling window with ceil_mode folded in (also
// for the pooling gradients), pairwise distances (cdist and pdist).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_IMPORTER_DECOMPOSITIONS_H
#define THUNDER_LIB_IMPORTER_DECOMPOSITIONS_H

#include "NodeContext.h"

#include "llvm/ADT/STLFunctionalExtras.h"

namespace thunder::importer {

struct ConvParams {
  llvm::SmallVector<int64_t> stride, padLow, padHigh, dilation, outputPadding;
  bool transposed = false;
  int64_t groups = 1;
};

/// Reports an error at the node being converted (NodeContext::error, or the
/// ONNX importer's): the builders below serve both front ends.
using ErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// Checks the parameters' ranges (stride, dilation, groups >= 1, padding >= 0,
/// all bounded so that window arithmetic stays in int64); reports otherwise.
mlir::LogicalResult checkConvParams(ErrorFn error, const ConvParams &p);
mlir::LogicalResult checkConvParams(NodeContext &ctx, const ConvParams &p);

/// A (transposed) convolution of `x` with `w` in the result's element type,
/// plus the bias; `resultType` is the element type to compute in.
mlir::FailureOr<mlir::Value> buildConvolution(Emitter &e, ErrorFn error, mlir::Value x,
                                              mlir::Value w,
                                              std::optional<mlir::Value> bias,
                                              ConvParams p, mlir::Type elementType);
mlir::FailureOr<mlir::Value> buildConvolution(NodeContext &ctx, mlir::Value x,
                                              mlir::Value w,
                                              std::optional<mlir::Value> bias,
                                              ConvParams p, mlir::Type elementType);

struct PoolWindow {
  llvm::SmallVector<int64_t> kernel, stride, padLow, padHigh, dilation;
  llvm::SmallVector<int64_t> userPad; // the padding the user asked for
};

/// The window of a pool over the `n` trailing dims of `x` from the node's
/// kernel_size/stride/padding[/dilation]/ceil_mode arguments; ceil_mode
/// becomes extra high padding.
mlir::FailureOr<PoolWindow> readPoolWindow(NodeContext &ctx, mlir::Value x, int64_t n,
                                           bool withDilation);

/// p-norm distances between the rows: [..., P, M] x [..., R, M] -> [..., P, R].
mlir::Value pairwiseDistance(Emitter &e, mlir::Value x1, mlir::Value x2, double p);

} // namespace thunder::importer

#endif
