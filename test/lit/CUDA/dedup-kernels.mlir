// RUN: thunder-opt %s --thunder-cuda-dedup-kernels | FileCheck %s

// Two layers' identical kernels under different names become one; a kernel
// that differs (another constant) stays; launches follow.
// CHECK-LABEL: func.func @forward
// CHECK:       gpu.launch_func @thunder_kernels::@forward_0_elementwise
// CHECK:       gpu.launch_func @thunder_kernels::@forward_0_elementwise
// CHECK:       gpu.launch_func @thunder_kernels::@forward_2_elementwise
// CHECK:       gpu.module @thunder_kernels
// CHECK:         gpu.func @forward_0_elementwise
// CHECK-NOT:     gpu.func @forward_1_elementwise
// CHECK:         gpu.func @forward_2_elementwise
module attributes {gpu.container_module} {
  func.func @forward(%a: memref<256xf32>, %b: memref<256xf32>) {
    %c1 = arith.constant 1 : index
    %c256 = arith.constant 256 : index
    gpu.launch_func @thunder_kernels::@forward_0_elementwise blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1) args(%a : memref<256xf32>)
    gpu.launch_func @thunder_kernels::@forward_1_elementwise blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1) args(%b : memref<256xf32>)
    gpu.launch_func @thunder_kernels::@forward_2_elementwise blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1) args(%b : memref<256xf32>)
    return
  }
  gpu.module @thunder_kernels {
    gpu.func @forward_0_elementwise(%x: memref<256xf32>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %x[%t] : memref<256xf32>
      %c = arith.constant 2.0 : f32
      %r = arith.mulf %v, %c : f32
      memref.store %r, %x[%t] : memref<256xf32>
      gpu.return
    }
    gpu.func @forward_1_elementwise(%y: memref<256xf32>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %y[%t] : memref<256xf32>
      %c = arith.constant 2.0 : f32
      %r = arith.mulf %v, %c : f32
      memref.store %r, %y[%t] : memref<256xf32>
      gpu.return
    }
    gpu.func @forward_2_elementwise(%y: memref<256xf32>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %y[%t] : memref<256xf32>
      %c = arith.constant 3.0 : f32
      %r = arith.mulf %v, %c : f32
      memref.store %r, %y[%t] : memref<256xf32>
      gpu.return
    }
  }
}
