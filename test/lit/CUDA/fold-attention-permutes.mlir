// RUN: thunder-opt %s --split-input-file --thunder-cuda-fold-attention-permutes | FileCheck %s

// Heads split by permutes of a [B, L, H, E] buffer (copies into fresh buffers
// read only by the attention op): the op reads permuted views instead; the
// output, read only by the permute that merges the heads back, is written
// into a permuted view of that permute's destination.
// CHECK-LABEL: func.func @split_and_merge
// CHECK-NOT: linalg.transpose
// CHECK-DAG: %[[Q:.+]] = memref.transpose %arg0 (d0, d1, d2, d3) -> (d0, d2, d1, d3)
// CHECK-DAG: %[[K:.+]] = memref.transpose %arg1 (d0, d1, d2, d3) -> (d0, d2, d1, d3)
// CHECK-DAG: %[[O:.+]] = memref.transpose %arg3 (d0, d1, d2, d3) -> (d0, d2, d1, d3)
// CHECK: thunder.fused_attention ins(%[[Q]], %[[K]], %arg2 : {{.*}}) outs(%[[O]] : memref<2x8x16x64xbf16, strided<[8192, 64, 512, 1]>>)
// CHECK-NOT: linalg.transpose
func.func @split_and_merge(%qs: memref<2x16x8x64xbf16>, %ks: memref<2x16x8x64xbf16>, %v: memref<2x8x16x64xbf16>, %out: memref<2x16x8x64xbf16>) {
  %q = memref.alloc() : memref<2x8x16x64xbf16>
  linalg.transpose ins(%qs : memref<2x16x8x64xbf16>) outs(%q : memref<2x8x16x64xbf16>) permutation = [0, 2, 1, 3]
  %k = memref.alloc() : memref<2x8x16x64xbf16>
  linalg.transpose ins(%ks : memref<2x16x8x64xbf16>) outs(%k : memref<2x8x16x64xbf16>) permutation = [0, 2, 1, 3]
  %o = memref.alloc() : memref<2x8x16x64xbf16>
  thunder.fused_attention ins(%q, %k, %v : memref<2x8x16x64xbf16>, memref<2x8x16x64xbf16>, memref<2x8x16x64xbf16>) outs(%o : memref<2x8x16x64xbf16>) {scale = 0.125 : f64, is_causal = true}
  linalg.transpose ins(%o : memref<2x8x16x64xbf16>) outs(%out : memref<2x16x8x64xbf16>) permutation = [0, 2, 1, 3]
  return
}

// -----

// The copy's source is written between the copy and the attention op, the
// other copy is read by someone else (returned), and the output's destination
// is the buffer the op reads v from (through a view): every copy stays.
// CHECK-LABEL: func.func @hazards
// CHECK-COUNT-2: linalg.transpose ins(%arg
// CHECK: thunder.fused_attention ins(%alloc, %alloc_0, %transpose
// CHECK: linalg.transpose ins(%alloc_1
func.func @hazards(%qs: memref<2x16x8x64xbf16>, %ks: memref<2x16x8x64xbf16>, %vs: memref<2x16x8x64xbf16>, %x: bf16) -> memref<2x8x16x64xbf16> {
  %q = memref.alloc() : memref<2x8x16x64xbf16>
  linalg.transpose ins(%qs : memref<2x16x8x64xbf16>) outs(%q : memref<2x8x16x64xbf16>) permutation = [0, 2, 1, 3]
  linalg.fill ins(%x : bf16) outs(%qs : memref<2x16x8x64xbf16>)
  %k = memref.alloc() : memref<2x8x16x64xbf16>
  linalg.transpose ins(%ks : memref<2x16x8x64xbf16>) outs(%k : memref<2x8x16x64xbf16>) permutation = [0, 2, 1, 3]
  %v = memref.transpose %vs (b, l, h, e) -> (b, h, l, e) : memref<2x16x8x64xbf16> to memref<2x8x16x64xbf16, strided<[8192, 64, 512, 1]>>
  %o = memref.alloc() : memref<2x8x16x64xbf16>
  thunder.fused_attention ins(%q, %k, %v : memref<2x8x16x64xbf16>, memref<2x8x16x64xbf16>, memref<2x8x16x64xbf16, strided<[8192, 64, 512, 1]>>) outs(%o : memref<2x8x16x64xbf16>) {scale = 0.125 : f64}
  linalg.transpose ins(%o : memref<2x8x16x64xbf16>) outs(%vs : memref<2x16x8x64xbf16>) permutation = [0, 2, 1, 3]
  return %k : memref<2x8x16x64xbf16>
}
