// Reductions (linalg.reduce from the op's identity), arg-reductions and scans
// (linalg.generic).
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[XJ:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OI:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// bf16 sums accumulate in f32, round once, then keepdim expands.
// CHECK-LABEL: func.func @sum_bf16_keepdim
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<?x5xf32>)
// CHECK: %[[R:.+]] = linalg.reduce ins(%{{.+}} : tensor<?x4x5xbf16>) outs(%[[INIT]] : tensor<?x5xf32>) dimensions = [1]
// CHECK: arith.extf %{{.+}} : bf16 to f32
// CHECK: arith.addf
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2]] output_shape [%{{.+}}, 1, 5] : tensor<?x5xbf16> into tensor<?x1x5xbf16>
func.func @sum_bf16_keepdim(%x: tensor<?x4x5xbf16>) -> tensor<?x1x5xbf16> {
  %0 = thunder.reduce_sum %x {dims = array<i64: 1>, keepdim = true} : tensor<?x4x5xbf16> -> tensor<?x1x5xbf16>
  return %0 : tensor<?x1x5xbf16>
}

// max from -inf with the NaN-propagating maximumf; min of integers from the
// largest value; any/all on i1.
// CHECK-LABEL: func.func @max_min_any_all
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.reduce
// CHECK: arith.maximumf
// CHECK: arith.constant 2147483647 : i32
// CHECK: linalg.reduce
// CHECK: arith.minsi
// CHECK: arith.constant false
// CHECK: linalg.reduce
// CHECK: arith.ori
// CHECK: arith.constant true
// CHECK: linalg.reduce
// CHECK: arith.andi
func.func @max_min_any_all(%x: tensor<4x5xf32>, %i: tensor<4x5xi32>, %b: tensor<4x5xi1>)
    -> (tensor<4xf32>, tensor<5xi32>, tensor<i1>, tensor<5xi1>) {
  %0 = thunder.reduce_max %x {dims = array<i64: 1>} : tensor<4x5xf32> -> tensor<4xf32>
  %1 = thunder.reduce_min %i {dims = array<i64: 0>} : tensor<4x5xi32> -> tensor<5xi32>
  %2 = thunder.reduce_or %b {dims = array<i64: 0, 1>} : tensor<4x5xi1> -> tensor<i1>
  %3 = thunder.reduce_and %b {dims = array<i64: 0>} : tensor<4x5xi1> -> tensor<5xi1>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<5xi32>, tensor<i1>, tensor<5xi1>
}

// CHECK-LABEL: func.func @prod
// CHECK: arith.constant 1 : i64
// CHECK: arith.muli
func.func @prod(%x: tensor<4x5xi64>) -> tensor<4xi64> {
  %0 = thunder.reduce_prod %x {dims = array<i64: 1>} : tensor<4x5xi64> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// argmax carries (value, index); ties go to the smaller index and NaN wins.
// CHECK-LABEL: func.func @argmax
// CHECK: %{{.+}}:2 = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<3xf32>, tensor<3xi64>)
// CHECK: %[[J:.+]] = linalg.index 1 : index
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: arith.cmpi slt
// CHECK: linalg.yield
func.func @argmax(%x: tensor<3x?xf32>) -> tensor<3xi64> {
  %0 = thunder.argmax %x {dim = 1 : i64} : tensor<3x?xf32> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// CHECK-LABEL: func.func @argmin_bool_keepdim
// CHECK: arith.cmpi ult
// CHECK: tensor.expand_shape
func.func @argmin_bool_keepdim(%x: tensor<3x4xi1>) -> tensor<1x4xi32> {
  %0 = thunder.argmin %x {dim = 0 : i64, keepdim = true} : tensor<3x4xi1> -> tensor<1x4xi32>
  return %0 : tensor<1x4xi32>
}

// A scan adds a reduction dim j and combines x[j] for j <= i.
// CHECK-LABEL: func.func @cumsum
// CHECK: linalg.generic {indexing_maps = [#[[XJ]], #[[OI]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[J:.+]] = linalg.index 2 : index
// CHECK: %[[IN:.+]] = arith.cmpi ule, %[[J]], %[[I]] : index
// CHECK: %[[SUM:.+]] = arith.addf
// CHECK: arith.select %[[IN]], %[[SUM]], %{{.+}} : f32
func.func @cumsum(%x: tensor<3x?xf32>) -> tensor<3x?xf32> {
  %0 = thunder.cumsum %x {dim = 1 : i64} : tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// CHECK-LABEL: func.func @other_scans
// CHECK: arith.mulf
// CHECK: arith.maximumf
// CHECK: arith.minsi
func.func @other_scans(%x: tensor<5xf32>, %i: tensor<5xi32>) -> (tensor<5xf32>, tensor<5xf32>, tensor<5xi32>) {
  %0 = thunder.cumprod %x {dim = 0 : i64} : tensor<5xf32>
  %1 = thunder.cummax %x {dim = 0 : i64} : tensor<5xf32>
  %2 = thunder.cummin %i {dim = 0 : i64} : tensor<5xi32>
  return %0, %1, %2 : tensor<5xf32>, tensor<5xf32>, tensor<5xi32>
}
