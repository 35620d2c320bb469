// thunder-decompose: thunder.attention -> thunder primitives.
// RUN: thunder-opt %s --thunder-decompose --split-input-file | FileCheck %s
// RUN: thunder-opt %s --thunder-decompose=keep-attention --split-input-file | FileCheck %s --check-prefix=KEEP

// softmax(q @ k^T * scale + mask) @ v with a boolean mask: masked scores are
// -inf, fully masked rows are 0.
// CHECK-LABEL: func.func @bool_mask
// CHECK-SAME: (%[[Q:.+]]: tensor<2x?x8xf32>, %[[K:.+]]: tensor<2x6x8xf32>, %[[V:.+]]: tensor<2x6x5xf32>, %[[M:.+]]: tensor<2x?x6xi1>)
// CHECK-DAG: %[[NEGINF:.+]] = thunder.constant dense<0xFF800000> : tensor<f32>
// CHECK-DAG: %[[SCALE:.+]] = thunder.constant dense<1.250000e-01> : tensor<f32>
// CHECK: %[[L:.+]] = tensor.dim %[[Q]], %{{.+}} : tensor<2x?x8xf32>
// CHECK: %[[KT:.+]] = thunder.permute %[[K]] {perm = array<i64: 0, 2, 1>} : tensor<2x6x8xf32> -> tensor<2x8x6xf32>
// CHECK: %[[S:.+]] = thunder.matmul %[[Q]], %[[KT]] : tensor<2x?x8xf32>, tensor<2x8x6xf32> -> tensor<2x?x6xf32>
// CHECK: %[[SB:.+]] = thunder.broadcast_in_dim %[[SCALE]], %[[L]] {dims = array<i64>} : tensor<f32> -> tensor<2x?x6xf32>
// CHECK: %[[SS:.+]] = thunder.mul %[[S]], %[[SB]]
// CHECK: %[[NB:.+]] = thunder.broadcast_in_dim %[[NEGINF]], %[[L]]
// CHECK: %[[MASKED:.+]] = thunder.select %[[M]], %[[SS]], %[[NB]] : tensor<2x?x6xi1>, tensor<2x?x6xf32>
// CHECK: %[[MAX:.+]] = thunder.reduce_max %[[MASKED]] {dims = array<i64: 2>, keepdim = true} : tensor<2x?x6xf32> -> tensor<2x?x1xf32>
// CHECK: %[[MAXB:.+]] = thunder.broadcast_in_dim %[[MAX]], %[[L]] {dims = array<i64: 0, 1, 2>} : tensor<2x?x1xf32> -> tensor<2x?x6xf32>
// CHECK: %[[SUB:.+]] = thunder.sub %[[MASKED]], %[[MAXB]]
// CHECK: %[[E:.+]] = thunder.exp %[[SUB]]
// CHECK: %[[SUM:.+]] = thunder.reduce_sum %[[E]] {dims = array<i64: 2>, keepdim = true}
// CHECK: %[[SUMB:.+]] = thunder.broadcast_in_dim %[[SUM]]
// CHECK: %[[P:.+]] = thunder.div %[[E]], %[[SUMB]]
// CHECK: %[[EMPTY:.+]] = thunder.compare eq, %[[MAXB]], %[[NB]]
// CHECK: %[[P0:.+]] = thunder.select %[[EMPTY]], %{{.+}}, %[[P]]
// CHECK: %[[O:.+]] = thunder.matmul %[[P0]], %[[V]] : tensor<2x?x6xf32>, tensor<2x6x5xf32> -> tensor<2x?x5xf32>
// CHECK: return %[[O]]
// KEEP-LABEL: func.func @bool_mask
// KEEP: thunder.attention
func.func @bool_mask(%q: tensor<2x?x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x5xf32>, %m: tensor<2x?x6xi1>) -> tensor<2x?x5xf32> {
  %0 = thunder.attention %q, %k, %v mask %m : tensor<2x?x6xi1> {scale = 0.125 : f64} : tensor<2x?x8xf32>, tensor<2x6x8xf32>, tensor<2x6x5xf32> -> tensor<2x?x5xf32>
  return %0 : tensor<2x?x5xf32>
}

// -----

// An additive mask of lower rank is broadcast (right-aligned) and added.
// CHECK-LABEL: func.func @float_mask
// CHECK: %[[MB:.+]] = thunder.broadcast_in_dim %{{.+}} {dims = array<i64: 2, 3>} : tensor<4x6xf32> -> tensor<1x2x4x6xf32>
// CHECK: thunder.add %{{.+}}, %[[MB]] : tensor<1x2x4x6xf32>
// CHECK-NOT: thunder.attention
func.func @float_mask(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>, %v: tensor<1x2x6x8xf32>, %m: tensor<4x6xf32>) -> tensor<1x2x4x8xf32> {
  %0 = thunder.attention %q, %k, %v mask %m : tensor<4x6xf32> {scale = 0.5 : f64} : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32> -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

// is_causal: row >= column from two iotas. bf16: the products read bf16
// and return their f32 accumulator (tensor cores), softmax in f32, the
// probabilities rounded to bf16 for the second product (as flash attention
// does), the result rounded once. No empty-row fix-up: column 0 is always
// attended.
// CHECK-LABEL: func.func @causal_bf16
// CHECK-NOT: thunder.convert
// CHECK: thunder.matmul %arg0, %{{.+}} : tensor<3x4x8xbf16>, tensor<3x8x4xbf16> -> tensor<3x4x4xf32>
// CHECK: %[[R:.+]] = thunder.iota {dim = 0 : i64} : tensor<4x4xi64>
// CHECK: %[[C:.+]] = thunder.iota {dim = 1 : i64} : tensor<4x4xi64>
// CHECK: %[[A:.+]] = thunder.compare ge, %[[R]], %[[C]] : tensor<4x4xi64>
// CHECK: %[[AB:.+]] = thunder.broadcast_in_dim %[[A]] {dims = array<i64: 1, 2>} : tensor<4x4xi1> -> tensor<3x4x4xi1>
// CHECK: thunder.select %[[AB]]
// CHECK-NOT: thunder.compare eq
// CHECK: %[[P:.+]] = thunder.convert %{{.+}} : tensor<3x4x4xf32> -> tensor<3x4x4xbf16>
// CHECK: %[[O:.+]] = thunder.matmul %[[P]], %arg2 : tensor<3x4x4xbf16>, tensor<3x4x8xbf16> -> tensor<3x4x8xf32>
// CHECK: thunder.convert %[[O]] : tensor<3x4x8xf32> -> tensor<3x4x8xbf16>
func.func @causal_bf16(%q: tensor<3x4x8xbf16>, %k: tensor<3x4x8xbf16>, %v: tensor<3x4x8xbf16>) -> tensor<3x4x8xbf16> {
  %0 = thunder.attention %q, %k, %v {scale = 0.35355339059327373 : f64, is_causal = true} : tensor<3x4x8xbf16>, tensor<3x4x8xbf16>, tensor<3x4x8xbf16> -> tensor<3x4x8xbf16>
  return %0 : tensor<3x4x8xbf16>
}
