// RUN: thunder-opt %s --thunder-cuda-fold-matmul-operands --canonicalize | FileCheck %s

// matmul(x, transpose(w)) reads w through the transposed map; the transpose
// is gone.
// CHECK-DAG:   #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG:   #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear
// CHECK-NOT:   linalg.transpose
// CHECK:       linalg.generic {indexing_maps = [#[[A]], #[[BT]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:    ins(%arg0, %arg1 : tensor<8x64xf32>, tensor<128x64xf32>)
// CHECK:         arith.mulf
// CHECK:         arith.addf
func.func @linear(%x: tensor<8x64xf32>, %w: tensor<128x64xf32>) -> tensor<8x128xf32> {
  %e = tensor.empty() : tensor<64x128xf32>
  %wt = linalg.transpose ins(%w : tensor<128x64xf32>) outs(%e : tensor<64x128xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<8x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<8x128xf32>) -> tensor<8x128xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<8x64xf32>, tensor<64x128xf32>) outs(%f : tensor<8x128xf32>) -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

// A batched transpose written as a linalg.generic (attention's k^T).
// CHECK-LABEL: func.func @scores
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[KT:.*]], #{{.*}}]
// CHECK-SAME:    ins(%arg0, %arg1 : tensor<2x16x8xf32>, tensor<2x16x8xf32>)
#p0 = affine_map<(b, i, j) -> (b, j, i)>
#id = affine_map<(b, i, j) -> (b, i, j)>
func.func @scores(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>) -> tensor<2x16x16xf32> {
  %e = tensor.empty() : tensor<2x8x16xf32>
  %kt = linalg.generic {indexing_maps = [#p0, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%k : tensor<2x16x8xf32>) outs(%e : tensor<2x8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x8x16xf32>
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<2x16x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<2x16x16xf32>) -> tensor<2x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x16x8xf32>, tensor<2x8x16xf32>) outs(%f : tensor<2x16x16xf32>) -> tensor<2x16x16xf32>
  return %s : tensor<2x16x16xf32>
}

// A weight broadcast over the batch (a Linear layer on a 3-D input) is read
// through the broadcast map: no batch loop in its map.
// CHECK-LABEL: func.func @broadcast_weight
// CHECK-NOT:   linalg.broadcast
// CHECK:       linalg.generic {indexing_maps = [#{{.*}}, #[[W:.*]], #{{.*}}]
// CHECK-SAME:    ins(%arg0, %arg1 : tensor<2x16x64xf32>, tensor<64x32xf32>)
func.func @broadcast_weight(%x: tensor<2x16x64xf32>, %w: tensor<64x32xf32>) -> tensor<2x16x32xf32> {
  %e = tensor.empty() : tensor<2x64x32xf32>
  %wb = linalg.broadcast ins(%w : tensor<64x32xf32>) outs(%e : tensor<2x64x32xf32>) dimensions = [0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<2x16x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.batch_matmul ins(%x, %wb : tensor<2x16x64xf32>, tensor<2x64x32xf32>) outs(%f : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}
