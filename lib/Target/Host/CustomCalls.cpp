//===- CustomCalls.cpp - user operators on buffers -> thunder_custom_call --===//
//
// The bufferization of thunder.custom_call (its results become new buffers
// that the op on buffers writes) and thunder-custom-calls, which makes the op
// on buffers a call of the runtime (compiler_abi.h):
//
//   thunder_custom_call(&thunder_custom_NS_NAME, "custom operator NS::NAME
//                       (thunder_custom_NS_NAME)", table, #in, #out, #scalars)
//
// The table is a stack array of 64-bit words the runtime turns into DLTensors
// and thunder_scalars; the user's function is only named here, so the link
// (thunderc --link) decides where it comes from. Shared by every target: on
// CUDA the buffers are device memory and the runtime passes the call's stream.
//
//===----------------------------------------------------------------------===//
#include "thunder/Target/Host/CallTemporaries.h"
#include "thunder/Target/Host/Pipelines.h"
#include "thunder/Target/Passes.h"

#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"

#include "llvm/ADT/bit.h"

namespace thunder::target {
#define GEN_PASS_DEF_CUSTOMCALLS
#include "thunder/Target/Passes.h.inc"
} // namespace thunder::target

using namespace mlir;

namespace thunder::target {
namespace {

constexpr llvm::StringLiteral kRuntimeFn = "thunder_custom_call";

/// Reads its inputs; each result is a new buffer (aliasing nothing).
struct CustomCallBufferization
    : bufferization::BufferizableOpInterface::ExternalModel<CustomCallBufferization,
                                                            CustomCallOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &, const bufferization::AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const bufferization::AnalysisState &) const {
    return false;
  }
  bufferization::AliasingValueList getAliasingValues(Operation *, OpOperand &,
                                                     const bufferization::AnalysisState &) const {
    return {};
  }
  bool bufferizesToAllocation(Operation *, Value) const { return true; }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    auto call = cast<CustomCallOp>(op);
    SmallVector<Value> inputs;
    for (Value in : call.getInputs()) {
      FailureOr<Value> buffer = bufferization::getBuffer(rewriter, in, options, state);
      if (failed(buffer))
        return failure();
      inputs.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    SmallVector<Value> outputs;
    ValueRange sizes = call.getSizes();
    for (Value r : call.getResults()) {
      auto type = cast<RankedTensorType>(r.getType());
      unsigned n = type.getNumDynamicDims();
      FailureOr<Value> alloc = options.createAlloc(
          rewriter, op->getLoc(), MemRefType::get(type.getShape(), type.getElementType()),
          sizes.take_front(n));
      if (failed(alloc))
        return failure();
      sizes = sizes.drop_front(n);
      outputs.push_back(*alloc);
    }
    CustomCallOp::create(rewriter, op->getLoc(), TypeRange{}, call.getCalleeAttr(),
                         call.getOpNameAttr(), inputs, ValueRange{}, outputs,
                         call.getScalarsAttr());
    bufferization::replaceOpWithBufferizedValues(rewriter, op, outputs);
    return success();
  }
};

/// DLDataType {code, bits, lanes} packed as compiler_abi.h says.
int64_t dlDataType(Type t) {
  int64_t code = 0, bits = t.getIntOrFloatBitWidth(); // kDLInt
  if (t.isInteger(1))
    code = 6, bits = 8; // THUNDER_DL_BOOL: one byte per element
  else if (t.isBF16())
    code = 4; // kDLBfloat
  else if (isa<FloatType>(t))
    code = 2; // kDLFloat
  return code | bits << 8 | int64_t{1} << 16;
}

struct TableBuilder {
  OpBuilder &b;
  Location loc;
  SmallVector<Value> words;
  CallTemporaries temporaries{b, loc};

  void word(int64_t v) { words.push_back(arith::ConstantIntOp::create(b, loc, v, 64)); }
  void word(Value index) {
    words.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
  }

  /// `memref` itself when compact row-major, else a compact copy.
  Value compact(Value memref, bool output) {
    if (cast<MemRefType>(memref.getType()).getLayout().isIdentity())
      return memref;
    return temporaries.compactCopy(memref, output);
  }

  /// Data pointer, DLDataType, rank, sizes.
  void tensor(Value memref) {
    auto type = cast<MemRefType>(memref.getType());
    Value aligned = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    word(aligned); // identity layout: offset 0
    word(dlDataType(type.getElementType()));
    word(type.getRank());
    for (int64_t i = 0; i < type.getRank(); ++i)
      word(memref::DimOp::create(b, loc, memref, i).getResult());
  }

  void scalar(Attribute a) {
    if (auto flag = dyn_cast<BoolAttr>(a)) {
      word(2);
      word(flag.getValue());
    } else if (auto f = dyn_cast<FloatAttr>(a)) {
      word(1);
      word(llvm::bit_cast<int64_t>(f.getValueAsDouble()));
    } else {
      word(0);
      word(cast<IntegerAttr>(a).getInt());
    }
  }

  /// The words in a stack array; its address.
  Value table() {
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    Value count = arith::ConstantIntOp::create(b, loc, std::max<size_t>(words.size(), 1), 64);
    Value array = LLVM::AllocaOp::create(b, loc, ptr, b.getI64Type(), count);
    for (auto [i, w] : llvm::enumerate(words)) {
      Value slot = LLVM::GEPOp::create(b, loc, ptr, b.getI64Type(), array,
                                       ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      LLVM::StoreOp::create(b, loc, w, slot);
    }
    return array;
  }
};

/// The address of a NUL-terminated constant string, one global per name.
Value constantString(OpBuilder &b, ModuleOp module, Location loc, StringRef name,
                     StringRef text) {
  auto global = module.lookupSymbol<LLVM::GlobalOp>(name);
  if (!global) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    std::string bytes = text.str() + '\0';
    global = LLVM::GlobalOp::create(
        b, loc, LLVM::LLVMArrayType::get(b.getI8Type(), bytes.size()), /*isConstant=*/true,
        LLVM::Linkage::Internal, name, b.getStringAttr(bytes));
  }
  return LLVM::AddressOfOp::create(b, loc, global);
}

/// The address of the user's function `name` (declared here, defined by the
/// library thunderc --link gives).
Value functionAddress(OpBuilder &b, ModuleOp module, Location loc, StringRef name) {
  auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
  if (!fn) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    auto i64 = b.getI64Type();
    auto type = LLVM::LLVMFunctionType::get(b.getI32Type(), {ptr, i64, ptr, i64, ptr, i64, ptr});
    fn = LLVM::LLVMFuncOp::create(b, loc, name, type);
  }
  return LLVM::AddressOfOp::create(b, loc, fn);
}

func::FuncOp runtimeFunction(ModuleOp module, OpBuilder &b) {
  if (auto f = module.lookupSymbol<func::FuncOp>(kRuntimeFn))
    return f;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto i64 = b.getI64Type();
  auto f = func::FuncOp::create(b, module.getLoc(), kRuntimeFn,
                                b.getFunctionType({ptr, ptr, ptr, i64, i64, i64}, {}));
  f.setPrivate();
  return f;
}

void lower(ModuleOp module, CustomCallOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  TableBuilder t{b, loc, {}};
  SmallVector<Value> inputs, outputs;
  for (Value in : op.getInputs())
    inputs.push_back(t.compact(in, false));
  for (Value out : op.getOutputs())
    outputs.push_back(t.compact(out, true));
  for (Value v : llvm::concat<Value>(inputs, outputs))
    t.tensor(v);
  for (Attribute a : op.getScalars())
    t.scalar(a);
  Value table = t.table();
  StringRef callee = op.getCallee();
  Value fn = functionAddress(b, module, loc, callee);
  Value what = constantString(b, module, loc, ("thunder_what_" + callee).str(),
                              ("custom operator " + op.getOpName() + " (" + callee + ")").str());
  auto count = [&](size_t n) { return arith::ConstantIntOp::create(b, loc, n, 64); };
  func::CallOp::create(b, loc, runtimeFunction(module, b),
                       ValueRange{fn, what, table, count(inputs.size()), count(outputs.size()),
                                  count(op.getScalars().size())});
  t.temporaries.finish();
  op.erase();
}

struct CustomCallsPass : impl::CustomCallsBase<CustomCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<CustomCallOp> calls;
    module.walk([&](CustomCallOp op) { calls.push_back(op); });
    for (CustomCallOp op : calls) {
      if (op.getNumResults() ||
          llvm::any_of(op.getInputs().getTypes(), llvm::IsaPred<RankedTensorType>)) {
        op.emitOpError("is still on tensors: bufferize first");
        return signalPassFailure();
      }
      lower(module, op);
    }
  }
};

} // namespace

void registerCustomCallBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, ThunderDialect *) {
    CustomCallOp::attachInterface<CustomCallBufferization>(*ctx);
  });
}

} // namespace thunder::target
