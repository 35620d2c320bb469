// @forward with no result.
func.func @forward(%x: tensor<4xf32> {thunder.kind = "input", thunder.name = "x"}) {
  return
}
