// RUN: thunder-opt %s --split-input-file --thunder-cuda-fuse-attention="backward=true" | FileCheck %s
// RUN: thunder-opt %s --split-input-file --thunder-cuda-fuse-attention | FileCheck %s --check-prefix=DEFAULT
// The fused backward is opt-in (backward=true) until it has passed on a GPU.
// DEFAULT-NOT: thunder.fused_attention_grad

// Causal bf16 attention with GQA keys/values repeated the way Llama's
// repeat_kv does it (broadcast_in_dim + reshape): the fused op reads the
// 2 KV heads directly; the output is a tensor.empty.
// CHECK-LABEL: func.func @gqa
// CHECK-SAME: (%[[Q:.+]]: tensor<1x8x16x64xbf16>, %[[K:.+]]: tensor<1x2x16x64xbf16>, %[[V:.+]]: tensor<1x2x16x64xbf16>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x8x16x64xbf16>
// CHECK: %[[O:.+]] = thunder.fused_attention ins(%[[Q]], %[[K]], %[[V]] : tensor<1x8x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>) outs(%[[E]] : tensor<1x8x16x64xbf16>) {is_causal = true, scale = 1.250000e-01 : f64} -> tensor<1x8x16x64xbf16>
// CHECK: return %[[O]]
func.func @gqa(%q: tensor<1x8x16x64xbf16>, %k: tensor<1x2x16x64xbf16>, %v: tensor<1x2x16x64xbf16>) -> tensor<1x8x16x64xbf16> {
  %kb = thunder.broadcast_in_dim %k {dims = array<i64: 0, 1, 3, 4>} : tensor<1x2x16x64xbf16> -> tensor<1x2x4x16x64xbf16>
  %kr = thunder.reshape %kb : tensor<1x2x4x16x64xbf16> -> tensor<1x8x16x64xbf16>
  %vb = thunder.broadcast_in_dim %v {dims = array<i64: 0, 1, 3, 4>} : tensor<1x2x16x64xbf16> -> tensor<1x2x4x16x64xbf16>
  %vr = thunder.reshape %vb : tensor<1x2x4x16x64xbf16> -> tensor<1x8x16x64xbf16>
  %o = thunder.attention %q, %kr, %vr {scale = 0.125 : f64, is_causal = true} : tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<1x8x16x64xbf16> -> tensor<1x8x16x64xbf16>
  return %o : tensor<1x8x16x64xbf16>
}

// -----

// A float mask and a dynamic sequence length: the empty output takes L from
// the result.
// CHECK-LABEL: func.func @mask_dynamic
// CHECK: %[[L:.+]] = tensor.dim %{{.+}}, %{{.+}} : tensor<2x4x?x32xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[L]]) : tensor<2x4x?x32xf32>
// CHECK: thunder.fused_attention ins(%{{.+}}, %{{.+}}, %{{.+}} mask %{{.+}} : tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>, tensor<?x?xf32>) outs(%[[E]] : tensor<2x4x?x32xf32>)
func.func @mask_dynamic(%q: tensor<2x4x?x32xf32>, %m: tensor<?x?xf32>) -> tensor<2x4x?x32xf32> {
  %o = thunder.attention %q, %q, %q mask %m : tensor<?x?xf32> {scale = 0.17677669529663687 : f64} : tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32>, tensor<2x4x?x32xf32> -> tensor<2x4x?x32xf32>
  return %o : tensor<2x4x?x32xf32>
}

// -----

// The gradient: keys/values stay repeated (their gradients are per repeated head).
// CHECK-LABEL: func.func @grad
// CHECK: %[[G:.+]]:3 = thunder.fused_attention_grad ins(%{{.+}}, %{{.+}}, %{{.+}} mask %{{.+}} grad %{{.+}} : tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>, tensor<16x16xi1>, tensor<1x4x16x64xf16>) outs(%{{.+}}, %{{.+}}, %{{.+}} : tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>) {scale = 1.250000e-01 : f64}
// CHECK: return %[[G]]#0, %[[G]]#1, %[[G]]#2
func.func @grad(%q: tensor<1x4x16x64xf16>, %m: tensor<16x16xi1>) -> (tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>) {
  %dq, %dk, %dv = thunder.attention_grad %q, %q, %q mask %m : tensor<16x16xi1> grad %q {scale = 0.125 : f64} : tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16> -> tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>
  return %dq, %dk, %dv : tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>, tensor<1x4x16x64xf16>
}

// -----

// Not taken: f64, a head dim over 128, rank 3, a value head dim that differs.
// CHECK-LABEL: func.func @unsupported
// CHECK-NOT: thunder.fused_attention
// CHECK-COUNT-4: thunder.attention
func.func @unsupported(%a: tensor<1x2x8x16xf64>, %b: tensor<1x2x8x256xf32>, %c: tensor<2x8x16xf32>,
                       %d: tensor<1x2x8x16xf32>, %e: tensor<1x2x8x32xf32>)
    -> (tensor<1x2x8x16xf64>, tensor<1x2x8x256xf32>, tensor<2x8x16xf32>, tensor<1x2x8x32xf32>) {
  %0 = thunder.attention %a, %a, %a {scale = 0.25 : f64} : tensor<1x2x8x16xf64>, tensor<1x2x8x16xf64>, tensor<1x2x8x16xf64> -> tensor<1x2x8x16xf64>
  %1 = thunder.attention %b, %b, %b {scale = 0.25 : f64} : tensor<1x2x8x256xf32>, tensor<1x2x8x256xf32>, tensor<1x2x8x256xf32> -> tensor<1x2x8x256xf32>
  %2 = thunder.attention %c, %c, %c {scale = 0.25 : f64} : tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32> -> tensor<2x8x16xf32>
  %3 = thunder.attention %d, %d, %e {scale = 0.25 : f64} : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x32xf32> -> tensor<1x2x8x32xf32>
  return %0, %1, %2, %3 : tensor<1x2x8x16xf64>, tensor<1x2x8x256xf32>, tensor<2x8x16xf32>, tensor<1x2x8x32xf32>
}

// -----

// HF's repeat_kv (reshape to [B, Hkv, 1, S, E], broadcast over the group,
// reshape) and its mask [B, 1, L, S] expanded over the heads: the fused op
// reads the unrepeated keys/values and the unexpanded mask.
// CHECK-LABEL: func.func @hf_llama
// CHECK-SAME: (%[[Q:.+]]: tensor<2x8x16x64xbf16>, %[[K:.+]]: tensor<2x2x16x64xbf16>, %[[M:.+]]: tensor<2x1x16x16xi1>)
// CHECK: thunder.fused_attention ins(%[[Q]], %[[K]], %[[K]] mask %[[M]] : tensor<2x8x16x64xbf16>, tensor<2x2x16x64xbf16>, tensor<2x2x16x64xbf16>, tensor<2x1x16x16xi1>)
func.func @hf_llama(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x16x64xbf16>, %m: tensor<2x1x16x16xi1>) -> tensor<2x8x16x64xbf16> {
  %k5 = thunder.reshape %k : tensor<2x2x16x64xbf16> -> tensor<2x2x1x16x64xbf16>
  %kb = thunder.broadcast_in_dim %k5 {dims = array<i64: 0, 1, 2, 3, 4>} : tensor<2x2x1x16x64xbf16> -> tensor<2x2x4x16x64xbf16>
  %kr = thunder.reshape %kb : tensor<2x2x4x16x64xbf16> -> tensor<2x8x16x64xbf16>
  %mb = thunder.broadcast_in_dim %m {dims = array<i64: 0, 1, 2, 3>} : tensor<2x1x16x16xi1> -> tensor<2x8x16x16xi1>
  %o = thunder.attention %q, %kr, %kr mask %mb : tensor<2x8x16x16xi1> {scale = 0.125 : f64} : tensor<2x8x16x64xbf16>, tensor<2x8x16x64xbf16>, tensor<2x8x16x64xbf16> -> tensor<2x8x16x64xbf16>
  return %o : tensor<2x8x16x64xbf16>
}
