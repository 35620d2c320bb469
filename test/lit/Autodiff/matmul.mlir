// RUN: thunder-opt --thunder-autodiff --split-input-file %s | FileCheck %s

// y = x @ w: dx = dy @ w^T, dw = x^T @ dy.
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%[[X:[^:]+]]: tensor<2x3xf32> {{.*}}thunder.kind = "saved"
// CHECK-SAME:     %[[DY:[^:]+]]: tensor<2x4xf32> {{.*}}thunder.kind = "cotangent"
// CHECK-SAME:     %[[W:[^:]+]]: tensor<3x4xf32> {{.*}}thunder.kind = "param"
// CHECK:         %[[WT:.+]] = thunder.permute %[[W]] {perm = array<i64: 1, 0>} : tensor<3x4xf32> -> tensor<4x3xf32>
// CHECK:         %[[DX:.+]] = thunder.matmul %[[DY]], %[[WT]] : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
// CHECK:         %[[XT:.+]] = thunder.permute %[[X]] {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK:         %[[DW:.+]] = thunder.matmul %[[XT]], %[[DY]] : tensor<3x2xf32>, tensor<2x4xf32> -> tensor<3x4xf32>
// CHECK:         return %[[DW]], %[[DX]]
func.func @forward(%w: tensor<3x4xf32> {thunder.kind = "param", thunder.name = "w"},
                   %x: tensor<2x3xf32> {thunder.kind = "input", thunder.name = "x"})
    -> (tensor<2x4xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.matmul %x, %w : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Batched, both operands computed: the cotangents of a value read twice add up.
// CHECK-LABEL: func.func @backward
// CHECK:         thunder.permute {{.*}} {perm = array<i64: 0, 2, 1>} : tensor<2x3x3xf32> -> tensor<2x3x3xf32>
// CHECK:         thunder.matmul {{.*}} : tensor<2x3x3xf32>, tensor<2x3x3xf32> -> tensor<2x3x3xf32>
// CHECK:         %[[SUM:.+]] = thunder.add
// CHECK:         return %[[SUM]]
func.func @forward(%a: tensor<2x3x3xf32> {thunder.kind = "param", thunder.name = "a"})
    -> (tensor<2x3x3xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.matmul %a, %a : tensor<2x3x3xf32>, tensor<2x3x3xf32> -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}
