// RUN: thunder-opt %s --split-input-file --thunder-cuda-legalize-host-accesses | FileCheck %s

// Copies (contiguous or strided) become linalg.copy, which become kernels.
// CHECK-LABEL: func.func @copies
// CHECK:       linalg.copy ins(%arg0 : memref<4x8xf32>) outs(%{{.*}} : memref<4x8xf32, strided<[16, 1]>>)
// CHECK-NOT:   memref.copy
func.func @copies(%x: memref<4x8xf32>, %y: memref<4x16xf32>) {
  %s = memref.subview %y[0, 0] [4, 8] [1, 1] : memref<4x16xf32> to memref<4x8xf32, strided<[16, 1]>>
  memref.copy %x, %s : memref<4x8xf32> to memref<4x8xf32, strided<[16, 1]>>
  return
}

// -----

// A constant that only kernels read stays (the kernel gets a device copy);
// one passed to a library call is first copied into a device buffer.
// CHECK-LABEL: func.func @constant_to_call
// CHECK:       %[[G:.*]] = memref.get_global @table
// CHECK:       %[[D:.*]] = memref.alloc() : memref<4xf32>
// CHECK:       linalg.copy ins(%[[G]] : memref<4xf32>) outs(%[[D]] : memref<4xf32>)
// CHECK:       call @consume(%[[D]])
// CHECK:       linalg.generic {{.*}} ins(%[[G]] : memref<4xf32>)
// CHECK:       memref.dealloc %[[D]]
// CHECK-NEXT:  return
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func private @consume(memref<4xf32>)
#id = affine_map<(d0) -> (d0)>
func.func @constant_to_call(%y: memref<4xf32>) {
  %g = memref.get_global @table : memref<4xf32>
  call @consume(%g) : (memref<4xf32>) -> ()
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%g : memref<4xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  return
}
