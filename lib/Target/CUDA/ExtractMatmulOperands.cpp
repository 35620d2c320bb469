//===- ExtractMatmulOperands.cpp - elementwise work out of matrix products ===//
//
// thunder-cuda-extract-matmul-operands. Elementwise fusion happily fuses the
// producers of a matrix product into it (a LayerNorm into the Linear layer
// that follows it): `acc + f(x, ...) * g(w, ...)`. That is no longer a GEMM
// for cuBLASLt, and as a generated kernel it recomputes f for every output
// column. Here f and g go back into their own elementwise generics over the
// loops they use (the result is a plain contraction of their outputs), the
// extension to the accumulator type (bf16 -> f32) staying in the product.
//
// A convolution's input side goes back over the input's own space (n, [g],
// c, spatial) instead of the loops it uses (which would be an im2col of it):
// the result is a plain convolution again, for cuDNN (the 1x1 convolutions of
// MobileNet, whose BatchNorm/activation producers fusion moved into them).
//
//===----------------------------------------------------------------------===//
#include "Convolution.h"
#include "Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDAEXTRACTMATMULOPERANDS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

/// One side of the product: `value` (what the multiplication reads, before
/// an optional extension), the payload ops it is computed by, the block
/// arguments they read and the loops they depend on.
struct Side {
  Value value;
  arith::ExtFOp extension; // value -> the multiplication's operand, or null
  llvm::SetVector<Operation *> ops;
  llvm::SetVector<BlockArgument> args;
  llvm::SmallSetVector<unsigned, 4> dims; // sorted at the end

  bool isTrivial() const { return ops.empty(); }
};

LogicalResult analyse(linalg::GenericOp op, Value operand, Side &side) {
  Block *body = op.getBlock();
  side.extension = operand.getDefiningOp<arith::ExtFOp>();
  side.value = side.extension ? side.extension.getIn() : operand;
  SmallVector<Value> worklist = {side.value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != body)
        continue;
      if (arg.getArgNumber() >= op.getNumDpsInputs())
        return failure(); // reads the accumulator: not a side of a product
      if (!side.args.insert(arg))
        continue;
      AffineMap map = op.getMatchingIndexingMap(op.getDpsInputOperand(arg.getArgNumber()));
      for (unsigned d = 0; d < map.getNumDims(); ++d)
        if (map.isFunctionOfDim(d))
          side.dims.insert(d);
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != body || side.ops.contains(def))
      continue;
    if (def->getNumRegions() != 0 || !isMemoryEffectFree(def))
      return failure();
    side.ops.insert(def);
    if (auto index = dyn_cast<linalg::IndexOp>(def))
      side.dims.insert(index.getDim());
    for (Value o : def->getOperands())
      worklist.push_back(o);
  }
  // Payload order, so that cloning sees definitions first.
  SmallVector<Operation *> ordered(side.ops.begin(), side.ops.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  side.ops = llvm::SetVector<Operation *>(ordered.begin(), ordered.end());
  SmallVector<unsigned> dims(side.dims.begin(), side.dims.end());
  llvm::sort(dims);
  side.dims = llvm::SmallSetVector<unsigned, 4>(dims.begin(), dims.end());
  return success();
}

/// Materialises `side.value` as an elementwise linalg.generic of rank
/// `sizes.size()` whose operands (side.args) are read through `argMaps`;
/// `indexDim` maps a loop of `op` read by linalg.index to the new loop.
Value materialise(PatternRewriter &rewriter, linalg::GenericOp op, const Side &side,
                  ArrayRef<AffineMap> argMaps, ArrayRef<OpFoldResult> sizes,
                  llvm::function_ref<unsigned(unsigned)> indexDim) {
  Location loc = op.getLoc();
  unsigned rank = sizes.size();
  SmallVector<Value> inputs;
  for (BlockArgument arg : side.args)
    inputs.push_back(op.getDpsInputOperand(arg.getArgNumber())->get());
  SmallVector<AffineMap> maps(argMaps.begin(), argMaps.end());
  Value init = tensor::EmptyOp::create(rewriter, loc, sizes, side.value.getType());
  maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        IRMapping mapping;
        for (auto [arg, value] : llvm::zip(side.args, args))
          mapping.map(arg, value);
        for (Operation *o : side.ops) {
          if (auto index = dyn_cast<linalg::IndexOp>(o)) {
            mapping.map(index.getResult(),
                        linalg::IndexOp::create(b, l, indexDim(index.getDim())).getResult());
            continue;
          }
          b.clone(*o, mapping);
        }
        linalg::YieldOp::create(b, l, mapping.lookupOrDefault(side.value));
      });
  return generic.getResult(0);
}

/// Materialises `side.value` over the loops `side.dims`.
Value extract(PatternRewriter &rewriter, linalg::GenericOp op, const Side &side) {
  MLIRContext *ctx = op.getContext();
  unsigned rank = side.dims.size();
  SmallVector<AffineExpr> replacements(op.getNumLoops(), getAffineConstantExpr(0, ctx));
  for (auto [i, d] : llvm::enumerate(side.dims))
    replacements[d] = getAffineDimExpr(i, ctx);
  SmallVector<AffineMap> maps;
  for (BlockArgument arg : side.args)
    maps.push_back(op.getMatchingIndexingMap(op.getDpsInputOperand(arg.getArgNumber()))
                       .replaceDimsAndSymbols(replacements, {}, rank, 0));
  SmallVector<Range> ranges =
      cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(rewriter, op.getLoc());
  SmallVector<OpFoldResult> sizes;
  for (unsigned d : side.dims)
    sizes.push_back(ranges[d].size);
  return materialise(rewriter, op, side, maps, sizes, [&](unsigned d) {
    return unsigned(llvm::find(side.dims, d) - side.dims.begin());
  });
}

/// The input side of convolution `conv` over the input's space (n, [g], c,
/// spatial...), through `argMaps` (ConvLoops::toInputSpace of each
/// operand's map); each spatial extent is that of an operand that varies
/// along it or, for none, the least the windows read,
/// (out - 1) * stride + (win - 1) * dilation + 1.
Value extractConvInput(PatternRewriter &rewriter, linalg::GenericOp op, const Side &side,
                       const ConvLoops &conv, ArrayRef<AffineMap> argMaps) {
  Location loc = op.getLoc();
  SmallVector<Range> ranges =
      cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(rewriter, loc);
  auto size = [&](unsigned d) {
    return getValueOrCreateConstantIndexOp(rewriter, loc, ranges[d].size);
  };
  auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(rewriter, loc, v); };
  SmallVector<OpFoldResult> sizes = {ranges[conv.n].size};
  if (conv.g)
    sizes.push_back(ranges[*conv.g].size);
  sizes.push_back(ranges[conv.c].size);
  Value one = constant(1);
  unsigned lead = conv.rank() - conv.numSpatial();
  for (unsigned i = 0; i < conv.numSpatial(); ++i) {
    std::optional<OpFoldResult> fromOperand;
    for (auto [arg, map] : llvm::zip(side.args, argMaps))
      if (std::optional<unsigned> pos =
              map.getResultPosition(getAffineDimExpr(lead + i, op.getContext()))) {
        fromOperand = tensor::getMixedSize(
            rewriter, loc, op.getDpsInputOperand(arg.getArgNumber())->get(), *pos);
        break;
      }
    if (fromOperand) {
      sizes.push_back(*fromOperand);
      continue;
    }
    Value outSpan = rewriter.createOrFold<arith::MulIOp>(
        loc, rewriter.createOrFold<arith::SubIOp>(loc, size(conv.out[i]), one),
        constant(conv.stride[i]));
    Value winSpan = rewriter.createOrFold<arith::MulIOp>(
        loc, rewriter.createOrFold<arith::SubIOp>(loc, size(conv.win[i]), one),
        constant(conv.dilation[i]));
    Value extent = rewriter.createOrFold<arith::AddIOp>(
        loc, rewriter.createOrFold<arith::AddIOp>(loc, outSpan, winSpan), one);
    sizes.push_back(getAsOpFoldResult(extent));
  }
  return materialise(rewriter, op, side, argMaps, sizes,
                     [](unsigned) -> unsigned { llvm_unreachable("no linalg.index here"); });
}

struct ExtractOperandComputations : OpRewritePattern<linalg::GenericOp> {
  ExtractOperandComputations(MLIRContext *ctx, bool convolutions)
      : OpRewritePattern(ctx), convolutions(convolutions) {}
  bool convolutions;

  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
        op.getNumReductionLoops() == 0)
      return failure();
    Block *body = op.getBlock();
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    auto add = yield.getNumOperands() == 1 ? yield.getOperand(0).getDefiningOp<arith::AddFOp>()
                                           : nullptr;
    BlockArgument acc = op.getRegionOutputArgs()[0];
    if (!add || !acc.hasOneUse())
      return failure();
    bool accFirst = add.getLhs() == acc;
    Value product = accFirst ? add.getRhs() : add.getRhs() == acc ? add.getLhs() : Value();
    auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
    if (!mul || mul->getBlock() != body || !mul->hasOneUse())
      return failure();

    Side x, y;
    if (failed(analyse(op, mul.getLhs(), x)) || failed(analyse(op, mul.getRhs(), y)))
      return failure();
    if (x.isTrivial() && y.isTrivial())
      return failure(); // already a plain contraction
    // Both sides must run over every reduced loop (a product, not a scaled
    // reduction), and the rest of the payload must be just the product.
    SmallVector<unsigned> reduced;
    op.getReductionDims(reduced);
    for (unsigned d : reduced)
      if (!x.dims.contains(d) || !y.dims.contains(d))
        return failure();
    // Sides over the same loops (a sum of squares: LayerNorm's variance)
    // are no product: no output shares an element of f with another, so
    // computing it in the reduction costs nothing, materialising it a write
    // and a read of the whole space.
    if (llvm::equal(x.dims, y.dims))
      return failure();
    for (Operation &o : body->without_terminator())
      if (&o != add && &o != mul && &o != x.extension && &o != y.extension &&
          !x.ops.contains(&o) && !y.ops.contains(&o))
        return failure();

    // The new operands and their maps.
    MLIRContext *ctx = op.getContext();
    OpOperand *init = op.getDpsInitOperand(0);
    auto sideMap = [&](const Side &side) {
      if (side.isTrivial())
        return op.getMatchingIndexingMap(
            op.getDpsInputOperand(cast<BlockArgument>(side.value).getArgNumber()));
      SmallVector<AffineExpr> results;
      for (unsigned d : side.dims)
        results.push_back(getAffineDimExpr(d, ctx));
      return AffineMap::get(op.getNumLoops(), 0, results, ctx);
    };
    // A convolution: its input side over the input's own space.
    std::optional<ConvLoops> conv;
    const Side *convInput = nullptr;
    SmallVector<AffineMap> convInputMaps;
    for (auto [in, w] : {std::make_pair(&x, &y), std::make_pair(&y, &x)}) {
      if (!convolutions || in->isTrivial() ||
          llvm::any_of(in->ops, [](Operation *o) { return isa<linalg::IndexOp>(o); }))
        continue;
      SmallVector<AffineMap> argMaps;
      for (BlockArgument arg : in->args)
        argMaps.push_back(op.getMatchingIndexingMap(op.getDpsInputOperand(arg.getArgNumber())));
      conv = matchConvLoops(op.getMatchingIndexingMap(init), sideMap(*w), argMaps,
                            op.getIteratorTypesArray());
      if (!conv)
        continue;
      for (AffineMap m : argMaps)
        if (std::optional<AffineMap> p = conv->toInputSpace(m))
          convInputMaps.push_back(*p);
      if (convInputMaps.size() == argMaps.size()) {
        convInput = in;
        break;
      }
      conv.reset();
      convInputMaps.clear();
    }
    auto operandOf = [&](Side &side, Value &operand, AffineMap &map) {
      if (&side == convInput) {
        operand = extractConvInput(rewriter, op, side, *conv, convInputMaps);
        map = conv->inputMap(ctx, op.getNumLoops());
        return;
      }
      if (side.isTrivial()) {
        auto arg = cast<BlockArgument>(side.value);
        OpOperand *o = op.getDpsInputOperand(arg.getArgNumber());
        operand = o->get();
        map = op.getMatchingIndexingMap(o);
        return;
      }
      operand = extract(rewriter, op, side);
      SmallVector<AffineExpr> results;
      for (unsigned d : side.dims)
        results.push_back(getAffineDimExpr(d, ctx));
      map = AffineMap::get(op.getNumLoops(), 0, results, ctx);
    };
    Value xOperand, yOperand;
    AffineMap xMap, yMap;
    operandOf(x, xOperand, xMap);
    operandOf(y, yOperand, yMap);
    SmallVector<AffineMap> maps = {xMap, yMap, op.getMatchingIndexingMap(init)};
    auto contraction = linalg::GenericOp::create(
        rewriter, op.getLoc(), op->getResultTypes(), ValueRange{xOperand, yOperand},
        ValueRange{init->get()}, maps, op.getIteratorTypesArray(),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value a = args[0], c = args[1];
          if (x.extension)
            a = arith::ExtFOp::create(b, l, x.extension.getType(), a);
          if (y.extension)
            c = arith::ExtFOp::create(b, l, y.extension.getType(), c);
          Value p = arith::MulFOp::create(b, l, a, c, mul.getFastmathAttr());
          Value s = accFirst ? arith::AddFOp::create(b, l, args[2], p, add.getFastmathAttr())
                             : arith::AddFOp::create(b, l, p, args[2], add.getFastmathAttr());
          linalg::YieldOp::create(b, l, s);
        });
    rewriter.replaceOp(op, contraction->getResults());
    return success();
  }
};

struct CUDAExtractMatmulOperandsPass
    : impl::CUDAExtractMatmulOperandsBase<CUDAExtractMatmulOperandsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExtractOperandComputations>(&getContext(), convolutions);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace thunder::cuda
