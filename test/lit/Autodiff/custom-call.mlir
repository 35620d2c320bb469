// The VJP of thunder.custom_call (lib/Autodiff/Rules/CustomCall.cpp) calls the
// user's _backward function: cotangents of the results (zeros for the unused
// one), then the primal inputs, the same scalars; one gradient per input.
// RUN: thunder-opt --thunder-autodiff %s | FileCheck %s

// CHECK-LABEL: func.func @backward
// CHECK-SAME:    %[[IDS:[^:]+]]: tensor<4xi64> {{[^}]*}}thunder.kind = "saved"
// CHECK-SAME:    %[[X:[^:]+]]: tensor<?x4xf32> {{[^}]*}}thunder.kind = "saved"
// CHECK-SAME:    %[[DY:[^:]+]]: tensor<?x4xf32> {{[^}]*}}thunder.kind = "cotangent"
// CHECK-SAME:    %[[W:[^:]+]]: tensor<4xf32> {{[^}]*}}thunder.kind = "param"
// CHECK:         %[[ZERO:.+]] = thunder.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK:         %[[B:.+]] = thunder.broadcast_in_dim %[[W]]
// CHECK:         %[[G:.+]]:3 = thunder.custom_call @thunder_custom_mylib_f_backward(%[[DY]], %[[ZERO]], %[[B]], %[[IDS]], %[[X]]) sizes(%{{.+}}, %{{.+}}) {op_name = "mylib::f", scalars = [2.000000e+00]} : (tensor<?x4xf32>, tensor<4xf32>, tensor<?x4xf32>, tensor<4xi64>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<4xi64>, tensor<?x4xf32>)
// CHECK:         %[[DW:.+]] = thunder.reduce_sum %[[G]]#0 {dims = array<i64: 0>}
// CHECK:         return %[[DW]], %[[G]]#2
func.func @forward(%w: tensor<4xf32> {thunder.kind = "param", thunder.name = "w"},
                   %ids: tensor<4xi64> {thunder.kind = "input", thunder.name = "ids"},
                   %x: tensor<?x4xf32> {thunder.kind = "input", thunder.name = "x", thunder.dims = ["s0", 4]})
    -> (tensor<?x4xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %b = thunder.broadcast_in_dim %w, %n {dims = array<i64: 1>} : tensor<4xf32> -> tensor<?x4xf32>
  %r:2 = thunder.custom_call @thunder_custom_mylib_f(%b, %ids, %x) sizes(%n) {op_name = "mylib::f", scalars = [2.0 : f64]} : (tensor<?x4xf32>, tensor<4xi64>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>)
  return %r#0 : tensor<?x4xf32>
}
