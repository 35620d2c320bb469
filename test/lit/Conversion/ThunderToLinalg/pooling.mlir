// Pooling: a window reduction dim per pooled dim, sized by a tensor.empty of
// the kernel's shape.
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[DIL:.+]] = affine_map<(d0, d1, d2) -> (d0, d1 + d2 * 2)>
// CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// max_pool pads with -inf and takes the NaN-propagating maximum.
// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %[[NEGINF]] : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[WINDOW:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[P]], %[[WINDOW]] : tensor<?x3x9x9xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<?x3x4x4xf32>)
// CHECK: arith.maximumf
func.func @max_pool(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32> {
  %0 = thunder.max_pool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x3x8x8xf32> -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// 1-D pooling of the last dim of a rank-2 tensor, dilation 2.
// CHECK-LABEL: func.func @max_pool_1d_dilated
// CHECK: linalg.generic {indexing_maps = [#[[DIL]],
func.func @max_pool_1d_dilated(%x: tensor<2x9xf32>) -> tensor<2x5xf32> {
  %0 = thunder.max_pool %x {kernel = array<i64: 3>, stride = array<i64: 1>, padding_low = array<i64: 0>, padding_high = array<i64: 0>, dilation = array<i64: 2>} : tensor<2x9xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// avg_pool: a zero-padded window sum in f32, then a division by the count
// of window positions in [-counted_low, extent + counted_high).
// CHECK-LABEL: func.func @avg_pool_bf16
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #[[OUT]]]
// CHECK-SAME: outs(%{{.+}} : tensor<?x3x4x4xf32>)
// CHECK: arith.extf
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]]], {{.*}} ins(%[[SUM]] : tensor<?x3x4x4xf32>) outs(%{{.+}} : tensor<?x3x4x4xbf16>)
// CHECK: linalg.index 2
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: linalg.index 3
// CHECK: %[[COUNT:.+]] = arith.sitofp %{{.+}} : i64 to f32
// CHECK: %[[MEAN:.+]] = arith.divf %{{.+}}, %[[COUNT]] : f32
// CHECK: arith.truncf %[[MEAN]] : f32 to bf16
func.func @avg_pool_bf16(%x: tensor<?x3x8x8xbf16>) -> tensor<?x3x4x4xbf16> {
  %0 = thunder.avg_pool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, counted_padding_low = array<i64: 1, 1>, counted_padding_high = array<i64: 1, 1>} : tensor<?x3x8x8xbf16> -> tensor<?x3x4x4xbf16>
  return %0 : tensor<?x3x4x4xbf16>
}

// CHECK-LABEL: func.func @avg_pool_divisor_override
// CHECK: %[[D:.+]] = arith.constant 5.000000e+00 : f32
// CHECK: arith.divf %{{.+}}, %[[D]] : f32
func.func @avg_pool_divisor_override(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = thunder.avg_pool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, counted_padding_low = array<i64: 0, 0>, counted_padding_high = array<i64: 0, 0>, divisor_override = 5 : i64} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// max_pool_backward: the first maximum of each window as a linear window
// offset (-1 until a position inside the input is seen), then for each input
// position the gradients of the windows whose maximum it is.
// CHECK-LABEL: func.func @max_pool_backward
// CHECK: %[[ARG:.+]]:2 = linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #[[OUT]], #[[OUT]]]
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<?x3x4x4xf32>, tensor<?x3x4x4xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[WIN]], #[[OUT]]]
// CHECK-SAME: outs(%{{.+}} : tensor<?x3x8x8xf32>)
// CHECK: arith.remsi
// CHECK: tensor.extract %[[ARG]]#1
// CHECK: arith.cmpi eq
// CHECK: tensor.extract %{{.+}} : tensor<?x3x4x4xf32>
// CHECK: arith.addf
func.func @max_pool_backward(%g: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32> {
  %0 = thunder.max_pool_backward %g, %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32> -> tensor<?x3x8x8xf32>
  return %0 : tensor<?x3x8x8xf32>
}
