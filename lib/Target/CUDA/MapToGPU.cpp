//===- MapToGPU.cpp - linalg ops on memrefs to gpu.launch kernels ---------===//
//
// thunder-cuda-map-to-gpu. One kernel per linalg op (elementwise chains were
// fused into one op on tensors), with one of three strategies:
//
//  elementwise   one thread per iteration point; consecutive threads take
//                consecutive points of the innermost loop, so that accesses
//                through identity maps coalesce.
//  row           one block per output element when the innermost loop is
//                reduced: threads stride over the reduced elements, keep a
//                private partial (f32 for f16/bf16) and combine them with
//                gpu.all_reduce (warp shuffles, shared memory across warps).
//  split         when the innermost loop is parallel (column sums) and the
//                reduction is long for the number of outputs: threads over
//                the outputs (coalesced), blockIdx.y over chunks of the
//                reduction; each thread combines its chunk privately and
//                merges it into the output element, which holds the initial
//                value, with one atomic (add, min, max).
//  serial        one thread per output element, a loop over the reduction
//                (innermost loop parallel: neighbouring threads read
//                neighbouring elements), also for short or unrecognised
//                reductions (argmax's paired combiner).
//
// Host code left touching device memory runs as one kernel per top-level op:
//
//  scatter       a loop nest of independent writes (the scatter loops of
//                index_put / scatter, docs/lowering.md): one thread per
//                iteration point, the read-modify-write of the destination
//                element an atomic (memref.atomic_rmw addf/addi) or, without
//                one, a plain store (any write of a repeated position wins,
//                as PyTorch allows for non-accumulating scatters).
//  serial        anything else: one thread running it.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Passes.h"
#include "VectorAccess.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDAMAPTOGPU
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

//===----------------------------------------------------------------------===//
// Reductions: recognised combiners
//===----------------------------------------------------------------------===//

struct CombinerKind {
  llvm::StringLiteral opName;
  gpu::AllReduceOperation kind;
  bool isSigned; // how narrow integers widen
};

/// The scalar combiners a block can reduce with gpu.all_reduce.
constexpr CombinerKind kCombiners[] = {
    {"arith.addf", gpu::AllReduceOperation::ADD, true},
    {"arith.mulf", gpu::AllReduceOperation::MUL, true},
    {"arith.maximumf", gpu::AllReduceOperation::MAXIMUMF, true},
    {"arith.minimumf", gpu::AllReduceOperation::MINIMUMF, true},
    {"arith.maxnumf", gpu::AllReduceOperation::MAXNUMF, true},
    {"arith.minnumf", gpu::AllReduceOperation::MINNUMF, true},
    {"arith.addi", gpu::AllReduceOperation::ADD, true},
    {"arith.muli", gpu::AllReduceOperation::MUL, true},
    {"arith.andi", gpu::AllReduceOperation::AND, false},
    {"arith.ori", gpu::AllReduceOperation::OR, false},
    {"arith.xori", gpu::AllReduceOperation::XOR, false},
    {"arith.maxsi", gpu::AllReduceOperation::MAXSI, true},
    {"arith.minsi", gpu::AllReduceOperation::MINSI, true},
    {"arith.maxui", gpu::AllReduceOperation::MAXUI, false},
    {"arith.minui", gpu::AllReduceOperation::MINUI, false},
};

struct Reduction {
  Operation *combiner;  // in the payload: acc' = combiner(acc, reduced)
  Value reduced;        // in the payload
  const CombinerKind *kind;
  TypedAttr neutral;    // in the element type
};

/// The combiner of output `k` of `op`, when it is one of kCombiners.
std::optional<Reduction> matchCombiner(linalg::LinalgOp op, unsigned k) {
  SmallVector<BlockArgument> outs = llvm::to_vector(op.getRegionOutputArgs());
  SmallVector<Operation *> combiners;
  Value reduced = matchReduction(outs, k, combiners);
  if (!reduced || combiners.size() != 1)
    return std::nullopt;
  Operation *combiner = combiners.front();
  const CombinerKind *kind = llvm::find_if(kCombiners, [&](const CombinerKind &c) {
    return c.opName == combiner->getName().getStringRef();
  });
  if (kind == std::end(kCombiners))
    return std::nullopt;
  std::optional<TypedAttr> neutral = arith::getNeutralElement(combiner);
  if (!neutral)
    return std::nullopt;
  return Reduction{combiner, reduced, kind, *neutral};
}

/// Where partial results accumulate: f32 for narrower floats, i32 for
/// narrower integers (what warp shuffles move), else the type itself.
Type getAccumulatorType(Type t) {
  if (auto f = dyn_cast<FloatType>(t))
    return f.getWidth() < 32 ? Float32Type::get(t.getContext()) : t;
  if (auto i = dyn_cast<IntegerType>(t))
    return i.getWidth() < 32 ? IntegerType::get(t.getContext(), 32) : t;
  return t;
}

Value convertScalar(OpBuilder &b, Location loc, Value v, Type to, bool isSigned) {
  Type from = v.getType();
  if (from == to)
    return v;
  if (isa<FloatType>(from)) {
    if (cast<FloatType>(from).getWidth() < cast<FloatType>(to).getWidth())
      return arith::ExtFOp::create(b, loc, to, v);
    return arith::TruncFOp::create(b, loc, to, v);
  }
  if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
    return arith::TruncIOp::create(b, loc, to, v);
  if (isSigned)
    return arith::ExtSIOp::create(b, loc, to, v);
  return arith::ExtUIOp::create(b, loc, to, v);
}

/// `combiner`'s operation applied to lhs and rhs (of the accumulator type).
Value combine(OpBuilder &b, Location loc, Operation *combiner, Value lhs, Value rhs) {
  OperationState state(loc, combiner->getName());
  state.addOperands({lhs, rhs});
  state.addTypes(lhs.getType());
  state.addAttributes(combiner->getAttrs());
  return b.create(state)->getResult(0);
}

/// The parallel and reduced loops of a reduction and their trip counts.
struct ReductionLoops {
  SmallVector<unsigned> parallel, reduced;
  SmallVector<Value> sizes, pSizes, rSizes;

  /// Loop indices with `pIvs` at the parallel loops and `zero` elsewhere.
  SmallVector<Value> at(ValueRange pIvs, Value zero) const {
    SmallVector<Value> ivs(sizes.size(), zero);
    for (auto [d, iv] : llvm::zip(parallel, pIvs))
      ivs[d] = iv;
    return ivs;
  }
};

ReductionLoops getReductionLoops(OpBuilder &b, Location loc, linalg::LinalgOp op) {
  ReductionLoops loops;
  op.getParallelDims(loops.parallel);
  op.getReductionDims(loops.reduced);
  loops.sizes = getLoopSizes(b, loc, op);
  for (unsigned d : loops.parallel)
    loops.pSizes.push_back(loops.sizes[d]);
  for (unsigned d : loops.reduced)
    loops.rSizes.push_back(loops.sizes[d]);
  return loops;
}

/// A loop from `lb` to `ub` by `step` over the reduced loops of `op`
/// (linearised, the last fastest) at loop indices `ivs` (the parallel ones):
/// each iteration computes the payload's reduced values and combines them
/// into private partials (of the accumulator type) that start from the
/// combiners' neutral elements. Returns the partials.
SmallVector<Value> buildPartialReductions(OpBuilder &b, Location loc, linalg::LinalgOp op,
                                          const ReductionLoops &loops,
                                          ArrayRef<Reduction> reductions, ArrayRef<Value> ivs,
                                          Value lb, Value ub, Value step) {
  SmallVector<Value> inits, reducedValues;
  DenseSet<Operation *> combiners;
  for (const Reduction &r : reductions) {
    Value neutral = arith::ConstantOp::create(b, loc, r.neutral);
    inits.push_back(convertScalar(b, loc, neutral, getAccumulatorType(neutral.getType()),
                                  r.kind->isSigned));
    combiners.insert(r.combiner);
    reducedValues.push_back(r.reduced);
  }
  auto loop = scf::ForOp::create(b, loc, lb, ub, step, inits);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  SmallVector<Value> pointIvs(ivs);
  for (auto [d, iv] :
       llvm::zip(loops.reduced, delinearize(b, loc, loop.getInductionVar(), loops.rSizes)))
    pointIvs[d] = iv;
  IRMapping mapping;
  emitPayload(b, loc, op, pointIvs, {}, combiners, mapping, reducedValues);
  SmallVector<Value> next;
  for (auto [r, acc] : llvm::zip(reductions, loop.getRegionIterArgs())) {
    Value v = convertScalar(b, loc, mapping.lookupOrDefault(r.reduced), acc.getType(),
                            r.kind->isSigned);
    next.push_back(combine(b, loc, r.combiner, acc, v));
  }
  scf::YieldOp::create(b, loc, next);
  return SmallVector<Value>(loop.getResults());
}

//===----------------------------------------------------------------------===//
// Scatters: loop nests of independent writes
//===----------------------------------------------------------------------===//

/// A perfect nest of scf.for loops, each from 0 by 1 to a bound defined
/// outside the nest, without loop-carried values, whose innermost body
/// writes one element of one buffer per iteration:
///
///   %old = memref.load %dest[%i...]         (only with a combiner)
///   %new = arith.addf %old, %value          (addf/addi/ori; %value not
///   memref.store %new, %dest[%i...]          reading %old)
///
/// and otherwise only reads other buffers and computes (no other memory
/// effect, no other access of %dest). The scatter loops of the lowering
/// (docs/lowering.md) have this shape after bufferization; the buffers
/// they read hold tensors that the loop does not write, so they do not
/// alias %dest. Iterations then interact only through the update of %dest:
/// with an add it commutes (an atomic add), with a plain store any order
/// is a valid order (PyTorch leaves the winner of a repeated position of a
/// non-accumulating scatter unspecified), with `or` of a bool the update is
/// "store true where the value is true".
struct ScatterNest {
  SmallVector<scf::ForOp> loops; // outermost first
  memref::StoreOp store;
  memref::LoadOp old;            // null for a plain store
  Operation *combiner = nullptr; // null for a plain store
};

/// The atomic read-modify-write that implements `combiner` on `type` in a
/// kernel (f32/f64 addf, i32/i64 addi), if there is one.
std::optional<arith::AtomicRMWKind> getAtomicKind(Operation *combiner, Type type) {
  if (isa<arith::AddFOp>(combiner) && (type.isF32() || type.isF64()))
    return arith::AtomicRMWKind::addf;
  if (isa<arith::AddIOp>(combiner) && (type.isInteger(32) || type.isInteger(64)))
    return arith::AtomicRMWKind::addi;
  return std::nullopt;
}

/// The atomic that merges a partial result of reduction combiner
/// `combiner` into an element of `type`: the adds of getAtomicKind, and
/// min/max on the same types.
std::optional<arith::AtomicRMWKind> getMergeAtomicKind(Operation *combiner, Type type) {
  if (std::optional<arith::AtomicRMWKind> add = getAtomicKind(combiner, type))
    return add;
  using Kind = arith::AtomicRMWKind;
  if (type.isF32() || type.isF64())
    return llvm::TypeSwitch<Operation *, std::optional<Kind>>(combiner)
        .Case([](arith::MaximumFOp) { return Kind::maximumf; })
        .Case([](arith::MinimumFOp) { return Kind::minimumf; })
        .Case([](arith::MaxNumFOp) { return Kind::maxnumf; })
        .Case([](arith::MinNumFOp) { return Kind::minnumf; })
        .Default(std::nullopt);
  if (type.isInteger(32) || type.isInteger(64))
    return llvm::TypeSwitch<Operation *, std::optional<Kind>>(combiner)
        .Case([](arith::MaxSIOp) { return Kind::maxs; })
        .Case([](arith::MinSIOp) { return Kind::mins; })
        .Case([](arith::MaxUIOp) { return Kind::maxu; })
        .Case([](arith::MinUIOp) { return Kind::minu; })
        .Default(std::nullopt);
  return std::nullopt;
}

bool isBoolOr(Operation *combiner) {
  return isa<arith::OrIOp>(combiner) && combiner->getResult(0).getType().isInteger(1);
}

std::optional<ScatterNest> matchScatterNest(Operation *op) {
  auto outer = dyn_cast<scf::ForOp>(op);
  if (!outer)
    return std::nullopt;
  ScatterNest nest;
  for (scf::ForOp loop = outer; loop;) {
    if (loop.getNumResults() != 0 || !matchPattern(loop.getLowerBound(), m_Zero()) ||
        !matchPattern(loop.getStep(), m_One()) || !outer.isDefinedOutsideOfLoop(loop.getUpperBound()))
      return std::nullopt;
    nest.loops.push_back(loop);
    Block *body = loop.getBody();
    auto inner = dyn_cast<scf::ForOp>(&body->front());
    loop = inner && body->getOperations().size() == 2 ? inner : scf::ForOp();
  }
  Block *body = nest.loops.back().getBody();
  for (Operation &inner : body->without_terminator()) {
    if (auto store = dyn_cast<memref::StoreOp>(inner)) {
      if (nest.store)
        return std::nullopt;
      nest.store = store;
    } else if (!isa<memref::LoadOp>(inner) && !isMemoryEffectFree(&inner)) {
      return std::nullopt;
    }
  }
  if (!nest.store)
    return std::nullopt;
  Value dest = nest.store.getMemRef();
  if (!outer.isDefinedOutsideOfLoop(dest))
    return std::nullopt;
  for (auto load : body->getOps<memref::LoadOp>()) {
    if (!outer.isDefinedOutsideOfLoop(load.getMemRef()))
      return std::nullopt;
    if (load.getMemRef() != dest)
      continue;
    if (nest.old || !llvm::equal(load.getIndices(), nest.store.getIndices()) ||
        !load->hasOneUse())
      return std::nullopt;
    nest.old = load;
  }
  if (!nest.old)
    return nest;
  // The stored value is combiner(old, value) with value independent of old.
  Operation *combiner = nest.store.getValueToStore().getDefiningOp();
  if (!combiner || combiner != *nest.old->user_begin() || combiner->getNumOperands() != 2 ||
      combiner->getOperand(0) == combiner->getOperand(1) || !combiner->getResult(0).hasOneUse())
    return std::nullopt;
  Type type = nest.old.getType();
  if (!getAtomicKind(combiner, type) && !isBoolOr(combiner))
    return std::nullopt;
  nest.combiner = combiner;
  return nest;
}

//===----------------------------------------------------------------------===//
// The mapper
//===----------------------------------------------------------------------===//

Value ceilDiv(OpBuilder &b, Location loc, Value n, int64_t d) {
  Value dm1 = arith::ConstantIndexOp::create(b, loc, d - 1);
  Value dv = arith::ConstantIndexOp::create(b, loc, d);
  return b.createOrFold<arith::DivUIOp>(loc, b.createOrFold<arith::AddIOp>(loc, n, dm1), dv);
}

constexpr int64_t kWarpSize = 32;
/// The longest row one warp reduces (64 elements per lane); longer rows get
/// a block each.
constexpr int64_t kWarpRowMaxLength = 2048;
/// Fewer rows than this (statically) keep a block per row: four per SM.
constexpr int64_t kWarpRowMinRows = 512;

int64_t roundUpToWarp(int64_t n) { return std::max<int64_t>(32, (n + 31) / 32 * 32); }

/// Whether `map` (of an output) is a permutation of exactly `dims`.
bool isPermutationOf(AffineMap map, ArrayRef<unsigned> dims) {
  if (map.getNumResults() != dims.size() || !map.isProjectedPermutation())
    return false;
  for (AffineExpr e : map.getResults())
    if (!llvm::is_contained(dims, cast<AffineDimExpr>(e).getPosition()))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Split reductions: long reductions with few outputs over several blocks
//===----------------------------------------------------------------------===//

/// A thread's chunk of a split reduction is at least this long: the atomic
/// that merges it is amortised over as many loads.
constexpr int64_t kMinSplitChunk = 32;
/// Chunks are added until a launch has about this many threads (an H100
/// keeps 132 SMs x 2048 threads resident).
constexpr int64_t kSplitThreads = 1 << 18;
/// The chunks are blockIdx.y: gridDim.y's limit.
constexpr int64_t kMaxSplitChunks = 65535;

/// The reductions of `op` when it can be split: its innermost loop is
/// parallel (a row reduction takes it otherwise), every output has a
/// combiner with an atomic merge on its type, and no input is an output
/// buffer (other blocks update the outputs while a thread reads).
std::optional<SmallVector<Reduction>> matchSplittable(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.isAllParallelLoops() ||
      op.getIteratorTypesArray().back() != utils::IteratorType::parallel)
    return std::nullopt;
  SmallVector<Value> outputs;
  SmallVector<Reduction> reductions;
  for (unsigned k = 0, e = op.getNumDpsInits(); k < e; ++k) {
    Value buffer = op.getDpsInitOperand(k)->get();
    std::optional<Reduction> r = matchCombiner(op, k);
    if (!r || !getMergeAtomicKind(r->combiner, getElementTypeOrSelf(buffer.getType())))
      return std::nullopt;
    outputs.push_back(buffer);
    reductions.push_back(*r);
  }
  for (OpOperand *in : op.getDpsInputOperands())
    if (llvm::is_contained(outputs, in->get()))
      return std::nullopt;
  return reductions;
}

/// How many chunks a split reduction of `length` elements per output
/// element takes: enough for about kSplitThreads threads, none shorter
/// than kMinSplitChunk. Either size may be dynamic (a bound from the other).
int64_t getSplitChunks(int64_t outputs, int64_t length) {
  int64_t chunks = kMaxSplitChunks;
  if (!ShapedType::isDynamic(length))
    chunks = std::min<int64_t>(chunks, llvm::divideCeil(length, kMinSplitChunk));
  if (!ShapedType::isDynamic(outputs))
    chunks = std::min<int64_t>(chunks, llvm::divideCeil(kSplitThreads, roundUpToWarp(outputs)));
  return std::max<int64_t>(chunks, 1);
}

/// The number of chunks and the chunk length of a split reduction (as
/// getSplitChunks, at run time for dynamic sizes).
std::pair<Value, Value> buildSplitChunks(OpBuilder &b, Location loc, Value outputs,
                                         Value length) {
  std::optional<int64_t> staticOutputs = getConstantIndex(outputs);
  std::optional<int64_t> staticLength = getConstantIndex(length);
  if (staticOutputs && staticLength) {
    int64_t chunks = getSplitChunks(*staticOutputs, *staticLength);
    int64_t chunkLength = llvm::divideCeil(*staticLength, chunks);
    // No empty chunk at the end.
    if (chunkLength > 0)
      chunks = llvm::divideCeil(*staticLength, chunkLength);
    return {arith::ConstantIndexOp::create(b, loc, chunks),
            arith::ConstantIndexOp::create(b, loc, chunkLength)};
  }
  auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value one = constant(1);
  Value chunks = constant(getSplitChunks(staticOutputs.value_or(ShapedType::kDynamic),
                                         staticLength.value_or(ShapedType::kDynamic)));
  if (!staticLength)
    chunks = arith::MinUIOp::create(b, loc, chunks, ceilDiv(b, loc, length, kMinSplitChunk));
  if (!staticOutputs) {
    Value perOutput = arith::MaxUIOp::create(b, loc, outputs, one);
    Value byThreads = arith::DivUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, constant(kSplitThreads - 1), perOutput), perOutput);
    chunks = arith::MinUIOp::create(b, loc, chunks, byThreads);
  }
  chunks = arith::MaxUIOp::create(b, loc, chunks, one);
  Value chunkLength = arith::DivUIOp::create(
      b, loc, arith::SubIOp::create(b, loc, arith::AddIOp::create(b, loc, length, chunks), one),
      chunks);
  return {chunks, chunkLength};
}

/// The initial values of `op`'s outputs that a fill just before it wrote
/// (findFillBefore: a copy of a filled buffer counts, LayerNorm's mean and
/// variance sharing one zero fill), whose op is then erased: the reduction
/// kernel starts from the value instead of a fill kernel plus a load. Null
/// for outputs without such a fill. Erased ops go in `erased`.
SmallVector<Value> takeFillValues(linalg::LinalgOp op, DenseSet<Operation *> &erased) {
  SmallVector<Value> values;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    Value buffer = init.get();
    FillBefore fill = findFillBefore(op, buffer);
    if (fill.op && fill.value.getType() == getElementTypeOrSelf(buffer.getType())) {
      erased.insert(fill.op);
      fill.op->erase();
      values.push_back(fill.value);
    } else {
      values.push_back({});
    }
  }
  return values;
}

class Mapper {
public:
  Mapper(const CUDAMapToGPUOptions &options, func::FuncOp func)
      : options(options), func(func) {}

  LogicalResult mapLinalgOp(linalg::LinalgOp op);
  /// Folds the fills before every reduction in `ops` into it (see
  /// takeFillValues) before any op is mapped, since mapping the fill first
  /// would make a kernel of it; drops the erased fills from `ops`.
  void takeFills(SmallVectorImpl<linalg::LinalgOp> &ops);
  LogicalResult mapHostAccess(Operation *op);
  LogicalResult mapScatter(ScatterNest nest);

private:
  /// A launch of one thread per element of [0, total) (blocks of at most
  /// the block size, at least one block), `gridY` times over (blockIdx.y)
  /// when given; leaves `b` inside it, under a bounds guard where needed,
  /// and returns the element's linear index.
  Value launchPerElement(OpBuilder &b, Location loc, Operation *op, Value total,
                         StringRef kind, Value gridY = {});
  gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Value grid, int64_t block,
                             Operation *named, StringRef kind, Value gridY = {});
  /// The reductions of `op` when it takes the split strategy (the option,
  /// matchSplittable, and sizes that give it at least two chunks).
  std::optional<SmallVector<Reduction>> matchSplitReduction(linalg::LinalgOp op);
  LogicalResult mapElementwise(linalg::LinalgOp op);
  LogicalResult mapRowReduction(linalg::LinalgOp op, ArrayRef<Reduction> reductions);
  LogicalResult mapSplitReduction(linalg::LinalgOp op, ArrayRef<Reduction> reductions);
  LogicalResult mapSerialReduction(linalg::LinalgOp op);
  void storeResults(OpBuilder &b, Location loc, linalg::LinalgOp op, ValueRange ivs,
                    ValueRange values);

  const CUDAMapToGPUOptions &options;
  /// Per reduction, the fill values takeFills found (one per output).
  DenseMap<Operation *, SmallVector<Value>> fillValues;
  func::FuncOp func;
  unsigned counter = 0;
};

gpu::LaunchOp Mapper::createLaunch(OpBuilder &b, Location loc, Value grid, int64_t block,
                                   Operation *named, StringRef kind, Value gridY) {
  MLIRContext *ctx = b.getContext();
  std::string name = (func.getName() + "_" + Twine(counter++) + "_" + kind).str();
  if (std::string node = getNodeName(named->getLoc()); !node.empty())
    name += "_" + node;
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  Value threads = arith::ConstantIndexOp::create(b, loc, block);
  auto launch = gpu::LaunchOp::create(
      b, loc, grid, gridY ? gridY : c1, c1, threads, c1, c1, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{}, /*workgroupAttributions=*/{},
      /*privateAttributions=*/{}, nullptr, nullptr, nullptr,
      FlatSymbolRefAttr::get(ctx, kKernelModuleName), FlatSymbolRefAttr::get(ctx, name));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  return launch;
}

void Mapper::storeResults(OpBuilder &b, Location loc, linalg::LinalgOp op, ValueRange ivs,
                          ValueRange values) {
  for (auto [operand, value] : llvm::zip(op.getDpsInitsMutable(), values)) {
    SmallVector<Value> indices = applyMap(b, loc, op.getMatchingIndexingMap(&operand), ivs);
    memref::StoreOp::create(b, loc, value, operand.get(), indices);
  }
}

void Mapper::takeFills(SmallVectorImpl<linalg::LinalgOp> &ops) {
  DenseSet<Operation *> erased;
  for (linalg::LinalgOp op : ops)
    // A split reduction's atomics merge into the initial value in memory.
    if (!erased.contains(op) && !op.isAllParallelLoops() && !matchSplitReduction(op))
      fillValues[op] = takeFillValues(op, erased);
  llvm::erase_if(ops, [&](linalg::LinalgOp op) { return erased.contains(op); });
}

LogicalResult Mapper::mapLinalgOp(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics())
    return op->emitOpError("reached the CUDA kernel mapping with tensor operands");
  if (op.isAllParallelLoops())
    return mapElementwise(op);

  SmallVector<unsigned> parallel, reduced;
  op.getParallelDims(parallel);
  op.getReductionDims(reduced);
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!isPermutationOf(op.getMatchingIndexingMap(&init), parallel))
      return op->emitOpError("has an output map that is not a permutation of its parallel "
                             "loops; the CUDA target cannot map it");

  SmallVector<Reduction> reductions;
  for (unsigned k = 0, e = op.getNumDpsInits(); k < e; ++k)
    if (std::optional<Reduction> r = matchCombiner(op, k))
      reductions.push_back(*r);
  bool cooperative = reductions.size() == op.getNumDpsInits() &&
                     op.getIteratorTypesArray().back() == utils::IteratorType::reduction;
  if (cooperative) {
    // A reduction known to be short is better done by one thread.
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t n = 1;
    for (unsigned d : reduced)
      n = (ShapedType::isDynamic(ranges[d]) || n == ShapedType::kDynamic)
              ? ShapedType::kDynamic
              : n * ranges[d];
    if (!ShapedType::isDynamic(n) && n < options.minCooperativeReduction)
      cooperative = false;
  }
  if (cooperative)
    return mapRowReduction(op, reductions);
  if (std::optional<SmallVector<Reduction>> split = matchSplitReduction(op))
    return mapSplitReduction(op, *split);
  return mapSerialReduction(op);
}

std::optional<SmallVector<Reduction>> Mapper::matchSplitReduction(linalg::LinalgOp op) {
  if (!options.splitReductions)
    return std::nullopt;
  std::optional<SmallVector<Reduction>> reductions = matchSplittable(op);
  if (!reductions)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t outputs = 1, length = 1;
  for (auto [range, type] : llvm::zip(ranges, op.getIteratorTypesArray())) {
    int64_t &n = type == utils::IteratorType::reduction ? length : outputs;
    n = ShapedType::isDynamic(range) || ShapedType::isDynamic(n) ? ShapedType::kDynamic
                                                                  : n * range;
  }
  // Dynamic sizes: split at run time, possibly into one chunk.
  if (getSplitChunks(outputs, length) < 2)
    return std::nullopt;
  return reductions;
}

Value Mapper::launchPerElement(OpBuilder &b, Location loc, Operation *op, Value total,
                               StringRef kind, Value gridY) {
  std::optional<int64_t> staticTotal = getConstantIndex(total);
  int64_t block = options.blockSize;
  if (staticTotal)
    block = std::min(block, roundUpToWarp(*staticTotal));
  Value grid = ceilDiv(b, loc, total, block);
  if (!staticTotal || *staticTotal == 0)
    grid = arith::MaxUIOp::create(b, loc, grid, arith::ConstantIndexOp::create(b, loc, 1));
  gpu::LaunchOp launch = createLaunch(b, loc, grid, block, op, kind, gridY);

  b.setInsertionPoint(launch.getBody().front().getTerminator());
  Value linear = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                            arith::ConstantIndexOp::create(b, loc, block)),
      launch.getThreadIds().x);
  if (!staticTotal || *staticTotal == 0 || *staticTotal % block != 0) {
    Value inBounds = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, total);
    auto guard = scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
  }
  return linear;
}

LogicalResult Mapper::mapElementwise(linalg::LinalgOp op) {
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingIndexingMap(&init).isPermutation())
      return op->emitOpError("has an output map that is not a permutation; the CUDA target "
                             "cannot map it");
  Location loc = op.getLoc();
  OpBuilder b(op);
  SmallVector<Value> sizes = getLoopSizes(b, loc, op);
  Value total = getProduct(b, loc, sizes);
  std::optional<VectorPlan> plan;
  if (options.vectorBytes > 0)
    plan = planVectorAccess(op, options.vectorBytes);
  if (plan) {
    // V points a thread when the operands are aligned, else the scalar kernel.
    auto aligned = scf::IfOp::create(b, loc, buildAlignmentCheck(b, loc, op, *plan),
                                     /*withElseRegion=*/true);
    b.setInsertionPoint(aligned.thenBlock()->getTerminator());
    Value width = arith::ConstantIndexOp::create(b, loc, plan->width);
    SmallVector<Value> vectorSizes(sizes);
    vectorSizes.back() = b.createOrFold<arith::DivUIOp>(loc, sizes.back(), width);
    Value first = launchPerElement(b, loc, op, getProduct(b, loc, vectorSizes),
                                   ("elementwise_v" + Twine(plan->width)).str());
    SmallVector<Value> ivs = delinearize(b, loc, first, vectorSizes);
    ivs.back() = arith::MulIOp::create(b, loc, ivs.back(), width);
    emitVectorPoints(b, loc, op, *plan, ivs);
    b.setInsertionPoint(aligned.elseBlock()->getTerminator());
  }
  Value linear = launchPerElement(b, loc, op, total, "elementwise");
  SmallVector<Value> ivs = delinearize(b, loc, linear, sizes);
  IRMapping mapping;
  emitPayload(b, loc, op, ivs, {}, {}, mapping);
  storeResults(b, loc, op, ivs, getYielded(op, mapping));
  op->erase();
  return success();
}

/// Whether rows of `length` elements are better reduced by one warp each
/// (rows packed eight to a block, combined with shuffles, no shared memory
/// or barrier) than by one block each: many short rows (a LayerNorm/RMSNorm
/// over the hidden size for every token) and 32-bit partials (what one
/// shuffle moves). A few rows keep a block each, for parallelism.
bool useWarpPerRow(std::optional<int64_t> length, std::optional<int64_t> rows,
                   ArrayRef<Value> partialTypesOf) {
  if (!length || *length > kWarpRowMaxLength || *length < kWarpSize ||
      (rows && *rows < kWarpRowMinRows))
    return false;
  return llvm::all_of(partialTypesOf, [](Value v) {
    return v.getType().getIntOrFloatBitWidth() == 32;
  });
}

LogicalResult Mapper::mapRowReduction(linalg::LinalgOp op, ArrayRef<Reduction> reductions) {
  Location loc = op.getLoc();
  SmallVector<Value> fills = fillValues.lookup(op);
  fills.resize(op.getNumDpsInits());
  OpBuilder b(op);
  ReductionLoops loops = getReductionLoops(b, loc, op);
  Value rows = getProduct(b, loc, loops.pSizes);
  Value length = getProduct(b, loc, loops.rSizes);
  std::optional<int64_t> staticLength = getConstantIndex(length);
  // The accumulator types, known before any partial is built.
  SmallVector<Value> neutrals;
  for (const Reduction &r : reductions) {
    Value neutral = arith::ConstantOp::create(b, loc, r.neutral);
    neutrals.push_back(convertScalar(b, loc, neutral, getAccumulatorType(neutral.getType()),
                                     r.kind->isSigned));
  }
  bool warpPerRow =
      options.warpReductions && useWarpPerRow(staticLength, getConstantIndex(rows), neutrals);
  for (Value n : neutrals)
    n.getDefiningOp()->erase();

  int64_t block = options.reductionBlockSize;
  if (staticLength && !warpPerRow)
    block = std::min(block, roundUpToWarp(*staticLength));
  int64_t rowsPerBlock = warpPerRow ? block / kWarpSize : 1;
  std::optional<int64_t> staticRows = getConstantIndex(rows);
  Value grid = rowsPerBlock == 1 ? rows : ceilDiv(b, loc, rows, rowsPerBlock);
  if (!staticRows || *staticRows == 0)
    grid = arith::MaxUIOp::create(b, loc, grid, arith::ConstantIndexOp::create(b, loc, 1));
  gpu::LaunchOp launch = createLaunch(b, loc, grid, block, op, "reduce");

  b.setInsertionPoint(launch.getBody().front().getTerminator());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value row = launch.getBlockIds().x;
  Value tid = launch.getThreadIds().x;
  Value step = arith::ConstantIndexOp::create(b, loc, block);
  if (warpPerRow) {
    // Warp w of block x reduces row 8x + w; lane l reads elements l, l + 32...
    Value warp = arith::ConstantIndexOp::create(b, loc, kWarpSize);
    row = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, row, arith::ConstantIndexOp::create(b, loc, rowsPerBlock)),
        arith::DivUIOp::create(b, loc, tid, warp));
    tid = arith::RemUIOp::create(b, loc, tid, warp);
    step = warp;
  }
  if (!staticRows || *staticRows == 0 || *staticRows % rowsPerBlock != 0) {
    // A whole block (warp) leaves together: the combination stays uniform.
    Value inBounds = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, rows);
    auto guard = scf::IfOp::create(b, loc, inBounds, /*withElseRegion=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
  }
  SmallVector<Value> ivs = loops.at(delinearize(b, loc, row, loops.pSizes), zero);

  SmallVector<Value> partials =
      buildPartialReductions(b, loc, op, loops, reductions, ivs, tid, length, step);
  SmallVector<Value> totals;
  for (auto [r, partial] : llvm::zip(reductions, partials)) {
    if (!warpPerRow) {
      totals.push_back(gpu::AllReduceOp::create(
          b, loc, partial, gpu::AllReduceOperationAttr::get(b.getContext(), r.kind->kind),
          /*uniform=*/true));
      continue;
    }
    // Butterfly over the warp: every lane ends with the total.
    Value total = partial;
    Value width = arith::ConstantIntOp::create(b, loc, b.getI32Type(), kWarpSize);
    for (int64_t offset = kWarpSize / 2; offset > 0; offset /= 2) {
      Value o = arith::ConstantIntOp::create(b, loc, b.getI32Type(), offset);
      Value other =
          gpu::ShuffleOp::create(b, loc, total, o, width, gpu::ShuffleMode::XOR).getShuffleResult();
      total = combine(b, loc, r.combiner, total, other);
    }
    totals.push_back(total);
  }
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, zero);
  auto writer = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  b.setInsertionPoint(writer.thenBlock()->getTerminator());
  SmallVector<Value> results;
  for (auto [r, total, init, filled] :
       llvm::zip(reductions, totals, op.getDpsInitsMutable(), fills)) {
    Type elementType = getElementTypeOrSelf(init.get().getType());
    Value old = filled ? filled
                       : memref::LoadOp::create(b, loc, init.get(),
                                                applyMap(b, loc, op.getMatchingIndexingMap(&init), ivs))
                             .getResult();
    Value oldAcc = convertScalar(b, loc, old, total.getType(), r.kind->isSigned);
    Value result = combine(b, loc, r.combiner, oldAcc, total);
    results.push_back(convertScalar(b, loc, result, elementType, r.kind->isSigned));
  }
  storeResults(b, loc, op, ivs, results);
  op->erase();
  return success();
}

LogicalResult Mapper::mapSplitReduction(linalg::LinalgOp op, ArrayRef<Reduction> reductions) {
  assert(fillValues.lookup(op).empty() && "a split reduction needs its initial value in memory");
  Location loc = op.getLoc();
  OpBuilder b(op);
  ReductionLoops loops = getReductionLoops(b, loc, op);
  Value outputs = getProduct(b, loc, loops.pSizes);
  Value length = getProduct(b, loc, loops.rSizes);
  auto [chunks, chunkLength] = buildSplitChunks(b, loc, outputs, length);
  Value linear = launchPerElement(b, loc, op, outputs, "reduce_split", chunks);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> ivs = loops.at(delinearize(b, loc, linear, loops.pSizes), zero);

  // This block's chunk; the last one may be shorter.
  Value chunk = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  Value begin = arith::MulIOp::create(b, loc, chunk, chunkLength);
  Value end = arith::AddIOp::create(b, loc, begin, chunkLength);
  std::optional<int64_t> staticLength = getConstantIndex(length);
  std::optional<int64_t> staticChunk = getConstantIndex(chunkLength);
  if (!staticLength || !staticChunk || *staticChunk == 0 || *staticLength % *staticChunk != 0)
    end = arith::MinUIOp::create(b, loc, end, length);
  SmallVector<Value> partials =
      buildPartialReductions(b, loc, op, loops, reductions, ivs, begin, end, one);
  // The output holds the initial value (or other chunks' merges).
  for (auto [r, partial, init] : llvm::zip(reductions, partials, op.getDpsInitsMutable())) {
    Type type = getElementTypeOrSelf(init.get().getType());
    SmallVector<Value> indices = applyMap(b, loc, op.getMatchingIndexingMap(&init), ivs);
    memref::AtomicRMWOp::create(b, loc, *getMergeAtomicKind(r.combiner, type), partial,
                                init.get(), indices);
  }
  op->erase();
  return success();
}

LogicalResult Mapper::mapSerialReduction(linalg::LinalgOp op) {
  Location loc = op.getLoc();
  SmallVector<Value> fills = fillValues.lookup(op);
  fills.resize(op.getNumDpsInits());
  OpBuilder b(op);
  ReductionLoops loops = getReductionLoops(b, loc, op);
  Value outputs = getProduct(b, loc, loops.pSizes);
  Value linear = launchPerElement(b, loc, op, outputs, "reduce_serial");
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> baseIvs = loops.at(delinearize(b, loc, linear, loops.pSizes), zero);

  SmallVector<Value> inits;
  for (auto [init, filled] : llvm::zip(op.getDpsInitsMutable(), fills))
    inits.push_back(filled ? filled
                           : memref::LoadOp::create(
                                 b, loc, init.get(),
                                 applyMap(b, loc, op.getMatchingIndexingMap(&init), baseIvs))
                                 .getResult());
  SmallVector<Value> lbs(loops.rSizes.size(), zero), steps(loops.rSizes.size(), one);
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, loops.rSizes, steps, inits,
      [&](OpBuilder &nb, Location nloc, ValueRange rIvs, ValueRange accs) -> scf::ValueVector {
        SmallVector<Value> ivs = baseIvs;
        for (auto [d, iv] : llvm::zip(loops.reduced, rIvs))
          ivs[d] = iv;
        DenseMap<Value, Value> outputValues;
        for (auto [arg, acc] : llvm::zip(op.getRegionOutputArgs(), accs))
          outputValues[arg] = acc;
        IRMapping mapping;
        emitPayload(nb, nloc, op, ivs, outputValues, {}, mapping);
        SmallVector<Value> yielded = getYielded(op, mapping);
        return scf::ValueVector(yielded.begin(), yielded.end());
      });
  storeResults(b, loc, op, baseIvs, nest.results);
  op->erase();
  return success();
}

bool containsKernel(Operation *op) {
  return op->walk([](gpu::LaunchOp) { return WalkResult::interrupt(); }).wasInterrupted();
}

/// Whether `op`, outside kernels, reads or writes a buffer other than a
/// constant (host memory).
bool accessesDeviceMemory(Operation *op) {
  auto isDevice = [](Value memref) { return !memref.getDefiningOp<memref::GetGlobalOp>(); };
  WalkResult r = op->walk<WalkOrder::PreOrder>([&](Operation *inner) {
    if (isa<gpu::LaunchOp>(inner))
      return WalkResult::skip();
    if (auto load = dyn_cast<memref::LoadOp>(inner); load && isDevice(load.getMemRef()))
      return WalkResult::interrupt();
    if (auto store = dyn_cast<memref::StoreOp>(inner); store && isDevice(store.getMemRef()))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

LogicalResult Mapper::mapHostAccess(Operation *op) {
  if (op->getNumResults() != 0)
    return op->emitOpError("reads device memory from host code (a data-dependent host value); "
                           "the CUDA target does not support it yet");
  OpBuilder b(op);
  Value one = arith::ConstantIndexOp::create(b, op->getLoc(), 1);
  gpu::LaunchOp launch = createLaunch(b, op->getLoc(), one, 1, op, "serial");
  op->moveBefore(launch.getBody().front().getTerminator());
  return success();
}

LogicalResult Mapper::mapScatter(ScatterNest nest) {
  scf::ForOp outer = nest.loops.front();
  Location loc = outer.getLoc();
  OpBuilder b(outer);
  SmallVector<Value> sizes;
  for (scf::ForOp loop : nest.loops)
    sizes.push_back(loop.getUpperBound());
  Value total = getProduct(b, loc, sizes);
  Value linear = launchPerElement(b, loc, outer, total, "scatter");
  IRMapping mapping;
  for (auto [loop, iv] : llvm::zip(nest.loops, delinearize(b, loc, linear, sizes)))
    mapping.map(loop.getInductionVar(), iv);
  for (Operation &op : nest.loops.back().getBody()->without_terminator()) {
    if (&op == nest.old.getOperation() || &op == nest.combiner)
      continue;
    if (&op != nest.store.getOperation()) {
      b.clone(op, mapping);
      continue;
    }
    Value dest = nest.store.getMemRef();
    SmallVector<Value> indices;
    for (Value i : nest.store.getIndices())
      indices.push_back(mapping.lookupOrDefault(i));
    if (!nest.combiner) {
      memref::StoreOp::create(b, loc, mapping.lookupOrDefault(nest.store.getValueToStore()), dest,
                              indices);
      continue;
    }
    Value old = nest.old.getResult();
    Value value = nest.combiner->getOperand(nest.combiner->getOperand(0) == old ? 1 : 0);
    value = mapping.lookupOrDefault(value);
    if (std::optional<arith::AtomicRMWKind> kind =
            getAtomicKind(nest.combiner, old.getType())) {
      memref::AtomicRMWOp::create(b, loc, *kind, value, dest, indices);
      continue;
    }
    // `or` of a bool: every writer stores true.
    auto where = scf::IfOp::create(b, loc, value, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(where.thenBlock()->getTerminator());
    memref::StoreOp::create(b, loc, value, dest, indices);
  }
  outer->erase();
  return success();
}

/// Constants (host globals) that a kernel reads are cloned into it: the
/// outlining copies their memref.global into the gpu.module, where they are
/// device globals of the cubin.
void sinkGlobals(gpu::LaunchOp launch) {
  Block &body = launch.getBody().front();
  DenseMap<Value, Value> clones;
  launch.getBody().walk([&](Operation *op) {
    for (OpOperand &operand : op->getOpOperands()) {
      auto global = operand.get().getDefiningOp<memref::GetGlobalOp>();
      if (!global || launch->isAncestor(global))
        continue;
      Value &clone = clones[operand.get()];
      if (!clone) {
        OpBuilder b = OpBuilder::atBlockBegin(&body);
        clone = b.clone(*global)->getResult(0);
      }
      operand.set(clone);
    }
  });
}

struct CUDAMapToGPUPass : impl::CUDAMapToGPUBase<CUDAMapToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    CUDAMapToGPUOptions opts;
    opts.blockSize = blockSize;
    opts.reductionBlockSize = reductionBlockSize;
    opts.minCooperativeReduction = minCooperativeReduction;
    opts.parallelScatters = parallelScatters;
    opts.warpReductions = warpReductions;
    opts.splitReductions = splitReductions;
    opts.vectorBytes = vectorBytes;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      Mapper mapper(opts, func);
      SmallVector<linalg::LinalgOp> ops;
      func.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
          ops.push_back(linalgOp);
          return WalkResult::skip();
        }
        return WalkResult::advance();
      });
      mapper.takeFills(ops);
      for (linalg::LinalgOp op : ops)
        if (failed(mapper.mapLinalgOp(op)))
          return signalPassFailure();
      // What still touches device memory from the host.
      // The outermost ops that touch device memory and contain no kernel.
      SmallVector<Operation *> hostAccesses;
      func.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (op == func.getOperation())
          return WalkResult::advance();
        if (isa<gpu::LaunchOp>(op) || !accessesDeviceMemory(op))
          return WalkResult::skip();
        if (containsKernel(op))
          return WalkResult::advance();
        hostAccesses.push_back(op);
        return WalkResult::skip();
      });
      for (Operation *op : hostAccesses) {
        std::optional<ScatterNest> scatter =
            parallelScatters ? matchScatterNest(op) : std::nullopt;
        if (failed(scatter ? mapper.mapScatter(*scatter) : mapper.mapHostAccess(op)))
          return signalPassFailure();
      }
      func.walk([](gpu::LaunchOp launch) { sinkGlobals(launch); });
    }
  }
};

} // namespace
} // namespace thunder::cuda
