#!/usr/bin/env python3
# Regenerates attention-matmul.mlir from the loop implementations in reference.py
# (run from anywhere: python3 attention_matmul.py).
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import *
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'attention-matmul.mlir')
import math
q=[[0.5,-1.0],[1.5,0.25],[-0.75,2.0]]
k=[[1.0,0.5],[-0.5,1.0],[2.0,-1.0],[0.0,0.25]]
v=[[1.0,2.0],[-1.0,0.5],[0.25,-2.0],[3.0,1.0]]
bm=[[True,False,True,True],[False,False,False,False],[True,True,False,True]]
fm=[[0.0,-1.0,0.5,-math.inf],[0.25,0.0,0.0,0.0],[-2.0,1.0,0.0,0.5]]
sc=0.7
r1=attention(q,k,v,sc,bm)
r2=attention(q,k,v,sc,None,True)
r3=attention(q,k,v,sc,fm)
def dense(t): return mlir_dense(t).replace('-inf','0xFF800000')
def bdense(t): return '['+', '.join('['+', '.join('true' if b else 'false' for b in r)+']' for r in t)+']'
s=f'''// Attention through thunder-decompose (boolean mask with a fully masked
// row, causal, additive mask with -inf), f32 and bf16 (computed in f32), a
// dynamic query length; and matmuls with dynamic and collapsed batch dims.
// Attention results are compared with a direct implementation (in double)
// within 1e-5 and the comparison printed.
// RUN: thunder-opt %s --thunder-lower-to-linalg | %run-on-cpu | FileCheck %s

func.func @attention(%q: tensor<1x?x2xf32>, %k: tensor<1x4x2xf32>, %v: tensor<1x4x2xf32>,
                     %bm: tensor<?x4xi1>, %fm: tensor<1x?x4xf32>)
    -> (tensor<1x?x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>) {{
  %0 = thunder.attention %q, %k, %v mask %bm : tensor<?x4xi1> {{scale = 0.7 : f64}} : tensor<1x?x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32> -> tensor<1x?x2xf32>
  %1 = thunder.attention %q, %k, %v {{scale = 0.7 : f64, is_causal = true}} : tensor<1x?x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32> -> tensor<1x?x2xf32>
  %2 = thunder.attention %q, %k, %v mask %fm : tensor<1x?x4xf32> {{scale = 0.7 : f64}} : tensor<1x?x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32> -> tensor<1x?x2xf32>
  return %0, %1, %2 : tensor<1x?x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>
}}

func.func @attention_bf16(%q: tensor<1x3x2xbf16>, %k: tensor<1x4x2xbf16>, %v: tensor<1x4x2xbf16>) -> tensor<1x3x2xf32> {{
  %0 = thunder.attention %q, %k, %v {{scale = 0.7 : f64, is_causal = true}} : tensor<1x3x2xbf16>, tensor<1x4x2xbf16>, tensor<1x4x2xbf16> -> tensor<1x3x2xbf16>
  %1 = thunder.convert %0 : tensor<1x3x2xbf16> -> tensor<1x3x2xf32>
  return %1 : tensor<1x3x2xf32>
}}

// 1 where |x - y| <= tol * (1 + |y|) for every element.
func.func @close(%x: tensor<1x3x2xf32>, %y: tensor<1x3x2xf32>, %tol: tensor<1x3x2xf32>) -> tensor<i32> {{
  %one = thunder.constant dense<1.0> : tensor<1x3x2xf32>
  %d = thunder.sub %x, %y : tensor<1x3x2xf32>
  %a = thunder.abs %d : tensor<1x3x2xf32>
  %m = thunder.abs %y : tensor<1x3x2xf32>
  %s = thunder.add %one, %m : tensor<1x3x2xf32>
  %t = thunder.mul %tol, %s : tensor<1x3x2xf32>
  %c = thunder.compare le, %a, %t : tensor<1x3x2xf32>
  %all = thunder.reduce_and %c {{dims = array<i64: 0, 1, 2>}} : tensor<1x3x2xi1> -> tensor<i1>
  %r = thunder.convert %all : tensor<i1> -> tensor<i32>
  return %r : tensor<i32>
}}

func.func @matmuls(%a: tensor<?x3xf32>, %b: tensor<3x?xf32>, %c: tensor<2x?x2x3xf32>, %d: tensor<2x?x3x2xf32>)
    -> (tensor<?x?xf32>, tensor<2x?x2x2xf32>) {{
  %0 = thunder.matmul %a, %b : tensor<?x3xf32>, tensor<3x?xf32> -> tensor<?x?xf32>
  %1 = thunder.matmul %c, %d : tensor<2x?x2x3xf32>, tensor<2x?x3x2xf32> -> tensor<2x?x2x2xf32>
  return %0, %1 : tensor<?x?xf32>, tensor<2x?x2x2xf32>
}}

// 300 products of ones: a bf16 accumulator would stop at 256.
func.func @matmul_bf16(%a: tensor<1x300xbf16>, %b: tensor<300x1xbf16>) -> tensor<1x1xf32> {{
  %0 = thunder.matmul %a, %b : tensor<1x300xbf16>, tensor<300x1xbf16> -> tensor<1x1xbf16>
  %1 = thunder.convert %0 : tensor<1x1xbf16> -> tensor<1x1xf32>
  return %1 : tensor<1x1xf32>
}}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI32(tensor<*xi32>)

func.func @check(%x: tensor<1x?x2xf32>, %y: tensor<1x3x2xf32>, %tol: tensor<1x3x2xf32>) {{
  %xs = tensor.cast %x : tensor<1x?x2xf32> to tensor<1x3x2xf32>
  %c = call @close(%xs, %y, %tol) : (tensor<1x3x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> tensor<i32>
  %u = tensor.cast %c : tensor<i32> to tensor<*xi32>
  call @printMemrefI32(%u) : (tensor<*xi32>) -> ()
  return
}}

func.func @main() {{
  %q = arith.constant dense<[{dense(q)}]> : tensor<1x3x2xf32>
  %k = arith.constant dense<[{dense(k)}]> : tensor<1x4x2xf32>
  %v = arith.constant dense<[{dense(v)}]> : tensor<1x4x2xf32>
  %bm = arith.constant dense<{bdense(bm)}> : tensor<3x4xi1>
  %fm = arith.constant dense<[{dense(fm)}]> : tensor<1x3x4xf32>
  %qd = tensor.cast %q : tensor<1x3x2xf32> to tensor<1x?x2xf32>
  %bmd = tensor.cast %bm : tensor<3x4xi1> to tensor<?x4xi1>
  %fmd = tensor.cast %fm : tensor<1x3x4xf32> to tensor<1x?x4xf32>
  %r:3 = call @attention(%qd, %k, %v, %bmd, %fmd) : (tensor<1x?x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32>, tensor<?x4xi1>, tensor<1x?x4xf32>) -> (tensor<1x?x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>)
  %e1 = arith.constant dense<[{dense(r1)}]> : tensor<1x3x2xf32>
  %e2 = arith.constant dense<[{dense(r2)}]> : tensor<1x3x2xf32>
  %e3 = arith.constant dense<[{dense(r3)}]> : tensor<1x3x2xf32>
  %tol = arith.constant dense<1.0e-5> : tensor<1x3x2xf32>
  // The fully masked second row is 0 (PyTorch's safe softmax).
  // CHECK: [1]
  call @check(%r#0, %e1, %tol) : (tensor<1x?x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> ()
  // CHECK: [1]
  call @check(%r#1, %e2, %tol) : (tensor<1x?x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> ()
  // CHECK: [1]
  call @check(%r#2, %e3, %tol) : (tensor<1x?x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> ()

  // bf16 inputs are exact here; the result is within bf16 rounding.
  %qh = arith.truncf %q : tensor<1x3x2xf32> to tensor<1x3x2xbf16>
  %kh = arith.truncf %k : tensor<1x4x2xf32> to tensor<1x4x2xbf16>
  %vh = arith.truncf %v : tensor<1x4x2xf32> to tensor<1x4x2xbf16>
  %rh = call @attention_bf16(%qh, %kh, %vh) : (tensor<1x3x2xbf16>, tensor<1x4x2xbf16>, tensor<1x4x2xbf16>) -> tensor<1x3x2xf32>
  %rhd = tensor.cast %rh : tensor<1x3x2xf32> to tensor<1x?x2xf32>
  %tolh = arith.constant dense<4.0e-3> : tensor<1x3x2xf32>
  // CHECK: [1]
  call @check(%rhd, %e2, %tolh) : (tensor<1x?x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> ()

  %a = arith.constant dense<[[1.0, 2.0, 3.0], [-1.0, 0.0, 2.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]]> : tensor<3x2xf32>
  %c = arith.constant dense<[[[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], [[[1.0, 1.0, 1.0], [2.0, 0.0, -1.0]]]]> : tensor<2x1x2x3xf32>
  %d = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]], [[[1.0, -1.0], [0.0, 2.0], [3.0, 0.0]]]]> : tensor<2x1x3x2xf32>
  %ad = tensor.cast %a : tensor<2x3xf32> to tensor<?x3xf32>
  %bd = tensor.cast %b : tensor<3x2xf32> to tensor<3x?xf32>
  %cd = tensor.cast %c : tensor<2x1x2x3xf32> to tensor<2x?x2x3xf32>
  %dd = tensor.cast %d : tensor<2x1x3x2xf32> to tensor<2x?x3x2xf32>
  %m:2 = call @matmuls(%ad, %bd, %cd, %dd) : (tensor<?x3xf32>, tensor<3x?xf32>, tensor<2x?x2x3xf32>, tensor<2x?x3x2xf32>) -> (tensor<?x?xf32>, tensor<2x?x2x2xf32>)
  %m0 = tensor.cast %m#0 : tensor<?x?xf32> to tensor<*xf32>
  %m1 = tensor.cast %m#1 : tensor<2x?x2x2xf32> to tensor<*xf32>
  // CHECK:      sizes = [2, 2]
  // CHECK-NEXT: {{{{\\[}}}}[7, -1],
  // CHECK-NEXT:  [3, -2]]
  call @printMemrefF32(%m0) : (tensor<*xf32>) -> ()
  // CHECK:      sizes = [2, 1, 2, 2]
  // CHECK-NEXT: {{{{.*}}}}[1, 2],
  // CHECK-NEXT:  [3, 4]]],
  // CHECK-NEXT: {{{{.*}}}}[4, 1],
  // CHECK-NEXT:  [-1, -2]]]]
  call @printMemrefF32(%m1) : (tensor<*xf32>) -> ()

  %ones_a = arith.constant dense<1.0> : tensor<1x300xbf16>
  %ones_b = arith.constant dense<1.0> : tensor<300x1xbf16>
  %h = call @matmul_bf16(%ones_a, %ones_b) : (tensor<1x300xbf16>, tensor<300x1xbf16>) -> tensor<1x1xf32>
  %hu = tensor.cast %h : tensor<1x1xf32> to tensor<*xf32>
  // CHECK: {{{{\\[}}}}[300]]
  call @printMemrefF32(%hu) : (tensor<*xf32>) -> ()
  return
}}
'''
open(OUT, 'w').write(s)

