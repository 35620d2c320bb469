#!/usr/bin/env python3
# Regenerates pooling.mlir from the loop implementations in reference.py
# (run from anywhere: python3 pooling.py).
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference import *
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pooling.mlir')
def checks(r):
    sh=shape_of(r)
    vals=[fmt(v) for v in flat(r)]
    row=sh[-1]
    rows=[vals[i:i+row] for i in range(0,len(vals),row)]
    out=[f'  // CHECK: sizes = [{", ".join(map(str,sh))}]']
    for r_ in rows:
        out.append('  // CHECK-NEXT: {{.*}}[' + ', '.join(r_) + ']')
    return '\n'.join(out)
# max_pool: all-negative input, padding 1 (-inf padding must never win), stride 2, dilation (1, 2)
xM=nd([1,1,4,5], lambda i: -float((i[2]*5+i[3])*3%7+1))
xM[0][0][1][2]=float('nan')
rM=pool(xM,[3,2],[2,1],[1,1],[1,1],[1,2],'max')
# avg_pool 6x6, kernel 3, stride 2, padding 1, ceil_mode (extra high 1): include pad / exclude / override
xA=nd([1,2,6,6], lambda i: float((i[1]*36+i[2]*6+i[3])%10))
rI=pool(xA,[3,3],[2,2],[1,1],[2,2],[1,1],'avg',[1,1],[1,1])
rE=pool(xA,[3,3],[2,2],[1,1],[2,2],[1,1],'avg',[0,0],[0,0])
rO=pool(xA,[3,3],[2,2],[1,1],[2,2],[1,1],'avg',[0,0],[0,0],override=4)
# max_pool_backward: overlapping 2x2 windows, stride 1, ties -> first max; and padded stride 2 kernel 3
xB=[[[[1.0,5.0,5.0,0.0],[2.0,5.0,1.0,0.0],[7.0,7.0,3.0,3.0],[0.0,1.0,3.0,9.0]]]]
gB=nd([1,1,3,3], lambda i: float(1+i[2]*3+i[3]))
rB=maxpool_bwd(gB,xB,[2,2],[1,1],[0,0],[0,0],[1,1])
gP=nd([1,1,2,2], lambda i: float(10**(i[2]*2+i[3])))
rP=maxpool_bwd(gP,xB,[3,3],[2,2],[1,1],[0,0],[1,1])
s=f'''// Pooling: -inf padding of max_pool (all inputs negative), NaN, dilation;
// avg_pool divisors with count_include_pad, without it, with ceil_mode's
// extra padding (never counted) and divisor_override; max_pool_backward
// routing each gradient to the first maximum of its window (ties, overlap,
// padding). Expected values from a direct loop implementation.
// RUN: thunder-opt %s --thunder-lower-to-linalg | %run-on-cpu | FileCheck %s

func.func @max_pool(%x: tensor<?x1x4x5xf32>) -> tensor<?x1x2x5xf32> {{
  %0 = thunder.max_pool %x {{kernel = array<i64: 3, 2>, stride = array<i64: 2, 1>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, dilation = array<i64: 1, 2>}} : tensor<?x1x4x5xf32> -> tensor<?x1x2x5xf32>
  return %0 : tensor<?x1x2x5xf32>
}}

func.func @max_pool_dynamic(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {{
  %0 = thunder.max_pool %x {{kernel = array<i64: 3, 2>, stride = array<i64: 2, 1>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, dilation = array<i64: 1, 2>}} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}}

func.func @avg_pool_dynamic(%x: tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32> {{
  %0 = thunder.avg_pool %x {{kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 2, 2>, counted_padding_low = array<i64: 1, 1>, counted_padding_high = array<i64: 1, 1>}} : tensor<1x2x?x?xf32> -> tensor<1x2x?x?xf32>
  return %0 : tensor<1x2x?x?xf32>
}}

// kernel 3, stride 2, padding 1, ceil_mode: one more row/column of padding
// at the end, which no divisor counts.
func.func @avg_pool(%x: tensor<1x2x6x6xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {{
  %0 = thunder.avg_pool %x {{kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 2, 2>, counted_padding_low = array<i64: 1, 1>, counted_padding_high = array<i64: 1, 1>}} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  %1 = thunder.avg_pool %x {{kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 2, 2>, counted_padding_low = array<i64: 0, 0>, counted_padding_high = array<i64: 0, 0>}} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  %2 = thunder.avg_pool %x {{kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 2, 2>, counted_padding_low = array<i64: 0, 0>, counted_padding_high = array<i64: 0, 0>, divisor_override = 4 : i64}} : tensor<1x2x6x6xf32> -> tensor<1x2x4x4xf32>
  return %0, %1, %2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}}

func.func @max_pool_backward(%g: tensor<1x1x3x3xf32>, %x: tensor<1x1x4x4xf32>, %gp: tensor<1x1x2x2xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {{
  %0 = thunder.max_pool_backward %g, %x {{kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>}} : tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  %1 = thunder.max_pool_backward %gp, %x {{kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 0, 0>, dilation = array<i64: 1, 1>}} : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  return %0, %1 : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {{
  %xm = arith.constant dense<{mlir_dense(xM).replace("nan","0x7FC00000")}> : tensor<1x1x4x5xf32>
  %xmd = tensor.cast %xm : tensor<1x1x4x5xf32> to tensor<?x1x4x5xf32>
  %rm = call @max_pool(%xmd) : (tensor<?x1x4x5xf32>) -> tensor<?x1x2x5xf32>
  %um = tensor.cast %rm : tensor<?x1x2x5xf32> to tensor<*xf32>
{checks(rM)}
  call @printMemrefF32(%um) : (tensor<*xf32>) -> ()

  %xmd2 = tensor.cast %xm : tensor<1x1x4x5xf32> to tensor<?x?x?x?xf32>
  %rm2 = call @max_pool_dynamic(%xmd2) : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %um2 = tensor.cast %rm2 : tensor<?x?x?x?xf32> to tensor<*xf32>
{checks(rM)}
  call @printMemrefF32(%um2) : (tensor<*xf32>) -> ()

  %xa = arith.constant dense<{mlir_dense(xA)}> : tensor<1x2x6x6xf32>
  %ra:3 = call @avg_pool(%xa) : (tensor<1x2x6x6xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>)
  %ua0 = tensor.cast %ra#0 : tensor<1x2x4x4xf32> to tensor<*xf32>
  %ua1 = tensor.cast %ra#1 : tensor<1x2x4x4xf32> to tensor<*xf32>
  %ua2 = tensor.cast %ra#2 : tensor<1x2x4x4xf32> to tensor<*xf32>
{checks(rI)}
  call @printMemrefF32(%ua0) : (tensor<*xf32>) -> ()
%xad = tensor.cast %xa : tensor<1x2x6x6xf32> to tensor<1x2x?x?xf32>
  %rad = call @avg_pool_dynamic(%xad) : (tensor<1x2x?x?xf32>) -> tensor<1x2x?x?xf32>
  %uad = tensor.cast %rad : tensor<1x2x?x?xf32> to tensor<*xf32>
{checks(rI)}
  call @printMemrefF32(%uad) : (tensor<*xf32>) -> ()
{checks(rE)}
  call @printMemrefF32(%ua1) : (tensor<*xf32>) -> ()
{checks(rO)}
  call @printMemrefF32(%ua2) : (tensor<*xf32>) -> ()

  %xb = arith.constant dense<{mlir_dense(xB)}> : tensor<1x1x4x4xf32>
  %gb = arith.constant dense<{mlir_dense(gB)}> : tensor<1x1x3x3xf32>
  %gp = arith.constant dense<{mlir_dense(gP)}> : tensor<1x1x2x2xf32>
  %rb:2 = call @max_pool_backward(%gb, %xb, %gp) : (tensor<1x1x3x3xf32>, tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>)
  %ub0 = tensor.cast %rb#0 : tensor<1x1x4x4xf32> to tensor<*xf32>
  %ub1 = tensor.cast %rb#1 : tensor<1x1x4x4xf32> to tensor<*xf32>
{checks(rB)}
  call @printMemrefF32(%ub0) : (tensor<*xf32>) -> ()
{checks(rP)}
  call @printMemrefF32(%ub1) : (tensor<*xf32>) -> ()
  return
}}
'''
open(OUT, 'w').write(s)
