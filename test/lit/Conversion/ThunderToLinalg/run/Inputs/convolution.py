#!/usr/bin/env python3
# Regenerates convolution.mlir from the loop implementations in reference.py
# (run from anywhere: python3 convolution.py).
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import *
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'convolution.mlir')
# A: 2-D, groups 2, stride (2,1), padding (1,0)/(1,2), dilation (1,2)
xA=nd([1,4,5,5], lambda i: float(((i[1]*25+i[2]*5+i[3])*7)%11-5))
wA=nd([4,2,3,3], lambda i: float(((i[0]*18+i[1]*9+i[2]*3+i[3])*5)%7-3))
rA=conv(xA,wA,[2,1],[1,0],[1,2],[1,2],[1,1],2)
# B: 1-D, lhs_dilation 2 (transposed conv), padding 1/1
xB=[[[1.0,2.0,3.0],[-1.0,0.5,2.0]]]
wB=[[[1.0,-1.0],[2.0,0.0]],[[0.5,1.0],[-2.0,3.0]]]
rB=conv(xB,wB,[1],[1],[1],[1],[2],1)
# C: 3-D, stride 2, negative padding low (a crop), depthwise groups=2
xC=nd([1,2,4,4,4], lambda i: float((i[1]*64+i[2]*16+i[3]*4+i[4])%9-4))
wC=nd([2,1,2,2,2], lambda i: float((i[0]*8+i[2]*4+i[3]*2+i[4])%5-2))
rC=conv(xC,wC,[2,2,2],[-1,0,0],[0,0,1],[1,1,1],[1,1,1],2)
def checks(r, label):
    sh=shape_of(r)
    lines=[]
    vals=['%g'%v for v in flat(r)]
    row=sh[-1]
    rows=[vals[i:i+row] for i in range(0,len(vals),row)]
    # first row line has opening brackets; match each row by its numbers
    out=[f'  // CHECK: sizes = [{", ".join(map(str,sh))}]']
    for i,r_ in enumerate(rows):
        out.append('  // CHECK-NEXT: '+('{{.*}}' if True else '')+'[' + ', '.join(r_) + ']')
    return '\n'.join(out)
s=f'''// Convolution: groups, stride, dilation, padding (also negative), the
// zeros of lhs_dilation (transposed convolution), 1-D/2-D/3-D. Expected
// values from a direct loop implementation (integers: exact in f32).
// RUN: thunder-opt %s --thunder-lower-to-linalg | %run-on-cpu | FileCheck %s

// 2-D, groups 2, stride (2, 1), padding (1, 0)/(1, 2), dilation (1, 2), a
// dynamic batch.
func.func @conv2d(%x: tensor<?x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x3x3xf32> {{
  %0 = thunder.convolution %x, %w {{stride = array<i64: 2, 1>, padding_low = array<i64: 1, 0>, padding_high = array<i64: 1, 2>, dilation = array<i64: 1, 2>, lhs_dilation = array<i64: 1, 1>, groups = 2 : i64}} : tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32> -> tensor<?x4x3x3xf32>
  return %0 : tensor<?x4x3x3xf32>
}}

// The same with every dim but the channels dynamic: extents computed at run
// time.
func.func @conv2d_dynamic(%x: tensor<?x4x?x?xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x?x?xf32> {{
  %0 = thunder.convolution %x, %w {{stride = array<i64: 2, 1>, padding_low = array<i64: 1, 0>, padding_high = array<i64: 1, 2>, dilation = array<i64: 1, 2>, lhs_dilation = array<i64: 1, 1>, groups = 2 : i64}} : tensor<?x4x?x?xf32>, tensor<4x2x3x3xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}}

// 1-D with lhs_dilation 2 (one zero between inputs) and padding 1/1.
func.func @conv1d(%x: tensor<1x2x3xf32>, %w: tensor<2x2x2xf32>) -> tensor<1x2x6xf32> {{
  %0 = thunder.convolution %x, %w {{stride = array<i64: 1>, padding_low = array<i64: 1>, padding_high = array<i64: 1>, dilation = array<i64: 1>, lhs_dilation = array<i64: 2>, groups = 1 : i64}} : tensor<1x2x3xf32>, tensor<2x2x2xf32> -> tensor<1x2x6xf32>
  return %0 : tensor<1x2x6xf32>
}}

// 3-D depthwise (groups = channels), stride 2, padding low -1 (a crop) in
// the first spatial dim.
func.func @conv3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<2x1x2x2x2xf32>) -> tensor<1x2x1x2x2xf32> {{
  %0 = thunder.convolution %x, %w {{stride = array<i64: 2, 2, 2>, padding_low = array<i64: -1, 0, 0>, padding_high = array<i64: 0, 0, 1>, dilation = array<i64: 1, 1, 1>, lhs_dilation = array<i64: 1, 1, 1>, groups = 2 : i64}} : tensor<1x2x4x4x4xf32>, tensor<2x1x2x2x2xf32> -> tensor<1x2x1x2x2xf32>
  return %0 : tensor<1x2x1x2x2xf32>
}}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {{
  %xa = arith.constant dense<{mlir_dense(xA)}> : tensor<1x4x5x5xf32>
  %wa = arith.constant dense<{mlir_dense(wA)}> : tensor<4x2x3x3xf32>
  %xad = tensor.cast %xa : tensor<1x4x5x5xf32> to tensor<?x4x5x5xf32>
  %ra = call @conv2d(%xad, %wa) : (tensor<?x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x3x3xf32>
  %ua = tensor.cast %ra : tensor<?x4x3x3xf32> to tensor<*xf32>
{checks(rA,'A')}
  call @printMemrefF32(%ua) : (tensor<*xf32>) -> ()

  %xad2 = tensor.cast %xa : tensor<1x4x5x5xf32> to tensor<?x4x?x?xf32>
  %ra2 = call @conv2d_dynamic(%xad2, %wa) : (tensor<?x4x?x?xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x?x?xf32>
  %ua2 = tensor.cast %ra2 : tensor<?x4x?x?xf32> to tensor<*xf32>
{checks(rA,'A')}
  call @printMemrefF32(%ua2) : (tensor<*xf32>) -> ()

  %xb = arith.constant dense<{mlir_dense(xB)}> : tensor<1x2x3xf32>
  %wb = arith.constant dense<{mlir_dense(wB)}> : tensor<2x2x2xf32>
  %rb = call @conv1d(%xb, %wb) : (tensor<1x2x3xf32>, tensor<2x2x2xf32>) -> tensor<1x2x6xf32>
  %ub = tensor.cast %rb : tensor<1x2x6xf32> to tensor<*xf32>
{checks(rB,'B')}
  call @printMemrefF32(%ub) : (tensor<*xf32>) -> ()

  %xc = arith.constant dense<{mlir_dense(xC)}> : tensor<1x2x4x4x4xf32>
  %wc = arith.constant dense<{mlir_dense(wC)}> : tensor<2x1x2x2x2xf32>
  %rc = call @conv3d(%xc, %wc) : (tensor<1x2x4x4x4xf32>, tensor<2x1x2x2x2xf32>) -> tensor<1x2x1x2x2xf32>
  %uc = tensor.cast %rc : tensor<1x2x1x2x2xf32> to tensor<*xf32>
{checks(rC,'C')}
  call @printMemrefF32(%uc) : (tensor<*xf32>) -> ()
  return
}}
'''
open(OUT, 'w').write(s)
