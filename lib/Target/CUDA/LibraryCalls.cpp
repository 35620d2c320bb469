//===- LibraryCalls.cpp - matrix products to thunder_cuda_matmul ----------===//
//
// thunder-cuda-library-calls: a contraction on memrefs (linalg.matmul,
// batch_matmul, or any generic `acc + a * b`) becomes a call of the
// runtime's row-major batched GEMM on cuBLASLt:
//
//   thunder_cuda_matmul(dtype, batch, m, n, k, a, lda, strideA, transA,
//                       b, ldb, strideB, transB, c, ldc, strideC, bias,
//                       alpha, beta)
//
// The loops fall in four groups by the operands they index: batch (A, B, C),
// m (A, C), n (B, C), k (A, B; reduced). Each group may hold several loops:
// they collapse into one GEMM dimension where the operand's strides allow
// it (an attention head split, a Linear layer on a 3-D input). Per operand,
// the group with unit stride decides the transpose flag and the other one's
// stride is the leading dimension, so transposed views cost nothing. An
// operand whose layout does not fit (strides that do not collapse, no unit
// stride) is first copied into a contiguous buffer in the GEMM's order; a
// result that does not fit is computed into such a buffer and written back
// by an elementwise kernel. f16/bf16 products with an f32 result (the
// lowering accumulates them in f32) have cuBLASLt store its f32 accumulator
// (THUNDER_MM_*_F32OUT): no rounding to the operands' type, no extra kernel.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "thunder/runtime/compiler_abi.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDALIBRARYCALLS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

constexpr llvm::StringLiteral kMatmulFn = "thunder_cuda_matmul";

/// The loops of a GEMM by group, each group in the order both of its
/// operands must share (batch, m, n: C's order; k: A's order).
struct Groups {
  SmallVector<unsigned> batch, m, n, k;
};

std::optional<Groups> classifyLoops(linalg::LinalgOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  Groups g;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    bool a = maps[0].isFunctionOfDim(d), b = maps[1].isFunctionOfDim(d);
    bool c = maps[2].isFunctionOfDim(d);
    bool reduced = iters[d] == utils::IteratorType::reduction;
    if (a && b && c && !reduced)
      g.batch.push_back(d);
    else if (a && !b && c && !reduced)
      g.m.push_back(d);
    else if (!a && b && c && !reduced)
      g.n.push_back(d);
    else if (a && b && !c && reduced)
      g.k.push_back(d);
    else
      return std::nullopt;
  }
  if (g.m.empty() || g.n.empty() || g.k.empty())
    return std::nullopt;
  MLIRContext *ctx = op->getContext();
  auto sortBy = [&](SmallVector<unsigned> &dims, AffineMap map) {
    llvm::sort(dims, [&](unsigned x, unsigned y) {
      return *map.getResultPosition(getAffineDimExpr(x, ctx)) <
             *map.getResultPosition(getAffineDimExpr(y, ctx));
    });
  };
  sortBy(g.batch, maps[2]);
  sortBy(g.m, maps[2]);
  sortBy(g.n, maps[2]);
  sortBy(g.k, maps[0]);
  return g;
}

/// The element type the GEMM reads: the operands' where they agree; with an
/// f16/bf16 operand widened in the body against an f32 one, f32.
Type gemmInputType(linalg::LinalgOp op) {
  Type ta = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
  Type tb = getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType());
  return ta == tb ? ta : getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
}

/// The stride (in elements) between consecutive indices of `group` collapsed
/// into one, for an operand read through `map` with strides `strides` and
/// shape `shape`: the innermost loop's stride, if the outer ones are exact
/// multiples. kDynamic when unknown statically, nullopt when they do not
/// collapse. A group of total size 1 has any stride (returned as 0). In a
/// `contiguous` (identity-layout) memref, dims that follow each other always
/// collapse, whatever their (dynamic) extents.
std::optional<int64_t> getGroupStride(ArrayRef<unsigned> group, AffineMap map,
                                      ArrayRef<int64_t> strides, ArrayRef<int64_t> shape,
                                      bool contiguous) {
  MLIRContext *ctx = map.getContext();
  // Loops of extent 1 do not move: leave them out.
  SmallVector<unsigned> pos;
  for (unsigned d : group) {
    unsigned p = *map.getResultPosition(getAffineDimExpr(d, ctx));
    if (shape[p] != 1)
      pos.push_back(p);
  }
  if (pos.empty())
    return 0;
  for (size_t i = 0; i + 1 < pos.size(); ++i) {
    if (contiguous && pos[i + 1] == pos[i] + 1)
      continue;
    int64_t outer = strides[pos[i]], inner = strides[pos[i + 1]], size = shape[pos[i + 1]];
    if (ShapedType::isDynamic(outer) || ShapedType::isDynamic(inner) ||
        ShapedType::isDynamic(size) || outer != size * inner)
      return std::nullopt;
  }
  return strides[pos.back()];
}

/// How one operand enters the GEMM: rows and columns of op(X) are the groups
/// `rows` and `cols`; `batch` may be absent from it altogether (broadcast).
struct Fit {
  bool transposed = false;
  unsigned ldDim = 0;          // memref dim whose stride is the leading dimension
  bool ldAny = false;          // one row (column): any leading dimension will do
  std::optional<unsigned> batchDim; // memref dim whose stride is the batch stride
};

std::optional<Fit> fit(AffineMap map, MemRefType type, ArrayRef<unsigned> rows,
                       ArrayRef<unsigned> cols, ArrayRef<unsigned> batch, bool allowTranspose) {
  MLIRContext *ctx = map.getContext();
  auto has = [&](unsigned d) { return map.isFunctionOfDim(d); };
  bool anyBatch = llvm::any_of(batch, has), allBatch = llvm::all_of(batch, has);
  if (anyBatch && !allBatch)
    return std::nullopt;
  if (map.getNumResults() != rows.size() + cols.size() + (allBatch ? batch.size() : 0))
    return std::nullopt;
  auto [strides, offset] = type.getStridesAndOffset();
  (void)offset;
  ArrayRef<int64_t> shape = type.getShape();
  bool contiguous = type.getLayout().isIdentity();
  std::optional<int64_t> rowStride = getGroupStride(rows, map, strides, shape, contiguous);
  std::optional<int64_t> colStride = getGroupStride(cols, map, strides, shape, contiguous);
  if (!rowStride || !colStride)
    return std::nullopt;
  auto pos = [&](unsigned d) { return *map.getResultPosition(getAffineDimExpr(d, ctx)); };
  Fit f;
  if (!batch.empty() && allBatch) {
    std::optional<int64_t> batchStride = getGroupStride(batch, map, strides, shape, contiguous);
    if (!batchStride)
      return std::nullopt;
    f.batchDim = pos(batch.back());
  }
  if (*colStride == 1 || *colStride == 0) {
    f.ldDim = pos(rows.back());
    f.ldAny = *rowStride == 0;
    return f;
  }
  if (allowTranspose && (*rowStride == 1 || *rowStride == 0)) {
    f.transposed = true;
    f.ldDim = pos(cols.back());
    f.ldAny = *colStride == 0;
    return f;
  }
  return std::nullopt;
}

func::FuncOp getOrDeclareMatmul(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Type i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  Type ptr = LLVM::LLVMPointerType::get(ctx), f32 = Float32Type::get(ctx);
  SmallVector<Type> args = {i32, i64, i64, i64, i64,  // dtype, batch, m, n, k
                            ptr, i64, i64, i32,       // a, lda, strideA, transA
                            ptr, i64, i64, i32,       // b, ldb, strideB, transB
                            ptr, i64, i64,            // c, ldc, strideC
                            ptr, f32, f32};           // bias, alpha, beta
  return getOrDeclareRuntimeFunction(module, kMatmulFn, args, {});
}

/// A GEMM operand as the call sees it.
struct Operand {
  Value memref;
  AffineMap map;
  Fit fit;
};

class GemmRewriter {
public:
  GemmRewriter(linalg::LinalgOp op, const Groups &groups, int dtype, func::FuncOp callee)
      : op(op), groups(groups), dtype(dtype), callee(callee), b(op), loc(op.getLoc()) {}

  void rewrite();

private:
  Value i64(Value index) { return arith::IndexCastOp::create(b, loc, b.getI64Type(), index); }
  Value i64(int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v); }
  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v); }
  Value f32(float v) {
    return arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(v));
  }
  Value groupSize(ArrayRef<unsigned> group) {
    SmallVector<Value> s;
    for (unsigned d : group)
      s.push_back(sizes[d]);
    return getProduct(b, loc, s);
  }
  /// A new buffer holding `operand` (or, for the result, to be written back)
  /// in the order `order`, contiguous; `copyIn` fills it.
  Operand makeContiguous(Value memref, AffineMap map, Type elementType,
                         ArrayRef<unsigned> order, bool copyIn, ArrayRef<unsigned> rows,
                         ArrayRef<unsigned> cols, ArrayRef<unsigned> batch, bool allowTranspose);
  /// (ld, batch stride) of `operand` as i64.
  std::pair<Value, Value> getStrides(const Operand &operand, ArrayRef<unsigned> other);

  linalg::LinalgOp op;
  const Groups &groups;
  int dtype;
  func::FuncOp callee;
  OpBuilder b;
  Location loc;
  SmallVector<Value> sizes; // per loop
  SmallVector<Value> temporaries;
};

Operand GemmRewriter::makeContiguous(Value memref, AffineMap map, Type elementType,
                                     ArrayRef<unsigned> order, bool copyIn,
                                     ArrayRef<unsigned> rows, ArrayRef<unsigned> cols,
                                     ArrayRef<unsigned> batch, bool allowTranspose) {
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamic;
  SmallVector<int64_t> staticRanges = op.getStaticLoopRanges();
  for (unsigned d : order) {
    shape.push_back(staticRanges[d]);
    if (ShapedType::isDynamic(staticRanges[d]))
      dynamic.push_back(sizes[d]);
  }
  auto type = MemRefType::get(shape, elementType);
  Value buffer = memref::AllocOp::create(b, loc, type, dynamic);
  temporaries.push_back(buffer);
  SmallVector<AffineExpr> results;
  for (unsigned d : order)
    results.push_back(getAffineDimExpr(d, ctx));
  AffineMap newMap = AffineMap::get(op.getNumLoops(), 0, results, ctx);
  if (copyIn) {
    // buffer[order...] = memref[map(...)]: iterate over `order`.
    SmallVector<AffineExpr> rename(op.getNumLoops(), getAffineConstantExpr(0, ctx));
    for (auto [i, d] : llvm::enumerate(order))
      rename[d] = getAffineDimExpr(i, ctx);
    AffineMap readMap = map.replaceDimsAndSymbols(rename, {}, order.size(), 0);
    SmallVector<utils::IteratorType> iters(order.size(), utils::IteratorType::parallel);
    linalg::GenericOp::create(
        b, loc, ValueRange{memref}, ValueRange{buffer},
        SmallVector<AffineMap>{readMap, b.getMultiDimIdentityMap(order.size())}, iters,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value v = args[0];
          if (v.getType() != elementType) // a narrow operand of an f32 GEMM
            v = arith::ExtFOp::create(nb, nloc, elementType, v);
          linalg::YieldOp::create(nb, nloc, v);
        });
  }
  std::optional<Fit> f = fit(newMap, type, rows, cols, batch, allowTranspose);
  assert(f && "a contiguous buffer in GEMM order always fits");
  return Operand{buffer, newMap, *f};
}

std::pair<Value, Value> GemmRewriter::getStrides(const Operand &operand,
                                                 ArrayRef<unsigned> other) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, operand.memref);
  // cuBLASLt wants ld >= the extent of the contiguous dimension, even where
  // a single row (column) makes it irrelevant.
  Value minLd = groupSize(other);
  Value ld = operand.fit.ldAny ? minLd
                               : arith::MaxUIOp::create(b, loc, meta.getStrides()[operand.fit.ldDim],
                                                        minLd)
                                     .getResult();
  Value batchStride = operand.fit.batchDim ? i64(meta.getStrides()[*operand.fit.batchDim]) : i64(0);
  return {i64(ld), batchStride};
}

void GemmRewriter::rewrite() {
  for (Range r : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  OpOperand *aOperand = op.getDpsInputOperand(0), *bOperand = op.getDpsInputOperand(1);
  OpOperand *cOperand = op.getDpsInitOperand(0);
  Type outType = getElementTypeOrSelf(cOperand->get().getType());
  // The operands' type in the GEMM: A's, or the result's where A and B
  // differ (one side widened in the body: it is widened by its copy).
  Type inType = gemmInputType(op);
  // The type cuBLASLt writes C in: f16/bf16 products with an f32 result
  // store the f32 accumulator directly (the *_F32OUT codes).
  bool widenedOutput = dtype == THUNDER_MM_F16_F32OUT || dtype == THUNDER_MM_BF16_F32OUT;
  Type gemmOutType = widenedOutput ? outType : inType;
  bool accumulate = true;
  if (Operation *fill = findZeroFill(op, cOperand->get())) {
    fill->erase();
    accumulate = false;
  }
  // C starting from a bias vector broadcast along its last dim (thunder-cuda-matmul-bias):
  // cuBLASLt's bias epilogue adds it.
  linalg::BroadcastOp biasBroadcast;
  if (accumulate && groups.n.size() == 1 && !widenedOutput)
    if (auto bc = dyn_cast_or_null<linalg::BroadcastOp>(findPreviousUse(op, cOperand->get()));
        bc && bc.getInit() == cOperand->get()) {
      auto biasType = cast<MemRefType>(bc.getInput().getType());
      AffineMap cMap = op.getMatchingIndexingMap(cOperand);
      bool alongN = cMap.getNumResults() > 0 &&
                    cMap.getResults().back() == getAffineDimExpr(groups.n[0], b.getContext());
      if (biasType.getRank() == 1 && biasType.getElementType() == outType &&
          biasType.getLayout().isIdentity() && alongN)
        biasBroadcast = bc;
    }

  auto concat = [](ArrayRef<unsigned> x, ArrayRef<unsigned> y, ArrayRef<unsigned> z) {
    SmallVector<unsigned> r(x.begin(), x.end());
    r.append(y.begin(), y.end());
    r.append(z.begin(), z.end());
    return r;
  };
  auto prepare = [&](OpOperand *o, ArrayRef<unsigned> rows, ArrayRef<unsigned> cols,
                     bool isResult) -> Operand {
    AffineMap map = op.getMatchingIndexingMap(o);
    auto type = cast<MemRefType>(o->get().getType());
    bool needsCopy = isResult ? gemmOutType != outType : type.getElementType() != inType;
    if (!needsCopy)
      if (std::optional<Fit> f = fit(map, type, rows, cols, groups.batch, !isResult))
        return Operand{o->get(), map, *f};
    // Copies keep the operand's innermost loop innermost (coalesced reads):
    // when it is a row loop, the copy is stored transposed.
    bool transposed = false;
    if (!isResult && map.getNumResults() > 0) {
      unsigned innermost = cast<AffineDimExpr>(map.getResults().back()).getPosition();
      transposed = llvm::is_contained(rows, innermost);
    }
    return makeContiguous(o->get(), map, isResult ? gemmOutType : inType,
                          transposed ? concat(groups.batch, cols, rows)
                                     : concat(groups.batch, rows, cols),
                          /*copyIn=*/!isResult, rows, cols, groups.batch, !isResult);
  };
  Operand a = prepare(aOperand, groups.m, groups.k, false);
  Operand bm = prepare(bOperand, groups.k, groups.n, false);
  Operand c = prepare(cOperand, groups.m, groups.n, true);
  bool resultInTemporary = c.memref != cOperand->get();

  Value batch = groupSize(groups.batch), m = groupSize(groups.m), n = groupSize(groups.n),
        k = groupSize(groups.k);
  // The leading dimension of a matrix is at least its contiguous extent.
  auto [lda, strideA] = getStrides(a, a.fit.transposed ? groups.m : groups.k);
  auto [ldb, strideB] = getStrides(bm, bm.fit.transposed ? groups.k : groups.n);
  auto [ldc, strideC] = getStrides(c, groups.n);
  Value nullPtr = LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()));
  Value biasPtr = nullPtr;
  if (biasBroadcast && !resultInTemporary && !c.fit.transposed) {
    biasPtr = getDataPointer(b, loc, biasBroadcast.getInput());
    biasBroadcast->erase();
    accumulate = false;
  }
  bool beta = accumulate && !resultInTemporary;
  SmallVector<Value> args = {
      i32(dtype), i64(batch), i64(m), i64(n), i64(k),
      getDataPointer(b, loc, a.memref), lda, strideA, i32(a.fit.transposed),
      getDataPointer(b, loc, bm.memref), ldb, strideB, i32(bm.fit.transposed),
      getDataPointer(b, loc, c.memref), ldc, strideC,
      biasPtr, f32(1.0f), f32(beta ? 1.0f : 0.0f)};
  func::CallOp::create(b, loc, callee, args);

  if (resultInTemporary) {
    // C = widen(temporary) (+ C): an elementwise kernel.
    unsigned rank = op.getNumLoops();
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    SmallVector<AffineMap> maps = {c.map, op.getMatchingIndexingMap(cOperand)};
    // Iterate over the result's loops only (the k loops are gone).
    SmallVector<unsigned> resultLoops = concat(groups.batch, groups.m, groups.n);
    SmallVector<AffineExpr> rename(rank, getAffineConstantExpr(0, b.getContext()));
    for (auto [i, d] : llvm::enumerate(resultLoops))
      rename[d] = getAffineDimExpr(i, b.getContext());
    for (AffineMap &map : maps)
      map = map.replaceDimsAndSymbols(rename, {}, resultLoops.size(), 0);
    iters.resize(resultLoops.size());
    linalg::GenericOp::create(
        b, loc, ValueRange{c.memref}, ValueRange{cOperand->get()}, maps, iters,
        [&](OpBuilder &nb, Location nloc, ValueRange values) {
          Value v = values[0];
          if (gemmOutType != outType)
            v = arith::ExtFOp::create(nb, nloc, outType, v);
          if (accumulate)
            v = arith::AddFOp::create(nb, nloc, v, values[1]);
          linalg::YieldOp::create(nb, nloc, v);
        });
  }
  for (Value t : temporaries)
    memref::DeallocOp::create(b, loc, t);
  op->erase();
}

/// The dtype code of a contraction the runtime can run, with its groups.
std::optional<std::pair<Groups, int>> matchGemm(linalg::LinalgOp op, bool tf32) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op) || !isMulAddBody(op))
    return std::nullopt;
  Type ta = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
  Type tb = getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType());
  Type tc = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  auto narrow = [](Type t) { return t.isBF16() || t.isF16(); };
  if (ta != tb) {
    // One side was widened in the body (a bf16 tensor against an f32 one):
    // an f32 GEMM, the narrow side widened by its copy.
    if (!tc.isF32() || !((ta == tc && narrow(tb)) || (tb == tc && narrow(ta))))
      return std::nullopt;
    ta = tc;
  } else if (ta != tc && !(narrow(ta) && tc.isF32())) {
    return std::nullopt;
  }
  std::optional<int> dtype = getLibraryDtypeCode(ta, tf32);
  if (dtype && ta != tc)
    dtype = ta.isBF16() ? THUNDER_MM_BF16_F32OUT : THUNDER_MM_F16_F32OUT;
  std::optional<Groups> groups = classifyLoops(op);
  if (!dtype || !groups)
    return std::nullopt;
  return std::make_pair(*groups, *dtype);
}

struct CUDALibraryCallsPass : impl::CUDALibraryCallsBase<CUDALibraryCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::tuple<linalg::LinalgOp, Groups, int>, 4> gemms;
    module.walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::GPUModuleOp>())
        return;
      if (auto match = matchGemm(op, tf32))
        gemms.push_back({op, match->first, match->second});
    });
    if (gemms.empty())
      return;
    func::FuncOp callee = getOrDeclareMatmul(module);
    for (auto &[op, groups, dtype] : gemms)
      GemmRewriter(op, groups, dtype, callee).rewrite();
  }
};

} // namespace
} // namespace thunder::cuda
