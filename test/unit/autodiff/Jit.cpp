//===- Jit.cpp - lower a module with backward and call it in-process ------===//
#include "Jit.h"

#include "thunder/Autodiff/VJPInterfaces.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

using namespace mlir;

namespace thunder::testing {

void registerEverything(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<thunder::ThunderDialect>();
  thunder::autodiff::registerVJPExternalModels(registry);
}

std::vector<int64_t> descriptor(void *data, const std::vector<int64_t> &shape) {
  int64_t ptr = reinterpret_cast<int64_t>(data);
  std::vector<int64_t> words = {ptr, ptr, 0};
  words.insert(words.end(), shape.begin(), shape.end());
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= shape[i];
  }
  words.insert(words.end(), strides.begin(), strides.end());
  return words;
}

std::vector<double> readFloats(const int64_t *words, int64_t rank,
                               int elementBytes) {
  auto *aligned = reinterpret_cast<const char *>(words[1]);
  int64_t offset = words[2];
  const int64_t *sizes = words + 3, *strides = words + 3 + rank;
  int64_t n = 1;
  for (int64_t i = 0; i < rank; ++i)
    n *= sizes[i];
  std::vector<double> out(n);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat, at = offset;
    for (int64_t i = rank - 1; i >= 0; --i) {
      at += (rem % sizes[i]) * strides[i];
      rem /= sizes[i];
    }
    if (elementBytes == 8) {
      double d;
      std::memcpy(&d, aligned + at * 8, 8);
      out[flat] = d;
    } else {
      float f;
      std::memcpy(&f, aligned + at * 4, 4);
      out[flat] = f;
    }
  }
  return out;
}

bool JitModule::build(ModuleOp module, std::string &error) {
  MLIRContext *ctx = module.getContext();
  for (StringRef name : {"forward", "backward"})
    if (auto f = module.lookupSymbol<func::FuncOp>(name))
      f->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  PassManager pm(ctx);
  std::string pipeline =
      "thunder-lower-to-linalg,canonicalize,cse,"
      "eliminate-empty-tensors,empty-tensor-to-alloc-tensor,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map "
      "unknown-type-conversion=identity-layout-map},"
      "canonicalize,convert-bufferization-to-memref,"
      "func.func(convert-linalg-to-loops),lower-affine,convert-scf-to-cf,"
      "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
      "convert-math-to-llvm,convert-math-to-libm,convert-math-to-funcs,"
      "convert-arith-to-llvm,convert-index-to-llvm,convert-func-to-llvm,"
      "convert-cf-to-llvm,reconcile-unrealized-casts";
  std::string parseError;
  llvm::raw_string_ostream es(parseError);
  if (failed(parsePassPipeline(pipeline, pm, es))) {
    error = "bad pipeline: " + parseError;
    return false;
  }
  if (failed(pm.run(module))) {
    error = "lowering failed";
    return false;
  }
  if (getenv("THUNDER_VJP_DUMP"))
    module.print(llvm::errs());
  ExecutionEngineOptions options;
  SmallVector<StringRef> libs = {THUNDER_C_RUNNER_UTILS};
  options.sharedLibPaths = libs;
  auto created = ExecutionEngine::create(module, options);
  if (!created) {
    error = "JIT: " + llvm::toString(created.takeError());
    return false;
  }
  engine = std::move(*created);
  return true;
}

std::vector<int64_t> JitModule::call(const std::string &name,
                                     std::vector<int64_t *> args,
                                     const std::vector<int64_t> &resultRanks) {
  size_t words = 0;
  for (int64_t r : resultRanks)
    words += 3 + 2 * r;
  std::vector<int64_t> results(words);
  void *resultPtr = results.data();
  SmallVector<void *> packed = {&resultPtr};
  for (int64_t *&a : args)
    packed.push_back(&a);
  if (llvm::Error err = engine->invokePacked("_mlir_ciface_" + name, packed)) {
    ADD_FAILURE() << llvm::toString(std::move(err));
    return {};
  }
  return results;
}

size_t resultOffset(const std::vector<int64_t> &ranks, size_t k) {
  size_t off = 0;
  for (size_t i = 0; i < k; ++i)
    off += 3 + 2 * ranks[i];
  return off;
}

} // namespace thunder::testing
