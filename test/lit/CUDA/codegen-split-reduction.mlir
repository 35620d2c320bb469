// Split reductions through the whole pipeline: a 2-D grid (columns x
// chunks of the reduction), the chunk's loads unrolled, and the merge one
// atomic per thread: atom.global.add.f32 for a sum, atom.global.max.s32 for
// an i32 maximum, a compare-and-swap loop for an f32 maximum.
//
// RUN: thunder-opt %s --thunder-cuda-codegen="stop-at-ptx split-reductions=true" --mlir-print-ir-after=gpu-kernel-outlining -o /dev/null 2>&1 | FileCheck %s --check-prefix=OUTLINED
// RUN: thunder-opt %s --thunder-cuda-codegen="stop-at-ptx split-reductions=true" -o %t.mlir
// RUN: %extract_ptx %t.mlir | FileCheck %s --check-prefix=PTX

// The zero fill of the sum stays a kernel before it (the atomics add into
// it); 768 columns are 3 blocks of 256, 8192 rows 256 chunks of 32.
// OUTLINED-LABEL: func.func @forward
// OUTLINED:       gpu.launch_func async [%{{.*}}] @thunder_kernels::@forward_0_elementwise blocks in (%c3, %c1, %c1) threads in (%c256, %c1, %c1)
// OUTLINED:       gpu.launch_func async [%{{.*}}] @thunder_kernels::@forward_1_reduce_split blocks in (%c3, %c256, %c1) threads in (%c256, %c1, %c1)
// OUTLINED:       gpu.launch_func async [%{{.*}}] @thunder_kernels::@forward_2_reduce_split blocks in (%c3, %c256, %c1)
// OUTLINED:       gpu.launch_func async [%{{.*}}] @thunder_kernels::@forward_3_reduce_split blocks in (%c3, %c256, %c1)

// PTX:       .entry forward_1_reduce_split(
// PTX:       %ctaid.y
// PTX-COUNT-32: ld.global.b32
// PTX-NOT:   .entry
// PTX:       atom.global.add.f32
// PTX:       .entry forward_2_reduce_split(
// PTX-NOT:   .entry
// PTX:       max.NaN.f32
// PTX-NOT:   .entry
// PTX:       atom.{{.*}}global.cas.b32
// PTX:       .entry forward_3_reduce_split(
// PTX-NOT:   .entry
// PTX:       atom.global.max.s32

#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d1)>
func.func @forward(%dy: memref<8192x768xf32>, %m: memref<768xf32>, %db: memref<768xf32>,
                   %mi: memref<768xi32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%db : memref<768xf32>)
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%dy : memref<8192x768xf32>) outs(%db : memref<768xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%dy : memref<8192x768xf32>) outs(%m : memref<768xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["reduction", "parallel"]}
      ins(%dy : memref<8192x768xf32>) outs(%mi : memref<768xi32>) {
  ^bb0(%a: f32, %acc: i32):
    %ai = arith.fptosi %a : f32 to i32
    %r = arith.maxsi %ai, %acc : i32
    linalg.yield %r : i32
  }
  return
}
