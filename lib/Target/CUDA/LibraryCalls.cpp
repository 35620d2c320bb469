//===- LibraryCalls.cpp - matrix products to thunder_cuda_matmul ----------===//
//
// thunder-cuda-library-calls: a contraction on memrefs (linalg.matmul,
// batch_matmul, or a generic with one m, n, k and at most one batch loop)
// becomes a call of the runtime's row-major batched GEMM on cuBLASLt:
//
//   thunder_cuda_matmul(dtype, batch, m, n, k, a, lda, strideA, transA,
//                       b, ldb, strideB, transB, c, ldc, strideC, bias,
//                       alpha, beta)
//
// Which of an operand's two matrix dimensions has unit stride decides its
// transpose flag; the other one's stride is its leading dimension, so
// transposed views (and transposes folded by thunder-cuda-fold-matmul-operands)
// cost nothing.
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

/// `v`, seen through side-effect-free extensions (arith.extf).
Value stripExtensions(Value v) {
  while (auto ext = v.getDefiningOp<arith::ExtFOp>())
    v = ext.getIn();
  return v;
}

/// Whether the payload is `yield acc + a * b` (a, b possibly extended).
bool isMulAddBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield.getNumOperands() != 1)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  BlockArgument acc = body->getArgument(2);
  Value product = add.getLhs() == acc ? add.getRhs() : add.getRhs() == acc ? add.getLhs() : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return false;
  Value x = stripExtensions(mul.getLhs()), y = stripExtensions(mul.getRhs());
  BlockArgument a = body->getArgument(0), b = body->getArgument(1);
  return (x == a && y == b) || (x == b && y == a);
}

std::optional<int> getDtypeCode(Type t, bool tf32) {
  if (t.isF32())
    return tf32 ? THUNDER_MM_F32 : THUNDER_MM_F32_STRICT;
  if (t.isF16())
    return THUNDER_MM_F16;
  if (t.isBF16())
    return THUNDER_MM_BF16;
  if (t.isF64())
    return THUNDER_MM_F64;
  return std::nullopt;
}

/// The loops of a GEMM: m, n, k and at most one batch loop. A batch loop
/// missing from A or B broadcasts that operand (batch stride 0).
struct GemmLoops {
  unsigned m, n, k;
  std::optional<unsigned> batch;
};

/// Classifies the loops of a contraction by the operands they index: all
/// three (batch), A and C (m), B and C (n), A and B (k, reduced). A second m
/// (or n) loop, outer in C, is a batch loop that B (or A) does not have.
std::optional<GemmLoops> classifyLoops(linalg::LinalgOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  SmallVector<unsigned> batch, m, n, k;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    auto in = [&](unsigned i) { return maps[i].isFunctionOfDim(d); };
    bool a = in(0), b = in(1), c = in(2);
    bool reduced = iters[d] == utils::IteratorType::reduction;
    if (a && b && c && !reduced)
      batch.push_back(d);
    else if (a && !b && c && !reduced)
      m.push_back(d);
    else if (!a && b && c && !reduced)
      n.push_back(d);
    else if (a && b && !c && reduced)
      k.push_back(d);
    else
      return std::nullopt;
  }
  // Of two m (n) loops, the one outer in C becomes the batch loop.
  auto cPos = [&](unsigned d) { return *maps[2].getResultPosition(getAffineDimExpr(d, op->getContext())); };
  auto splitBatch = [&](SmallVector<unsigned> &dims) {
    if (dims.size() != 2)
      return;
    unsigned outer = cPos(dims[0]) < cPos(dims[1]) ? 0 : 1;
    batch.push_back(dims[outer]);
    dims.erase(dims.begin() + outer);
  };
  splitBatch(m);
  splitBatch(n);
  if (m.size() != 1 || n.size() != 1 || k.size() != 1 || batch.size() > 1)
    return std::nullopt;
  return GemmLoops{m[0], n[0], k[0],
                   batch.empty() ? std::nullopt : std::optional<unsigned>(batch[0])};
}

/// How one operand is laid out for the GEMM: the positions (memref dims) of
/// its two matrix dimensions (rows, cols of op(X)) and of its batch
/// dimension (none: broadcast over the batch).
struct OperandLayout {
  unsigned rowPos, colPos;
  std::optional<unsigned> batchPos;
  bool transposed; // the unit stride is on rowPos
};

std::optional<OperandLayout> getLayout(linalg::LinalgOp op, OpOperand &operand, unsigned row,
                                       unsigned col, std::optional<unsigned> batch,
                                       bool allowTranspose) {
  AffineMap map = op.getMatchingIndexingMap(&operand);
  auto type = cast<MemRefType>(operand.get().getType());
  MLIRContext *ctx = op->getContext();
  std::optional<unsigned> rowPos = map.getResultPosition(getAffineDimExpr(row, ctx));
  std::optional<unsigned> colPos = map.getResultPosition(getAffineDimExpr(col, ctx));
  std::optional<unsigned> batchPos;
  if (batch)
    batchPos = map.getResultPosition(getAffineDimExpr(*batch, ctx));
  if (!rowPos || !colPos || map.getNumResults() != 2u + (batchPos ? 1 : 0))
    return std::nullopt;
  auto [strides, offset] = type.getStridesAndOffset();
  (void)offset;
  if (strides[*colPos] == 1)
    return OperandLayout{*rowPos, *colPos, batchPos, false};
  if (allowTranspose && strides[*rowPos] == 1)
    return OperandLayout{*rowPos, *colPos, batchPos, true};
  return std::nullopt;
}

struct GemmMatch {
  OperandLayout a, b, c;
  int dtype;
  Type inputType, outputType;
};

FailureOr<GemmMatch> matchGemm(linalg::LinalgOp op, bool tf32) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op) || !isMulAddBody(op))
    return failure();
  std::optional<GemmLoops> loops = classifyLoops(op);
  if (!loops)
    return failure();

  Type ta = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
  Type tb = getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType());
  Type tc = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  if (ta != tb)
    return failure();
  bool mixed = ta != tc;
  if (mixed && !((ta.isBF16() || ta.isF16()) && tc.isF32()))
    return failure();
  std::optional<int> dtype = getDtypeCode(ta, tf32);
  if (!dtype)
    return failure();

  std::optional<OperandLayout> a = getLayout(op, *op.getDpsInputOperand(0), loops->m, loops->k,
                                             loops->batch, /*allowTranspose=*/true);
  std::optional<OperandLayout> b = getLayout(op, *op.getDpsInputOperand(1), loops->k, loops->n,
                                             loops->batch, /*allowTranspose=*/true);
  std::optional<OperandLayout> c = getLayout(op, *op.getDpsInitOperand(0), loops->m, loops->n,
                                             loops->batch, /*allowTranspose=*/false);
  if (!a || !b || !c || (loops->batch && !c->batchPos))
    return failure();
  return GemmMatch{*a, *b, *c, *dtype, ta, tc};
}

/// A `linalg.fill` of zero into `buffer` just before `op`, with nothing
/// between them using `buffer`.
linalg::FillOp findZeroFill(Operation *op, Value buffer) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev); fill && fill.getOutputs()[0] == buffer) {
      Value value = fill.getInputs()[0];
      if (matchPattern(value, m_AnyZeroFloat()))
        return fill;
      return nullptr;
    }
    if (llvm::is_contained(prev->getOperands(), buffer))
      return nullptr;
  }
  return nullptr;
}

func::FuncOp getOrDeclareMatmul(ModuleOp module) {
  if (auto f = module.lookupSymbol<func::FuncOp>(kMatmulFn))
    return f;
  MLIRContext *ctx = module.getContext();
  Type i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  Type ptr = LLVM::LLVMPointerType::get(ctx), f32 = Float32Type::get(ctx);
  SmallVector<Type> args = {i32, i64, i64, i64, i64,  // dtype, batch, m, n, k
                            ptr, i64, i64, i32,       // a, lda, strideA, transA
                            ptr, i64, i64, i32,       // b, ldb, strideB, transB
                            ptr, i64, i64,            // c, ldc, strideC
                            ptr, f32, f32};           // bias, alpha, beta
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), kMatmulFn, FunctionType::get(ctx, args, {}));
  f.setPrivate();
  return f;
}

class GemmEmitter {
public:
  GemmEmitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value i64(Value index) { return arith::IndexCastOp::create(b, loc, b.getI64Type(), index); }
  Value i64(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 64); }
  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 32); }
  Value f32(double v) { return arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat((float)v)); }

  /// Leading dimension and batch stride (i64) of `memref` with `layout`.
  std::pair<Value, Value> getStrides(Value memref, const OperandLayout &layout) {
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
    unsigned ldPos = layout.transposed ? layout.colPos : layout.rowPos;
    Value ld = meta.getStrides()[ldPos];
    // A matrix of one row (or column) may carry any stride there; cuBLASLt
    // still wants ld >= the other extent.
    Value minLd = memref::DimOp::create(b, loc, memref, layout.transposed ? layout.rowPos
                                                                          : layout.colPos);
    ld = arith::MaxUIOp::create(b, loc, ld, minLd);
    Value batchStride = layout.batchPos ? i64(meta.getStrides()[*layout.batchPos]) : i64(0);
    return {i64(ld), batchStride};
  }

private:
  OpBuilder &b;
  Location loc;
};

void rewriteGemm(linalg::LinalgOp op, const GemmMatch &match, func::FuncOp callee) {
  Location loc = op.getLoc();
  OpBuilder b(op);
  GemmEmitter e(b, loc);
  Value a = op.getDpsInputOperand(0)->get();
  Value bm = op.getDpsInputOperand(1)->get();
  Value c = op.getDpsInitOperand(0)->get();
  bool accumulate = true;
  if (linalg::FillOp fill = findZeroFill(op, c)) {
    fill->erase();
    accumulate = false;
  }

  Value batch = match.c.batchPos ? memref::DimOp::create(b, loc, c, *match.c.batchPos).getResult()
                                 : arith::ConstantIndexOp::create(b, loc, 1).getResult();
  Value m = memref::DimOp::create(b, loc, c, match.c.rowPos);
  Value n = memref::DimOp::create(b, loc, c, match.c.colPos);
  Value k = memref::DimOp::create(b, loc, a, match.a.colPos);

  // f16/bf16 products with an f32 result: cuBLASLt writes the operand type
  // (accumulating in f32), then an extension kernel widens into the result.
  Value target = c;
  OperandLayout targetLayout = match.c;
  Value temporary;
  if (match.inputType != match.outputType) {
    auto cType = cast<MemRefType>(c.getType());
    SmallVector<Value> dynamicSizes;
    for (unsigned d = 0; d < cType.getRank(); ++d)
      if (cType.isDynamicDim(d))
        dynamicSizes.push_back(memref::DimOp::create(b, loc, c, d));
    auto tmpType = MemRefType::get(cType.getShape(), match.inputType);
    temporary = memref::AllocOp::create(b, loc, tmpType, dynamicSizes);
    target = temporary;
  }

  auto [lda, strideA] = e.getStrides(a, match.a);
  auto [ldb, strideB] = e.getStrides(bm, match.b);
  auto [ldc, strideC] = e.getStrides(target, targetLayout);
  Value nullPtr = LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()));
  bool beta = accumulate && !temporary;
  SmallVector<Value> args = {
      e.i32(match.dtype), e.i64(batch), e.i64(m), e.i64(n), e.i64(k),
      getDataPointer(b, loc, a), lda, strideA, e.i32(match.a.transposed),
      getDataPointer(b, loc, bm), ldb, strideB, e.i32(match.b.transposed),
      getDataPointer(b, loc, target), ldc, strideC,
      nullPtr, e.f32(1.0), e.f32(beta ? 1.0 : 0.0)};
  func::CallOp::create(b, loc, callee, args);

  if (temporary) {
    // c = ext(tmp) (+ c): a linalg.generic that becomes an elementwise kernel.
    auto cType = cast<MemRefType>(c.getType());
    AffineMap id = b.getMultiDimIdentityMap(cType.getRank());
    SmallVector<utils::IteratorType> iters(cType.getRank(), utils::IteratorType::parallel);
    linalg::GenericOp::create(
        b, loc, ValueRange{temporary}, ValueRange{c}, SmallVector<AffineMap>{id, id}, iters,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value v = arith::ExtFOp::create(nb, nloc, match.outputType, args[0]);
          if (accumulate)
            v = arith::AddFOp::create(nb, nloc, v, args[1]);
          linalg::YieldOp::create(nb, nloc, v);
        });
    memref::DeallocOp::create(b, loc, temporary);
  }
  op->erase();
}

struct CUDALibraryCallsPass : impl::CUDALibraryCallsBase<CUDALibraryCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<linalg::LinalgOp, GemmMatch>> gemms;
    module.walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::GPUModuleOp>())
        return;
      if (FailureOr<GemmMatch> match = matchGemm(op, tf32); succeeded(match))
        gemms.push_back({op, *match});
    });
    if (gemms.empty())
      return;
    func::FuncOp callee = getOrDeclareMatmul(module);
    for (auto &[op, match] : gemms)
      rewriteGemm(op, match, callee);
  }
};

} // namespace
} // namespace thunder::cuda
