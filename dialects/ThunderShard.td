//===- ThunderShard.td - the thunder_shard dialect --------*- tablegen -*-===//
//
// `thunder_shard` carries what the upstream `shard` dialect lacks: the parallel
// plan of `thunderc --mesh` (named mesh axes and their sizes) and the sharding
// of each entry point's arguments and results, which the model description
// (the meta of MODEL.so) and the runner read. The collectives themselves are
// upstream's `shard.all_reduce` / `all_gather` / `all_slice` on a `shard.grid`;
// thunder ops describe how they shard through upstream's `ShardingInterface`
// (external models, lib/Shard/Rules). docs/sharding.md.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_SHARD_TD
#define THUNDER_SHARD_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def ThunderShard_Dialect : Dialect {
  let name = "thunder_shard";
  let summary = "the parallel plan of a thunder program";
  let description = [{
    The module attribute `thunder_shard.mesh = #thunder_shard.mesh<...>` names
    the device mesh the program was partitioned for. On the arguments and
    results of `@forward` / `@backward`, `thunder_shard.sharded_dim = d : i64`
    says the value is this rank's block of the whole tensor along dimension
    `d` over the data-parallel axis; without it the value is replicated (every
    rank holds all of it). With `--shard-params` a parameter is split into
    blocks of ceil(extent / ranks) along dimension 0, the last padded with
    zeros, and `thunder_shard.whole_size = n : i64` gives the parameter's own
    extent (what the model description reports).
  }];
  let cppNamespace = "::thunder::shard";
  let useDefaultAttributePrinterParser = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    static constexpr llvm::StringLiteral kMeshAttrName = "thunder_shard.mesh";
    static constexpr llvm::StringLiteral kShardedDimAttrName = "thunder_shard.sharded_dim";
    static constexpr llvm::StringLiteral kWholeSizeAttrName = "thunder_shard.whole_size";
  }];
}

def ThunderShard_MeshAttr : AttrDef<ThunderShard_Dialect, "Mesh"> {
  let mnemonic = "mesh";
  let summary = "named device-mesh axes and their sizes";
  let description = [{
    `#thunder_shard.mesh<dp = 2>`: the mesh of `--mesh=dp:2`; axes in the
    order given (`#thunder_shard.mesh<dp = 2, tp = 2>`). Rules: (1) as many sizes as axes, (2) every size is at
    least 1, (3) axis names are unique and one of `dp`, `tp`.
  }];
  let parameters = (ins ArrayRefParameter<"::mlir::StringAttr">:$axes,
                        ArrayRefParameter<"int64_t">:$sizes);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The size of the named axis; 1 when the mesh has no such axis.
    int64_t getAxisSize(llvm::StringRef axis) const;
    /// The number of ranks: the product of the sizes.
    int64_t getNumRanks() const;
  }];
}

#endif // THUNDER_SHARD_TD
