// Reads are a linalg.generic reading the operand with tensor.extract at
// wrapped indices; writes copy the operand and loop with scf.for.
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[D1:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[D0:.+]] = affine_map<(d0, d1) -> (d0)>

// index[i][j] < 0 wraps by the extent of dim 1.
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[X:.+]]: tensor<5x4xf32>, %[[I:.+]]: tensor<5x2xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], {{.*}}} ins(%[[I]] : tensor<5x2xi64>)
// CHECK: ^bb0(%[[IDX:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[ROW:.+]] = linalg.index 0 : index
// CHECK: %[[C:.+]] = arith.index_cast %[[IDX]] : i64 to index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[C]], %{{.+}} : index
// CHECK: %[[WRAPPED:.+]] = arith.addi %[[C]], %{{.+}} : index
// CHECK: %[[COL:.+]] = arith.select %[[NEG]], %[[WRAPPED]], %[[C]] : index
// CHECK: tensor.extract %[[X]][%[[ROW]], %[[COL]]] : tensor<5x4xf32>
func.func @gather(%x: tensor<5x4xf32>, %i: tensor<5x2xi64>) -> tensor<5x2xf32> {
  %0 = thunder.gather %x[%i] {dim = 1 : i64} : tensor<5x4xf32>, tensor<5x2xi64> -> tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}

// CHECK-LABEL: func.func @index_select
// CHECK: linalg.generic {indexing_maps = [#[[D1]], #[[ID]]]
// CHECK: tensor.extract
func.func @index_select(%x: tensor<5x4xf32>, %i: tensor<3xi32>) -> tensor<5x3xf32> {
  %0 = thunder.index_select %x[%i] {dim = 1 : i64} : tensor<5x4xf32>, tensor<3xi32> -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// Two index tensors for dims 0 and 1 (the second dynamic: it wraps by its
// tensor.dim); dim 2 follows the result's last dim.
// CHECK-LABEL: func.func @index
// CHECK: %[[D:.+]] = tensor.dim %{{.+}}, %{{.+}} : tensor<5x?x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[D0]], #[[D0]], #[[ID]]]
// CHECK: %[[K:.+]] = linalg.index 1 : index
// CHECK: arith.addi %{{.+}}, %[[D]] : index
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %{{.+}}, %[[K]]] : tensor<5x?x3xf32>
func.func @index(%x: tensor<5x?x3xf32>, %a: tensor<2xi64>, %b: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = thunder.index %x[%a, %b] {start_dim = 0 : i64} : tensor<5x?x3xf32>, tensor<2xi64>, tensor<2xi64> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// scatter_add: a copy, then a loop nest over the index positions.
// CHECK-LABEL: func.func @scatter_add
// CHECK: %[[COPY:.+]] = linalg.copy ins(%{{.+}} : tensor<5x4xf32>)
// CHECK: scf.for {{.*}} iter_args(%{{.+}} = %[[COPY]])
// CHECK: scf.for {{.*}} iter_args(%[[T:.+]] = %{{.+}})
// CHECK: %[[OLD:.+]] = tensor.extract %[[T]]
// CHECK: %[[NEW:.+]] = arith.addf %[[OLD]], %{{.+}} : f32
// CHECK: tensor.insert %[[NEW]] into %[[T]]
func.func @scatter_add(%x: tensor<5x4xf32>, %i: tensor<5x2xi64>, %s: tensor<5x2xf32>) -> tensor<5x4xf32> {
  %0 = thunder.scatter %x[%i], %s {dim = 1 : i64, accumulate = true} : tensor<5x4xf32>, tensor<5x2xi64>, tensor<5x2xf32> -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// bf16 scatter_add accumulates in f32: the copy widens, the loop adds widened
// values, the result is rounded once.
// CHECK-LABEL: func.func @scatter_add_bf16
// CHECK: %[[WIDE:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<5x4xbf16>) outs(%{{.+}} : tensor<5x4xf32>)
// CHECK: arith.extf
// CHECK: %[[SUM:.+]] = scf.for {{.*}} iter_args(%{{.+}} = %[[WIDE]]) -> (tensor<5x4xf32>)
// CHECK: scf.for {{.*}} iter_args(%[[T:.+]] = %{{.+}})
// CHECK: %[[V:.+]] = tensor.extract %{{.+}} : tensor<5x2xbf16>
// CHECK: %[[VW:.+]] = arith.extf %[[V]] : bf16 to f32
// CHECK: %[[OLD:.+]] = tensor.extract %[[T]]{{.*}} : tensor<5x4xf32>
// CHECK: %[[NEW:.+]] = arith.addf %[[OLD]], %[[VW]] : f32
// CHECK: tensor.insert %[[NEW]] into %[[T]]
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<5x4xf32>) outs(%{{.+}} : tensor<5x4xbf16>)
// CHECK: arith.truncf
func.func @scatter_add_bf16(%x: tensor<5x4xbf16>, %i: tensor<5x2xi64>, %s: tensor<5x2xbf16>) -> tensor<5x4xbf16> {
  %0 = thunder.scatter %x[%i], %s {dim = 1 : i64, accumulate = true} : tensor<5x4xbf16>, tensor<5x2xi64>, tensor<5x2xbf16> -> tensor<5x4xbf16>
  return %0 : tensor<5x4xbf16>
}

// i8 index_add accumulates in i32 (the same sum modulo 2^8 once truncated).
// CHECK-LABEL: func.func @index_add_i8
// CHECK: arith.extsi %{{.+}} : i8 to i32
// CHECK: scf.for {{.*}} -> (tensor<5xi32>)
// CHECK: arith.addi %{{.+}} : i32
// CHECK: arith.trunci %{{.+}} : i32 to i8
func.func @index_add_i8(%x: tensor<5xi8>, %i: tensor<3xi64>, %v: tensor<3xi8>) -> tensor<5xi8> {
  %0 = "thunder.index_put"(%x, %i, %v) <{accumulate = true, operandSegmentSizes = array<i32: 1, 1, 1>, start_dim = 0 : i64}>
      : (tensor<5xi8>, tensor<3xi64>, tensor<3xi8>) -> tensor<5xi8>
  return %0 : tensor<5xi8>
}

// f16 index_put without accumulate stays in f16 (a copy, no conversion).
// CHECK-LABEL: func.func @index_put_f16
// CHECK: linalg.copy ins(%{{.+}} : tensor<5x4xf16>)
// CHECK-NOT: arith.extf
// CHECK: tensor.insert %{{.+}} : tensor<5x4xf16>
// CHECK-NOT: arith.truncf
// CHECK: return
func.func @index_put_f16(%x: tensor<5x4xf16>, %i: tensor<3xi64>, %v: tensor<3x4xf16>) -> tensor<5x4xf16> {
  %0 = "thunder.index_put"(%x, %i, %v) <{accumulate = false, operandSegmentSizes = array<i32: 1, 1, 1>, start_dim = 0 : i64}>
      : (tensor<5x4xf16>, tensor<3xi64>, tensor<3x4xf16>) -> tensor<5x4xf16>
  return %0 : tensor<5x4xf16>
}

// index_put without accumulate: writes, no read of the old value. (The
// op's custom syntax cannot be parsed with one index tensor: generic form.)
// CHECK-LABEL: func.func @index_put
// CHECK: linalg.copy
// CHECK: scf.for
// CHECK: scf.for
// CHECK-NOT: arith.addf
// CHECK: tensor.insert
func.func @index_put(%x: tensor<5x4xf32>, %i: tensor<3xi64>, %v: tensor<3x4xf32>) -> tensor<5x4xf32> {
  %0 = "thunder.index_put"(%x, %i, %v) <{accumulate = false, operandSegmentSizes = array<i32: 1, 1, 1>, start_dim = 0 : i64}>
      : (tensor<5x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}
