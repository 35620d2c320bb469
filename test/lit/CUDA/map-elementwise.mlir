// RUN: thunder-opt %s --split-input-file --thunder-cuda-map-to-gpu | FileCheck %s

// One thread per element, 256 per block, the innermost loop fastest: 8x128
// elements are 4 blocks and need no bounds check.
// CHECK-LABEL: func.func @bias_tanh
// CHECK:       gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c4, %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256{{.*}}, %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK-SAME:  module(@thunder_kernels) function(@bias_tanh_0_elementwise)
// CHECK:         %[[B:.*]] = arith.muli %[[BX]], %c256
// CHECK:         %[[LIN:.*]] = arith.addi %[[B]], %[[TX]]
// CHECK-NOT:     scf.if
// CHECK:         %[[IDX:.*]]:2 = affine.delinearize_index %[[LIN]] into (8, 128)
// CHECK:         memref.load %{{.*}}[%[[IDX]]#0, %[[IDX]]#1] : memref<8x128xf32>
// CHECK:         memref.load %{{.*}}[%[[IDX]]#1] : memref<128xf32>
// CHECK:         arith.addf
// CHECK:         math.tanh
// CHECK:         memref.store %{{.*}}, %{{.*}}[%[[IDX]]#0, %[[IDX]]#1] : memref<8x128xf32>
// CHECK:         gpu.terminator
// CHECK-NOT:   linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @bias_tanh(%x: memref<8x128xf32>, %b: memref<128xf32>, %y: memref<8x128xf32>) {
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : memref<8x128xf32>, memref<128xf32>) outs(%y : memref<8x128xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  }
  return
}

// -----

// A dynamic batch: the grid is computed on the host, threads past the end
// do nothing.
// CHECK-LABEL: func.func @relu_dynamic
// CHECK:       %[[N:.*]] = memref.dim %{{.*}}, %c0
// CHECK:       %[[TOTAL:.*]] = arith.muli %[[N]], %c64
// CHECK:       gpu.launch
// CHECK:         %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[TOTAL]]
// CHECK:         scf.if %[[IN]]
// CHECK:           affine.delinearize_index %{{.*}} into (%[[N]], 64)
// CHECK:           arith.maximumf
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @relu_dynamic(%x: memref<?x64xf32>, %y: memref<?x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<?x64xf32>) outs(%y : memref<?x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A constant read by a kernel is cloned into it (outlining then copies its
// memref.global into the gpu.module: a device global of the cubin).
// CHECK-LABEL: func.func @scale_by_constant
// CHECK:       gpu.launch
// CHECK:         %[[G:.*]] = memref.get_global @scale : memref<4xf32>
// CHECK:         memref.load %[[G]]
memref.global "private" constant @scale : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
#id = affine_map<(d0) -> (d0)>
func.func @scale_by_constant(%x: memref<4xf32>, %y: memref<4xf32>) {
  %s = memref.get_global @scale : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %s : memref<4xf32>, memref<4xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Host code touching device memory that is not a loop of independent writes
// (here each iteration reads the previous one's store) runs as a
// single-thread kernel; scatter loops are map-scatter.mlir's.
// CHECK-LABEL: func.func @host_store
// CHECK:       gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}}) module(@thunder_kernels) function(@host_store_0_serial)
// CHECK:         scf.for
// CHECK:           memref.load
// CHECK:           memref.store
func.func @host_store(%x: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c15 = arith.constant 15 : index
  scf.for %i = %c0 to %c15 step %c1 {
    %v = memref.load %x[%i] : memref<16xf32>
    %n = arith.addi %i, %c1 : index
    memref.store %v, %x[%n] : memref<16xf32>
  }
  return
}
