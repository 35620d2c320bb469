// RUN: thunder-opt %s --split-input-file --thunder-cuda-library-calls --canonicalize | FileCheck %s

// A Linear layer: x @ w^T with w read through a transposed map (what
// thunder-cuda-fold-matmul-operands makes of linalg.transpose). The zero fill
// of the result disappears (beta = 0); w's unit stride is along k: transB = 1.
// CHECK-LABEL: func.func @linear
// CHECK-DAG:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:   %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NOT:   linalg.fill
// CHECK:       memref.extract_aligned_pointer_as_index %arg0
// CHECK:       %[[X:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:       memref.extract_aligned_pointer_as_index %arg1
// CHECK:       %[[W:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
// CHECK:       memref.extract_aligned_pointer_as_index %arg2
// CHECK:       %[[Y:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr
//   dtype f32 (TF32), batch 1, m 8, n 128, k 64; x: lda 64, not transposed;
//   w: ldb 64, transposed; y: ldc 128; no bias; alpha 1, beta 0.
// CHECK:       call @thunder_cuda_matmul(%c0_i32, %c1_i64, %c8_i64, %c128_i64, %c64_i64, %[[X]], %c64_i64, %c0_i64, %c0_i32, %[[W]], %c64_i64, %c0_i64, %c1_i32, %[[Y]], %c128_i64, %c0_i64, %[[NULL]], %[[ONE]], %[[ZERO]])
// CHECK-NOT:   linalg.generic
// CHECK:       func.func private @thunder_cuda_matmul(i32, i64, i64, i64, i64, !llvm.ptr, i64, i64, i32, !llvm.ptr, i64, i64, i32, !llvm.ptr, i64, i64, !llvm.ptr, f32, f32)
#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @linear(%x: memref<8x64xf32>, %w: memref<128x64xf32>, %y: memref<8x128xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<8x128xf32>)
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<8x64xf32>, memref<128x64xf32>) outs(%y : memref<8x128xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Batched, dynamic batch, f16 storage: the batch strides come from the
// memrefs' layouts; the result accumulates (no fill before it: beta = 1).
// CHECK-LABEL: func.func @bmm_f16
// CHECK-DAG:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:       %[[B:.*]] = memref.dim %arg0, %c0 : memref<?x16x32xf16>
// CHECK:       %[[BATCH:.*]] = arith.index_cast %[[B]] : index to i64
// CHECK:       call @thunder_cuda_matmul(%c1_i32, %[[BATCH]], %c16_i64, %c8_i64, %c32_i64, %{{.*}}, %c32_i64, %c512_i64, %c0_i32, %{{.*}}, %c8_i64, %c256_i64, %c0_i32, %{{.*}}, %c8_i64, %c128_i64, %{{.*}}, %[[ONE]], %[[ONE]])
func.func @bmm_f16(%a: memref<?x16x32xf16>, %b: memref<?x32x8xf16>, %c: memref<?x16x8xf16>) {
  linalg.batch_matmul ins(%a, %b : memref<?x16x32xf16>, memref<?x32x8xf16>)
                      outs(%c : memref<?x16x8xf16>)
  return
}

// -----

// bf16 operands, f32 result (what the lowering emits to accumulate in f32):
// cuBLASLt stores its f32 accumulator into the result (THUNDER_MM_BF16_F32OUT
// = 6), no temporary, no widening kernel.
// CHECK-LABEL: func.func @matmul_bf16_f32
// CHECK-NOT:   memref.alloc
// CHECK:       call @thunder_cuda_matmul(%c6_i32, %c1_i64, %c4_i64, %c32_i64, %c16_i64, %{{.*}}, %c16_i64, %c0_i64, %c0_i32, %{{.*}}, %c32_i64, %c0_i64, %c0_i32, %{{.*}}, %c32_i64, %c0_i64,
// CHECK-NOT:   linalg.generic
func.func @matmul_bf16_f32(%a: memref<4x16xbf16>, %b: memref<16x32xbf16>, %c: memref<4x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<4x32xf32>)
  linalg.matmul ins(%a, %b : memref<4x16xbf16>, memref<16x32xbf16>) outs(%c : memref<4x32xf32>)
  return
}

// -----

// A transposed view (unit stride on the rows of A): transA = 1, lda = 8.
// CHECK-LABEL: func.func @transposed_view
// CHECK:       call @thunder_cuda_matmul(%c0_i32, %c1_i64, %c8_i64, %c4_i64, %c16_i64, %{{.*}}, %c8_i64, %c0_i64, %c1_i32, %{{.*}}, %c4_i64, %c0_i64, %c0_i32,
func.func @transposed_view(%at: memref<16x8xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {
  %a = memref.transpose %at (i, j) -> (j, i) : memref<16x8xf32> to memref<8x16xf32, strided<[1, 8]>>
  linalg.matmul ins(%a, %b : memref<8x16xf32, strided<[1, 8]>>, memref<16x4xf32>)
                outs(%c : memref<8x4xf32>)
  return
}

// -----

// A Linear layer on a 3-D input whose weight was broadcast over the batch
// (thunder-cuda-fold-matmul-operands reads it through the broadcast map): the
// batch and row loops of x and y collapse into m = 2 * 16 (one GEMM).
// CHECK-LABEL: func.func @broadcast_weight
// CHECK:       call @thunder_cuda_matmul(%c0_i32, %c1_i64, %c32_i64, %c32_i64, %c64_i64, %{{.*}}, %c64_i64, %c0_i64, %c0_i32, %{{.*}}, %c64_i64, %c0_i64, %c1_i32, %{{.*}}, %c32_i64, %c0_i64,
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#w = affine_map<(b, m, n, k) -> (n, k)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @broadcast_weight(%x: memref<2x16x64xf32>, %w: memref<32x64xf32>, %y: memref<2x16x32xf32>) {
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<2x16x64xf32>, memref<32x64xf32>) outs(%y : memref<2x16x32xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Attention's q @ k^T on the heads split out of one [batch, seq, heads * dim]
// projection: the (batch, head) loops do not collapse over q's strides, so q
// and k are first copied in GEMM order ([batch, head, seq, dim], the head
// dimension innermost as in the source); then one batched GEMM of 2 * 4
// matrices, k transposed.
// CHECK-LABEL: func.func @attention_scores
// CHECK:       %[[Q:.*]] = memref.alloc() : memref<2x4x32x32xf32>
// CHECK:       linalg.generic {{.*}} ins(%arg0 : memref<2x32x4x32xf32, strided<[12288, 384, 32, 1]>>) outs(%[[Q]] : memref<2x4x32x32xf32>)
// CHECK:       %[[K:.*]] = memref.alloc() : memref<2x4x32x32xf32>
// CHECK:       linalg.generic {{.*}} outs(%[[K]] : memref<2x4x32x32xf32>)
// CHECK:       call @thunder_cuda_matmul(%c0_i32, %c8_i64, %c32_i64, %c32_i64, %c32_i64, %{{.*}}, %c32_i64, %c1024_i64, %c0_i32, %{{.*}}, %c32_i64, %c1024_i64, %c1_i32, %{{.*}}, %c32_i64, %c1024_i64,
// CHECK:       memref.dealloc %[[Q]]
// CHECK:       memref.dealloc %[[K]]
#q = affine_map<(b, h, l, s, e) -> (b, l, h, e)>
#k = affine_map<(b, h, l, s, e) -> (b, s, h, e)>
#o = affine_map<(b, h, l, s, e) -> (b, h, l, s)>
func.func @attention_scores(%q: memref<2x32x4x32xf32, strided<[12288, 384, 32, 1]>>,
                            %k: memref<2x32x4x32xf32, strided<[12288, 384, 32, 1], offset: 128>>,
                            %s: memref<2x4x32x32xf32>) {
  linalg.generic {indexing_maps = [#q, #k, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<2x32x4x32xf32, strided<[12288, 384, 32, 1]>>, memref<2x32x4x32xf32, strided<[12288, 384, 32, 1], offset: 128>>)
      outs(%s : memref<2x4x32x32xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %m = arith.mulf %a, %c : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Integer products stay for the generated kernels.
// CHECK-LABEL: func.func @int_matmul
// CHECK:       linalg.matmul
// CHECK-NOT:   thunder_cuda_matmul
func.func @int_matmul(%a: memref<4x4xi32>, %b: memref<4x4xi32>, %c: memref<4x4xi32>) {
  linalg.matmul ins(%a, %b : memref<4x4xi32>, memref<4x4xi32>) outs(%c : memref<4x4xi32>)
  return
}
