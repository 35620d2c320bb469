// thunder.attention_grad and the destination-style fused attention ops:
// round trip (tensors and buffers) and every verifier error.
// RUN: thunder-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @round_trip
// CHECK: thunder.attention_grad %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : tensor<6x7xi1> grad %{{.*}} {is_causal = true, scale = 1.250000e-01 : f64} : tensor<2x4x6x8xbf16>, tensor<2x4x7x8xbf16>, tensor<2x4x7x8xbf16>, tensor<2x4x6x8xbf16> -> tensor<2x4x6x8xbf16>, tensor<2x4x7x8xbf16>, tensor<2x4x7x8xbf16>
// CHECK: thunder.fused_attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>, tensor<2x2x7x8xbf16>) outs(%{{.*}} : tensor<2x4x6x8xbf16>) {is_causal = true, scale = 1.250000e-01 : f64} -> tensor<2x4x6x8xbf16>
// CHECK: thunder.fused_attention_grad ins(%{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} grad %{{.*}} : tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>, tensor<2x2x7x8xbf16>, tensor<6x7xi1>, tensor<2x4x6x8xbf16>) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>, tensor<2x2x7x8xbf16>) {scale = 1.250000e-01 : f64} -> tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>, tensor<2x2x7x8xbf16>
func.func @round_trip(%q: tensor<2x4x6x8xbf16>, %k: tensor<2x4x7x8xbf16>, %m: tensor<6x7xi1>,
                      %kg: tensor<2x2x7x8xbf16>) -> (tensor<2x4x6x8xbf16>, tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>) {
  %dq, %dk, %dv = thunder.attention_grad %q, %k, %k mask %m : tensor<6x7xi1> grad %q {scale = 0.125 : f64, is_causal = true} : tensor<2x4x6x8xbf16>, tensor<2x4x7x8xbf16>, tensor<2x4x7x8xbf16>, tensor<2x4x6x8xbf16> -> tensor<2x4x6x8xbf16>, tensor<2x4x7x8xbf16>, tensor<2x4x7x8xbf16>
  %e = tensor.empty() : tensor<2x4x6x8xbf16>
  %o = thunder.fused_attention ins(%q, %kg, %kg : tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>, tensor<2x2x7x8xbf16>) outs(%e : tensor<2x4x6x8xbf16>) {scale = 0.125 : f64, is_causal = true} -> tensor<2x4x6x8xbf16>
  %ek = tensor.empty() : tensor<2x2x7x8xbf16>
  %g:3 = thunder.fused_attention_grad ins(%q, %kg, %kg mask %m grad %o : tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>, tensor<2x2x7x8xbf16>, tensor<6x7xi1>, tensor<2x4x6x8xbf16>) outs(%e, %ek, %ek : tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>, tensor<2x2x7x8xbf16>) {scale = 0.125 : f64} -> tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>, tensor<2x2x7x8xbf16>
  return %dq, %g#0, %g#1 : tensor<2x4x6x8xbf16>, tensor<2x4x6x8xbf16>, tensor<2x2x7x8xbf16>
}

// -----

// On buffers: no results.
// CHECK-LABEL: func.func @buffers
// CHECK: thunder.fused_attention ins(%{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} : memref<1x2x4x64xf16>, memref<1x2x5x64xf16>, memref<1x2x5x64xf16>, memref<1x1x4x5xf32>) outs(%{{.*}} : memref<1x2x4x64xf16>) {scale = 1.250000e-01 : f64}
// CHECK-NOT: ->
func.func @buffers(%q: memref<1x2x4x64xf16>, %k: memref<1x2x5x64xf16>, %m: memref<1x1x4x5xf32>, %o: memref<1x2x4x64xf16>) {
  thunder.fused_attention ins(%q, %k, %k mask %m : memref<1x2x4x64xf16>, memref<1x2x5x64xf16>, memref<1x2x5x64xf16>, memref<1x1x4x5xf32>) outs(%o : memref<1x2x4x64xf16>) {scale = 0.125 : f64}
  return
}

// -----

func.func @grad_types(%q: tensor<2x6x8xf32>, %k: tensor<2x7x8xf32>) {
  // expected-error @+1 {{gradients must be typed like query, key and value}}
  %dq, %dk, %dv = thunder.attention_grad %q, %k, %k grad %q {scale = 1.0 : f64} : tensor<2x6x8xf32>, tensor<2x7x8xf32>, tensor<2x7x8xf32>, tensor<2x6x8xf32> -> tensor<2x6x8xf32>, tensor<2x6x8xf32>, tensor<2x7x8xf32>
  return
}

// -----

func.func @grad_output(%q: tensor<2x6x8xf32>, %k: tensor<2x7x8xf32>, %g: tensor<2x7x8xf32>) {
  // expected-error @+1 {{grad_output must have the attention result's type}}
  %dq, %dk, %dv = thunder.attention_grad %q, %k, %k grad %g {scale = 1.0 : f64} : tensor<2x6x8xf32>, tensor<2x7x8xf32>, tensor<2x7x8xf32>, tensor<2x7x8xf32> -> tensor<2x6x8xf32>, tensor<2x7x8xf32>, tensor<2x7x8xf32>
  return
}

// -----

func.func @fused_rank(%q: tensor<4x6x8xf32>, %e: tensor<4x6x8xf32>) {
  // expected-error @+1 {{query, key and value must have rank 4 ([B, H, L, E])}}
  %o = thunder.fused_attention ins(%q, %q, %q : tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>) outs(%e : tensor<4x6x8xf32>) {scale = 1.0 : f64} -> tensor<4x6x8xf32>
  return
}

// -----

func.func @fused_heads(%q: tensor<1x4x6x8xf32>, %k: tensor<1x3x6x8xf32>, %e: tensor<1x4x6x8xf32>) {
  // expected-error @+1 {{the key/value heads (3) must divide the query heads (4)}}
  %o = thunder.fused_attention ins(%q, %k, %k : tensor<1x4x6x8xf32>, tensor<1x3x6x8xf32>, tensor<1x3x6x8xf32>) outs(%e : tensor<1x4x6x8xf32>) {scale = 1.0 : f64} -> tensor<1x4x6x8xf32>
  return
}

// -----

func.func @fused_mask(%q: tensor<1x4x6x8xf32>, %m: tensor<5x6xf32>, %e: tensor<1x4x6x8xf32>) {
  // expected-error @+1 {{mask does not broadcast to [B, H, L, S]}}
  %o = thunder.fused_attention ins(%q, %q, %q mask %m : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>, tensor<5x6xf32>) outs(%e : tensor<1x4x6x8xf32>) {scale = 1.0 : f64} -> tensor<1x4x6x8xf32>
  return
}

// -----

func.func @fused_output(%q: tensor<1x4x6x8xf32>, %e: tensor<1x4x6x4xf32>) {
  // expected-error @+1 {{output type 'tensor<1x4x6x4xf32>' does not match 'tensor<1x4x6x8xf32>'}}
  %o = thunder.fused_attention ins(%q, %q, %q : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%e : tensor<1x4x6x4xf32>) {scale = 1.0 : f64} -> tensor<1x4x6x4xf32>
  return
}

// -----

func.func @fused_mixed(%q: tensor<1x4x6x8xf32>, %o: memref<1x4x6x8xf32>) {
  // expected-error @+1 {{operands must be all tensors or all buffers}}
  thunder.fused_attention ins(%q, %q, %q : tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>) outs(%o : memref<1x4x6x8xf32>) {scale = 1.0 : f64}
  return
}
