// RUN: thunder-opt %s --thunder-cuda-extract-matmul-operands --canonicalize | FileCheck %s
// RUN: thunder-opt %s --thunder-cuda-extract-matmul-operands="convolutions=false" --canonicalize | FileCheck %s --check-prefix=LOOPS

// A 1x1 convolution with stride 2 into which elementwise fusion moved the
// BatchNorm + ReLU producing its input: the producer goes back over the
// input's own space (n, c, h, w: 2x8x8x8, the input's extents) and the
// convolution reads it through its window map again (a plain convolution
// for thunder-cuda-convolution-calls).
// CHECK-DAG:   #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG:   #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 2 + d6)>
// CHECK-LABEL: func.func @conv_fused_input
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x8x8x8xf32>
// CHECK:         %[[X:.*]] = linalg.generic {indexing_maps = [#[[CH]], #[[CH]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg2, %arg1, %arg0 : tensor<8xf32>, tensor<8xf32>, tensor<2x8x8x8xf32>) outs(%[[E]] : tensor<2x8x8x8xf32>)
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.maximumf
// CHECK:         linalg.generic {indexing_maps = [#[[IN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[X]], %arg3 : tensor<2x8x8x8xf32>, tensor<16x8x1x1xf32>)
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      arith.mulf
// CHECK-NEXT:      arith.addf
// Without `convolutions`: over the loops the side uses (an im2col of it).
// LOOPS-LABEL: func.func @conv_fused_input
// LOOPS:         tensor.empty() : tensor<2x4x4x8x1x1xf32>
#x = affine_map<(n, o, h, w, c, kh, kw) -> (n, c, h * 2 + kh, w * 2 + kw)>
#ch = affine_map<(n, o, h, w, c, kh, kw) -> (c)>
#wt = affine_map<(n, o, h, w, c, kh, kw) -> (o, c, kh, kw)>
#out = affine_map<(n, o, h, w, c, kh, kw) -> (n, o, h, w)>
func.func @conv_fused_input(%x: tensor<2x8x8x8xf32>, %mean: tensor<8xf32>, %scale: tensor<8xf32>,
                            %w: tensor<16x8x1x1xf32>) -> tensor<2x16x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x4x4xf32>) -> tensor<2x16x4x4xf32>
  %r = linalg.generic {indexing_maps = [#x, #ch, #ch, #wt, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %mean, %scale, %w : tensor<2x8x8x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<16x8x1x1xf32>)
      outs(%init : tensor<2x16x4x4xf32>) {
  ^bb0(%a: f32, %m: f32, %s: f32, %b: f32, %acc: f32):
    %c = arith.subf %a, %m : f32
    %n = arith.mulf %c, %s : f32
    %relu = arith.maximumf %n, %zero : f32
    %p = arith.mulf %relu, %b : f32
    %sum = arith.addf %acc, %p : f32
    linalg.yield %sum : f32
  } -> tensor<2x16x4x4xf32>
  return %r : tensor<2x16x4x4xf32>
}
