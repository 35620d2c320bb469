// Convolution: groups, stride, dilation, padding (also negative), the
// zeros of lhs_dilation (transposed convolution), 1-D/2-D/3-D. Expected
// values from a direct loop implementation (integers: exact in f32).
// RUN: thunder-opt %s --thunder-lower-to-linalg | %run-on-cpu | FileCheck %s

// 2-D, groups 2, stride (2, 1), padding (1, 0)/(1, 2), dilation (1, 2), a
// dynamic batch.
func.func @conv2d(%x: tensor<?x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x3x3xf32> {
  %0 = thunder.convolution %x, %w {stride = array<i64: 2, 1>, padding_low = array<i64: 1, 0>, padding_high = array<i64: 1, 2>, dilation = array<i64: 1, 2>, lhs_dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32> -> tensor<?x4x3x3xf32>
  return %0 : tensor<?x4x3x3xf32>
}

// The same with every dim but the channels dynamic: extents computed at run
// time.
func.func @conv2d_dynamic(%x: tensor<?x4x?x?xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x?x?xf32> {
  %0 = thunder.convolution %x, %w {stride = array<i64: 2, 1>, padding_low = array<i64: 1, 0>, padding_high = array<i64: 1, 2>, dilation = array<i64: 1, 2>, lhs_dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<?x4x?x?xf32>, tensor<4x2x3x3xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// 1-D with lhs_dilation 2 (one zero between inputs) and padding 1/1.
func.func @conv1d(%x: tensor<1x2x3xf32>, %w: tensor<2x2x2xf32>) -> tensor<1x2x6xf32> {
  %0 = thunder.convolution %x, %w {stride = array<i64: 1>, padding_low = array<i64: 1>, padding_high = array<i64: 1>, dilation = array<i64: 1>, lhs_dilation = array<i64: 2>, groups = 1 : i64} : tensor<1x2x3xf32>, tensor<2x2x2xf32> -> tensor<1x2x6xf32>
  return %0 : tensor<1x2x6xf32>
}

// 3-D depthwise (groups = channels), stride 2, padding low -1 (a crop) in
// the first spatial dim.
func.func @conv3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<2x1x2x2x2xf32>) -> tensor<1x2x1x2x2xf32> {
  %0 = thunder.convolution %x, %w {stride = array<i64: 2, 2, 2>, padding_low = array<i64: -1, 0, 0>, padding_high = array<i64: 0, 0, 1>, dilation = array<i64: 1, 1, 1>, lhs_dilation = array<i64: 1, 1, 1>, groups = 2 : i64} : tensor<1x2x4x4x4xf32>, tensor<2x1x2x2x2xf32> -> tensor<1x2x1x2x2xf32>
  return %0 : tensor<1x2x1x2x2xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %xa = arith.constant dense<[[[[-5.0, 2.0, -2.0, 5.0, 1.0], [-3.0, 4.0, 0.0, -4.0, 3.0], [-1.0, -5.0, 2.0, -2.0, 5.0], [1.0, -3.0, 4.0, 0.0, -4.0], [3.0, -1.0, -5.0, 2.0, -2.0]], [[5.0, 1.0, -3.0, 4.0, 0.0], [-4.0, 3.0, -1.0, -5.0, 2.0], [-2.0, 5.0, 1.0, -3.0, 4.0], [0.0, -4.0, 3.0, -1.0, -5.0], [2.0, -2.0, 5.0, 1.0, -3.0]], [[4.0, 0.0, -4.0, 3.0, -1.0], [-5.0, 2.0, -2.0, 5.0, 1.0], [-3.0, 4.0, 0.0, -4.0, 3.0], [-1.0, -5.0, 2.0, -2.0, 5.0], [1.0, -3.0, 4.0, 0.0, -4.0]], [[3.0, -1.0, -5.0, 2.0, -2.0], [5.0, 1.0, -3.0, 4.0, 0.0], [-4.0, 3.0, -1.0, -5.0, 2.0], [-2.0, 5.0, 1.0, -3.0, 4.0], [0.0, -4.0, 3.0, -1.0, -5.0]]]]> : tensor<1x4x5x5xf32>
  %wa = arith.constant dense<[[[[-3.0, 2.0, 0.0], [-2.0, 3.0, 1.0], [-1.0, -3.0, 2.0]], [[0.0, -2.0, 3.0], [1.0, -1.0, -3.0], [2.0, 0.0, -2.0]]], [[[3.0, 1.0, -1.0], [-3.0, 2.0, 0.0], [-2.0, 3.0, 1.0]], [[-1.0, -3.0, 2.0], [0.0, -2.0, 3.0], [1.0, -1.0, -3.0]]], [[[2.0, 0.0, -2.0], [3.0, 1.0, -1.0], [-3.0, 2.0, 0.0]], [[-2.0, 3.0, 1.0], [-1.0, -3.0, 2.0], [0.0, -2.0, 3.0]]], [[[1.0, -1.0, -3.0], [2.0, 0.0, -2.0], [3.0, 1.0, -1.0]], [[-3.0, 2.0, 0.0], [-2.0, 3.0, 1.0], [-1.0, -3.0, 2.0]]]]> : tensor<4x2x3x3xf32>
  %xad = tensor.cast %xa : tensor<1x4x5x5xf32> to tensor<?x4x5x5xf32>
  %ra = call @conv2d(%xad, %wa) : (tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x3x3xf32>
  %ua = tensor.cast %ra : tensor<?x4x3x3xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 4, 3, 3]
  // CHECK-NEXT: {{.*}}[10, 22, -7]
  // CHECK-NEXT: {{.*}}[4, -3, 24]
  // CHECK-NEXT: {{.*}}[-33, 16, 2]
  // CHECK-NEXT: {{.*}}[17, -16, 14]
  // CHECK-NEXT: {{.*}}[34, 40, -18]
  // CHECK-NEXT: {{.*}}[-46, 3, 37]
  // CHECK-NEXT: {{.*}}[34, -6, 6]
  // CHECK-NEXT: {{.*}}[-15, 51, -4]
  // CHECK-NEXT: {{.*}}[-9, -31, 34]
  // CHECK-NEXT: {{.*}}[-27, 6, -6]
  // CHECK-NEXT: {{.*}}[-31, -24, 12]
  // CHECK-NEXT: {{.*}}[4, -25, -11]
  call @printMemrefF32(%ua) : (tensor<*xf32>) -> ()

  %xad2 = tensor.cast %xa : tensor<1x4x5x5xf32> to tensor<?x4x?x?xf32>
  %ra2 = call @conv2d_dynamic(%xad2, %wa) : (tensor<?x4x?x?xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x?x?xf32>
  %ua2 = tensor.cast %ra2 : tensor<?x4x?x?xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 4, 3, 3]
  // CHECK-NEXT: {{.*}}[10, 22, -7]
  // CHECK-NEXT: {{.*}}[4, -3, 24]
  // CHECK-NEXT: {{.*}}[-33, 16, 2]
  // CHECK-NEXT: {{.*}}[17, -16, 14]
  // CHECK-NEXT: {{.*}}[34, 40, -18]
  // CHECK-NEXT: {{.*}}[-46, 3, 37]
  // CHECK-NEXT: {{.*}}[34, -6, 6]
  // CHECK-NEXT: {{.*}}[-15, 51, -4]
  // CHECK-NEXT: {{.*}}[-9, -31, 34]
  // CHECK-NEXT: {{.*}}[-27, 6, -6]
  // CHECK-NEXT: {{.*}}[-31, -24, 12]
  // CHECK-NEXT: {{.*}}[4, -25, -11]
  call @printMemrefF32(%ua2) : (tensor<*xf32>) -> ()

  %xb = arith.constant dense<[[[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]]> : tensor<1x2x3xf32>
  %wb = arith.constant dense<[[[1.0, -1.0], [2.0, 0.0]], [[0.5, 1.0], [-2.0, 3.0]]]> : tensor<2x2x2xf32>
  %rb = call @conv1d(%xb, %wb) : (tensor<1x2x3xf32>, tensor<2x2x2xf32>) -> tensor<1x2x6xf32>
  %ub = tensor.cast %rb : tensor<1x2x6xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 2, 6]
  // CHECK-NEXT: {{.*}}[-1, -1, -2, 3, -3, 7]
  // CHECK-NEXT: {{.*}}[-2, 2.5, 3.5, 0, 9, -2.5]
  call @printMemrefF32(%ub) : (tensor<*xf32>) -> ()

  %xc = arith.constant dense<[[[[[-4.0, -3.0, -2.0, -1.0], [0.0, 1.0, 2.0, 3.0], [4.0, -4.0, -3.0, -2.0], [-1.0, 0.0, 1.0, 2.0]], [[3.0, 4.0, -4.0, -3.0], [-2.0, -1.0, 0.0, 1.0], [2.0, 3.0, 4.0, -4.0], [-3.0, -2.0, -1.0, 0.0]], [[1.0, 2.0, 3.0, 4.0], [-4.0, -3.0, -2.0, -1.0], [0.0, 1.0, 2.0, 3.0], [4.0, -4.0, -3.0, -2.0]], [[-1.0, 0.0, 1.0, 2.0], [3.0, 4.0, -4.0, -3.0], [-2.0, -1.0, 0.0, 1.0], [2.0, 3.0, 4.0, -4.0]]], [[[-3.0, -2.0, -1.0, 0.0], [1.0, 2.0, 3.0, 4.0], [-4.0, -3.0, -2.0, -1.0], [0.0, 1.0, 2.0, 3.0]], [[4.0, -4.0, -3.0, -2.0], [-1.0, 0.0, 1.0, 2.0], [3.0, 4.0, -4.0, -3.0], [-2.0, -1.0, 0.0, 1.0]], [[2.0, 3.0, 4.0, -4.0], [-3.0, -2.0, -1.0, 0.0], [1.0, 2.0, 3.0, 4.0], [-4.0, -3.0, -2.0, -1.0]], [[0.0, 1.0, 2.0, 3.0], [4.0, -4.0, -3.0, -2.0], [-1.0, 0.0, 1.0, 2.0], [3.0, 4.0, -4.0, -3.0]]]]]> : tensor<1x2x4x4x4xf32>
  %wc = arith.constant dense<[[[[[-2.0, -1.0], [0.0, 1.0]], [[2.0, -2.0], [-1.0, 0.0]]]], [[[[1.0, 2.0], [-2.0, -1.0]], [[0.0, 1.0], [2.0, -2.0]]]]]> : tensor<2x1x2x2x2xf32>
  %rc = call @conv3d(%xc, %wc) : (tensor<1x2x4x4x4xf32>, tensor<2x1x2x2x2xf32>) -> tensor<1x2x1x2x2xf32>
  %uc = tensor.cast %rc : tensor<1x2x1x2x2xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 2, 1, 2, 2]
  // CHECK-NEXT: {{.*}}[-9, 12]
  // CHECK-NEXT: {{.*}}[-15, -3]
  // CHECK-NEXT: {{.*}}[-1, -17]
  // CHECK-NEXT: {{.*}}[16, -9]
  call @printMemrefF32(%uc) : (tensor<*xf32>) -> ()
  return
}
