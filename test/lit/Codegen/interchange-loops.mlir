// RUN: thunder-opt %s --pass-pipeline='builtin.module(func.func(thunder-interchange-loops))' | FileCheck %s

// matmul: (i, j, k) -> (i, k, j): B and C walked contiguously by the inner loop.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]}
func.func @matmul(%a: memref<8x16xf32>, %b: memref<16x32xf32>, %c: memref<8x32xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x32xf32>) outs(%c : memref<8x32xf32>)
  return
}

// A row reduction is already best as it is (contiguous reduction innermost).
// CHECK-LABEL: func.func @row_sum
// CHECK: iterator_types = ["parallel", "reduction"]
func.func @row_sum(%x: memref<8x16xf32>, %y: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x16xf32>) outs(%y : memref<8xf32>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.addf %a, %o : f32
      linalg.yield %s : f32
  }
  return
}

// A column reduction cannot get a contiguous parallel loop: left alone.
// CHECK-LABEL: func.func @col_sum
// CHECK: iterator_types = ["reduction", "parallel", "reduction"]
func.func @col_sum(%x: memref<4x8x16xf32>, %y: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>],
                  iterator_types = ["reduction", "parallel", "reduction"]}
      ins(%x : memref<4x8x16xf32>) outs(%y : memref<8xf32>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.addf %a, %o : f32
      linalg.yield %s : f32
  }
  return
}

// Convolution (NCHW): the output width becomes the innermost loop.
// CHECK-LABEL: func.func @conv
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]
func.func @conv(%i: memref<1x3x10x10xf32>, %f: memref<4x3x3x3xf32>, %o: memref<1x4x8x8xf32>) {
  linalg.conv_2d_nchw_fchw ins(%i, %f : memref<1x3x10x10xf32>, memref<4x3x3x3xf32>) outs(%o : memref<1x4x8x8xf32>)
  return
}
