// RUN: thunder-opt --thunder-autodiff --split-input-file %s | FileCheck %s

// A dynamic batch: the extent backward needs to broadcast is read from the
// cotangent, which has the output's shape; nothing scalar is saved.
// CHECK-LABEL: func.func @forward
// CHECK-SAME:    tensor<4xf32> {thunder.index = 0 : i64, thunder.kind = "saved"
// CHECK-NOT:     tensor<i64>
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    %[[DY:[^:]+]]: tensor<?x4xf32> {thunder.index = 0 : i64, thunder.kind = "cotangent"
// CHECK-NOT:     tensor.extract
// CHECK:         %[[C0:.+]] = arith.constant 0 : index
// CHECK:         %[[N:.+]] = tensor.dim %[[DY]], %[[C0]]
// CHECK:         thunder.broadcast_in_dim %{{.+}}, %[[N]] {dims = array<i64: 1>} : tensor<4xf32> -> tensor<?x4xf32>
func.func @forward(%w: tensor<3x4xf32> {thunder.kind = "param", thunder.name = "w"},
                   %x: tensor<?x3xf32> {thunder.kind = "input", thunder.name = "x", thunder.dims = ["s0", 3]})
    -> (tensor<?x4xf32> {thunder.kind = "output", thunder.name = "y", thunder.dims = ["s0", 4]}) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x3xf32>
  %0 = thunder.matmul %x, %w : tensor<?x3xf32>, tensor<3x4xf32> -> tensor<?x4xf32>
  %1 = thunder.reduce_sum %0 {dims = array<i64: 0>} : tensor<?x4xf32> -> tensor<4xf32>
  %2 = thunder.broadcast_in_dim %1, %n {dims = array<i64: 1>} : tensor<4xf32> -> tensor<?x4xf32>
  %3 = thunder.mul %0, %2 : tensor<?x4xf32>
  return %3 : tensor<?x4xf32>
}

// -----

// An extent no backward value carries (the input's, whose output is summed
// away) is saved by forward as a rank-0 i64 tensor.
// CHECK-LABEL: func.func @forward
// CHECK:         %[[D:.+]] = tensor.dim %arg0, %{{.+}} : tensor<?x3xf32>
// CHECK:         %[[I:.+]] = arith.index_cast %[[D]] : index to i64
// CHECK:         %[[T:.+]] = tensor.from_elements %[[I]] : tensor<i64>
// CHECK:         return %{{.+}}, %[[T]] : tensor<f32>, tensor<i64>
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%[[S:[^:]+]]: tensor<i64> {thunder.index = 0 : i64, thunder.kind = "saved"
// CHECK:         %[[E:.+]] = tensor.extract %[[S]][] : tensor<i64>
// CHECK:         %[[N:.+]] = arith.index_cast %[[E]] : i64 to index
// CHECK:         thunder.broadcast_in_dim %{{.+}}, %[[N]] {dims = array<i64>} : tensor<f32> -> tensor<?x3xf32>
func.func @forward(%x: tensor<?x3xf32> {thunder.kind = "param", thunder.name = "x"})
    -> (tensor<f32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.reduce_sum %x {dims = array<i64: 0, 1>} : tensor<?x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
