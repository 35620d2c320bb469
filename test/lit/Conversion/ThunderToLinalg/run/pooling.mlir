// Pooling: -inf padding of max_pool (all inputs negative), NaN, dilation;
// avg_pool divisors with count_include_pad, without it, with ceil_mode's
// extra padding (never counted) and divisor_override; max_pool_backward
// routing each gradient to the first maximum of its window (ties, overlap,
// padding). Expected values from a direct loop implementation.
// RUN: thunder-opt %s --thunder-lower-to-linalg | %run-on-cpu | FileCheck %s

func.func @max_pool(%x: tensor<?x1x4x5xf32>) -> tensor<?x1x2x5xf32> {
  %0 = thunder.max_pool %x {kernel = array<i64: 3, 2>, stride = array<i64: 2, 1>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, dilation = array<i64: 1, 2>} : tensor<?x1x4x5xf32> -> tensor<?x1x2x5xf32>
  return %0 : tensor<?x1x2x5xf32>
}

func.func @max_pool_dynamic(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %0 = thunder.max_pool %x {kernel = array<i64: 3, 2>, stride = array<i64: 2, 1>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, dilation = array<i64: 1, 2>} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

func.func @avg_pool_dynamic(%x: tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32> {
  %0 = thunder.avg_pool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 2, 2>, counted_padding_low = array<i64: 1, 1>, counted_padding_high = array<i64: 1, 1>} : tensor<1x2x?x?xf32> -> tensor<1x2x?x?xf32>
  return %0 : tensor<1x2x?x?xf32>
}

// kernel 3, stride 2, padding 1, ceil_mode: one more row/column of padding
// at the end, which no divisor counts.
func.func @avg_pool(%x: tensor<1x2x6x6xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = thunder.avg_pool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 2, 2>, counted_padding_low = array<i64: 1, 1>, counted_padding_high = array<i64: 1, 1>} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  %1 = thunder.avg_pool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 2, 2>, counted_padding_low = array<i64: 0, 0>, counted_padding_high = array<i64: 0, 0>} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  %2 = thunder.avg_pool %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 2, 2>, counted_padding_low = array<i64: 0, 0>, counted_padding_high = array<i64: 0, 0>, divisor_override = 4 : i64} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  return %0, %1, %2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

func.func @max_pool_backward(%g: tensor<1x1x3x3xf32>, %x: tensor<1x1x4x4xf32>, %gp: tensor<1x1x2x2xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %0 = thunder.max_pool_backward %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  %1 = thunder.max_pool_backward %gp, %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  return %0, %1 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %xm = arith.constant dense<[[[[-1.0, -4.0, -7.0, -3.0, -6.0], [-2.0, -5.0, 0x7FC00000, -4.0, -7.0], [-3.0, -6.0, -2.0, -5.0, -1.0], [-4.0, -7.0, -3.0, -6.0, -2.0]]]]> : tensor<1x1x4x5xf32>
  %xmd = tensor.cast %xm : tensor<1x1x4x5xf32> to tensor<?x1x4x5xf32>
  %rm = call @max_pool(%xmd) : (tensor<?x1x4x5xf32>) -> tensor<?x1x2x5xf32>
  %um = tensor.cast %rm : tensor<?x1x2x5xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 1, 2, 5]
  // CHECK-NEXT: {{.*}}[-4, {{-?}}nan, -3, {{-?}}nan, -3]
  // CHECK-NEXT: {{.*}}[-5, {{-?}}nan, -4, {{-?}}nan, -4]
  call @printMemrefF32(%um) : (tensor<*xf32>) -> ()

  %xmd2 = tensor.cast %xm : tensor<1x1x4x5xf32> to tensor<?x?x?x?xf32>
  %rm2 = call @max_pool_dynamic(%xmd2) : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %um2 = tensor.cast %rm2 : tensor<?x?x?x?xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 1, 2, 5]
  // CHECK-NEXT: {{.*}}[-4, {{-?}}nan, -3, {{-?}}nan, -3]
  // CHECK-NEXT: {{.*}}[-5, {{-?}}nan, -4, {{-?}}nan, -4]
  call @printMemrefF32(%um2) : (tensor<*xf32>) -> ()

  %xa = arith.constant dense<[[[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 0.0, 1.0], [2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0, 8.0, 9.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]], [[6.0, 7.0, 8.0, 9.0, 0.0, 1.0], [2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0, 8.0, 9.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 0.0, 1.0]]]]> : tensor<1x2x6x6xf32>
  %ra:3 = call @avg_pool(%xa) : (tensor<1x2x6x6xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
  %ua0 = tensor.cast %ra#0 : tensor<1x2x4x4xf32> to tensor<*xf32>
  %ua1 = tensor.cast %ra#1 : tensor<1x2x4x4xf32> to tensor<*xf32>
  %ua2 = tensor.cast %ra#2 : tensor<1x2x4x4xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 2, 4, 4]
  // CHECK-NEXT: {{.*}}[1.55556, 3.33333, 2.44444, 1]
  // CHECK-NEXT: {{.*}}[3.88889, 5.11111, 3.77778, 1.83333]
  // CHECK-NEXT: {{.*}}[3, 3.77778, 4.66667, 2.83333]
  // CHECK-NEXT: {{.*}}[0.166667, 1, 2, 1.25]
  // CHECK-NEXT: {{.*}}[2, 4, 3.11111, 1.33333]
  // CHECK-NEXT: {{.*}}[3.44444, 4.44444, 5.33333, 3.16667]
  // CHECK-NEXT: {{.*}}[2.55556, 5.33333, 5.11111, 2.5]
  // CHECK-NEXT: {{.*}}[2.16667, 4, 1.66667, 0.25]
  call @printMemrefF32(%ua0) : (tensor<*xf32>) -> ()
%xad = tensor.cast %xa : tensor<1x2x6x6xf32> to tensor<1x2x?x?xf32>
  %rad = call @avg_pool_dynamic(%xad) : (tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  %uad = tensor.cast %rad : tensor<1x2x?x?xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 2, 4, 4]
  // CHECK-NEXT: {{.*}}[1.55556, 3.33333, 2.44444, 1]
  // CHECK-NEXT: {{.*}}[3.88889, 5.11111, 3.77778, 1.83333]
  // CHECK-NEXT: {{.*}}[3, 3.77778, 4.66667, 2.83333]
  // CHECK-NEXT: {{.*}}[0.166667, 1, 2, 1.25]
  // CHECK-NEXT: {{.*}}[2, 4, 3.11111, 1.33333]
  // CHECK-NEXT: {{.*}}[3.44444, 4.44444, 5.33333, 3.16667]
  // CHECK-NEXT: {{.*}}[2.55556, 5.33333, 5.11111, 2.5]
  // CHECK-NEXT: {{.*}}[2.16667, 4, 1.66667, 0.25]
  call @printMemrefF32(%uad) : (tensor<*xf32>) -> ()
  // CHECK: sizes = [1, 2, 4, 4]
  // CHECK-NEXT: {{.*}}[3.5, 5, 3.66667, 3]
  // CHECK-NEXT: {{.*}}[5.83333, 5.11111, 3.77778, 3.66667]
  // CHECK-NEXT: {{.*}}[4.5, 3.77778, 4.66667, 5.66667]
  // CHECK-NEXT: {{.*}}[0.5, 2, 4, 5]
  // CHECK-NEXT: {{.*}}[4.5, 6, 4.66667, 4]
  // CHECK-NEXT: {{.*}}[5.16667, 4.44444, 5.33333, 6.33333]
  // CHECK-NEXT: {{.*}}[3.83333, 5.33333, 5.11111, 5]
  // CHECK-NEXT: {{.*}}[6.5, 8, 3.33333, 1]
  call @printMemrefF32(%ua1) : (tensor<*xf32>) -> ()
  // CHECK: sizes = [1, 2, 4, 4]
  // CHECK-NEXT: {{.*}}[3.5, 7.5, 5.5, 1.5]
  // CHECK-NEXT: {{.*}}[8.75, 11.5, 8.5, 2.75]
  // CHECK-NEXT: {{.*}}[6.75, 8.5, 10.5, 4.25]
  // CHECK-NEXT: {{.*}}[0.25, 1.5, 3, 1.25]
  // CHECK-NEXT: {{.*}}[4.5, 9, 7, 2]
  // CHECK-NEXT: {{.*}}[7.75, 10, 12, 4.75]
  // CHECK-NEXT: {{.*}}[5.75, 12, 11.5, 3.75]
  // CHECK-NEXT: {{.*}}[3.25, 6, 2.5, 0.25]
  call @printMemrefF32(%ua2) : (tensor<*xf32>) -> ()

  %xb = arith.constant dense<[[[[1.0, 5.0, 5.0, 0.0], [2.0, 5.0, 1.0, 0.0], [7.0, 7.0, 3.0, 3.0], [0.0, 1.0, 3.0, 9.0]]]]> : tensor<1x1x4x4xf32>
  %gb = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>
  %gp = arith.constant dense<[[[[1.0, 10.0], [100.0, 1000.0]]]]> : tensor<1x1x2x2xf32>
  %rb:2 = call @max_pool_backward(%gb, %xb, %gp) : (tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>)
  %ub0 = tensor.cast %rb#0 : tensor<1x1x4x4xf32> to tensor<*xf32>
  %ub1 = tensor.cast %rb#1 : tensor<1x1x4x4xf32> to tensor<*xf32>
  // CHECK: sizes = [1, 1, 4, 4]
  // CHECK-NEXT: {{.*}}[0, 3, 3, 0]
  // CHECK-NEXT: {{.*}}[0, 0, 0, 0]
  // CHECK-NEXT: {{.*}}[11, 13, 6, 0]
  // CHECK-NEXT: {{.*}}[0, 0, 0, 9]
  call @printMemrefF32(%ub0) : (tensor<*xf32>) -> ()
  // CHECK: sizes = [1, 1, 4, 4]
  // CHECK-NEXT: {{.*}}[0, 11, 0, 0]
  // CHECK-NEXT: {{.*}}[0, 0, 0, 0]
  // CHECK-NEXT: {{.*}}[100, 0, 0, 0]
  // CHECK-NEXT: {{.*}}[0, 0, 0, 1000]
  call @printMemrefF32(%ub1) : (tensor<*xf32>) -> ()
  return
}
