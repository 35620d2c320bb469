// RUN: thunder-opt %s --split-input-file --thunder-cuda-attention-calls --canonicalize | FileCheck %s

// GQA bf16, causal, no mask: sizes B 2, H 8, Hkv 2, L 16, S 16, E 64, q read
// through a permuted view ([B, L, H, E] storage: strides 8192, 64, 512),
// the others contiguous; lse not asked for (null), mask kind 0.
// CHECK:       func.func private @thunder_cuda_attention_fwd(i32, i64, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i32, !llvm.ptr, i64, i64, i64, i64, f32, i32)
// CHECK-LABEL: func.func @gqa_strided
// CHECK-DAG: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG: %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
// CHECK: memref.extract_aligned_pointer_as_index %transpose
// CHECK: %[[Q:.+]] = llvm.inttoptr %{{.+}} : i64 to !llvm.ptr
// CHECK: %[[K:.+]] = llvm.inttoptr
// CHECK: %[[V:.+]] = llvm.inttoptr
// CHECK: %[[O:.+]] = llvm.inttoptr
// CHECK: call @thunder_cuda_attention_fwd(%c2_i32, %c2_i64, %c8_i64, %c2_i64, %c16_i64, %c16_i64, %c64_i64, %[[Q]], %c8192_i64, %c64_i64, %c512_i64, %[[K]], %c2048_i64, %c1024_i64, %c64_i64, %[[V]], %c2048_i64, %c1024_i64, %c64_i64, %[[O]], %c8192_i64, %c1024_i64, %c64_i64, %[[NULL]], %c0_i32, %[[NULL]], %c0_i64, %c0_i64, %c0_i64, %c0_i64, %[[SCALE]], %c1_i32)
// CHECK-NOT: thunder.fused_attention
func.func @gqa_strided(%qs: memref<2x16x8x64xbf16>, %k: memref<2x2x16x64xbf16>, %v: memref<2x2x16x64xbf16>, %o: memref<2x8x16x64xbf16>) {
  %q = memref.transpose %qs (b, l, h, e) -> (b, h, l, e) : memref<2x16x8x64xbf16> to memref<2x8x16x64xbf16, strided<[8192, 64, 512, 1]>>
  thunder.fused_attention ins(%q, %k, %v : memref<2x8x16x64xbf16, strided<[8192, 64, 512, 1]>>, memref<2x2x16x64xbf16>, memref<2x2x16x64xbf16>) outs(%o : memref<2x8x16x64xbf16>) {scale = 0.125 : f64, is_causal = true}
  return
}

// -----

// A boolean mask [1, S] (a row of a [1, 4, 5] buffer) broadcast over B, H
// and L: strides 0, 0, 0 (extent 1), 1; kind 4; f32 (dtype 0).
// CHECK-LABEL: func.func @bool_mask
// CHECK: memref.extract_aligned_pointer_as_index %subview
// CHECK-NEXT: arith.index_cast
// CHECK-NEXT: %[[M:.+]] = llvm.inttoptr
// CHECK: call @thunder_cuda_attention_fwd(%c0_i32, {{.*}}, %c4_i32, %[[M]], %c0_i64, %c0_i64, %c0_i64, %c1_i64, %{{.+}}, %c0_i32)
func.func @bool_mask(%q: memref<1x2x4x32xf32>, %m: memref<1x4x5xi1>, %k: memref<1x2x5x32xf32>, %o: memref<1x2x4x32xf32>) {
  %m1 = memref.subview %m[0, 0, 0] [1, 1, 5] [1, 1, 1] : memref<1x4x5xi1> to memref<1x5xi1, strided<[5, 1]>>
  thunder.fused_attention ins(%q, %k, %k mask %m1 : memref<1x2x4x32xf32>, memref<1x2x5x32xf32>, memref<1x2x5x32xf32>, memref<1x5xi1, strided<[5, 1]>>) outs(%o : memref<1x2x4x32xf32>) {scale = 0.5 : f64}
  return
}

// -----

// The gradient: q, k, v, dO, then dq, dk, dv, each with three strides; a
// float16 additive mask [B, 1, L, S]. An output whose last dim is not
// contiguous is computed into a temporary and copied back.
// CHECK:       func.func private @thunder_cuda_attention_bwd(i32, i64, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, !llvm.ptr, i64, i64, i64, i32, !llvm.ptr, i64, i64, i64, i64, f32, i32)
// CHECK-LABEL: func.func @grad
// CHECK: %[[TMP:.+]] = memref.alloc() : memref<1x2x4x64xf16>
// CHECK: call @thunder_cuda_attention_bwd(%c1_i32, %c1_i64, %c2_i64, %c2_i64, %c4_i64, %c4_i64, %c64_i64, {{.*}}, %c2_i32, %{{.+}}, %c0_i64, %c0_i64, %c4_i64, %c1_i64, %{{.+}}, %c0_i32)
// CHECK: memref.copy %[[TMP]], %{{.+}} : memref<1x2x4x64xf16> to memref<1x2x4x64xf16, strided<[1024, 512, 128, 2]>>
// CHECK: memref.dealloc %[[TMP]]
func.func @grad(%x: memref<1x2x4x64xf16>, %m: memref<1x1x4x4xf16>, %dq: memref<1x2x4x64xf16>, %big: memref<1x2x4x128xf16>) {
  %dk = memref.subview %big[0, 0, 0, 0] [1, 2, 4, 64] [1, 1, 1, 2] : memref<1x2x4x128xf16> to memref<1x2x4x64xf16, strided<[1024, 512, 128, 2]>>
  thunder.fused_attention_grad ins(%x, %x, %x mask %m grad %x : memref<1x2x4x64xf16>, memref<1x2x4x64xf16>, memref<1x2x4x64xf16>, memref<1x1x4x4xf16>, memref<1x2x4x64xf16>) outs(%dq, %dk, %dq : memref<1x2x4x64xf16>, memref<1x2x4x64xf16, strided<[1024, 512, 128, 2]>>, memref<1x2x4x64xf16>) {scale = 0.125 : f64}
  return
}
