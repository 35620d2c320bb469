// RUN: thunder-opt %s --thunder-cpu-codegen | FileCheck %s

// linalg on tensors to the LLVM dialect: the entry, its C interface (result
// pointer first, descriptors by pointer), erf from libm, results allocated with
// malloc, one function per kernel, bf16 computed in f32 without library calls.

// CHECK-DAG: llvm.func @erff(f32) -> f32
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-NOT: llvm.func @memrefCopy
// CHECK-NOT: __truncsfbf2
// CHECK-LABEL: llvm.func @forward(
// CHECK: llvm.call @malloc
// CHECK: llvm.call @thunder_kernel_0_generic(
// CHECK-LABEL: llvm.func @_mlir_ciface_forward(
// CHECK-SAME: %{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr {thunder.kind = "input"}, %{{.+}}: !llvm.ptr {thunder.kind = "input"})
// CHECK-LABEL: llvm.func @thunder_kernel_0_generic(
// CHECK: llvm.call @erff
// CHECK-NOT: builtin.unrealized_conversion_cast

#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<?x16xf32> {thunder.kind = "input"}, %h: tensor<4x4xbf16> {thunder.kind = "input"})
    -> (tensor<?x16xf32>, tensor<4x4xbf16>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%n) : tensor<?x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x16xf32>) outs(%e : tensor<?x16xf32>) {
    ^bb0(%a: f32, %o: f32):
      %g = math.erf %a : f32
      linalg.yield %g : f32
  } -> tensor<?x16xf32>
  %eh = tensor.empty() : tensor<4x4xbf16>
  %rh = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x4xbf16>) outs(%eh : tensor<4x4xbf16>) {
    ^bb0(%a: bf16, %o: bf16):
      %s = arith.addf %a, %a : bf16
      %t = math.tanh %s : bf16
      linalg.yield %t : bf16
  } -> tensor<4x4xbf16>
  return %r, %rh : tensor<?x16xf32>, tensor<4x4xbf16>
}
