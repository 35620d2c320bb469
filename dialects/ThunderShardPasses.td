//===- ThunderShardPasses.td - sharding passes ------------*- tablegen -*-===//
#ifndef THUNDER_SHARD_PASSES_TD
#define THUNDER_SHARD_PASSES_TD

include "mlir/Pass/PassBase.td"

def ThunderShardDataParallel : Pass<"thunder-shard-data-parallel", "::mlir::ModuleOp"> {
  let summary = "partition @forward and @backward over the data-parallel mesh axis";
  let description = [{
    Every user input is split along dimension 0 over the `dp` axis of the
    module's `thunder_shard.mesh`; parameters, buffers and constants stay
    replicated. The sharding propagates through each op by its
    `ShardingInterface` loops and indexing maps: a sharded parallel loop
    shards the results, a sharded reduction loop leaves partial results that
    a `shard.all_reduce` completes (the gradients of the parameters: DDP's
    all-reduce; the batch statistics of BatchNorm; sums stay partial through
    permute and reshape and are completed where a whole value is needed, the
    gradients at the return, where small ones share a bucket: one all_reduce
    of their concatenation), and a replicated operand
    that meets a sharded loop takes its block (`shard.all_slice`). An op with
    no model runs replicated on `shard.all_gather`ed operands, so the
    program always computes what the unsharded one does. Backward's saved
    values and cotangents take the sharding forward gave them.
    Argument and result types become this rank's blocks; sharded ones carry
    `thunder_shard.sharded_dim`.

    Over a `tp` mesh (tensor parallelism) the inputs stay whole; a layer whose
    operands are whole (a parameter and an activation it contracts with)
    splits the parameter's output features (column-parallel), and the next
    layer, contracting them, is row-parallel (an all_reduce).

    With `shard-params` (FSDP / ZeRO-3), floating parameters become blocks of
    dim 0 too (ceil(d0 / ranks) rows, zero-padded), all-gathered at the entry
    of @forward and again of @backward, and their gradients are
    reduce-scattered to the same blocks.
  }];
  let options = [
    Option<"shardParams", "shard-params", "bool", /*default=*/"false",
           "shard the parameters on dim 0 (FSDP / ZeRO-3)">,
    Option<"bucketBytes", "bucket-bytes", "int64_t", /*default=*/"26214400",
           "DDP: gradients all-reduced together in buckets of at most this many "
           "bytes (0: one all_reduce each)">,
  ];
  let dependentDialects = ["::mlir::shard::ShardDialect", "::thunder::shard::ThunderShardDialect"];
  let statistics = [
    Statistic<"numAllReduce", "all-reduces", "shard.all_reduce ops inserted">,
    Statistic<"numAllGather", "all-gathers", "shard.all_gather ops inserted">,
    Statistic<"numAllSlice", "all-slices", "replicated values cut to this rank's block">,
    Statistic<"numReplicated", "replicated-ops", "ops run replicated on gathered operands">,
    Statistic<"numShardedParams", "sharded-params", "parameters split into blocks (shard-params)">,
    Statistic<"numBucketed", "bucketed-all-reduces", "gradient all-reduces merged into buckets">,
  ];
}

def ThunderShardLowerCollectives
    : Pass<"thunder-shard-lower-collectives", "::mlir::ModuleOp"> {
  let summary = "shard collectives on tensors -> calls into the runtime's transport";
  let description = [{
    After the thunder -> linalg lowering, before bufferization: each
    `shard.all_reduce` / `shard.all_gather` (along dimension 0) becomes a call
    of `thunder_shard_all_reduce` / `thunder_shard_all_gather`
    (include/thunder/runtime/compiler_abi.h) on the operand's buffer and a new
    one, and `shard.all_slice` an `tensor.extract_slice` at this rank's offset
    (`thunder_shard_rank()`). The runtime runs them on the communicator the
    caller gave the instance (MPI for the CPU target, NCCL for CUDA). The
    `shard.grid` ops and the `thunder_shard.sharded_dim` / `whole_size`
    attributes (read into the model description before) are erased.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect", "::mlir::LLVM::LLVMDialect"
  ];
}

#endif // THUNDER_SHARD_PASSES_TD
