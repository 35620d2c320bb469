// thunder-shard-lower-collectives: collectives on tensors -> runtime calls on
// the operands' buffers; all_slice -> extract_slice at rank * block.
// RUN: thunder-opt %s -thunder-shard-lower-collectives | FileCheck %s

// CHECK-NOT: shard.grid
// CHECK-DAG: func.func private @thunder_shard_all_reduce(!llvm.ptr, !llvm.ptr, i64, i32, i32)
// CHECK-DAG: func.func private @thunder_shard_all_gather(!llvm.ptr, !llvm.ptr, i64)
// CHECK-DAG: func.func private @thunder_shard_rank() -> i64
// CHECK-DAG: func.func private @thunder_shard_reduce_scatter(!llvm.ptr, !llvm.ptr, i64, i32, i32)
// CHECK-LABEL: func.func @f(
// CHECK-NOT: thunder_shard.sharded_dim
// CHECK-SAME: %[[X:.*]]: tensor<4x3xf32>
// CHECK: %[[IN:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<4x3xf32> to memref<4x3xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<4x3xf32>
// CHECK: call @thunder_shard_all_reduce(%{{.*}}, %{{.*}}, %c12_i64, %c0_i32, %c1_i32)
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// All-gather along dim 1: moved first, gathered (4 x 3 floats a rank = 48 bytes), moved back.
// CHECK: linalg.transpose ins(%[[R]] : tensor<4x3xf32>) {{.*}} permutation = [1, 0]
// CHECK: call @thunder_shard_all_gather(%{{.*}}, %{{.*}}, %c48_i64)
// CHECK: %[[G:.*]] = linalg.transpose {{.*}} permutation = [1, 0]
// CHECK: %[[RANK:.*]] = call @thunder_shard_rank() : () -> i64
// CHECK: %[[I:.*]] = arith.index_cast %[[RANK]] : i64 to index
// CHECK: %[[OFF:.*]] = arith.muli %[[I]], %c2
// CHECK: tensor.extract_slice %{{.*}}[%[[OFF]], 0] [2, 3] [1, 1] : tensor<4x3xf32> to tensor<2x3xf32>
// Reduce-scatter: this rank's 6 elements of the sum.
// CHECK: %[[RSOUT:.*]] = memref.alloc() : memref<2x3xf32>
// CHECK: call @thunder_shard_reduce_scatter(%{{.*}}, %{{.*}}, %c6_i64, %c0_i32, %c0_i32)
// CHECK: %[[RS:.*]] = bufferization.to_tensor %[[RSOUT]] restrict writable
module {
  shard.grid @thunder_dp(shape = 2)
  func.func @f(%x: tensor<4x3xf32> {thunder_shard.sharded_dim = 0 : i64}) -> (tensor<4x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
    %r = shard.all_reduce %x on @thunder_dp grid_axes = [0] reduction = max : tensor<4x3xf32> -> tensor<4x3xf32>
    %g = shard.all_gather %r on @thunder_dp grid_axes = [0] gather_axis = 1 : tensor<4x3xf32> -> tensor<4x6xf32>
    %s = shard.all_slice %x on @thunder_dp grid_axes = [0] slice_axis = 0 : tensor<4x3xf32> -> tensor<2x3xf32>
    %rs = shard.reduce_scatter %x on @thunder_dp grid_axes = [0] scatter_axis = 0 : tensor<4x3xf32> -> tensor<2x3xf32>
    return %g, %s, %rs : tensor<4x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  }
}
