func.func @forward(%x: tensor<4xcomplex<f32>> {thunder.kind = "input", thunder.name = "x"}) -> (tensor<4xcomplex<f32>> {thunder.kind = "output"}) {
  return %x : tensor<4xcomplex<f32>>
}
