// The whole CUDA pipeline on a small linalg program (a Linear layer with
// GELU, then a row maximum): library call, kernels, PTX, host code.
//
// RUN: thunder-opt %s --thunder-cuda-codegen="stop-at-ptx" --mlir-print-ir-after=gpu-kernel-outlining -o /dev/null 2>&1 | FileCheck %s --check-prefix=OUTLINED
// RUN: thunder-opt %s --thunder-cuda-codegen="stop-at-ptx" --mlir-print-ir-after=convert-gpu-to-nvvm -o /dev/null 2>&1 | FileCheck %s --check-prefix=NVVM
// RUN: thunder-opt %s --thunder-cuda-codegen="stop-at-ptx" -o %t.mlir
// RUN: %extract_ptx %t.mlir | FileCheck %s --check-prefix=PTX
// RUN: thunder-opt %s --thunder-cuda-codegen | FileCheck %s --check-prefix=LLVM
// RUN: thunder-opt %s --thunder-cuda-codegen | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR

// The host function: the matmul is a library call on the caller's stream,
// everything else is launched on the same token.
// OUTLINED-LABEL: func.func @forward
// OUTLINED:       %[[S:.*]] = gpu.wait async
// OUTLINED:       gpu.alloc async [%[[S]]] () : memref<8x128xf32>
// OUTLINED:       call @thunder_cuda_matmul
// OUTLINED:       gpu.launch_func async [%[[S]]] @thunder_kernels::@forward_0_elementwise_gelu blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1)
// OUTLINED:       gpu.launch_func async [%[[S]]] @thunder_kernels::@forward_1_reduce_amax blocks in (%c8, %c1, %c1) threads in (%c128, %c1, %c1)
// OUTLINED-NOT:   gpu.wait
// OUTLINED:       return
// All kernels in one module; the -inf fill of the maximum is folded into it.
// OUTLINED:       gpu.module @thunder_kernels
// OUTLINED:         gpu.func @forward_0_elementwise_gelu(%{{.*}}: memref<8x128xf32>, %{{.*}}: memref<128xf32>) kernel
// OUTLINED:           math.erf
// OUTLINED:         gpu.func @forward_1_reduce_amax
// OUTLINED:           scf.for
// OUTLINED:           gpu.all_reduce maximumf

// The block reduction: butterfly shuffles, partials through shared memory.
// NVVM:       gpu.module @thunder_kernels
// NVVM:         llvm.mlir.global internal @__wg_forward_1_reduce_amax_0() {addr_space = 3 : i32}
// NVVM:         llvm.func @forward_1_reduce_amax
// NVVM:           nvvm.shfl.sync  bfly
// NVVM:           nvvm.barrier

// PTX:       .target sm_90
// PTX:       .visible .entry forward_0_elementwise_gelu(
// PTX:         ld.global
// PTX:         st.global
// PTX:       .visible .entry forward_1_reduce_amax(
// PTX:         .shared .align 4 .b8 __wg_forward_1_reduce_amax_0[128];
// PTX:         shfl.sync.bfly.b32
// PTX:         bar.sync

// LLVM-LABEL: llvm.func @forward(
// LLVM:         llvm.call @mgpuStreamCreate()
// LLVM:         llvm.call @mgpuMemAlloc
// LLVM:         llvm.call @thunder_cuda_matmul
// LLVM:         gpu.launch_func <%{{.*}} : !llvm.ptr> @thunder_kernels::@forward_0_elementwise_gelu
// LLVM-NOT:     mgpuStreamSynchronize
// LLVM-LABEL: llvm.func @_mlir_ciface_forward(
// LLVM:       gpu.binary @thunder_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, "

// LLVMIR:       @thunder_kernels_binary = internal constant
// LLVMIR:       @llvm.global_ctors = appending global {{.*}} @thunder_kernels_load
// LLVMIR-LABEL: define {{.*}} @forward(
// LLVMIR:         call ptr @mgpuModuleGetFunction(ptr %{{.*}}, ptr @thunder_kernels_forward_0_elementwise_gelu_name)
// LLVMIR:         call void @mgpuLaunchKernel(ptr %{{.*}}, i64 4, i64 1, i64 1, i64 256, i64 1, i64 1, i32 0,
// LLVMIR-LABEL: define void @_mlir_ciface_forward(
// LLVMIR-LABEL: define internal void @thunder_kernels_load()
// LLVMIR:         call ptr @mgpuModuleLoad(ptr @thunder_kernels_binary,

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#red = affine_map<(d0, d1) -> (d0)>
func.func @forward(%x: tensor<8x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>) -> (tensor<8x128xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<64x128xf32>
  %wt = linalg.transpose ins(%w : tensor<128x64xf32>) outs(%e : tensor<64x128xf32>) permutation = [1, 0]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<8x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%o : tensor<8x128xf32>) -> tensor<8x128xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<8x64xf32>, tensor<64x128xf32>) outs(%f : tensor<8x128xf32>) -> tensor<8x128xf32> loc(fused["linear", "model.py":3:0])
  %g = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%y, %b : tensor<8x128xf32>, tensor<128xf32>) outs(%o : tensor<8x128xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    %half = arith.constant 0.5 : f32
    %r2 = arith.constant 0.70710678 : f32
    %one = arith.constant 1.0 : f32
    %t = arith.mulf %s, %r2 : f32
    %er = math.erf %t : f32
    %p = arith.addf %er, %one : f32
    %q = arith.mulf %s, %p : f32
    %r = arith.mulf %q, %half : f32
    linalg.yield %r : f32
  } -> tensor<8x128xf32> loc(fused["gelu", "model.py":4:0])
  %ninf = arith.constant 0xFF800000 : f32
  %m0 = tensor.empty() : tensor<8xf32>
  %mf = linalg.fill ins(%ninf : f32) outs(%m0 : tensor<8xf32>) -> tensor<8xf32>
  %mx = linalg.generic {indexing_maps = [#id2, #red], iterator_types = ["parallel", "reduction"]}
      ins(%g : tensor<8x128xf32>) outs(%mf : tensor<8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %a, %acc : f32
    linalg.yield %r : f32
  } -> tensor<8xf32> loc(fused["amax", "model.py":5:0])
  return %g, %mx : tensor<8x128xf32>, tensor<8xf32>
}
