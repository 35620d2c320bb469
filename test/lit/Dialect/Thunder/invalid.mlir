// One case per verifier error of lib/Dialect/Thunder/ThunderOps.cpp.
// RUN: thunder-opt %s -split-input-file -verify-diagnostics

func.func @full_value_type() -> tensor<4xf32> {
  // expected-error @+1 {{value type 'i64' differs from the element type 'f32'}}
  %0 = thunder.full {value = 0 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @full_dynamic_sizes() -> tensor<?x4xf32> {
  // expected-error @+1 {{expects 1 dynamic size operands (one per '?' of the result), got 0}}
  %0 = thunder.full {value = 0.0 : f32} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @iota_dim() -> tensor<5xi64> {
  // expected-error @+1 {{dim 1 out of range [0, 1)}}
  %0 = thunder.iota {dim = 1 : i64} : tensor<5xi64>
  return %0 : tensor<5xi64>
}

// -----

func.func @iota_dynamic_sizes(%n: index) -> tensor<5xi64> {
  // expected-error @+1 {{expects 0 dynamic size operands (one per '?' of the result), got 1}}
  %0 = thunder.iota %n {dim = 0 : i64} : tensor<5xi64>
  return %0 : tensor<5xi64>
}

// -----

func.func @reduce_dim_range(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{reduced dim 2 out of range [0, 2)}}
  %0 = thunder.reduce_sum %x {dims = array<i64: 2>} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_dim_repeated(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{reduced dim 1 repeated}}
  %0 = thunder.reduce_sum %x {dims = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_element_type(%x: tensor<2x3xf32>) -> tensor<2xf64> {
  // expected-error @+1 {{operand and result element types differ: 'f32' vs 'f64'}}
  %0 = thunder.reduce_sum %x {dims = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

func.func @reduce_rank(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{expects result rank 1, got 2}}
  %0 = thunder.reduce_max %x {dims = array<i64: 1>} : tensor<2x3xf32> -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @reduce_extent(%x: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{result dim 1 is 2, expected 3}}
  %0 = thunder.reduce_min %x {dims = array<i64: 0>, keepdim = true} : tensor<2x3xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @argmax_dim(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{dim -1 out of range [0, 2)}}
  %0 = thunder.argmax %x {dim = -1 : i64} : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @cumsum_dim(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{dim 2 out of range [0, 2)}}
  %0 = thunder.cumsum %x {dim = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) -> tensor<6xf16> {
  // expected-error @+1 {{operand and result element types differ: 'f32' vs 'f16'}}
  %0 = thunder.reshape %x : tensor<2x3xf32> -> tensor<6xf16>
  return %0 : tensor<6xf16>
}

// -----

func.func @reshape_dynamic_sizes(%x: tensor<?x3xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{expects 1 dynamic size operands (one per '?' of the result), got 0}}
  %0 = thunder.reshape %x : tensor<?x3xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{changes the number of elements from 6 to 7}}
  %0 = thunder.reshape %x : tensor<2x3xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @permute_size(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm has 3 entries for rank 2}}
  %0 = "thunder.permute"(%x) <{perm = array<i64: 1, 0, 2>}> : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @permute_repeated(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{perm entry 0 repeated}}
  %0 = "thunder.permute"(%x) <{perm = array<i64: 0, 0>}> : (tensor<2x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @broadcast_element_type(%x: tensor<3xf32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{operand and result element types differ: 'f32' vs 'i32'}}
  %0 = thunder.broadcast_in_dim %x {dims = array<i64: 1>} : tensor<3xf32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @broadcast_dims_size(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{dims has 2 entries for operand rank 1}}
  %0 = thunder.broadcast_in_dim %x {dims = array<i64: 0, 1>} : tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @broadcast_dims_range(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{dims entry 2 out of range [0, 2)}}
  %0 = thunder.broadcast_in_dim %x {dims = array<i64: 2>} : tensor<3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @broadcast_extent(%x: tensor<3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{operand dim 0 (extent 3) cannot broadcast to result dim 1 (extent 2)}}
  %0 = thunder.broadcast_in_dim %x {dims = array<i64: 1>} : tensor<3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @broadcast_dynamic_sizes(%x: tensor<3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{expects 1 dynamic size operands (one per '?' of the result), got 0}}
  %0 = thunder.broadcast_in_dim %x {dims = array<i64: 1>} : tensor<3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @slice_entries(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{start, limit and step need one entry per dimension (1)}}
  %0 = thunder.slice %x {start = array<i64: 0, 0>, limit = array<i64: 2>, step = array<i64: 1>} : tensor<4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @slice_step(%x: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{step 0 of dim 0 is not positive}}
  %0 = thunder.slice %x {start = array<i64: 0>, limit = array<i64: 2>, step = array<i64: 0>} : tensor<4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @slice_range(%x: tensor<4xf32>) -> tensor<0xf32> {
  // expected-error @+1 {{bad range [3, 2) in dim 0}}
  %0 = thunder.slice %x {start = array<i64: 3>, limit = array<i64: 2>, step = array<i64: 1>} : tensor<4xf32> -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

func.func @slice_start(%x: tensor<4xf32>) -> tensor<0xf32> {
  // expected-error @+1 {{start 5 past extent 4 in dim 0}}
  %0 = thunder.slice %x {start = array<i64: 5>, limit = array<i64: 6>, step = array<i64: 1>} : tensor<4xf32> -> tensor<0xf32>
  return %0 : tensor<0xf32>
}

// -----

func.func @slice_element_type(%x: tensor<4xf32>) -> tensor<2xf64> {
  // expected-error @+1 {{operand and result element types differ: 'f32' vs 'f64'}}
  %0 = thunder.slice %x {start = array<i64: 0>, limit = array<i64: 2>, step = array<i64: 1>} : tensor<4xf32> -> tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

func.func @concat_empty() -> tensor<2xf32> {
  // The SameOperandsElementType trait checks this before the verifier ("needs at least one input").
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %0 = "thunder.concat"() <{dim = 0 : i64}> : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_dim(%x: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{dim 1 out of range [0, 1)}}
  %0 = thunder.concat %x, %x {dim = 1 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concat_rank(%x: tensor<2xf32>, %y: tensor<2x1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input of rank 2 does not match result rank 1}}
  %0 = thunder.concat %x, %y {dim = 0 : i64} : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concat_other_dim(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{input dim 1 differs from the result}}
  %0 = thunder.concat %x, %y {dim = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @concat_extent(%x: tensor<2xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{result extent along dim 0 should be 4}}
  %0 = thunder.concat %x, %x {dim = 0 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @pad_entries(%x: tensor<2xf32>, %p: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{low and high need one entry per dimension (1)}}
  %0 = thunder.pad %x, %p {low = array<i64: 1, 1>, high = array<i64: 1>} : tensor<2xf32>, tensor<f32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @pad_value_rank(%x: tensor<2xf32>, %p: tensor<1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{padding value must be a rank-0 tensor}}
  %0 = thunder.pad %x, %p {low = array<i64: 1>, high = array<i64: 1>} : tensor<2xf32>, tensor<1xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @pad_value_type(%x: tensor<2xf32>, %p: tensor<f16>) -> tensor<4xf32> {
  // expected-error @+1 {{operand and padding value element types differ: 'f32' vs 'f16'}}
  %0 = thunder.pad %x, %p {low = array<i64: 1>, high = array<i64: 1>} : tensor<2xf32>, tensor<f16> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @pad_shape(%x: tensor<2xf32>, %p: tensor<f32>) -> tensor<5xf32> {
  // expected-error @+1 {{result dim 0 is 5, expected 4}}
  %0 = thunder.pad %x, %p {low = array<i64: 1>, high = array<i64: 1>} : tensor<2xf32>, tensor<f32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @reverse_dims(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{reversed dim 2 out of range [0, 2)}}
  %0 = thunder.reverse %x {dims = array<i64: 2>} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @bitcast_width(%x: tensor<4xf32>) -> tensor<4xi64> {
  // expected-error @+1 {{cannot reinterpret 'f32' as 'i64': both need one width, above 1 bit}}
  %0 = thunder.bitcast %x : tensor<4xf32> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @gather_rank(%x: tensor<5x6xf32>, %i: tensor<5xi64>) -> tensor<5xf32> {
  // expected-error @+1 {{index rank 1 differs from operand rank 2}}
  %0 = thunder.gather %x[%i] {dim = 1 : i64} : tensor<5x6xf32>, tensor<5xi64> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @gather_dim(%x: tensor<5x6xf32>, %i: tensor<5x2xi64>) -> tensor<5x2xf32> {
  // expected-error @+1 {{dim 2 out of range [0, 2)}}
  %0 = thunder.gather %x[%i] {dim = 2 : i64} : tensor<5x6xf32>, tensor<5x2xi64> -> tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}

// -----

func.func @gather_element_type(%x: tensor<5x6xf32>, %i: tensor<5x2xi64>) -> tensor<5x2xf64> {
  // expected-error @+1 {{operand and result element types differ: 'f32' vs 'f64'}}
  %0 = thunder.gather %x[%i] {dim = 1 : i64} : tensor<5x6xf32>, tensor<5x2xi64> -> tensor<5x2xf64>
  return %0 : tensor<5x2xf64>
}

// -----

func.func @index_select_rank(%x: tensor<5x6xf32>, %i: tensor<2x2xi64>) -> tensor<5x4xf32> {
  // expected-error @+1 {{index must be 1-D, got rank 2}}
  %0 = thunder.index_select %x[%i] {dim = 1 : i64} : tensor<5x6xf32>, tensor<2x2xi64> -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @index_empty(%x: tensor<5x6xf32>) -> tensor<5x6xf32> {
  // expected-error @+1 {{needs at least one index tensor}}
  %0 = "thunder.index"(%x) <{start_dim = 0 : i64}> : (tensor<5x6xf32>) -> tensor<5x6xf32>
  return %0 : tensor<5x6xf32>
}

// -----

func.func @index_range(%x: tensor<5x6xf32>, %i: tensor<3xi64>) -> tensor<5x3xf32> {
  // expected-error @+1 {{indexes dims [2, 3) of a rank-2 operand}}
  %0 = thunder.index %x[%i] {start_dim = 2 : i64} : tensor<5x6xf32>, tensor<3xi64> -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

func.func @index_shapes(%x: tensor<5x6xf32>, %i: tensor<3xi64>, %j: tensor<4xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{index tensors must have one shape}}
  %0 = thunder.index %x[%i, %j] {start_dim = 0 : i64} : tensor<5x6xf32>, tensor<3xi64>, tensor<4xi64> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @index_result(%x: tensor<5x6xf32>, %i: tensor<3xi64>) -> tensor<3x5xf32> {
  // expected-error @+1 {{result dim 1 is 5, expected 6}}
  %0 = thunder.index %x[%i] {start_dim = 0 : i64} : tensor<5x6xf32>, tensor<3xi64> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @index_put_values(%x: tensor<5x6xf32>, %i: tensor<3xi64>, %v: tensor<3xf32>) -> tensor<5x6xf32> {
  // expected-error @+1 {{values must have rank 2}}
  %0 = thunder.index_put %x[%i], %v {start_dim = 0 : i64} : tensor<5x6xf32>, (tensor<3xi64>), tensor<3xf32> -> tensor<5x6xf32>
  return %0 : tensor<5x6xf32>
}

// -----

func.func @index_put_result(%x: tensor<5x6xf32>, %i: tensor<3xi64>, %v: tensor<3x6xf32>) -> tensor<5x6xf64> {
  // expected-error @+1 {{result type must be the operand type}}
  %0 = thunder.index_put %x[%i], %v {start_dim = 0 : i64} : tensor<5x6xf32>, (tensor<3xi64>), tensor<3x6xf32> -> tensor<5x6xf64>
  return %0 : tensor<5x6xf64>
}

// -----

func.func @scatter_rank(%x: tensor<5x6xf32>, %i: tensor<5xi64>, %s: tensor<5x2xf32>) -> tensor<5x6xf32> {
  // expected-error @+1 {{operand, index and src must have one rank}}
  %0 = thunder.scatter %x[%i], %s {dim = 1 : i64} : tensor<5x6xf32>, tensor<5xi64>, tensor<5x2xf32> -> tensor<5x6xf32>
  return %0 : tensor<5x6xf32>
}

// -----

func.func @scatter_result(%x: tensor<5x6xf32>, %i: tensor<5x2xi64>, %s: tensor<5x2xf32>) -> tensor<5x7xf32> {
  // expected-error @+1 {{result type must be the operand type}}
  %0 = thunder.scatter %x[%i], %s {dim = 1 : i64} : tensor<5x6xf32>, tensor<5x2xi64>, tensor<5x2xf32> -> tensor<5x7xf32>
  return %0 : tensor<5x7xf32>
}

// -----

func.func @scatter_dim(%x: tensor<5x6xf32>, %i: tensor<5x2xi64>, %s: tensor<5x2xf32>) -> tensor<5x6xf32> {
  // expected-error @+1 {{dim 3 out of range [0, 2)}}
  %0 = thunder.scatter %x[%i], %s {dim = 3 : i64} : tensor<5x6xf32>, tensor<5x2xi64>, tensor<5x2xf32> -> tensor<5x6xf32>
  return %0 : tensor<5x6xf32>
}

// -----

func.func @sort_values(%x: tensor<5x6xf32>) -> (tensor<5x6xf64>, tensor<5x6xi64>) {
  // expected-error @+1 {{values must have the operand type}}
  %0, %1 = thunder.sort %x {dim = 1 : i64} : tensor<5x6xf32> -> tensor<5x6xf64>, tensor<5x6xi64>
  return %0, %1 : tensor<5x6xf64>, tensor<5x6xi64>
}

// -----

func.func @sort_indices(%x: tensor<5x6xf32>) -> (tensor<5x6xf32>, tensor<5x5xi64>) {
  // expected-error @+1 {{result dim 1 is 5, expected 6}}
  %0, %1 = thunder.sort %x {dim = 1 : i64} : tensor<5x6xf32> -> tensor<5x6xf32>, tensor<5x5xi64>
  return %0, %1 : tensor<5x6xf32>, tensor<5x5xi64>
}

// -----

func.func @matmul_rank(%a: tensor<3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{operands must have one rank >= 2, got 2 and 3}}
  %0 = thunder.matmul %a, %b : tensor<3x4xf32>, tensor<2x4x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{batch dim 0 differs}}
  %0 = thunder.matmul %a, %b : tensor<2x3x4xf32>, tensor<3x4x5xf32> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @matmul_contracting(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{contracting extents differ: 4 vs 5}}
  %0 = thunder.matmul %a, %b : tensor<3x4xf32>, tensor<5x6xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @matmul_result(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{result dim 1 is 6, expected 5}}
  %0 = thunder.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

func.func @conv_rank(%x: tensor<1x4x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6xf32> {
  // expected-error @+1 {{input and weight must have one rank >= 3}}
  %0 = thunder.convolution %x, %w {stride = array<i64: 1>, padding_low = array<i64: 0>, padding_high = array<i64: 0>, dilation = array<i64: 1>, lhs_dilation = array<i64: 1>, groups = 1 : i64} : tensor<1x4x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x6xf32>
  return %0 : tensor<1x6x6xf32>
}

// -----

func.func @conv_window(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{window attributes need 2 entries (one per spatial dim)}}
  %0 = thunder.convolution %x, %w {stride = array<i64: 1>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{groups must be positive}}
  %0 = thunder.convolution %x, %w {stride = array<i64: 1, 1>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 0 : i64} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{input channels 4 != weight channels 3 x groups 1}}
  %0 = thunder.convolution %x, %w {stride = array<i64: 1, 1>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x8x8xf32>, tensor<6x3x3x3xf32> -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_result(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32> {
  // expected-error @+1 {{result dim 2 is 8, expected 6}}
  %0 = thunder.convolution %x, %w {stride = array<i64: 1, 1>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x8x8xf32>
  return %0 : tensor<1x6x8x8xf32>
}

// -----

func.func @pool_dims(%x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{pools 3 dims of a rank-2 input}}
  %0 = thunder.max_pool %x {kernel = array<i64: 2, 2, 2>, stride = array<i64: 2, 2, 2>, padding_low = array<i64: 0, 0, 0>, padding_high = array<i64: 0, 0, 0>, dilation = array<i64: 1, 1, 1>} : tensor<4x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @pool_window(%x: tensor<1x4x4xf32>) -> tensor<1x2x2xf32> {
  // expected-error @+1 {{window attributes need 2 entries}}
  %0 = thunder.avg_pool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, counted_padding_low = array<i64: 0, 0>, counted_padding_high = array<i64: 0, 0>} : tensor<1x4x4xf32> -> tensor<1x2x2xf32>
  return %0 : tensor<1x2x2xf32>
}

// -----

func.func @pool_result(%x: tensor<1x4x4xf32>) -> tensor<1x3x2xf32> {
  // expected-error @+1 {{result dim 1 is 3, expected 2}}
  %0 = thunder.max_pool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x4x4xf32> -> tensor<1x3x2xf32>
  return %0 : tensor<1x3x2xf32>
}

// -----

func.func @pool_backward_type(%g: tensor<1x2x2xf32>, %x: tensor<1x4x4xf32>) -> tensor<1x4x5xf32> {
  // expected-error @+1 {{result must have the input type}}
  %0 = thunder.max_pool_backward %g, %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x2x2xf32>, tensor<1x4x4xf32> -> tensor<1x4x5xf32>
  return %0 : tensor<1x4x5xf32>
}

// -----

func.func @attention_rank(%q: tensor<4xf32>, %k: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{query, key and value must have one rank >= 2}}
  %0 = thunder.attention %q, %k, %v {scale = 1.0 : f64} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @attention_embedding(%q: tensor<6x8xf32>, %k: tensor<7x4xf32>, %v: tensor<7x5xf32>) -> tensor<6x5xf32> {
  // expected-error @+1 {{query and key embedding extents differ}}
  %0 = thunder.attention %q, %k, %v {scale = 1.0 : f64} : tensor<6x8xf32>, tensor<7x4xf32>, tensor<7x5xf32> -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

func.func @attention_sequence(%q: tensor<6x8xf32>, %k: tensor<7x8xf32>, %v: tensor<9x5xf32>) -> tensor<6x5xf32> {
  // expected-error @+1 {{key and value sequence extents differ}}
  %0 = thunder.attention %q, %k, %v {scale = 1.0 : f64} : tensor<6x8xf32>, tensor<7x8xf32>, tensor<9x5xf32> -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

func.func @attention_result(%q: tensor<6x8xf32>, %k: tensor<7x8xf32>, %v: tensor<7x5xf32>) -> tensor<6x8xf32> {
  // expected-error @+1 {{result dim 1 is 8, expected 5}}
  %0 = thunder.attention %q, %k, %v {scale = 1.0 : f64} : tensor<6x8xf32>, tensor<7x8xf32>, tensor<7x5xf32> -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

func.func @permute_range(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm entry 5 out of range [0, 2)}}
  %0 = "thunder.permute"(%x) <{perm = array<i64: 5, 0>}> : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @conv_stride(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{window strides and dilations must be >= 1 and the result extents must fit in int64}}
  %0 = thunder.convolution %x, %w {stride = array<i64: 0, 1>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_extent_overflow(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{window strides and dilations must be >= 1 and the result extents must fit in int64}}
  %0 = thunder.convolution %x, %w {stride = array<i64: 1, 1>, padding_low = array<i64: 9223372036854775807, 0>, padding_high = array<i64: 9223372036854775807, 0>, dilation = array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @pool_stride(%x: tensor<1x4x4xf32>) -> tensor<1x2x2xf32> {
  // expected-error @+1 {{window strides and dilations must be >= 1 and the result extents must fit in int64}}
  %0 = thunder.max_pool %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 0>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>} : tensor<1x4x4xf32> -> tensor<1x2x2xf32>
  return %0 : tensor<1x2x2xf32>
}

// -----

func.func @matmul_narrowed(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xbf16> {
  // expected-error @+1 {{operands and result element types differ: 'f32' vs 'bf16'}}
  %0 = thunder.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x5xbf16>
  return %0 : tensor<3x5xbf16>
}

// -----

func.func @matmul_widened_to_f64(%a: tensor<3x4xbf16>, %b: tensor<4x5xbf16>) -> tensor<3x5xf64> {
  // expected-error @+1 {{operands and result element types differ: 'bf16' vs 'f64'}}
  %0 = thunder.matmul %a, %b : tensor<3x4xbf16>, tensor<4x5xbf16> -> tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}
