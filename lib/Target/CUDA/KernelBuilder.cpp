//===- KernelBuilder.cpp - building kernel bodies from linalg ops ---------===//
#include "KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "thunder/runtime/compiler_abi.h"

using namespace mlir;

namespace thunder::cuda {

SmallVector<Value> getLoopSizes(OpBuilder &b, Location loc, linalg::LinalgOp op) {
  SmallVector<Value> sizes;
  for (Range r : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  return sizes;
}

std::optional<int64_t> getConstantIndex(Value v) { return getConstantIntValue(v); }

Value getProduct(OpBuilder &b, Location loc, ArrayRef<Value> values) {
  Value product;
  for (Value v : values)
    product = product ? b.createOrFold<arith::MulIOp>(loc, product, v) : v;
  return product ? product : arith::ConstantIndexOp::create(b, loc, 1).getResult();
}

SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear, ArrayRef<Value> sizes) {
  if (sizes.empty())
    return {};
  if (sizes.size() == 1)
    return {linear};
  SmallVector<OpFoldResult> basis;
  for (Value s : sizes)
    basis.push_back(getAsOpFoldResult(s));
  auto op = affine::AffineDelinearizeIndexOp::create(b, loc, linear, basis, /*hasOuterBound=*/true);
  return SmallVector<Value>(op.getResults().begin(), op.getResults().end());
}

SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map, ValueRange ivs) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      indices.push_back(ivs[d.getPosition()]);
    } else if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      indices.push_back(arith::ConstantIndexOp::create(b, loc, c.getValue()));
    } else {
      AffineMap sub = AffineMap::get(map.getNumDims(), map.getNumSymbols(), e);
      indices.push_back(affine::AffineApplyOp::create(b, loc, sub, ivs));
    }
  }
  return indices;
}

void emitPayload(OpBuilder &b, Location loc, linalg::LinalgOp op, ValueRange ivs,
                 const DenseMap<Value, Value> &outputValues, const DenseSet<Operation *> &skip,
                 IRMapping &mapping, ArrayRef<Value> needed) {
  Block *body = op.getBlock();
  auto isRead = [&](BlockArgument arg) {
    return llvm::is_contained(needed, Value(arg)) || llvm::any_of(arg.getUsers(), [&](Operation *user) {
      Operation *top = body->findAncestorOpInBlock(*user);
      return !top || !skip.contains(top);
    });
  };
  for (OpOperand &operand : op->getOpOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(&operand);
    if (auto it = outputValues.find(arg); it != outputValues.end()) {
      mapping.map(arg, it->second);
      continue;
    }
    if (!isRead(arg))
      continue;
    Value v = operand.get();
    if (!isa<MemRefType>(v.getType())) {
      mapping.map(arg, v); // a scalar operand
      continue;
    }
    SmallVector<Value> indices = applyMap(b, loc, op.getMatchingIndexingMap(&operand), ivs);
    mapping.map(arg, memref::LoadOp::create(b, loc, v, indices));
  }
  for (Operation &o : body->without_terminator()) {
    if (skip.contains(&o))
      continue;
    if (auto index = dyn_cast<linalg::IndexOp>(o)) {
      mapping.map(index.getResult(), ivs[index.getDim()]);
      continue;
    }
    b.clone(o, mapping);
  }
}

SmallVector<Value> getYielded(linalg::LinalgOp op, IRMapping &mapping) {
  SmallVector<Value> values;
  for (Value v : op.getBlock()->getTerminator()->getOperands())
    values.push_back(mapping.lookupOrDefault(v));
  return values;
}

Value getDataPointer(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value aligned = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  unsigned bytes = (type.getElementTypeBitWidth() + 7) / 8;
  Value offsetBytes = arith::MulIOp::create(b, loc, meta.getOffset(),
                                            arith::ConstantIndexOp::create(b, loc, bytes));
  Value address = arith::AddIOp::create(b, loc, aligned, offsetBytes);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
  return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
}

/// `v`, seen through extensions (arith.extf).
static Value stripExtensions(Value v) {
  while (auto ext = v.getDefiningOp<arith::ExtFOp>())
    v = ext.getIn();
  return v;
}

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

std::optional<int> getLibraryDtypeCode(Type t, bool tf32) {
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

Value getFillValue(Operation *op) {
  auto fill = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!fill || fill.getNumDpsInputs() != 1 || fill.getNumDpsInits() != 1 ||
      !fill.isAllParallelLoops() || !fill.hasPureBufferSemantics())
    return {};
  OpOperand *in = fill.getDpsInputOperand(0);
  if (isa<ShapedType>(in->get().getType()))
    return {};
  Block *body = fill.getBlock();
  if (!llvm::hasSingleElement(*body) ||
      body->getTerminator()->getOperand(0) != fill.getMatchingBlockArgument(in))
    return {};
  return in->get();
}

Value getWholeCopySource(Operation *op, Value &target) {
  if (auto copy = dyn_cast_or_null<memref::CopyOp>(op)) {
    target = copy.getTarget();
    return copy.getSource();
  }
  auto copy = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!copy || copy.getNumDpsInputs() != 1 || copy.getNumDpsInits() != 1 ||
      !copy.isAllParallelLoops() || !copy.hasPureBufferSemantics())
    return {};
  OpOperand *in = copy.getDpsInputOperand(0);
  OpOperand *out = copy.getDpsInitOperand(0);
  Block *body = copy.getBlock();
  if (!llvm::hasSingleElement(*body) ||
      body->getTerminator()->getOperand(0) != copy.getMatchingBlockArgument(in) ||
      !copy.getMatchingIndexingMap(in).isIdentity() ||
      !copy.getMatchingIndexingMap(out).isIdentity() ||
      in->get().getType() != out->get().getType())
    return {};
  target = out->get();
  return in->get();
}

namespace {
/// The constant a fill wrote into `buffer` before `op`, when the ops in
/// between only read it.
Value findFillValueBefore(Operation *op, Value buffer) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (!llvm::is_contained(prev->getOperands(), buffer))
      continue;
    Value target;
    if (getWholeCopySource(prev, target) == buffer && target != buffer)
      continue; // a reader
    auto linalgOp = dyn_cast<linalg::LinalgOp>(prev);
    if (linalgOp && !llvm::is_contained(linalgOp.getDpsInits(), buffer))
      continue; // a reader
    Value value = getFillValue(prev);
    return value && linalgOp.getDpsInitOperand(0)->get() == buffer ? value : Value();
  }
  return {};
}
} // namespace

Operation *findPreviousUse(Operation *op, Value buffer) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode())
    if (llvm::is_contained(prev->getOperands(), buffer))
      return prev;
  return nullptr;
}

FillBefore findFillBefore(Operation *op, Value buffer) {
  Operation *prev = findPreviousUse(op, buffer);
  if (!prev)
    return {};
  if (Value value = getFillValue(prev);
      value && cast<linalg::LinalgOp>(prev).getDpsInitOperand(0)->get() == buffer)
    return {prev, value};
  // One fill that bufferization shared between two consumers: the copy of
  // the filled buffer is as good as a fill.
  Value target;
  if (Value source = getWholeCopySource(prev, target); source && target == buffer &&
                                                       source != buffer)
    if (Value value = findFillValueBefore(prev, source))
      return {prev, value};
  return {};
}

Operation *findZeroFill(Operation *op, Value buffer) {
  FillBefore fill = findFillBefore(op, buffer);
  return fill.op && matchPattern(fill.value, m_AnyZeroFloat()) ? fill.op : nullptr;
}

func::FuncOp getOrDeclareRuntimeFunction(ModuleOp module, StringRef name, ArrayRef<Type> args,
                                         ArrayRef<Type> results) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name,
                                FunctionType::get(module.getContext(), args, results));
  f.setPrivate();
  return f;
}

std::string getNodeName(Location loc) {
  std::string name;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l)) {
      name = n.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  std::string id;
  for (char c : name) {
    if (id.size() >= 48)
      break;
    id += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  }
  return id;
}

} // namespace thunder::cuda
