//===- AttentionParams.h - Arguments of the fused attention kernels ---------===//
//
// One struct passed by value to every kernel of Attention.cu (a single launch
// parameter through cuLaunchKernel), shared by the kernels and the host code
// that launches them (runtime/cuda/Attention.cpp, test/gpu/attention). Plain C
// layout: no CUDA headers.
//
// Layouts: q [B, H, L, D], k [B, Hkv, S, D], v [B, Hkv, S, D], o [B, H, L, D]
// with element strides for the three leading dims (the last dim contiguous);
// query head h reads KV head h / (H / Hkv). lse, delta: [B, H, L] contiguous
// f32 (lse = log sum exp of the scaled, masked scores; -inf on a fully masked
// row). The gradient accumulators dqAcc [B, H, L, D], dkAcc/dvAcc
// [B, Hkv, S, D] are contiguous f32.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <stdint.h>

#ifdef __cplusplus
namespace thunder::attention {
#endif

enum MaskKind { MASK_NONE = 0, MASK_F32 = 1, MASK_F16 = 2, MASK_BF16 = 3, MASK_BOOL = 4 };

struct Params {
  const void *q, *k, *v;
  void *o;
  float *lse;
  const void *mask; // additive (float kinds) or boolean (1 byte, nonzero = attend)
  const void *dO;
  void *dq, *dk, *dv;
  float *dqAcc, *dkAcc, *dvAcc, *delta;
  int64_t B, H, Hkv, L, S, D;
  int64_t qB, qH, qL, kB, kH, kS, vB, vH, vS, oB, oH, oL;
  int64_t dOB, dOH, dOL, dqB, dqH, dqL, dkB, dkH, dkS, dvB, dvH, dvS;
  int64_t mB, mH, mL, mS; // mask strides in elements, 0 = broadcast
  float scale;
  int causal;   // row i attends to columns j <= i (top-left aligned)
  int maskKind; // MaskKind
  int vec;      // every row start of q/k/v/o/dO is 16-byte aligned
  // The mask per 64 x 64 tile (null: none computed): [mB ? B : 1][mH ? H : 1][tilesL][tilesS]
  // bytes, TILE_EMPTY (every position masked out: skipped), TILE_FULL (nothing masked, no
  // additive term: the mask is not read) or TILE_MIXED.
  unsigned char *tiles;
  int64_t tilesL, tilesS;
};

enum TileClass { TILE_EMPTY = 0, TILE_FULL = 1, TILE_MIXED = 2 };

#ifdef __cplusplus
} // namespace thunder::attention
#endif
