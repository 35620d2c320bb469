// A padded convolution (what the lowering makes of thunder.convolution)
// through the whole CUDA pipeline: cuDNN first, on the caller's stream; the
// padding and the generated convolution kernel only where it says it did not
// run.
//
// RUN: thunder-opt %s --thunder-cuda-codegen="stop-at-ptx cudnn-min-macs=0" --mlir-print-ir-after=gpu-kernel-outlining -o /dev/null 2>&1 | FileCheck %s --check-prefix=OUTLINED
// RUN: thunder-opt %s --thunder-cuda-codegen="cudnn-min-macs=0" | FileCheck %s --check-prefix=LLVM
// RUN: thunder-opt %s --thunder-cuda-codegen="cudnn=false" | FileCheck %s --check-prefix=NOCUDNN

// OUTLINED-LABEL: func.func @forward
// OUTLINED:         %[[S:.*]] = gpu.wait async
// OUTLINED:         gpu.alloc async [%[[S]]] () : memref<2x4x8x8xf32>
//   It reads the unpadded input (pad 1x1) and writes the result directly.
// OUTLINED:         %[[R:.*]] = call @thunder_cuda_conv(%c0_i32, %c2_i32, %c2_i64, %c3_i64, %c4_i64, %c1_i64, %c8_i64, %c8_i64, %c1_i64, %c3_i64, %c3_i64, %c1_i64, %c8_i64, %c8_i64, %c1_i64, %c1_i64, %c1_i64, %c0_i64,
// OUTLINED:         %[[NOT:.*]] = arith.cmpi eq, %[[R]], %c0_i32
// OUTLINED:         scf.if %[[NOT]] {
// OUTLINED-NEXT:      gpu.launch_func async [%[[S]]] @thunder_kernels::@forward_0_elementwise_pad
// OUTLINED-NEXT:      gpu.launch_func async [%[[S]]] @thunder_kernels::@forward_1_elementwise_pad {{.*}} args(%arg0
// OUTLINED-NEXT:      gpu.launch_func async [%[[S]]] @thunder_kernels::@forward_2_reduce_serial_conv
// OUTLINED-NEXT:    }
// OUTLINED:         gpu.launch_func async [%[[S]]] @thunder_kernels::@forward_3_elementwise_relu
// OUTLINED-NOT:     gpu.wait
// OUTLINED:         return
// The convolution's zero fill is folded into its kernel.
// OUTLINED:         gpu.func @forward_2_reduce_serial_conv

// LLVM:       llvm.func @thunder_cuda_conv(i32, i32, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> i32
// LLVM-LABEL: llvm.func @forward(
// LLVM:         %[[R:.*]] = llvm.call @thunder_cuda_conv(
// LLVM:         %[[NOT:.*]] = llvm.icmp "eq" %[[R]]
// LLVM:         llvm.cond_br %[[NOT]], ^[[FALLBACK:.*]], ^
// LLVM:       ^[[FALLBACK]]:
// LLVM-NEXT:    gpu.launch_func {{.*}} @thunder_kernels::@forward_0_elementwise_pad

// NOCUDNN-NOT: thunder_cuda_conv

#in = affine_map<(n, o, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>
#wt = affine_map<(n, o, h, w, c, kh, kw) -> (o, c, kh, kw)>
#out = affine_map<(n, o, h, w, c, kh, kw) -> (n, o, h, w)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @forward(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x3x8x8xf32> to tensor<2x3x10x10xf32> loc(fused["pad", "model.py":2:0])
  %e = tensor.empty() : tensor<2x4x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %y = linalg.generic {indexing_maps = [#in, #wt, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %w : tensor<2x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%f : tensor<2x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x8x8xf32> loc(fused["conv", "model.py":3:0])
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%y : tensor<2x4x8x8xf32>) outs(%e : tensor<2x4x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x4x8x8xf32> loc(fused["relu", "model.py":4:0])
  return %r : tensor<2x4x8x8xf32>
}
