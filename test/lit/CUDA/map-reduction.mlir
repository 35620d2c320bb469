// RUN: thunder-opt %s --split-input-file --thunder-cuda-map-to-gpu | FileCheck %s

// Softmax's row sums: the innermost loop is reduced, so one block per row;
// threads stride over the row (coalesced), then gpu.all_reduce combines the
// partials (warp shuffles + shared memory after convert-gpu-to-nvvm), and
// thread 0 adds the initial value and stores.
// CHECK-LABEL: func.func @row_sum
// CHECK-DAG:   %[[ROWS:.*]] = arith.constant 64 : index
// CHECK:       gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
// CHECK-SAME:  function(@row_sum_0_reduce)
// CHECK:         %[[ACC:.*]] = scf.for %[[R:.*]] = %[[TX]] to %c1024 step %c256{{.*}} iter_args(%[[A:.*]] = %cst
// CHECK:           memref.load %{{.*}}[%[[BX]], %[[R]]]
// CHECK:           math.exp
// CHECK:           arith.addf %[[A]]
// CHECK:         %[[SUM:.*]] = gpu.all_reduce add %[[ACC]] uniform
// CHECK:         %[[FIRST:.*]] = arith.cmpi eq, %[[TX]], %c0
// CHECK:         scf.if %[[FIRST]]
// CHECK:           %[[OLD:.*]] = memref.load %{{.*}}[%[[BX]]]
// CHECK:           %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUM]]
// CHECK:           memref.store %[[NEW]]
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @row_sum(%x: memref<64x1024xf32>, %s: memref<64xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x1024xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %e = math.exp %a : f32
    %r = arith.addf %e, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// bf16 partials accumulate in f32 (and the shuffles move 32-bit values); a
// row of 100 elements gets a block of 128 threads.
// CHECK-LABEL: func.func @row_max_bf16
// CHECK:       gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128
// CHECK:         %[[NEG:.*]] = arith.constant 0xFF80 : bf16
// CHECK:         %[[INIT:.*]] = arith.extf %[[NEG]] : bf16 to f32
// CHECK:         scf.for {{.*}} iter_args(%[[A:.*]] = %[[INIT]]) -> (f32)
// CHECK:           %[[X:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK:           arith.maximumf %[[A]], %[[X]] : f32
// CHECK:         gpu.all_reduce maximumf %{{.*}} uniform
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @row_max_bf16(%x: memref<32x100xbf16>, %m: memref<32xbf16>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<32x100xbf16>) outs(%m : memref<32xbf16>) {
  ^bb0(%a: bf16, %acc: bf16):
    %r = arith.maximumf %a, %acc : bf16
    linalg.yield %r : bf16
  }
  return
}

// -----

// Reduced over the outer dimension (column sums), a short reduction: one
// thread per output with a sequential loop from the initial value;
// neighbouring threads read neighbouring elements. Long ones are split over
// blocks (map-split-reduction.mlir).
// CHECK-LABEL: func.func @column_sum
// CHECK:       gpu.launch {{.*}} function(@column_sum_0_reduce_serial)
// CHECK-NOT:     gpu.all_reduce
// CHECK:         %[[INIT:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<64xf32>
// CHECK:         scf.for %{{.*}} = %c0 to %c16 step %c1{{.*}} iter_args(%{{.*}} = %[[INIT]])
// CHECK:         memref.store
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @column_sum(%x: memref<16x64xf32>, %s: memref<64xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<16x64xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A short reduction (a 3x3 window) is one thread's work.
// CHECK-LABEL: func.func @short_window
// CHECK:       gpu.launch {{.*}} function(@short_window_0_reduce_serial)
// CHECK-NOT:     gpu.all_reduce
// CHECK:         scf.for
// CHECK:           scf.for
#in = affine_map<(d0, d1, d2, d3) -> (d0 + d2, d1 + d3)>
#win = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#out = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
func.func @short_window(%x: memref<34x34xf32>, %w: memref<3x3xf32>, %m: memref<32x32xf32>) {
  linalg.generic {indexing_maps = [#in, #win, #out],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<34x34xf32>, memref<3x3xf32>) outs(%m : memref<32x32xf32>) {
  ^bb0(%a: f32, %unused: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// argmax pairs two outputs through selects: no single combiner, so the
// serial strategy (exact, in order).
// CHECK-LABEL: func.func @argmax
// CHECK:       gpu.launch {{.*}} function(@argmax_0_reduce_serial)
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (f32, i64)
// CHECK:           arith.index_cast
// CHECK-NOT:     gpu.all_reduce
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @argmax(%x: memref<16x1000xf32>, %v: memref<16xf32>, %i: memref<16xi64>) {
  linalg.generic {indexing_maps = [#in, #out, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<16x1000xf32>) outs(%v, %i : memref<16xf32>, memref<16xi64>) {
  ^bb0(%a: f32, %best: f32, %bi: i64):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i64
    %gt = arith.cmpf ogt, %a, %best : f32
    %nv = arith.select %gt, %a, %best : f32
    %ni = arith.select %gt, %ji, %bi : i64
    linalg.yield %nv, %ni : f32, i64
  }
  return
}

// -----

// The fill of the initial value before a reduction is folded into it: no
// fill kernel, no load of the initial value.
// CHECK-LABEL: func.func @filled_max
// CHECK-DAG:   %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-NOT:   linalg.fill
// CHECK:       gpu.launch
// CHECK:         %[[M:.*]] = gpu.all_reduce maximumf
// CHECK:         scf.if
// CHECK-NEXT:      %[[R:.*]] = arith.maximumf %[[NINF]], %[[M]] : f32
// CHECK-NEXT:      memref.store %[[R]]
// CHECK-NOT:   gpu.launch
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @filled_max(%x: memref<64x1024xf32>, %m: memref<64xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%m : memref<64xf32>)
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x1024xf32>) outs(%m : memref<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// One zero fill shared by two reductions (LayerNorm's mean and variance):
// bufferization copies the filled buffer for the first. The copy counts as a
// fill: both reductions start from zero in registers and store, and neither
// the copy nor the fill is a kernel.
// CHECK-LABEL: func.func @shared_fill
// CHECK-COUNT-2: gpu.launch
// CHECK-NOT:   gpu.launch
// CHECK:       return
#in2 = affine_map<(d0, d1) -> (d0, d1)>
#out2 = affine_map<(d0, d1) -> (d0)>
func.func @shared_fill(%x: memref<64x768xf32>, %a: memref<64xf32>, %b: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%b : memref<64xf32>)
  linalg.copy ins(%b : memref<64xf32>) outs(%a : memref<64xf32>)
  linalg.generic {indexing_maps = [#in2, #out2], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x768xf32>) outs(%a : memref<64xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.addf %v, %acc : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#in2, #out2], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x768xf32>) outs(%b : memref<64xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.mulf %v, %v : f32
    %r = arith.addf %m, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Many short rows (a LayerNorm's mean over the hidden size, one row per
// token): one warp per row, eight rows to a block of 256 threads; each lane
// strides over its row by 32 and the lanes combine with a butterfly of five
// xor shuffles (no shared memory, no barrier); lane 0 stores.
// CHECK-LABEL: func.func @warp_rows
// CHECK:       gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c1024{{.*}}threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
// CHECK:         %[[ROW:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK:         %[[LANE:.*]] = arith.remui %[[TX]], %c32
// CHECK:         scf.for %{{.*}} = %[[LANE]] to %c768 step %c32
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK-NOT:     gpu.all_reduce
// CHECK:         arith.cmpi eq, %[[LANE]], %c0
#in3 = affine_map<(d0, d1) -> (d0, d1)>
#out3 = affine_map<(d0, d1) -> (d0)>
func.func @warp_rows(%x: memref<8192x768xbf16>, %s: memref<8192xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%s : memref<8192xf32>)
  linalg.generic {indexing_maps = [#in3, #out3], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8192x768xbf16>) outs(%s : memref<8192xf32>) {
  ^bb0(%v: bf16, %acc: f32):
    %e = arith.extf %v : bf16 to f32
    %r = arith.addf %e, %acc : f32
    linalg.yield %r : f32
  }
  return
}
