// Indexing with negative indices (wrapped as in PyTorch), accumulating
// scatters with repeated positions, and the stable sort.
// RUN: thunder-opt %s --thunder-lower-to-linalg | %run-on-cpu | FileCheck %s

func.func @reads(%x: tensor<5x4xf32>, %g: tensor<5x2xi64>, %s: tensor<3xi32>,
                 %i: tensor<2x2xi64>, %r: tensor<1x2xi64>, %c: tensor<1x2xi64>)
    -> (tensor<5x2xf32>, tensor<3x4xf32>, tensor<2x2x4xf32>, tensor<1x2xf32>) {
  %0 = thunder.gather %x[%g] {dim = 1 : i64} : tensor<5x4xf32>, tensor<5x2xi64> -> tensor<5x2xf32>
  %1 = thunder.index_select %x[%s] {dim = 0 : i64} : tensor<5x4xf32>, tensor<3xi32> -> tensor<3x4xf32>
  %2 = thunder.index %x[%i] {start_dim = 0 : i64} : tensor<5x4xf32>, tensor<2x2xi64> -> tensor<2x2x4xf32>
  %3 = thunder.index %x[%r, %c] {start_dim = 0 : i64} : tensor<5x4xf32>, tensor<1x2xi64>, tensor<1x2xi64> -> tensor<1x2xf32>
  return %0, %1, %2, %3 : tensor<5x2xf32>, tensor<3x4xf32>, tensor<2x2x4xf32>, tensor<1x2xf32>
}

func.func @writes(%x: tensor<5x4xf32>, %rows: tensor<3xi64>, %v: tensor<3x4xf32>,
                  %idx: tensor<2x2xi64>, %src: tensor<2x2xf32>)
    -> (tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>) {
  // (The custom syntax of index_put cannot be parsed: its variadic index
  // types swallow the values' type; the generic form says the same.)
  %0 = "thunder.index_put"(%x, %rows, %v) <{accumulate = true, operandSegmentSizes = array<i32: 1, 1, 1>, start_dim = 0 : i64}>
      : (tensor<5x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %1 = thunder.scatter %x[%idx], %src {dim = 1 : i64, accumulate = true} : tensor<5x4xf32>, tensor<2x2xi64>, tensor<2x2xf32> -> tensor<5x4xf32>
  %2 = thunder.scatter %x[%idx], %src {dim = 1 : i64} : tensor<5x4xf32>, tensor<2x2xi64>, tensor<2x2xf32> -> tensor<5x4xf32>
  return %0, %1, %2 : tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>
}

// 300 ones added into one bf16 element: accumulated in f32 and rounded once,
// 300 (in bf16 each sum would stop at 256, where 256 + 1 rounds to 256).
func.func @scatter_add_bf16(%x: tensor<2xbf16>, %idx: tensor<300xi64>, %src: tensor<300xbf16>) -> tensor<2xf32> {
  %0 = thunder.scatter %x[%idx], %src {dim = 0 : i64, accumulate = true} : tensor<2xbf16>, tensor<300xi64>, tensor<300xbf16> -> tensor<2xbf16>
  %1 = thunder.convert %0 : tensor<2xbf16> -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// i8 index_add accumulates in i32 and truncates: the sum wraps as in i8
// (3 x 100 = 300 = 44 modulo 256; -128 - 1 = 127).
func.func @index_add_i8(%x: tensor<2xi8>, %rows: tensor<4xi64>, %v: tensor<4xi8>) -> tensor<2xi32> {
  %0 = "thunder.index_put"(%x, %rows, %v) <{accumulate = true, operandSegmentSizes = array<i32: 1, 1, 1>, start_dim = 0 : i64}>
      : (tensor<2xi8>, tensor<4xi64>, tensor<4xi8>) -> tensor<2xi8>
  %1 = thunder.convert %0 : tensor<2xi8> -> tensor<2xi32>
  return %1 : tensor<2xi32>
}

func.func @sort(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<?xi64>) {
  %0, %1 = thunder.sort %x {dim = 0 : i64} : tensor<?xf32> -> tensor<?xf32>, tensor<?xi64>
  %2, %3 = thunder.sort %x {dim = 0 : i64, descending = true} : tensor<?xf32> -> tensor<?xf32>, tensor<?xi64>
  return %0, %1, %2, %3 : tensor<?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<?xi64>
}

func.func @sort_rows(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0, %1 = thunder.sort %x {dim = 1 : i64} : tensor<2x3xi32> -> tensor<2x3xi32>, tensor<2x3xi32>
  return %1 : tensor<2x3xi32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI32(tensor<*xi32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  // x[i][j] = 10 i + j
  %x = arith.constant dense<[[0.0, 1.0, 2.0, 3.0], [10.0, 11.0, 12.0, 13.0],
                             [20.0, 21.0, 22.0, 23.0], [30.0, 31.0, 32.0, 33.0],
                             [40.0, 41.0, 42.0, 43.0]]> : tensor<5x4xf32>
  %g = arith.constant dense<[[0, -1], [3, 1], [-4, 2], [0, 0], [1, -2]]> : tensor<5x2xi64>
  %s = arith.constant dense<[-1, 0, 2]> : tensor<3xi32>
  %i = arith.constant dense<[[-1, 0], [2, -5]]> : tensor<2x2xi64>
  %r = arith.constant dense<[[0, -1]]> : tensor<1x2xi64>
  %c = arith.constant dense<[[1, -1]]> : tensor<1x2xi64>
  %rd:4 = call @reads(%x, %g, %s, %i, %r, %c) : (tensor<5x4xf32>, tensor<5x2xi64>, tensor<3xi32>, tensor<2x2xi64>, tensor<1x2xi64>, tensor<1x2xi64>) -> (tensor<5x2xf32>, tensor<3x4xf32>, tensor<2x2x4xf32>, tensor<1x2xf32>)
  %rd0 = tensor.cast %rd#0 : tensor<5x2xf32> to tensor<*xf32>
  %rd1 = tensor.cast %rd#1 : tensor<3x4xf32> to tensor<*xf32>
  %rd2 = tensor.cast %rd#2 : tensor<2x2x4xf32> to tensor<*xf32>
  %rd3 = tensor.cast %rd#3 : tensor<1x2xf32> to tensor<*xf32>
  // gather along dim 1.
  // CHECK:      {{\[}}[0, 3],
  // CHECK-NEXT:  [13, 11],
  // CHECK-NEXT:  [20, 22],
  // CHECK-NEXT:  [30, 30],
  // CHECK-NEXT:  [41, 42]]
  call @printMemrefF32(%rd0) : (tensor<*xf32>) -> ()
  // index_select rows 4, 0, 2.
  // CHECK:      {{\[}}[40, 41, 42, 43],
  // CHECK-NEXT:  [0, 1, 2, 3],
  // CHECK-NEXT:  [20, 21, 22, 23]]
  call @printMemrefF32(%rd1) : (tensor<*xf32>) -> ()
  // x[[[-1, 0], [2, -5]]]: rows 4, 0, 2, 0.
  // CHECK:      {{\[}}{{\[}}[40, 41, 42, 43],
  // CHECK-NEXT:   [0, 1, 2, 3]],
  // CHECK-NEXT:  {{\[}}[20, 21, 22, 23],
  // CHECK-NEXT:   [0, 1, 2, 3]]]
  call @printMemrefF32(%rd2) : (tensor<*xf32>) -> ()
  // x[[0, -1], [1, -1]] = x[0][1], x[4][3].
  // CHECK: {{\[}}[1, 43]]
  call @printMemrefF32(%rd3) : (tensor<*xf32>) -> ()

  %rows = arith.constant dense<[1, -4, -1]> : tensor<3xi64>
  %v = arith.constant dense<[[1.0, 1.0, 1.0, 1.0], [100.0, 100.0, 100.0, 100.0], [0.5, 0.5, 0.5, 0.5]]> : tensor<3x4xf32>
  %idx = arith.constant dense<[[0, 0], [-1, 3]]> : tensor<2x2xi64>
  %src = arith.constant dense<[[1.0, 2.0], [5.0, 7.0]]> : tensor<2x2xf32>
  %wr:3 = call @writes(%x, %rows, %v, %idx, %src) : (tensor<5x4xf32>, tensor<3xi64>, tensor<3x4xf32>, tensor<2x2xi64>, tensor<2x2xf32>) -> (tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>)
  %wr0 = tensor.cast %wr#0 : tensor<5x4xf32> to tensor<*xf32>
  %wr1 = tensor.cast %wr#1 : tensor<5x4xf32> to tensor<*xf32>
  %wr2 = tensor.cast %wr#2 : tensor<5x4xf32> to tensor<*xf32>
  // index_put accumulate: rows 1 and -4 are the same row.
  // CHECK:      {{\[}}[0, 1, 2, 3],
  // CHECK-NEXT:  [111, 112, 113, 114],
  // CHECK-NEXT:  [20, 21, 22, 23],
  // CHECK-NEXT:  [30, 31, 32, 33],
  // CHECK-NEXT:  [40.5, 41.5, 42.5, 43.5]]
  call @printMemrefF32(%wr0) : (tensor<*xf32>) -> ()
  // scatter_add along dim 1: row 0 gets 1 + 2 at column 0, row 1 gets 5 + 7
  // at column 3 (-1 and 3).
  // CHECK:      {{\[}}[3, 1, 2, 3],
  // CHECK-NEXT:  [10, 11, 12, 25],
  // CHECK-NEXT:  [20, 21, 22, 23],
  call @printMemrefF32(%wr1) : (tensor<*xf32>) -> ()
  // scatter: the last write wins.
  // CHECK:      {{\[}}[2, 1, 2, 3],
  // CHECK-NEXT:  [10, 11, 12, 7],
  call @printMemrefF32(%wr2) : (tensor<*xf32>) -> ()

  %bx = arith.constant dense<[0.5, 2.0]> : tensor<2xbf16>
  %bidx = arith.constant dense<1> : tensor<300xi64>
  %bsrc = arith.constant dense<1.0> : tensor<300xbf16>
  %bsum = call @scatter_add_bf16(%bx, %bidx, %bsrc) : (tensor<2xbf16>, tensor<300xi64>, tensor<300xbf16>) -> tensor<2xf32>
  %bsum0 = tensor.cast %bsum : tensor<2xf32> to tensor<*xf32>
  // CHECK: [0.5, 302]
  call @printMemrefF32(%bsum0) : (tensor<*xf32>) -> ()

  %i8x = arith.constant dense<[0, -128]> : tensor<2xi8>
  %irows = arith.constant dense<[0, 0, 1, 0]> : tensor<4xi64>
  %iv = arith.constant dense<[100, 100, -1, 100]> : tensor<4xi8>
  %isum = call @index_add_i8(%i8x, %irows, %iv) : (tensor<2xi8>, tensor<4xi64>, tensor<4xi8>) -> tensor<2xi32>
  %isum0 = tensor.cast %isum : tensor<2xi32> to tensor<*xi32>
  // CHECK: [44, 127]
  call @printMemrefI32(%isum0) : (tensor<*xi32>) -> ()

  %sx = arith.constant dense<[3.0, 1.0, 0x7FC00000, 1.0, 2.0, 3.0, -0.0, 0.0]> : tensor<8xf32>
  %sxd = tensor.cast %sx : tensor<8xf32> to tensor<?xf32>
  %so:4 = call @sort(%sxd) : (tensor<?xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<?xi64>)
  %so0 = tensor.cast %so#0 : tensor<?xf32> to tensor<*xf32>
  %so1 = tensor.cast %so#1 : tensor<?xi64> to tensor<*xi64>
  %so2 = tensor.cast %so#2 : tensor<?xf32> to tensor<*xf32>
  %so3 = tensor.cast %so#3 : tensor<?xi64> to tensor<*xi64>
  // Stable: equal keys (1, 1), (3, 3), (-0, 0) keep their order; NaN sorts
  // last ascending, first descending.
  // CHECK: [-0, 0, 1, 1, 2, 3, 3, {{-?}}nan]
  call @printMemrefF32(%so0) : (tensor<*xf32>) -> ()
  // CHECK: [6, 7, 1, 3, 4, 0, 5, 2]
  call @printMemrefI64(%so1) : (tensor<*xi64>) -> ()
  // CHECK: [{{-?}}nan, 3, 3, 2, 1, 1, -0, 0]
  call @printMemrefF32(%so2) : (tensor<*xf32>) -> ()
  // CHECK: [2, 0, 5, 4, 1, 3, 6, 7]
  call @printMemrefI64(%so3) : (tensor<*xi64>) -> ()

  %ix = arith.constant dense<[[5, -1, 5], [0, 0, -3]]> : tensor<2x3xi32>
  %io = call @sort_rows(%ix) : (tensor<2x3xi32>) -> tensor<2x3xi32>
  %iou = tensor.cast %io : tensor<2x3xi32> to tensor<*xi32>
  // CHECK:      {{\[}}[1, 0, 2],
  // CHECK-NEXT:  [2, 0, 1]]
  call @printMemrefI32(%iou) : (tensor<*xi32>) -> ()
  return
}
