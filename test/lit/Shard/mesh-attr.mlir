// The mesh attribute and sharded_dim: round trip and each verifier rule.
// RUN: thunder-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK: module attributes {thunder_shard.mesh = #thunder_shard.mesh<dp = 2, tp = 4>}
// CHECK: func.func @f(%{{.*}}: tensor<4x3xf32> {thunder_shard.sharded_dim = 0 : i64})
module attributes {thunder_shard.mesh = #thunder_shard.mesh<dp = 2, tp = 4>} {
  func.func @f(%x: tensor<4x3xf32> {thunder_shard.sharded_dim = 0 : i64}) -> tensor<4x3xf32> {
    return %x : tensor<4x3xf32>
  }
}

// -----

// Rule (2): sizes are at least 1.
// expected-error @+1 {{mesh axis 'dp' has size 0; sizes are at least 1}}
module attributes {thunder_shard.mesh = #thunder_shard.mesh<dp = 0>} {}

// -----

// Rule (3): the axes thunderc knows.
// expected-error @+1 {{mesh axis 'pp' is not one of dp, tp}}
module attributes {thunder_shard.mesh = #thunder_shard.mesh<pp = 2>} {}

// -----

// Rule (3): each axis once.
// expected-error @+1 {{mesh axis 'dp' is named twice}}
module attributes {thunder_shard.mesh = #thunder_shard.mesh<dp = 2, dp = 2>} {}

// -----

// expected-error @+1 {{thunder_shard.sharded_dim = 2 is not a dimension of 'tensor<4x3xf32>'}}
func.func @g(%x: tensor<4x3xf32> {thunder_shard.sharded_dim = 2 : i64}) -> tensor<4x3xf32> {
  return %x : tensor<4x3xf32>
}
