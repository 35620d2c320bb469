//===- Jit.h - lower a module with backward and call it in-process -*- C++
//-*-===//
//
// The pieces thunder-vjp-tests share: the context setup, the lowering of a
// module (after thunder-autodiff) through the project's
// thunder-lower-to-linalg, one-shot bufferization and the upstream
// conversions to LLVM, and calls through MLIR's ExecutionEngine with memref
// descriptors (MLIR's standard layout, the one docs/model-abi.md describes).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TEST_UNIT_AUTODIFF_JIT_H
#define THUNDER_TEST_UNIT_AUTODIFF_JIT_H

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace thunder::testing {

/// Every dialect, the thunder dialect with its VJP rules, LLVM translations.
void registerEverything(mlir::DialectRegistry &registry);

/// A memref descriptor as 8-byte words: allocated, aligned, offset, sizes,
/// strides (row-major).
std::vector<int64_t> descriptor(void *data, const std::vector<int64_t> &shape);

/// Reads the elements of a result descriptor of rank `rank` (any strides) as
/// doubles, converting from `elementBytes`-wide floats (4 or 8).
std::vector<double> readFloats(const int64_t *words, int64_t rank,
                               int elementBytes);

class JitModule {
public:
  /// Marks @forward/@backward with llvm.emit_c_interface, lowers `module` to
  /// the LLVM dialect and JIT-compiles it; on failure `error` says why.
  bool build(mlir::ModuleOp module, std::string &error);

  /// Calls `name` through its C interface with descriptor pointers `args`;
  /// returns the result block (empty on failure, with a gtest failure).
  std::vector<int64_t> call(const std::string &name,
                            std::vector<int64_t *> args,
                            const std::vector<int64_t> &resultRanks);

private:
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

/// Offset in words of result `k` of a result block with result ranks `ranks`.
size_t resultOffset(const std::vector<int64_t> &ranks, size_t k);

} // namespace thunder::testing

#endif
