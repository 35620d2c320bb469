// thunder-decompose: thunder.attention_grad -> the recompute formula.
// RUN: thunder-opt %s --thunder-decompose --split-input-file | FileCheck %s

// bf16 in f32: P = softmax(q k^T scale) (causal: iota/compare/select), then
// dV = P^T dO, dP = dO V^T, dS = P * (dP - rowsum(dP * P)), dQ = dS K scale,
// dK = dS^T Q scale, each rounded back to bf16.
// CHECK-LABEL: func.func @causal
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x8xbf16>, %[[K:.+]]: tensor<1x2x5x8xbf16>, %[[V:.+]]: tensor<1x2x5x8xbf16>, %[[G:.+]]: tensor<1x2x4x8xbf16>)
// CHECK-NOT: thunder.attention_grad
// CHECK-DAG: %[[QF:.+]] = thunder.convert %[[Q]] : tensor<1x2x4x8xbf16> -> tensor<1x2x4x8xf32>
// CHECK-DAG: %[[KF:.+]] = thunder.convert %[[K]] : tensor<1x2x5x8xbf16> -> tensor<1x2x5x8xf32>
// CHECK-DAG: %[[VF:.+]] = thunder.convert %[[V]] : tensor<1x2x5x8xbf16> -> tensor<1x2x5x8xf32>
// CHECK-DAG: %[[GF:.+]] = thunder.convert %[[G]] : tensor<1x2x4x8xbf16> -> tensor<1x2x4x8xf32>
// CHECK: %[[KT:.+]] = thunder.permute %[[KF]] {perm = array<i64: 0, 1, 3, 2>}
// CHECK: thunder.matmul %[[QF]], %[[KT]] : tensor<1x2x4x8xf32>, tensor<1x2x8x5xf32> -> tensor<1x2x4x5xf32>
// CHECK: thunder.iota
// CHECK: thunder.compare ge
// CHECK: thunder.reduce_max
// CHECK: thunder.exp
// CHECK: %[[P:.+]] = thunder.div
// CHECK: %[[PT:.+]] = thunder.permute %[[P]] {perm = array<i64: 0, 1, 3, 2>}
// CHECK: %[[DV:.+]] = thunder.matmul %[[PT]], %[[GF]] : tensor<1x2x5x4xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x5x8xf32>
// CHECK: %[[DVB:.+]] = thunder.convert %[[DV]] : tensor<1x2x5x8xf32> -> tensor<1x2x5x8xbf16>
// CHECK: %[[DQ:.+]] = thunder.convert %{{.+}} : tensor<1x2x4x8xf32> -> tensor<1x2x4x8xbf16>
// CHECK: %[[DK:.+]] = thunder.convert %{{.+}} : tensor<1x2x5x8xf32> -> tensor<1x2x5x8xbf16>
// CHECK: return %[[DQ]], %[[DK]], %[[DVB]]
func.func @causal(%q: tensor<1x2x4x8xbf16>, %k: tensor<1x2x5x8xbf16>, %v: tensor<1x2x5x8xbf16>, %g: tensor<1x2x4x8xbf16>)
    -> (tensor<1x2x4x8xbf16>, tensor<1x2x5x8xbf16>, tensor<1x2x5x8xbf16>) {
  %dq, %dk, %dv = thunder.attention_grad %q, %k, %v grad %g {scale = 0.35 : f64, is_causal = true} : tensor<1x2x4x8xbf16>, tensor<1x2x5x8xbf16>, tensor<1x2x5x8xbf16>, tensor<1x2x4x8xbf16> -> tensor<1x2x4x8xbf16>, tensor<1x2x5x8xbf16>, tensor<1x2x5x8xbf16>
  return %dq, %dk, %dv : tensor<1x2x4x8xbf16>, tensor<1x2x5x8xbf16>, tensor<1x2x5x8xbf16>
}

// -----

// Only dV used: no dP/dS; the unused gradients are zeros of their type.
// CHECK-LABEL: func.func @value_only
// CHECK: thunder.matmul
// CHECK: thunder.select
// CHECK: %[[DV:.+]] = thunder.matmul %{{.+}}, %{{.+}} : tensor<4x3xf32>, tensor<3x2xf32> -> tensor<4x2xf32>
// CHECK-NOT: thunder.matmul
// CHECK: return %[[DV]]
func.func @value_only(%q: tensor<3x2xf32>, %k: tensor<4x2xf32>, %m: tensor<3x4xi1>, %g: tensor<3x2xf32>) -> tensor<4x2xf32> {
  %dq, %dk, %dv = thunder.attention_grad %q, %k, %k mask %m : tensor<3x4xi1> grad %g {scale = 0.5 : f64} : tensor<3x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<3x2xf32> -> tensor<3x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>
  return %dv : tensor<4x2xf32>
}
