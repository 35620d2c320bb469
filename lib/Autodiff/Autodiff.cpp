//===- Autodiff.cpp - derive @backward from @forward ----------------------===//
//
// Reverse mode over the single block of @forward:
//  1. activity: a value is active if it depends on a floating parameter or
//     input and influences a floating user output; only ops with an active
//     operand and a cotangent on a result call their rule;
//  2. the reverse walk: seed one cotangent argument per floating user output,
//     then for each op from last to first call its VJPOpInterface rule and
//     add the operand cotangents into the running sums;
//  3. the walk runs twice: first it records which forward tensors the rules
//     read (VJPBuilder::primal), then a minimum cut over the chains of cheap
//     ops (elementwise, broadcast, reshape, permute, slice, constants)
//     chooses the values forward saves (the fewest bytes from which backward
//     can recompute the rest), and the second walk builds backward:
//     parameters, constants and buffers forward does not mutate are passed by
//     reference, the cut is saved (an extra result of forward, an argument of
//     backward), the rest recomputed. Dynamic extents come from a backward
//     value of the same extent, or from the ops that made a shape, or are
//     saved as rank-0 i64 tensors;
//  4. backward returns one gradient per floating parameter and per floating
//     user input (zeros when the value does not reach an output).
// docs/autodiff.md describes the result; docs/model-abi.md the ABI.
//
//===----------------------------------------------------------------------===//
#include "thunder/Autodiff/Autodiff.h"
#include "thunder/Autodiff/VJPInterfaces.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace thunder::autodiff {
namespace {

constexpr StringLiteral kKind = "thunder.kind";
constexpr StringLiteral kName = "thunder.name";
constexpr StringLiteral kIndex = "thunder.index";

/// Bytes of a tensor, dynamic extents counted as `dynamicExtent`; i1 is one
/// byte.
int64_t tensorBytes(Type type, bool *dynamic = nullptr,
                    int64_t dynamicExtent = 1) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return 0;
  int64_t n = 1;
  for (int64_t extent : tensor.getShape()) {
    if (ShapedType::isDynamic(extent)) {
      if (dynamic)
        *dynamic = true;
      n *= dynamicExtent;
      continue;
    }
    n *= extent;
  }
  unsigned bits = tensor.getElementType().getIntOrFloatBitWidth();
  return n * std::max<int64_t>(1, (bits + 7) / 8);
}

/// Forward ops backward recomputes rather than saves their results.
bool isCheap(Operation *op) {
  if (!isa_and_nonnull<ThunderDialect>(op->getDialect()))
    return false;
  return op->hasTrait<OpTrait::Elementwise>() ||
         isa<BroadcastInDimOp, ReshapeOp, PermuteOp, ConstantOp, FullOp, IotaOp,
             SliceOp>(op);
}

/// Scalar (index/integer) ops that backward recomputes from their operands.
bool isCheapScalar(Operation *op) {
  if (!isa<arith::ArithDialect>(op->getDialect()) || op->getNumRegions() ||
      !isPure(op))
    return false;
  return llvm::all_of(op->getOperandTypes(),
                      [](Type t) { return t.isIntOrIndex(); });
}

/// What a backward argument is.
enum class ArgRole { Saved, Cotangent, Reference };
struct ArgInfo {
  ArgRole role;
  Value forward;            // saved / referenced forward value
  unsigned outputIndex = 0; // cotangents: index of the forward result
};

class BackwardBuilder final : public VJPBuilder {
public:
  BackwardBuilder(func::FuncOp forward, func::FuncOp backward,
                  const AutodiffOptions &options)
      : VJPBuilder(forward.getLoc(), forward.getContext()), fwd(forward),
        bwd(backward), options(options) {}

  Value primal(Value v) override;
  bool wants(Value v) override { return active.contains(v); }
  Value dim(Value v, int64_t i) override;

  LogicalResult run();
  AutodiffStats stats;

private:
  /// Phase 1 records the forward tensors the rules read (`needed`) into a
  /// throw-away backward; phase 2 builds the real one, saving `toSave`.
  enum class Phase { Record, Build };
  LogicalResult seedAndWalk();
  void resetBackward();
  void chooseSaved();
  LogicalResult classifyForward();
  void analyseActivity();
  LogicalResult reverseWalk();
  void accumulate(Value forwardValue, Value cotangent);
  Value save(Value forwardTensor);
  Value saveScalar(Value forwardScalar);
  Value primalScalar(Value v);
  Value recompute(Operation *op);
  bool isReference(BlockArgument arg) const;
  BlockArgument addArg(Type type, ArgInfo info);
  void finish(ArrayRef<Type> gradTypes, ArrayRef<DictionaryAttr> gradAttrs);

  func::FuncOp fwd, bwd;
  const AutodiffOptions &options;
  Block *block = nullptr; // backward's body while it is built

  // Forward arguments and results by kind.
  SmallVector<StringRef> argKind, argName;
  SmallVector<int64_t> argGroupIndex; // index among the args of its kind
  llvm::DenseSet<unsigned> mutatedBufferArgs;

  llvm::DenseSet<Value> active;
  llvm::DenseMap<Value, Value> cotangents; // forward value -> backward sum
  llvm::DenseMap<Value, Value> primals;    // forward value -> backward value
  llvm::DenseMap<std::pair<Value, int64_t>, Value> dims;
  llvm::DenseSet<std::pair<Value, int64_t>> dimsInProgress;
  SmallVector<ArgInfo> args;               // parallel to block's arguments
  SmallVector<Operation *> forwardScratch; // ops added to forward for saving
  Phase phase = Phase::Record;
  llvm::SetVector<Value> needed; // phase 1: forward tensors rules read
  llvm::DenseSet<Value> toSave;  // phase 2: the values forward saves
};

bool BackwardBuilder::isReference(BlockArgument arg) const {
  if (!options.referenceArgs)
    return false;
  StringRef kind = argKind[arg.getArgNumber()];
  if (kind == "param" || kind == "constant")
    return true;
  return kind == "buffer" && !mutatedBufferArgs.contains(arg.getArgNumber());
}

BlockArgument BackwardBuilder::addArg(Type type, ArgInfo info) {
  args.push_back(info);
  return block->addArgument(type, info.forward ? info.forward.getLoc()
                                               : fwd.getLoc());
}

Value BackwardBuilder::save(Value v) {
  Value arg = addArg(v.getType(), {ArgRole::Saved, v});
  primals[v] = arg;
  return arg;
}

/// Saves an index/integer scalar of forward as a rank-0 tensor.
Value BackwardBuilder::saveScalar(Value v) {
  OpBuilder fb(fwd.getContext());
  fb.setInsertionPointAfterValue(v);
  Type i64 = fb.getI64Type();
  Value asInt = v;
  if (v.getType().isIndex()) {
    asInt = arith::IndexCastOp::create(fb, v.getLoc(), i64, v);
    forwardScratch.push_back(asInt.getDefiningOp());
  }
  Value tensor = tensor::FromElementsOp::create(
      fb, v.getLoc(), RankedTensorType::get({}, asInt.getType()),
      ValueRange{asInt});
  forwardScratch.push_back(tensor.getDefiningOp());
  Value arg = addArg(tensor.getType(), {ArgRole::Saved, tensor});
  Value scalar = tensor::ExtractOp::create(*this, arg, ValueRange{});
  if (v.getType().isIndex())
    scalar = arith::IndexCastOp::create(*this, getIndexType(), scalar);
  primals[v] = scalar;
  return scalar;
}

Value BackwardBuilder::primalScalar(Value v) {
  if (Value known = primals.lookup(v))
    return known;
  Operation *def = v.getDefiningOp();
  if (auto dimOp = dyn_cast_or_null<tensor::DimOp>(def)) {
    if (std::optional<int64_t> index = dimOp.getConstantIndex()) {
      if (auto type = dyn_cast<RankedTensorType>(dimOp.getSource().getType());
          type && *index < type.getRank()) {
        Value result = dim(dimOp.getSource(), *index);
        primals[v] = result;
        return result;
      }
    }
  }
  if (def && isCheapScalar(def)) {
    recompute(def);
    return primals.lookup(v);
  }
  return saveScalar(v);
}

Value BackwardBuilder::recompute(Operation *op) {
  IRMapping mapping;
  for (Value operand : op->getOperands())
    mapping.map(operand, primal(operand));
  Operation *clone = this->clone(*op, mapping);
  for (auto [fwdResult, bwdResult] :
       llvm::zip(op->getResults(), clone->getResults()))
    primals[fwdResult] = bwdResult;
  if (!isa<arith::ConstantOp>(op) && !isCheapScalar(op))
    ++stats.numRecomputed;
  return clone->getResult(0);
}

Value BackwardBuilder::primal(Value v) {
  if (Value known = primals.lookup(v))
    return known;
  if (phase == Phase::Record) {
    // A stand-in of the right type; remember that a rule reads v.
    if (isa<RankedTensorType>(v.getType()))
      needed.insert(v);
    Value standIn = block->addArgument(v.getType(), v.getLoc());
    args.push_back({ArgRole::Saved, v});
    primals[v] = standIn;
    return standIn;
  }
  if (!isa<RankedTensorType>(v.getType()))
    return primalScalar(v);
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    if (!isReference(arg))
      return save(v);
    Value ref = addArg(v.getType(), {ArgRole::Reference, v});
    primals[v] = ref;
    ++stats.numReferences;
    return ref;
  }
  Operation *def = v.getDefiningOp();
  if (isCheap(def) && !toSave.contains(v)) {
    recompute(def);
    return primals.lookup(v);
  }
  return save(v);
}

/// The dynamic sizes operand giving result dim `d` of a shape-making op.
static Value sizeOperand(Operation *op, int64_t d) {
  ValueRange sizes;
  if (auto full = dyn_cast<FullOp>(op))
    sizes = full.getSizes();
  else if (auto iota = dyn_cast<IotaOp>(op))
    sizes = iota.getSizes();
  else if (auto reshape = dyn_cast<ReshapeOp>(op))
    sizes = reshape.getSizes();
  else if (auto broadcast = dyn_cast<BroadcastInDimOp>(op))
    sizes = broadcast.getSizes();
  else
    return Value();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t k = llvm::count_if(llvm::seq<int64_t>(0, d),
                             [&](int64_t j) { return type.isDynamicDim(j); });
  return sizes[k];
}

/// Thunder ops whose tensor operands and results all have one shape.
static bool isSameShape(Operation *op) {
  return isa_and_nonnull<ThunderDialect>(op->getDialect()) &&
         (op->hasTrait<OpTrait::Elementwise>() ||
          op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
          op->hasTrait<OpTrait::SameOperandsAndResultType>());
}

/// Forward (value, dim) pairs of the same extent as (v, d): through
/// same-shape ops, permutes and the batch/row/column dims of matmul.
static void sameExtent(Value v, int64_t d,
                       SmallVectorImpl<std::pair<Value, int64_t>> &out) {
  auto ranked = [](Value w) { return isa<RankedTensorType>(w.getType()); };
  auto rank = [](Value w) {
    return cast<RankedTensorType>(w.getType()).getRank();
  };
  auto addOp = [&](Operation *op) {
    if (!isSameShape(op))
      return;
    for (Value w : llvm::concat<Value>(op->getOperands(), op->getResults()))
      if (ranked(w) && rank(w) == rank(v))
        out.push_back({w, d});
  };
  if (Operation *def = v.getDefiningOp()) {
    addOp(def);
    if (auto permute = dyn_cast<PermuteOp>(def))
      out.push_back({permute.getOperand(), permute.getPerm()[d]});
    if (auto matmul = dyn_cast<MatmulOp>(def))
      out.push_back(d + 1 < rank(v) ? std::make_pair(matmul.getLhs(), d)
                                    : std::make_pair(matmul.getRhs(), d));
  }
  for (Operation *user : v.getUsers()) {
    addOp(user);
    if (auto permute = dyn_cast<PermuteOp>(user))
      for (auto [j, p] : llvm::enumerate(permute.getPerm()))
        if (p == d)
          out.push_back({permute.getResult(), static_cast<int64_t>(j)});
    if (auto matmul = dyn_cast<MatmulOp>(user)) {
      bool lhs = matmul.getLhs() == v;
      if ((lhs && d + 1 < rank(v)) ||
          (!lhs && (d + 2 < rank(v) || d + 1 == rank(v))))
        out.push_back({matmul.getResult(), d});
    }
  }
}

Value BackwardBuilder::dim(Value v, int64_t i) {
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.isDynamicDim(i))
    return arith::ConstantIndexOp::create(*this, type.getDimSize(i));
  if (Value known = dims.lookup({v, i}))
    return known;
  Value result;
  if (phase == Phase::Record) {
    result = block->addArgument(getIndexType(), v.getLoc());
    args.push_back({ArgRole::Saved, Value()});
    dims[{v, i}] = result;
    return result;
  }
  if (!dimsInProgress.insert({v, i}).second) {
    // A cycle through the size operands: read the extent in forward.
  } else {
    // Search the values of the same extent for one that backward has (a
    // primal or a cotangent), remembering the size operands on the way.
    SmallVector<std::pair<Value, int64_t>> queue = {{v, i}};
    llvm::DenseSet<std::pair<Value, int64_t>> seen = {{v, i}};
    Value size;
    for (size_t k = 0; k < queue.size() && k < 4096 && !result; ++k) {
      auto [w, d] = queue[k];
      if (Value p = primals.lookup(w)) {
        result = tensor::DimOp::create(*this, p, d);
        break;
      }
      if (Value c = cotangents.lookup(w)) {
        result = tensor::DimOp::create(*this, c, d);
        break;
      }
      if (Operation *def = w.getDefiningOp(); def && !size)
        size = sizeOperand(def, d);
      SmallVector<std::pair<Value, int64_t>> next;
      sameExtent(w, d, next);
      for (auto pair : next)
        if (seen.insert(pair).second)
          queue.push_back(pair);
    }
    if (!result && size)
      result = primalScalar(size);
    dimsInProgress.erase({v, i});
  }
  if (!result) {
    // Read the extent in forward and save it.
    OpBuilder fb(fwd.getContext());
    fb.setInsertionPointAfterValue(v);
    auto dimOp = tensor::DimOp::create(fb, v.getLoc(), v, i);
    forwardScratch.push_back(dimOp.getIndex().getDefiningOp());
    forwardScratch.push_back(dimOp);
    result = saveScalar(dimOp);
  }
  dims[{v, i}] = result;
  return result;
}

LogicalResult BackwardBuilder::classifyForward() {
  for (unsigned i = 0, e = fwd.getNumArguments(); i < e; ++i) {
    auto kind = fwd.getArgAttrOfType<StringAttr>(i, kKind);
    auto name = fwd.getArgAttrOfType<StringAttr>(i, kName);
    if (!kind)
      return fwd.emitOpError("argument ")
             << i << " has no " << kKind << " attribute";
    argKind.push_back(kind.getValue());
    argName.push_back(name ? name.getValue() : StringRef());
    argGroupIndex.push_back(
        llvm::count(ArrayRef(argKind).drop_back(), kind.getValue()));
  }
  for (unsigned r = 0, e = fwd.getNumResults(); r < e; ++r) {
    auto kind = fwd.getResultAttrOfType<StringAttr>(r, kKind);
    auto name = fwd.getResultAttrOfType<StringAttr>(r, kName);
    if (!kind || kind.getValue() != "mutated_buffer" || !name)
      continue;
    for (unsigned i = 0; i < argKind.size(); ++i)
      if (argKind[i] == "buffer" && argName[i] == name.getValue())
        mutatedBufferArgs.insert(i);
  }
  return success();
}

void BackwardBuilder::analyseActivity() {
  Block &body = fwd.getBody().front();
  llvm::DenseSet<Value> varied, useful;
  for (BlockArgument arg : body.getArguments()) {
    StringRef kind = argKind[arg.getArgNumber()];
    if ((kind == "param" || kind == "input") && isFloatTensor(arg.getType()))
      varied.insert(arg);
  }
  for (Operation &op : body.without_terminator()) {
    if (isa<NoGradientOpInterface>(op))
      continue;
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return varied.contains(v); }))
      for (Value r : op.getResults())
        if (isFloatTensor(r.getType()))
          varied.insert(r);
  }
  Operation *ret = body.getTerminator();
  for (auto [r, v] : llvm::enumerate(ret->getOperands())) {
    auto kind = fwd.getResultAttrOfType<StringAttr>(r, kKind);
    if (kind && kind.getValue() == "output" && isFloatTensor(v.getType()))
      useful.insert(v);
  }
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    if (llvm::none_of(op.getResults(),
                      [&](Value v) { return useful.contains(v); }))
      continue;
    for (Value operand : op.getOperands())
      if (isFloatTensor(operand.getType()))
        useful.insert(operand);
  }
  for (Value v : varied)
    if (useful.contains(v))
      active.insert(v);
}

void BackwardBuilder::accumulate(Value v, Value cotangent) {
  Value &sum = cotangents[v];
  sum = sum ? add(sum, cotangent) : cotangent;
}

LogicalResult BackwardBuilder::reverseWalk() {
  Block &body = fwd.getBody().front();
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> resultCotangents;
    for (Value r : op->getResults())
      resultCotangents.push_back(cotangents.lookup(r));
    if (llvm::all_of(resultCotangents, [](Value c) { return !c; }) ||
        llvm::none_of(op->getOperands(),
                      [&](Value v) { return active.contains(v); }) ||
        isa<NoGradientOpInterface>(op))
      continue;
    auto rule = dyn_cast<VJPOpInterface>(op);
    if (!rule)
      return op->emitOpError(
          "has no VJP rule (VJPOpInterface), so it cannot be differentiated");
    setLoc(op->getLoc());
    SmallVector<Value> operandCotangents(op->getNumOperands());
    if (failed(rule.buildVJP(*this, resultCotangents, operandCotangents)))
      return failure();
    for (auto [i, cotangent] : llvm::enumerate(operandCotangents)) {
      Value operand = op->getOperand(i);
      if (!cotangent || !active.contains(operand) ||
          !rule.isDifferentiableOperand(i))
        continue;
      if (cotangent.getType() != operand.getType())
        return op->emitOpError("VJP rule built a cotangent of type ")
               << cotangent.getType() << " for operand " << i << " of type "
               << operand.getType();
      accumulate(operand, cotangent);
    }
  }
  return success();
}

LogicalResult BackwardBuilder::seedAndWalk() {
  block = bwd.addEntryBlock();
  setInsertionPointToEnd(block);
  setLoc(fwd.getLoc());
  // One cotangent per floating user output.
  Operation *ret = fwd.getBody().front().getTerminator();
  for (auto [r, v] : llvm::enumerate(ret->getOperands())) {
    auto kind = fwd.getResultAttrOfType<StringAttr>(r, kKind);
    if (!kind || kind.getValue() != "output" || !isFloatTensor(v.getType()))
      continue;
    ArgInfo info{ArgRole::Cotangent, Value(), static_cast<unsigned>(r)};
    Value seed = addArg(v.getType(), info);
    if (active.contains(v))
      accumulate(v, seed);
  }
  return reverseWalk();
}

void BackwardBuilder::resetBackward() {
  block->dropAllDefinedValueUses();
  block->clear();
  block->erase();
  block = nullptr;
  cotangents.clear();
  primals.clear();
  dims.clear();
  dimsInProgress.clear();
  args.clear();
}

namespace {
/// Dinic's maximum flow, for the minimum cut of chooseSaved.
class MaxFlow {
public:
  explicit MaxFlow(int n) : adj(n), level(n), next(n) {}
  void addEdge(int a, int b, int64_t capacity) {
    adj[a].push_back(edges.size());
    edges.push_back({b, capacity});
    adj[b].push_back(edges.size());
    edges.push_back({a, 0});
  }
  void run(int s, int t) {
    while (levels(s, t))
      while (push(s, t, kInfinity) > 0) {
      }
  }
  /// Nodes that can still reach `t` in the residual graph.
  llvm::BitVector reachingSink(int t) const {
    llvm::BitVector seen(adj.size());
    SmallVector<int> queue = {t};
    seen.set(t);
    while (!queue.empty()) {
      int x = queue.pop_back_val();
      for (int e : adj[x]) {
        int y = edges[e].to;
        if (!seen.test(y) && edges[e ^ 1].capacity > 0) {
          seen.set(y);
          queue.push_back(y);
        }
      }
    }
    return seen;
  }
  static constexpr int64_t kInfinity = int64_t(1) << 60;

private:
  struct Edge {
    int to;
    int64_t capacity;
  };
  bool levels(int s, int t) {
    std::fill(level.begin(), level.end(), -1);
    std::fill(next.begin(), next.end(), 0);
    SmallVector<int> queue = {s};
    level[s] = 0;
    for (size_t k = 0; k < queue.size(); ++k)
      for (int e : adj[queue[k]])
        if (edges[e].capacity > 0 && level[edges[e].to] < 0) {
          level[edges[e].to] = level[queue[k]] + 1;
          queue.push_back(edges[e].to);
        }
    return level[t] >= 0;
  }
  int64_t push(int x, int t, int64_t limit) {
    if (x == t)
      return limit;
    for (; next[x] < adj[x].size(); ++next[x]) {
      int e = adj[x][next[x]];
      int y = edges[e].to;
      if (edges[e].capacity <= 0 || level[y] != level[x] + 1)
        continue;
      if (int64_t got = push(y, t, std::min(limit, edges[e].capacity))) {
        edges[e].capacity -= got;
        edges[e ^ 1].capacity += got;
        return got;
      }
    }
    return 0;
  }
  std::vector<Edge> edges;
  std::vector<SmallVector<int>> adj;
  std::vector<int> level;
  std::vector<size_t> next;
};
} // namespace

/// The values forward saves: a minimum cut, in bytes, between what forward
/// must compute (arguments, results of ops that are not cheap) and what the
/// rules read, through the cheap ops backward may recompute (the partitioner
/// of PyTorch's min-cut rematerialisation). Each value v is an edge
/// v.in -> v.out of capacity bytes(v) (0 for references); among the minimum
/// cuts the one nearest the rules is taken, which recomputes least.
void BackwardBuilder::chooseSaved() {
  toSave.clear();
  auto alwaysRecomputed = [](Value v) {
    return isa_and_nonnull<ConstantOp, FullOp, IotaOp>(v.getDefiningOp());
  };
  if (!options.remat) {
    for (Value v : needed)
      if (!alwaysRecomputed(v))
        toSave.insert(v);
    return;
  }
  llvm::MapVector<Value, int> node; // value -> index k: in = 2k, out = 2k+1
  SmallVector<Value> worklist(needed.begin(), needed.end());
  for (size_t k = 0; k < worklist.size(); ++k) {
    Value v = worklist[k];
    if (node.count(v))
      continue;
    node[v] = node.size();
    Operation *def = v.getDefiningOp();
    if (def && isCheap(def))
      for (Value operand : def->getOperands())
        if (isa<RankedTensorType>(operand.getType()))
          worklist.push_back(operand);
  }
  int source = 2 * node.size(), sink = source + 1;
  MaxFlow flow(sink + 1);
  for (auto [v, k] : node) {
    Operation *def = v.getDefiningOp();
    auto arg = dyn_cast<BlockArgument>(v);
    // A dynamic extent is taken as large: a broadcast to [?, n] costs more
    // than its source of [n].
    int64_t bytes = arg && isReference(arg)
                        ? 0
                        : tensorBytes(v.getType(), nullptr,
                                      /*dynamicExtent=*/1024);
    flow.addEdge(2 * k, 2 * k + 1, bytes);
    if (!def || !isCheap(def)) {
      flow.addEdge(source, 2 * k, MaxFlow::kInfinity);
      continue;
    }
    for (Value operand : def->getOperands())
      if (isa<RankedTensorType>(operand.getType()))
        flow.addEdge(2 * node.lookup(operand) + 1, 2 * k, MaxFlow::kInfinity);
  }
  for (Value v : needed)
    flow.addEdge(2 * node.lookup(v) + 1, sink, MaxFlow::kInfinity);
  flow.run(source, sink);
  llvm::BitVector sinkSide = flow.reachingSink(sink);
  for (auto [v, k] : node)
    if (!sinkSide.test(2 * k) && sinkSide.test(2 * k + 1) &&
        !alwaysRecomputed(v))
      toSave.insert(v);
}

LogicalResult BackwardBuilder::run() {
  if (failed(classifyForward()))
    return failure();
  analyseActivity();
  phase = Phase::Record;
  if (failed(seedAndWalk()))
    return failure();
  resetBackward();
  chooseSaved();
  phase = Phase::Build;
  if (failed(seedAndWalk()))
    return failure();

  // One gradient per floating parameter, then per floating user input.
  setLoc(fwd.getLoc());
  SmallVector<Value> grads;
  SmallVector<DictionaryAttr> gradAttrs;
  for (StringRef kind : {"param", "input"}) {
    for (BlockArgument arg : fwd.getArguments()) {
      unsigned i = arg.getArgNumber();
      if (argKind[i] != kind || !isFloatTensor(arg.getType()))
        continue;
      Value grad = cotangents.lookup(arg);
      grads.push_back(grad ? grad : zerosFor(arg));
      NamedAttrList attrs;
      attrs.set(kKind,
                getStringAttr(kind == "param" ? "grad_param" : "grad_input"));
      attrs.set(kName, getStringAttr(argName[i]));
      attrs.set(kIndex, getI64IntegerAttr(argGroupIndex[i]));
      gradAttrs.push_back(attrs.getDictionary(getContext()));
    }
  }
  func::ReturnOp::create(*this, grads);
  SmallVector<Type> gradTypes(ValueRange(grads).getTypes());
  finish(gradTypes, gradAttrs);
  return success();
}

/// Erases dead ops, drops unused saved/reference arguments, puts backward's
/// arguments in ABI order and adds the saved results to forward.
void BackwardBuilder::finish(ArrayRef<Type> gradTypes,
                             ArrayRef<DictionaryAttr> gradAttrs) {
  SmallVector<Operation *> ops;
  for (Operation &op : block->without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (isOpTriviallyDead(op))
      op->erase();

  // The order of the ABI: saved values, cotangents, references (in the
  // order of forward's arguments).
  SmallVector<unsigned> saved, cots, refs;
  for (auto [i, info] : llvm::enumerate(args)) {
    bool used = !block->getArgument(i).use_empty();
    if (info.role == ArgRole::Saved && used)
      saved.push_back(i);
    else if (info.role == ArgRole::Cotangent)
      cots.push_back(i);
    else if (info.role == ArgRole::Reference && used)
      refs.push_back(i);
  }
  llvm::sort(refs, [&](unsigned a, unsigned b) {
    return cast<BlockArgument>(args[a].forward).getArgNumber() <
           cast<BlockArgument>(args[b].forward).getArgNumber();
  });

  MLIRContext *ctx = getContext();
  auto dict = [&](StringRef kind, StringRef name, int64_t index) {
    NamedAttrList attrs;
    attrs.set(kKind, StringAttr::get(ctx, kind));
    attrs.set(kName, StringAttr::get(ctx, name));
    attrs.set(kIndex, IntegerAttr::get(IntegerType::get(ctx, 64), index));
    return attrs.getDictionary(ctx);
  };

  Block *newBlock = new Block();
  bwd.getBody().push_back(newBlock);
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<Type> argTypes;
  auto move = [&](unsigned old, DictionaryAttr attrs) {
    BlockArgument from = block->getArgument(old);
    BlockArgument to = newBlock->addArgument(from.getType(), from.getLoc());
    from.replaceAllUsesWith(to);
    argTypes.push_back(from.getType());
    argAttrs.push_back(attrs);
  };
  SmallVector<Value> savedValues;
  for (auto [k, i] : llvm::enumerate(saved)) {
    savedValues.push_back(args[i].forward);
    move(i, dict("saved", ("saved_" + Twine(k)).str(), k));
    bool dynamic = false;
    stats.savedBytes += tensorBytes(args[i].forward.getType(), &dynamic);
    stats.savedBytesDynamic |= dynamic;
  }
  stats.numSaved = saved.size();
  for (unsigned i : cots) {
    unsigned r = args[i].outputIndex;
    auto name = fwd.getResultAttrOfType<StringAttr>(r, kName);
    move(i, dict("cotangent", name ? name.getValue() : "", r));
  }
  for (unsigned i : refs) {
    unsigned a = cast<BlockArgument>(args[i].forward).getArgNumber();
    move(i, dict(argKind[a], argName[a], argGroupIndex[a]));
  }
  newBlock->getOperations().splice(newBlock->end(), block->getOperations());
  // Unused saved/reference arguments remain on the old block.
  block->erase();
  block = newBlock;

  bwd.setType(FunctionType::get(ctx, argTypes, gradTypes));
  bwd.setAllArgAttrs(argAttrs);
  bwd.setAllResultAttrs(gradAttrs);
  bwd->setAttr("thunder.saved_bytes",
               IntegerAttr::get(IntegerType::get(ctx, 64), stats.savedBytes));

  // Forward returns the saved values after its own results.
  for (Operation *op : llvm::reverse(forwardScratch))
    if (op->use_empty() && !llvm::is_contained(savedValues, op->getResult(0)))
      op->erase();
  Operation *ret = fwd.getBody().front().getTerminator();
  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned r = 0, e = fwd.getNumResults(); r < e; ++r)
    resultAttrs.push_back(fwd.getResultAttrDict(r) ? fwd.getResultAttrDict(r)
                                                   : DictionaryAttr::get(ctx));
  SmallVector<Value> results(ret->getOperands());
  for (auto [k, v] : llvm::enumerate(savedValues)) {
    results.push_back(v);
    resultAttrs.push_back(dict("saved", ("saved_" + Twine(k)).str(), k));
  }
  ret->setOperands(results);
  fwd.setType(FunctionType::get(ctx, fwd.getArgumentTypes(),
                                ValueRange(results).getTypes()));
  fwd.setAllResultAttrs(resultAttrs);
}

} // namespace

FailureOr<AutodiffStats> addBackward(ModuleOp module,
                                     const AutodiffOptions &options) {
  MLIRContext *ctx = module.getContext();
  // Rules build arith/tensor ops; the interfaces must be attached (the pass
  // does both through its dependent dialects).
  if (!ctx->getLoadedDialect<arith::ArithDialect>() ||
      !ctx->getLoadedDialect<tensor::TensorDialect>() ||
      !ctx->getLoadedDialect<ThunderDialect>())
    ctx->loadDialect<arith::ArithDialect, tensor::TensorDialect,
                     ThunderDialect>();
  if (!RegisteredOperationName::lookup(AddOp::getOperationName(), ctx)
           ->hasInterface<VJPOpInterface>()) {
    DialectRegistry registry;
    registerVJPExternalModels(registry);
    ctx->appendDialectRegistry(registry);
  }

  auto fwd = module.lookupSymbol<func::FuncOp>("forward");
  if (!fwd)
    return module.emitError("thunder-autodiff: the module has no @forward");
  if (module.lookupSymbol("backward"))
    return module.emitError("thunder-autodiff: the module has a @backward "
                            "already");
  if (!fwd.getBody().hasOneBlock())
    return fwd.emitOpError("thunder-autodiff needs a single-block @forward");

  OpBuilder mb(ctx);
  mb.setInsertionPointAfter(fwd);
  auto bwd = func::FuncOp::create(mb, fwd.getLoc(), "backward",
                                  FunctionType::get(ctx, {}, {}));
  BackwardBuilder builder(fwd, bwd, options);
  if (failed(builder.run())) {
    bwd.erase();
    return failure();
  }
  return builder.stats;
}

LogicalResult addBackward(ModuleOp module) {
  return failure(failed(addBackward(module, AutodiffOptions())));
}

} // namespace thunder::autodiff
