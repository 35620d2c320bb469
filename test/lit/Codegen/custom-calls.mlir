// thunder.custom_call through bufferization (new buffers for its results) and
// thunder-custom-calls (lib/Target/Host/CustomCalls.cpp): the user's function
// becomes an argument of the runtime's thunder_custom_call with a table of
// 64-bit words (data pointer, DLDataType, rank, sizes per tensor; kind and
// value per scalar). The strided input is copied into a compact buffer first.
// RUN: thunder-opt --thunder-bufferize %s | FileCheck %s --check-prefix=BUF
// RUN: thunder-opt --thunder-bufferize --thunder-custom-calls %s | FileCheck %s

// BUF:      %[[OUT0:.+]] = memref.alloc(%{{.+}}) {{.*}}: memref<?x8xf32>
// BUF:      %[[OUT1:.+]] = memref.alloc() {{.*}}: memref<5xf32>
// BUF:      thunder.custom_call @thunder_custom_mylib_mix(%{{.+}}, %arg1) outs(%[[OUT0]], %[[OUT1]] : memref<?x8xf32>, memref<5xf32>)
// BUF:      return %[[OUT0]], %[[OUT1]]

// CHECK-DAG: func.func private @thunder_custom_call(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64)
// CHECK-DAG: llvm.mlir.global internal constant @thunder_what_thunder_custom_mylib_mix("custom operator mylib::mix (thunder_custom_mylib_mix)\00")
// CHECK-DAG: llvm.func @thunder_custom_mylib_mix(!llvm.ptr, i64, !llvm.ptr, i64, !llvm.ptr, i64, !llvm.ptr) -> i32
// CHECK-LABEL: func.func @forward
// CHECK:       %[[TMP:.+]] = memref.alloc(%{{.+}}) : memref<?x4xf32>
// CHECK:       memref.copy %{{.+}}, %[[TMP]] : memref<?x4xf32, strided<[8, 2]>> to memref<?x4xf32>
// float32: kDLFloat | 32 << 8 | 1 << 16; int64: kDLInt | 64 << 8 | 1 << 16
// CHECK-DAG:   arith.constant 73730 : i64
// CHECK-DAG:   arith.constant 81920 : i64
// 0.5 as the bits of a double
// CHECK-DAG:   arith.constant 4602678819172646912 : i64
// CHECK:       %[[TABLE:.+]] = llvm.alloca %{{.+}} x i64
// CHECK:       %[[FN:.+]] = llvm.mlir.addressof @thunder_custom_mylib_mix
// CHECK:       %[[WHAT:.+]] = llvm.mlir.addressof @thunder_what_thunder_custom_mylib_mix
// CHECK:       call @thunder_custom_call(%[[FN]], %[[WHAT]], %[[TABLE]], %c2_i64{{.*}}, %c2_i64{{.*}}, %c3_i64{{.*}})
// CHECK:       memref.dealloc %[[TMP]]
// CHECK-NOT:   thunder.custom_call
func.func @forward(%x: tensor<?x8xf32>, %ids: tensor<?xi64>) -> (tensor<?x8xf32>, tensor<5xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %t = tensor.extract_slice %x[0, 0] [%n, 4] [1, 2] : tensor<?x8xf32> to tensor<?x4xf32>
  %r:2 = thunder.custom_call @thunder_custom_mylib_mix(%t, %ids) sizes(%n) {op_name = "mylib::mix", scalars = [3, 0.5 : f64, true]} : (tensor<?x4xf32>, tensor<?xi64>) -> (tensor<?x8xf32>, tensor<5xf32>)
  return %r#0, %r#1 : tensor<?x8xf32>, tensor<5xf32>
}
