// Reductions and scans: first index among ties, NaN as the extreme of
// argmax/argmin and max, inclusive scans, and f32 accumulation of bf16 sums.
// RUN: thunder-opt %s --thunder-lower-to-linalg | %run-on-cpu | FileCheck %s

func.func @arg(%x: tensor<3x?xf32>)
    -> (tensor<3xi64>, tensor<3x1xi64>, tensor<3xf32>, tensor<?xi32>) {
  %0 = thunder.argmax %x {dim = 1 : i64} : tensor<3x?xf32> -> tensor<3xi64>
  %1 = thunder.argmin %x {dim = 1 : i64, keepdim = true} : tensor<3x?xf32> -> tensor<3x1xi64>
  %2 = thunder.reduce_max %x {dims = array<i64: 1>} : tensor<3x?xf32> -> tensor<3xf32>
  %3 = thunder.argmax %x {dim = 0 : i64} : tensor<3x?xf32> -> tensor<?xi32>
  return %0, %1, %2, %3 : tensor<3xi64>, tensor<3x1xi64>, tensor<3xf32>, tensor<?xi32>
}

func.func @scans(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %0 = thunder.cumsum %x {dim = 0 : i64} : tensor<?xf32>
  %1 = thunder.cummax %x {dim = 0 : i64} : tensor<?xf32>
  %2 = thunder.cumprod %x {dim = 0 : i64} : tensor<?xf32>
  return %0, %1, %2 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}

// 300 ones: a bf16 accumulator stalls at 256 (256 + 1 rounds to 256); the
// f32 accumulator gives 300, a bf16 number.
func.func @bf16_sum(%x: tensor<300xbf16>) -> tensor<f32> {
  %0 = thunder.reduce_sum %x {dims = array<i64: 0>} : tensor<300xbf16> -> tensor<bf16>
  %1 = thunder.convert %0 : tensor<bf16> -> tensor<f32>
  return %1 : tensor<f32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI32(tensor<*xi32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %x = arith.constant dense<[[1.0, 3.0, 3.0, -2.0, -2.0],
                             [0x7FC00000, 5.0, 0x7FC00000, -7.0, 9.0],
                             [4.0, 4.0, 4.0, 4.0, 4.0]]> : tensor<3x5xf32>
  %xd = tensor.cast %x : tensor<3x5xf32> to tensor<3x?xf32>
  %r:4 = call @arg(%xd) : (tensor<3x?xf32>) -> (tensor<3xi64>, tensor<3x1xi64>, tensor<3xf32>, tensor<?xi32>)
  %r0 = tensor.cast %r#0 : tensor<3xi64> to tensor<*xi64>
  %r1 = tensor.cast %r#1 : tensor<3x1xi64> to tensor<*xi64>
  %r2 = tensor.cast %r#2 : tensor<3xf32> to tensor<*xf32>
  %r3 = tensor.cast %r#3 : tensor<?xi32> to tensor<*xi32>
  // CHECK: [1, 0, 0]
  call @printMemrefI64(%r0) : (tensor<*xi64>) -> ()
  // CHECK:      {{\[}}[3],
  // CHECK-NEXT:  [0],
  // CHECK-NEXT:  [0]]
  call @printMemrefI64(%r1) : (tensor<*xi64>) -> ()
  // CHECK: [3, {{-?}}nan, 4]
  call @printMemrefF32(%r2) : (tensor<*xf32>) -> ()
  // CHECK: [1, 1, 1, 2, 1]
  call @printMemrefI32(%r3) : (tensor<*xi32>) -> ()

  %s = arith.constant dense<[1.0, -2.0, 3.0, 0x7FC00000, 2.0]> : tensor<5xf32>
  %sd = tensor.cast %s : tensor<5xf32> to tensor<?xf32>
  %c:3 = call @scans(%sd) : (tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
  %c0 = tensor.cast %c#0 : tensor<?xf32> to tensor<*xf32>
  %c1 = tensor.cast %c#1 : tensor<?xf32> to tensor<*xf32>
  %c2 = tensor.cast %c#2 : tensor<?xf32> to tensor<*xf32>
  // CHECK: [1, -1, 2, {{-?}}nan, {{-?}}nan]
  call @printMemrefF32(%c0) : (tensor<*xf32>) -> ()
  // CHECK: [1, 1, 3, {{-?}}nan, {{-?}}nan]
  call @printMemrefF32(%c1) : (tensor<*xf32>) -> ()
  // CHECK: [1, -2, -6, {{-?}}nan, {{-?}}nan]
  call @printMemrefF32(%c2) : (tensor<*xf32>) -> ()

  %ones = arith.constant dense<1.0> : tensor<300xbf16>
  %b = call @bf16_sum(%ones) : (tensor<300xbf16>) -> tensor<f32>
  %bu = tensor.cast %b : tensor<f32> to tensor<*xf32>
  // CHECK: [300]
  call @printMemrefF32(%bu) : (tensor<*xf32>) -> ()
  return
}
