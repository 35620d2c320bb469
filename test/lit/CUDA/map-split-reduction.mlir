// RUN: thunder-opt %s --split-input-file --thunder-cuda-map-to-gpu | FileCheck %s
// RUN: thunder-opt %s --split-input-file --thunder-cuda-map-to-gpu="split-reductions=false" | FileCheck %s --check-prefix=SERIAL

// A Linear layer's bias gradient (8192 tokens into 768 columns): the
// innermost loop is parallel, so threads go over the columns (consecutive
// threads, consecutive columns) and blockIdx.y over 256 chunks of 32 tokens
// (about 2^18 threads); each thread sums its chunk from zero and adds it to
// the column with one atomic. The zero fill stays a
// kernel: the atomics add into the initial value in memory.
// CHECK-LABEL: func.func @bias_grad
// CHECK:       gpu.launch {{.*}} function(@bias_grad_0_elementwise)
// CHECK:       gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c3{{(_[0-9]+)?}}, %{{.*}} = %c256{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
// CHECK-SAME:  function(@bias_grad_1_reduce_split)
// CHECK:         %[[COL:.*]] = arith.addi %{{.*}}, %[[TX]]
// CHECK-NOT:     scf.if
// CHECK:         %[[CHUNK:.*]] = gpu.block_id  y
// CHECK:         %[[BEGIN:.*]] = arith.muli %[[CHUNK]], %c32
// CHECK:         %[[END:.*]] = arith.addi %[[BEGIN]], %c32
// CHECK-NOT:     arith.minui
// CHECK:         %[[NEUTRAL:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[SUM:.*]] = scf.for %[[T:.*]] = %[[BEGIN]] to %[[END]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[NEUTRAL]]) -> (f32)
// CHECK:           %[[X:.*]] = memref.load %{{.*}}[%[[T]], %[[COL]]] : memref<8192x768xf32>
// CHECK:           %[[NEXT:.*]] = arith.addf %[[ACC]], %[[X]] : f32
// CHECK:           scf.yield %[[NEXT]]
// CHECK-NOT:     memref.load
// CHECK:         memref.atomic_rmw addf %[[SUM]], %{{.*}}[%[[COL]]] : (f32, memref<768xf32>) -> f32
// CHECK-NOT:     memref.store
// CHECK:         gpu.terminator
// SERIAL-LABEL: func.func @bias_grad
// SERIAL-NOT:   gpu.launch {{.*}}elementwise
// SERIAL:       gpu.launch {{.*}} function(@bias_grad_0_reduce_serial)
// SERIAL-NOT:     memref.atomic_rmw
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @bias_grad(%dy: memref<8192x768xf32>, %db: memref<768xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%db : memref<768xf32>)
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%dy : memref<8192x768xf32>) outs(%db : memref<768xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// BatchNorm statistics of a channels-last tensor: three reduced loops
// (N, H, W) linearised, 64 chunks of 32 (N*H*W = 2048); the chunk's index
// is delinearised inside the loop. Two outputs (a sum and a sum of
// squares), one atomic each; the initial values are already in memory.
// CHECK-LABEL: func.func @batch_norm_stats
// CHECK:       gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c64{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}) threads({{.*}}) in (%{{.*}} = %c64
// CHECK-SAME:  function(@batch_norm_stats_0_reduce_split)
// CHECK:         %[[C:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK:         %[[SUMS:.*]]:2 = scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK:           %[[NHW:.*]]:3 = affine.delinearize_index %[[R]] into (8, 16, 16)
// CHECK:           memref.load %{{.*}}[%[[NHW]]#0, %[[NHW]]#1, %[[NHW]]#2, %[[C]]] : memref<8x16x16x64xf32>
// CHECK:           arith.mulf
// CHECK:         memref.atomic_rmw addf %[[SUMS]]#0, %{{.*}}[%[[C]]] : (f32, memref<64xf32>) -> f32
// CHECK:         memref.atomic_rmw addf %[[SUMS]]#1, %{{.*}}[%[[C]]] : (f32, memref<64xf32>) -> f32
#in = affine_map<(n, h, w, c) -> (n, h, w, c)>
#out = affine_map<(n, h, w, c) -> (c)>
func.func @batch_norm_stats(%x: memref<8x16x16x64xf32>, %s: memref<64xf32>, %q: memref<64xf32>) {
  linalg.generic {indexing_maps = [#in, #out, #out],
                  iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%x : memref<8x16x16x64xf32>) outs(%s, %q : memref<64xf32>, memref<64xf32>) {
  ^bb0(%a: f32, %sum: f32, %sq: f32):
    %a2 = arith.mulf %a, %a : f32
    %s1 = arith.addf %sum, %a : f32
    %q1 = arith.addf %a2, %sq : f32
    linalg.yield %s1, %q1 : f32, f32
  }
  return
}

// -----

// Dynamic sizes: the number of chunks comes from the sizes at run time
// (at most ceil(tokens / 32), enough for about 2^18 threads), the last
// chunk ends at the reduction's end, and threads past the last column do
// nothing.
// CHECK-LABEL: func.func @dynamic
// CHECK-DAG:   %[[T:.*]] = memref.dim %{{.*}}, %c0
// CHECK-DAG:   %[[N:.*]] = memref.dim %{{.*}}, %c1
// CHECK:       arith.divui %{{.*}}, %c32
// CHECK:       %[[PER:.*]] = arith.maxui %[[N]], %c1
// CHECK:       %[[BYTHREADS:.*]] = arith.divui %{{.*}}, %[[PER]]
// CHECK:       %[[MIN:.*]] = arith.minui %{{.*}}, %[[BYTHREADS]]
// CHECK:       %[[CHUNKS:.*]] = arith.maxui %[[MIN]], %c1
// CHECK:       %[[LEN:.*]] = arith.divui %{{.*}}, %[[CHUNKS]]
// CHECK:       gpu.launch blocks({{.*}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %[[CHUNKS]], %{{.*}} = %c1{{(_[0-9]+)?}})
// CHECK-SAME:  function(@dynamic_0_reduce_split)
// CHECK:         %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[N]]
// CHECK:         scf.if %[[IN]]
// CHECK:           %[[BEGIN:.*]] = arith.muli %{{.*}}, %[[LEN]]
// CHECK:           %[[NEXT:.*]] = arith.addi %[[BEGIN]], %[[LEN]]
// CHECK:           %[[END:.*]] = arith.minui %[[NEXT]], %[[T]]
// CHECK:           scf.for %{{.*}} = %[[BEGIN]] to %[[END]]
// CHECK:           memref.atomic_rmw addf
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @dynamic(%dy: memref<?x?xf32>, %db: memref<?xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%dy : memref<?x?xf32>) outs(%db : memref<?xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A column maximum merges with an atomic maximum; 1000 rows do not divide
// into chunks of 32 (32 chunks of 32, the last one 8 long), so the chunk
// ends at the reduction's end. The -inf fill stays.
// CHECK-LABEL: func.func @column_max
// CHECK:       gpu.launch {{.*}} function(@column_max_0_elementwise)
// CHECK:       gpu.launch {{.*}} in (%{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c32{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}})
// CHECK-SAME:  function(@column_max_1_reduce_split)
// CHECK:         arith.minui %{{.*}}, %c1000
// CHECK:         %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[M:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[NINF]])
// CHECK:           arith.maximumf
// CHECK:         memref.atomic_rmw maximumf %[[M]]
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @column_max(%x: memref<1000x100xf32>, %m: memref<100xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%m : memref<100xf32>)
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<1000x100xf32>) outs(%m : memref<100xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// What stays serial. A short reduction (32 rows: one chunk), so the fill is
// folded into the kernel as before.
// CHECK-LABEL: func.func @short
// CHECK-NOT:   linalg.fill
// CHECK:       gpu.launch {{.*}} function(@short_0_reduce_serial)
// CHECK-NOT:     memref.atomic_rmw
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @short(%x: memref<32x768xf32>, %s: memref<768xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%s : memref<768xf32>)
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<32x768xf32>) outs(%s : memref<768xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Enough outputs to fill the GPU with one thread each (4 x 2^18).
// CHECK-LABEL: func.func @many_outputs
// CHECK:       gpu.launch {{.*}} function(@many_outputs_0_reduce_serial)
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @many_outputs(%x: memref<64x262144xf32>, %s: memref<262144xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<64x262144xf32>) outs(%s : memref<262144xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A bf16 output has no atomic add (the lowering accumulates narrow floats in
// f32 outputs; one left in bf16 stays serial).
// CHECK-LABEL: func.func @bf16_sum
// CHECK:       gpu.launch {{.*}} function(@bf16_sum_0_reduce_serial)
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @bf16_sum(%x: memref<4096x64xbf16>, %s: memref<64xbf16>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<4096x64xbf16>) outs(%s : memref<64xbf16>) {
  ^bb0(%a: bf16, %acc: bf16):
    %r = arith.addf %a, %acc : bf16
    linalg.yield %r : bf16
  }
  return
}

// -----

// A product has no atomic.
// CHECK-LABEL: func.func @column_prod
// CHECK:       gpu.launch {{.*}} function(@column_prod_0_reduce_serial)
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @column_prod(%x: memref<4096x64xf32>, %s: memref<64xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<4096x64xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.mulf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// The accumulator read by something other than its combiner (here a
// running maximum's index) is not a recognised reduction.
// CHECK-LABEL: func.func @column_argmax
// CHECK:       gpu.launch {{.*}} function(@column_argmax_0_reduce_serial)
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @column_argmax(%x: memref<4096x64xf32>, %v: memref<64xf32>, %i: memref<64xi64>) {
  linalg.generic {indexing_maps = [#in, #out, #out], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<4096x64xf32>) outs(%v, %i : memref<64xf32>, memref<64xi64>) {
  ^bb0(%a: f32, %best: f32, %bi: i64):
    %j = linalg.index 0 : index
    %ji = arith.index_cast %j : index to i64
    %gt = arith.cmpf ogt, %a, %best : f32
    %nv = arith.select %gt, %a, %best : f32
    %ni = arith.select %gt, %ji, %bi : i64
    linalg.yield %nv, %ni : f32, i64
  }
  return
}

// -----

// An input that is the output buffer: other blocks' atomics would change
// what a thread reads.
// CHECK-LABEL: func.func @reads_output
// CHECK:       gpu.launch {{.*}} function(@reads_output_0_reduce_serial)
#in = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @reads_output(%x: memref<4096x64xf32>, %s: memref<64xf32>) {
  linalg.generic {indexing_maps = [#in, #row, #row], iterator_types = ["reduction", "parallel"]}
      ins(%x, %s : memref<4096x64xf32>, memref<64xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %p, %acc : f32
    linalg.yield %r : f32
  }
  return
}
