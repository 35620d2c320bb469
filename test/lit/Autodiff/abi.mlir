// RUN: thunder-opt --thunder-autodiff %s | FileCheck %s
// RUN: thunder-opt --thunder-autodiff=reference-args=false %s | FileCheck %s --check-prefix=NOREF

// The ABI of docs/model-abi.md: backward takes saved values, one cotangent
// per floating output (none for the integer output), then references to the
// parameters it reads; it returns a gradient per floating parameter (zeros
// for the unused one) and per floating input. The mutated buffer's result
// gets no cotangent.

// CHECK-LABEL: func.func @forward
// CHECK-SAME:    -> (tensor<2x4xf32> {thunder.kind = "output", thunder.name = "y"},
// CHECK-SAME:        tensor<2xi64> {thunder.kind = "output", thunder.name = "count"},
// CHECK-SAME:        tensor<4xf32> {thunder.kind = "mutated_buffer", thunder.name = "bn.running_mean"},
// CHECK-SAME:        tensor<2x4xf32> {thunder.index = 0 : i64, thunder.kind = "saved", thunder.name = "saved_0"},
// CHECK-SAME:        tensor<2x3xf32> {thunder.index = 1 : i64, thunder.kind = "saved", thunder.name = "saved_1"})
// CHECK:         return %{{.+}}, %arg5, %{{.+}}, %{{.+}}, %arg4 :
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%{{.+}}: tensor<2x4xf32> {thunder.index = 0 : i64, thunder.kind = "saved", thunder.name = "saved_0"},
// CHECK-SAME:     %{{.+}}: tensor<2x3xf32> {thunder.index = 1 : i64, thunder.kind = "saved", thunder.name = "saved_1"},
// CHECK-SAME:     %{{.+}}: tensor<2x4xf32> {thunder.index = 0 : i64, thunder.kind = "cotangent", thunder.name = "y"},
// CHECK-SAME:     %{{.+}}: tensor<3x4xf32> {thunder.index = 0 : i64, thunder.kind = "param", thunder.name = "fc.weight"})
// CHECK-SAME:    -> (tensor<3x4xf32> {thunder.index = 0 : i64, thunder.kind = "grad_param", thunder.name = "fc.weight"},
// CHECK-SAME:        tensor<4xf32> {thunder.index = 1 : i64, thunder.kind = "grad_param", thunder.name = "fc.bias"},
// CHECK-SAME:        tensor<5xf32> {thunder.index = 2 : i64, thunder.kind = "grad_param", thunder.name = "unused"},
// CHECK-SAME:        tensor<2x3xf32> {thunder.index = 0 : i64, thunder.kind = "grad_input", thunder.name = "x"})
// CHECK:         %[[ZEROS:.+]] = thunder.constant dense<0.000000e+00> : tensor<5xf32>
// CHECK:         return %{{.+}}, %{{.+}}, %[[ZEROS]], %{{.+}} :

// Without references the parameters backward reads are saved copies.
// NOREF-LABEL: func.func @backward
// NOREF-NOT:     thunder.kind = "param"
// NOREF-SAME:    -> (
func.func @forward(%w: tensor<3x4xf32> {thunder.kind = "param", thunder.name = "fc.weight"},
                   %b: tensor<4xf32> {thunder.kind = "param", thunder.name = "fc.bias"},
                   %u: tensor<5xf32> {thunder.kind = "param", thunder.name = "unused"},
                   %rm: tensor<4xf32> {thunder.kind = "buffer", thunder.name = "bn.running_mean", thunder.persistent = true},
                   %x: tensor<2x3xf32> {thunder.kind = "input", thunder.name = "x"},
                   %n: tensor<2xi64> {thunder.kind = "input", thunder.name = "n"})
    -> (tensor<2x4xf32> {thunder.kind = "output", thunder.name = "y"},
        tensor<2xi64> {thunder.kind = "output", thunder.name = "count"},
        tensor<4xf32> {thunder.kind = "mutated_buffer", thunder.name = "bn.running_mean"}) {
  %0 = thunder.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = thunder.broadcast_in_dim %b {dims = array<i64: 1>} : tensor<4xf32> -> tensor<2x4xf32>
  %2 = thunder.add %0, %1 : tensor<2x4xf32>
  %3 = thunder.tanh %2 : tensor<2x4xf32>
  %4 = thunder.reduce_sum %3 {dims = array<i64: 0>} : tensor<2x4xf32> -> tensor<4xf32>
  %5 = thunder.add %rm, %4 : tensor<4xf32>
  return %3, %n, %5 : tensor<2x4xf32>, tensor<2xi64>, tensor<4xf32>
}
