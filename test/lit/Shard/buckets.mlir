// DDP's gradient all-reduces: partial sums pass through permutes (a sum
// commutes with moving elements), are completed at the return, and the small
// ones share buckets: with a 76-byte cap dw^T (15 floats), db (3) and dc (1)
// share one all_reduce; with a 64-byte cap dw^T goes alone and db, dc share.
// RUN: thunder-opt %s -thunder-shard-data-parallel=bucket-bytes=76 | FileCheck %s
// RUN: thunder-opt %s -thunder-shard-data-parallel=bucket-bytes=64 | FileCheck %s --check-prefix=SMALL

// CHECK-LABEL: func.func @backward
// CHECK: %[[DWT:.*]] = thunder.permute %{{.*}} : tensor<3x5xf32> -> tensor<5x3xf32>
// CHECK: %[[F:.*]] = thunder.reshape %[[DWT]] : tensor<5x3xf32> -> tensor<15xf32>
// CHECK: %[[C:.*]] = thunder.reshape %{{.*}} : tensor<f32> -> tensor<1xf32>
// CHECK: %[[ALL:.*]] = thunder.concat %[[F]], %{{.*}}, %[[C]] {dim = 0 : i64} : (tensor<15xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<19xf32>
// CHECK: %[[S:.*]] = shard.all_reduce %[[ALL]] on @thunder_dp grid_axes = [0] : tensor<19xf32> -> tensor<19xf32>
// CHECK-NOT: shard.all_reduce
// CHECK: thunder.slice %[[S]] {limit = array<i64: 15>, start = array<i64: 0>, step = array<i64: 1>}
// CHECK: thunder.slice %[[S]] {limit = array<i64: 18>, start = array<i64: 15>, step = array<i64: 1>}
// CHECK: thunder.slice %[[S]] {limit = array<i64: 19>, start = array<i64: 18>, step = array<i64: 1>}
// SMALL-LABEL: func.func @backward
// SMALL: shard.all_reduce %{{.*}} : tensor<5x3xf32> -> tensor<5x3xf32>
// SMALL: shard.all_reduce %{{.*}} : tensor<4xf32> -> tensor<4xf32>
// SMALL-NOT: shard.all_reduce
module attributes {thunder_shard.mesh = #thunder_shard.mesh<dp = 2>} {
  func.func @forward(%x: tensor<4x5xf32> {thunder.kind = "input", thunder.name = "x"})
      -> (tensor<4x3xf32> {thunder.kind = "output", thunder.name = "y"},
          tensor<4x5xf32> {thunder.kind = "saved", thunder.index = 0 : i64, thunder.name = "saved_0"}) {
    %y = thunder.slice %x {start = array<i64: 0, 0>, limit = array<i64: 4, 3>, step = array<i64: 1, 1>} : tensor<4x5xf32> -> tensor<4x3xf32>
    return %y, %x : tensor<4x3xf32>, tensor<4x5xf32>
  }
  func.func @backward(%x: tensor<4x5xf32> {thunder.kind = "saved", thunder.index = 0 : i64, thunder.name = "saved_0"},
                      %dy: tensor<4x3xf32> {thunder.kind = "cotangent", thunder.index = 0 : i64, thunder.name = "y"})
      -> (tensor<5x3xf32> {thunder.kind = "grad_param", thunder.index = 0 : i64, thunder.name = "w"},
          tensor<3xf32> {thunder.kind = "grad_param", thunder.index = 1 : i64, thunder.name = "b"},
          tensor<f32> {thunder.kind = "grad_param", thunder.index = 2 : i64, thunder.name = "c"}) {
    %dyt = thunder.permute %dy {perm = array<i64: 1, 0>} : tensor<4x3xf32> -> tensor<3x4xf32>
    %dw = thunder.matmul %dyt, %x : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x5xf32>
    %dwt = thunder.permute %dw {perm = array<i64: 1, 0>} : tensor<3x5xf32> -> tensor<5x3xf32>
    %db = thunder.reduce_sum %dy {dims = array<i64: 0>} : tensor<4x3xf32> -> tensor<3xf32>
    %dc = thunder.reduce_sum %dy {dims = array<i64: 0, 1>} : tensor<4x3xf32> -> tensor<f32>
    return %dwt, %db, %dc : tensor<5x3xf32>, tensor<3xf32>, tensor<f32>
  }
}
