// RUN: thunder-opt %s --thunder-outline-kernels | FileCheck %s

// Each linalg op becomes a call of a private kernel; constants (captured or
// scalar operands) are cloned in; identical kernels are shared.

// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.+]]: memref<4xf32>, %[[Y:.+]]: memref<4xf32>, %[[S:.+]]: f32)
// CHECK: call @[[FILL:thunder_kernel_0_fill]](%[[X]]) : (memref<4xf32>) -> ()
// CHECK: call @[[GEN:thunder_kernel_1_generic]](%[[X]], %[[Y]], %[[S]]) : (memref<4xf32>, memref<4xf32>, f32) -> ()
// CHECK: call @[[GEN]](%[[Y]], %[[X]], %[[S]])
// CHECK-NOT: linalg.
// CHECK: return

// CHECK: func.func private @[[FILL]](%[[A:.+]]: memref<4xf32>)
// CHECK: %[[C:.+]] = arith.constant 1.5
// CHECK: linalg.fill ins(%[[C]] : f32) outs(%[[A]] : memref<4xf32>)
// CHECK: func.func private @[[GEN]](%{{.+}}: memref<4xf32>, %{{.+}}: memref<4xf32>, %{{.+}}: f32)
// CHECK: arith.constant 2.0
// CHECK: linalg.generic
// CHECK-NOT: func.func private
#id = affine_map<(d0) -> (d0)>
func.func @forward(%x: memref<4xf32>, %y: memref<4xf32>, %s: f32) {
  %c = arith.constant 1.5 : f32
  %two = arith.constant 2.0 : f32
  linalg.fill ins(%c : f32) outs(%x : memref<4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : memref<4xf32>) outs(%y : memref<4xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.mulf %a, %two : f32
      %n = arith.addf %m, %s : f32
      linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%y : memref<4xf32>) outs(%x : memref<4xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.mulf %a, %two : f32
      %n = arith.addf %m, %s : f32
      linalg.yield %n : f32
  }
  return
}
