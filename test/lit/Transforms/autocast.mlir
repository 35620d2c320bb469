// RUN: thunder-opt %s --thunder-autocast --split-input-file | FileCheck %s
// RUN: thunder-opt %s --thunder-autocast="dtype=f16" --split-input-file | FileCheck %s --check-prefix=F16
// RUN: not thunder-opt %s --thunder-autocast="dtype=f8" --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// A float32 product reads bf16 operands and returns its f32 accumulator.
// CHECK-LABEL: func.func @linear
// CHECK: %[[X:.+]] = thunder.convert %arg0 : tensor<4x8xf32> -> tensor<4x8xbf16>
// CHECK: %[[W:.+]] = thunder.convert %arg1 : tensor<8x16xf32> -> tensor<8x16xbf16>
// CHECK: %[[Y:.+]] = thunder.matmul %[[X]], %[[W]] : tensor<4x8xbf16>, tensor<8x16xbf16> -> tensor<4x16xf32>
// CHECK: thunder.add %[[Y]], %arg2
// F16: thunder.matmul %{{.+}}, %{{.+}} : tensor<4x8xf16>, tensor<8x16xf16> -> tensor<4x16xf32>
// BAD: dtype must be bf16 or f16, got 'f8'
func.func @linear(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = thunder.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %1 = thunder.add %0, %b : tensor<4x16xf32>
  return %1 : tensor<4x16xf32>
}

// -----

// A product that is already low precision is left alone (idempotent).
// CHECK-LABEL: func.func @already_bf16
// CHECK-NOT: thunder.convert
// CHECK: thunder.matmul %arg0, %arg1 : tensor<4x8xbf16>, tensor<8x16xbf16> -> tensor<4x16xbf16>
func.func @already_bf16(%x: tensor<4x8xbf16>, %w: tensor<8x16xbf16>) -> tensor<4x16xbf16> {
  %0 = thunder.matmul %x, %w : tensor<4x8xbf16>, tensor<8x16xbf16> -> tensor<4x16xbf16>
  return %0 : tensor<4x16xbf16>
}

// -----

// A convolution runs in bf16 and its result is widened back.
// CHECK-LABEL: func.func @conv
// CHECK: %[[C:.+]] = thunder.convolution %{{.+}}, %{{.+}} {{.*}} : tensor<1x4x8x8xbf16>, tensor<6x4x3x3xbf16> -> tensor<1x6x6x6xbf16>
// CHECK: thunder.convert %[[C]] : tensor<1x6x6x6xbf16> -> tensor<1x6x6x6xf32>
func.func @conv(%img: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = thunder.convolution %img, %w {stride = array<i64: 1, 1>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Attention on bf16 q/k/v; a float mask stays f32.
// CHECK-LABEL: func.func @attention
// CHECK: %[[A:.+]] = thunder.attention %{{.+}}, %{{.+}}, %{{.+}} mask %arg3 : tensor<2x4x4xf32> {{.*}} : tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16> -> tensor<2x4x8xbf16>
// CHECK: thunder.convert %[[A]] : tensor<2x4x8xbf16> -> tensor<2x4x8xf32>
func.func @attention(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>, %m: tensor<2x4x4xf32>) -> tensor<2x4x8xf32> {
  %0 = thunder.attention %q, %k, %v mask %m : tensor<2x4x4xf32> {scale = 0.35355339059327373 : f64} : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32> -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}
