// thunder.attention has no lowering of its own: the pipeline decomposes it,
// or keeps it (keep-attention) for a fused kernel; convert-thunder-to-linalg
// alone refuses it unless told to keep it.
// RUN: thunder-opt %s --thunder-lower-to-linalg | FileCheck %s
// RUN: thunder-opt %s --thunder-lower-to-linalg=keep-attention | FileCheck %s --check-prefix=KEEP
// RUN: thunder-opt %s --convert-thunder-to-linalg=keep-attention | FileCheck %s --check-prefix=KEEP
// RUN: not thunder-opt %s --convert-thunder-to-linalg 2>&1 | FileCheck %s --check-prefix=ERR

// CHECK-LABEL: func.func @attention
// CHECK-NOT: thunder.
// CHECK: linalg.batch_matmul
// CHECK: linalg.batch_matmul

// KEEP-LABEL: func.func @attention
// KEEP: %[[A:.+]] = thunder.attention
// KEEP: linalg.generic
// KEEP-SAME: ins(%[[A]]

// ERR: failed to legalize operation 'thunder.attention'
func.func @attention(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x8xf32>) -> tensor<2x4x8xf32> {
  %0 = thunder.attention %q, %k, %v {scale = 0.125 : f64} : tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x8xf32> -> tensor<2x4x8xf32>
  %1 = thunder.exp %0 : tensor<2x4x8xf32>
  return %1 : tensor<2x4x8xf32>
}
