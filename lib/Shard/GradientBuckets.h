//===- GradientBuckets.h - one all_reduce for many small gradients -*- C++ -*-===//
//
// Private to lib/Shard. DDP's gradient all-reduces, completed at the return of
// @backward, grouped into buckets of at most `bucketBytes` per element type:
// each bucket flattens and concatenates its gradients, all-reduces them in one
// collective and slices them back (PyTorch DDP's buckets: a collective has a
// fixed cost that small gradients would otherwise pay one by one).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_SHARD_GRADIENTBUCKETS_H
#define THUNDER_LIB_SHARD_GRADIENTBUCKETS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace thunder::shard {

/// Returns the number of all_reduces that buckets replaced.
unsigned bucketGradientReductions(mlir::func::FuncOp f, int64_t bucketBytes);

} // namespace thunder::shard

#endif
