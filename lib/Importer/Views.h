//===- Views.h - writes through PyTorch views -------------------*- C++ -*-===//
//
// The training IR keeps in-place ops on views (`x[:, 0] = 0` is a select and
// a fill_). With value semantics, such a write makes a new value of the viewed
// tensor: the inverse of the view op applied to the new view (a slice becomes
// a slice-scatter, a select a select-scatter, a reshape a reshape back, a
// permutation its inverse).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_IMPORTER_VIEWS_H
#define THUNDER_LIB_IMPORTER_VIEWS_H

#include "thunder/PT2/Graph.h"

#include "mlir/IR/Builders.h"

namespace thunder::importer {

/// The new value of `base` once `update` is written into the view that
/// `viewNode` made of it. Emits an error at `loc` for views it cannot invert.
mlir::FailureOr<mlir::Value> writeThroughView(mlir::OpBuilder &builder,
                                              mlir::Location loc,
                                              const pt2::Node &viewNode,
                                              mlir::Value base, mlir::Value update);

} // namespace thunder::importer

#endif
