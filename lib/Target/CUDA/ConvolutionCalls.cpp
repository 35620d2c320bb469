//===- ConvolutionCalls.cpp - convolutions to thunder_cuda_conv (cuDNN) ---===//
//
// thunder-cuda-convolution-calls: each convolution generic on memrefs
// (Convolution.h) is preceded by a call of the runtime's cuDNN convolution,
// and runs only when that call says it did not compute the result:
//
//   %r = call @thunder_cuda_conv(dtype, spatial, n, c, k, groups, in0..2,
//                                win0..2, out0..2, pad0..2, stride0..2,
//                                dil0..2, x, w, y) : (...) -> i32
//   scf.if %r == 0 { [pad: zero fill, copy into the interior] ; zero fill of y ; generic }
//
// (with a temporary result: scf.if %r != 0 { y = widen(temporary) } else { ... })
//
// The lowering pads by filling a buffer with zeros and copying the input
// into its interior. When that buffer serves only this convolution and the
// unpadded input is intact at the convolution (nothing in between may write
// it: the memory plan can give its bytes to a later temporary), cuDNN reads
// the unpadded input with the padding as its own, and the fill and copy move
// into the fallback branch; otherwise cuDNN reads the padded buffer. A
// non-contiguous operand is copied first; a result that is not contiguous,
// or of another type (f16/bf16 convolutions accumulate into f32), is
// computed into a temporary and written back in the `then` branch.
//
//===----------------------------------------------------------------------===//
#include "Convolution.h"
#include "KernelBuilder.h"
#include "Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace thunder::cuda {
#define GEN_PASS_DEF_CUDACONVOLUTIONCALLS
#include "CUDAPasses.h.inc"
} // namespace thunder::cuda

using namespace mlir;

namespace thunder::cuda {
namespace {

constexpr llvm::StringLiteral kConvFn = "thunder_cuda_conv";

func::FuncOp getOrDeclareConv(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Type i32 = IntegerType::get(ctx, 32), i64 = IntegerType::get(ctx, 64);
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> args = {i32, i32};  // dtype, spatial dims
  args.append(4 + 6 * 3, i64);         // n, c, k, groups; in, win, out, pad, stride, dil (x3)
  args.append(3, ptr);                 // x, w, y
  return getOrDeclareRuntimeFunction(module, kConvFn, args, {i32});
}

/// Compact row-major (any stride on a dimension of extent 1), provably.
bool isContiguous(MemRefType type) {
  if (type.getLayout().isIdentity())
    return true;
  auto [strides, offset] = type.getStridesAndOffset();
  (void)offset;
  int64_t expected = 1;
  for (int64_t i = type.getRank() - 1; i >= 0; --i) {
    int64_t size = type.getDimSize(i);
    if (size == 1)
      continue;
    if (ShapedType::isDynamic(size) || strides[i] != expected)
      return false;
    expected *= size;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Which bytes a buffer occupies, for the "intact" check
//===----------------------------------------------------------------------===//

/// The allocation a buffer is a view of and, for a static view of an arena
/// (memref.view at a constant offset), the bytes [first, last) it covers.
struct Place {
  Value root;
  std::optional<std::pair<int64_t, int64_t>> bytes;
};

Place placeOf(Value v) {
  Place p;
  while (Operation *def = v.getDefiningOp()) {
    if (auto view = dyn_cast<memref::ViewOp>(def)) {
      std::optional<int64_t> shift = getConstantIntValue(view.getByteShift());
      MemRefType type = view.getType();
      if (!p.bytes && shift && type.hasStaticShape())
        p.bytes = {*shift, *shift + type.getNumElements() *
                                        ((type.getElementTypeBitWidth() + 7) / 8)};
      v = view.getSource();
      continue;
    }
    if (auto like = dyn_cast<ViewLikeOpInterface>(def)) {
      v = like.getViewSource();
      continue;
    }
    break;
  }
  p.root = v;
  return p;
}

/// Values that are distinct allocations of their own: arguments of the
/// function (never written by it), allocations, constants.
bool isAllocation(Value v) {
  if (isa<BlockArgument>(v))
    return isa<func::FuncOp>(cast<BlockArgument>(v).getOwner()->getParentOp());
  return v.getDefiningOp<memref::AllocOp>() || v.getDefiningOp<memref::GetGlobalOp>();
}

bool mayAlias(Value a, Value b) {
  Place pa = placeOf(a), pb = placeOf(b);
  if (pa.root != pb.root)
    return !(isAllocation(pa.root) && isAllocation(pb.root));
  if (pa.bytes && pb.bytes)
    return pa.bytes->first < pb.bytes->second && pb.bytes->first < pa.bytes->second;
  return true;
}

/// Whether nothing strictly between `from` and `to` (one block), other than
/// the ops in `skip`, may write or free `buffer`, and `written` (what the
/// call writes) does not alias it.
bool isIntact(Value buffer, Operation *from, Operation *to,
              const llvm::SmallPtrSetImpl<Operation *> &skip, Value written) {
  if (mayAlias(buffer, written))
    return false;
  for (Operation *op = from->getNextNode(); op && op != to; op = op->getNextNode()) {
    if (skip.contains(op))
      continue;
    std::optional<SmallVector<MemoryEffects::EffectInstance>> effects = getEffectsRecursively(op);
    if (!effects)
      return false;
    for (const MemoryEffects::EffectInstance &e : *effects) {
      if (!isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect()))
        continue;
      if (!e.getValue() || mayAlias(e.getValue(), buffer))
        return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// The zero initial value of the result
//===----------------------------------------------------------------------===//

/// What makes the result zero before the convolution accumulates into it: a
/// zero fill, or a copy of a zero-filled buffer (bufferization's copy of one
/// fill that initialises several results). Movable into the fallback branch
/// when it is the fill and nothing between it and the convolution uses the
/// buffer (others may read the zeros: then it stays, and cuDNN overwrites).
struct ZeroInit {
  Operation *op = nullptr;
  bool movable = false;
};

std::optional<ZeroInit> findZeroInit(Operation *op, Value buffer) {
  bool movable = true;
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev); fill && fill.getOutputs()[0] == buffer) {
      if (!matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
        return std::nullopt;
      return ZeroInit{fill, movable};
    }
    if (auto copy = dyn_cast<memref::CopyOp>(prev); copy && copy.getTarget() == buffer) {
      if (!findZeroInit(copy, copy.getSource()))
        return std::nullopt;
      return ZeroInit{copy, false};
    }
    if (!llvm::is_contained(prev->getOperands(), buffer))
      continue;
    // Only readers of the zeros may come between.
    auto effects = dyn_cast<MemoryEffectOpInterface>(prev);
    if (!effects)
      return std::nullopt;
    SmallVector<MemoryEffects::EffectInstance> onBuffer;
    effects.getEffectsOnValue(buffer, onBuffer);
    if (llvm::any_of(onBuffer, [](const MemoryEffects::EffectInstance &e) {
          return !isa<MemoryEffects::Read>(e.getEffect());
        }))
      return std::nullopt;
    movable = false;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The lowering's zero padding
//===----------------------------------------------------------------------===//

/// Whether `op` fills `buffer` with zeros (linalg.fill, or the linalg.map of
/// a bufferized tensor.pad yielding a zero).
bool isZeroFillOf(Operation *op, Value buffer) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.getOutputs()[0] == buffer && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
  auto map = dyn_cast<linalg::MapOp>(op);
  if (!map || map.getInit() != buffer || !map.getInputs().empty())
    return false;
  Value yielded = map.getMapper().front().getTerminator()->getOperand(0);
  return matchPattern(yielded, m_AnyZeroFloat());
}

/// A padded input: `padded` zero-filled by `fill`, `source` copied by `copy`
/// into its interior at offsets `low` (spatial dims; 0 elsewhere), nothing else using
/// `padded` but the convolution (through `view`, the grouping expand_shape,
/// if any) and deallocations.
struct Pad {
  Value padded, source;
  SmallVector<int64_t> low;
  Operation *fill = nullptr, *copy = nullptr;
};

std::optional<Pad> matchPad(Value input, Operation *conv, unsigned spatial) {
  Pad p;
  p.padded = input;
  Operation *view = nullptr;
  if (auto expand = input.getDefiningOp<memref::ExpandShapeOp>()) {
    p.padded = expand.getSrc();
    view = expand;
  }
  // (n, c, spatial...) or, padded after the grouping, (n, g, c/g, spatial...).
  auto type = cast<MemRefType>(p.padded.getType());
  int64_t lead = type.getRank() - spatial;
  if (lead != 2 && lead != 3)
    return std::nullopt;
  Block *block = conv->getBlock();
  for (OpOperand &use : p.padded.getUses()) {
    Operation *user = use.getOwner();
    if (user == conv || user == view || isa<memref::DeallocOp>(user))
      continue;
    if (user->getBlock() != block || !user->isBeforeInBlock(conv))
      return std::nullopt;
    if (!p.fill && isZeroFillOf(user, p.padded)) {
      p.fill = user;
      continue;
    }
    auto sub = dyn_cast<memref::SubViewOp>(user);
    if (p.copy || !sub || !sub->hasOneUse())
      return std::nullopt;
    Operation *copy = *sub->getUsers().begin();
    if (auto c = dyn_cast<memref::CopyOp>(copy); c && c.getTarget() == sub.getResult())
      p.source = c.getSource();
    else if (auto c = dyn_cast<linalg::CopyOp>(copy); c && c.getOutputs()[0] == sub.getResult())
      p.source = c.getInputs()[0];
    else
      return std::nullopt;
    if (copy->getBlock() != block || !copy->isBeforeInBlock(conv) ||
        !llvm::all_of(sub.getStaticStrides(), [](int64_t s) { return s == 1; }))
      return std::nullopt;
    ArrayRef<int64_t> offsets = sub.getStaticOffsets();
    if (llvm::any_of(offsets, ShapedType::isDynamic) ||
        llvm::any_of(offsets.take_front(lead), [](int64_t o) { return o != 0; }) ||
        cast<MemRefType>(p.source.getType()).getRank() != type.getRank())
      return std::nullopt;
    p.low.assign(offsets.begin() + lead, offsets.end());
    p.copy = copy;
  }
  if (view && !view->hasOneUse())
    return std::nullopt;
  if (!p.fill || !p.copy || !p.fill->isBeforeInBlock(p.copy))
    return std::nullopt;
  return p;
}

//===----------------------------------------------------------------------===//
// The rewrite
//===----------------------------------------------------------------------===//

class ConvRewriter {
public:
  ConvRewriter(linalg::GenericOp op, const ConvLoops &loops, int dtype, ZeroInit init,
               func::FuncOp callee)
      : op(op), loops(loops), dtype(dtype), init(init), callee(callee), b(op), loc(op.getLoc()) {}
  void rewrite();

private:
  Value i64(Value index) { return arith::IndexCastOp::create(b, loc, b.getI64Type(), index); }
  Value i64(int64_t v) { return arith::ConstantIntOp::create(b, loc, b.getI64Type(), v); }
  /// A contiguous buffer of `v`'s shape and element type `elementType`;
  /// with `copyIn`, holding v's values.
  Value makeContiguous(Value v, Type elementType, bool copyIn);
  /// The extent of `v`'s dim `d` (index).
  Value dim(Value v, int64_t d) {
    return b.createOrFold<memref::DimOp>(loc, v, arith::ConstantIndexOp::create(b, loc, d));
  }

  linalg::GenericOp op;
  const ConvLoops &loops;
  int dtype;
  ZeroInit init;
  func::FuncOp callee;
  OpBuilder b;
  Location loc;
  SmallVector<Value> temporaries;
};

Value ConvRewriter::makeContiguous(Value v, Type elementType, bool copyIn) {
  auto type = cast<MemRefType>(v.getType());
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamic.push_back(dim(v, d));
  Value buffer =
      memref::AllocOp::create(b, loc, MemRefType::get(type.getShape(), elementType), dynamic);
  temporaries.push_back(buffer);
  if (copyIn)
    linalg::CopyOp::create(b, loc, v, buffer);
  return buffer;
}

void ConvRewriter::rewrite() {
  unsigned k = loops.numSpatial();
  Value input = op.getDpsInputOperand(0)->get();
  Value weight = op.getDpsInputOperand(1)->get();
  Value output = op.getDpsInitOperand(0)->get();
  Type inType = getElementTypeOrSelf(input.getType());
  Type outType = getElementTypeOrSelf(output.getType());
  SmallVector<Range> ranges = cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc);
  auto size = [&](unsigned d) { return getValueOrCreateConstantIndexOp(b, loc, ranges[d].size); };

  // The input cuDNN reads: the unpadded one with cuDNN's padding, when the
  // padding is the lowering's and symmetric (statically, where known), the
  // unpadded buffer contiguous and intact at the convolution; else the
  // convolution's own operand.
  Value x = input;
  SmallVector<int64_t> pad(k, 0);
  llvm::SmallPtrSet<Operation *, 4> moved;
  if (std::optional<Pad> p = matchPad(input, op, k)) {
    auto source = cast<MemRefType>(p->source.getType());
    bool symmetric = true;
    SmallVector<int64_t> staticRanges = op.getStaticLoopRanges();
    for (unsigned i = 0; i < k; ++i) {
      int64_t in = source.getDimSize(source.getRank() - k + i), win = staticRanges[loops.win[i]],
              out = staticRanges[loops.out[i]];
      if (!ShapedType::isDynamic(in) && !ShapedType::isDynamic(win) &&
          !ShapedType::isDynamic(out))
        symmetric &= (in + 2 * p->low[i] - loops.dilation[i] * (win - 1) - 1) / loops.stride[i] +
                         1 ==
                     out;
    }
    llvm::SmallPtrSet<Operation *, 4> skip = {p->fill, init.op};
    if (symmetric && isContiguous(source) &&
        isIntact(p->source, p->copy, op, skip, output)) {
      x = p->source;
      pad = p->low;
      moved = {p->fill, p->copy};
    }
  }
  if (!isContiguous(cast<MemRefType>(x.getType())))
    x = makeContiguous(x, inType, /*copyIn=*/true);
  Value w = isContiguous(cast<MemRefType>(weight.getType()))
                ? weight
                : makeContiguous(weight, inType, /*copyIn=*/true);
  bool resultInTemporary =
      inType != outType || !isContiguous(cast<MemRefType>(output.getType()));
  Value y = resultInTemporary ? makeContiguous(output, inType, /*copyIn=*/false) : output;

  // Sizes: channels and groups from the loops, input extents from x.
  Value groups = loops.g ? size(*loops.g) : arith::ConstantIndexOp::create(b, loc, 1).getResult();
  Value c = b.createOrFold<arith::MulIOp>(loc, groups, size(loops.c));
  Value kOut = b.createOrFold<arith::MulIOp>(loc, groups, size(loops.o));
  int64_t xRank = cast<MemRefType>(x.getType()).getRank();
  SmallVector<Value> args = {
      arith::ConstantIntOp::create(b, loc, b.getI32Type(), dtype),
      arith::ConstantIntOp::create(b, loc, b.getI32Type(), k),
      i64(size(loops.n)), i64(c), i64(kOut), i64(groups)};
  auto perDim = [&](llvm::function_ref<Value(unsigned)> f, int64_t absent) {
    for (unsigned i = 0; i < 3; ++i)
      args.push_back(i < k ? f(i) : i64(absent));
  };
  perDim([&](unsigned i) { return i64(dim(x, xRank - k + i)); }, 1);
  perDim([&](unsigned i) { return i64(size(loops.win[i])); }, 1);
  perDim([&](unsigned i) { return i64(size(loops.out[i])); }, 1);
  perDim([&](unsigned i) { return i64(pad[i]); }, 0);
  perDim([&](unsigned i) { return i64(loops.stride[i]); }, 1);
  perDim([&](unsigned i) { return i64(loops.dilation[i]); }, 1);
  args.push_back(getDataPointer(b, loc, x));
  args.push_back(getDataPointer(b, loc, w));
  args.push_back(getDataPointer(b, loc, y));
  Value done = func::CallOp::create(b, loc, callee, args).getResult(0);
  Value zero = arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0);
  // scf.if (done) { widen } else { fallback }, or scf.if (!done) { fallback }.
  Value cond = arith::CmpIOp::create(
      b, loc, resultInTemporary ? arith::CmpIPredicate::ne : arith::CmpIPredicate::eq, done, zero);
  auto branch = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/resultInTemporary);
  Block *fallbackBlock = resultInTemporary ? branch.elseBlock() : branch.thenBlock();

  if (resultInTemporary) {
    // output = widen(y): an elementwise kernel.
    b.setInsertionPoint(branch.thenBlock()->getTerminator());
    unsigned rank = cast<MemRefType>(output.getType()).getRank();
    SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    linalg::GenericOp::create(b, loc, ValueRange{y}, ValueRange{output}, maps, iters,
                              [&](OpBuilder &nb, Location nloc, ValueRange values) {
                                Value v = values[0];
                                if (inType != outType)
                                  v = arith::ExtFOp::create(nb, nloc, outType, v);
                                linalg::YieldOp::create(nb, nloc, v);
                              });
  }
  // The fallback, in the original order; the fill right before the
  // convolution (the kernel mapping folds it into the reduction).
  Operation *elseEnd = fallbackBlock->getTerminator();
  SmallVector<Operation *> fallback(moved.begin(), moved.end());
  llvm::sort(fallback, [](Operation *l, Operation *r) { return l->isBeforeInBlock(r); });
  for (Operation *o : fallback)
    o->moveBefore(elseEnd);
  if (init.movable)
    init.op->moveBefore(elseEnd);
  op->moveBefore(elseEnd);
  b.setInsertionPointAfter(branch);
  for (Value t : temporaries)
    memref::DeallocOp::create(b, loc, t);
}

struct CUDAConvolutionCallsPass : impl::CUDAConvolutionCallsBase<CUDAConvolutionCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    struct Match {
      linalg::GenericOp op;
      ConvLoops loops;
      int dtype;
      ZeroInit init;
    };
    SmallVector<Match, 4> convs;
    module.walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<gpu::GPUModuleOp>() || !op.hasPureBufferSemantics() ||
          !isa<func::FuncOp>(op->getParentOp()))
        return;
      std::optional<ConvLoops> loops = matchConvolution(op);
      if (!loops || loops->numSpatial() > 3 || !isMulAddBody(op))
        return;
      // Small convolutions are faster as a generated kernel than as a call.
      int64_t macs = 1;
      for (int64_t range : op.getStaticLoopRanges())
        macs = ShapedType::isDynamic(range) || ShapedType::isDynamic(macs)
                   ? ShapedType::kDynamic
                   : macs * range;
      if (!ShapedType::isDynamic(macs) && macs < minMacs)
        return;
      Type in = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
      Type w = getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType());
      Type out = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
      if (in != w || (in != out && !((in.isBF16() || in.isF16()) && out.isF32())))
        return;
      std::optional<int> dtype = getLibraryDtypeCode(in, tf32);
      // cuDNN writes the result (beta = 0): it must start from zeros.
      std::optional<ZeroInit> init = findZeroInit(op, op.getDpsInitOperand(0)->get());
      if (!dtype || !init)
        return;
      convs.push_back({op, *loops, *dtype, *init});
    });
    if (convs.empty())
      return;
    func::FuncOp callee = getOrDeclareConv(module);
    for (Match &m : convs)
      ConvRewriter(m.op, m.loops, m.dtype, m.init, callee).rewrite();
  }
};

} // namespace
} // namespace thunder::cuda
