// The PTX of every kernel strategy assembles with ptxas (sm_90 and sm_80),
// and a module for several architectures gets one object per architecture.
//
// REQUIRES: ptxas
// RUN: thunder-opt %S/codegen.mlir --thunder-cuda-codegen="stop-at-ptx gpu-archs=sm_80,sm_90" -o %t.mlir
// RUN: %extract_ptx %t.mlir --arch sm_90 > %t.sm_90.ptx
// RUN: %ptxas -arch=sm_90 %t.sm_90.ptx -o %t.sm_90.cubin
// RUN: %extract_ptx %t.mlir --arch sm_80 > %t.sm_80.ptx
// RUN: %ptxas -arch=sm_80 %t.sm_80.ptx -o %t.sm_80.cubin
// RUN: FileCheck %s --input-file=%t.sm_80.ptx
// RUN: thunder-opt %S/Inputs/strategies.mlir --thunder-cuda-lowering="stop-at-ptx" -o %t.strategies.mlir
// RUN: %extract_ptx %t.strategies.mlir > %t.strategies.ptx
// RUN: %ptxas -arch=sm_90 %t.strategies.ptx -o %t.strategies.cubin

// CHECK: .target sm_80
// CHECK: .visible .entry forward_1_reduce_amax(
