// Every thunder op parses, verifies and prints back to the same form.
// RUN: thunder-opt %s | thunder-opt | FileCheck %s
// RUN: thunder-opt %s --mlir-print-op-generic | thunder-opt | FileCheck %s

// CHECK-LABEL: func.func @creation
func.func @creation(%n: index) -> (tensor<2x3xf32>, tensor<?x4xf32>, tensor<5xi64>, tensor<?x3xi32>) {
  // CHECK: thunder.constant dense<1.000000e+00> : tensor<2x3xf32>
  %0 = thunder.constant dense<1.0> : tensor<2x3xf32>
  // CHECK: thunder.full %{{.*}} {value = 0.000000e+00 : f32} : tensor<?x4xf32>
  %1 = thunder.full %n {value = 0.0 : f32} : tensor<?x4xf32>
  // CHECK: thunder.iota {dim = 0 : i64} : tensor<5xi64>
  %2 = thunder.iota {dim = 0 : i64} : tensor<5xi64>
  // CHECK: thunder.iota %{{.*}} {dim = 1 : i64} : tensor<?x3xi32>
  %3 = thunder.iota %n {dim = 1 : i64} : tensor<?x3xi32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x4xf32>, tensor<5xi64>, tensor<?x3xi32>
}

// CHECK-LABEL: func.func @unary_float
func.func @unary_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: thunder.exp %{{.*}} : tensor<4xf32>
  %0 = thunder.exp %x : tensor<4xf32>
  // CHECK: thunder.exp2
  %1 = thunder.exp2 %0 : tensor<4xf32>
  // CHECK: thunder.expm1
  %2 = thunder.expm1 %1 : tensor<4xf32>
  // CHECK: thunder.log
  %3 = thunder.log %2 : tensor<4xf32>
  // CHECK: thunder.log2
  %4 = thunder.log2 %3 : tensor<4xf32>
  // CHECK: thunder.log10
  %5 = thunder.log10 %4 : tensor<4xf32>
  // CHECK: thunder.log1p
  %6 = thunder.log1p %5 : tensor<4xf32>
  // CHECK: thunder.sqrt
  %7 = thunder.sqrt %6 : tensor<4xf32>
  // CHECK: thunder.rsqrt
  %8 = thunder.rsqrt %7 : tensor<4xf32>
  // CHECK: thunder.sin
  %9 = thunder.sin %8 : tensor<4xf32>
  // CHECK: thunder.cos
  %10 = thunder.cos %9 : tensor<4xf32>
  // CHECK: thunder.tan
  %11 = thunder.tan %10 : tensor<4xf32>
  // CHECK: thunder.asin
  %12 = thunder.asin %11 : tensor<4xf32>
  // CHECK: thunder.acos
  %13 = thunder.acos %12 : tensor<4xf32>
  // CHECK: thunder.atan
  %14 = thunder.atan %13 : tensor<4xf32>
  // CHECK: thunder.sinh
  %15 = thunder.sinh %14 : tensor<4xf32>
  // CHECK: thunder.cosh
  %16 = thunder.cosh %15 : tensor<4xf32>
  // CHECK: thunder.tanh
  %17 = thunder.tanh %16 : tensor<4xf32>
  // CHECK: thunder.asinh
  %18 = thunder.asinh %17 : tensor<4xf32>
  // CHECK: thunder.acosh
  %19 = thunder.acosh %18 : tensor<4xf32>
  // CHECK: thunder.atanh
  %20 = thunder.atanh %19 : tensor<4xf32>
  // CHECK: thunder.erf
  %21 = thunder.erf %20 : tensor<4xf32>
  // CHECK: thunder.erfinv
  %22 = thunder.erfinv %21 : tensor<4xf32>
  // CHECK: thunder.sigmoid
  %23 = thunder.sigmoid %22 : tensor<4xf32>
  // CHECK: thunder.floor
  %24 = thunder.floor %23 : tensor<4xf32>
  // CHECK: thunder.ceil
  %25 = thunder.ceil %24 : tensor<4xf32>
  // CHECK: thunder.round
  %26 = thunder.round %25 : tensor<4xf32>
  // CHECK: thunder.trunc
  %27 = thunder.trunc %26 : tensor<4xf32>
  // CHECK: thunder.reciprocal
  %28 = thunder.reciprocal %27 : tensor<4xf32>
  // CHECK: thunder.neg
  %29 = thunder.neg %28 : tensor<4xf32>
  // CHECK: thunder.abs
  %30 = thunder.abs %29 : tensor<4xf32>
  // CHECK: thunder.sign
  %31 = thunder.sign %30 : tensor<4xf32>
  return %31 : tensor<4xf32>
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi32>, %j: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  // CHECK: thunder.add %{{.*}}, %{{.*}} : tensor<4xf32>
  %0 = thunder.add %a, %b : tensor<4xf32>
  // CHECK: thunder.sub
  %1 = thunder.sub %0, %b : tensor<4xf32>
  // CHECK: thunder.mul
  %2 = thunder.mul %1, %b : tensor<4xf32>
  // CHECK: thunder.div
  %3 = thunder.div %2, %b : tensor<4xf32>
  // CHECK: thunder.floor_div
  %4 = thunder.floor_div %3, %b : tensor<4xf32>
  // CHECK: thunder.remainder
  %5 = thunder.remainder %4, %b : tensor<4xf32>
  // CHECK: thunder.fmod
  %6 = thunder.fmod %5, %b : tensor<4xf32>
  // CHECK: thunder.pow
  %7 = thunder.pow %6, %b : tensor<4xf32>
  // CHECK: thunder.max
  %8 = thunder.max %7, %b : tensor<4xf32>
  // CHECK: thunder.min
  %9 = thunder.min %8, %b : tensor<4xf32>
  // CHECK: thunder.atan2
  %10 = thunder.atan2 %9, %b : tensor<4xf32>
  // CHECK: thunder.and %{{.*}}, %{{.*}} : tensor<4xi32>
  %11 = thunder.and %i, %j : tensor<4xi32>
  // CHECK: thunder.or
  %12 = thunder.or %11, %j : tensor<4xi32>
  // CHECK: thunder.xor
  %13 = thunder.xor %12, %j : tensor<4xi32>
  // CHECK: thunder.shl
  %14 = thunder.shl %13, %j : tensor<4xi32>
  // CHECK: thunder.shr
  %15 = thunder.shr %14, %j : tensor<4xi32>
  // CHECK: thunder.not %{{.*}} : tensor<4xi32>
  %16 = thunder.not %15 : tensor<4xi32>
  return %10, %16 : tensor<4xf32>, tensor<4xi32>
}

// CHECK-LABEL: func.func @compare_select_convert
func.func @compare_select_convert(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi32>) {
  // CHECK: thunder.compare lt, %{{.*}}, %{{.*}} : tensor<4xf32>
  %c = thunder.compare lt, %a, %b : tensor<4xf32>
  // CHECK: thunder.compare ge
  %d = thunder.compare ge, %a, %b : tensor<4xf32>
  // CHECK: thunder.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xf32>
  %s = thunder.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>
  // CHECK: thunder.convert %{{.*}} : tensor<4xi1> -> tensor<4xi32>
  %i = thunder.convert %d : tensor<4xi1> -> tensor<4xi32>
  return %s, %i : tensor<4xf32>, tensor<4xi32>
}

// CHECK-LABEL: func.func @bitcast
func.func @bitcast(%a: tensor<2x3xf32>) -> tensor<2x3xi32> {
  // CHECK: thunder.bitcast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xi32>
  %0 = thunder.bitcast %a : tensor<2x3xf32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3xf32>, %b: tensor<2x3xi1>) -> (tensor<2xf32>, tensor<1x3xf32>, tensor<2xf32>, tensor<f32>, tensor<3xi1>, tensor<2xi1>, tensor<2xi64>, tensor<1x3xi32>) {
  // CHECK: thunder.reduce_sum %{{.*}} {dims = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  %0 = thunder.reduce_sum %x {dims = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  // CHECK: thunder.reduce_prod %{{.*}} {dims = array<i64: 0>, keepdim = true} : tensor<2x3xf32> -> tensor<1x3xf32>
  %1 = thunder.reduce_prod %x {dims = array<i64: 0>, keepdim = true} : tensor<2x3xf32> -> tensor<1x3xf32>
  // CHECK: thunder.reduce_max
  %2 = thunder.reduce_max %x {dims = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  // CHECK: thunder.reduce_min {{.*}} {dims = array<i64: 0, 1>}
  %3 = thunder.reduce_min %x {dims = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<f32>
  // CHECK: thunder.reduce_or
  %4 = thunder.reduce_or %b {dims = array<i64: 0>} : tensor<2x3xi1> -> tensor<3xi1>
  // CHECK: thunder.reduce_and
  %5 = thunder.reduce_and %b {dims = array<i64: 1>} : tensor<2x3xi1> -> tensor<2xi1>
  // CHECK: thunder.argmax %{{.*}} {dim = 1 : i64} : tensor<2x3xf32> -> tensor<2xi64>
  %6 = thunder.argmax %x {dim = 1 : i64} : tensor<2x3xf32> -> tensor<2xi64>
  // CHECK: thunder.argmin %{{.*}} {dim = 0 : i64, keepdim = true} : tensor<2x3xf32> -> tensor<1x3xi32>
  %7 = thunder.argmin %x {dim = 0 : i64, keepdim = true} : tensor<2x3xf32> -> tensor<1x3xi32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2xf32>, tensor<1x3xf32>, tensor<2xf32>, tensor<f32>, tensor<3xi1>, tensor<2xi1>, tensor<2xi64>, tensor<1x3xi32>
}

// CHECK-LABEL: func.func @scans
func.func @scans(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: thunder.cumsum %{{.*}} {dim = 1 : i64} : tensor<2x3xf32>
  %0 = thunder.cumsum %x {dim = 1 : i64} : tensor<2x3xf32>
  // CHECK: thunder.cumprod
  %1 = thunder.cumprod %0 {dim = 0 : i64} : tensor<2x3xf32>
  // CHECK: thunder.cummax
  %2 = thunder.cummax %1 {dim = 1 : i64} : tensor<2x3xf32>
  // CHECK: thunder.cummin
  %3 = thunder.cummin %2 {dim = 1 : i64} : tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3xf32>, %y: tensor<?x3xf32>, %n: index, %p: tensor<f32>) -> (tensor<6xf32>, tensor<?xf32>, tensor<3x2xf32>, tensor<4x2x3xf32>, tensor<?x4x3xf32>, tensor<2x2xf32>, tensor<4x3xf32>, tensor<3x6xf32>, tensor<2x3xf32>) {
  // CHECK: thunder.reshape %{{.*}} : tensor<2x3xf32> -> tensor<6xf32>
  %0 = thunder.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  // CHECK: thunder.reshape %{{.*}}, %{{.*}} : tensor<?x3xf32> -> tensor<?xf32>
  %1 = thunder.reshape %y, %n : tensor<?x3xf32> -> tensor<?xf32>
  // CHECK: thunder.permute %{{.*}} {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %2 = thunder.permute %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  // CHECK: thunder.broadcast_in_dim %{{.*}} {dims = array<i64: 1, 2>} : tensor<2x3xf32> -> tensor<4x2x3xf32>
  %3 = thunder.broadcast_in_dim %x {dims = array<i64: 1, 2>} : tensor<2x3xf32> -> tensor<4x2x3xf32>
  // CHECK: thunder.broadcast_in_dim %{{.*}}, %{{.*}} {dims = array<i64: 2>} : tensor<3xf32> -> tensor<?x4x3xf32>
  %r = thunder.slice %x {start = array<i64: 0, 0>, limit = array<i64: 1, 3>, step = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<1x3xf32>
  %row = thunder.reshape %r : tensor<1x3xf32> -> tensor<3xf32>
  %4 = thunder.broadcast_in_dim %row, %n {dims = array<i64: 2>} : tensor<3xf32> -> tensor<?x4x3xf32>
  // CHECK: thunder.slice %{{.*}} {limit = array<i64: 2, 9223372036854775807>, start = array<i64: 0, 1>, step = array<i64: 1, 2>} : tensor<2x3xf32> -> tensor<2x1xf32>
  %s = thunder.slice %x {start = array<i64: 0, 1>, limit = array<i64: 2, 9223372036854775807>, step = array<i64: 1, 2>} : tensor<2x3xf32> -> tensor<2x1xf32>
  // CHECK: thunder.concat %{{.*}}, %{{.*}} {dim = 1 : i64} : (tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %5 = thunder.concat %s, %s {dim = 1 : i64} : (tensor<2x1xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  // CHECK: thunder.pad %{{.*}}, %{{.*}} {high = array<i64: 1, 0>, low = array<i64: 1, 0>} : tensor<2x3xf32>, tensor<f32> -> tensor<4x3xf32>
  %6 = thunder.pad %x, %p {low = array<i64: 1, 0>, high = array<i64: 1, 0>} : tensor<2x3xf32>, tensor<f32> -> tensor<4x3xf32>
  // CHECK: thunder.pad {{.*}} {high = array<i64: 0, 2>, low = array<i64: 1, 1>}
  %7 = thunder.pad %x, %p {low = array<i64: 1, 1>, high = array<i64: 0, 2>} : tensor<2x3xf32>, tensor<f32> -> tensor<3x6xf32>
  // CHECK: thunder.reverse %{{.*}} {dims = array<i64: 0, 1>} : tensor<2x3xf32>
  %8 = thunder.reverse %x {dims = array<i64: 0, 1>} : tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<6xf32>, tensor<?xf32>, tensor<3x2xf32>, tensor<4x2x3xf32>, tensor<?x4x3xf32>, tensor<2x2xf32>, tensor<4x3xf32>, tensor<3x6xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @indexing
func.func @indexing(%x: tensor<5x6xf32>, %g: tensor<5x2xi64>, %i: tensor<3xi64>, %j: tensor<3xi32>, %v: tensor<3xf32>, %u: tensor<3x6xf32>) -> (tensor<5x2xf32>, tensor<5x3xf32>, tensor<3xf32>, tensor<3x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>, tensor<5x6xi64>) {
  // CHECK: thunder.gather %{{.*}}[%{{.*}}] {dim = 1 : i64} : tensor<5x6xf32>, tensor<5x2xi64> -> tensor<5x2xf32>
  %0 = thunder.gather %x[%g] {dim = 1 : i64} : tensor<5x6xf32>, tensor<5x2xi64> -> tensor<5x2xf32>
  // CHECK: thunder.index_select %{{.*}}[%{{.*}}] {dim = 1 : i64} : tensor<5x6xf32>, tensor<3xi64> -> tensor<5x3xf32>
  %1 = thunder.index_select %x[%i] {dim = 1 : i64} : tensor<5x6xf32>, tensor<3xi64> -> tensor<5x3xf32>
  // CHECK: thunder.index %{{.*}}[%{{.*}}, %{{.*}}] {start_dim = 0 : i64} : tensor<5x6xf32>, tensor<3xi64>, tensor<3xi32> -> tensor<3xf32>
  %2 = thunder.index %x[%i, %j] {start_dim = 0 : i64} : tensor<5x6xf32>, tensor<3xi64>, tensor<3xi32> -> tensor<3xf32>
  // CHECK: thunder.index %{{.*}}[%{{.*}}] {start_dim = 0 : i64} : tensor<5x6xf32>, tensor<3xi64> -> tensor<3x6xf32>
  %3 = thunder.index %x[%i] {start_dim = 0 : i64} : tensor<5x6xf32>, tensor<3xi64> -> tensor<3x6xf32>
  // CHECK: thunder.index_put %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} {start_dim = 0 : i64} : tensor<5x6xf32>, (tensor<3xi64>, tensor<3xi32>), tensor<3xf32> -> tensor<5x6xf32>
  %4 = thunder.index_put %x[%i, %j], %v {start_dim = 0 : i64} : tensor<5x6xf32>, (tensor<3xi64>, tensor<3xi32>), tensor<3xf32> -> tensor<5x6xf32>
  // CHECK: thunder.index_put {{.*}} {accumulate = true, start_dim = 0 : i64}
  %5 = thunder.index_put %x[%i], %u {start_dim = 0 : i64, accumulate = true} : tensor<5x6xf32>, (tensor<3xi64>), tensor<3x6xf32> -> tensor<5x6xf32>
  // CHECK: thunder.scatter %{{.*}}[%{{.*}}], %{{.*}} {dim = 1 : i64} : tensor<5x6xf32>, tensor<5x2xi64>, tensor<5x2xf32> -> tensor<5x6xf32>
  %6 = thunder.scatter %x[%g], %0 {dim = 1 : i64} : tensor<5x6xf32>, tensor<5x2xi64>, tensor<5x2xf32> -> tensor<5x6xf32>
  // CHECK: thunder.scatter {{.*}} {accumulate = true, dim = 1 : i64}
  %7 = thunder.scatter %x[%g], %0 {dim = 1 : i64, accumulate = true} : tensor<5x6xf32>, tensor<5x2xi64>, tensor<5x2xf32> -> tensor<5x6xf32>
  // CHECK: thunder.sort %{{.*}} {descending = true, dim = 1 : i64} : tensor<5x6xf32> -> tensor<5x6xf32>, tensor<5x6xi64>
  %8, %9 = thunder.sort %x {dim = 1 : i64, descending = true} : tensor<5x6xf32> -> tensor<5x6xf32>, tensor<5x6xi64>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<5x2xf32>, tensor<5x3xf32>, tensor<3xf32>, tensor<3x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>, tensor<5x6xf32>, tensor<5x6xi64>
}

// CHECK-LABEL: func.func @linalg
func.func @linalg(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>, %img: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>,
                  %q: tensor<2x4x6x8xf32>, %k: tensor<2x4x7x8xf32>, %v: tensor<2x4x7x5xf32>, %m: tensor<2x4x6x7xi1>)
    -> (tensor<2x3x5xf32>, tensor<1x6x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>, tensor<2x4x6x5xf32>, tensor<2x4x6x5xf32>) {
  // CHECK: thunder.matmul %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  %0 = thunder.matmul %a, %b : tensor<2x3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  // CHECK: thunder.convolution %{{.*}}, %{{.*}} {dilation = array<i64: 1, 1>, groups = 2 : i64, lhs_dilation = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, padding_low = array<i64: 1, 1>, stride = array<i64: 2, 2>} : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32> -> tensor<1x6x4x4xf32>
  %1 = thunder.convolution %img, %w {stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 2 : i64} : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32> -> tensor<1x6x4x4xf32>
  // CHECK: thunder.max_pool %{{.*}} {dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, padding_high = array<i64: 0, 0>, padding_low = array<i64: 0, 0>, stride = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %2 = thunder.max_pool %img {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: thunder.avg_pool %{{.*}} {counted_padding_high = array<i64: 1, 1>, counted_padding_low = array<i64: 1, 1>, divisor_override = 4 : i64, kernel = array<i64: 3, 3>, padding_high = array<i64: 1, 1>, padding_low = array<i64: 1, 1>, stride = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %3 = thunder.avg_pool %img {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, counted_padding_low = array<i64: 1, 1>, counted_padding_high = array<i64: 1, 1>, divisor_override = 4 : i64} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: thunder.max_pool_backward %{{.*}}, %{{.*}} {{{.*}}} : tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %4 = thunder.max_pool_backward %2, %img {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  // CHECK: thunder.attention %{{.*}}, %{{.*}}, %{{.*}} {is_causal = true, scale = 0.35355339059327373 : f64} : tensor<2x4x6x8xf32>, tensor<2x4x7x8xf32>, tensor<2x4x7x5xf32> -> tensor<2x4x6x5xf32>
  %5 = thunder.attention %q, %k, %v {scale = 0.35355339059327373 : f64, is_causal = true} : tensor<2x4x6x8xf32>, tensor<2x4x7x8xf32>, tensor<2x4x7x5xf32> -> tensor<2x4x6x5xf32>
  // CHECK: thunder.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : tensor<2x4x6x7xi1> {scale = 1.250000e-01 : f64} : tensor<2x4x6x8xf32>, tensor<2x4x7x8xf32>, tensor<2x4x7x5xf32> -> tensor<2x4x6x5xf32>
  %6 = thunder.attention %q, %k, %v mask %m : tensor<2x4x6x7xi1> {scale = 0.125 : f64} : tensor<2x4x6x8xf32>, tensor<2x4x7x8xf32>, tensor<2x4x7x5xf32> -> tensor<2x4x6x5xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3x5xf32>, tensor<1x6x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>, tensor<2x4x6x5xf32>, tensor<2x4x6x5xf32>
}

// f16/bf16 operands may return their f32 accumulator (mixed precision).
// CHECK-LABEL: func.func @matmul_widened
// CHECK: thunder.matmul %{{.*}}, %{{.*}} : tensor<2x3x4xbf16>, tensor<2x4x5xbf16> -> tensor<2x3x5xf32>
func.func @matmul_widened(%a: tensor<2x3x4xbf16>, %b: tensor<2x4x5xbf16>) -> tensor<2x3x5xf32> {
  %0 = thunder.matmul %a, %b : tensor<2x3x4xbf16>, tensor<2x4x5xbf16> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
