// RUN: thunder-opt --thunder-autodiff --split-input-file %s | FileCheck %s

// A buffer forward does not mutate is passed by reference; one it mutates
// is saved (its old value is gone after the write-back); constants by
// reference.
// CHECK-LABEL: func.func @forward
// CHECK:         return %{{.+}}, %{{.+}}, %arg1 :
// CHECK-LABEL: func.func @backward
// CHECK-SAME:    tensor<3xf32> {thunder.index = 0 : i64, thunder.kind = "saved", thunder.name = "saved_0"}
// CHECK-SAME:    tensor<3xf32> {thunder.index = 0 : i64, thunder.kind = "cotangent", thunder.name = "y"}
// CHECK-SAME:    tensor<3xf32> {thunder.index = 0 : i64, thunder.kind = "buffer", thunder.name = "scale"}
// CHECK-SAME:    tensor<3xf32> {thunder.index = 0 : i64, thunder.kind = "constant", thunder.name = "c0"}
func.func @forward(%scale: tensor<3xf32> {thunder.kind = "buffer", thunder.name = "scale", thunder.persistent = true},
                   %count: tensor<3xf32> {thunder.kind = "buffer", thunder.name = "count", thunder.persistent = true},
                   %c0: tensor<3xf32> {thunder.kind = "constant", thunder.name = "c0"},
                   %x: tensor<3xf32> {thunder.kind = "input", thunder.name = "x"})
    -> (tensor<3xf32> {thunder.kind = "output", thunder.name = "y"},
        tensor<3xf32> {thunder.kind = "mutated_buffer", thunder.name = "count"}) {
  %0 = thunder.mul %x, %scale : tensor<3xf32>
  %1 = thunder.mul %0, %count : tensor<3xf32>
  %2 = thunder.mul %1, %c0 : tensor<3xf32>
  %3 = thunder.add %count, %x : tensor<3xf32>
  return %2, %3 : tensor<3xf32>, tensor<3xf32>
}
