//===- Attention.cu - fused scaled-dot-product attention kernels -----------===//
//
// Flash-attention-2 style kernels for thunder_cuda_attention_fwd/_bwd
// (runtime/cuda/Attention.cpp launches them through the driver API; they are
// compiled by nvcc at build time into a fatbin embedded in the runtime).
//
// - fwd_tc / bwd_tc: f16/bf16, head dim 64 or 128, tensor cores through WMMA
//   (f32 accumulation). Forward: a block of 4 warps owns 64 query rows (16 per
//   warp); K/V tiles of 64 keys go through shared memory; online softmax in
//   the log2 domain; the output accumulator stays in shared memory (rows are
//   rescaled by exp(m_old - m_new), which WMMA fragments cannot do).
//   Backward (FA2): a block owns 64 keys of one KV head and loops over the
//   query heads sharing it (GQA) and the query tiles; P and dS are recomputed
//   from lse; dK, dV accumulate in registers; dQ goes through f32 atomics.
// - fwd_generic / bwd_generic: any float type, head dim <= 128: one warp per
//   query row (f32, and head dims the tensor-core kernels do not take).
//
// Every kernel takes one Params (AttentionParams.h) and is extern "C" so the
// host looks it up by name.
//
//===----------------------------------------------------------------------===//
#include "AttentionParams.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <mma.h>

using thunder::attention::Params;
using namespace nvcuda;

namespace {

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

__device__ __forceinline__ float toF(float x) { return x; }
__device__ __forceinline__ float toF(__half x) { return __half2float(x); }
__device__ __forceinline__ float toF(__nv_bfloat16 x) { return __bfloat162float(x); }
template <typename T> __device__ __forceinline__ T fromF(float x);
template <> __device__ __forceinline__ float fromF<float>(float x) { return x; }
template <> __device__ __forceinline__ __half fromF<__half>(float x) { return __float2half(x); }
template <> __device__ __forceinline__ __nv_bfloat16 fromF<__nv_bfloat16>(float x) {
  return __float2bfloat16(x);
}

/// The mask's contribution to score (i, j) of query head h in log2 units;
/// -inf where it masks the position out.
__device__ __forceinline__ float maskAt(const Params &p, int64_t b, int64_t h, int64_t i,
                                        int64_t j) {
  if (p.maskKind == thunder::attention::MASK_NONE)
    return 0.f;
  int64_t off = b * p.mB + h * p.mH + i * p.mL + j * p.mS;
  switch (p.maskKind) {
  case thunder::attention::MASK_F32:
    return static_cast<const float *>(p.mask)[off] * kLog2e;
  case thunder::attention::MASK_F16:
    return toF(static_cast<const __half *>(p.mask)[off]) * kLog2e;
  case thunder::attention::MASK_BF16:
    return toF(static_cast<const __nv_bfloat16 *>(p.mask)[off]) * kLog2e;
  default:
    return static_cast<const unsigned char *>(p.mask)[off] ? 0.f : -INFINITY;
  }
}

/// Whether (i, j) is outside the problem or the causal triangle.
__device__ __forceinline__ bool outside(const Params &p, int64_t i, int64_t j) {
  return i >= p.L || j >= p.S || (p.causal && j > i);
}

__device__ __forceinline__ int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

/// The class of the mask's 64 x 64 tile (tl, ts) for query head h (TileClass):
/// from the map when there is one, else what the mask kind alone says.
__device__ __forceinline__ int tileClass(const Params &p, int64_t b, int64_t h, int64_t tl,
                                         int64_t ts) {
  if (!p.tiles)
    return p.maskKind == thunder::attention::MASK_NONE ? thunder::attention::TILE_FULL
                                                        : thunder::attention::TILE_MIXED;
  const int64_t heads = p.mH ? p.H : 1;
  return p.tiles[(((p.mB ? b : 0) * heads + (p.mH ? h : 0)) * p.tilesL + tl) * p.tilesS + ts];
}

/// One block per mask tile (grid: tiles along S, tiles along L, [batch x] head of the mask):
/// the tile's class, so that the attention kernels skip what a mask removes (a causal mask
/// given as a tensor, padding) and read the mask only where it varies.
__device__ void classifyTiles(const Params &p) {
  const int64_t ts = blockIdx.x, tl = blockIdx.y, heads = p.mH ? p.H : 1;
  const int64_t bm = blockIdx.z / heads, hm = blockIdx.z % heads;
  bool any = false, none = true;
  for (int c = threadIdx.x; c < 64 * 64; c += blockDim.x) {
    const int64_t i = tl * 64 + c / 64, j = ts * 64 + c % 64;
    if (i >= p.L || j >= p.S)
      continue;
    const float x = maskAt(p, bm, hm, i, j);
    any |= x != -INFINITY;
    none &= x == 0.f;
  }
  any = __syncthreads_or(any);
  none = __syncthreads_and(none);
  if (threadIdx.x == 0)
    p.tiles[(blockIdx.z * p.tilesL + tl) * p.tilesS + ts] =
        !any ? thunder::attention::TILE_EMPTY
             : none ? thunder::attention::TILE_FULL : thunder::attention::TILE_MIXED;
}

__device__ __forceinline__ float warpMax(float x) {
  for (int o = 16; o > 0; o >>= 1)
    x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
  return x;
}
__device__ __forceinline__ float warpSum(float x) {
  for (int o = 16; o > 0; o >>= 1)
    x += __shfl_xor_sync(0xffffffffu, x, o);
  return x;
}

//===----------------------------------------------------------------------===//
// Tensor-core kernels (f16/bf16, D = 64 or 128)
//===----------------------------------------------------------------------===//

constexpr int kBM = 64, kBN = 64, kThreads = 128;
constexpr int kPad = 8;   // 16-bit tiles: row stride D + 8 (multiple of 8, fewer bank conflicts)
constexpr int kFPad = 4;  // f32 tiles

/// Copies rows [row0, row0 + 64) of a [rows, D] matrix (row stride `ld`,
/// contiguous rows) to shared memory (row stride D + kPad), zeros past `rows`.
template <typename T, int D>
__device__ __forceinline__ void loadTile(T *dst, const T *src, int64_t ld, int64_t row0,
                                         int64_t rows, bool vec) {
  constexpr int ldd = D + kPad;
  if (vec) {
    constexpr int chunks = D / 8; // 16-byte chunks per row
    for (int c = threadIdx.x; c < kBM * chunks; c += kThreads) {
      int r = c / chunks, col = (c % chunks) * 8;
      uint4 val = make_uint4(0, 0, 0, 0);
      if (row0 + r < rows)
        val = *reinterpret_cast<const uint4 *>(src + (row0 + r) * ld + col);
      *reinterpret_cast<uint4 *>(dst + r * ldd + col) = val;
    }
  } else {
    for (int c = threadIdx.x; c < kBM * D; c += kThreads) {
      int r = c / D, col = c % D;
      dst[r * ldd + col] = row0 + r < rows ? src[(row0 + r) * ld + col] : fromF<T>(0.f);
    }
  }
}

/// The backward kernels' query tile m0 of one head: Q and dO rows, lse (log2
/// units; -inf past L) and delta.
template <typename T, int D>
__device__ __forceinline__ void loadQueryTile(const Params &p, const T *q, const T *dO,
                                              const float *lse, const float *delta, int64_t m0,
                                              T *sQ, T *sdO, float *sLse, float *sDelta) {
  loadTile<T, D>(sQ, q, p.qL, m0, p.L, p.vec);
  loadTile<T, D>(sdO, dO, p.dOL, m0, p.L, p.vec);
  for (int c = threadIdx.x; c < kBM; c += kThreads) {
    bool in = m0 + c < p.L;
    sLse[c] = in ? lse[m0 + c] * kLog2e : -INFINITY;
    sDelta[c] = in ? delta[m0 + c] : 0.f;
  }
}

template <typename T, int D> __device__ void fwdTC(const Params &p) {
  constexpr int ld = D + kPad, lds = kBN + kFPad, ldp = kBN + kPad, ldo = D + kFPad;
  extern __shared__ __align__(16) unsigned char smem[];
  T *sQ = reinterpret_cast<T *>(smem);
  T *sK = sQ + kBM * ld;
  T *sV = sK + kBN * ld;
  float *sS = reinterpret_cast<float *>(sV + kBN * ld);
  T *sP = reinterpret_cast<T *>(sS + kBM * lds);
  float *sO = reinterpret_cast<float *>(sP + kBM * ldp);

  const int64_t m0 = int64_t(blockIdx.x) * kBM, h = blockIdx.y, b = blockIdx.z;
  const int64_t hk = h / (p.H / p.Hkv);
  const T *q = static_cast<const T *>(p.q) + b * p.qB + h * p.qH;
  const T *k = static_cast<const T *>(p.k) + b * p.kB + hk * p.kH;
  const T *v = static_cast<const T *>(p.v) + b * p.vB + hk * p.vH;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const bool vec = p.vec;

  loadTile<T, D>(sQ, q, p.qL, m0, p.L, vec);
  for (int c = threadIdx.x; c < kBM * ldo; c += kThreads)
    sO[c] = 0.f;

  // Lane pair (2r, 2r+1) owns row r of the warp's 16, half of its columns.
  const int r = warp * 16 + lane / 2, half = lane & 1;
  const int64_t i = m0 + r;
  const float scale2 = p.scale * kLog2e;
  float mRow = -INFINITY, lRow = 0.f;

  int64_t nEnd = p.S;
  if (p.causal)
    nEnd = imin(nEnd, m0 + kBM);
  for (int64_t n0 = 0; n0 < nEnd; n0 += kBN) {
    __syncthreads(); // the previous tile's K/V reads are done
    loadTile<T, D>(sK, k, p.kS, n0, p.S, vec);
    loadTile<T, D>(sV, v, p.vS, n0, p.S, vec);
    __syncthreads();

    // S = Q K^T for the warp's 16 rows.
    for (int nt = 0; nt < kBN / 16; ++nt) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::fill_fragment(acc, 0.f);
      for (int kk = 0; kk < D / 16; ++kk) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> bf;
        wmma::load_matrix_sync(a, sQ + warp * 16 * ld + kk * 16, ld);
        wmma::load_matrix_sync(bf, sK + nt * 16 * ld + kk * 16, ld);
        wmma::mma_sync(acc, a, bf, acc);
      }
      wmma::store_matrix_sync(sS + warp * 16 * lds + nt * 16, acc, lds, wmma::mem_row_major);
    }
    __syncwarp();

    // Online softmax on the lane's 32 columns.
    float s[32];
    float mx = -INFINITY;
#pragma unroll
    for (int c = 0; c < 32; ++c) {
      int col = half * 32 + c;
      int64_t j = n0 + col;
      float x = sS[r * lds + col] * scale2;
      if (outside(p, i, j))
        x = -INFINITY;
      else
        x += maskAt(p, b, h, i, j);
      s[c] = x;
      mx = fmaxf(mx, x);
    }
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
    float mNew = fmaxf(mRow, mx);
    float mUse = mNew == -INFINITY ? 0.f : mNew;
    float alpha = exp2f(mRow - mUse);
    float sum = 0.f;
#pragma unroll
    for (int c = 0; c < 32; ++c) {
      float e = exp2f(s[c] - mUse);
      sum += e;
      sP[r * ldp + half * 32 + c] = fromF<T>(e);
    }
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    lRow = lRow * alpha + sum;
    mRow = mNew;
    for (int c = half * (D / 2); c < (half + 1) * (D / 2); ++c)
      sO[r * ldo + c] *= alpha;
    __syncwarp();

    // O += P V for the warp's rows.
    for (int dt = 0; dt < D / 16; ++dt) {
      wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
      wmma::load_matrix_sync(acc, sO + warp * 16 * ldo + dt * 16, ldo, wmma::mem_row_major);
      for (int kk = 0; kk < kBN / 16; ++kk) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> bf;
        wmma::load_matrix_sync(a, sP + warp * 16 * ldp + kk * 16, ldp);
        wmma::load_matrix_sync(bf, sV + kk * 16 * ld + dt * 16, ld);
        wmma::mma_sync(acc, a, bf, acc);
      }
      wmma::store_matrix_sync(sO + warp * 16 * ldo + dt * 16, acc, ldo, wmma::mem_row_major);
    }
    __syncwarp();
  }

  if (i < p.L) {
    T *o = static_cast<T *>(p.o) + b * p.oB + h * p.oH + i * p.oL;
    float inv = lRow > 0.f ? 1.f / lRow : 0.f;
    for (int c = half * (D / 2); c < (half + 1) * (D / 2); ++c)
      o[c] = fromF<T>(sO[r * ldo + c] * inv);
    if (half == 0 && p.lse)
      p.lse[(b * p.H + h) * p.L + i] = lRow > 0.f ? mRow * kLn2 + logf(lRow) : -INFINITY;
  }
}

//===----------------------------------------------------------------------===//
// Register-resident forward (FA2 layout): mma.sync m16n8k16, f16/bf16, D = 64 or 128
//===----------------------------------------------------------------------===//
//
// fwdTC above round-trips the scores and the output accumulator through shared
// memory (WMMA fragments have no documented element layout). Here the layout
// is PTX's: a warp's 16 x 64 score tile lives in registers (thread (g, t) of
// lane = 4g + t holds rows g and g + 8, columns 8n + 2t, 8n + 2t + 1), the
// online softmax reduces across the 4 threads of a quad, the probabilities
// become the A operand of P V without leaving registers (the C layout of one
// m16n8 tile pair is the A layout of m16k16), and V's B operand comes from
// shared memory through ldmatrix.trans. The row sums stay per-thread partial
// until the end: every rescale factor is the same across a quad.

template <typename T> struct MmaType;
#define THUNDER_MMA_TYPE(T, PTX, PAIR, PACK)                                                   \
  template <> struct MmaType<T> {                                                              \
    static __device__ __forceinline__ uint32_t pack(float lo, float hi) {                      \
      PAIR h = PACK(lo, hi);                                                                   \
      return *reinterpret_cast<uint32_t *>(&h);                                                \
    }                                                                                          \
    static __device__ __forceinline__ void mma(float (&c)[4], const uint32_t (&a)[4],          \
                                               uint32_t b0, uint32_t b1) {                     \
      asm volatile("mma.sync.aligned.m16n8k16.row.col.f32." PTX "." PTX ".f32 {%0,%1,%2,%3}, " \
                   "{%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"                                  \
                   : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])                            \
                   : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));            \
    }                                                                                          \
  };
THUNDER_MMA_TYPE(__half, "f16", __half2, __floats2half2_rn)
THUNDER_MMA_TYPE(__nv_bfloat16, "bf16", __nv_bfloat162, __floats2bfloat162_rn)
#undef THUNDER_MMA_TYPE

/// Four 8 x 8 16-bit matrices from shared memory, transposed: lanes 8m..8m+7
/// give the row addresses of matrix m.
__device__ __forceinline__ void ldmatrixTrans4(uint32_t (&r)[4], const void *rowAddr) {
  unsigned addr = static_cast<unsigned>(__cvta_generic_to_shared(rowAddr));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

__device__ __forceinline__ uint32_t lds32(const void *ptr) {
  return *reinterpret_cast<const uint32_t *>(ptr);
}

/// The warp's 16 query rows of the Q tile in shared memory (row stride
/// D + kPad) as mma A fragments, one per 16 columns.
template <typename T, int D>
__device__ __forceinline__ void loadQueryFragments(uint32_t (&qf)[D / 16][4], const T *sQ, int warp) {
  constexpr int ld = D + kPad;
  const int lane = threadIdx.x % 32, g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk) {
    const T *base = sQ + (warp * 16 + g) * ld + kk * 16 + 2 * t;
    qf[kk][0] = lds32(base);
    qf[kk][1] = lds32(base + 8 * ld);
    qf[kk][2] = lds32(base + 8);
    qf[kk][3] = lds32(base + 8 * ld + 8);
  }
}

/// One K/V tile of the register forward after S = Q K^T (s, 16 x 64 per warp
/// in the mma C layout): scale into the log2 domain, mask the tile's edges,
/// the causal diagonal and mixed mask tiles, update the online softmax (m,
/// the per-thread partial row sums) and add P V into acc, V's B operands
/// from shared memory (sV: 64 keys, row stride D + kPad) through ldmatrix.trans.
template <typename T, int D>
__device__ __forceinline__ void softmaxTimesV(const Params &p, int64_t b, int64_t h, int64_t m0,
                                              int64_t n0, int cls, const int64_t (&row)[2],
                                              float (&s)[kBN / 8][4], float (&acc)[D / 8][4],
                                              float (&mRow)[2], float (&lPart)[2], const T *sV) {
  using M = MmaType<T>;
  constexpr int ld = D + kPad;
  const int lane = threadIdx.x % 32, t = lane & 3;
  const float scale2 = p.scale * kLog2e;
  const bool mixed = cls == thunder::attention::TILE_MIXED;
  const bool edge = n0 + kBN > p.S || m0 + kBM > p.L || (p.causal && n0 + kBN - 1 > m0) || mixed;
  float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
  for (int nt = 0; nt < kBN / 8; ++nt)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      float x = s[nt][e] * scale2;
      if (edge) {
        int64_t i = row[e >> 1], j = n0 + nt * 8 + 2 * t + (e & 1);
        x = outside(p, i, j) ? -INFINITY : mixed ? x + maskAt(p, b, h, i, j) : x;
      }
      s[nt][e] = x;
      mx[e >> 1] = fmaxf(mx[e >> 1], x);
    }

  float alpha[2], mUse[2];
#pragma unroll
  for (int hh = 0; hh < 2; ++hh) {
    mx[hh] = fmaxf(mx[hh], __shfl_xor_sync(0xffffffffu, mx[hh], 1));
    mx[hh] = fmaxf(mx[hh], __shfl_xor_sync(0xffffffffu, mx[hh], 2));
    float mNew = fmaxf(mRow[hh], mx[hh]);
    mUse[hh] = mNew == -INFINITY ? 0.f : mNew;
    alpha[hh] = exp2f(mRow[hh] - mUse[hh]);
    mRow[hh] = mNew;
    lPart[hh] *= alpha[hh];
  }
#pragma unroll
  for (int nt = 0; nt < kBN / 8; ++nt)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      s[nt][e] = exp2f(s[nt][e] - mUse[e >> 1]);
      lPart[e >> 1] += s[nt][e];
    }
#pragma unroll
  for (int dt = 0; dt < D / 8; ++dt) {
    acc[dt][0] *= alpha[0];
    acc[dt][1] *= alpha[0];
    acc[dt][2] *= alpha[1];
    acc[dt][3] *= alpha[1];
  }

  // O += P V, 16 keys at a time; P's A fragment is two score tiles.
#pragma unroll
  for (int ks = 0; ks < kBN / 16; ++ks) {
    uint32_t a[4] = {M::pack(s[2 * ks][0], s[2 * ks][1]), M::pack(s[2 * ks][2], s[2 * ks][3]),
                     M::pack(s[2 * ks + 1][0], s[2 * ks + 1][1]),
                     M::pack(s[2 * ks + 1][2], s[2 * ks + 1][3])};
#pragma unroll
    for (int dt = 0; dt < D / 16; ++dt) {
      // Matrix m = lane / 8: keys ks*16 + (m & 1) * 8, columns dt*16 + (m >> 1) * 8.
      const int mat = lane >> 3;
      const T *vrow = sV + (ks * 16 + (mat & 1) * 8 + (lane & 7)) * ld + dt * 16 + (mat >> 1) * 8;
      uint32_t bv[4];
      ldmatrixTrans4(bv, vrow);
      M::mma(acc[2 * dt], a, bv[0], bv[1]);
      M::mma(acc[2 * dt + 1], a, bv[2], bv[3]);
    }
  }
}

/// The register forward's epilogue: O = acc / l for the thread's two rows
/// (16-bit pairs when `vec`), and lse in natural-log units.
template <typename T, int D>
__device__ __forceinline__ void storeForwardRows(const Params &p, int64_t b, int64_t h,
                                                 const int64_t (&row)[2], const float (&acc)[D / 8][4],
                                                 const float (&mRow)[2], const float (&lPart)[2],
                                                 bool vec) {
  using M = MmaType<T>;
  const int t = (threadIdx.x % 32) & 3;
#pragma unroll
  for (int hh = 0; hh < 2; ++hh) {
    float l = lPart[hh];
    l += __shfl_xor_sync(0xffffffffu, l, 1);
    l += __shfl_xor_sync(0xffffffffu, l, 2);
    const int64_t i = row[hh];
    if (i >= p.L)
      continue;
    const float inv = l > 0.f ? 1.f / l : 0.f;
    T *o = static_cast<T *>(p.o) + b * p.oB + h * p.oH + i * p.oL;
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt) {
      float lo = acc[dt][2 * hh] * inv, hi = acc[dt][2 * hh + 1] * inv;
      int c = dt * 8 + 2 * t;
      if (vec) {
        *reinterpret_cast<uint32_t *>(o + c) = M::pack(lo, hi);
      } else {
        o[c] = fromF<T>(lo);
        o[c + 1] = fromF<T>(hi);
      }
    }
    if (t == 0 && p.lse)
      p.lse[(b * p.H + h) * p.L + i] = l > 0.f ? mRow[hh] * kLn2 + logf(l) : -INFINITY;
  }
}

template <typename T, int D> __device__ void fwdMMA(const Params &p) {
  using M = MmaType<T>;
  constexpr int ld = D + kPad;
  extern __shared__ __align__(16) unsigned char smem[];
  T *sQ = reinterpret_cast<T *>(smem);
  T *sK = sQ + kBM * ld;
  T *sV = sK + kBN * ld;

  const int64_t m0 = int64_t(blockIdx.x) * kBM, h = blockIdx.y, b = blockIdx.z;
  const int64_t hk = h / (p.H / p.Hkv);
  const T *q = static_cast<const T *>(p.q) + b * p.qB + h * p.qH;
  const T *k = static_cast<const T *>(p.k) + b * p.kB + hk * p.kH;
  const T *v = static_cast<const T *>(p.v) + b * p.vB + hk * p.vH;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane >> 2, t = lane & 3;
  const bool vec = p.vec;
  const int64_t row[2] = {m0 + warp * 16 + g, m0 + warp * 16 + g + 8};

  loadTile<T, D>(sQ, q, p.qL, m0, p.L, vec);
  __syncthreads();
  uint32_t qf[D / 16][4];
  loadQueryFragments<T, D>(qf, sQ, warp);

  float acc[D / 8][4];
#pragma unroll
  for (int dt = 0; dt < D / 8; ++dt)
    acc[dt][0] = acc[dt][1] = acc[dt][2] = acc[dt][3] = 0.f;
  float mRow[2] = {-INFINITY, -INFINITY}, lPart[2] = {0.f, 0.f};

  int64_t nEnd = p.S;
  if (p.causal)
    nEnd = imin(nEnd, m0 + kBM);
  for (int64_t n0 = 0; n0 < nEnd; n0 += kBN) {
    const int cls = tileClass(p, b, h, blockIdx.x, n0 / kBN);
    if (cls == thunder::attention::TILE_EMPTY)
      continue; // the same for the whole block
    __syncthreads(); // every warp is done with the previous K/V tile
    loadTile<T, D>(sK, k, p.kS, n0, p.S, vec);
    loadTile<T, D>(sV, v, p.vS, n0, p.S, vec);
    __syncthreads();

    // S = Q K^T: 8 tiles of 16 x 8. K's rows are B's columns (the "col" operand).
    float s[kBN / 8][4];
#pragma unroll
    for (int nt = 0; nt < kBN / 8; ++nt) {
      s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.f;
#pragma unroll
      for (int kk = 0; kk < D / 16; ++kk) {
        const T *kb = sK + (nt * 8 + g) * ld + kk * 16 + 2 * t;
        M::mma(s[nt], qf[kk], lds32(kb), lds32(kb + 8));
      }
    }

    softmaxTimesV<T, D>(p, b, h, m0, n0, cls, row, s, acc, mRow, lPart, sV);
  }

  storeForwardRows<T, D>(p, b, h, row, acc, mRow, lPart, vec);
}

/// Four 8 x 8 16-bit matrices from shared memory: lanes 8m..8m+7 give the
/// row addresses of matrix m; lane 4g + t receives row g, columns 2t, 2t + 1.
__device__ __forceinline__ void ldmatrix4(uint32_t (&r)[4], const void *rowAddr) {
  unsigned addr = static_cast<unsigned>(__cvta_generic_to_shared(rowAddr));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

/// 16 bytes global -> shared without passing through registers; zeros when
/// !valid (source size 0: nothing is read).
__device__ __forceinline__ void cpAsync16(void *dst, const void *src, bool valid) {
  unsigned d = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src),
               "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void cpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::); }
/// Waits until at most one committed group is still in flight.
__device__ __forceinline__ void cpAsyncWaitAllButOne() {
  asm volatile("cp.async.wait_group 1;\n" ::);
}

/// loadTile's 16-byte path through cp.async (rows and strides 16-byte aligned).
template <typename T, int D>
__device__ __forceinline__ void loadTileAsync(T *dst, const T *src, int64_t ld, int64_t row0,
                                              int64_t rows) {
  constexpr int ldd = D + kPad, chunks = D / 8;
  for (int c = threadIdx.x; c < kBM * chunks; c += kThreads) {
    int r = c / chunks, col = (c % chunks) * 8;
    bool valid = row0 + r < rows;
    cpAsync16(dst + r * ldd + col, valid ? src + (row0 + r) * ld + col : src, valid);
  }
}

/// fwdMMA with the next K/V tile in flight (cp.async, two buffers) while the
/// current one is multiplied, and K's B operands through ldmatrix. Needs
/// 16-byte aligned rows (p.vec); the launcher picks fwdMMA otherwise.
template <typename T, int D> __device__ void fwdPipe(const Params &p) {
  using M = MmaType<T>;
  constexpr int ld = D + kPad, tileElems = kBM * ld;
  extern __shared__ __align__(16) unsigned char smem[];
  // Q, then K of stages 0 and 1, then V of stages 0 and 1.
  T *sQ = reinterpret_cast<T *>(smem);
  auto sK = [&](int stage) { return sQ + (1 + stage) * tileElems; };
  auto sV = [&](int stage) { return sQ + (3 + stage) * tileElems; };

  const int64_t m0 = int64_t(blockIdx.x) * kBM, h = blockIdx.y, b = blockIdx.z;
  const int64_t hk = h / (p.H / p.Hkv);
  const T *q = static_cast<const T *>(p.q) + b * p.qB + h * p.qH;
  const T *k = static_cast<const T *>(p.k) + b * p.kB + hk * p.kH;
  const T *v = static_cast<const T *>(p.v) + b * p.vB + hk * p.vH;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane >> 2;
  const int64_t row[2] = {m0 + warp * 16 + g, m0 + warp * 16 + g + 8};

  int64_t nEnd = p.S;
  if (p.causal)
    nEnd = imin(nEnd, m0 + kBM);
  // The first key tile at or after `from` that the mask leaves something of.
  auto nextTile = [&](int64_t from) {
    for (int64_t n = from; n < nEnd; n += kBN)
      if (tileClass(p, b, h, blockIdx.x, n / kBN) != thunder::attention::TILE_EMPTY)
        return n;
    return nEnd;
  };

  loadTileAsync<T, D>(sQ, q, p.qL, m0, p.L);
  cpAsyncCommit();
  int64_t n0 = nextTile(0);
  if (n0 < nEnd) {
    loadTileAsync<T, D>(sK(0), k, p.kS, n0, p.S);
    loadTileAsync<T, D>(sV(0), v, p.vS, n0, p.S);
  }
  cpAsyncCommit();
  cpAsyncWaitAllButOne(); // Q is in
  __syncthreads();
  uint32_t qf[D / 16][4];
  loadQueryFragments<T, D>(qf, sQ, warp);

  float acc[D / 8][4];
#pragma unroll
  for (int dt = 0; dt < D / 8; ++dt)
    acc[dt][0] = acc[dt][1] = acc[dt][2] = acc[dt][3] = 0.f;
  float mRow[2] = {-INFINITY, -INFINITY}, lPart[2] = {0.f, 0.f};

  for (int stage = 0; n0 < nEnd; stage ^= 1) {
    const int64_t n1 = nextTile(n0 + kBN);
    if (n1 < nEnd) {
      loadTileAsync<T, D>(sK(stage ^ 1), k, p.kS, n1, p.S);
      loadTileAsync<T, D>(sV(stage ^ 1), v, p.vS, n1, p.S);
    }
    cpAsyncCommit(); // possibly empty: "all but one" then always means this tile
    cpAsyncWaitAllButOne();
    __syncthreads();
    const T *cK = sK(stage), *cV = sV(stage);

    // S = Q K^T: 8 tiles of 16 x 8; one ldmatrix.x4 gives the B operands of two k-steps.
    float s[kBN / 8][4];
#pragma unroll
    for (int nt = 0; nt < kBN / 8; ++nt) {
      s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.f;
#pragma unroll
      for (int k2 = 0; k2 < D / 32; ++k2) {
        uint32_t kb[4];
        ldmatrix4(kb, cK + (nt * 8 + (lane & 7)) * ld + k2 * 32 + (lane >> 3) * 8);
        M::mma(s[nt], qf[2 * k2], kb[0], kb[1]);
        M::mma(s[nt], qf[2 * k2 + 1], kb[2], kb[3]);
      }
    }

    softmaxTimesV<T, D>(p, b, h, m0, n0, tileClass(p, b, h, blockIdx.x, n0 / kBN), row, s, acc,
                        mRow, lPart, cV);
    __syncthreads(); // every warp is done with this stage before it is refilled
    n0 = n1;
  }

  storeForwardRows<T, D>(p, b, h, row, acc, mRow, lPart, true);
}

/// Adds a pair of f32 values (8-byte aligned) to global memory.
__device__ __forceinline__ void atomicAdd2(float *ptr, float a, float b) {
#if __CUDA_ARCH__ >= 900
  atomicAdd(reinterpret_cast<float2 *>(ptr), make_float2(a, b));
#else
  atomicAdd(ptr, a);
  atomicAdd(ptr + 1, b);
#endif
}

/// The backward in registers (FA2), the layouts of fwdMMA: a block owns 64 keys of one KV
/// head and loops over the query heads sharing it and their 64-row query tiles. Warp w holds
/// S^T and dP^T for its 16 keys x 64 queries, turns them into P^T and dS^T in place, and
/// accumulates dV += P^T dO and dK += dS^T Q with the A operands straight from registers and
/// the B operands through ldmatrix.trans. dS goes through shared memory once for
/// dQ += dS K (each warp 16 query rows), added to the f32 dQ accumulator with atomics.
template <typename T, int D> __device__ void bwdMMA(const Params &p) {
  using M = MmaType<T>;
  constexpr int ld = D + kPad, ldp = kBN + kPad;
  extern __shared__ __align__(16) unsigned char smem[];
  T *sK = reinterpret_cast<T *>(smem);
  T *sV = sK + kBN * ld;
  T *sQ = sV + kBN * ld;
  T *sdO = sQ + kBM * ld;
  T *sdS = sdO + kBM * ld; // dS [query][key]
  float *sLse = reinterpret_cast<float *>(sdS + kBM * ldp);
  float *sDelta = sLse + kBM;

  const int64_t n0 = int64_t(blockIdx.x) * kBN, hk = blockIdx.y, b = blockIdx.z;
  const int64_t group = p.H / p.Hkv;
  const T *k = static_cast<const T *>(p.k) + b * p.kB + hk * p.kH;
  const T *v = static_cast<const T *>(p.v) + b * p.vB + hk * p.vH;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane >> 2, t = lane & 3, mat = lane >> 3;
  const bool vec = p.vec;
  const float scale2 = p.scale * kLog2e;
  const int keyRow = warp * 16 + g; // and keyRow + 8

  loadTile<T, D>(sK, k, p.kS, n0, p.S, vec);
  loadTile<T, D>(sV, v, p.vS, n0, p.S, vec);

  float dK[D / 8][4], dV[D / 8][4];
#pragma unroll
  for (int dt = 0; dt < D / 8; ++dt)
#pragma unroll
    for (int e = 0; e < 4; ++e)
      dK[dt][e] = dV[dt][e] = 0.f;

  const int64_t mBegin = p.causal ? (n0 / kBM) * kBM : 0;
  for (int64_t h = hk * group; h < (hk + 1) * group; ++h) {
    const T *q = static_cast<const T *>(p.q) + b * p.qB + h * p.qH;
    const T *dO = static_cast<const T *>(p.dO) + b * p.dOB + h * p.dOH;
    const float *lse = p.lse + (b * p.H + h) * p.L;
    const float *delta = p.delta + (b * p.H + h) * p.L;
    float *dqAcc = p.dqAcc + (b * p.H + h) * p.L * D;
    for (int64_t m0 = mBegin; m0 < p.L; m0 += kBM) {
      const int cls = tileClass(p, b, h, m0 / kBM, blockIdx.x);
      if (cls == thunder::attention::TILE_EMPTY)
        continue; // the same for the whole block: no contribution
      __syncthreads(); // the previous tile's reads of sQ, sdO and sdS are done
      loadQueryTile<T, D>(p, q, dO, lse, delta, m0, sQ, sdO, sLse, sDelta);
      __syncthreads();

      // S^T = K Q^T and dP^T = V dO^T for the warp's 16 keys: 8 tiles of 16 x 8 queries.
      float s[kBM / 8][4], dp[kBM / 8][4];
#pragma unroll
      for (int nt = 0; nt < kBM / 8; ++nt)
#pragma unroll
        for (int e = 0; e < 4; ++e)
          s[nt][e] = dp[nt][e] = 0.f;
#pragma unroll
      for (int kk = 0; kk < D / 16; ++kk) {
        const T *ka = sK + keyRow * ld + kk * 16 + 2 * t;
        const T *va = sV + keyRow * ld + kk * 16 + 2 * t;
        uint32_t aK[4] = {lds32(ka), lds32(ka + 8 * ld), lds32(ka + 8), lds32(ka + 8 * ld + 8)};
        uint32_t aV[4] = {lds32(va), lds32(va + 8 * ld), lds32(va + 8), lds32(va + 8 * ld + 8)};
#pragma unroll
        for (int nt = 0; nt < kBM / 8; ++nt) {
          const T *qb = sQ + (nt * 8 + g) * ld + kk * 16 + 2 * t;
          const T *ob = sdO + (nt * 8 + g) * ld + kk * 16 + 2 * t;
          M::mma(s[nt], aK, lds32(qb), lds32(qb + 8));
          M::mma(dp[nt], aV, lds32(ob), lds32(ob + 8));
        }
      }

      // P^T = exp2(S^T scale2 + mask - lse2), dS^T = P^T (dP^T - delta); dS to shared memory.
      const bool mixed = cls == thunder::attention::TILE_MIXED;
      const bool edge = n0 + kBN > p.S || m0 + kBM > p.L || (p.causal && n0 + kBN - 1 > m0) || mixed;
#pragma unroll
      for (int nt = 0; nt < kBM / 8; ++nt)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int c = nt * 8 + 2 * t + (e & 1), key = keyRow + (e >> 1) * 8;
          const int64_t i = m0 + c, j = n0 + key;
          const float l2 = sLse[c];
          float pv = 0.f;
          if (l2 != -INFINITY && !(edge && outside(p, i, j))) {
            float x = s[nt][e] * scale2;
            if (mixed)
              x += maskAt(p, b, h, i, j);
            pv = exp2f(x - l2);
          }
          const float ds = pv * (dp[nt][e] - sDelta[c]);
          s[nt][e] = pv;
          dp[nt][e] = ds;
          sdS[c * ldp + key] = fromF<T>(ds);
        }

      // dV += P^T dO, dK += dS^T Q: 16 queries at a time.
#pragma unroll
      for (int ks = 0; ks < kBM / 16; ++ks) {
        uint32_t aP[4] = {M::pack(s[2 * ks][0], s[2 * ks][1]), M::pack(s[2 * ks][2], s[2 * ks][3]),
                          M::pack(s[2 * ks + 1][0], s[2 * ks + 1][1]),
                          M::pack(s[2 * ks + 1][2], s[2 * ks + 1][3])};
        uint32_t aS[4] = {M::pack(dp[2 * ks][0], dp[2 * ks][1]),
                          M::pack(dp[2 * ks][2], dp[2 * ks][3]),
                          M::pack(dp[2 * ks + 1][0], dp[2 * ks + 1][1]),
                          M::pack(dp[2 * ks + 1][2], dp[2 * ks + 1][3])};
        const int rowOff = (ks * 16 + (mat & 1) * 8 + (lane & 7)) * ld + (mat >> 1) * 8;
#pragma unroll
        for (int dt = 0; dt < D / 16; ++dt) {
          uint32_t bo[4], bq[4];
          ldmatrixTrans4(bo, sdO + rowOff + dt * 16);
          ldmatrixTrans4(bq, sQ + rowOff + dt * 16);
          M::mma(dV[2 * dt], aP, bo[0], bo[1]);
          M::mma(dV[2 * dt + 1], aP, bo[2], bo[3]);
          M::mma(dK[2 * dt], aS, bq[0], bq[1]);
          M::mma(dK[2 * dt + 1], aS, bq[2], bq[3]);
        }
      }
      __syncthreads(); // every warp's dS is in shared memory

      // dQ += scale dS K for query rows 16w .. 16w + 15 of the tile.
      float dq[D / 8][4];
#pragma unroll
      for (int dt = 0; dt < D / 8; ++dt)
        dq[dt][0] = dq[dt][1] = dq[dt][2] = dq[dt][3] = 0.f;
#pragma unroll
      for (int kk = 0; kk < kBN / 16; ++kk) {
        const T *sa = sdS + (warp * 16 + g) * ldp + kk * 16 + 2 * t;
        uint32_t a[4] = {lds32(sa), lds32(sa + 8 * ldp), lds32(sa + 8), lds32(sa + 8 * ldp + 8)};
        const int rowOff = (kk * 16 + (mat & 1) * 8 + (lane & 7)) * ld + (mat >> 1) * 8;
#pragma unroll
        for (int dt = 0; dt < D / 16; ++dt) {
          uint32_t bk[4];
          ldmatrixTrans4(bk, sK + rowOff + dt * 16);
          M::mma(dq[2 * dt], a, bk[0], bk[1]);
          M::mma(dq[2 * dt + 1], a, bk[2], bk[3]);
        }
      }
#pragma unroll
      for (int hh = 0; hh < 2; ++hh) {
        const int64_t i = m0 + warp * 16 + g + hh * 8;
        if (i >= p.L)
          continue;
#pragma unroll
        for (int dt = 0; dt < D / 8; ++dt)
          atomicAdd2(dqAcc + i * D + dt * 8 + 2 * t, dq[dt][2 * hh] * p.scale,
                     dq[dt][2 * hh + 1] * p.scale);
      }
    }
  }

  // dK = scale dS^T Q, dV = P^T dO: rows keyRow and keyRow + 8 of the block's keys.
  T *dk = static_cast<T *>(p.dk) + b * p.dkB + hk * p.dkH;
  T *dv = static_cast<T *>(p.dv) + b * p.dvB + hk * p.dvH;
#pragma unroll
  for (int hh = 0; hh < 2; ++hh) {
    const int64_t j = n0 + keyRow + hh * 8;
    if (j >= p.S)
      continue;
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt) {
      const int c = dt * 8 + 2 * t;
      dk[j * p.dkS + c] = fromF<T>(dK[dt][2 * hh] * p.scale);
      dk[j * p.dkS + c + 1] = fromF<T>(dK[dt][2 * hh + 1] * p.scale);
      dv[j * p.dvS + c] = fromF<T>(dV[dt][2 * hh]);
      dv[j * p.dvS + c + 1] = fromF<T>(dV[dt][2 * hh + 1]);
    }
  }
}

template <typename T, int D> __device__ void bwdTC(const Params &p) {
  constexpr int ld = D + kPad, lds = kBM + kFPad, ldp = kBM + kPad, ldq = D + kFPad;
  extern __shared__ __align__(16) unsigned char smem[];
  T *sK = reinterpret_cast<T *>(smem);
  T *sV = sK + kBN * ld;
  T *sQ = sV + kBN * ld;
  T *sdO = sQ + kBM * ld;
  float *sSt = reinterpret_cast<float *>(sdO + kBM * ld); // S^T, then scratch for dQ / dK / dV
  float *sdPt = sSt + kBN * lds;
  T *sPt = reinterpret_cast<T *>(sdPt + kBN * lds);
  T *sdSt = sPt + kBN * ldp;
  float *sLse = reinterpret_cast<float *>(sdSt + kBN * ldp);
  float *sDelta = sLse + kBM;
  float *sdQ = sSt; // [64][D + kFPad] f32, fits in sSt + sdPt

  const int64_t n0 = int64_t(blockIdx.x) * kBN, hk = blockIdx.y, b = blockIdx.z;
  const int64_t group = p.H / p.Hkv;
  const T *k = static_cast<const T *>(p.k) + b * p.kB + hk * p.kH;
  const T *v = static_cast<const T *>(p.v) + b * p.vB + hk * p.vH;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const bool vec = p.vec;
  const float scale2 = p.scale * kLog2e;

  loadTile<T, D>(sK, k, p.kS, n0, p.S, vec);
  loadTile<T, D>(sV, v, p.vS, n0, p.S, vec);

  wmma::fragment<wmma::accumulator, 16, 16, 16, float> dK[D / 16], dV[D / 16];
  for (int dt = 0; dt < D / 16; ++dt) {
    wmma::fill_fragment(dK[dt], 0.f);
    wmma::fill_fragment(dV[dt], 0.f);
  }

  // Lane pair owns key row r of the warp's 16, half of the 64 query columns.
  const int r = warp * 16 + lane / 2, half = lane & 1;
  const int64_t j = n0 + r;
  const int64_t mBegin = p.causal ? (n0 / kBM) * kBM : 0;

  for (int64_t h = hk * group; h < (hk + 1) * group; ++h) {
    const T *q = static_cast<const T *>(p.q) + b * p.qB + h * p.qH;
    const T *dO = static_cast<const T *>(p.dO) + b * p.dOB + h * p.dOH;
    const float *lse = p.lse + (b * p.H + h) * p.L;
    const float *delta = p.delta + (b * p.H + h) * p.L;
    float *dqAcc = p.dqAcc + (b * p.H + h) * p.L * D;
    for (int64_t m0 = mBegin; m0 < p.L; m0 += kBM) {
      const int cls = tileClass(p, b, h, m0 / kBM, blockIdx.x);
      if (cls == thunder::attention::TILE_EMPTY)
        continue; // the same for the whole block: no dQ, dK or dV contribution
      __syncthreads(); // the previous tile's reads of sQ/sdO/sdQ are done
      loadQueryTile<T, D>(p, q, dO, lse, delta, m0, sQ, sdO, sLse, sDelta);
      __syncthreads();

      // S^T = K_w Q^T and dP^T = V_w dO^T for the warp's 16 keys.
      for (int qt = 0; qt < kBM / 16; ++qt) {
        wmma::fragment<wmma::accumulator, 16, 16, 16, float> s, dp;
        wmma::fill_fragment(s, 0.f);
        wmma::fill_fragment(dp, 0.f);
        for (int kk = 0; kk < D / 16; ++kk) {
          wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
          wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> bf;
          wmma::load_matrix_sync(a, sK + warp * 16 * ld + kk * 16, ld);
          wmma::load_matrix_sync(bf, sQ + qt * 16 * ld + kk * 16, ld);
          wmma::mma_sync(s, a, bf, s);
          wmma::load_matrix_sync(a, sV + warp * 16 * ld + kk * 16, ld);
          wmma::load_matrix_sync(bf, sdO + qt * 16 * ld + kk * 16, ld);
          wmma::mma_sync(dp, a, bf, dp);
        }
        wmma::store_matrix_sync(sSt + warp * 16 * lds + qt * 16, s, lds, wmma::mem_row_major);
        wmma::store_matrix_sync(sdPt + warp * 16 * lds + qt * 16, dp, lds, wmma::mem_row_major);
      }
      __syncwarp();

      // P^T and dS^T = P^T * (dP^T - delta) on the lane's 32 query columns.
      for (int c = half * 32; c < half * 32 + 32; ++c) {
        int64_t i = m0 + c;
        float pv = 0.f;
        if (!outside(p, i, j) && sLse[c] != -INFINITY) {
          float x = sSt[r * lds + c] * scale2;
          if (cls == thunder::attention::TILE_MIXED)
            x += maskAt(p, b, h, i, j);
          pv = exp2f(x - sLse[c]);
        }
        float ds = pv * (sdPt[r * lds + c] - sDelta[c]);
        sPt[r * ldp + c] = fromF<T>(pv);
        sdSt[r * ldp + c] = fromF<T>(ds);
      }
      __syncwarp();

      // dV_w += P^T dO, dK_w += dS^T Q (scaled at the end).
      for (int dt = 0; dt < D / 16; ++dt) {
        for (int kk = 0; kk < kBM / 16; ++kk) {
          wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
          wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> bf;
          wmma::load_matrix_sync(a, sPt + warp * 16 * ldp + kk * 16, ldp);
          wmma::load_matrix_sync(bf, sdO + kk * 16 * ld + dt * 16, ld);
          wmma::mma_sync(dV[dt], a, bf, dV[dt]);
          wmma::load_matrix_sync(a, sdSt + warp * 16 * ldp + kk * 16, ldp);
          wmma::load_matrix_sync(bf, sQ + kk * 16 * ld + dt * 16, ld);
          wmma::mma_sync(dK[dt], a, bf, dK[dt]);
        }
      }
      __syncthreads(); // every warp's dS^T is written; sSt/sdPt are free

      // dQ (64 x D) += dS K: warp w takes query rows 16w..16w+15.
      for (int dt = 0; dt < D / 16; ++dt) {
        wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
        wmma::fill_fragment(acc, 0.f);
        for (int kk = 0; kk < kBN / 16; ++kk) {
          wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::col_major> a;
          wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> bf;
          wmma::load_matrix_sync(a, sdSt + kk * 16 * ldp + warp * 16, ldp);
          wmma::load_matrix_sync(bf, sK + kk * 16 * ld + dt * 16, ld);
          wmma::mma_sync(acc, a, bf, acc);
        }
        wmma::store_matrix_sync(sdQ + warp * 16 * ldq + dt * 16, acc, ldq, wmma::mem_row_major);
      }
      __syncwarp();
      for (int c = lane; c < 16 * D; c += 32) {
        int row = warp * 16 + c / D, col = c % D;
        if (m0 + row < p.L)
          atomicAdd(dqAcc + (m0 + row) * D + col, sdQ[row * ldq + col] * p.scale);
      }
    }
  }

  // dK = scale * dS^T Q, dV = P^T dO: through shared memory to the outputs.
  for (int which = 0; which < 2; ++which) {
    __syncthreads();
    for (int dt = 0; dt < D / 16; ++dt)
      wmma::store_matrix_sync(sdQ + warp * 16 * ldq + dt * 16, which ? dV[dt] : dK[dt], ldq,
                              wmma::mem_row_major);
    __syncwarp();
    T *out = which ? static_cast<T *>(p.dv) + b * p.dvB + hk * p.dvH
                   : static_cast<T *>(p.dk) + b * p.dkB + hk * p.dkH;
    int64_t ldOut = which ? p.dvS : p.dkS;
    float f = which ? 1.f : p.scale;
    for (int c = lane; c < 16 * D; c += 32) {
      int row = warp * 16 + c / D, col = c % D;
      if (n0 + row < p.S)
        out[(n0 + row) * ldOut + col] = fromF<T>(sdQ[row * ldq + col] * f);
    }
  }
}

//===----------------------------------------------------------------------===//
// Generic kernels: one warp per query row, head dim <= 128
//===----------------------------------------------------------------------===//

constexpr int kGenWarps = 4, kDPerLane = 4;

template <typename T> __device__ void fwdGeneric(const Params &p) {
  __shared__ float sQ[kGenWarps][32 * kDPerLane];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t i = int64_t(blockIdx.x) * kGenWarps + warp, h = blockIdx.y, b = blockIdx.z;
  if (i >= p.L)
    return;
  const int64_t hk = h / (p.H / p.Hkv), D = p.D;
  const T *q = static_cast<const T *>(p.q) + b * p.qB + h * p.qH + i * p.qL;
  const T *k = static_cast<const T *>(p.k) + b * p.kB + hk * p.kH;
  const T *v = static_cast<const T *>(p.v) + b * p.vB + hk * p.vH;
  for (int d = lane; d < D; d += 32)
    sQ[warp][d] = toF(q[d]) * p.scale * kLog2e;
  __syncwarp();
  float o[kDPerLane] = {0.f, 0.f, 0.f, 0.f};
  float mRow = -INFINITY, lRow = 0.f;
  int64_t nEnd = p.causal ? imin(p.S, i + 1) : p.S;
  for (int64_t j0 = 0; j0 < nEnd; j0 += 32) {
    int64_t j = j0 + lane;
    float s = -INFINITY;
    if (!outside(p, i, j)) {
      const T *kr = k + j * p.kS;
      float dot = 0.f;
      for (int d = 0; d < D; ++d)
        dot += sQ[warp][d] * toF(kr[d]);
      s = dot + maskAt(p, b, h, i, j);
    }
    float mNew = fmaxf(mRow, warpMax(s));
    float mUse = mNew == -INFINITY ? 0.f : mNew;
    float alpha = exp2f(mRow - mUse);
    float e = exp2f(s - mUse);
    lRow = lRow * alpha + warpSum(e);
    mRow = mNew;
    for (int t = 0; t < kDPerLane; ++t)
      o[t] *= alpha;
    int n = int(imin(32, nEnd - j0));
    for (int c = 0; c < n; ++c) {
      float pc = __shfl_sync(0xffffffffu, e, c);
      const T *vr = v + (j0 + c) * p.vS;
      for (int t = 0; t < kDPerLane; ++t) {
        int d = lane + 32 * t;
        if (d < D)
          o[t] += pc * toF(vr[d]);
      }
    }
  }
  T *out = static_cast<T *>(p.o) + b * p.oB + h * p.oH + i * p.oL;
  float inv = lRow > 0.f ? 1.f / lRow : 0.f;
  for (int t = 0; t < kDPerLane; ++t) {
    int d = lane + 32 * t;
    if (d < D)
      out[d] = fromF<T>(o[t] * inv);
  }
  if (lane == 0 && p.lse)
    p.lse[(b * p.H + h) * p.L + i] = lRow > 0.f ? mRow * kLn2 + logf(lRow) : -INFINITY;
}

/// dQ accumulated in registers, dK and dV through f32 atomics into dkAcc/dvAcc.
template <typename T> __device__ void bwdGeneric(const Params &p) {
  __shared__ float sQ[kGenWarps][32 * kDPerLane], sdO[kGenWarps][32 * kDPerLane];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t i = int64_t(blockIdx.x) * kGenWarps + warp, h = blockIdx.y, b = blockIdx.z;
  if (i >= p.L)
    return;
  const int64_t hk = h / (p.H / p.Hkv), D = p.D;
  const T *q = static_cast<const T *>(p.q) + b * p.qB + h * p.qH + i * p.qL;
  const T *dO = static_cast<const T *>(p.dO) + b * p.dOB + h * p.dOH + i * p.dOL;
  const T *k = static_cast<const T *>(p.k) + b * p.kB + hk * p.kH;
  const T *v = static_cast<const T *>(p.v) + b * p.vB + hk * p.vH;
  float *dkAcc = p.dkAcc + (b * p.Hkv + hk) * p.S * D;
  float *dvAcc = p.dvAcc + (b * p.Hkv + hk) * p.S * D;
  for (int d = lane; d < D; d += 32) {
    sQ[warp][d] = toF(q[d]);
    sdO[warp][d] = toF(dO[d]);
  }
  __syncwarp();
  const float lse = p.lse[(b * p.H + h) * p.L + i] * kLog2e;
  const float delta = p.delta[(b * p.H + h) * p.L + i];
  const float scale2 = p.scale * kLog2e;
  float dq[kDPerLane] = {0.f, 0.f, 0.f, 0.f};
  int64_t nEnd = p.causal ? imin(p.S, i + 1) : p.S;
  if (lse == -INFINITY)
    nEnd = 0;
  for (int64_t j0 = 0; j0 < nEnd; j0 += 32) {
    int64_t j = j0 + lane;
    float pv = 0.f, ds = 0.f;
    if (!outside(p, i, j)) {
      const T *kr = k + j * p.kS, *vr = v + j * p.vS;
      float dot = 0.f, dp = 0.f;
      for (int d = 0; d < D; ++d) {
        dot += sQ[warp][d] * toF(kr[d]);
        dp += sdO[warp][d] * toF(vr[d]);
      }
      pv = exp2f(dot * scale2 + maskAt(p, b, h, i, j) - lse);
      ds = pv * (dp - delta);
    }
    int n = int(imin(32, nEnd - j0));
    for (int c = 0; c < n; ++c) {
      float pc = __shfl_sync(0xffffffffu, pv, c), dsc = __shfl_sync(0xffffffffu, ds, c);
      int64_t jc = j0 + c;
      const T *kr = k + jc * p.kS;
      for (int t = 0; t < kDPerLane; ++t) {
        int d = lane + 32 * t;
        if (d < D) {
          dq[t] += dsc * toF(kr[d]);
          atomicAdd(dkAcc + jc * D + d, dsc * sQ[warp][d] * p.scale);
          atomicAdd(dvAcc + jc * D + d, pc * sdO[warp][d]);
        }
      }
    }
  }
  float *dqAcc = p.dqAcc + ((b * p.H + h) * p.L + i) * D;
  for (int t = 0; t < kDPerLane; ++t) {
    int d = lane + 32 * t;
    if (d < D)
      dqAcc[d] = dq[t] * p.scale;
  }
}

/// delta[b, h, i] = sum_d dO * O (one warp per row).
template <typename T> __device__ void bwdDelta(const Params &p) {
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t i = int64_t(blockIdx.x) * kGenWarps + warp, h = blockIdx.y, b = blockIdx.z;
  if (i >= p.L)
    return;
  const T *o = static_cast<const T *>(p.o) + b * p.oB + h * p.oH + i * p.oL;
  const T *dO = static_cast<const T *>(p.dO) + b * p.dOB + h * p.dOH + i * p.dOL;
  float s = 0.f;
  for (int64_t d = lane; d < p.D; d += 32)
    s += toF(o[d]) * toF(dO[d]);
  s = warpSum(s);
  if (lane == 0)
    p.delta[(b * p.H + h) * p.L + i] = s;
}

/// Writes an f32 accumulator [B, heads, rows, D] (contiguous) to a strided output.
template <typename T>
__device__ void castOut(const float *acc, T *out, int64_t heads, int64_t rows, int64_t D,
                        int64_t sB, int64_t sH, int64_t sR, int64_t total) {
  for (int64_t x = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; x < total;
       x += int64_t(gridDim.x) * blockDim.x) {
    int64_t d = x % D, rr = (x / D) % rows, hh = (x / D / rows) % heads, bb = x / D / rows / heads;
    out[bb * sB + hh * sH + rr * sR + d] = fromF<T>(acc[x]);
  }
}

} // namespace

#define THUNDER_TC_KERNELS(NAME, T, D)                                                         \
  extern "C" __global__ void __launch_bounds__(kThreads)                                       \
      thunder_attn_fwd_##NAME##_d##D(Params p) {                                               \
    fwdTC<T, D>(p);                                                                            \
  }                                                                                            \
  extern "C" __global__ void __launch_bounds__(kThreads, D == 64 ? 4 : 2)                     \
      thunder_attn_fwd_mma_##NAME##_d##D(Params p) {                                           \
    fwdMMA<T, D>(p);                                                                           \
  }                                                                                            \
  extern "C" __global__ void __launch_bounds__(kThreads, D == 64 ? 3 : 2)                     \
      thunder_attn_fwd_pipe_##NAME##_d##D(Params p) {                                          \
    fwdPipe<T, D>(p);                                                                          \
  }                                                                                            \
  extern "C" __global__ void __launch_bounds__(kThreads)                                       \
      thunder_attn_bwd_mma_##NAME##_d##D(Params p) {                                           \
    bwdMMA<T, D>(p);                                                                           \
  }                                                                                            \
  extern "C" __global__ void __launch_bounds__(kThreads)                                       \
      thunder_attn_bwd_##NAME##_d##D(Params p) {                                               \
    bwdTC<T, D>(p);                                                                            \
  }
THUNDER_TC_KERNELS(f16, __half, 64)
THUNDER_TC_KERNELS(f16, __half, 128)
THUNDER_TC_KERNELS(bf16, __nv_bfloat16, 64)
THUNDER_TC_KERNELS(bf16, __nv_bfloat16, 128)

#define THUNDER_GENERIC_KERNELS(NAME, T)                                                       \
  extern "C" __global__ void thunder_attn_fwd_generic_##NAME(Params p) { fwdGeneric<T>(p); }  \
  extern "C" __global__ void thunder_attn_bwd_generic_##NAME(Params p) { bwdGeneric<T>(p); }  \
  extern "C" __global__ void thunder_attn_bwd_delta_##NAME(Params p) { bwdDelta<T>(p); }      \
  extern "C" __global__ void thunder_attn_bwd_cast_##NAME(Params p) {                          \
    int64_t qTotal = p.B * p.H * p.L * p.D, kvTotal = p.B * p.Hkv * p.S * p.D;                 \
    if (blockIdx.y == 0)                                                                       \
      castOut<T>(p.dqAcc, static_cast<T *>(p.dq), p.H, p.L, p.D, p.dqB, p.dqH, p.dqL, qTotal); \
    else if (blockIdx.y == 1 && p.dkAcc)                                                       \
      castOut<T>(p.dkAcc, static_cast<T *>(p.dk), p.Hkv, p.S, p.D, p.dkB, p.dkH, p.dkS,        \
                 kvTotal);                                                                     \
    else if (blockIdx.y == 2 && p.dvAcc)                                                       \
      castOut<T>(p.dvAcc, static_cast<T *>(p.dv), p.Hkv, p.S, p.D, p.dvB, p.dvH, p.dvS,        \
                 kvTotal);                                                                     \
  }
THUNDER_GENERIC_KERNELS(f32, float)
THUNDER_GENERIC_KERNELS(f16, __half)
THUNDER_GENERIC_KERNELS(bf16, __nv_bfloat16)

extern "C" __global__ void __launch_bounds__(kThreads) thunder_attn_tiles(Params p) {
  classifyTiles(p);
}
