// thunder.custom_call: both forms round-trip; one case per verifier error
// (lib/Dialect/Thunder/CustomCallOp.cpp).
// RUN: thunder-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @tensors
// CHECK: %[[R:.+]]:2 = thunder.custom_call @thunder_custom_mylib_mix(%arg0, %arg1) sizes(%arg2) {op_name = "mylib::mix", scalars = [3, 5.000000e-01, true]} : (tensor<?x8xf32>, tensor<8xi64>) -> (tensor<?x8xf32>, tensor<5xf32>)
func.func @tensors(%a: tensor<?x8xf32>, %b: tensor<8xi64>, %n: index) -> (tensor<?x8xf32>, tensor<5xf32>) {
  %r:2 = thunder.custom_call @thunder_custom_mylib_mix(%a, %b) sizes(%n) {op_name = "mylib::mix", scalars = [3, 0.5 : f64, true]} : (tensor<?x8xf32>, tensor<8xi64>) -> (tensor<?x8xf32>, tensor<5xf32>)
  return %r#0, %r#1 : tensor<?x8xf32>, tensor<5xf32>
}

// CHECK-LABEL: func.func @buffers
// CHECK: thunder.custom_call @thunder_custom_mylib_mix(%arg0) outs(%arg1, %arg2 : memref<4x8xf32>, memref<5xf32>) {op_name = "mylib::mix"} : (memref<4x8xf32>) -> ()
func.func @buffers(%a: memref<4x8xf32>, %o0: memref<4x8xf32>, %o1: memref<5xf32>) {
  thunder.custom_call @thunder_custom_mylib_mix(%a) outs(%o0, %o1 : memref<4x8xf32>, memref<5xf32>) {op_name = "mylib::mix"} : (memref<4x8xf32>) -> ()
  return
}

// -----

func.func @callee(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{callee 'mylib_f' must start with 'thunder_custom_'}}
  %r = thunder.custom_call @mylib_f(%a) {op_name = "mylib::f"} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @sizes(%a: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{expects 1 sizes (one per dynamic result dim), got 0}}
  %r = thunder.custom_call @thunder_custom_mylib_f(%a) {op_name = "mylib::f"} : (tensor<?xf32>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

func.func @mixed(%a: tensor<4xf32>, %b: memref<4xf32>, %o: memref<4xf32>) {
  // expected-error @+1 {{inputs must be all tensors or all buffers}}
  thunder.custom_call @thunder_custom_mylib_f(%a, %b) outs(%o : memref<4xf32>) {op_name = "mylib::f"} : (tensor<4xf32>, memref<4xf32>) -> ()
  return
}

// -----

func.func @buffer_results(%a: memref<4xf32>, %o: memref<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{on buffers takes outputs, and no sizes or results}}
  %r = thunder.custom_call @thunder_custom_mylib_f(%a) outs(%o : memref<4xf32>) {op_name = "mylib::f"} : (memref<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @scalar(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{scalar "x" is not an i64, f64 or bool attribute}}
  %r = thunder.custom_call @thunder_custom_mylib_f(%a) {op_name = "mylib::f", scalars = ["x"]} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
