// The thunder-lower-to-linalg pipeline on a model with a dynamic batch (as
// the importer writes mlp_dynamic_batch): no thunder op is left, elementwise
// chains are fused, and the result bufferizes with the code generator's
// one-shot-bufferize options.
// RUN: thunder-opt %s --thunder-lower-to-linalg | FileCheck %s
// RUN: thunder-opt %s --thunder-lower-to-linalg \
// RUN:   | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   | FileCheck %s --check-prefix=BUF

// CHECK-LABEL: func.func @forward
// CHECK-SAME: tensor<?x1x28x28xf32> {thunder.kind = "input", thunder.name = "x"}
// CHECK-NOT: thunder.{{[a-z_]+}} %
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<?x1x28x28xf32> into tensor<?x784xf32>
// CHECK: %[[WT:.+]] = linalg.transpose
// CHECK: %[[MM:.+]] = linalg.matmul ins(%[[FLAT]], %[[WT]] : tensor<?x784xf32>, tensor<784x32xf32>)
// Bias broadcast, add and relu: one generic.
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[MM]], %{{.+}} : tensor<?x32xf32>, tensor<32xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.maximumf
// CHECK-NEXT: linalg.yield
// CHECK: linalg.matmul
// CHECK-NOT: thunder.{{[a-z_]+}} %
// CHECK: return

// BUF-LABEL: func.func @forward
// BUF-SAME: memref<?x1x28x28xf32>
// BUF-SAME: -> (memref<?x10xf32>
// BUF-NOT: tensor<
// BUF: return
module attributes {thunder.symbols = {s0 = [1, 4096]}} {
  func.func @forward(%w1: tensor<32x784xf32> {thunder.kind = "param", thunder.name = "0.weight"},
                     %b1: tensor<32xf32> {thunder.kind = "param", thunder.name = "0.bias"},
                     %w2: tensor<10x32xf32> {thunder.kind = "param", thunder.name = "2.weight"},
                     %b2: tensor<10xf32> {thunder.kind = "param", thunder.name = "2.bias"},
                     %x: tensor<?x1x28x28xf32> {thunder.kind = "input", thunder.name = "x"})
      -> (tensor<?x10xf32> {thunder.kind = "output", thunder.name = "linear_1"}) {
    %c0 = arith.constant 0 : index
    %n = tensor.dim %x, %c0 : tensor<?x1x28x28xf32>
    %flat = thunder.reshape %x, %n : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
    %w1t = thunder.permute %w1 {perm = array<i64: 1, 0>} : tensor<32x784xf32> -> tensor<784x32xf32>
    %h = thunder.matmul %flat, %w1t : tensor<?x784xf32>, tensor<784x32xf32> -> tensor<?x32xf32>
    %b1b = thunder.broadcast_in_dim %b1, %n {dims = array<i64: 1>} : tensor<32xf32> -> tensor<?x32xf32>
    %h1 = thunder.add %h, %b1b : tensor<?x32xf32>
    %zero = thunder.constant dense<0.0> : tensor<f32>
    %zb = thunder.broadcast_in_dim %zero, %n {dims = array<i64>} : tensor<f32> -> tensor<?x32xf32>
    %r = thunder.max %h1, %zb : tensor<?x32xf32>
    %w2t = thunder.permute %w2 {perm = array<i64: 1, 0>} : tensor<10x32xf32> -> tensor<32x10xf32>
    %o = thunder.matmul %r, %w2t : tensor<?x32xf32>, tensor<32x10xf32> -> tensor<?x10xf32>
    %b2b = thunder.broadcast_in_dim %b2, %n {dims = array<i64: 1>} : tensor<10xf32> -> tensor<?x10xf32>
    %out = thunder.add %o, %b2b : tensor<?x10xf32>
    return %out : tensor<?x10xf32>
  }
}
