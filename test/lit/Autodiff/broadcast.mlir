// RUN: thunder-opt --thunder-autodiff --split-input-file %s | FileCheck %s

// A bias broadcast over the batch: its cotangent is summed over the batch.
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%[[DY:[^:]+]]: tensor<8x4xf32> {{.*}}thunder.kind = "cotangent"
// CHECK:         %[[DB:.+]] = thunder.reduce_sum %[[DY]] {dims = array<i64: 0>} : tensor<8x4xf32> -> tensor<4xf32>
// CHECK:         return %[[DB]], %[[DY]]
func.func @forward(%b: tensor<4xf32> {thunder.kind = "param", thunder.name = "b"},
                   %x: tensor<8x4xf32> {thunder.kind = "input", thunder.name = "x"})
    -> (tensor<8x4xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.broadcast_in_dim %b {dims = array<i64: 1>} : tensor<4xf32> -> tensor<8x4xf32>
  %1 = thunder.add %x, %0 : tensor<8x4xf32>
  return %1 : tensor<8x4xf32>
}

// -----

// Extent-1 dims: summed with the new dims, then reshaped back.
// CHECK-LABEL: func.func @backward
// CHECK:         %[[S:.+]] = thunder.reduce_sum %{{.+}} {dims = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
// CHECK:         %[[R:.+]] = thunder.reshape %[[S]] : tensor<3xf32> -> tensor<3x1xf32>
// CHECK:         return %[[R]]
func.func @forward(%p: tensor<3x1xf32> {thunder.kind = "param", thunder.name = "p"})
    -> (tensor<2x3x4xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.broadcast_in_dim %p {dims = array<i64: 1, 2>} : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Dims out of order: a permute puts the operand's dims back in order.
// CHECK-LABEL: func.func @backward
// CHECK:         %[[S:.+]] = thunder.reduce_sum %{{.+}} {dims = array<i64: 0>} : tensor<5x3x2xf32> -> tensor<3x2xf32>
// CHECK:         %[[P:.+]] = thunder.permute %[[S]] {perm = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
// CHECK:         return %[[P]]
func.func @forward(%p: tensor<2x3xf32> {thunder.kind = "param", thunder.name = "p"})
    -> (tensor<5x3x2xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.broadcast_in_dim %p {dims = array<i64: 2, 1>} : tensor<2x3xf32> -> tensor<5x3x2xf32>
  return %0 : tensor<5x3x2xf32>
}
