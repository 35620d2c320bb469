//===- ShardParameters.h - FSDP / ZeRO-3 over the dp axis -------*- C++ -*-===//
//
// Private to lib/Shard. --shard-params: every parameter argument of @forward
// and @backward becomes this rank's block of its dim 0 (ceil(d0 / ranks)
// rows, the last rank's padded with zeros), all-gathered at the entry of each
// function (forward, and again backward: ZeRO-3), and the gradient of each is
// reduce-scattered: each rank returns the block of the summed gradient that
// matches its parameter block.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_SHARD_SHARDPARAMETERS_H
#define THUNDER_LIB_SHARD_SHARDPARAMETERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <map>
#include <string>

namespace thunder::shard {

/// Parameter arguments (by thunder.name) replaced by their blocks: each is
/// gathered whole at the function's entry. Returns the parameters sharded
/// (name -> whole extent of dim 0).
std::map<std::string, int64_t> gatherParameterBlocks(mlir::func::FuncOp f, int64_t ranks,
                                                     llvm::StringRef grid);

/// The grad_param results of the parameters in `sharded`: the block of the
/// summed gradient (a reduce_scatter of the partial sum where an all_reduce
/// made it, else a slice of the whole).
void scatterParameterGradients(mlir::func::FuncOp f, int64_t ranks, llvm::StringRef grid,
                               const std::map<std::string, int64_t> &sharded);

} // namespace thunder::shard

#endif
