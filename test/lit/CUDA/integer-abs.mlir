// Integer abs in a kernel (T5's relative-position buckets: abs of an i64
// position difference). convert-gpu-to-nvvm has no lowering for math.absi, so
// the translation to LLVM IR failed and printed the whole gpu.module;
// thunder-cuda-integer-math turns it into a compare and a select first.
//
// RUN: thunder-opt %s --thunder-cuda-codegen="stop-at-ptx" --mlir-print-ir-after=convert-gpu-to-nvvm -o /dev/null 2>&1 | FileCheck %s --check-prefix=NVVM
// RUN: thunder-opt %s --thunder-cuda-codegen="stop-at-ptx" -o %t.mlir
// RUN: %extract_ptx %t.mlir | FileCheck %s --check-prefix=PTX

// NVVM:       llvm.func @forward_0_elementwise
// NVVM-NOT:     math.absi
// NVVM:         llvm.icmp "slt"
// NVVM:         llvm.select
// PTX:        .visible .entry forward_0_elementwise(
// PTX:          abs.s64
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @forward(%x: tensor<16x16xi64>) -> tensor<16x16xi64> {
  %e = tensor.empty() : tensor<16x16xi64>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x16xi64>) outs(%e : tensor<16x16xi64>) {
  ^bb0(%a: i64, %o: i64):
    %y = math.absi %a : i64
    linalg.yield %y : i64
  } -> tensor<16x16xi64>
  return %r : tensor<16x16xi64>
}
