//===- MLIRInput.cpp - .mlir files as compiler input ----------------------===//
#include "thunder/Driver/MLIRInput.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "thunder/Target/Host/Pipelines.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "thunder/Shard/Passes.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace thunder::driver {

void registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<thunder::ThunderDialect>();
  thunder::shard::registerShardingExternalModels(registry);
  thunder::target::registerCustomCallBufferization(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

namespace {

/// The bytes of `init` (dense elements of `type`), little-endian, bool as one
/// byte per element.
FailureOr<std::vector<uint8_t>> initialBytes(DenseElementsAttr init, RankedTensorType type) {
  if (init.getType().getShape() != type.getShape() ||
      init.getType().getElementType() != type.getElementType())
    return failure();
  int64_t n = type.getNumElements();
  Type elem = type.getElementType();
  if (elem.isInteger(1)) {
    std::vector<uint8_t> out;
    out.reserve(n);
    for (bool b : init.getValues<bool>())
      out.push_back(b ? 1 : 0);
    return out;
  }
  size_t bytes = (elem.getIntOrFloatBitWidth() + 7) / 8;
  ArrayRef<char> raw = init.getRawData();
  std::vector<uint8_t> out(n * bytes);
  if (init.isSplat()) {
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(out.data() + i * bytes, raw.data(), bytes);
  } else {
    if (raw.size() != out.size())
      return failure();
    std::memcpy(out.data(), raw.data(), out.size());
  }
  return out;
}

} // namespace

FailureOr<ImportResult> importMLIRFile(MLIRContext &context, llvm::StringRef path) {
  std::string error;
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buffer) {
    emitError(FileLineColLoc::get(&context, path, 0, 0))
        << "cannot read: " << buffer.getError().message();
    return failure();
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  DialectRegistry registry;
  registerCompilerDialects(registry);
  context.appendDialectRegistry(registry);
  ImportResult result;
  result.module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!result.module)
    return failure();
  if (failed(verify(*result.module)))
    return failure();
  auto forward = result.module->lookupSymbol<func::FuncOp>("forward");
  if (!forward) {
    emitError(result.module->getLoc()) << "the module has no func.func @forward";
    return failure();
  }
  for (unsigned i = 0, e = forward.getNumArguments(); i < e; ++i) {
    auto kind = forward.getArgAttrOfType<StringAttr>(i, "thunder.kind");
    auto name = forward.getArgAttrOfType<StringAttr>(i, "thunder.name");
    if (!kind || !name || kind.getValue() == "input")
      continue;
    auto type = dyn_cast<RankedTensorType>(forward.getArgument(i).getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
      continue; // describeModel reports it
    std::vector<uint8_t> bytes;
    if (auto init = forward.getArgAttrOfType<DenseElementsAttr>(i, "thunder.init")) {
      auto b = initialBytes(init, type);
      if (failed(b)) {
        emitError(forward.getArgument(i).getLoc())
            << "thunder.init of argument #" << i << " does not match its type " << type;
        return failure();
      }
      bytes = std::move(*b);
      forward.removeArgAttr(i, "thunder.init");
    } else {
      size_t elemBytes = (type.getElementType().getIntOrFloatBitWidth() + 7) / 8;
      bytes.assign(type.getNumElements() * elemBytes, 0);
    }
    result.weights.bytes[name.str()] = std::move(bytes);
  }
  return result;
}

} // namespace thunder::driver
