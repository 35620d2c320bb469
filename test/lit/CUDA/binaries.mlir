// What ends up in the gpu.binary: with a toolkit, one fatbin for all
// architectures (cubins + the lowest architecture's PTX), loaded with
// mgpuModuleLoad; without one, the lowest architecture's PTX, loaded with
// mgpuModuleLoadJIT, and math without libdevice (no __nv_* calls).
//
// REQUIRES: ptxas
// RUN: thunder-opt %S/codegen.mlir --thunder-cuda-codegen="gpu-archs=sm_90,sm_80" | FileCheck %s --check-prefix=FATBIN
// RUN: thunder-opt %S/codegen.mlir --thunder-cuda-codegen="gpu-archs=sm_90,sm_80 toolkit=none" | FileCheck %s --check-prefix=PTXONLY
// RUN: thunder-opt %S/codegen.mlir --thunder-cuda-codegen="toolkit=none" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=JIT
// RUN: thunder-opt %S/codegen.mlir --thunder-cuda-codegen="toolkit=none stop-at-ptx" -o %t.mlir
// RUN: %extract_ptx %t.mlir > %t.ptx
// RUN: %ptxas -arch=sm_90 %t.ptx -o %t.cubin
// RUN: FileCheck %s --check-prefix=NOLIBDEVICE --input-file=%t.ptx

// One object, a fatbin (no keyword in the printed form), for the lowest
// architecture's target.
// FATBIN:      gpu.binary @thunder_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_80">, "
// FATBIN-NOT:  #gpu.object

// PTXONLY:     gpu.binary @thunder_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_80">, properties = {O = 3 : i32}, assembly = "{{.*}}.target sm_80
// PTXONLY-NOT: #gpu.object

// JIT: call ptr @mgpuModuleLoadJIT(ptr @thunder_kernels_binary, i32 3)

// NOLIBDEVICE-NOT: __nv_
// NOLIBDEVICE:     .visible .entry forward_0_elementwise_gelu(
