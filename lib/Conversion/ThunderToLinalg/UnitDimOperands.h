//===- UnitDimOperands.h - read keepdim results without their unit dims ----===//
#ifndef THUNDER_CONVERSION_THUNDERTOLINALG_UNITDIMOPERANDS_H
#define THUNDER_CONVERSION_THUNDERTOLINALG_UNITDIMOPERANDS_H

#include "mlir/IR/PatternMatch.h"

namespace thunder {

/// Consumers of an expand_shape that only inserts unit dimensions read its
/// source, their maps without the inserted positions; linalg.reduce becomes
/// linalg.generic (a consumer elementwise fusion can fuse into).
void populateReadExpandSourcePatterns(mlir::RewritePatternSet &patterns);

/// Whether `fused` is the source of an expand_shape that only inserts unit
/// dimensions into a reduction's result: reshape propagation should leave it
/// to populateReadExpandSourcePatterns instead of expanding the reduction.
bool isUnitDimExpansionOfReduction(mlir::OpOperand *fused);

} // namespace thunder

#endif
