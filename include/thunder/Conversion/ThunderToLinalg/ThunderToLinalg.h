//===- ThunderToLinalg.h - thunder -> linalg patterns, by op family -*- C++ -*-===//
//
// One populate function per op family, each in its own file of
// lib/Conversion/ThunderToLinalg/. The patterns are OpConversionPatterns on
// identical tensor types (no type conversion); their output is linalg (named
// ops and linalg.generic), tensor, arith, math and scf.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_CONVERSION_THUNDERTOLINALG_THUNDERTOLINALG_H
#define THUNDER_CONVERSION_THUNDERTOLINALG_THUNDERTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace thunder {

/// constant, full, iota.
void populateCreationPatterns(mlir::RewritePatternSet &patterns);
/// Unary/binary arithmetic, compare, select, convert (Elementwise.cpp).
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
/// reduce_*, argmax/argmin, cumsum/cumprod/cummax/cummin.
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
/// reshape, permute, broadcast_in_dim, slice, concat, pad, reverse.
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
/// gather, index_select, index, index_put, scatter.
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);
/// sort.
void populateSortPatterns(mlir::RewritePatternSet &patterns);
/// matmul.
void populateLinearAlgebraPatterns(mlir::RewritePatternSet &patterns);
/// convolution.
void populateConvolutionPatterns(mlir::RewritePatternSet &patterns);
/// max_pool, avg_pool, max_pool_backward.
void populatePoolingPatterns(mlir::RewritePatternSet &patterns);

/// All of the above.
void populateThunderToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace thunder

#endif // THUNDER_CONVERSION_THUNDERTOLINALG_THUNDERTOLINALG_H
