// LayerNorm as the importer writes it (keepdim reductions, broadcasts of the
// [4, 16, 1] statistics): after thunder-lower-to-linalg it is two reductions
// and one elementwise generic. The statistics are read as [4, 16] (no
// expand_shape left for reshape propagation to push into the reductions) and
// (x - mean)^2 is computed inside the variance reduction, not materialised.
// RUN: thunder-opt %s --thunder-lower-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @forward
// CHECK-NOT:   tensor.expand_shape
// CHECK:       %[[MEAN:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg2 : tensor<4x16x64xbf16>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK:       %[[VAR:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg2, %[[MEAN]] : tensor<4x16x64xbf16>, tensor<4x16xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK:         arith.subf
// CHECK:         arith.mulf
// CHECK:         arith.addf
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg2, %[[MEAN]], %[[VAR]], %arg0, %arg1 :
// CHECK:         math.rsqrt
// CHECK-NOT:   linalg.generic
// CHECK:       return
module attributes {thunder.symbols = {}} {
  func.func @forward(%arg0: tensor<64xbf16> {thunder.kind = "param", thunder.name = "ln.weight"}, %arg1: tensor<64xbf16> {thunder.kind = "param", thunder.name = "ln.bias"}, %arg2: tensor<4x16x64xbf16> {thunder.kind = "input", thunder.name = "x"}) -> (tensor<4x16x64xbf16> {thunder.kind = "output", thunder.name = "layer_norm"}) {
    %0 = thunder.constant dense<9.99999974E-6> : tensor<f32>
    %1 = thunder.constant dense<6.400000e+01> : tensor<f32>
    %2 = thunder.convert %arg2 : tensor<4x16x64xbf16> -> tensor<4x16x64xf32>
    %3 = thunder.reduce_sum %2 {dims = array<i64: 2>, keepdim = true} : tensor<4x16x64xf32> -> tensor<4x16x1xf32>
    %4 = thunder.broadcast_in_dim %1 {dims = array<i64>} : tensor<f32> -> tensor<4x16x1xf32>
    %5 = thunder.div %3, %4 : tensor<4x16x1xf32>
    %6 = thunder.broadcast_in_dim %5 {dims = array<i64: 0, 1, 2>} : tensor<4x16x1xf32> -> tensor<4x16x64xf32>
    %7 = thunder.sub %2, %6 : tensor<4x16x64xf32>
    %8 = thunder.mul %7, %7 : tensor<4x16x64xf32>
    %9 = thunder.reduce_sum %8 {dims = array<i64: 2>, keepdim = true} : tensor<4x16x64xf32> -> tensor<4x16x1xf32>
    %10 = thunder.div %9, %4 : tensor<4x16x1xf32>
    %11 = thunder.broadcast_in_dim %0 {dims = array<i64>} : tensor<f32> -> tensor<4x16x1xf32>
    %12 = thunder.add %10, %11 : tensor<4x16x1xf32>
    %13 = thunder.rsqrt %12 : tensor<4x16x1xf32>
    %14 = thunder.broadcast_in_dim %13 {dims = array<i64: 0, 1, 2>} : tensor<4x16x1xf32> -> tensor<4x16x64xf32>
    %15 = thunder.mul %7, %14 : tensor<4x16x64xf32>
    %16 = thunder.convert %arg0 : tensor<64xbf16> -> tensor<64xf32>
    %17 = thunder.broadcast_in_dim %16 {dims = array<i64: 2>} : tensor<64xf32> -> tensor<4x16x64xf32>
    %18 = thunder.mul %15, %17 : tensor<4x16x64xf32>
    %19 = thunder.convert %arg1 : tensor<64xbf16> -> tensor<64xf32>
    %20 = thunder.broadcast_in_dim %19 {dims = array<i64: 2>} : tensor<64xf32> -> tensor<4x16x64xf32>
    %21 = thunder.add %18, %20 : tensor<4x16x64xf32>
    %22 = thunder.convert %21 : tensor<4x16x64xf32> -> tensor<4x16x64xbf16>
    return %22 : tensor<4x16x64xbf16>
  }
}


