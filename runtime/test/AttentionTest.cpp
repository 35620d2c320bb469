//===- AttentionTest.cpp - thunder_cuda_attention_* without a GPU ----------===//
//
// The fused attention's entry points outside a call do nothing, inside a call
// without a CUDA instance they record an error (never crash); the launcher's
// choices (tensor cores or not, scratch layout) and the embedded fatbin.
// Numerics are checked on the GPU machine (test/gpu/attention).
//
//===----------------------------------------------------------------------===//
#include "cuda/Context.h"
#include "cuda/attention/AttentionLaunch.h"
#include "thunder/runtime/compiler_abi.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace thunder::cuda;
namespace att = thunder::attention;

#if THUNDER_HAVE_ATTENTION_KERNELS
extern "C" const unsigned char thunder_attention_fatbin[];
#endif

namespace {

void callForward() {
  thunder_cuda_attention_fwd(THUNDER_MM_BF16, 1, 2, 1, 4, 4, 64, nullptr, 0, 0, 64, nullptr, 0, 0,
                             64, nullptr, 0, 0, 64, nullptr, 0, 0, 64, nullptr, 0, nullptr, 0, 0,
                             0, 0, 0.125f, 1);
}

/// Records launches and allocations instead of running them.
struct RecordingBackend : att::Backend {
  std::vector<std::string> launches;
  std::vector<unsigned> smem;
  std::vector<size_t> allocs;
  bool launch(const char *name, unsigned, unsigned, unsigned, unsigned, unsigned s,
              att::Params &) override {
    launches.push_back(name);
    smem.push_back(s);
    return true;
  }
  void *alloc(size_t bytes, bool) override {
    allocs.push_back(bytes);
    return reinterpret_cast<void *>(uintptr_t(16) * allocs.size());
  }
  void free(void *) override {}
};

att::Params problem(int64_t d) {
  att::Params p{};
  p.B = 2, p.H = 8, p.Hkv = 2, p.L = 100, p.S = 100, p.D = d;
  p.qL = p.kS = p.vS = p.oL = p.dOL = d;
  return p;
}

} // namespace

TEST(Attention, OutsideACallNothingHappens) {
  callForward(); // no call: dropped, no crash
  CallState cpuCall; // a call without a CUDA instance
  {
    ScopedCall scoped(cpuCall);
    callForward();
  }
  EXPECT_EQ(cpuCall.status, THUNDER_ERR_INTERNAL);
  EXPECT_NE(cpuCall.message.find("not bound to a CUDA device"), std::string::npos)
      << cpuCall.message;
}

TEST(Attention, TensorCoresForHalfTypesAndHeadDims64And128) {
  for (int64_t d : {64, 128}) {
    RecordingBackend be;
    att::Params p = problem(d);
    ASSERT_TRUE(att::forward(be, att::DT_BF16, p));
    ASSERT_EQ(be.launches.size(), 1u);
    // The register forward: Q, K and V tiles only.
    EXPECT_EQ(be.launches[0], "thunder_attn_fwd_mma_bf16_d" + std::to_string(d));
    EXPECT_EQ(be.smem[0], 3u * 64 * unsigned(d + 8) * 2);
  }
  {
    setenv("THUNDER_ATTENTION_FWD", "wmma", 1); // the shared-memory forward
    RecordingBackend be;
    att::Params p = problem(64);
    ASSERT_TRUE(att::forward(be, att::DT_BF16, p));
    unsetenv("THUNDER_ATTENTION_FWD");
    EXPECT_EQ(be.launches.at(0), "thunder_attn_fwd_bf16_d64");
    EXPECT_GT(be.smem[0], 48u * 1024); // needs the opt-in above 48 KiB
    EXPECT_LE(be.smem[0], 227u * 1024);
  }
  RecordingBackend be;
  att::Params p = problem(80);
  ASSERT_TRUE(att::forward(be, att::DT_F16, p));
  EXPECT_EQ(be.launches.at(0), "thunder_attn_fwd_generic_f16");
  att::Params big = problem(256);
  EXPECT_FALSE(att::supported(att::DT_F16, big));
  att::Params gqa = problem(64);
  gqa.Hkv = 3; // does not divide 8
  EXPECT_FALSE(att::supported(att::DT_BF16, gqa));
}

TEST(Attention, BackwardRecomputesTheForwardThenRunsTheBackward) {
  RecordingBackend tc;
  ASSERT_TRUE(att::backward(tc, att::DT_F16, problem(128)));
  std::vector<std::string> expected = {"thunder_attn_fwd_mma_f16_d128", "thunder_attn_bwd_delta_f16",
                                       "thunder_attn_bwd_f16_d128", "thunder_attn_bwd_cast_f16"};
  EXPECT_EQ(tc.launches, expected);
  // O (f16), lse, delta, the f32 dQ accumulator; dK/dV are written directly.
  EXPECT_EQ(tc.allocs.size(), 4u);
  EXPECT_LE(tc.smem[2], 227u * 1024);

  RecordingBackend generic;
  ASSERT_TRUE(att::backward(generic, att::DT_F32, problem(32)));
  expected = {"thunder_attn_fwd_generic_f32", "thunder_attn_bwd_delta_f32",
              "thunder_attn_bwd_generic_f32", "thunder_attn_bwd_cast_f32"};
  EXPECT_EQ(generic.launches, expected);
  EXPECT_EQ(generic.allocs.size(), 6u); // + dK, dV accumulators
}

TEST(Attention, AMaskIsClassifiedByTilesFirst) {
  // [B, 1, L, S] boolean (as HF models pass it): one map per batch, shared by the heads, used by
  // the recomputed forward and the backward alike; THUNDER_ATTENTION_BWD=mma: the register backward.
  setenv("THUNDER_ATTENTION_BWD", "mma", 1);
  RecordingBackend be;
  att::Params p = problem(64);
  p.maskKind = att::MASK_BOOL;
  p.mask = reinterpret_cast<void *>(uintptr_t(256));
  p.mB = 100 * 100, p.mH = 0, p.mL = 100, p.mS = 1;
  ASSERT_TRUE(att::backward(be, att::DT_BF16, p));
  unsetenv("THUNDER_ATTENTION_BWD");
  std::vector<std::string> expected = {"thunder_attn_tiles", "thunder_attn_fwd_mma_bf16_d64",
                                       "thunder_attn_bwd_delta_bf16", "thunder_attn_bwd_mma_bf16_d64",
                                       "thunder_attn_bwd_cast_bf16"};
  EXPECT_EQ(be.launches, expected);
  EXPECT_EQ(be.allocs.back(), 2u * 2 * 2); // the map: 2 batches x 2 x 2 tiles of 64
  EXPECT_EQ(be.smem[3], att::bwdMmaSmem(64));

  RecordingBackend fwd; // the forward alone makes its own map
  p.tiles = nullptr;
  ASSERT_TRUE(att::forward(fwd, att::DT_BF16, p));
  expected = {"thunder_attn_tiles", "thunder_attn_fwd_mma_bf16_d64"};
  EXPECT_EQ(fwd.launches, expected);
  EXPECT_EQ(p.tiles, nullptr); // not left pointing at freed scratch
}

TEST(Attention, FatbinIsEmbedded) {
#if THUNDER_HAVE_ATTENTION_KERNELS
  uint32_t magic = 0;
  std::memcpy(&magic, thunder_attention_fatbin, sizeof magic);
  EXPECT_EQ(magic, 0xBA55ED50u); // the fatbin container's magic
#else
  GTEST_SKIP() << "the runtime was built without nvcc";
#endif
}
