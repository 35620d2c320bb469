// thunder.convolution -> padding, (grouped) expand_shape, one linalg.generic
// reading the input at out * stride + window * dilation.
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// Iteration dims: n, g, o, oh, ow | c, kh, kw.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7 * 2)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// Without groups: n, o, ow | c, kw.
// CHECK-DAG: #[[IN1:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2 + d4)>
// CHECK-DAG: #[[W1:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
// CHECK-DAG: #[[OUT1:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>

// 2-D, groups 2, stride 2, dilation (1, 2), padding (1, 0), dynamic batch.
// CHECK-LABEL: func.func @conv2d_groups
// CHECK: %[[P:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 0] high[0, 0, 1, 0]
// CHECK: tensor<?x4x8x8xf32> to tensor<?x4x10x8xf32>
// CHECK: %[[XG:.+]] = tensor.expand_shape %[[P]] {{\[}}[0], [1, 2], [3], [4]] output_shape [%{{.+}}, 2, 2, 10, 8] : tensor<?x4x10x8xf32> into tensor<?x2x2x10x8xf32>
// CHECK: %[[WG:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[XG]], %[[WG]] : tensor<?x2x2x10x8xf32>, tensor<2x3x2x3x3xf32>) outs(%{{.+}} : tensor<?x2x3x4x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2], [3], [4]] : tensor<?x2x3x4x2xf32> into tensor<?x6x4x2xf32>
func.func @conv2d_groups(%x: tensor<?x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<?x6x4x2xf32> {
  %0 = thunder.convolution %x, %w {stride = array<i64: 2, 2>, padding_low = array<i64: 1, 0>, padding_high = array<i64: 1, 0>, dilation = array<i64: 1, 2>, lhs_dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<?x4x8x8xf32>, tensor<6x2x3x3xf32> -> tensor<?x6x4x2xf32>
  return %0 : tensor<?x6x4x2xf32>
}

// lhs_dilation 2: the input goes into a zero tensor with stride 2; f16
// accumulates in f32.
// CHECK-LABEL: func.func @conv1d_lhs_dilation_f16
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f16) outs(%{{.+}} : tensor<1x2x5xf16>)
// CHECK: %[[D:.+]] = tensor.insert_slice %{{.+}} into %[[Z]][0, 0, 0] [1, 2, 3] [1, 1, 2] : tensor<1x2x3xf16> into tensor<1x2x5xf16>
// CHECK: %[[P:.+]] = tensor.pad %[[D]] low[0, 0, 1] high[0, 0, 1]
// CHECK: linalg.generic {indexing_maps = [#[[IN1]], #[[W1]], #[[OUT1]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[P]], %{{.+}} : tensor<1x2x7xf16>, tensor<3x2x2xf16>) outs(%{{.+}} : tensor<1x3x6xf32>)
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @conv1d_lhs_dilation_f16(%x: tensor<1x2x3xf16>, %w: tensor<3x2x2xf16>) -> tensor<1x3x6xf16> {
  %0 = thunder.convolution %x, %w {stride = array<i64: 1>, padding_low = array<i64: 1>, padding_high = array<i64: 1>, dilation = array<i64: 1>, lhs_dilation = array<i64: 2>, groups = 1 : i64} : tensor<1x2x3xf16>, tensor<3x2x2xf16> -> tensor<1x3x6xf16>
  return %0 : tensor<1x3x6xf16>
}

// Negative padding crops with extract_slice.
// CHECK-LABEL: func.func @conv3d_negative_padding
// CHECK: tensor.extract_slice %{{.+}}[0, 0, 1, 0, 0] [1, 1, 3, 4, 4] [1, 1, 1, 1, 1]
// CHECK: linalg.generic
func.func @conv3d_negative_padding(%x: tensor<1x1x4x4x4xf32>, %w: tensor<1x1x2x2x2xf32>) -> tensor<1x1x2x3x3xf32> {
  %0 = thunder.convolution %x, %w {stride = array<i64: 1, 1, 1>, padding_low = array<i64: -1, 0, 0>, padding_high = array<i64: 0, 0, 0>, dilation = array<i64: 1, 1, 1>, lhs_dilation = array<i64: 1, 1, 1>, groups = 1 : i64} : tensor<1x1x4x4x4xf32>, tensor<1x1x2x2x2xf32> -> tensor<1x1x2x3x3xf32>
  return %0 : tensor<1x1x2x3x3xf32>
}
