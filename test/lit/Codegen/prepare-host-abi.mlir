// RUN: thunder-opt %s --thunder-prepare-host-abi | FileCheck %s

// Entry points (public, with a body): read-only tensor arguments and a C interface.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false, thunder.kind = "param"}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false, thunder.kind = "input"}
// CHECK-SAME: attributes {llvm.emit_c_interface}
func.func @forward(%p: tensor<4xf32> {thunder.kind = "param"}, %x: tensor<4xf32> {thunder.kind = "input"}) -> tensor<4xf32> {
  %0 = call @helper(%p, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Private functions and declarations are left alone.
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: bufferization.writable
// CHECK-NOT: llvm.emit_c_interface
func.func private @helper(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
// CHECK-LABEL: func.func private @erff
// CHECK-NOT: llvm.emit_c_interface
func.func private @erff(f32) -> f32
