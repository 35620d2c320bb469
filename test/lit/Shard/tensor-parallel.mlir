// thunder-shard-data-parallel over a tp mesh: inputs stay whole; a layer
// whose operands are whole splits the output features of its parameter
// (column-parallel: the weight is cut, the activation is not); the next layer
// contracts the split features (row-parallel): its partial sums are completed
// by one all_reduce. Biases and elementwise ops follow the split.
// RUN: thunder-opt %s -thunder-shard-data-parallel | FileCheck %s

// CHECK-LABEL: func.func @forward(
// CHECK-SAME: %[[W1:[a-z0-9]+]]: tensor<8x4xf32>
// CHECK-SAME: %[[W2:[a-z0-9]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x4xf32> {thunder.kind = "input", thunder.name = "x"})
// CHECK: %[[W1T:.*]] = thunder.permute %[[W1]]
// CHECK: %[[C:.*]] = shard.all_slice %[[W1T]] on @thunder_dp grid_axes = [0] slice_axis = 1 : tensor<4x8xf32> -> tensor<4x4xf32>
// CHECK: %[[H:.*]] = thunder.matmul %[[X]], %[[C]] : tensor<2x4xf32>, tensor<4x4xf32> -> tensor<2x4xf32>
// CHECK: %[[G:.*]] = thunder.tanh %[[H]] : tensor<2x4xf32>
// CHECK: %[[W2T:.*]] = thunder.permute %[[W2]]
// CHECK: %[[R:.*]] = shard.all_slice %[[W2T]] on @thunder_dp grid_axes = [0] slice_axis = 0 : tensor<8x4xf32> -> tensor<4x4xf32>
// CHECK: %[[Y:.*]] = thunder.matmul %[[G]], %[[R]] : tensor<2x4xf32>, tensor<4x4xf32> -> tensor<2x4xf32>
// CHECK: %[[YS:.*]] = shard.all_reduce %[[Y]] on @thunder_dp grid_axes = [0] : tensor<2x4xf32> -> tensor<2x4xf32>
// CHECK: return %[[YS]]
module attributes {thunder_shard.mesh = #thunder_shard.mesh<tp = 2>} {
  func.func @forward(%w1: tensor<8x4xf32> {thunder.kind = "param", thunder.name = "w1"},
                     %w2: tensor<4x8xf32> {thunder.kind = "param", thunder.name = "w2"},
                     %x: tensor<2x4xf32> {thunder.kind = "input", thunder.name = "x"})
      -> (tensor<2x4xf32> {thunder.kind = "output", thunder.name = "y"}) {
    %w1t = thunder.permute %w1 {perm = array<i64: 1, 0>} : tensor<8x4xf32> -> tensor<4x8xf32>
    %h = thunder.matmul %x, %w1t : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<2x8xf32>
    %g = thunder.tanh %h : tensor<2x8xf32>
    %w2t = thunder.permute %w2 {perm = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
    %y = thunder.matmul %g, %w2t : tensor<2x8xf32>, tensor<8x4xf32> -> tensor<2x4xf32>
    return %y : tensor<2x4xf32>
  }
}
