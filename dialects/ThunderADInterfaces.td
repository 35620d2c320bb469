//===- ThunderADInterfaces.td - autodiff op interfaces ----*- tablegen -*-===//
//
// thunder_ad: how an op states its vector-Jacobian product. Every thunder op
// with a gradient implements VJPOpInterface; ops without one (comparisons,
// integer and bitwise arithmetic, index computations, piecewise-constant
// functions) implement the marker NoGradientOpInterface. Both are attached to
// the thunder ops as external models (lib/Autodiff/Rules/<Family>.cpp), so the
// dialect does not depend on autodiff and there is no central switch.
// docs/autodiff.md describes the transform that uses them.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_AD_INTERFACES_TD
#define THUNDER_AD_INTERFACES_TD

include "mlir/IR/OpBase.td"

def ThunderAD_VJPOpInterface : OpInterface<"VJPOpInterface"> {
  let cppNamespace = "::thunder::autodiff";
  let description = [{
    The reverse-mode rule of an op. `buildVJP` is called by `thunder-autodiff`
    while it builds `@backward`: the op is the *forward* op (read its
    attributes and types from it); `builder` inserts into backward and maps
    forward values into backward (`builder.primal(v)`: saved, passed by
    reference, or recomputed, as the transform decides). `resultCotangents`
    holds one backward value per result of the op, of the result's type, or a
    null Value where the cotangent is zero. The rule stores the cotangent of
    each differentiable operand in `operandCotangents` (one slot per operand,
    pre-filled with null; leaving null means zero), of the operand's type.
    A rule need not build the cotangent of an operand for which
    `builder.wants(operand)` is false.
  }];
  let methods = [
    InterfaceMethod<[{
        Whether operand `index` can carry a gradient (by default: it is a
        floating-point tensor).
      }],
      "bool", "isDifferentiableOperand", (ins "unsigned":$index), [{}],
      [{ return ::thunder::autodiff::isFloatTensor(
             $_op->getOperand(index).getType()); }]>,
    InterfaceMethod<[{
        Builds the cotangents of the operands from those of the results.
      }],
      "::mlir::LogicalResult", "buildVJP",
      (ins "::thunder::autodiff::VJPBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultCotangents,
           "::llvm::MutableArrayRef<::mlir::Value>":$operandCotangents)>,
  ];
}

def ThunderAD_NoGradientOpInterface : OpInterface<"NoGradientOpInterface"> {
  let cppNamespace = "::thunder::autodiff";
  let description = [{
    Marks an op whose results carry no gradient back to its operands: boolean
    and integer results (comparisons, argmax, sort indices, bitwise ops),
    creation ops, and piecewise-constant functions (floor, sign, ...: their
    derivative is zero wherever it exists). `thunder-autodiff` drops the
    cotangents that reach such an op. An op with neither this marker nor
    VJPOpInterface that a cotangent reaches is an error.
  }];
}

#endif // THUNDER_AD_INTERFACES_TD
