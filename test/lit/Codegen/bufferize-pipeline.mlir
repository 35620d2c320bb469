// RUN: thunder-opt %s --thunder-bufferize | FileCheck %s

// The buffer ABI of an entry point after thunder-bufferize: identity-layout
// memref arguments that are never written, every result a distinct fresh
// allocation, the static temporaries in one arena that is freed, the dynamic
// ones freed, no bufferization ops left.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[W:.+]]: memref<16x8xf32> {thunder.kind = "param"}, %[[X:.+]]: memref<?x8xf32> {thunder.kind = "input"})
// CHECK-SAME: -> (memref<?x16xf32>, memref<?x8xf32>)
// CHECK-SAME: llvm.emit_c_interface
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<1024xi8>
// CHECK: memref.view %[[ARENA]]
// The input is returned: as a copy.
// CHECK: %[[COPY:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?x8xf32>
// CHECK: memref.copy %[[X]], %[[COPY]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK: return %[[Y:.+]], %[[COPY]]
// CHECK-NOT: bufferization.
func.func @forward(%w: tensor<16x8xf32> {thunder.kind = "param"}, %x: tensor<?x8xf32> {thunder.kind = "input"})
    -> (tensor<?x16xf32>, tensor<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  // Two static temporaries of 512 bytes each, alive at once: 1024 bytes.
  %e0 = tensor.empty() : tensor<8x16xf32>
  %t = linalg.transpose ins(%w : tensor<16x8xf32>) outs(%e0 : tensor<8x16xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<8x16xf32>
  %t2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<8x16xf32>) outs(%e1 : tensor<8x16xf32>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.mulf %a, %a : f32
      linalg.yield %s : f32
  } -> tensor<8x16xf32>
  %e = tensor.empty(%n) : tensor<?x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %mm = linalg.matmul ins(%x, %t : tensor<?x8xf32>, tensor<8x16xf32>) outs(%f : tensor<?x16xf32>) -> tensor<?x16xf32>
  %mm2 = linalg.matmul ins(%x, %t2 : tensor<?x8xf32>, tensor<8x16xf32>) outs(%mm : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %mm2, %x : tensor<?x16xf32>, tensor<?x8xf32>
}
