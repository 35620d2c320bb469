// thunder.matmul -> linalg.matmul / linalg.batch_matmul into a zero-filled
// accumulator (f32 for f16/bf16).
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @matmul_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x4xf32>, %[[B:.+]]: tensor<4x5xf32>)
// CHECK: %[[M:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?x4xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[M]]) : tensor<?x5xf32>
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?x5xf32>)
// CHECK: linalg.matmul ins(%[[A]], %[[B]] : tensor<?x4xf32>, tensor<4x5xf32>) outs(%[[Z]] : tensor<?x5xf32>)
func.func @matmul_dynamic(%a: tensor<?x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x5xf32> {
  %0 = thunder.matmul %a, %b : tensor<?x4xf32>, tensor<4x5xf32> -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// CHECK-LABEL: func.func @batch_matmul_i32
// CHECK: linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<3x2x4xi32>, tensor<3x4x5xi32>) outs(%{{.+}} : tensor<3x2x5xi32>)
func.func @batch_matmul_i32(%a: tensor<3x2x4xi32>, %b: tensor<3x4x5xi32>) -> tensor<3x2x5xi32> {
  %0 = thunder.matmul %a, %b : tensor<3x2x4xi32>, tensor<3x4x5xi32> -> tensor<3x2x5xi32>
  return %0 : tensor<3x2x5xi32>
}

// Rank 4, bf16: batch dims collapsed around a batch_matmul accumulating in
// f32, rounded, expanded back with the dynamic head count.
// CHECK-LABEL: func.func @matmul_rank4_bf16
// CHECK-SAME: (%[[A:.+]]: tensor<2x?x5x3xbf16>, %[[B:.+]]: tensor<2x?x3x6xbf16>)
// CHECK: %[[CA:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2], [3]] : tensor<2x?x5x3xbf16> into tensor<?x5x3xbf16>
// CHECK: %[[CB:.+]] = tensor.collapse_shape %[[B]] {{\[}}[0, 1], [2], [3]] : tensor<2x?x3x6xbf16> into tensor<?x3x6xbf16>
// CHECK: %[[P:.+]] = linalg.batch_matmul ins(%[[CA]], %[[CB]] : tensor<?x5x3xbf16>, tensor<?x3x6xbf16>) outs(%{{.+}} : tensor<?x5x6xf32>)
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// CHECK: %[[H:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<2x?x5x3xbf16>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2], [3]] output_shape [2, %[[H]], 5, 6] : tensor<?x5x6xbf16> into tensor<2x?x5x6xbf16>
func.func @matmul_rank4_bf16(%a: tensor<2x?x5x3xbf16>, %b: tensor<2x?x3x6xbf16>) -> tensor<2x?x5x6xbf16> {
  %0 = thunder.matmul %a, %b : tensor<2x?x5x3xbf16>, tensor<2x?x3x6xbf16> -> tensor<2x?x5x6xbf16>
  return %0 : tensor<2x?x5x6xbf16>
}
