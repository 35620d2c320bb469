// RUN: thunder-opt --thunder-autodiff --split-input-file %s | FileCheck %s

// reduce_sum: the cotangent is broadcast back over the reduced dims.
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%[[DY:[^:]+]]: tensor<2xf32> {{.*}}thunder.kind = "cotangent"
// CHECK:         %[[B:.+]] = thunder.broadcast_in_dim %[[DY]] {dims = array<i64: 0>} : tensor<2xf32> -> tensor<2x3x4xf32>
// CHECK:         return %[[B]]
func.func @forward(%p: tensor<2x3x4xf32> {thunder.kind = "param", thunder.name = "p"})
    -> (tensor<2xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.reduce_sum %p {dims = array<i64: 1, 2>} : tensor<2x3x4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// keepdim: every dim maps to itself.
// CHECK-LABEL: func.func @backward
// CHECK:         thunder.broadcast_in_dim %{{.+}} {dims = array<i64: 0, 1>} : tensor<1x3xf32> -> tensor<2x3xf32>
func.func @forward(%p: tensor<2x3xf32> {thunder.kind = "param", thunder.name = "p"})
    -> (tensor<1x3xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.reduce_sum %p {dims = array<i64: 0>, keepdim = true} : tensor<2x3xf32> -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// reduce_max: the cotangent is shared among the elements equal to the maximum.
// The maximum is saved (a reduction is not recomputed); the operand, a
// parameter, is passed by reference.
// CHECK-LABEL: func.func @forward
// CHECK:         %[[M:.+]] = thunder.reduce_max
// CHECK:         return %[[M]], %[[M]]
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%[[SM:[^:]+]]: tensor<2xf32> {{.*}}thunder.kind = "saved"
// CHECK-SAME:     %[[DY:[^:]+]]: tensor<2xf32> {{.*}}thunder.kind = "cotangent"
// CHECK-SAME:     %[[P:[^:]+]]: tensor<2x3xf32> {{.*}}thunder.kind = "param"
// CHECK:         %[[MB:.+]] = thunder.broadcast_in_dim %[[SM]]
// CHECK:         %[[EQ:.+]] = thunder.compare eq, %[[P]], %[[MB]]
// CHECK:         %[[N:.+]] = thunder.reduce_sum
// CHECK:         %[[SHARE:.+]] = thunder.div %[[DY]], %[[N]]
// CHECK:         %[[SB:.+]] = thunder.broadcast_in_dim %[[SHARE]]
// CHECK:         thunder.select %[[EQ]], %[[SB]]
func.func @forward(%p: tensor<2x3xf32> {thunder.kind = "param", thunder.name = "p"})
    -> (tensor<2xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.reduce_max %p {dims = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
