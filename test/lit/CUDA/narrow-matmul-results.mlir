// RUN: thunder-opt %s --thunder-cuda-narrow-matmul-results --canonicalize | FileCheck %s

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>

// A bf16 Linear layer: the f32 product is only read rounded (bias add), so
// the product stores bf16 and the consumer reads it without the truncf.
// CHECK-LABEL: func.func @linear_bias
// CHECK:       %[[FILL:.*]] = linalg.fill ins(%{{.*}} : bf16) outs(%{{.*}} : tensor<8x32xbf16>)
// CHECK:       %[[MM:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<8x16xbf16>, tensor<16x32xbf16>) outs(%[[FILL]] : tensor<8x32xbf16>)
// CHECK-NEXT:  ^bb0(%[[X:.*]]: bf16, %[[Y:.*]]: bf16, %[[ACC:.*]]: bf16):
// CHECK-NEXT:    %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : bf16
// CHECK-NEXT:    %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : bf16
// CHECK-NEXT:    linalg.yield %[[S]]
// CHECK:       linalg.generic {{.*}} ins(%arg2, %[[MM]] : tensor<32xbf16>, tensor<8x32xbf16>)
// CHECK-NEXT:  ^bb0(%[[B:.*]]: bf16, %[[V:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NOT:     arith.truncf
// CHECK:         arith.addf %[[B]], %[[V]] : bf16
func.func @linear_bias(%x: tensor<8x16xbf16>, %w: tensor<16x32xbf16>, %bias: tensor<32xbf16>) -> tensor<8x32xbf16> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %mm = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<8x16xbf16>, tensor<16x32xbf16>) outs(%f : tensor<8x32xf32>) {
  ^bb0(%p: bf16, %q: bf16, %acc: f32):
    %pe = arith.extf %p : bf16 to f32
    %qe = arith.extf %q : bf16 to f32
    %m = arith.mulf %pe, %qe : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x32xf32>
  %o = tensor.empty() : tensor<8x32xbf16>
  %y = linalg.generic {indexing_maps = [#bias, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias, %mm : tensor<32xbf16>, tensor<8x32xf32>) outs(%o : tensor<8x32xbf16>) {
  ^bb0(%bv: bf16, %v: f32, %out: bf16):
    %t = arith.truncf %v : f32 to bf16
    %r = arith.addf %bv, %t : bf16
    linalg.yield %r : bf16
  } -> tensor<8x32xbf16>
  return %y : tensor<8x32xbf16>
}

// A consumer that uses the f32 value itself (no rounding first) keeps the
// f32 product: narrowing would change its values.
// CHECK-LABEL: func.func @read_unrounded
// CHECK:       outs(%{{.*}} : tensor<8x32xf32>)
// CHECK-NOT:   tensor<8x32xbf16>)
func.func @read_unrounded(%x: tensor<8x16xbf16>, %w: tensor<16x32xbf16>) -> tensor<8x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x32xf32>) -> tensor<8x32xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<8x16xbf16>, tensor<16x32xbf16>) outs(%f : tensor<8x32xf32>) -> tensor<8x32xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<8x32xf32>) outs(%e : tensor<8x32xf32>) {
  ^bb0(%v: f32, %out: f32):
    %r = arith.mulf %v, %v : f32
    linalg.yield %r : f32
  } -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// A product that accumulates into a non-zero start stays as it is.
// CHECK-LABEL: func.func @accumulates
// CHECK:       linalg.matmul {{.*}} outs(%arg2 : tensor<8x32xf32>)
func.func @accumulates(%x: tensor<8x16xbf16>, %w: tensor<16x32xbf16>, %c: tensor<8x32xf32>) -> tensor<8x32xbf16> {
  %mm = linalg.matmul ins(%x, %w : tensor<8x16xbf16>, tensor<16x32xbf16>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  %o = tensor.empty() : tensor<8x32xbf16>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<8x32xf32>) outs(%o : tensor<8x32xbf16>) {
  ^bb0(%v: f32, %out: bf16):
    %t = arith.truncf %v : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<8x32xbf16>
  return %y : tensor<8x32xbf16>
}
