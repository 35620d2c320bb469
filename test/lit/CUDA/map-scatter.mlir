// RUN: thunder-opt %s --split-input-file --thunder-cuda-map-to-gpu | FileCheck %s

// The embedding gradient (index_put with accumulate, after bufferization):
// one thread per (token, column), the innermost loop fastest (consecutive
// threads update consecutive elements of a row), the read-modify-write an
// atomic add; no loop is left in the kernel.
// CHECK-LABEL: func.func @embedding_grad
// CHECK:       gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c4, {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
// CHECK-SAME:  function(@embedding_grad_0_scatter)
// CHECK:         %[[LIN:.*]] = arith.addi %{{.*}}, %[[TX]]
// CHECK-NOT:     scf.if
// CHECK:         %[[IDX:.*]]:2 = affine.delinearize_index %[[LIN]] into (8, 128)
// CHECK-NOT:     scf.for
// CHECK:         %[[ID:.*]] = memref.load %{{.*}}[%[[IDX]]#0] : memref<8xi64>
// CHECK:         %[[ROW:.*]] = arith.select
// CHECK:         %[[V:.*]] = memref.load %{{.*}}[%[[IDX]]#0, %[[IDX]]#1] : memref<8x128xf32>
// CHECK-NOT:     memref.load
// CHECK:         memref.atomic_rmw addf %[[V]], %{{.*}}[%[[ROW]], %[[IDX]]#1] : (f32, memref<100x128xf32>) -> f32
// CHECK-NOT:     memref.store
// CHECK:         gpu.terminator
// CHECK-NOT:   scf.for
func.func @embedding_grad(%ids: memref<8xi64>, %g: memref<8x128xf32>, %w: memref<100x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  %c100 = arith.constant 100 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c128 step %c1 {
      %id = memref.load %ids[%i] : memref<8xi64>
      %ix = arith.index_cast %id : i64 to index
      %neg = arith.cmpi slt, %ix, %c0 : index
      %wrapped = arith.addi %ix, %c100 : index
      %r = arith.select %neg, %wrapped, %ix : index
      %v = memref.load %g[%i, %j] : memref<8x128xf32>
      %old = memref.load %w[%r, %j] : memref<100x128xf32>
      %new = arith.addf %old, %v : f32
      memref.store %new, %w[%r, %j] : memref<100x128xf32>
    }
  }
  return
}

// -----

// A dynamic number of updates (scatter_add of i64 along dim 0): the grid
// comes from the bounds, threads past the end do nothing; i64 adds are
// atomic too (the old value may be the combiner's second operand).
// CHECK-LABEL: func.func @scatter_add_i64
// CHECK:       %[[N:.*]] = memref.dim %{{.*}}, %c0
// CHECK:       %[[TOTAL:.*]] = arith.muli %[[N]], %c4
// CHECK:       gpu.launch {{.*}} function(@scatter_add_i64_0_scatter)
// CHECK:         %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[TOTAL]]
// CHECK:         scf.if %[[IN]]
// CHECK:           affine.delinearize_index %{{.*}} into (%[[N]], 4)
// CHECK:           memref.atomic_rmw addi %{{.*}}, %{{.*}} : (i64, memref<10x4xi64>) -> i64
func.func @scatter_add_i64(%idx: memref<?x4xi64>, %src: memref<?x4xi64>, %dst: memref<10x4xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %idx, %c0 : memref<?x4xi64>
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %id = memref.load %idx[%i, %j] : memref<?x4xi64>
      %r = arith.index_cast %id : i64 to index
      %v = memref.load %src[%i, %j] : memref<?x4xi64>
      %old = memref.load %dst[%r, %j] : memref<10x4xi64>
      %new = arith.addi %v, %old : i64
      memref.store %new, %dst[%r, %j] : memref<10x4xi64>
    }
  }
  return
}

// -----

// Without accumulate: one plain store per thread (PyTorch leaves the winner
// of a repeated position unspecified).
// CHECK-LABEL: func.func @index_put
// CHECK:       gpu.launch {{.*}} function(@index_put_0_scatter)
// CHECK-NOT:     scf.for
// CHECK:         memref.store %{{.*}}, %{{.*}} : memref<5x4xf32>
// CHECK-NOT:     memref.atomic_rmw
func.func @index_put(%ids: memref<3xi64>, %v: memref<3x4xf32>, %x: memref<5x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c3 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %id = memref.load %ids[%i] : memref<3xi64>
      %r = arith.index_cast %id : i64 to index
      %e = memref.load %v[%i, %j] : memref<3x4xf32>
      memref.store %e, %x[%r, %j] : memref<5x4xf32>
    }
  }
  return
}

// -----

// `or` into a bool buffer: threads whose value is true store true.
// CHECK-LABEL: func.func @index_put_bool
// CHECK:       gpu.launch {{.*}} function(@index_put_bool_0_scatter)
// CHECK:         %[[V:.*]] = memref.load %{{.*}} : memref<3xi1>
// CHECK-NOT:     memref.load
// CHECK:         scf.if %[[V]]
// CHECK:           memref.store %[[V]], %{{.*}} : memref<5xi1>
func.func @index_put_bool(%ids: memref<3xi64>, %v: memref<3xi1>, %x: memref<5xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c3 step %c1 {
    %id = memref.load %ids[%i] : memref<3xi64>
    %r = arith.index_cast %id : i64 to index
    %e = memref.load %v[%i] : memref<3xi1>
    %old = memref.load %x[%r] : memref<5xi1>
    %new = arith.ori %old, %e : i1
    memref.store %new, %x[%r] : memref<5xi1>
  }
  return
}

// -----

// What has no atomic stays serial: a bf16 add (the lowering accumulates
// f16/bf16 scatters in f32, so they do not come here), a read of the
// destination elsewhere than the updated element, two stores, an index add.
// CHECK-LABEL: func.func @not_scatters
// CHECK:       gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}}) {{.*}} function(@not_scatters_0_serial)
// CHECK:         scf.for
// CHECK:           arith.addf {{.*}} : bf16
// CHECK:       gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}}) {{.*}} function(@not_scatters_1_serial)
// CHECK:       gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}}) {{.*}} function(@not_scatters_2_serial)
// CHECK:       gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}}) {{.*}} function(@not_scatters_3_serial)
// CHECK-NOT:   memref.atomic_rmw
func.func @not_scatters(%ids: memref<3xi64>, %v: memref<3xbf16>, %x: memref<5xbf16>, %y: memref<5xf32>,
                        %z: memref<5xindex>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c3 step %c1 {
    %id = memref.load %ids[%i] : memref<3xi64>
    %r = arith.index_cast %id : i64 to index
    %e = memref.load %v[%i] : memref<3xbf16>
    %old = memref.load %x[%r] : memref<5xbf16>
    %new = arith.addf %old, %e : bf16
    memref.store %new, %x[%r] : memref<5xbf16>
  }
  scf.for %i = %c0 to %c3 step %c1 {
    %id = memref.load %ids[%i] : memref<3xi64>
    %r = arith.index_cast %id : i64 to index
    %prev = memref.load %y[%i] : memref<5xf32>
    %old = memref.load %y[%r] : memref<5xf32>
    %new = arith.addf %old, %prev : f32
    memref.store %new, %y[%r] : memref<5xf32>
  }
  scf.for %i = %c0 to %c3 step %c1 {
    %one = arith.constant 1.0 : f32
    memref.store %one, %y[%i] : memref<5xf32>
    memref.store %one, %y[%c0] : memref<5xf32>
  }
  scf.for %i = %c0 to %c3 step %c1 {
    %id = memref.load %ids[%i] : memref<3xi64>
    %r = arith.index_cast %id : i64 to index
    %old = memref.load %z[%r] : memref<5xindex>
    %new = arith.addi %old, %i : index
    memref.store %new, %z[%r] : memref<5xindex>
  }
  return
}

// -----

// No updates at all: one block whose threads all fail the bounds check.
// CHECK-LABEL: func.func @no_updates
// CHECK:       gpu.launch {{.*}} function(@no_updates_0_scatter)
// CHECK:         %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %c0
// CHECK:         scf.if %[[IN]]
// CHECK:           memref.atomic_rmw addf
func.func @no_updates(%ids: memref<0xi64>, %v: memref<0xf32>, %x: memref<5xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c0 step %c1 {
    %id = memref.load %ids[%i] : memref<0xi64>
    %r = arith.index_cast %id : i64 to index
    %e = memref.load %v[%i] : memref<0xf32>
    %old = memref.load %x[%r] : memref<5xf32>
    %new = arith.addf %old, %e : f32
    memref.store %new, %x[%r] : memref<5xf32>
  }
  return
}
