// RUN: thunder-opt %s --split-input-file --thunder-cuda-map-to-gpu=vector-bytes=16 --canonicalize | FileCheck %s

// bf16 rows: eight points a thread (16 bytes) when every vector operand is
// aligned at run time, the scalar kernel otherwise. The bias (map (d1)) is
// read as a vector too; the per-row scale (map (d0)) once per thread.
// CHECK-LABEL: func.func @bias_scale
// CHECK-DAG:   %[[C15:.*]] = arith.constant 15 : index
// CHECK:       %[[PX:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK:       arith.andi %[[PX]], %[[C15]]
// CHECK:       memref.extract_aligned_pointer_as_index %arg1
// CHECK-NOT:   memref.extract_aligned_pointer_as_index %arg2
// CHECK:       memref.extract_aligned_pointer_as_index %arg3
// CHECK:       scf.if %{{.*}} {
// CHECK:         gpu.launch blocks({{.*}}) in (%{{.*}} = %c24, {{.*}} function(@bias_scale_0_elementwise_v8)
// CHECK:           %[[IDX:.*]]:2 = affine.delinearize_index %{{.*}} into (64, 96)
// CHECK:           %[[COL:.*]] = arith.muli %[[IDX]]#1, %c8
// CHECK:           vector.load %arg0[%[[IDX]]#0, %[[COL]]] {alignment = 16 : i64} : memref<64x768xbf16>, vector<8xbf16>
// CHECK:           vector.load %arg1[%[[COL]]] {alignment = 16 : i64} : memref<768xbf16>, vector<8xbf16>
// CHECK-COUNT-1:   memref.load %arg2[%[[IDX]]#0] : memref<64xf32>
// CHECK-NOT:       memref.load
// CHECK-COUNT-8:   arith.truncf
// CHECK:           %[[V:.*]] = vector.from_elements
// CHECK:           vector.store %[[V]], %arg3[%[[IDX]]#0, %[[COL]]] {alignment = 16 : i64}
// CHECK:       } else {
// CHECK:         gpu.launch {{.*}} function(@bias_scale_1_elementwise)
// CHECK:           memref.load %arg0
// CHECK:           memref.store
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#col = affine_map<(d0, d1) -> (d0)>
func.func @bias_scale(%x: memref<64x768xbf16>, %b: memref<768xbf16>, %s: memref<64xf32>, %y: memref<64x768xbf16>) {
  linalg.generic {indexing_maps = [#id, #row, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b, %s : memref<64x768xbf16>, memref<768xbf16>, memref<64xf32>) outs(%y : memref<64x768xbf16>) {
  ^bb0(%a: bf16, %c: bf16, %t: f32, %o: bf16):
    %s1 = arith.addf %a, %c : bf16
    %e = arith.extf %s1 : bf16 to f32
    %m = arith.mulf %e, %t : f32
    %r = arith.truncf %m : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// -----

// f32 and bf16 operands: the f32 ones fill 16 bytes with four points, the
// bf16 ones move 8. A transposed input is read point by point.
// CHECK-LABEL: func.func @mixed_transposed
// CHECK:       function(@mixed_transposed_0_elementwise_v4)
// CHECK:         vector.load %arg0{{.*}} {alignment = 16 : i64} : memref<32x64xf32>, vector<4xf32>
// CHECK-COUNT-4: memref.load %arg1
// CHECK:         vector.store {{.*}} {alignment = 8 : i64} : memref<32x64xbf16>, vector<4xbf16>
// CHECK:       function(@mixed_transposed_1_elementwise)
#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>
func.func @mixed_transposed(%x: memref<32x64xf32>, %u: memref<64x32xf32>, %y: memref<32x64xbf16>) {
  linalg.generic {indexing_maps = [#id, #t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %u : memref<32x64xf32>, memref<64x32xf32>) outs(%y : memref<32x64xbf16>) {
  ^bb0(%a: f32, %c: f32, %o: bf16):
    %s = arith.addf %a, %c : f32
    %r = arith.truncf %s : f32 to bf16
    linalg.yield %r : bf16
  }
  return
}

// -----

// linalg.index sees each point's own index.
// CHECK-LABEL: func.func @iota
// CHECK:       function(@iota_0_elementwise_v4)
// CHECK:         %[[COL:.*]] = arith.muli %{{.*}}, %c4
// CHECK:         %[[C1:.*]] = arith.addi %[[COL]], %c1
// CHECK:         arith.index_cast %[[COL]]
// CHECK:         arith.index_cast %[[C1]]
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @iota(%y: memref<4x16xi32>) {
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%y : memref<4x16xi32>) {
  ^bb0(%o: i32):
    %i = linalg.index 1 : index
    %v = arith.index_cast %i : index to i32
    linalg.yield %v : i32
  }
  return
}

// -----

// No vector kernel: an innermost size that 2 does not divide, a dynamic
// innermost size, an output written across its innermost dim, i1 elements.
// CHECK-LABEL: func.func @scalar_only
// CHECK-NOT:   elementwise_v
// CHECK-NOT:   vector.
// CHECK:       return
#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>
func.func @scalar_only(%a: memref<8x7xf32>, %b: memref<8x7xf32>, %c: memref<4x?xf32>, %d: memref<4x?xf32>,
                       %e: memref<16x16xf32>, %f: memref<16x16xf32>, %g: memref<4x16xi1>, %h: memref<4x16xi1>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<8x7xf32>) outs(%b : memref<8x7xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x?xf32>) outs(%d : memref<4x?xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#id, #t], iterator_types = ["parallel", "parallel"]}
      ins(%e : memref<16x16xf32>) outs(%f : memref<16x16xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g : memref<4x16xi1>) outs(%h : memref<4x16xi1>) {
  ^bb0(%x: i1, %o: i1):
    linalg.yield %x : i1
  }
  return
}
