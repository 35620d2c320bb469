// A small model in linalg on tensors with the argument/result attributes of
// docs/dialect.md: y = relu(x @ W^T + b) for a dynamic batch, and a mutated
// buffer (a running count incremented by each call).
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#s = affine_map<(d0) -> (d0)>
module attributes {thunder.symbols = {s0 = [1, 1024]}} {
  func.func @forward(
      %w: tensor<4x3xf32> {thunder.kind = "param", thunder.name = "fc.weight",
                           thunder.init = dense<[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]> : tensor<4x3xf32>},
      %b: tensor<4xf32> {thunder.kind = "param", thunder.name = "fc.bias",
                         thunder.init = dense<[0.5, -0.5, 0.0, -10.0]> : tensor<4xf32>},
      %count: tensor<1xi64> {thunder.kind = "buffer", thunder.name = "calls", thunder.persistent = true},
      %x: tensor<?x3xf32> {thunder.kind = "input", thunder.name = "x", thunder.dims = ["s0", 3]})
      -> (tensor<?x4xf32> {thunder.kind = "output", thunder.name = "relu", thunder.dims = ["s0", 4]},
          tensor<1xi64> {thunder.kind = "mutated_buffer", thunder.name = "calls"}) {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %n = tensor.dim %x, %c0 : tensor<?x3xf32>
    %et = tensor.empty() : tensor<3x4xf32>
    %wt = linalg.transpose ins(%w : tensor<4x3xf32>) outs(%et : tensor<3x4xf32>) permutation = [1, 0]
    %e = tensor.empty(%n) : tensor<?x4xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
    %mm = linalg.matmul ins(%x, %wt : tensor<?x3xf32>, tensor<3x4xf32>) outs(%f : tensor<?x4xf32>) -> tensor<?x4xf32>
    %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
        ins(%mm, %b : tensor<?x4xf32>, tensor<4xf32>) outs(%e : tensor<?x4xf32>) {
      ^bb0(%a: f32, %bb: f32, %o: f32):
        %s = arith.addf %a, %bb : f32
        %r = arith.maximumf %s, %zero : f32
        linalg.yield %r : f32
    } -> tensor<?x4xf32>
    %ec = tensor.empty() : tensor<1xi64>
    %one = arith.constant 1 : i64
    %c2 = linalg.generic {indexing_maps = [#s, #s], iterator_types = ["parallel"]}
        ins(%count : tensor<1xi64>) outs(%ec : tensor<1xi64>) {
      ^bb0(%a: i64, %o: i64):
        %s = arith.addi %a, %one : i64
        linalg.yield %s : i64
    } -> tensor<1xi64>
    return %y, %c2 : tensor<?x4xf32>, tensor<1xi64>
  }
}
