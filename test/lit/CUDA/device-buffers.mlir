// RUN: thunder-opt %s --thunder-cuda-device-buffers | FileCheck %s

// Host allocations become stream-ordered device allocations, and every gpu
// op waits on the token of one `gpu.wait async` (mgpuStreamCreate: the
// caller's stream inside a thunder call); nothing synchronises.
// CHECK-LABEL: func.func @forward
// CHECK:       %[[T:.*]] = gpu.wait async
// CHECK:       %[[BUF:.*]], %{{.*}} = gpu.alloc async [%[[T]]] (%{{.*}}) : memref<?x64xf32>
// CHECK:       %[[TMP:.*]], %{{.*}} = gpu.alloc async [%[[T]]] () : memref<64xf32>
// CHECK:       gpu.launch async [%[[T]]] blocks
// CHECK:       gpu.dealloc async [%[[T]]] %[[TMP]] : memref<64xf32>
// CHECK-NOT:   gpu.wait
// CHECK:       return %[[BUF]]
func.func @forward(%x: memref<?x64xf32>) -> memref<?x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?x64xf32>
  %y = memref.alloc(%n) {alignment = 64 : i64} : memref<?x64xf32>
  %t = memref.alloc() : memref<64xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %t[%tx] : memref<64xf32>
    memref.store %v, %y[%c0, %tx] : memref<?x64xf32>
    gpu.terminator
  }
  memref.dealloc %t : memref<64xf32>
  return %y : memref<?x64xf32>
}
