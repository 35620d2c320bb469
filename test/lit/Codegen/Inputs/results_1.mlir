// @forward with one result: the input itself (so it is copied).
func.func @forward(%x: tensor<4xf32> {thunder.kind = "input", thunder.name = "x"})
    -> (tensor<4xf32> {thunder.kind = "output", thunder.name = "y"}) {
  return %x : tensor<4xf32>
}
