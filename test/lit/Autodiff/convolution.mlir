// RUN: thunder-opt --thunder-autodiff %s | FileCheck %s

// A strided, padded 2-D convolution. grad input: a convolution of the
// cotangent, dilated by the stride (lhs_dilation = 2), with the weight's
// channels swapped and its window flipped. grad weight: a convolution over
// the batch (input and cotangent with N and C swapped, the stride as
// dilation), permuted back to [O, C, kh, kw].
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    (%[[X:[^:]+]]: tensor<2x3x9x9xf32> {{.*}}"saved"
// CHECK-SAME:     %[[DY:[^:]+]]: tensor<2x8x5x5xf32> {{.*}}"cotangent"
// CHECK-SAME:     %[[W:[^:]+]]: tensor<8x3x3x3xf32> {{.*}}"param"
// CHECK:         %[[WT:.+]] = thunder.permute %[[W]] {perm = array<i64: 1, 0, 2, 3>}
// CHECK:         %[[WF:.+]] = thunder.reverse %[[WT]] {dims = array<i64: 2, 3>}
// CHECK:         %[[DX:.+]] = thunder.convolution %[[DY]], %[[WF]] {dilation = array<i64: 1, 1>, groups = 1 : i64, lhs_dilation = array<i64: 2, 2>, padding_high = array<i64: 1, 1>, padding_low = array<i64: 1, 1>, stride = array<i64: 1, 1>} : tensor<2x8x5x5xf32>, tensor<3x8x3x3xf32> -> tensor<2x3x9x9xf32>
// CHECK:         %[[XT:.+]] = thunder.permute %[[X]] {perm = array<i64: 1, 0, 2, 3>}
// CHECK:         %[[GT:.+]] = thunder.permute %[[DY]] {perm = array<i64: 1, 0, 2, 3>}
// CHECK:         %[[C:.+]] = thunder.convolution %[[XT]], %[[GT]] {dilation = array<i64: 2, 2>, groups = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, padding_low = array<i64: 1, 1>, stride = array<i64: 1, 1>} : tensor<3x2x9x9xf32>, tensor<8x2x5x5xf32> -> tensor<3x8x3x3xf32>
// CHECK:         %[[DW:.+]] = thunder.permute %[[C]] {perm = array<i64: 1, 0, 2, 3>}
// CHECK:         return %[[DW]], %[[DX]]
func.func @forward(%w: tensor<8x3x3x3xf32> {thunder.kind = "param", thunder.name = "conv.weight"},
                   %x: tensor<2x3x9x9xf32> {thunder.kind = "input", thunder.name = "x"})
    -> (tensor<2x8x5x5xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.convolution %x, %w {stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<2x3x9x9xf32>, tensor<8x3x3x3xf32> -> tensor<2x8x5x5xf32>
  return %0 : tensor<2x8x5x5xf32>
}
