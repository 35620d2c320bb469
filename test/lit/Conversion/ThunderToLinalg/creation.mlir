// constant, full, iota.
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.+]] = arith.constant dense<[1, 2, 3]> : tensor<3xi32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<3xi32> {
  %0 = thunder.constant dense<[1, 2, 3]> : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// CHECK-LABEL: func.func @full_dynamic
// CHECK-SAME: (%[[N:.+]]: index)
// CHECK: %[[V:.+]] = arith.constant 2.500000e+00 : bf16
// CHECK: %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?x4xbf16>
// CHECK: linalg.fill ins(%[[V]] : bf16) outs(%[[E]] : tensor<?x4xbf16>)
func.func @full_dynamic(%n: index) -> tensor<?x4xbf16> {
  %0 = thunder.full %n {value = 2.5 : bf16} : tensor<?x4xbf16>
  return %0 : tensor<?x4xbf16>
}

// CHECK-LABEL: func.func @iota
// CHECK-SAME: (%[[N:.+]]: index)
// CHECK: %[[E:.+]] = tensor.empty(%[[N]]) : tensor<3x?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<3x?xf32>)
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[I64:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[F:.+]] = arith.sitofp %[[I64]] : i64 to f32
// CHECK: linalg.yield %[[F]]
func.func @iota(%n: index) -> tensor<3x?xf32> {
  %0 = thunder.iota %n {dim = 1 : i64} : tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}
