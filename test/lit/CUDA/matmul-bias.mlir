// RUN: thunder-opt %s --split-input-file --thunder-cuda-matmul-bias | FileCheck %s

// A Linear layer: the product into a zero fill, then + bias along the last
// dim. The product starts from the broadcast bias; the add is gone.
// CHECK-LABEL: func.func @linear
// CHECK: %[[B:.+]] = linalg.broadcast ins(%arg2 : tensor<16xf32>) outs(%{{.+}} : tensor<4x8x16xf32>) dimensions = [0, 1]
// CHECK: %[[P:.+]] = linalg.generic {{.*}} outs(%[[B]] : tensor<4x8x16xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[P]]
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#w = affine_map<(b, m, n, k) -> (k, n)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
#bias = affine_map<(b, m, n) -> (n)>
#id = affine_map<(b, m, n) -> (b, m, n)>
func.func @linear(%x: tensor<4x8x32xf32>, %w: tensor<32x16xf32>, %bias: tensor<16xf32>) -> tensor<4x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  %p = linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<4x8x32xf32>, tensor<32x16xf32>) outs(%f : tensor<4x8x16xf32>) {
  ^bb0(%in: f32, %in_w: f32, %out: f32):
    %m = arith.mulf %in, %in_w : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x8x16xf32>
  %e2 = tensor.empty() : tensor<4x8x16xf32>
  %r = linalg.generic {indexing_maps = [#bias, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bias, %p : tensor<16xf32>, tensor<4x8x16xf32>) outs(%e2 : tensor<4x8x16xf32>) {
  ^bb0(%b: f32, %v: f32, %out: f32):
    %s = arith.addf %b, %v : f32
    linalg.yield %s : f32
  } -> tensor<4x8x16xf32>
  return %r : tensor<4x8x16xf32>
}

// -----

// The product is read twice, and the vector runs along the middle dim: both stay.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: linalg.broadcast
// CHECK-COUNT-3: linalg.generic
#a2 = affine_map<(m, n, k) -> (m, k)>
#w2 = affine_map<(m, n, k) -> (k, n)>
#c2 = affine_map<(m, n, k) -> (m, n)>
#row = affine_map<(m, n) -> (m)>
#id2 = affine_map<(m, n) -> (m, n)>
func.func @kept(%x: tensor<8x32xf32>, %w: tensor<32x8xf32>, %v: tensor<8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %p = linalg.generic {indexing_maps = [#a2, #w2, #c2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<8x32xf32>, tensor<32x8xf32>) outs(%f : tensor<8x8xf32>) {
  ^bb0(%in: f32, %in_w: f32, %out: f32):
    %m = arith.mulf %in, %in_w : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x8xf32>
  %r = linalg.generic {indexing_maps = [#row, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%v, %p : tensor<8xf32>, tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%b: f32, %x2: f32, %out: f32):
    %s = arith.addf %b, %x2 : f32
    linalg.yield %s : f32
  } -> tensor<8x8xf32>
  %q = linalg.generic {indexing_maps = [#row, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%v, %p : tensor<8xf32>, tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%b: f32, %x2: f32, %out: f32):
    %s = arith.addf %b, %x2 : f32
    linalg.yield %s : f32
  } -> tensor<8x8xf32>
  return %r, %q : tensor<8x8xf32>, tensor<8x8xf32>
}
