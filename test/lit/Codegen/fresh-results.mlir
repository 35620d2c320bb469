// RUN: thunder-opt %s --thunder-fresh-results --split-input-file | FileCheck %s

// A fresh allocation is returned as is (and aligned to 64 bytes).
// CHECK-LABEL: func.func @fresh
// CHECK: %[[A:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: return %[[A]]
func.func @fresh(%f: f32) -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  linalg.fill ins(%f : f32) outs(%a : memref<4xf32>)
  return %a : memref<4xf32>
}

// -----

// An argument (or a view of one) is copied: the caller frees every result.
// CHECK-LABEL: func.func @argument
// CHECK-SAME: (%[[X:.+]]: memref<?x4xf32>)
// CHECK: %[[C:.+]] = memref.collapse_shape %[[X]]
// CHECK: %[[D0:.+]] = memref.dim %[[X]], %{{.+}}
// CHECK: %[[A0:.+]] = memref.alloc(%[[D0]]) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK: memref.copy %[[X]], %[[A0]]
// CHECK: %[[A1:.+]] = memref.alloc(%{{.+}}) {alignment = 64 : i64} : memref<?xf32>
// CHECK: memref.copy %[[C]], %[[A1]]
// CHECK: return %[[A0]], %[[A1]]
func.func @argument(%x: memref<?x4xf32>) -> (memref<?x4xf32>, memref<?xf32>) {
  %c = memref.collapse_shape %x [[0, 1]] : memref<?x4xf32> into memref<?xf32>
  return %x, %c : memref<?x4xf32>, memref<?xf32>
}

// -----

// The same allocation returned twice, or a view of a returned allocation: the
// second one is a copy, so that no buffer is freed twice.
// CHECK-LABEL: func.func @shared
// CHECK: %[[A:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
// CHECK: %[[V:.+]] = memref.collapse_shape %[[A]]
// CHECK: %[[B:.+]] = memref.alloc() {alignment = 64 : i64} : memref<2x4xf32>
// CHECK: memref.copy %[[A]], %[[B]]
// CHECK: %[[C:.+]] = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
// CHECK: memref.copy %[[V]], %[[C]]
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @shared() -> (memref<2x4xf32>, memref<2x4xf32>, memref<8xf32>) {
  %a = memref.alloc() : memref<2x4xf32>
  %v = memref.collapse_shape %a [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  return %a, %a, %v : memref<2x4xf32>, memref<2x4xf32>, memref<8xf32>
}

// -----

// Constants (globals in read-only memory) are copied.
memref.global "private" constant @k : memref<4xf32> = dense<1.0>
// CHECK-LABEL: func.func @constant
// CHECK: %[[G:.+]] = memref.get_global @k
// CHECK: %[[A:.+]] = memref.alloc() {alignment = 64 : i64} : memref<4xf32>
// CHECK: memref.copy %[[G]], %[[A]]
// CHECK: return %[[A]]
func.func @constant() -> memref<4xf32> {
  %g = memref.get_global @k : memref<4xf32>
  return %g : memref<4xf32>
}

// -----

// Private functions keep MLIR's own conventions.
// CHECK-LABEL: func.func private @internal
// CHECK-NOT: memref.copy
func.func private @internal(%x: memref<4xf32>) -> memref<4xf32> {
  return %x : memref<4xf32>
}
