//===- AttentionCalls.cpp - fused attention ops -> runtime calls -----------===//
//
// thunder-cuda-attention-calls: after bufferization, thunder.fused_attention
// and thunder.fused_attention_grad on memrefs become calls of the runtime's
// fused kernels (compiler_abi.h):
//
//   call @thunder_cuda_attention_fwd(dtype, B, H, Hkv, L, S, E,
//       q, qB, qH, qL, k, kB, kH, kS, v, vB, vH, vS, o, oB, oH, oL, lse = null,
//       mask_kind, mask, mB, mH, mL, mS, scale, causal)
//   call @thunder_cuda_attention_bwd(..., v, vB, vH, vS, dO, ..., dq, ..., dk, ...,
//       dv, ..., mask_kind, mask, mB, mH, mL, mS, scale, causal)
//
// Pointers are aligned pointer + offset; strides of the leading dims come
// from the memref metadata, so permuted views cost nothing. An operand whose
// last dim is not provably contiguous is copied into a fresh buffer first
// (an output: computed there, then copied back). The mask is addressed over
// [B, H, L, S]: its dims right-aligned, stride 0 where it has extent 1 or no
// dim at all (broadcast).
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "Passes.h"

#include "thunder/Dialect/Thunder/ThunderOps.h"
#include "thunder/Target/Host/CallTemporaries.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDAATTENTIONCALLS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

constexpr llvm::StringLiteral kFwdFn = "thunder_cuda_attention_fwd";
constexpr llvm::StringLiteral kBwdFn = "thunder_cuda_attention_bwd";

/// thunder_mm_dtype codes; the kernels run f32 in f32 (no TF32).
int dtypeCode(Type t) { return t.isF16() ? 1 : t.isBF16() ? 2 : 0; }

/// compiler_abi.h's mask_kind.
int maskKind(Type t) {
  if (t.isF32())
    return 1;
  if (t.isF16())
    return 2;
  if (t.isBF16())
    return 3;
  return 4; // i1: one byte per element
}

bool lastDimContiguous(Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  auto [strides, offset] = type.getStridesAndOffset();
  (void)offset;
  return !strides.empty() && (strides.back() == 1 || type.getShape().back() == 1);
}

struct CallBuilder {
  OpBuilder &b;
  Location loc;
  SmallVector<Value> args;
  SmallVector<Type> types;
  target::CallTemporaries temporaries{b, loc};

  Value i64(Value index) { return arith::IndexCastOp::create(b, loc, b.getI64Type(), index); }
  void push(Value v) {
    args.push_back(v);
    types.push_back(v.getType());
  }
  void pushInt(int64_t v, unsigned bits) {
    push(arith::ConstantIntOp::create(b, loc, b.getIntegerType(bits), v));
  }

  /// A buffer with a contiguous last dim holding `memref` (itself when it
  /// already has one): copied in for inputs, copied back after the call for
  /// outputs.
  Value contiguous(Value memref, bool output) {
    return lastDimContiguous(memref) ? memref : temporaries.compactCopy(memref, output);
  }

  /// Pointer and the strides of the three leading dims.
  void pushTensor(Value memref) {
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
    push(getDataPointer(b, loc, memref));
    for (int i = 0; i < 3; ++i)
      push(i64(meta.getStrides()[i]));
  }

  /// mask_kind, pointer and [B, H, L, S] strides (0 where broadcast).
  void pushMask(Value mask) {
    if (!mask) {
      pushInt(0, 32);
      push(LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext())));
      for (int i = 0; i < 4; ++i)
        pushInt(0, 64);
      return;
    }
    auto type = cast<MemRefType>(mask.getType());
    pushInt(maskKind(type.getElementType()), 32);
    push(getDataPointer(b, loc, mask));
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, mask);
    int64_t rank = type.getRank();
    for (int64_t i = 0; i < 4 - rank; ++i)
      pushInt(0, 64);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    for (int64_t i = 0; i < rank; ++i) {
      Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          meta.getSizes()[i], one);
      push(i64(arith::SelectOp::create(b, loc, isOne, zero, meta.getStrides()[i])));
    }
  }

  /// dtype, B, H, Hkv, L, S, E.
  void pushProblem(Value q, Value k) {
    pushInt(dtypeCode(cast<MemRefType>(q.getType()).getElementType()), 32);
    auto qm = memref::ExtractStridedMetadataOp::create(b, loc, q);
    auto km = memref::ExtractStridedMetadataOp::create(b, loc, k);
    push(i64(qm.getSizes()[0]));
    push(i64(qm.getSizes()[1]));
    push(i64(km.getSizes()[1]));
    push(i64(qm.getSizes()[2]));
    push(i64(km.getSizes()[2]));
    push(i64(qm.getSizes()[3]));
  }

  void pushAttributes(double scale, bool causal) {
    push(arith::ConstantOp::create(b, loc, b.getF32FloatAttr(static_cast<float>(scale))));
    pushInt(causal, 32);
  }

  void call(ModuleOp module, StringRef name) {
    func::FuncOp f = getOrDeclareRuntimeFunction(module, name, types, {});
    func::CallOp::create(b, loc, f, args);
    temporaries.finish();
  }
};

void lower(ModuleOp module, FusedAttentionOp op) {
  OpBuilder b(op);
  CallBuilder cb{b, op.getLoc(), {}, {}};
  Value q = cb.contiguous(op.getQuery(), false), k = cb.contiguous(op.getKey(), false),
        v = cb.contiguous(op.getValue(), false), o = cb.contiguous(op.getOutputs()[0], true);
  cb.pushProblem(q, k);
  cb.pushTensor(q);
  cb.pushTensor(k);
  cb.pushTensor(v);
  cb.pushTensor(o);
  cb.push(LLVM::ZeroOp::create(b, op.getLoc(), LLVM::LLVMPointerType::get(b.getContext())));
  cb.pushMask(op.getMask());
  cb.pushAttributes(op.getScale().convertToDouble(), op.getIsCausal());
  cb.call(module, kFwdFn);
  op.erase();
}

void lower(ModuleOp module, FusedAttentionGradOp op) {
  OpBuilder b(op);
  CallBuilder cb{b, op.getLoc(), {}, {}};
  Value q = cb.contiguous(op.getQuery(), false), k = cb.contiguous(op.getKey(), false),
        v = cb.contiguous(op.getValue(), false), dO = cb.contiguous(op.getGradOutput(), false);
  SmallVector<Value> grads;
  for (Value out : op.getOutputs())
    grads.push_back(cb.contiguous(out, true));
  cb.pushProblem(q, k);
  for (Value x : {q, k, v, dO, grads[0], grads[1], grads[2]})
    cb.pushTensor(x);
  cb.pushMask(op.getMask());
  cb.pushAttributes(op.getScale().convertToDouble(), op.getIsCausal());
  cb.call(module, kBwdFn);
  op.erase();
}

struct CUDAAttentionCallsPass : impl::CUDAAttentionCallsBase<CUDAAttentionCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<FusedAttentionOp, FusedAttentionGradOp>(op) &&
          llvm::all_of(op->getOperandTypes(), [](Type t) { return isa<MemRefType>(t); }))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto fwd = dyn_cast<FusedAttentionOp>(op))
        lower(module, fwd);
      else
        lower(module, cast<FusedAttentionGradOp>(op));
    }
  }
};

} // namespace
} // namespace thunder::cuda
