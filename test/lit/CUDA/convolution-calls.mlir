// RUN: thunder-opt %s --split-input-file --thunder-cuda-convolution-calls="min-macs=0" --canonicalize | FileCheck %s
// RUN: thunder-opt %s --split-input-file --thunder-cuda-convolution-calls="tf32=false min-macs=0" --canonicalize | FileCheck %s --check-prefix=STRICT

#in = affine_map<(n, o, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#in2 = affine_map<(n, o, h, w, c, kh, kw) -> (n, c, h * 2 + kh, w * 2 + kw)>
#wt = affine_map<(n, o, h, w, c, kh, kw) -> (o, c, kh, kw)>
#out = affine_map<(n, o, h, w, c, kh, kw) -> (n, o, h, w)>

// The lowering's padding (zero-filled buffer, input copied into its
// interior) becomes cuDNN's: the call reads the unpadded input (an argument:
// intact), and the padding, the zero fill of the result and the generic move
// into the fallback branch, in their order.
// CHECK-LABEL: func.func @conv2d_padded
// CHECK-SAME:    (%[[X:.*]]: memref<4x3x32x32xf32>, %[[W:.*]]: memref<16x3x3x3xf32>, %[[Y:.*]]: memref<4x16x32x32xf32>)
// CHECK:         %[[P:.*]] = memref.alloc() : memref<4x3x34x34xf32>
// CHECK:         %[[SUB:.*]] = memref.subview %[[P]][0, 0, 1, 1]
// CHECK-NOT:     linalg
// CHECK:         memref.extract_aligned_pointer_as_index %[[X]]
// CHECK:         %[[XP:.*]] = llvm.inttoptr
// CHECK:         memref.extract_aligned_pointer_as_index %[[W]]
// CHECK:         %[[WP:.*]] = llvm.inttoptr
// CHECK:         memref.extract_aligned_pointer_as_index %[[Y]]
// CHECK:         %[[YP:.*]] = llvm.inttoptr
//   f32 (TF32: 0), 2 spatial dims, n 4, c 3, k 16, groups 1; in 32x32, window
//   3x3, out 32x32, pad 1x1, stride 1x1, dilation 1x1 (third slots unused).
// CHECK:         %[[R:.*]] = call @thunder_cuda_conv(%c0_i32, %c2_i32, %c4_i64, %c3_i64, %c16_i64, %c1_i64, %c32_i64, %c32_i64, %c1_i64, %c3_i64, %c3_i64, %c1_i64, %c32_i64, %c32_i64, %c1_i64, %c1_i64, %c1_i64, %c0_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %[[XP]], %[[WP]], %[[YP]])
// CHECK:         %[[NOT:.*]] = arith.cmpi eq, %[[R]], %c0_i32
// CHECK:         scf.if %[[NOT]] {
// CHECK-NEXT:      linalg.map outs(%[[P]] : memref<4x3x34x34xf32>)
// CHECK:           memref.copy %[[X]], %[[SUB]]
// CHECK-NEXT:      linalg.fill ins(%{{.*}} : f32) outs(%[[Y]] : memref<4x16x32x32xf32>)
// CHECK-NEXT:      linalg.generic {{.*}} ins(%[[P]], %[[W]] : {{.*}}) outs(%[[Y]] : {{.*}})
// CHECK:             linalg.yield
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    memref.dealloc %[[P]]
// CHECK:       func.func private @thunder_cuda_conv(i32, i32, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
//   full float32: THUNDER_MM_F32_STRICT (4)
// STRICT-LABEL: func.func @conv2d_padded
// STRICT:         call @thunder_cuda_conv(%c4_i32, %c2_i32, %c4_i64,
func.func @conv2d_padded(%x: memref<4x3x32x32xf32>, %w: memref<16x3x3x3xf32>, %y: memref<4x16x32x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %p = memref.alloc() : memref<4x3x34x34xf32>
  linalg.map outs(%p : memref<4x3x34x34xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %sub = memref.subview %p[0, 0, 1, 1] [4, 3, 32, 32] [1, 1, 1, 1] : memref<4x3x34x34xf32> to memref<4x3x32x32xf32, strided<[3468, 1156, 34, 1], offset: 35>>
  memref.copy %x, %sub : memref<4x3x32x32xf32> to memref<4x3x32x32xf32, strided<[3468, 1156, 34, 1], offset: 35>>
  linalg.fill ins(%zero : f32) outs(%y : memref<4x16x32x32xf32>)
  linalg.generic {indexing_maps = [#in, #wt, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %w : memref<4x3x34x34xf32>, memref<16x3x3x3xf32>) outs(%y : memref<4x16x32x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  memref.dealloc %p : memref<4x3x34x34xf32>
  return
}

// -----

#in2 = affine_map<(n, o, h, w, c, kh, kw) -> (n, c, h * 2 + kh, w * 2 + kw)>
#wt = affine_map<(n, o, h, w, c, kh, kw) -> (o, c, kh, kw)>
#out = affine_map<(n, o, h, w, c, kh, kw) -> (n, o, h, w)>

// The unpadded input shares its bytes with the result (the memory plan gave
// them to it after the copy): cuDNN reads the padded buffer (padding 0) and
// the padding stays outside the branch. Stride 2; a dynamic batch.
// CHECK-LABEL: func.func @conv2d_reused_bytes
// CHECK-SAME:    (%[[N:.*]]: index,
// CHECK:         %[[ARENA:.*]] = memref.alloc() : memref<200000xi8>
// CHECK:         %[[S:.*]] = memref.view %[[ARENA]][%c0][%[[N]]]
// CHECK:         %[[P:.*]] = memref.view %[[ARENA]][%c100000][%[[N]]]
// CHECK:         linalg.map outs(%[[P]]
// CHECK:         memref.copy %[[S]]
// CHECK:         %[[Y:.*]] = memref.view %[[ARENA]][%c0][%[[N]]]
// CHECK:         %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
//   n dynamic, c 3, k 8; in 34x34 (padded), window 3x3, out 16x16, pad 0,
//   stride 2.
// CHECK:         %[[R:.*]] = call @thunder_cuda_conv(%c0_i32, %c2_i32, %[[NI]], %c3_i64, %c8_i64, %c1_i64, %c34_i64, %c34_i64, %c1_i64, %c3_i64, %c3_i64, %c1_i64, %c16_i64, %c16_i64, %c1_i64, %c0_i64, %c0_i64, %c0_i64, %c2_i64, %c2_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64,
// CHECK:         scf.if
// CHECK-NEXT:      linalg.fill {{.*}} outs(%[[Y]]
// CHECK-NEXT:      linalg.generic {{.*}} ins(%[[P]], %{{.*}} : {{.*}}) outs(%[[Y]]
func.func @conv2d_reused_bytes(%n: index, %w: memref<8x3x3x3xf32>) -> memref<?x8x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c100000 = arith.constant 100000 : index
  %arena = memref.alloc() : memref<200000xi8>
  %s = memref.view %arena[%c0][%n] : memref<200000xi8> to memref<?x3x32x32xf32>
  linalg.fill ins(%zero : f32) outs(%s : memref<?x3x32x32xf32>)
  %p = memref.view %arena[%c100000][%n] : memref<200000xi8> to memref<?x3x34x34xf32>
  linalg.map outs(%p : memref<?x3x34x34xf32>) (%init: f32) {
    linalg.yield %zero : f32
  }
  %sub = memref.subview %p[0, 0, 1, 1] [%n, 3, 32, 32] [1, 1, 1, 1] : memref<?x3x34x34xf32> to memref<?x3x32x32xf32, strided<[3468, 1156, 34, 1], offset: 35>>
  memref.copy %s, %sub : memref<?x3x32x32xf32> to memref<?x3x32x32xf32, strided<[3468, 1156, 34, 1], offset: 35>>
  %y = memref.view %arena[%c0][%n] : memref<200000xi8> to memref<?x8x16x16xf32>
  linalg.fill ins(%zero : f32) outs(%y : memref<?x8x16x16xf32>)
  linalg.generic {indexing_maps = [#in2, #wt, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %w : memref<?x3x34x34xf32>, memref<8x3x3x3xf32>) outs(%y : memref<?x8x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s2 = arith.addf %acc, %m : f32
    linalg.yield %s2 : f32
  }
  %r = memref.alloc(%n) : memref<?x8x16x16xf32>
  memref.copy %y, %r : memref<?x8x16x16xf32> to memref<?x8x16x16xf32>
  return %r : memref<?x8x16x16xf32>
}

// -----

#gin = affine_map<(n, g, o, h, w, c, kh, kw) -> (n, g, c, h + kh * 2, w + kw * 2)>
#gwt = affine_map<(n, g, o, h, w, c, kh, kw) -> (g, o, c, kh, kw)>
#gout = affine_map<(n, g, o, h, w, c, kh, kw) -> (n, g, o, h, w)>

// Depthwise (groups = channels = 8), dilation 2, no padding, bf16 storage
// accumulated into f32: the grouped views are contiguous NCHW / OIHW, cuDNN
// writes a bf16 temporary that the `then` branch widens into the result.
// CHECK-LABEL: func.func @depthwise_bf16
// CHECK:         %[[T:.*]] = memref.alloc() : memref<2x8x1x6x6xbf16>
//   bf16 (2), n 2, c 8, k 8, groups 8, in 10x10, window 3x3, out 6x6, no
//   padding, stride 1, dilation 2.
// CHECK:         %[[R:.*]] = call @thunder_cuda_conv(%c2_i32, %c2_i32, %c2_i64, %c8_i64, %c8_i64, %c8_i64, %c10_i64, %c10_i64, %c1_i64, %c3_i64, %c3_i64, %c1_i64, %c6_i64, %c6_i64, %c1_i64, %c0_i64, %c0_i64, %c0_i64, %c1_i64, %c1_i64, %c1_i64, %c2_i64, %c2_i64, %c1_i64,
// CHECK:         %[[DONE:.*]] = arith.cmpi ne, %[[R]], %c0_i32
// CHECK:         scf.if %[[DONE]] {
// CHECK-NEXT:      linalg.generic {{.*}} ins(%[[T]] : memref<2x8x1x6x6xbf16>) outs(%arg2 : memref<2x8x1x6x6xf32>)
// CHECK:             arith.extf
// CHECK:         } else {
// CHECK-NEXT:      linalg.fill
// CHECK-NEXT:      linalg.generic
// CHECK:         memref.dealloc %[[T]]
func.func @depthwise_bf16(%x: memref<2x8x1x10x10xbf16>, %w: memref<8x1x1x3x3xbf16>, %y: memref<2x8x1x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<2x8x1x6x6xf32>)
  linalg.generic {indexing_maps = [#gin, #gwt, #gout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<2x8x1x10x10xbf16>, memref<8x1x1x3x3xbf16>) outs(%y : memref<2x8x1x6x6xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %ae = arith.extf %a : bf16 to f32
    %be = arith.extf %b : bf16 to f32
    %m = arith.mulf %ae, %be : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#in1 = affine_map<(n, o, l, c, k) -> (n, c, l + k)>
#wt1 = affine_map<(n, o, l, c, k) -> (o, c, k)>
#out1 = affine_map<(n, o, l, c, k) -> (n, o, l)>

// 1-D, the result initialised by a copy of a zero-filled buffer that another
// op reads too: the initialisation stays before the call (cuDNN overwrites),
// only the generic is the fallback. A strided weight view is copied first.
// CHECK-LABEL: func.func @conv1d_shared_zeros
// CHECK:         linalg.fill
// CHECK:         memref.copy %{{.*}}, %arg2 :
// CHECK:         memref.copy %arg2, %arg3 :
// CHECK:         %[[WC:.*]] = memref.alloc() : memref<5x4x3xf32>
// CHECK:         linalg.copy ins(%{{.*}} : memref<5x4x3xf32, strided<[24, 3, 1]>>) outs(%[[WC]] : memref<5x4x3xf32>)
//   f32, 1 spatial dim: n 2, c 4, k 5, groups 1, in 9, window 3, out 7.
// CHECK:         call @thunder_cuda_conv(%c0_i32, %c1_i32, %c2_i64, %c4_i64, %c5_i64, %c1_i64, %c9_i64, %c1_i64, %c1_i64, %c3_i64, %c1_i64, %c1_i64, %c7_i64, %c1_i64, %c1_i64, %c0_i64,
// CHECK:         scf.if
// CHECK-NEXT:      linalg.generic
// CHECK:         memref.dealloc %[[WC]]
func.func @conv1d_shared_zeros(%x: memref<2x4x9xf32>, %wbig: memref<5x8x3xf32>, %y: memref<2x5x7xf32>, %other: memref<2x5x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %z = memref.alloc() : memref<2x5x7xf32>
  linalg.fill ins(%zero : f32) outs(%z : memref<2x5x7xf32>)
  memref.copy %z, %y : memref<2x5x7xf32> to memref<2x5x7xf32>
  memref.copy %y, %other : memref<2x5x7xf32> to memref<2x5x7xf32>
  %w = memref.subview %wbig[0, 0, 0] [5, 4, 3] [1, 1, 1] : memref<5x8x3xf32> to memref<5x4x3xf32, strided<[24, 3, 1]>>
  linalg.generic {indexing_maps = [#in1, #wt1, #out1], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<2x4x9xf32>, memref<5x4x3xf32, strided<[24, 3, 1]>>) outs(%y : memref<2x5x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  memref.dealloc %z : memref<2x5x7xf32>
  return
}

// -----

#in = affine_map<(n, o, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#wt = affine_map<(n, o, h, w, c, kh, kw) -> (o, c, kh, kw)>
#out = affine_map<(n, o, h, w, c, kh, kw) -> (n, o, h, w)>
#in_bad = affine_map<(n, o, h, w, c, kh, kw) -> (n, c, h + kh, w)>

// Left alone: a result that accumulates (no zero before it), integers, and a
// window that is not a convolution's.
// CHECK-LABEL: func.func @not_calls
// CHECK-NOT:     call @thunder_cuda_conv
// CHECK:         return
func.func @not_calls(%x: memref<1x2x6x6xf32>, %w: memref<3x2x3x3xf32>, %y: memref<1x3x4x4xf32>,
                     %xi: memref<1x2x6x6xi32>, %wi: memref<3x2x3x3xi32>, %yi: memref<1x3x4x4xi32>,
                     %x2: memref<1x2x6x4xf32>) {
  %zero = arith.constant 0 : i32
  linalg.generic {indexing_maps = [#in, #wt, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x2x6x6xf32>, memref<3x2x3x3xf32>) outs(%y : memref<1x3x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : i32) outs(%yi : memref<1x3x4x4xi32>)
  linalg.generic {indexing_maps = [#in, #wt, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%xi, %wi : memref<1x2x6x6xi32>, memref<3x2x3x3xi32>) outs(%yi : memref<1x3x4x4xi32>) {
  ^bb0(%a: i32, %b: i32, %acc: i32):
    %m = arith.muli %a, %b : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  }
  %fzero = arith.constant 0.0 : f32
  linalg.fill ins(%fzero : f32) outs(%y : memref<1x3x4x4xf32>)
  linalg.generic {indexing_maps = [#in_bad, #wt, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x2, %w : memref<1x2x6x4xf32>, memref<3x2x3x3xf32>) outs(%y : memref<1x3x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
