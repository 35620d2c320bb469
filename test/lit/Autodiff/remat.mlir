// RUN: thunder-opt --thunder-autodiff %s | FileCheck %s
// RUN: thunder-opt --thunder-autodiff=remat=false %s | FileCheck %s --check-prefix=SAVEALL

// y = tanh(h * 0.5) * h with h = x @ w. Backward reads h and t = tanh(h * 0.5):
// with rematerialisation forward saves h (and x, for dw) and backward
// recomputes t from h; without, t is saved too.

// CHECK-LABEL: func.func @forward
// CHECK-SAME:    thunder.kind = "saved", thunder.name = "saved_0"
// CHECK-SAME:    thunder.kind = "saved", thunder.name = "saved_1"
// CHECK-NOT:     thunder.kind = "saved"
// CHECK:         %[[H:.+]] = thunder.matmul %arg1, %arg0
// CHECK:         return %{{.+}}, %[[H]], %arg1
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%[[SH:[^:]+]]: tensor<8x16xf32> {{.*}}"saved"
// CHECK-SAME:    attributes {thunder.saved_bytes = 1024 : i64}
// CHECK:         %[[C:.+]] = thunder.constant dense<5.000000e-01>
// CHECK:         %[[S:.+]] = thunder.mul %[[SH]], %[[C]]
// CHECK:         thunder.tanh %[[S]]

// SAVEALL-LABEL: func.func @forward
// SAVEALL:         %[[H:.+]] = thunder.matmul
// SAVEALL:         %[[T:.+]] = thunder.tanh
// SAVEALL:         return %{{.+}}, %[[H]], %[[T]], %arg1
// SAVEALL-LABEL: func.func @backward
// SAVEALL-SAME:    attributes {thunder.saved_bytes = 1536 : i64}
// SAVEALL-NOT:     thunder.tanh
// SAVEALL:         return
func.func @forward(%w: tensor<16x16xf32> {thunder.kind = "param", thunder.name = "w"},
                   %x: tensor<8x16xf32> {thunder.kind = "input", thunder.name = "x"})
    -> (tensor<8x16xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %h = thunder.matmul %x, %w : tensor<8x16xf32>, tensor<16x16xf32> -> tensor<8x16xf32>
  %c = thunder.constant dense<0.5> : tensor<8x16xf32>
  %0 = thunder.mul %h, %c : tensor<8x16xf32>
  %1 = thunder.tanh %0 : tensor<8x16xf32>
  %2 = thunder.mul %1, %h : tensor<8x16xf32>
  return %2 : tensor<8x16xf32>
}
