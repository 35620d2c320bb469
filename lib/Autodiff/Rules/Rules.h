//===- Rules.h - shared pieces of the VJP rule files ------------*- C++ -*-===//
//
// Private to lib/Autodiff/Rules. A rule is a function
//   LogicalResult rule(VJPBuilder &b, OpT op, ArrayRef<Value> resultCots,
//                      MutableArrayRef<Value> operandCots);
// attached to OpT with attachRule<OpT, rule>(context). Unary elementwise ops
// give a function Value rule(VJPBuilder &, OpT, Value cot) to attachUnary.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_AUTODIFF_RULES_RULES_H
#define THUNDER_LIB_AUTODIFF_RULES_RULES_H

#include "thunder/Autodiff/VJPInterfaces.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

namespace thunder::autodiff {

template <typename OpT>
using RuleFn = mlir::LogicalResult (*)(VJPBuilder &, OpT,
                                       mlir::ArrayRef<mlir::Value>,
                                       mlir::MutableArrayRef<mlir::Value>);
template <typename OpT>
using UnaryRuleFn = mlir::Value (*)(VJPBuilder &, OpT, mlir::Value);

template <typename OpT, RuleFn<OpT> Rule>
struct RuleModel : VJPOpInterface::ExternalModel<RuleModel<OpT, Rule>, OpT> {
  mlir::LogicalResult buildVJP(mlir::Operation *op, VJPBuilder &b,
                               mlir::ArrayRef<mlir::Value> resultCots,
                               mlir::MutableArrayRef<mlir::Value> out) const {
    return Rule(b, mlir::cast<OpT>(op), resultCots, out);
  }
};

template <typename OpT, UnaryRuleFn<OpT> Rule>
struct UnaryRuleModel
    : VJPOpInterface::ExternalModel<UnaryRuleModel<OpT, Rule>, OpT> {
  mlir::LogicalResult buildVJP(mlir::Operation *op, VJPBuilder &b,
                               mlir::ArrayRef<mlir::Value> resultCots,
                               mlir::MutableArrayRef<mlir::Value> out) const {
    if (b.wants(op->getOperand(0)))
      out[0] = Rule(b, mlir::cast<OpT>(op), resultCots[0]);
    return mlir::success();
  }
};

template <typename OpT, RuleFn<OpT> Rule>
void attachRule(mlir::MLIRContext *context) {
  OpT::template attachInterface<RuleModel<OpT, Rule>>(*context);
}
template <typename OpT, UnaryRuleFn<OpT> Rule>
void attachUnary(mlir::MLIRContext *context) {
  OpT::template attachInterface<UnaryRuleModel<OpT, Rule>>(*context);
}

/// The cotangent of the operand of a reduction over `dims` (of forward
/// tensor `operand`, `keepdim` as the reduction's): `cot` broadcast back.
mlir::Value unreduce(VJPBuilder &b, mlir::Value cot, mlir::Value operand,
                     llvm::ArrayRef<int64_t> dims, bool keepdim);

/// The cotangent of the input of a convolution (attributes as
/// thunder.convolution; `inputType` static in its channel and spatial dims)
/// from the cotangent `cot` of its result: a convolution of `cot` with the
/// flipped, regrouped `weight` (backward values). Fails with a diagnostic on
/// `op` where the window arithmetic would need negative padding.
mlir::FailureOr<mlir::Value> convolutionInputGrad(
    VJPBuilder &b, mlir::Operation *op, mlir::Value cot, mlir::Value weight,
    mlir::RankedTensorType inputType, llvm::ArrayRef<int64_t> stride,
    llvm::ArrayRef<int64_t> paddingLow, llvm::ArrayRef<int64_t> paddingHigh,
    llvm::ArrayRef<int64_t> dilation, llvm::ArrayRef<int64_t> lhsDilation,
    int64_t groups);

} // namespace thunder::autodiff

#endif // THUNDER_LIB_AUTODIFF_RULES_RULES_H
