//===- Attention.cpp - thunder_cuda_attention_fwd/_bwd ---------------------===//
//
// The fused attention kernels (runtime/cuda/attention/Attention.cu) are
// compiled by nvcc at build time into a fatbin that this file embeds
// (.incbin); the kernels load into the instance's context on first use like
// the compiled model's own (mgpuModuleGetFunction on a LazyModule) and run on
// the call's stream. Scratch memory (the backward's recomputed O, lse, the f32
// gradient accumulators) comes from the instance's cached device memory.
// Which kernels run is AttentionLaunch.h's business.
//
//===----------------------------------------------------------------------===//

#include "cuda/Context.h"
#include "cuda/attention/AttentionLaunch.h"

#include "thunder/runtime/compiler_abi.h"

#include <mutex>
#include <string>
#include <unordered_set>

#define THUNDER_HIDDEN extern "C" __attribute__((visibility("hidden")))

#if THUNDER_HAVE_ATTENTION_KERNELS
// The fatbin, embedded at its build path (THUNDER_ATTENTION_FATBIN).
// Its own section, which a model without attention leaves out (--gc-sections).
asm(".section .rodata.thunder_attention_fatbin,\"a\"\n"
    ".balign 16\n"
    ".hidden thunder_attention_fatbin\n"
    ".globl thunder_attention_fatbin\n"
    "thunder_attention_fatbin:\n"
    ".incbin \"" THUNDER_ATTENTION_FATBIN "\"\n"
    ".byte 0\n"
    ".previous\n");
extern "C" const unsigned char thunder_attention_fatbin[];
#endif

using namespace thunder::cuda;
namespace att = thunder::attention;

namespace {

#if THUNDER_HAVE_ATTENTION_KERNELS
/// A stable pointer for kernel name `name`: the instance caches kernels by
/// the name's address (the compiled code's names are string constants).
const char *intern(const char *name) {
  static std::mutex mutex;
  static std::unordered_set<std::string> names;
  std::lock_guard<std::mutex> lock(mutex);
  return names.insert(name).first->c_str();
}
#endif

struct RuntimeBackend : att::Backend {
  CallState *call;
  explicit RuntimeBackend(CallState *c) : call(c) {}

  bool launch(const char *name, unsigned gx, unsigned gy, unsigned gz, unsigned block,
              unsigned smem, att::Params &p) override {
#if THUNDER_HAVE_ATTENTION_KERNELS
    static LazyModule module{thunder_attention_fatbin, 0, false, -1};
    void *f = mgpuModuleGetFunction(&module, intern(name));
    if (!f)
      return false;
    void *args[] = {&p};
    mgpuLaunchKernel(f, gx, gy, gz, block, 1, 1, int32_t(smem), call->stream, args, nullptr, 1);
    return !call->failed();
#else
    (void)name, (void)gx, (void)gy, (void)gz, (void)block, (void)smem, (void)p;
    call->record(THUNDER_ERR_CUDA, "fused attention: this runtime was built without its kernels "
                                   "(no nvcc at build time); compile the model with "
                                   "THUNDERC_CUDA_FUSED_ATTENTION=0");
    return false;
#endif
  }
  void *alloc(size_t bytes, bool zero) override {
    void *ptr = deviceAlloc(bytes, "fused attention scratch");
    if (ptr && zero)
      mgpuMemset32(ptr, 0, bytes / 4, call->stream);
    return ptr;
  }
  void free(void *ptr) override { deviceFree(ptr); }
};

/// The current call, if it can run CUDA work.
CallState *liveCall() {
  CallState *c = currentCall();
  if (!c || c->failed())
    return nullptr;
  if (!c->cuda || !c->cuda->ctx) {
    c->record(THUNDER_ERR_INTERNAL, "thunder_cuda_attention called in a call of a model that is "
                                    "not bound to a CUDA device");
    return nullptr;
  }
  return c;
}

att::Params makeParams(int64_t b, int64_t h, int64_t hkv, int64_t l, int64_t s, int64_t d,
                       const void *q, const int64_t *qs, const void *k, const int64_t *ks,
                       const void *v, const int64_t *vs, int mask_kind, const void *mask,
                       const int64_t *ms, float scale, int causal) {
  att::Params p{};
  p.B = b, p.H = h, p.Hkv = hkv, p.L = l, p.S = s, p.D = d;
  p.q = q, p.qB = qs[0], p.qH = qs[1], p.qL = qs[2];
  p.k = k, p.kB = ks[0], p.kH = ks[1], p.kS = ks[2];
  p.v = v, p.vB = vs[0], p.vH = vs[1], p.vS = vs[2];
  p.maskKind = mask ? mask_kind : att::MASK_NONE;
  p.mask = mask;
  p.mB = ms[0], p.mH = ms[1], p.mL = ms[2], p.mS = ms[3];
  p.scale = scale;
  p.causal = causal;
  return p;
}

bool checkSupported(CallState *c, int dtype, const att::Params &p) {
  if (att::supported(dtype, p))
    return true;
  c->record(THUNDER_ERR_INTERNAL,
            "fused attention: unsupported problem (dtype " + std::to_string(dtype) + ", head dim " +
                std::to_string(p.D) + ", heads " + std::to_string(p.H) + "/" +
                std::to_string(p.Hkv) + ", mask kind " + std::to_string(p.maskKind) + ")");
  return false;
}

} // namespace

THUNDER_HIDDEN void thunder_cuda_attention_fwd(
    int dtype_code, int64_t b, int64_t h, int64_t hkv, int64_t l, int64_t s, int64_t d,
    const void *q, int64_t qB, int64_t qH, int64_t qL, const void *k, int64_t kB, int64_t kH,
    int64_t kS, const void *v, int64_t vB, int64_t vH, int64_t vS, void *o, int64_t oB,
    int64_t oH, int64_t oL, float *lse, int mask_kind, const void *mask, int64_t mB, int64_t mH,
    int64_t mL, int64_t mS, float scale, int causal) {
  CallState *c = liveCall();
  if (!c)
    return;
  int64_t qs[] = {qB, qH, qL}, ks[] = {kB, kH, kS}, vs[] = {vB, vH, vS}, ms[] = {mB, mH, mL, mS};
  att::Params p =
      makeParams(b, h, hkv, l, s, d, q, qs, k, ks, v, vs, mask_kind, mask, ms, scale, causal);
  p.o = o, p.oB = oB, p.oH = oH, p.oL = oL;
  p.lse = lse;
  if (!checkSupported(c, dtype_code, p))
    return;
  RuntimeBackend be(c);
  att::forward(be, dtype_code, p);
}

THUNDER_HIDDEN void thunder_cuda_attention_bwd(
    int dtype_code, int64_t b, int64_t h, int64_t hkv, int64_t l, int64_t s, int64_t d,
    const void *q, int64_t qB, int64_t qH, int64_t qL, const void *k, int64_t kB, int64_t kH,
    int64_t kS, const void *v, int64_t vB, int64_t vH, int64_t vS, const void *dO, int64_t dOB,
    int64_t dOH, int64_t dOL, void *dq, int64_t dqB, int64_t dqH, int64_t dqL, void *dk,
    int64_t dkB, int64_t dkH, int64_t dkS, void *dv, int64_t dvB, int64_t dvH, int64_t dvS,
    int mask_kind, const void *mask, int64_t mB, int64_t mH, int64_t mL, int64_t mS, float scale,
    int causal) {
  CallState *c = liveCall();
  if (!c)
    return;
  int64_t qs[] = {qB, qH, qL}, ks[] = {kB, kH, kS}, vs[] = {vB, vH, vS}, ms[] = {mB, mH, mL, mS};
  att::Params p =
      makeParams(b, h, hkv, l, s, d, q, qs, k, ks, v, vs, mask_kind, mask, ms, scale, causal);
  p.dO = dO, p.dOB = dOB, p.dOH = dOH, p.dOL = dOL;
  p.dq = dq, p.dqB = dqB, p.dqH = dqH, p.dqL = dqL;
  p.dk = dk, p.dkB = dkB, p.dkH = dkH, p.dkS = dkS;
  p.dv = dv, p.dvB = dvB, p.dvH = dvH, p.dvS = dvS;
  if (!checkSupported(c, dtype_code, p))
    return;
  RuntimeBackend be(c);
  att::backward(be, dtype_code, p);
}
