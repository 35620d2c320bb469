// reshape, permute, broadcast_in_dim, slice, concat, pad, reverse.
// RUN: thunder-opt %s --convert-thunder-to-linalg | FileCheck %s

// CHECK-DAG: #[[BCAST:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ADD:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[REV:.+]] = affine_map<(d0, d1) -> (-d0 + 3, d1)>
// CHECK-DAG: #[[PERM:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// A dynamic batch flattened (mlp_dynamic_batch): one collapse_shape.
// CHECK-LABEL: func.func @reshape_collapse
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<?x1x28x28xf32> into tensor<?x784xf32>
func.func @reshape_collapse(%x: tensor<?x1x28x28xf32>, %n: index) -> tensor<?x784xf32> {
  %0 = thunder.reshape %x, %n : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}

// CHECK-LABEL: func.func @reshape_expand
// CHECK-SAME: %[[N:[a-z0-9]+]]: index)
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [%[[N]], 4, 16] : tensor<?x64xf32> into tensor<?x4x16xf32>
func.func @reshape_expand(%x: tensor<?x64xf32>, %n: index) -> tensor<?x4x16xf32> {
  %0 = thunder.reshape %x, %n : tensor<?x64xf32> -> tensor<?x4x16xf32>
  return %0 : tensor<?x4x16xf32>
}

// No common grouping (or several dynamic dims): through 1-D, with the size
// operands as the extents.
// CHECK-LABEL: func.func @reshape_through_1d
// CHECK-SAME: %[[A:[a-z0-9]+]]: index, %[[B:[a-z0-9]+]]: index)
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<?x?xf32> into tensor<?xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2]] output_shape [%[[A]], 2, %[[B]]] : tensor<?xf32> into tensor<?x2x?xf32>
func.func @reshape_through_1d(%x: tensor<2x3xf32>, %y: tensor<?x?xf32>, %a: index, %b: index) -> (tensor<3x2xf32>, tensor<?x2x?xf32>) {
  %0 = thunder.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = thunder.reshape %y, %a, %b : tensor<?x?xf32> -> tensor<?x2x?xf32>
  return %0, %1 : tensor<3x2xf32>, tensor<?x2x?xf32>
}

// CHECK-LABEL: func.func @reshape_scalar
// CHECK: tensor.expand_shape %{{.+}} [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @reshape_scalar(%x: tensor<f32>) -> tensor<1x1xf32> {
  %0 = thunder.reshape %x : tensor<f32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// CHECK-LABEL: func.func @permute
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x?x4xf32>) outs(%{{.+}} : tensor<4x2x?xf32>) permutation = [2, 0, 1]
func.func @permute(%x: tensor<2x?x4xf32>) -> tensor<4x2x?xf32> {
  %0 = thunder.permute %x {perm = array<i64: 2, 0, 1>} : tensor<2x?x4xf32> -> tensor<4x2x?xf32>
  return %0 : tensor<4x2x?xf32>
}

// A linalg.generic (it fuses into consumers) whose map sends operand dim i
// to result dim dims[i], reads index 0 of a broadcast extent-1 dim, and may
// reorder dims.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: %[[N:[a-z0-9]+]]: index)
// CHECK: %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ADD]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.+}} : tensor<3xf32>) outs(%[[E]] : tensor<?x3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[BCAST]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.+}} : tensor<2x1xf32>) outs(%{{.+}} : tensor<2x?xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[PERM]], #[[ID3]]]
func.func @broadcast(%x: tensor<3xf32>, %y: tensor<2x1xf32>, %z: tensor<4x5xf32>, %n: index)
    -> (tensor<?x3xf32>, tensor<2x?xf32>, tensor<5x7x4xf32>) {
  %0 = thunder.broadcast_in_dim %x, %n {dims = array<i64: 1>} : tensor<3xf32> -> tensor<?x3xf32>
  %1 = thunder.broadcast_in_dim %y, %n {dims = array<i64: 0, 1>} : tensor<2x1xf32> -> tensor<2x?xf32>
  %2 = thunder.broadcast_in_dim %z {dims = array<i64: 2, 0>} : tensor<4x5xf32> -> tensor<5x7x4xf32>
  return %0, %1, %2 : tensor<?x3xf32>, tensor<2x?xf32>, tensor<5x7x4xf32>
}

// Static dims: static slice sizes; a dynamic dim: its size computed with the
// limit clamped to the extent.
// CHECK-LABEL: func.func @slice
// CHECK: %[[D:.+]] = tensor.dim %{{.+}}, %{{.+}} : tensor<?x8xf32>
// CHECK: %[[END:.+]] = arith.minsi %[[D]], %{{.+}} : index
// CHECK: %[[SIZE:.+]] = arith.divui
// CHECK: tensor.extract_slice %{{.+}}[1, 0] [%[[SIZE]], 3] [2, 3] : tensor<?x8xf32> to tensor<?x3xf32>
func.func @slice(%x: tensor<?x8xf32>) -> tensor<?x3xf32> {
  %0 = thunder.slice %x {start = array<i64: 1, 0>, limit = array<i64: 9223372036854775807, 8>, step = array<i64: 2, 3>} : tensor<?x8xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// An empty slice at the end of a dimension (x[..., 16:] of 16: Phi-3's rotary
// split when rotary_dim is the head size) starts at 0: extract_slice's
// verifier rejects offset 16 of 16 even for size 0.
// CHECK-LABEL: func.func @slice_empty_at_end
// CHECK: tensor.extract_slice %{{.+}}[0, 0] [2, 0] [1, 1] : tensor<2x16xf32> to tensor<2x0xf32>
func.func @slice_empty_at_end(%x: tensor<2x16xf32>) -> tensor<2x0xf32> {
  %0 = thunder.slice %x {start = array<i64: 0, 16>, limit = array<i64: 2, 9223372036854775807>, step = array<i64: 1, 1>} : tensor<2x16xf32> -> tensor<2x0xf32>
  return %0 : tensor<2x0xf32>
}

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.+]]: tensor<?x3xf32>, %[[B:.+]]: tensor<2x3xf32>)
// CHECK: %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?x3xf32>
// CHECK: %[[R1:.+]] = tensor.insert_slice %[[A]] into %[[E]]
// CHECK: tensor.insert_slice %[[B]] into %[[R1]][%{{.+}}, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<?x3xf32>
func.func @concat(%a: tensor<?x3xf32>, %b: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %0 = thunder.concat %a, %b {dim = 0 : i64} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// Negative amounts slice first; the padding value is the rank-0 operand.
// CHECK-LABEL: func.func @pad
// CHECK: %[[V:.+]] = tensor.extract %{{.+}}[] : tensor<f32>
// CHECK: %[[S:.+]] = tensor.extract_slice %{{.+}}[0, 1] [3, 4] [1, 1] : tensor<4x5xf32> to tensor<3x4xf32>
// CHECK: tensor.pad %[[S]] low[2, 0] high[0, 0]
// CHECK: tensor.yield %[[V]] : f32
// CHECK: tensor<3x4xf32> to tensor<5x4xf32>
func.func @pad(%x: tensor<4x5xf32>, %p: tensor<f32>) -> tensor<5x4xf32> {
  %0 = thunder.pad %x, %p {low = array<i64: 2, -1>, high = array<i64: -1, 0>} : tensor<4x5xf32>, tensor<f32> -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// A static reversed dim: the map reads n - 1 - d; a dynamic one:
// tensor.extract at dim - 1 - d.
// CHECK-LABEL: func.func @reverse
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #[[ID]]]
// CHECK: linalg.generic {indexing_maps = [#[[ID]]]
// CHECK: %[[J:.+]] = linalg.index 1 : index
// CHECK: %[[LAST:.+]] = arith.subi %{{.+}}, %{{.+}} : index
// CHECK: %[[R:.+]] = arith.subi %[[LAST]], %[[J]] : index
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %[[R]]] : tensor<4x?xf32>
func.func @reverse(%x: tensor<4x?xf32>) -> (tensor<4x?xf32>, tensor<4x?xf32>) {
  %0 = thunder.reverse %x {dims = array<i64: 0>} : tensor<4x?xf32>
  %1 = thunder.reverse %x {dims = array<i64: 1>} : tensor<4x?xf32>
  return %0, %1 : tensor<4x?xf32>, tensor<4x?xf32>
}
