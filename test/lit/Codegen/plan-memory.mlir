// RUN: thunder-opt %s --thunder-plan-memory --split-input-file | FileCheck %s

#id = affine_map<(d0) -> (d0)>

// Three temporaries: %t0 dies before %t2 is allocated, so they share offset 0;
// %t1 overlaps both and gets its own bytes. The returned buffer stays a
// malloc of its own.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: thunder.arena_bytes = 512 : i64, thunder.arena_unshared_bytes = 768 : i64
// CHECK: %[[ARENA:.+]] = memref.alloc() {alignment = 64 : i64} : memref<512xi8>
// CHECK: %[[O0:.+]] = arith.constant 0 : index
// CHECK: %[[T0:.+]] = memref.view %[[ARENA]][%[[O0]]][] : memref<512xi8> to memref<64xf32>
// CHECK: %[[O1:.+]] = arith.constant 256 : index
// CHECK: %[[T1:.+]] = memref.view %[[ARENA]][%[[O1]]][] : memref<512xi8> to memref<64xf32>
// CHECK: %[[O2:.+]] = arith.constant 0 : index
// CHECK: %[[T2:.+]] = memref.view %[[ARENA]][%[[O2]]][] : memref<512xi8> to memref<64xf32>
// CHECK: %[[R:.+]] = memref.alloc() : memref<64xf32>
// CHECK: return %[[R]]
func.func @reuse(%x: memref<64xf32>) -> memref<64xf32> {
  %t0 = memref.alloc() : memref<64xf32>
  linalg.copy ins(%x : memref<64xf32>) outs(%t0 : memref<64xf32>)
  %t1 = memref.alloc() : memref<64xf32>
  linalg.copy ins(%t0 : memref<64xf32>) outs(%t1 : memref<64xf32>)
  %t2 = memref.alloc() : memref<64xf32>
  linalg.copy ins(%t1 : memref<64xf32>) outs(%t2 : memref<64xf32>)
  %r = memref.alloc() : memref<64xf32>
  linalg.copy ins(%t2 : memref<64xf32>) outs(%r : memref<64xf32>)
  return %r : memref<64xf32>
}

// -----

// A use through a view inside a loop extends the live range to the loop.
// CHECK-LABEL: func.func @view_in_loop
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK-COUNT-2: memref.view
func.func @view_in_loop(%x: memref<4x4xf32>) -> memref<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<4x4xf32>
  %b = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%x : memref<4x4xf32>) outs(%a : memref<4x4xf32>)
  %v = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %e = memref.load %v[%i] : memref<16xf32>
    memref.store %e, %b[%i, %i] : memref<4x4xf32>
  }
  %r = memref.alloc() : memref<16xf32>
  %w = memref.collapse_shape %b [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  linalg.copy ins(%w : memref<16xf32>) outs(%r : memref<16xf32>)
  return %r : memref<16xf32>
}

// -----

// Dynamic shapes, escaping buffers and single temporaries are left alone.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: memref.view
// CHECK-NOT: thunder.arena_bytes
func.func @untouched(%x: memref<?xf32>, %n: index) -> memref<?xf32> {
  %d = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%x : memref<?xf32>) outs(%d : memref<?xf32>)
  %s = memref.alloc() : memref<4xf32>
  call @sink(%s) : (memref<4xf32>) -> ()
  return %d : memref<?xf32>
}
func.func private @sink(memref<4xf32>)
