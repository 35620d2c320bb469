// RUN: thunder-opt --thunder-autodiff --split-input-file %s | FileCheck %s

// Without a mask gradient the rule is one thunder.attention_grad on the
// primal q, k, v (and mask) and the cotangent (expanded by thunder-decompose
// on the CPU, a fused kernel on CUDA).
// CHECK-LABEL: func.func @backward
// CHECK:         %{{.+}}, %{{.+}}, %{{.+}} = thunder.attention_grad %{{.+}}, %{{.+}}, %{{.+}} mask %{{.+}} : tensor<4x4xi1> grad %{{.+}} {is_causal = true, scale = 5.000000e-01 : f64} : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
// CHECK-NOT:     thunder.matmul
// CHECK:         return
func.func @forward(%q: tensor<1x2x4x8xf32> {thunder.kind = "param", thunder.name = "q"},
                   %k: tensor<1x2x4x8xf32> {thunder.kind = "param", thunder.name = "k"},
                   %v: tensor<1x2x4x8xf32> {thunder.kind = "param", thunder.name = "v"},
                   %m: tensor<4x4xi1> {thunder.kind = "input", thunder.name = "m"})
    -> (tensor<1x2x4x8xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.attention %q, %k, %v mask %m : tensor<4x4xi1> {scale = 0.5 : f64, is_causal = true} : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}

// -----

// A float mask that needs a gradient: the recompute formula inline (dS summed
// down to the mask's shape).
// CHECK-LABEL: func.func @backward
// CHECK-NOT:     thunder.attention_grad
// CHECK:         thunder.matmul
// CHECK:         thunder.reduce_sum
func.func @forward(%q: tensor<1x2x4x8xf32> {thunder.kind = "param", thunder.name = "q"},
                   %m: tensor<4x4xf32> {thunder.kind = "param", thunder.name = "m"})
    -> (tensor<1x2x4x8xf32> {thunder.kind = "output", thunder.name = "y"}) {
  %0 = thunder.attention %q, %q, %q mask %m : tensor<4x4xf32> {scale = 0.5 : f64} : tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32> -> tensor<1x2x4x8xf32>
  return %0 : tensor<1x2x4x8xf32>
}
