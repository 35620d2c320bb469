// thunder.sort: a rank generic (count of elements before each one, j as a
// reduction dim) and a placement generic (select the element of rank r).
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// CHECK-DAG: #[[SAME:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OTHER:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>

// CHECK-LABEL: func.func @sort
// CHECK-SAME: (%[[X:.+]]: tensor<3x?xf32>)
// CHECK: %[[RANKS:.+]] = linalg.generic {indexing_maps = [#[[SAME]], #[[OTHER]], #[[SAME]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[X]] : tensor<3x?xf32>, tensor<3x?xf32>) outs(%{{.+}} : tensor<3x?xi64>)
// CHECK: ^bb0(%[[XI:.+]]: f32, %[[XJ:.+]]: f32, %[[COUNT:.+]]: i64):
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[J:.+]] = linalg.index 2 : index
// CHECK: arith.cmpf olt, %[[XJ]], %[[XI]] : f32
// CHECK: arith.cmpi ult, %[[J]], %[[I]] : index
// CHECK: arith.addi %[[COUNT]], %{{.+}} : i64
// CHECK: linalg.generic {indexing_maps = [#[[OTHER]], #[[OTHER]], #[[SAME]], #[[SAME]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[RANKS]] : tensor<3x?xf32>, tensor<3x?xi64>)
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: arith.select
func.func @sort(%x: tensor<3x?xf32>) -> (tensor<3x?xf32>, tensor<3x?xi64>) {
  %0, %1 = thunder.sort %x {dim = 1 : i64} : tensor<3x?xf32> -> tensor<3x?xf32>, tensor<3x?xi64>
  return %0, %1 : tensor<3x?xf32>, tensor<3x?xi64>
}

// Descending compares the other way; i1 keys are unsigned.
// CHECK-LABEL: func.func @sort_descending_bool
// CHECK: ^bb0(%[[XI:.+]]: i1, %[[XJ:.+]]: i1, %{{.+}}: i64):
// CHECK: arith.cmpi ult, %[[XI]], %[[XJ]] : i1
func.func @sort_descending_bool(%x: tensor<8xi1>) -> (tensor<8xi1>, tensor<8xi32>) {
  %0, %1 = thunder.sort %x {dim = 0 : i64, descending = true} : tensor<8xi1> -> tensor<8xi1>, tensor<8xi32>
  return %0, %1 : tensor<8xi1>, tensor<8xi32>
}
