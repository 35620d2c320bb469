// Elementwise ops: one linalg.generic with identity maps; the body is the
// op's entry in the ScalarMapping table for the element type.
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ID1:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[ID0:.+]] = affine_map<() -> ()>

// CHECK-LABEL: func.func @add_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x4xf32>, %[[B:.+]]: tensor<?x4xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?x4xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID2]], #[[ID2]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : {{.*}}) outs(%[[INIT]] : tensor<?x4xf32>)
// CHECK: arith.addf
func.func @add_dynamic(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = thunder.add %a, %b : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// Integer and bool variants of the same op.
// CHECK-LABEL: func.func @add_int_bool
// CHECK: arith.addi
// CHECK: arith.ori
func.func @add_int_bool(%a: tensor<4xi32>, %b: tensor<4xi1>) -> (tensor<4xi32>, tensor<4xi1>) {
  %0 = thunder.add %a, %a : tensor<4xi32>
  %1 = thunder.add %b, %b : tensor<4xi1>
  return %0, %1 : tensor<4xi32>, tensor<4xi1>
}

// f16/bf16 functions are computed in f32.
// CHECK-LABEL: func.func @exp_bf16
// CHECK: ^bb0(%[[X:.+]]: bf16, %{{.+}}: bf16):
// CHECK-NEXT: %[[W:.+]] = arith.extf %[[X]] : bf16 to f32
// CHECK-NEXT: %[[E:.+]] = math.exp %[[W]] : f32
// CHECK-NEXT: %[[T:.+]] = arith.truncf %[[E]] : f32 to bf16
// CHECK-NEXT: linalg.yield %[[T]] : bf16
func.func @exp_bf16(%a: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = thunder.exp %a : tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// CHECK-LABEL: func.func @round_half_even
// CHECK: math.roundeven
func.func @round_half_even(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = thunder.round %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// NaN-propagating on floats; unsigned on i1.
// CHECK-LABEL: func.func @max_min
// CHECK: arith.maximumf
// CHECK: arith.minsi
// CHECK: arith.maxui
func.func @max_min(%a: tensor<4xf32>, %i: tensor<4xi64>, %b: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xi64>, tensor<4xi1>) {
  %0 = thunder.max %a, %a : tensor<4xf32>
  %1 = thunder.min %i, %i : tensor<4xi64>
  %2 = thunder.max %b, %b : tensor<4xi1>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xi64>, tensor<4xi1>
}

// remainder: fmod, then add the divisor where the signs differ.
// CHECK-LABEL: func.func @remainder
// CHECK: %[[MOD:.+]] = arith.remf %[[X:.+]], %[[Y:.+]] : f32
// CHECK: %[[SUM:.+]] = arith.addf %[[MOD]], %[[Y]] : f32
// CHECK: arith.select %{{.+}}, %[[SUM]], %[[MOD]] : f32
// CHECK: %[[IMOD:.+]] = arith.remsi %{{.+}}, %[[IY:.+]] : i32
// CHECK: %[[ISUM:.+]] = arith.addi %[[IMOD]], %[[IY]] : i32
// CHECK: arith.select %{{.+}}, %[[ISUM]], %[[IMOD]] : i32
func.func @remainder(%a: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = thunder.remainder %a, %a : tensor<4xf32>
  %1 = thunder.remainder %i, %i : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// floor_div on integers: truncating quotient, minus one where the remainder
// is non-zero and its sign differs from the divisor's; div truncates.
// CHECK-LABEL: func.func @integer_division
// CHECK: %[[Q:.+]] = arith.divsi
// CHECK: arith.remsi
// CHECK: %[[QM1:.+]] = arith.subi %[[Q]], %{{.+}} : i64
// CHECK: arith.select %{{.+}}, %[[QM1]], %[[Q]] : i64
// CHECK: linalg.generic
// CHECK: arith.divsi
// CHECK-NEXT: linalg.yield
func.func @integer_division(%i: tensor<4xi64>) -> (tensor<4xi64>, tensor<4xi64>) {
  %0 = thunder.floor_div %i, %i : tensor<4xi64>
  %1 = thunder.div %i, %i : tensor<4xi64>
  return %0, %1 : tensor<4xi64>, tensor<4xi64>
}

// CHECK-LABEL: func.func @float_floor_div
// CHECK: arith.remf
// CHECK: math.floor
// CHECK: math.copysign
func.func @float_floor_div(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = thunder.floor_div %a, %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @sign_sigmoid_erfinv
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: math.log
// CHECK: math.fma
// CHECK: math.erf
func.func @sign_sigmoid_erfinv(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = thunder.sign %a : tensor<4xf32>
  %1 = thunder.sigmoid %a : tensor<4xf32>
  %2 = thunder.erfinv %a : tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// Integer pow: exponentiation by squaring over the bit width.
// CHECK-LABEL: func.func @pow
// CHECK: math.powf
// CHECK: scf.for {{.*}} iter_args
// CHECK: arith.muli
func.func @pow(%a: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = thunder.pow %a, %a : tensor<4xf32>
  %1 = thunder.pow %i, %i : tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// CHECK-LABEL: func.func @shifts
// CHECK: %[[L:.+]] = arith.shli
// CHECK: arith.select %{{.+}}, %{{.+}}, %[[L]]
// CHECK: arith.shrsi
func.func @shifts(%i: tensor<4xi16>) -> (tensor<4xi16>, tensor<4xi16>) {
  %0 = thunder.shl %i, %i : tensor<4xi16>
  %1 = thunder.shr %i, %i : tensor<4xi16>
  return %0, %1 : tensor<4xi16>, tensor<4xi16>
}

// CHECK-LABEL: func.func @bitwise
// CHECK: arith.andi
// CHECK: arith.ori
// CHECK: arith.xori
// CHECK: %[[ONES:.+]] = arith.constant true
// CHECK: arith.xori %{{.+}}, %[[ONES]] : i1
func.func @bitwise(%i: tensor<4xi8>, %b: tensor<4xi1>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi1>) {
  %0 = thunder.and %i, %i : tensor<4xi8>
  %1 = thunder.or %i, %i : tensor<4xi8>
  %2 = thunder.xor %i, %i : tensor<4xi8>
  %3 = thunder.not %b : tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi1>
}

// Floats: unordered ne, ordered others; integers signed; i1 unsigned.
// CHECK-LABEL: func.func @compare
// CHECK: arith.cmpf une
// CHECK: arith.cmpf olt
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi ult
func.func @compare(%a: tensor<4xf32>, %i: tensor<4xi32>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = thunder.compare ne, %a, %a : tensor<4xf32>
  %1 = thunder.compare lt, %a, %a : tensor<4xf32>
  %2 = thunder.compare ge, %i, %i : tensor<4xi32>
  %3 = thunder.compare lt, %b, %b : tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: func.func @select
// CHECK: ^bb0(%[[C:.+]]: i1, %[[T:.+]]: f32, %[[F:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: arith.select %[[C]], %[[T]], %[[F]] : f32
func.func @select(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = thunder.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// float -> int truncates, anything -> i1 is != 0 (unordered: NaN is true),
// i1 -> float is unsigned, f16 <-> bf16 through f32, int widening signed.
// CHECK-LABEL: func.func @convert
// CHECK: arith.fptosi %{{.+}} : f32 to i8
// CHECK: arith.cmpf une
// CHECK: arith.uitofp %{{.+}} : i1 to f32
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK-NEXT: arith.truncf %{{.+}} : f32 to bf16
// CHECK: arith.extsi %{{.+}} : i8 to i64
// CHECK: arith.cmpi ne
func.func @convert(%a: tensor<4xf32>, %b: tensor<4xi1>, %h: tensor<4xf16>, %i: tensor<4xi8>)
    -> (tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xbf16>, tensor<4xi64>, tensor<4xi1>) {
  %0 = thunder.convert %a : tensor<4xf32> -> tensor<4xi8>
  %1 = thunder.convert %a : tensor<4xf32> -> tensor<4xi1>
  %2 = thunder.convert %b : tensor<4xi1> -> tensor<4xf32>
  %3 = thunder.convert %h : tensor<4xf16> -> tensor<4xbf16>
  %4 = thunder.convert %i : tensor<4xi8> -> tensor<4xi64>
  %5 = thunder.convert %i : tensor<4xi8> -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xbf16>, tensor<4xi64>, tensor<4xi1>
}

// CHECK-LABEL: func.func @bitcast
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.+}} : f64 to i64
func.func @bitcast(%a: tensor<4xf64>) -> tensor<4xi64> {
  %0 = thunder.bitcast %a : tensor<4xf64> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}


// CHECK-LABEL: func.func @scalar
// CHECK: linalg.generic {indexing_maps = [#[[ID0]], #[[ID0]]], iterator_types = []}
// CHECK: math.sqrt
func.func @scalar(%a: tensor<f64>) -> tensor<f64> {
  %0 = thunder.sqrt %a : tensor<f64>
  return %0 : tensor<f64>
}
