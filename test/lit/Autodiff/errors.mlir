// RUN: thunder-opt --thunder-autodiff --split-input-file --verify-diagnostics %s

func.func @forward(%g: tensor<1x1x4x4xf32> {thunder.kind = "param", thunder.name = "g"},
                   %x: tensor<1x1x8x8xf32> {thunder.kind = "input", thunder.name = "x"})
    -> (tensor<1x1x8x8xf32> {thunder.kind = "output", thunder.name = "y"}) {
  // expected-error @+1 {{'thunder.max_pool_backward' op has no VJP rule (VJPOpInterface), so it cannot be differentiated}}
  %0 = thunder.max_pool_backward %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x1x4x4xf32>, tensor<1x1x8x8xf32> -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// expected-error @+1 {{thunder-autodiff: the module has no @forward}}
module {
  func.func @main() {
    return
  }
}

// -----

// expected-error @+1 {{thunder-autodiff: the module has a @backward already}}
module {
  func.func @forward() {
    return
  }
  func.func @backward() {
    return
  }
}

// -----

// expected-error @+1 {{argument 0 has no thunder.kind attribute}}
func.func @forward(%x: tensor<2xf32>) -> (tensor<2xf32> {thunder.kind = "output", thunder.name = "y"}) {
  return %x : tensor<2xf32>
}
