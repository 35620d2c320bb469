// y = w * x with a hand-written backward: forward saves x and w (arguments,
// so thunder-fresh-results copies them), backward returns dL/dw = g * x and
// dL/dx = g * w.
#id = affine_map<(d0) -> (d0)>
module {
  func.func @forward(
      %w: tensor<3xf32> {thunder.kind = "param", thunder.name = "w", thunder.init = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>},
      %x: tensor<3xf32> {thunder.kind = "input", thunder.name = "x"})
      -> (tensor<3xf32> {thunder.kind = "output", thunder.name = "y"},
          tensor<3xf32> {thunder.kind = "saved", thunder.name = "x"},
          tensor<3xf32> {thunder.kind = "saved", thunder.name = "w"}) {
    %e = tensor.empty() : tensor<3xf32>
    %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
        ins(%w, %x : tensor<3xf32>, tensor<3xf32>) outs(%e : tensor<3xf32>) {
      ^bb0(%a: f32, %b: f32, %o: f32):
        %m = arith.mulf %a, %b : f32
        linalg.yield %m : f32
    } -> tensor<3xf32>
    return %y, %x, %w : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
  }
  func.func @backward(
      %sx: tensor<3xf32> {thunder.kind = "saved"},
      %sw: tensor<3xf32> {thunder.kind = "saved"},
      %g: tensor<3xf32> {thunder.kind = "cotangent", thunder.name = "y"})
      -> (tensor<3xf32> {thunder.kind = "grad_param", thunder.name = "w"},
          tensor<3xf32> {thunder.kind = "grad_input", thunder.name = "x"}) {
    %e = tensor.empty() : tensor<3xf32>
    %gw, %gx = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel"]}
        ins(%g, %sx, %sw : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) outs(%e, %e : tensor<3xf32>, tensor<3xf32>) {
      ^bb0(%a: f32, %b: f32, %c: f32, %o: f32, %o2: f32):
        %m = arith.mulf %a, %b : f32
        %n = arith.mulf %a, %c : f32
        linalg.yield %m, %n : f32, f32
    } -> (tensor<3xf32>, tensor<3xf32>)
    return %gw, %gx : tensor<3xf32>, tensor<3xf32>
  }
}
