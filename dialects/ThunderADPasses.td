//===- ThunderADPasses.td - autodiff passes ---------------*- tablegen -*-===//
#ifndef THUNDER_AD_PASSES_TD
#define THUNDER_AD_PASSES_TD

include "mlir/Pass/PassBase.td"

def ThunderAutodiff : Pass<"thunder-autodiff", "::mlir::ModuleOp"> {
  let summary = "derive @backward from @forward by reverse-mode rules";
  let description = [{
    Walks `@forward` in reverse, calling each op's `VJPOpInterface` rule and
    adding up the cotangents of every value, and adds
    `func.func @backward(saved..., cotangents..., references...) -> (grads...)`.
    `@forward` gets one extra result (`thunder.kind = "saved"`) per value it
    saves for backward: a minimum cut, in bytes, between what forward
    computes anyway and what the rules read, through the cheap ops backward
    recomputes. Parameters, constants and buffers forward does not mutate are
    passed by reference instead. See docs/autodiff.md and docs/model-abi.md.
  }];
  let dependentDialects = [
    "::thunder::ThunderDialect", "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect", "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"remat", "remat", "bool", /*default=*/"true",
           "choose the saved values by a minimum cut, recomputing cheap "
           "values (elementwise, broadcast, reshape, permute, slice) in "
           "backward; false saves every value the rules read">,
    Option<"referenceArgs", "reference-args", "bool", /*default=*/"true",
           "pass the parameters, constants and non-mutated buffers backward "
           "reads by reference (param:i, constant:i, buffer:i arguments) "
           "instead of saving copies">,
  ];
  let statistics = [
    Statistic<"numSaved", "saved-values", "values forward saves for backward">,
    Statistic<"savedBytes", "saved-bytes",
              "bytes forward saves (dynamic dimensions counted as 1)">,
    Statistic<"numRecomputed", "recomputed-ops",
              "forward ops backward recomputes instead of reading them">,
  ];
}

#endif // THUNDER_AD_PASSES_TD
