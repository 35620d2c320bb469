//===- AttentionLaunch.h - Which attention kernels run, with what ----------===//
//
// The host half of the fused attention, over an abstract backend (the
// runtime's driver calls in runtime/cuda/Attention.cpp; the standalone GPU
// test in test/gpu/attention) so that both run the same launch sequence:
//   forward:  fwd_mma (f16/bf16, head dim 64/128; THUNDER_ATTENTION_FWD=wmma
//             picks the older fwd_tc, =pipe the cp.async-pipelined fwd_pipe) or fwd_generic;
//   backward: the forward again into scratch (O, lse), delta = rowsum(dO * O),
//             bwd_tc (THUNDER_ATTENTION_BWD=mma: bwd_mma) + a cast of the f32 dQ,
//             or bwd_generic + casts of dQ/dK/dV.
//   With a mask, thunder_attn_tiles first classifies its 64 x 64 tiles (skipped, unread, read).
// Header-only C++, no CUDA headers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "AttentionParams.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace thunder::attention {

/// thunder_mm_dtype codes (compiler_abi.h).
enum DType { DT_F32 = 0, DT_F16 = 1, DT_BF16 = 2 };

struct Backend {
  virtual ~Backend() = default;
  /// Launches kernel `name` with one Params argument; false on failure (recorded by the backend).
  virtual bool launch(const char *name, unsigned gx, unsigned gy, unsigned gz, unsigned block,
                      unsigned smem, Params &p) = 0;
  /// Device memory, zeroed when `zero`; null on failure.
  virtual void *alloc(size_t bytes, bool zero) = 0;
  virtual void free(void *ptr) = 0;
};

constexpr int kTileRows = 64, kTileThreads = 128, kGenericRows = 4, kMaxGenericD = 128;

inline const char *dtypeName(int dtype) {
  return dtype == DT_F16 ? "f16" : dtype == DT_BF16 ? "bf16" : "f32";
}
inline size_t elementSize(int dtype) { return dtype == DT_F32 ? 4 : 2; }

/// Whether the f16/bf16 tensor-core kernels take this problem.
inline bool tensorCores(int dtype, const Params &p) {
  return (dtype == DT_F16 || dtype == DT_BF16) && (p.D == 64 || p.D == 128);
}
inline bool supported(int dtype, const Params &p) {
  return (dtype == DT_F32 || dtype == DT_F16 || dtype == DT_BF16) && p.D > 0 &&
         p.D <= kMaxGenericD && p.Hkv > 0 && p.H % p.Hkv == 0 && p.maskKind >= MASK_NONE &&
         p.maskKind <= MASK_BOOL;
}

inline unsigned fwdSmem(int64_t D) {
  int64_t ld = D + 8;
  return unsigned(3 * 64 * ld * 2 + 64 * 68 * 4 + 64 * 72 * 2 + 64 * (D + 4) * 4);
}
/// fwd_mma: Q, K and V tiles only (scores and output stay in registers).
inline unsigned fwdMmaSmem(int64_t D) { return unsigned(3 * 64 * (D + 8) * 2); }
/// fwd_pipe: Q and two stages of K and V.
inline unsigned fwdPipeSmem(int64_t D) { return unsigned(5 * 64 * (D + 8) * 2); }
/// THUNDER_ATTENTION_FWD=pipe: fwd_pipe (cp.async double buffering) where
/// rows are 16-byte aligned; opt-in until it has passed test/gpu/attention.
inline bool pipelinedForward() {
  const char *env = std::getenv("THUNDER_ATTENTION_FWD");
  return env && std::strcmp(env, "pipe") == 0;
}
/// bwd_mma: K, V, Q, dO tiles, dS [64][72] and the tile's lse and delta.
inline unsigned bwdMmaSmem(int64_t D) {
  return unsigned(4 * 64 * (D + 8) * 2 + 64 * 72 * 2 + 2 * 64 * 4);
}
/// THUNDER_ATTENTION_FWD=wmma / THUNDER_ATTENTION_BWD=wmma: the shared-memory
/// kernels (fwd_tc, bwd_tc), for A/B runs.
inline bool registerKernels(const char *variable) {
  const char *env = std::getenv(variable);
  return !env || std::strcmp(env, "wmma") != 0;
}
inline bool registerForward() { return registerKernels("THUNDER_ATTENTION_FWD"); }
inline unsigned bwdSmem(int64_t D) {
  int64_t ld = D + 8;
  return unsigned(4 * 64 * ld * 2 + 2 * 64 * 68 * 4 + 2 * 64 * 72 * 2 + 2 * 64 * 4);
}

/// 16-byte row accesses: aligned pointers and strides that are multiples of 8 elements.
inline bool vectorizable(const Params &p) {
  auto aligned = [](const void *ptr) { return !ptr || (reinterpret_cast<uintptr_t>(ptr) & 15) == 0; };
  bool ok = aligned(p.q) && aligned(p.k) && aligned(p.v) && aligned(p.o) && aligned(p.dO);
  for (int64_t s : {p.qB, p.qH, p.qL, p.kB, p.kH, p.kS, p.vB, p.vH, p.vS, p.oB, p.oH, p.oL,
                    p.dOB, p.dOH, p.dOL})
    ok = ok && s % 8 == 0;
  return ok;
}

inline unsigned cdiv(int64_t a, int64_t b) { return unsigned((a + b - 1) / b); }

/// The mask's tile map (AttentionParams.h) for the tensor-core kernels, in
/// scratch that the caller frees: null when there is no mask, nothing to
/// classify or a launch failed (`ok` false then).
inline unsigned char *classifyTiles(Backend &be, int dtype, Params &p, bool &ok) {
  ok = true;
  if (p.maskKind == MASK_NONE || !tensorCores(dtype, p) || p.L == 0 || p.S == 0 || p.B == 0)
    return nullptr;
  // THUNDER_ATTENTION_TILES=0: no map (every tile read per element), for A/B runs.
  if (const char *env = std::getenv("THUNDER_ATTENTION_TILES"); env && std::strcmp(env, "0") == 0)
    return nullptr;
  p.tilesL = (p.L + kTileRows - 1) / kTileRows;
  p.tilesS = (p.S + kTileRows - 1) / kTileRows;
  int64_t maps = (p.mB ? p.B : 1) * (p.mH ? p.H : 1);
  auto *tiles = static_cast<unsigned char *>(be.alloc(size_t(maps * p.tilesL * p.tilesS), false));
  if (!tiles) {
    ok = false;
    return nullptr;
  }
  p.tiles = tiles;
  ok = be.launch("thunder_attn_tiles", unsigned(p.tilesS), unsigned(p.tilesL), unsigned(maps),
                 kTileThreads, 0, p);
  return tiles;
}

/// The forward kernel's launch (p.tiles as given).
inline bool launchForward(Backend &be, int dtype, Params &p) {
  std::string name = "thunder_attn_fwd_";
  if (tensorCores(dtype, p)) {
    if (p.vec && pipelinedForward())
      return be.launch(("thunder_attn_fwd_pipe_" + std::string(dtypeName(dtype)) + "_d" +
                        std::to_string(p.D))
                           .c_str(),
                       cdiv(p.L, kTileRows), unsigned(p.H), unsigned(p.B), kTileThreads,
                       fwdPipeSmem(p.D), p);
    bool mma = registerForward();
    name += std::string(mma ? "mma_" : "") + dtypeName(dtype) + "_d" + std::to_string(p.D);
    return be.launch(name.c_str(), cdiv(p.L, kTileRows), unsigned(p.H), unsigned(p.B),
                     kTileThreads, mma ? fwdMmaSmem(p.D) : fwdSmem(p.D), p);
  }
  name += std::string("generic_") + dtypeName(dtype);
  return be.launch(name.c_str(), cdiv(p.L, kGenericRows), unsigned(p.H), unsigned(p.B),
                   32 * kGenericRows, 0, p);
}

/// O (and lse when p.lse) from q, k, v. False when a launch failed.
inline bool forward(Backend &be, int dtype, Params &p) {
  p.vec = vectorizable(p);
  if (p.B == 0 || p.H == 0 || p.L == 0)
    return true;
  if (p.tiles || p.maskKind == MASK_NONE)
    return launchForward(be, dtype, p);
  bool ok = true; // the tile map for this call alone
  unsigned char *tiles = classifyTiles(be, dtype, p, ok);
  ok = ok && launchForward(be, dtype, p);
  p.tiles = nullptr;
  if (tiles)
    be.free(tiles);
  return ok;
}

/// dq, dk, dv from q, k, v, dO (O and lse recomputed into scratch).
inline bool backward(Backend &be, int dtype, Params p) {
  if (p.B == 0 || p.H == 0)
    return true;
  const size_t es = elementSize(dtype);
  const int64_t rows = p.B * p.H * p.L, kvElems = p.B * p.Hkv * p.S * p.D;
  bool tc = tensorCores(dtype, p);
  void *o = be.alloc(size_t(rows * p.D) * es, false);
  float *lse = static_cast<float *>(be.alloc(size_t(rows) * 4, false));
  float *delta = static_cast<float *>(be.alloc(size_t(rows) * 4, false));
  float *dqAcc = static_cast<float *>(be.alloc(size_t(rows * p.D) * 4, tc));
  float *dkAcc = tc ? nullptr : static_cast<float *>(be.alloc(size_t(kvElems) * 4, true));
  float *dvAcc = tc ? nullptr : static_cast<float *>(be.alloc(size_t(kvElems) * 4, true));
  unsigned char *tiles = nullptr;
  bool ok = o && lse && delta && dqAcc && (tc || (dkAcc && dvAcc));
  if (ok) {
    // O contiguous [B, H, L, D].
    p.o = o;
    p.oL = p.D;
    p.oH = p.L * p.D;
    p.oB = p.H * p.L * p.D;
    p.lse = lse;
    p.delta = delta;
    p.dqAcc = dqAcc;
    p.dkAcc = dkAcc;
    p.dvAcc = dvAcc;
    tiles = classifyTiles(be, dtype, p, ok); // shared by the recomputed forward and bwd_tc
    ok = ok && forward(be, dtype, p);
    p.vec = vectorizable(p);
    std::string dt = dtypeName(dtype);
    if (ok && p.L > 0)
      ok = be.launch(("thunder_attn_bwd_delta_" + dt).c_str(), cdiv(p.L, kGenericRows),
                     unsigned(p.H), unsigned(p.B), 32 * kGenericRows, 0, p);
    if (ok && p.S > 0) {
      if (tc) {
        // Opt-in (THUNDER_ATTENTION_BWD=mma) until it has passed test/gpu/attention on a GPU.
        const char *env = std::getenv("THUNDER_ATTENTION_BWD");
        bool mma = env && std::strcmp(env, "mma") == 0;
        ok = be.launch(("thunder_attn_bwd_" + std::string(mma ? "mma_" : "") + dt + "_d" +
                        std::to_string(p.D))
                           .c_str(),
                       cdiv(p.S, kTileRows), unsigned(p.Hkv), unsigned(p.B), kTileThreads,
                       mma ? bwdMmaSmem(p.D) : bwdSmem(p.D), p);
      }
      else if (p.L > 0)
        ok = be.launch(("thunder_attn_bwd_generic_" + dt).c_str(), cdiv(p.L, kGenericRows),
                       unsigned(p.H), unsigned(p.B), 32 * kGenericRows, 0, p);
    }
    if (ok) {
      int64_t most = rows * p.D > kvElems ? rows * p.D : kvElems;
      unsigned blocks = cdiv(most, 256);
      if (blocks > 65535u * 4)
        blocks = 65535u * 4;
      ok = be.launch(("thunder_attn_bwd_cast_" + dt).c_str(), blocks ? blocks : 1, 3, 1, 256, 0,
                     p);
    }
  }
  for (void *ptr : {static_cast<void *>(tiles), static_cast<void *>(dvAcc), static_cast<void *>(dkAcc),
                    static_cast<void *>(dqAcc), static_cast<void *>(delta),
                    static_cast<void *>(lse), o})
    if (ptr)
      be.free(ptr);
  return ok;
}

} // namespace thunder::attention
