//===- KernelBuilder.h - building kernel bodies from linalg ops -*- C++ -*-===//
//
// What the kernel strategies of MapToGPU.cpp share: loop sizes, index
// arithmetic, and the emission of a linalg payload at given loop indices
// (loads of the operands it reads, the cloned scalar ops). Also the device
// pointer of a memref and the matching helpers of the library calls.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_TARGET_CUDA_KERNELBUILDER_H
#define THUNDER_LIB_TARGET_CUDA_KERNELBUILDER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"

#include <string>

namespace thunder::cuda {

/// The trip counts of the loops of `op` (index values built at `b`'s point).
llvm::SmallVector<mlir::Value> getLoopSizes(mlir::OpBuilder &b, mlir::Location loc,
                                            mlir::linalg::LinalgOp op);

/// The product of `values` (1 for none).
mlir::Value getProduct(mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<mlir::Value> values);

/// The constant value of an index `v`, if it is one.
std::optional<int64_t> getConstantIndex(mlir::Value v);

/// Splits `linear` into indices over `sizes`, the last fastest.
llvm::SmallVector<mlir::Value> delinearize(mlir::OpBuilder &b, mlir::Location loc,
                                           mlir::Value linear, llvm::ArrayRef<mlir::Value> sizes);

/// The indices that `map` gives for loop indices `ivs`.
llvm::SmallVector<mlir::Value> applyMap(mlir::OpBuilder &b, mlir::Location loc, mlir::AffineMap map,
                                        mlir::ValueRange ivs);

/// Emits the payload of `op` at loop indices `ivs`: loads every operand
/// whose block argument the emitted ops read or that is in `needed`
/// (outputs whose block argument is in `outputValues` take that value
/// instead), clones the payload except the ops in `skip`, and fills
/// `mapping` (block arguments and results of the cloned ops). The caller
/// reads what it needs (yielded values) from it.
void emitPayload(mlir::OpBuilder &b, mlir::Location loc, mlir::linalg::LinalgOp op,
                 mlir::ValueRange ivs, const llvm::DenseMap<mlir::Value, mlir::Value> &outputValues,
                 const llvm::DenseSet<mlir::Operation *> &skip, mlir::IRMapping &mapping,
                 llvm::ArrayRef<mlir::Value> needed = {});

/// The values `op` yields, after emitPayload filled `mapping`.
llvm::SmallVector<mlir::Value> getYielded(mlir::linalg::LinalgOp op, mlir::IRMapping &mapping);

/// Address of the first element of `memref` (aligned pointer + offset) as an
/// `!llvm.ptr`.
mlir::Value getDataPointer(mlir::OpBuilder &b, mlir::Location loc, mlir::Value memref);

//===--- library calls (thunder_cuda_matmul, thunder_cuda_conv) ----------===//

/// Whether the payload of `op` (inputs a, b; output acc) is
/// `yield acc + a * b`, a and b possibly extended (arith.extf).
bool isMulAddBody(mlir::linalg::LinalgOp op);

/// The thunder_mm_dtype (compiler_abi.h) of element type `t` (f32 with or
/// without TF32, f16, bf16, f64).
std::optional<int> getLibraryDtypeCode(mlir::Type t, bool tf32);

/// The value a linalg.fill (named or generalized) writes into every element
/// of its output, when `op` is one.
mlir::Value getFillValue(mlir::Operation *op);

/// The buffer `op` copies whole into another (`target`), when it is a
/// memref.copy or a linalg.copy (named or generalized, identity maps).
mlir::Value getWholeCopySource(mlir::Operation *op, mlir::Value &target);

/// The last op before `op` in its block that uses `buffer`, if any.
mlir::Operation *findPreviousUse(mlir::Operation *op, mlir::Value buffer);

/// The op that last wrote `buffer` before `op` (the first one before it that
/// uses `buffer`), when it is a fill, or a copy into `buffer` of a buffer
/// that a fill wrote with only readers since (one fill that bufferization
/// shared between two consumers); and the filled value.
struct FillBefore {
  mlir::Operation *op = nullptr;
  mlir::Value value;
};
FillBefore findFillBefore(mlir::Operation *op, mlir::Value buffer);

/// findFillBefore's op when its value is a floating-point zero.
mlir::Operation *findZeroFill(mlir::Operation *op, mlir::Value buffer);

/// The private declaration of runtime function `name` in `module` (created
/// at its start when absent).
mlir::func::FuncOp getOrDeclareRuntimeFunction(mlir::ModuleOp module, llvm::StringRef name,
                                               llvm::ArrayRef<mlir::Type> args,
                                               llvm::ArrayRef<mlir::Type> results);

/// A C identifier naming the PyTorch node `loc` comes from ("linear_1"), or
/// "" when the location has no name.
std::string getNodeName(mlir::Location loc);

} // namespace thunder::cuda

#endif
