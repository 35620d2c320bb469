//===- DataParallel.cpp - partition over the dp mesh axis ------------------===//
//
// thunder-shard-data-parallel (dialects/ThunderShardPasses.td). Every value is
// either replicated (the whole tensor on every rank) or this rank's block
// along one dimension. Ops are visited in order; each op's ShardingInterface
// loop nest says which loop a sharded operand splits and where that loop
// lands in the other operands and the results. The partition is exact: it
// only ever adds the collectives that keep every value equal to the
// unsharded program's (or its block of it).
//
//===----------------------------------------------------------------------===//
#include "thunder/Dialect/Thunder/ThunderOps.h"
#include "thunder/Shard/Passes.h"
#include "GradientBuckets.h"
#include "ShardParameters.h"

#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Shard/Interfaces/ShardingInterface.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <map>

namespace thunder::shard {
#define GEN_PASS_DEF_THUNDERSHARDDATAPARALLEL
#include "thunder/Shard/Passes.h.inc"
} // namespace thunder::shard

using namespace mlir;
namespace upstream = mlir::shard;

namespace thunder::shard {
namespace {

constexpr llvm::StringLiteral kGridName = "thunder_dp";
constexpr int64_t kReplicated = -1;

/// An index expression seen as a row-major sum: the loop with the largest
/// stride (the major loop), that stride, and the constant term. A block of
/// the indexed dimension is a block of the major loop only where the offset
/// is 0 and stride * extent(loop) is the dimension's extent.
struct MajorTerm {
  int64_t loop = -1; // -1: a constant, or not a sum of loops times strides
  int64_t stride = 0, offset = 0;
};

MajorTerm majorTerm(AffineExpr e, unsigned numLoops) {
  MajorTerm t;
  if (auto d = dyn_cast<AffineDimExpr>(e)) {
    t.loop = d.getPosition();
    t.stride = 1;
    return t;
  }
  MLIRContext *ctx = e.getContext();
  SmallVector<AffineExpr> zeros(numLoops, getAffineConstantExpr(0, ctx));
  auto at = [&](ArrayRef<AffineExpr> dims) -> std::optional<int64_t> {
    auto c = dyn_cast<AffineConstantExpr>(e.replaceDims(dims));
    return c ? std::optional<int64_t>(c.getValue()) : std::nullopt;
  };
  std::optional<int64_t> base = at(zeros);
  if (!base)
    return t;
  t.offset = *base;
  for (unsigned l = 0; l < numLoops; ++l) {
    if (!e.isFunctionOfDim(l))
      continue;
    SmallVector<AffineExpr> unit = zeros;
    unit[l] = getAffineConstantExpr(1, ctx);
    std::optional<int64_t> v = at(unit);
    if (!v)
      return MajorTerm{};
    if (*v - *base > t.stride) {
      t.stride = *v - *base;
      t.loop = l;
    }
  }
  return t;
}

int64_t majorLoop(AffineExpr e, unsigned numLoops) { return majorTerm(e, numLoops).loop; }

/// Where loop `loop` (of extent `extent`) splits a value of type `type`
/// indexed by `map`: the dimension whose index has it as the major loop, with
/// no offset and the dimension's whole extent; -1 where the value does not
/// depend on the loop; failure where a block of the loop is not a block of
/// the value.
FailureOr<int64_t> dimOfLoop(AffineMap map, int64_t loop, int64_t extent, Type type) {
  auto shaped = cast<RankedTensorType>(type);
  int64_t found = kReplicated;
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    if (!e.isFunctionOfDim(loop))
      continue;
    MajorTerm t = majorTerm(e, map.getNumDims());
    if (t.loop != loop || found != kReplicated || t.offset != 0)
      return failure();
    bool whole = shaped.isDynamicDim(i) ? t.stride == 1 && isa<AffineDimExpr>(e)
                                        : t.stride * extent == shaped.getDimSize(i);
    if (!whole)
      return failure();
    found = i;
  }
  return found;
}

class Partitioner {
public:
  Partitioner(MLIRContext *ctx, int64_t ranks) : ranks(ranks), b(ctx) {}

  /// Partitions `f` with its arguments sharded as `argDims` says; fills
  /// `resultDims` with how its results come out, as `resultPolicy` asks
  /// (given each result's index and sharding, returns the dim it must have:
  /// -1 replicated, or the same dim to keep it).
  LogicalResult run(func::FuncOp f, ArrayRef<int64_t> argDims,
                    llvm::function_ref<int64_t(unsigned, int64_t)> resultPolicy,
                    SmallVectorImpl<int64_t> &resultDims);

  uint64_t numAllReduce = 0, numAllGather = 0, numAllSlice = 0, numReplicated = 0;

private:
  int64_t ranks;
  OpBuilder b;
  DenseMap<Value, int64_t> dims; // sharded values and their dimension
  // Partial sums not yet all-reduced (each rank holds its addend): they flow
  // through ops that only move elements and are completed where a value is
  // needed whole (at the latest at the return, where they can be bucketed).
  DenseSet<Value> partial;
  DenseMap<Value, Value> completed; // partial value -> its all_reduce
  // Values that keep the whole tensor's type while the function is walked
  // (so that every op's loop nest describes the unsharded program) and
  // become blocks at the end.
  SmallVector<Value> toShrink;

  int64_t dimOf(Value v) const {
    auto it = dims.find(v);
    return it == dims.end() ? kReplicated : it->second;
  }
  RankedTensorType block(Type t, int64_t dim) const {
    auto r = cast<RankedTensorType>(t);
    SmallVector<int64_t> shape(r.getShape());
    if (!r.isDynamicDim(dim))
      shape[dim] /= ranks;
    return r.clone(shape);
  }

  Value gather(Value v, Location loc);
  Value slice(Value v, int64_t dim, Location loc);
  Value reduce(Value v, upstream::ReductionKind kind, Location loc);
  /// The whole value of partial `v` (one all_reduce after its definition).
  Value complete(Value v);
  /// Completes the partial operands of `op`; false if it had none. Ops that
  /// only move elements (permute, reshape: sums commute with them) pass the
  /// partial sum on instead.
  bool completeOrForward(Operation *op);
  bool partitionByLoops(Operation *op, upstream::ShardingInterface iface, int64_t loop = -1);
  /// Tensor parallelism: an op whose operands are all whole, one of them a
  /// parameter and one an activation, splits a parallel loop that indexes the
  /// parameter and the results but not the activation (a linear layer's
  /// output features: column-parallel; the next linear then contracts the
  /// split features: row-parallel, completed by an all_reduce).
  bool splitParameterLoop(Operation *op);

public:
  /// Parameters and what only moves their elements (tensor parallelism's
  /// seeds).
  DenseSet<Value> parameters;
  bool tensorParallel = false;

private:
  void replicate(Operation *op);
  LogicalResult partition(Operation *op);
};

Value Partitioner::gather(Value v, Location loc) {
  int64_t dim = dimOf(v);
  if (dim == kReplicated)
    return v;
  ++numAllGather;
  // `v` has the whole tensor's type until the end of the walk.
  return upstream::AllGatherOp::create(b, loc, v.getType(), kGridName,
                                       ArrayRef<upstream::GridAxis>{0}, v,
                                       APInt(64, dim))
      .getResult();
}

Value Partitioner::slice(Value v, int64_t dim, Location loc) {
  Value out;
  // A broadcast along `dim` is cheaper made at the block's size than cut.
  auto bcast = v.getDefiningOp<BroadcastInDimOp>();
  auto constant = v.getDefiningOp<ConstantOp>();
  auto splat = constant ? dyn_cast<SplatElementsAttr>(constant.getValue()) : SplatElementsAttr();
  if (splat) {
    RankedTensorType type = block(v.getType(), dim);
    out = ConstantOp::create(b, loc, type, splat.resizeSplat(type)).getResult();
  } else if (bcast && bcast.getSizes().empty() && !llvm::is_contained(bcast.getDims(), dim)) {
    out = BroadcastInDimOp::create(b, loc, block(v.getType(), dim), bcast.getOperand(),
                                   ValueRange{}, bcast.getDimsAttr())
              .getResult();
  } else {
    ++numAllSlice;
    out = upstream::AllSliceOp::create(b, loc, block(v.getType(), dim), v, kGridName,
                                       ArrayRef<upstream::GridAxis>{0}, dim)
              .getResult();
  }
  dims[out] = dim;
  return out;
}

Value Partitioner::reduce(Value v, upstream::ReductionKind kind, Location loc) {
  ++numAllReduce;
  return upstream::AllReduceOp::create(b, loc, v, kGridName, ArrayRef<upstream::GridAxis>{0},
                                       kind)
      .getResult();
}

/// Shards `op` along the loop its first sharded operand splits; false (and
/// `op` untouched) where the loop nest does not allow it.
bool Partitioner::partitionByLoops(Operation *op, upstream::ShardingInterface iface,
                                   int64_t loop) {
  SmallVector<AffineMap> maps = iface.getIndexingMaps();
  SmallVector<utils::IteratorType> iterators = iface.getLoopIteratorTypes();
  unsigned numOperands = op->getNumOperands();
  if (maps.size() != numOperands + op->getNumResults())
    return false;
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (int64_t d = dimOf(v); loop < 0 && d != kReplicated) {
      loop = majorLoop(maps[i].getResult(d), maps[i].getNumDims());
      break;
    }
  if (loop < 0)
    return false;
  auto typeOf = [&](unsigned i) {
    return i < numOperands ? op->getOperand(i).getType()
                           : op->getResult(i - numOperands).getType();
  };
  // The loop's extent: a dimension indexed by the loop alone (dynamic: the
  // blocks are checked at run time by the runner's split).
  int64_t extent = ShapedType::kDynamic;
  for (auto [i, map] : llvm::enumerate(maps))
    for (auto [d, e] : llvm::enumerate(map.getResults()))
      if (auto de = dyn_cast<AffineDimExpr>(e); de && de.getPosition() == loop)
        extent = cast<RankedTensorType>(typeOf(i)).getDimSize(d);
  if (ShapedType::isDynamic(extent) || extent % ranks != 0)
    return false;
  // Where the loop lands in every operand and result, each a whole block.
  SmallVector<int64_t> want;
  for (auto [i, map] : llvm::enumerate(maps)) {
    FailureOr<int64_t> d = dimOfLoop(map, loop, extent, typeOf(i));
    if (failed(d))
      return false;
    want.push_back(*d);
  }
  bool isReduction = iterators[loop] == utils::IteratorType::reduction;
  // A reduction of its own kind (softmax's) has no all_reduce to finish it.
  upstream::ReductionKind kind = upstream::ReductionKind::Sum;
  if (isReduction) {
    SmallVector<upstream::ReductionKind> kinds = iface.getReductionLoopIteratorKinds();
    unsigned k =
        llvm::count(ArrayRef(iterators).take_front(loop), utils::IteratorType::reduction);
    if (k >= kinds.size() || kinds[k] == upstream::ReductionKind::Generic)
      return false;
    kind = kinds[k];
  }
  for (unsigned r = 0; r < op->getNumResults(); ++r)
    if ((want[numOperands + r] == kReplicated) != isReduction)
      return false;

  b.setInsertionPoint(op);
  for (unsigned i = 0; i < numOperands; ++i) {
    Value v = op->getOperand(i);
    int64_t have = dimOf(v);
    if (have == want[i])
      continue;
    Value replicated = gather(v, op->getLoc());
    op->setOperand(i, want[i] == kReplicated ? replicated
                                             : slice(replicated, want[i], op->getLoc()));
  }
  if (!isReduction) {
    for (OpResult r : op->getResults()) {
      dims[r] = want[numOperands + r.getResultNumber()];
      toShrink.push_back(r);
    }
    return true;
  }
  // Partial results: each rank reduced its block. A sum stays partial until
  // a whole value is needed; the other kinds are completed now.
  b.setInsertionPointAfter(op);
  for (OpResult r : op->getResults()) {
    if (kind == upstream::ReductionKind::Sum) {
      partial.insert(r);
      continue;
    }
    Value full = reduce(r, kind, op->getLoc());
    r.replaceAllUsesExcept(full, full.getDefiningOp());
  }
  return true;
}

Value Partitioner::complete(Value v) {
  auto it = completed.find(v);
  if (it != completed.end())
    return it->second;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointAfterValue(v);
  Value full = reduce(v, upstream::ReductionKind::Sum, v.getLoc());
  completed[v] = full;
  return full;
}

bool Partitioner::completeOrForward(Operation *op) {
  bool any = false;
  for (Value v : op->getOperands())
    any |= partial.contains(v);
  if (!any)
    return false;
  if (isa<PermuteOp, ReshapeOp>(op) && op->getNumOperands() == 1) {
    partial.insert(op->getResult(0));
    return true;
  }
  for (OpOperand &o : op->getOpOperands())
    if (partial.contains(o.get()))
      o.set(complete(o.get()));
  return false;
}

void Partitioner::replicate(Operation *op) {
  ++numReplicated;
  b.setInsertionPoint(op);
  for (OpOperand &o : op->getOpOperands())
    if (dimOf(o.get()) != kReplicated)
      o.set(gather(o.get(), op->getLoc()));
}

bool Partitioner::splitParameterLoop(Operation *op) {
  auto iface = dyn_cast<upstream::ShardingInterface>(op);
  if (!iface)
    return false;
  SmallVector<AffineMap> maps = iface.getIndexingMaps();
  SmallVector<utils::IteratorType> iterators = iface.getLoopIteratorTypes();
  unsigned numOperands = op->getNumOperands();
  if (maps.size() != numOperands + op->getNumResults() || op->getNumResults() == 0 ||
      llvm::all_of(op->getOperands(), [&](Value v) { return parameters.contains(v); }))
    return false;
  for (unsigned i = 0; i < numOperands; ++i) {
    if (!parameters.contains(op->getOperand(i)))
      continue;
    // A layer contracts the parameter with an activation (a sum loop both
    // index); an embedding lookup does not, and splitting its features would
    // split the whole hidden state.
    bool contracts = false;
    for (unsigned l = 0; l < iterators.size(); ++l)
      for (unsigned j = 0; j < numOperands; ++j)
        contracts |= iterators[l] == utils::IteratorType::reduction && j != i &&
                     !parameters.contains(op->getOperand(j)) && maps[i].isFunctionOfDim(l) &&
                     maps[j].isFunctionOfDim(l);
    if (!contracts)
      continue;
    for (unsigned l = 0; l < iterators.size(); ++l) {
      bool inOthers = false;
      for (unsigned j = 0; j < numOperands; ++j)
        inOthers |= j != i && maps[j].isFunctionOfDim(l);
      if (iterators[l] != utils::IteratorType::parallel || inOthers ||
          !maps[i].isFunctionOfDim(l) || !maps[numOperands].isFunctionOfDim(l))
        continue;
      if (partitionByLoops(op, iface, l))
        return true;
    }
  }
  return false;
}

LogicalResult Partitioner::partition(Operation *op) {
  if (completeOrForward(op))
    return success();
  if (tensorParallel && isa<PermuteOp, ReshapeOp>(op) && parameters.contains(op->getOperand(0)))
    parameters.insert(op->getResult(0));
  if (llvm::none_of(op->getOperands(), [&](Value v) { return dimOf(v) != kReplicated; })) {
    if (tensorParallel)
      splitParameterLoop(op);
    return success();
  }
  if (op->getNumRegions()) {
    replicate(op);
    // Values used inside the regions must be whole too.
    WalkResult inner = op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands())
        if (nested != op && dimOf(v) != kReplicated)
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (inner.wasInterrupted())
      return op->emitOpError("uses a batch-sharded value inside its region, which "
                             "thunder-shard-data-parallel does not partition"),
             failure();
    return success();
  }
  auto iface = dyn_cast<upstream::ShardingInterface>(op);
  if (iface && partitionByLoops(op, iface))
    return success();
  replicate(op);
  return success();
}

LogicalResult Partitioner::run(func::FuncOp f, ArrayRef<int64_t> argDims,
                               llvm::function_ref<int64_t(unsigned, int64_t)> resultPolicy,
                               SmallVectorImpl<int64_t> &resultDims) {
  Block &body = f.getBody().front();
  toShrink.clear();
  for (auto [arg, d] : llvm::zip(body.getArguments(), argDims)) {
    if (d == kReplicated)
      continue;
    dims[arg] = d;
    toShrink.push_back(arg);
    f.setArgAttr(arg.getArgNumber(), ThunderShardDialect::kShardedDimAttrName,
                 b.getI64IntegerAttr(d));
  }
  for (Operation &op : llvm::make_early_inc_range(body.without_terminator()))
    if (failed(partition(&op)))
      return failure();
  Operation *ret = body.getTerminator();
  b.setInsertionPoint(ret);
  for (OpOperand &o : ret->getOpOperands()) {
    unsigned i = o.getOperandNumber();
    if (partial.contains(o.get())) { // completed last, next to the others
      b.setInsertionPoint(ret);
      o.set(reduce(o.get(), upstream::ReductionKind::Sum, ret->getLoc()));
    }
    int64_t have = dimOf(o.get());
    int64_t want = resultPolicy(i, have);
    if (want != have) {
      Value whole = gather(o.get(), ret->getLoc());
      o.set(want == kReplicated ? whole : slice(whole, want, ret->getLoc()));
    }
    resultDims.push_back(want);
    if (want != kReplicated)
      f.setResultAttr(i, ThunderShardDialect::kShardedDimAttrName, b.getI64IntegerAttr(want));
  }
  for (Value v : toShrink)
    v.setType(block(v.getType(), dims.lookup(v)));
  // The whole-size broadcasts and constants that blocks replaced.
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (isOpTriviallyDead(op))
      op->erase();
  f.setType(FunctionType::get(f.getContext(), body.getArgumentTypes(), ret->getOperandTypes()));
  return success();
}

std::string attrString(func::FuncOp f, unsigned i, bool result, llvm::StringRef key) {
  DictionaryAttr attrs = result ? f.getResultAttrDict(i) : f.getArgAttrDict(i);
  auto s = attrs ? attrs.getAs<StringAttr>(key) : StringAttr();
  return s ? s.str() : "";
}
int64_t attrIndex(func::FuncOp f, unsigned i, bool result) {
  DictionaryAttr attrs = result ? f.getResultAttrDict(i) : f.getArgAttrDict(i);
  auto a = attrs ? attrs.getAs<IntegerAttr>("thunder.index") : IntegerAttr();
  return a ? a.getInt() : -1;
}

struct ThunderShardDataParallel
    : impl::ThunderShardDataParallelBase<ThunderShardDataParallel> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto mesh = module->getAttrOfType<MeshAttr>(ThunderShardDialect::kMeshAttrName);
    if (!mesh)
      return; // nothing to partition
    bool tensorParallel = mesh.getAxisSize("tp") != 1;
    if (tensorParallel && (mesh.getAxisSize("dp") != 1 || shardParams)) {
      module.emitError("--mesh: tp with dp (a 2-D mesh) or with --shard-params is not "
                       "implemented yet");
      return signalPassFailure();
    }
    int64_t ranks = tensorParallel ? mesh.getAxisSize("tp") : mesh.getAxisSize("dp");
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward || forward.isExternal()) {
      module.emitError("thunder-shard-data-parallel needs a @forward function");
      return signalPassFailure();
    }
    OpBuilder b(module.getBodyRegion());
    upstream::GridOp::create(b, module.getLoc(), kGridName, ArrayRef<int64_t>{ranks});

    // FSDP: the parameters arrive as blocks and are gathered whole first; the
    // partition then sees whole (replicated) parameters as under DDP.
    std::map<std::string, int64_t> shardedParams;
    if (shardParams)
      shardedParams = gatherParameterBlocks(forward, ranks, kGridName);
    numShardedParams += shardedParams.size();

    Partitioner p(module.getContext(), ranks);
    // Tensor parallelism: the inputs stay whole; the parameters' loops split.
    p.tensorParallel = tensorParallel;
    for (func::FuncOp f : module.getOps<func::FuncOp>())
      if (!f.isExternal())
        for (unsigned i = 0; i < f.getNumArguments(); ++i)
          if (attrString(f, i, false, "thunder.kind") == "param")
            p.parameters.insert(f.getArgument(i));
    // Forward: user inputs split along their batch dimension (0).
    SmallVector<int64_t> argDims;
    for (unsigned i = 0; i < forward.getNumArguments(); ++i) {
      auto type = dyn_cast<RankedTensorType>(forward.getArgument(i).getType());
      bool input = attrString(forward, i, false, "thunder.kind") == "input";
      if (!input || !type || type.getRank() == 0 || tensorParallel) {
        argDims.push_back(kReplicated);
        continue;
      }
      if (type.isDynamicDim(0)) {
        // Extents read from a block (tensor.dim) would be the block's where
        // the program means the whole batch's.
        emitError(forward.getArgument(i).getLoc())
            << "--mesh: the batch dimension of input '"
            << attrString(forward, i, false, "thunder.name")
            << "' is dynamic; thunderc partitions static batches only (export with a fixed batch)";
        return signalPassFailure();
      }
      if (type.getDimSize(0) % ranks != 0) {
        emitError(forward.getArgument(i).getLoc())
            << "--mesh=dp:" << ranks << " does not divide the batch dimension (dim 0, size "
            << type.getDimSize(0) << ") of input '"
            << attrString(forward, i, false, "thunder.name") << "'";
        return signalPassFailure();
      }
      argDims.push_back(0);
    }
    // Outputs and saved values keep what they get; mutated buffers are whole.
    SmallVector<int64_t> forwardDims;
    auto forwardPolicy = [&](unsigned i, int64_t have) {
      return attrString(forward, i, true, "thunder.kind") == "mutated_buffer" ? kReplicated
                                                                              : have;
    };
    if (failed(p.run(forward, argDims, forwardPolicy, forwardDims)))
      return signalPassFailure();

    if (auto backward = module.lookupSymbol<func::FuncOp>("backward")) {
      if (shardParams)
        gatherParameterBlocks(backward, ranks, kGridName); // ZeRO-3: gathered again
      // Saved values and cotangents as forward returned them.
      SmallVector<std::string> kinds;
      for (unsigned i = 0; i < forward.getNumResults(); ++i)
        kinds.push_back(attrString(forward, i, true, "thunder.kind"));
      int64_t outputIndex = 0;
      std::map<std::pair<std::string, int64_t>, int64_t> produced;
      for (unsigned i = 0; i < forward.getNumResults(); ++i) {
        int64_t index = kinds[i] == "output" ? outputIndex++ : attrIndex(forward, i, true);
        produced[{kinds[i], index}] = forwardDims[i];
      }
      SmallVector<int64_t> backArgDims;
      for (unsigned i = 0; i < backward.getNumArguments(); ++i) {
        std::string kind = attrString(backward, i, false, "thunder.kind");
        int64_t index = attrIndex(backward, i, false);
        std::string from = kind == "cotangent" ? "output" : kind;
        auto it = produced.find({from, index});
        backArgDims.push_back(it == produced.end() ? kReplicated : it->second);
      }
      // Parameter gradients whole; input gradients split as the inputs.
      std::map<std::string, int64_t> inputDims; // by name: grad_input:k names its input
      for (unsigned i = 0; i < forward.getNumArguments(); ++i)
        if (attrString(forward, i, false, "thunder.kind") == "input")
          inputDims[attrString(forward, i, false, "thunder.name")] = argDims[i];
      auto backwardPolicy = [&](unsigned i, int64_t) {
        if (attrString(backward, i, true, "thunder.kind") != "grad_input")
          return kReplicated;
        auto it = inputDims.find(attrString(backward, i, true, "thunder.name"));
        return it == inputDims.end() ? kReplicated : it->second;
      };
      SmallVector<int64_t> backDims;
      if (failed(p.run(backward, backArgDims, backwardPolicy, backDims)))
        return signalPassFailure();
      if (shardParams)
        scatterParameterGradients(backward, ranks, kGridName, shardedParams);
      else if (bucketBytes > 0)
        numBucketed += bucketGradientReductions(backward, bucketBytes);
    }
    numAllReduce += p.numAllReduce;
    numAllGather += p.numAllGather;
    numAllSlice += p.numAllSlice;
    numReplicated += p.numReplicated;
  }
};

} // namespace
} // namespace thunder::shard
