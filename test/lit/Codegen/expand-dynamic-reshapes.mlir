// RUN: thunder-opt %s --thunder-expand-dynamic-reshapes | FileCheck %s
// RUN: thunder-opt %s --thunder-expand-dynamic-reshapes --expand-strided-metadata | FileCheck %s --check-prefix=META

// An expand_shape of one dynamic dimension into two dynamic ones (batch and
// sequence, both exported dynamic) crashed expand-strided-metadata (a
// reinterpret_cast built from a null size). It becomes a reinterpret_cast
// with the op's output sizes and the strides they imply.
// CHECK-LABEL: func.func @batch_and_sequence
// CHECK-SAME: (%[[X:.+]]: memref<?x64xf32>, %[[B:.+]]: index, %[[S:.+]]: index)
// CHECK: %[[BASE:.+]], %[[OFF:.+]], %{{.+}}:2, %{{.+}}:2 = memref.extract_strided_metadata %[[X]]
// CHECK: %[[ST:.+]] = arith.muli %{{.+}}, %[[S]]
// CHECK-NOT: arith.muli
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[B]], %[[S]], 64], strides: [%[[ST]], 64, 1]
// CHECK-NOT: memref.expand_shape
// META-LABEL: func.func @batch_and_sequence
// META-NOT: memref.expand_shape
func.func @batch_and_sequence(%x: memref<?x64xf32>, %b: index, %s: index) -> memref<?x?x64xf32> {
  %e = memref.expand_shape %x [[0, 1], [2]] output_shape [%b, %s, 64] : memref<?x64xf32> into memref<?x?x64xf32>
  return %e : memref<?x?x64xf32>
}

// Heads split out of a flattened dynamic buffer: [b, s, 4, 16] from [?].
// CHECK-LABEL: func.func @heads
// CHECK: memref.reinterpret_cast %{{.+}} to offset: [0], sizes: [%{{.+}}, %{{.+}}, 4, 16], strides: [%{{.+}}, 64, 16, 1]
func.func @heads(%x: memref<?xf32>, %b: index, %s: index) -> memref<?x?x4x16xf32> {
  %e = memref.expand_shape %x [[0, 1, 2, 3]] output_shape [%b, %s, 4, 16] : memref<?xf32> into memref<?x?x4x16xf32>
  return %e : memref<?x?x4x16xf32>
}

// A strided source: the innermost stride of each group is the source's.
// CHECK-LABEL: func.func @strided
// CHECK: memref.reinterpret_cast %{{.+}} to offset: [%{{.+}}], sizes: [%{{.+}}, %{{.+}}], strides: [%{{.+}}, %{{.+}}]
func.func @strided(%x: memref<?xf32, strided<[?], offset: ?>>, %b: index, %s: index) -> memref<?x?xf32, strided<[?, ?], offset: ?>> {
  %e = memref.expand_shape %x [[0, 1]] output_shape [%b, %s] : memref<?xf32, strided<[?], offset: ?>> into memref<?x?xf32, strided<[?, ?], offset: ?>>
  return %e : memref<?x?xf32, strided<[?, ?], offset: ?>>
}

// One dynamic size per group: left to expand-strided-metadata.
// CHECK-LABEL: func.func @one_dynamic
// CHECK: memref.expand_shape
func.func @one_dynamic(%x: memref<?xf32>, %b: index) -> memref<?x4xf32> {
  %e = memref.expand_shape %x [[0, 1]] output_shape [%b, 4] : memref<?xf32> into memref<?x4xf32>
  return %e : memref<?x4xf32>
}
