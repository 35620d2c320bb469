// PyTorch's semantics of the elementwise ops on the values where they are easy
// to get wrong: negatives, zeros, NaN, ties, out-of-range shifts. The lowered
// functions take their inputs as arguments, so nothing folds at compile time.
// RUN: thunder-opt %s --thunder-lower-to-linalg | %run-on-cpu | FileCheck %s

func.func @float_division(%a: tensor<?xf32>, %b: tensor<?xf32>)
    -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %0 = thunder.remainder %a, %b : tensor<?xf32>
  %1 = thunder.floor_div %a, %b : tensor<?xf32>
  %2 = thunder.fmod %a, %b : tensor<?xf32>
  return %0, %1, %2 : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}

func.func @int_division(%a: tensor<6xi32>, %b: tensor<6xi32>)
    -> (tensor<6xi32>, tensor<6xi32>, tensor<6xi32>) {
  %0 = thunder.remainder %a, %b : tensor<6xi32>
  %1 = thunder.floor_div %a, %b : tensor<6xi32>
  %2 = thunder.div %a, %b : tensor<6xi32>
  return %0, %1, %2 : tensor<6xi32>, tensor<6xi32>, tensor<6xi32>
}

func.func @float_unary(%x: tensor<6xf32>, %y: tensor<7xf32>)
    -> (tensor<6xf32>, tensor<6xf32>, tensor<7xf32>, tensor<6xf32>) {
  %0 = thunder.round %x : tensor<6xf32>
  %1 = thunder.sign %x : tensor<6xf32>
  %2 = thunder.erfinv %y : tensor<7xf32>
  %3 = thunder.sigmoid %x : tensor<6xf32>
  return %0, %1, %2, %3 : tensor<6xf32>, tensor<6xf32>, tensor<7xf32>, tensor<6xf32>
}

func.func @nan_semantics(%a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = thunder.max %a, %b : tensor<4xf32>
  %1 = thunder.min %a, %b : tensor<4xf32>
  %2 = thunder.compare ne, %a, %b : tensor<4xf32>
  %3 = thunder.compare lt, %a, %b : tensor<4xf32>
  %4 = thunder.convert %a : tensor<4xf32> -> tensor<4xi1>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

func.func @integers(%a: tensor<4xi64>, %s: tensor<4xi64>, %base: tensor<7xi64>,
                    %e: tensor<7xi64>, %f: tensor<3xf32>)
    -> (tensor<4xi64>, tensor<4xi64>, tensor<7xi64>, tensor<3xi32>) {
  %0 = thunder.shl %a, %s : tensor<4xi64>
  %1 = thunder.shr %a, %s : tensor<4xi64>
  %2 = thunder.pow %base, %e : tensor<7xi64>
  %3 = thunder.convert %f : tensor<3xf32> -> tensor<3xi32>
  return %0, %1, %2, %3 : tensor<4xi64>, tensor<4xi64>, tensor<7xi64>, tensor<3xi32>
}

func.func @bfloat(%a: tensor<3xbf16>, %b: tensor<3xbf16>) -> tensor<3xf32> {
  // 1 + 2^-8 is not a bf16: the sum rounds to 1 (half to even), the
  // product of 3 and 1.5 is exact.
  %0 = thunder.add %a, %b : tensor<3xbf16>
  %1 = thunder.mul %0, %b : tensor<3xbf16>
  %2 = thunder.convert %1 : tensor<3xbf16> -> tensor<3xf32>
  return %2 : tensor<3xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI32(tensor<*xi32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @printF32(%t: tensor<?xf32>) {
  %u = tensor.cast %t : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
func.func @printBool(%t: tensor<4xi1>) {
  %i = thunder.convert %t : tensor<4xi1> -> tensor<4xi32>
  %u = tensor.cast %i : tensor<4xi32> to tensor<*xi32>
  call @printMemrefI32(%u) : (tensor<*xi32>) -> ()
  return
}

func.func @main() {
  %a = arith.constant dense<[5.0, -5.0, 5.0, -5.0, 7.5, -7.5, 0.0, -0.0, 1.0]> : tensor<9xf32>
  %b = arith.constant dense<[3.0, 3.0, -3.0, -3.0, 2.0, 2.0, -2.0, 2.0, 0.0]> : tensor<9xf32>
  %ad = tensor.cast %a : tensor<9xf32> to tensor<?xf32>
  %bd = tensor.cast %b : tensor<9xf32> to tensor<?xf32>
  %fd:3 = call @float_division(%ad, %bd) : (tensor<?xf32>, tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
  // CHECK-LABEL: rank = 1 offset = 0 sizes = [9]
  // CHECK-NEXT: [2, 1, -1, -2, 1.5, 0.5, 0, -0, {{-?}}nan]
  call @printF32(%fd#0) : (tensor<?xf32>) -> ()
  // CHECK: [1, -2, -2, 1, 3, -4, -0, -0, inf]
  call @printF32(%fd#1) : (tensor<?xf32>) -> ()
  // CHECK: [2, -2, 2, -2, 1.5, -1.5, 0, -0, {{-?}}nan]
  call @printF32(%fd#2) : (tensor<?xf32>) -> ()

  %ia = arith.constant dense<[5, -5, 5, -5, 0, 7]> : tensor<6xi32>
  %ib = arith.constant dense<[3, 3, -3, -3, 4, -1]> : tensor<6xi32>
  %id:3 = call @int_division(%ia, %ib) : (tensor<6xi32>, tensor<6xi32>) -> (tensor<6xi32>, tensor<6xi32>, tensor<6xi32>)
  %id0 = tensor.cast %id#0 : tensor<6xi32> to tensor<*xi32>
  %id1 = tensor.cast %id#1 : tensor<6xi32> to tensor<*xi32>
  %id2 = tensor.cast %id#2 : tensor<6xi32> to tensor<*xi32>
  // CHECK: [2, 1, -1, -2, 0, 0]
  call @printMemrefI32(%id0) : (tensor<*xi32>) -> ()
  // CHECK: [1, -2, -2, 1, 0, -7]
  call @printMemrefI32(%id1) : (tensor<*xi32>) -> ()
  // CHECK: [1, -1, -1, 1, 0, -7]
  call @printMemrefI32(%id2) : (tensor<*xi32>) -> ()

  %x = arith.constant dense<[0.5, 1.5, 2.5, -0.5, -2.5, -10.0]> : tensor<6xf32>
  %y = arith.constant dense<[0.0, 0.5, -0.9, 0.999, 1.0, -1.0, 1.5]> : tensor<7xf32>
  %fu:4 = call @float_unary(%x, %y) : (tensor<6xf32>, tensor<7xf32>) -> (tensor<6xf32>, tensor<6xf32>, tensor<7xf32>, tensor<6xf32>)
  %fu0 = tensor.cast %fu#0 : tensor<6xf32> to tensor<?xf32>
  %fu1 = tensor.cast %fu#1 : tensor<6xf32> to tensor<?xf32>
  %fu2 = tensor.cast %fu#2 : tensor<7xf32> to tensor<?xf32>
  %fu3 = tensor.cast %fu#3 : tensor<6xf32> to tensor<?xf32>
  // round: half to even.
  // CHECK: [0, 2, 2, -0, -2, -10]
  call @printF32(%fu0) : (tensor<?xf32>) -> ()
  // CHECK: [1, 1, 1, -1, -1, -1]
  call @printF32(%fu1) : (tensor<?xf32>) -> ()
  // erfinv (0.999 is 0.99900001 in f32, whose erfinv is 2.3267563).
  // CHECK: [0, 0.476936, -1.16309, 2.32676, inf, -inf, {{-?}}nan]
  call @printF32(%fu2) : (tensor<?xf32>) -> ()
  // CHECK: [0.622459, 0.817574, 0.924142, 0.377541, 0.0758582, 4.53979e-05]
  call @printF32(%fu3) : (tensor<?xf32>) -> ()

  %na = arith.constant dense<[1.0, 0x7FC00000, 0x7FC00000, 3.0]> : tensor<4xf32>
  %nb = arith.constant dense<[0x7FC00000, 2.0, 0x7FC00000, -1.0]> : tensor<4xf32>
  %nn:5 = call @nan_semantics(%na, %nb) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>)
  %nn0 = tensor.cast %nn#0 : tensor<4xf32> to tensor<?xf32>
  %nn1 = tensor.cast %nn#1 : tensor<4xf32> to tensor<?xf32>
  // max/min propagate NaN.
  // CHECK: [{{-?}}nan, {{-?}}nan, {{-?}}nan, 3]
  call @printF32(%nn0) : (tensor<?xf32>) -> ()
  // CHECK: [{{-?}}nan, {{-?}}nan, {{-?}}nan, -1]
  call @printF32(%nn1) : (tensor<?xf32>) -> ()
  // ne is unordered (true with NaN), lt ordered; bool(nan) is true.
  // CHECK: [1, 1, 1, 1]
  call @printBool(%nn#2) : (tensor<4xi1>) -> ()
  // CHECK: [0, 0, 0, 0]
  call @printBool(%nn#3) : (tensor<4xi1>) -> ()
  // CHECK: [1, 1, 1, 1]
  call @printBool(%nn#4) : (tensor<4xi1>) -> ()

  %sa = arith.constant dense<[1, -8, 8, -8]> : tensor<4xi64>
  %ss = arith.constant dense<[3, 1, 64, 70]> : tensor<4xi64>
  %pb = arith.constant dense<[2, -1, -1, 1, 2, 3, 0]> : tensor<7xi64>
  %pe = arith.constant dense<[10, 3, -3, -5, -1, 0, 0]> : tensor<7xi64>
  %cf = arith.constant dense<[2.7, -2.7, -0.5]> : tensor<3xf32>
  %in:4 = call @integers(%sa, %ss, %pb, %pe, %cf) : (tensor<4xi64>, tensor<4xi64>, tensor<7xi64>, tensor<7xi64>, tensor<3xf32>) -> (tensor<4xi64>, tensor<4xi64>, tensor<7xi64>, tensor<3xi32>)
  %in0 = tensor.cast %in#0 : tensor<4xi64> to tensor<*xi64>
  %in1 = tensor.cast %in#1 : tensor<4xi64> to tensor<*xi64>
  %in2 = tensor.cast %in#2 : tensor<7xi64> to tensor<*xi64>
  %in3 = tensor.cast %in#3 : tensor<3xi32> to tensor<*xi32>
  // Shifts by >= 64: 0 to the left, the sign to the right.
  // CHECK: [8, -16, 0, 0]
  call @printMemrefI64(%in0) : (tensor<*xi64>) -> ()
  // CHECK: [0, -4, 0, -1]
  call @printMemrefI64(%in1) : (tensor<*xi64>) -> ()
  // CHECK: [1024, -1, -1, 1, 0, 1, 1]
  call @printMemrefI64(%in2) : (tensor<*xi64>) -> ()
  // CHECK: [2, -2, 0]
  call @printMemrefI32(%in3) : (tensor<*xi32>) -> ()

  %ha = arith.constant dense<[1.0, 3.0, -2.0]> : tensor<3xbf16>
  %hb = arith.constant dense<[0.00390625, 1.5, 0.5]> : tensor<3xbf16>
  %h = call @bfloat(%ha, %hb) : (tensor<3xbf16>, tensor<3xbf16>) -> tensor<3xf32>
  %hd = tensor.cast %h : tensor<3xf32> to tensor<?xf32>
  // CHECK: [0.00390625, 6.75, -0.75]
  call @printF32(%hd) : (tensor<?xf32>) -> ()
  return
}
