// RUN: thunder-opt --thunder-autodiff %s | FileCheck %s

// y = w * x: dw = dy * x (x saved: a user input), dx = dy * w (w by reference).
// CHECK-LABEL: func.func @forward
// CHECK-SAME:    -> (tensor<4xf32> {thunder.kind = "output", thunder.name = "y"},
// CHECK-SAME:        tensor<4xf32> {thunder.index = 0 : i64, thunder.kind = "saved", thunder.name = "saved_0"})
// CHECK:         %[[Y:.+]] = thunder.mul %arg0, %arg1
// CHECK:         return %[[Y]], %arg1
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%[[X:[^:]+]]: tensor<4xf32> {thunder.index = 0 : i64, thunder.kind = "saved", thunder.name = "saved_0"},
// CHECK-SAME:     %[[DY:[^:]+]]: tensor<4xf32> {thunder.index = 0 : i64, thunder.kind = "cotangent", thunder.name = "y"},
// CHECK-SAME:     %[[W:[^:]+]]: tensor<4xf32> {thunder.index = 0 : i64, thunder.kind = "param", thunder.name = "w"})
// CHECK-SAME:    -> (tensor<4xf32> {thunder.index = 0 : i64, thunder.kind = "grad_param", thunder.name = "w"},
// CHECK-SAME:        tensor<4xf32> {thunder.index = 0 : i64, thunder.kind = "grad_input", thunder.name = "x"})
// CHECK-SAME:    attributes {thunder.saved_bytes = 16 : i64}
// CHECK-DAG:     %[[DW:.+]] = thunder.mul %[[DY]], %[[X]]
// CHECK-DAG:     %[[DX:.+]] = thunder.mul %[[DY]], %[[W]]
// CHECK:         return %[[DW]], %[[DX]]
func.func @forward(%w: tensor<4xf32> {thunder.kind = "param", thunder.name = "w"},
                   %x: tensor<4xf32> {thunder.kind = "input", thunder.name = "x"})
    -> (tensor<4xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.mul %w, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
