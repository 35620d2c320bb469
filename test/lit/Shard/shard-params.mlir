// thunder-shard-data-parallel{shard-params}: parameters arrive as blocks of
// dim 0 (ceil(5 / 2) = 3 rows, the last rank's with one zero row), are
// gathered and trimmed at the entry of @forward and again of @backward
// (ZeRO-3); the partial sums of their gradients are padded and
// reduce-scattered instead of all-reduced.
// RUN: thunder-opt %s -thunder-shard-data-parallel=shard-params=true | FileCheck %s

// CHECK-LABEL: func.func @forward(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<3x4xf32> {thunder.kind = "param", thunder.name = "w", thunder_shard.sharded_dim = 0 : i64, thunder_shard.whole_size = 5 : i64}
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x4xf32> {thunder.kind = "input"
// CHECK: %[[G:.*]] = shard.all_gather %[[W]] on @thunder_dp grid_axes = [0] gather_axis = 0 : tensor<3x4xf32> -> tensor<6x4xf32>
// CHECK: %[[WW:.*]] = thunder.slice %[[G]] {limit = array<i64: 5, 4>, start = array<i64: 0, 0>, step = array<i64: 1, 1>} : tensor<6x4xf32> -> tensor<5x4xf32>
// CHECK: thunder.matmul %[[X]], %{{.*}} : tensor<2x4xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
// CHECK-LABEL: func.func @backward(
// CHECK-SAME: %[[BW:[a-z0-9]+]]: tensor<3x4xf32> {thunder.index = 0 : i64, thunder.kind = "param", thunder.name = "w", thunder_shard.sharded_dim = 0 : i64, thunder_shard.whole_size = 5 : i64}
// CHECK-SAME: -> (tensor<3x4xf32> {thunder.index = 0 : i64, thunder.kind = "grad_param", thunder.name = "w", thunder_shard.sharded_dim = 0 : i64, thunder_shard.whole_size = 5 : i64}
// CHECK-SAME: tensor<3xf32> {thunder.index = 1 : i64, thunder.kind = "grad_param", thunder.name = "b", thunder_shard.sharded_dim = 0 : i64, thunder_shard.whole_size = 5 : i64}
// CHECK: shard.all_gather %[[BW]] on @thunder_dp grid_axes = [0] gather_axis = 0 : tensor<3x4xf32> -> tensor<6x4xf32>
// CHECK: %[[DW:.*]] = thunder.matmul {{.*}} -> tensor<5x4xf32>
// CHECK-NOT: shard.all_reduce
// CHECK: %[[DB:.*]] = thunder.reduce_sum
// CHECK: %[[DWP:.*]] = thunder.pad %[[DW]], %{{.*}} {high = array<i64: 1, 0>, low = array<i64: 0, 0>} : tensor<5x4xf32>, tensor<f32> -> tensor<6x4xf32>
// CHECK: %[[DWB:.*]] = shard.reduce_scatter %[[DWP]] on @thunder_dp grid_axes = [0] scatter_axis = 0 : tensor<6x4xf32> -> tensor<3x4xf32>
// CHECK: %[[DBP:.*]] = thunder.pad %[[DB]], %{{.*}} : tensor<5xf32>, tensor<f32> -> tensor<6xf32>
// CHECK: %[[DBB:.*]] = shard.reduce_scatter %[[DBP]] on @thunder_dp grid_axes = [0] scatter_axis = 0 : tensor<6xf32> -> tensor<3xf32>
// CHECK: return %[[DWB]], %[[DBB]]
module attributes {thunder_shard.mesh = #thunder_shard.mesh<dp = 2>} {
  func.func @forward(%w: tensor<5x4xf32> {thunder.kind = "param", thunder.name = "w"},
                     %b: tensor<5xf32> {thunder.kind = "param", thunder.name = "b"},
                     %x: tensor<4x4xf32> {thunder.kind = "input", thunder.name = "x"})
      -> (tensor<4x5xf32> {thunder.kind = "output", thunder.name = "y"},
          tensor<4x4xf32> {thunder.kind = "saved", thunder.index = 0 : i64, thunder.name = "saved_0"}) {
    %wt = thunder.permute %w {perm = array<i64: 1, 0>} : tensor<5x4xf32> -> tensor<4x5xf32>
    %xw = thunder.matmul %x, %wt : tensor<4x4xf32>, tensor<4x5xf32> -> tensor<4x5xf32>
    %bb = thunder.broadcast_in_dim %b {dims = array<i64: 1>} : tensor<5xf32> -> tensor<4x5xf32>
    %y = thunder.add %xw, %bb : tensor<4x5xf32>
    return %y, %x : tensor<4x5xf32>, tensor<4x4xf32>
  }
  func.func @backward(%x: tensor<4x4xf32> {thunder.kind = "saved", thunder.index = 0 : i64, thunder.name = "saved_0"},
                      %dy: tensor<4x5xf32> {thunder.kind = "cotangent", thunder.index = 0 : i64, thunder.name = "y"},
                      %w: tensor<5x4xf32> {thunder.kind = "param", thunder.index = 0 : i64, thunder.name = "w"})
      -> (tensor<5x4xf32> {thunder.kind = "grad_param", thunder.index = 0 : i64, thunder.name = "w"},
          tensor<5xf32> {thunder.kind = "grad_param", thunder.index = 1 : i64, thunder.name = "b"},
          tensor<4x4xf32> {thunder.kind = "grad_input", thunder.index = 0 : i64, thunder.name = "x"}) {
    %dyt = thunder.permute %dy {perm = array<i64: 1, 0>} : tensor<4x5xf32> -> tensor<5x4xf32>
    %dw = thunder.matmul %dyt, %x : tensor<5x4xf32>, tensor<4x4xf32> -> tensor<5x4xf32>
    %db = thunder.reduce_sum %dy {dims = array<i64: 0>} : tensor<4x5xf32> -> tensor<5xf32>
    %dx = thunder.matmul %dy, %w : tensor<4x5xf32>, tensor<5x4xf32> -> tensor<4x4xf32>
    return %dw, %db, %dx : tensor<5x4xf32>, tensor<5xf32>, tensor<4x4xf32>
  }
}
