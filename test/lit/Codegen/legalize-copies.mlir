// RUN: thunder-opt %s --thunder-legalize-copies | FileCheck %s

// Strided copies become linalg.copy (MODEL.so does not link MLIR's memrefCopy);
// contiguous ones stay memref.copy (llvm.memcpy).
// CHECK-LABEL: func.func @copies
// CHECK: linalg.copy ins(%{{.+}} : memref<2x4xf32, strided<[8, 1], offset: 4>>) outs(%{{.+}} : memref<2x4xf32>)
// CHECK: memref.copy %{{.+}}, %{{.+}} : memref<2x4xf32> to memref<2x4xf32>
func.func @copies(%x: memref<4x8xf32>, %y: memref<2x4xf32>, %z: memref<2x4xf32>) {
  %s = memref.subview %x[0, 4] [2, 4] [1, 1] : memref<4x8xf32> to memref<2x4xf32, strided<[8, 1], offset: 4>>
  memref.copy %s, %y : memref<2x4xf32, strided<[8, 1], offset: 4>> to memref<2x4xf32>
  memref.copy %y, %z : memref<2x4xf32> to memref<2x4xf32>
  return
}
