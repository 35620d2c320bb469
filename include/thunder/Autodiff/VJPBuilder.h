//===- VJPBuilder.h - what a VJP rule builds backward with ------*- C++ -*-===//
//
// A VJP rule (VJPOpInterface::buildVJP) receives a VJPBuilder: an
// ImplicitLocOpBuilder whose insertion point is the end of @backward and
// whose location is the forward op's, plus the three questions a rule asks
// the transform:
//   primal(v)  the backward counterpart of forward value v (the transform
//              saves it, passes it by reference or recomputes it);
//   wants(v)   whether forward value v needs a cotangent at all;
//   dim(v, i)  extent i of forward tensor v as a backward `index`, found
//              without reading v where possible.
// The helpers below build the thunder ops rules need most, on backward values.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_AUTODIFF_VJPBUILDER_H
#define THUNDER_AUTODIFF_VJPBUILDER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Value.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

namespace thunder::autodiff {

/// A ranked tensor of a floating-point element type.
bool isFloatTensor(mlir::Type type);

class VJPBuilder : public mlir::ImplicitLocOpBuilder {
public:
  using mlir::ImplicitLocOpBuilder::ImplicitLocOpBuilder;
  virtual ~VJPBuilder();

  /// The backward value standing for forward value `v` (a tensor or index).
  virtual mlir::Value primal(mlir::Value v) = 0;
  /// Whether forward value `v` needs a cotangent (it depends on a parameter
  /// or floating input and influences a floating output).
  virtual bool wants(mlir::Value v) = 0;
  /// Extent `i` of forward tensor `v`, as a backward `index` value.
  virtual mlir::Value dim(mlir::Value v, int64_t i) = 0;

  //===--------------------------------------------------------------------===//
  // Helpers on backward values
  //===--------------------------------------------------------------------===//

  /// The backward sizes of the dynamic dimensions of forward tensor `v`.
  llvm::SmallVector<mlir::Value> dynamicSizes(mlir::Value v);
  /// The sizes of the dynamic dimensions of backward tensor `v`.
  llvm::SmallVector<mlir::Value> dynamicSizesOf(mlir::Value v);

  /// A tensor of `type` filled with `value`: a splat constant when static,
  /// else `thunder.full` with `sizes`.
  mlir::Value splat(mlir::RankedTensorType type, double value,
                    mlir::ValueRange sizes = {});
  /// A tensor of the type (and dynamic sizes) of backward value `like`.
  mlir::Value splatLike(mlir::Value like, double value);
  /// Zeros of the type of forward value `v`, in backward.
  mlir::Value zerosFor(mlir::Value v);

  mlir::Value add(mlir::Value a, mlir::Value b);
  mlir::Value sub(mlir::Value a, mlir::Value b);
  mlir::Value mul(mlir::Value a, mlir::Value b);
  mlir::Value div(mlir::Value a, mlir::Value b);
  mlir::Value neg(mlir::Value a);
  /// a * c for a scalar c.
  mlir::Value scale(mlir::Value a, double c);
  mlir::Value compare(CompareDirection direction, mlir::Value a, mlir::Value b);
  mlir::Value select(mlir::Value condition, mlir::Value onTrue,
                     mlir::Value onFalse);
  mlir::Value convert(mlir::Value a, mlir::Type elementType);

  /// reduce_sum over `dims` (returns `a` when `dims` is empty).
  mlir::Value reduceSum(mlir::Value a, llvm::ArrayRef<int64_t> dims,
                        bool keepdim = false);
  mlir::Value broadcastInDim(mlir::Value a, mlir::RankedTensorType type,
                             llvm::ArrayRef<int64_t> dims,
                             mlir::ValueRange sizes);
  /// Reshape `a` to `type` (returns `a` when the type is already `type`).
  mlir::Value reshape(mlir::Value a, mlir::RankedTensorType type,
                      mlir::ValueRange sizes);
  mlir::Value permute(mlir::Value a, llvm::ArrayRef<int64_t> perm);
  /// Swap the last two dimensions.
  mlir::Value transposeLast2(mlir::Value a);
  mlir::Value matmul(mlir::Value a, mlir::Value b);
};

} // namespace thunder::autodiff

#endif // THUNDER_AUTODIFF_VJPBUILDER_H
