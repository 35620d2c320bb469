// Every kernel strategy in one module (memrefs), for ptxas (see ptxas.mlir).
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @strategies(%x: memref<?x64xbf16>, %m: memref<?xbf16>, %c: memref<64xbf16>,
                      %f: memref<16x1000xf32>, %v: memref<16xf32>, %i: memref<16xi64>,
                      %t: memref<4xf32>, %s: memref<100xi1>, %any: memref<i1>,
                      %cs: memref<64xf32>) {
  // Row reduction in bf16 (f32 partials), dynamic number of rows.
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x64xbf16>) outs(%m : memref<?xbf16>) {
  ^bb0(%a: bf16, %acc: bf16):
    %e = math.exp %a : bf16
    %r = arith.addf %e, %acc : bf16
    linalg.yield %r : bf16
  }
  // Column reduction (serial), dynamic length.
  linalg.generic {indexing_maps = [#id2, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<?x64xbf16>) outs(%c : memref<64xbf16>) {
  ^bb0(%a: bf16, %acc: bf16):
    %r = arith.maximumf %a, %acc : bf16
    linalg.yield %r : bf16
  }
  // Column sum split over blocks (atomic add), dynamic length.
  linalg.generic {indexing_maps = [#id2, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<?x64xbf16>) outs(%cs : memref<64xf32>) {
  ^bb0(%a: bf16, %acc: f32):
    %e = arith.extf %a : bf16 to f32
    %r = arith.addf %e, %acc : f32
    linalg.yield %r : f32
  }
  // argmax (serial, two outputs).
  linalg.generic {indexing_maps = [#id2, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%f : memref<16x1000xf32>) outs(%v, %i : memref<16xf32>, memref<16xi64>) {
  ^bb0(%a: f32, %best: f32, %bi: i64):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i64
    %gt = arith.cmpf ogt, %a, %best : f32
    %nv = arith.select %gt, %a, %best : f32
    %ni = arith.select %gt, %ji, %bi : i64
    linalg.yield %nv, %ni : f32, i64
  }
  // A boolean reduction to a scalar (i1 widened to i32 partials).
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]}
      ins(%s : memref<100xi1>) outs(%any : memref<i1>) {
  ^bb0(%a: i1, %acc: i1):
    %r = arith.ori %a, %acc : i1
    linalg.yield %r : i1
  }
  // A constant read in a kernel (a device global).
  %g = memref.get_global @table : memref<4xf32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%g : memref<4xf32>) outs(%t : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.tanh %a : f32
    linalg.yield %r : f32
  }
  // A host store into device memory (single-thread kernel).
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  memref.store %one, %t[%c0] : memref<4xf32>
  return
}
