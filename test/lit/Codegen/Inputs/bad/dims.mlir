func.func @forward(%x: tensor<?x4xf32> {thunder.kind = "input", thunder.name = "x", thunder.dims = ["s0"]}) -> (tensor<?x4xf32> {thunder.kind = "output"}) {
  return %x : tensor<?x4xf32>
}
