//===- Blas.cpp - thunder_cuda_matmul on cuBLASLt --------------------------===//

#include "cuda/Blas.h"

#include "thunder/runtime/compiler_abi.h"

#include <dlfcn.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace thunder::cuda {
namespace {

struct LtApi {
  cublasStatus_t (*create)(cublasLtHandle_t *);
  cublasStatus_t (*destroy)(cublasLtHandle_t);
  const char *(*statusString)(cublasStatus_t);
  cublasStatus_t (*descCreate)(cublasLtMatmulDesc_t *, cublasComputeType_t, cudaDataType_t);
  cublasStatus_t (*descDestroy)(cublasLtMatmulDesc_t);
  cublasStatus_t (*descSet)(cublasLtMatmulDesc_t, cublasLtMatmulDescAttributes_t, const void *,
                            size_t);
  cublasStatus_t (*layoutCreate)(cublasLtMatrixLayout_t *, cudaDataType_t, uint64_t, uint64_t,
                                 int64_t);
  cublasStatus_t (*layoutDestroy)(cublasLtMatrixLayout_t);
  cublasStatus_t (*layoutSet)(cublasLtMatrixLayout_t, cublasLtMatrixLayoutAttribute_t, const void *,
                              size_t);
  cublasStatus_t (*prefCreate)(cublasLtMatmulPreference_t *);
  cublasStatus_t (*prefDestroy)(cublasLtMatmulPreference_t);
  cublasStatus_t (*prefSet)(cublasLtMatmulPreference_t, cublasLtMatmulPreferenceAttributes_t,
                            const void *, size_t);
  cublasStatus_t (*heuristic)(cublasLtHandle_t, cublasLtMatmulDesc_t, cublasLtMatrixLayout_t,
                              cublasLtMatrixLayout_t, cublasLtMatrixLayout_t,
                              cublasLtMatrixLayout_t, cublasLtMatmulPreference_t, int,
                              cublasLtMatmulHeuristicResult_t *, int *);
  cublasStatus_t (*matmul)(cublasLtHandle_t, cublasLtMatmulDesc_t, const void *, const void *,
                           cublasLtMatrixLayout_t, const void *, cublasLtMatrixLayout_t,
                           const void *, const void *, cublasLtMatrixLayout_t, void *,
                           cublasLtMatrixLayout_t, const cublasLtMatmulAlgo_t *, void *, size_t,
                           CUstream);
};

struct LtLoaded {
  LtApi api{};
  bool ok = false;
  std::string whyNot;
};

LtLoaded *loadLt() {
  auto *l = new LtLoaded();
  const char *env = std::getenv("THUNDER_CUBLASLT_LIBRARY");
  void *lib = nullptr;
  std::string tried;
  if (env && *env) {
    lib = dlopen(env, RTLD_NOW | RTLD_LOCAL);
    tried = env;
  } else {
    for (const char *n : {"libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"}) {
      lib = dlopen(n, RTLD_NOW | RTLD_LOCAL);
      if (lib)
        break;
      tried += tried.empty() ? n : std::string(", ") + n;
    }
  }
  if (!lib) {
    const char *e = dlerror();
    l->whyNot = "cuBLASLt could not be loaded (tried " + tried + "): " + (e ? e : "?");
    return l;
  }
  LtApi &a = l->api;
  std::string missing;
  auto bind = [&](auto &slot, const char *name) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(lib, name));
    if (!slot)
      missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  bind(a.create, "cublasLtCreate");
  bind(a.destroy, "cublasLtDestroy");
  bind(a.statusString, "cublasLtGetStatusString");
  bind(a.descCreate, "cublasLtMatmulDescCreate");
  bind(a.descDestroy, "cublasLtMatmulDescDestroy");
  bind(a.descSet, "cublasLtMatmulDescSetAttribute");
  bind(a.layoutCreate, "cublasLtMatrixLayoutCreate");
  bind(a.layoutDestroy, "cublasLtMatrixLayoutDestroy");
  bind(a.layoutSet, "cublasLtMatrixLayoutSetAttribute");
  bind(a.prefCreate, "cublasLtMatmulPreferenceCreate");
  bind(a.prefDestroy, "cublasLtMatmulPreferenceDestroy");
  bind(a.prefSet, "cublasLtMatmulPreferenceSetAttribute");
  bind(a.heuristic, "cublasLtMatmulAlgoGetHeuristic");
  bind(a.matmul, "cublasLtMatmul");
  if (!missing.empty()) {
    l->whyNot = "cuBLASLt lacks " + missing;
    return l;
  }
  l->ok = true;
  return l;
}

LtLoaded *lt() {
  static LtLoaded *l = loadLt();
  return l;
}

std::string statusText(cublasStatus_t s) {
  const char *t = lt()->api.statusString ? lt()->api.statusString(s) : nullptr;
  return t ? std::string(t) : "cublasStatus " + std::to_string(s);
}

int alignmentOf(const void *p) {
  auto v = reinterpret_cast<uintptr_t>(p);
  for (int a : {256, 128, 64, 32, 16, 8, 4, 2})
    if (v % a == 0)
      return a;
  return 1;
}

constexpr size_t kWorkspaceBytes = 32u << 20;

} // namespace

BlasState::~BlasState() {
  LtLoaded *l = lt();
  if (!l->ok)
    return;
  for (auto &[key, p] : plans) {
    if (p.desc)
      l->api.descDestroy(p.desc);
    if (p.a)
      l->api.layoutDestroy(p.a);
    if (p.b)
      l->api.layoutDestroy(p.b);
    if (p.c)
      l->api.layoutDestroy(p.c);
  }
  if (handle)
    l->api.destroy(handle);
  if (workspace)
    deviceFree(workspace); // the instance's cache, freed with it
}

} // namespace thunder::cuda

using namespace thunder::cuda;

extern "C" __attribute__((visibility("hidden"))) void
thunder_cuda_matmul(int dtype_code, int64_t batch, int64_t m, int64_t n, int64_t k, const void *a,
                    int64_t lda, int64_t strideA, int transA, const void *b, int64_t ldb,
                    int64_t strideB, int transB, void *c, int64_t ldc, int64_t strideC,
                    const void *bias, float alpha, float beta) {
  CallState *call = currentCall();
  if (!call || call->failed())
    return;
  CudaState *s = call->cuda;
  auto what = [&] {
    return "matmul (" + std::to_string(batch) + " x " + std::to_string(m) + "x" +
           std::to_string(k) + " @ " + std::to_string(k) + "x" + std::to_string(n) + ")";
  };
  if (!s || !s->ctx) {
    call->record(THUNDER_ERR_INTERNAL, what() + " called outside a CUDA model call");
    return;
  }
  if (batch < 0 || m < 0 || n < 0 || k < 0) {
    call->record(THUNDER_ERR_INTERNAL, what() + ": negative size");
    return;
  }
  if (batch == 0 || m == 0 || n == 0)
    return;
  cudaDataType_t type;
  std::optional<cudaDataType_t> cType; // C's type where it is not A's and B's
  cublasComputeType_t compute;
  bool f64 = false;
  switch (dtype_code) {
  case THUNDER_MM_F32:
    type = CUDA_R_32F;
    compute = CUBLAS_COMPUTE_32F_FAST_TF32;
    break;
  case THUNDER_MM_F32_STRICT:
    type = CUDA_R_32F;
    compute = CUBLAS_COMPUTE_32F;
    break;
  case THUNDER_MM_F16:
    type = CUDA_R_16F;
    compute = CUBLAS_COMPUTE_32F;
    break;
  case THUNDER_MM_BF16:
    type = CUDA_R_16BF;
    compute = CUBLAS_COMPUTE_32F;
    break;
  case THUNDER_MM_F16_F32OUT:
    type = CUDA_R_16F;
    cType = CUDA_R_32F;
    compute = CUBLAS_COMPUTE_32F;
    break;
  case THUNDER_MM_BF16_F32OUT:
    type = CUDA_R_16BF;
    cType = CUDA_R_32F;
    compute = CUBLAS_COMPUTE_32F;
    break;
  case THUNDER_MM_F64:
    type = CUDA_R_64F;
    compute = CUBLAS_COMPUTE_64F;
    f64 = true;
    break;
  default:
    call->record(THUNDER_ERR_INTERNAL,
                 what() + ": unknown dtype code " + std::to_string(dtype_code));
    return;
  }
  if (!cType)
    cType = type;
  LtLoaded *l = lt();
  if (!l->ok) {
    call->record(THUNDER_ERR_CUDA, what() + ": " + l->whyNot);
    return;
  }
  const LtApi &api = l->api;
  if (!s->blas)
    s->blas = std::make_unique<BlasState>();
  BlasState &bs = *s->blas;
  if (!bs.handle) {
    cublasStatus_t st = api.create(&bs.handle);
    if (st != CUBLAS_STATUS_SUCCESS) {
      bs.handle = nullptr;
      call->record(THUNDER_ERR_CUDA, "cublasLtCreate failed: " + statusText(st));
      return;
    }
    bs.workspace = deviceAlloc(kWorkspaceBytes, "the cuBLASLt workspace");
    if (!bs.workspace) {
      // Not fatal: run without a workspace.
      call->status = THUNDER_OK;
      call->message.clear();
    } else {
      bs.workspaceSize = kWorkspaceBytes;
    }
  }

  // Row-major C = op(A) @ op(B) is column-major C^T = op(B)^T @ op(A)^T:
  // cuBLASLt's "A" is our B and its "B" is our A, each read column-major.
  std::array<int64_t, 16> key = {dtype_code,
                                 batch,
                                 m,
                                 n,
                                 k,
                                 lda,
                                 ldb,
                                 ldc,
                                 strideA,
                                 strideB,
                                 strideC,
                                 (transA ? 1 : 0) | (transB ? 2 : 0) | (bias ? 4 : 0),
                                 alignmentOf(a),
                                 alignmentOf(b),
                                 alignmentOf(c),
                                 bias ? alignmentOf(bias) : 0};
  auto it = bs.plans.find(key);
  if (it == bs.plans.end()) {
    MatmulPlan p;
    auto ok = [&](cublasStatus_t st, const char *step) {
      if (st == CUBLAS_STATUS_SUCCESS)
        return true;
      call->record(THUNDER_ERR_CUDA, what() + ": " + step + " failed: " + statusText(st));
      return false;
    };
    auto cleanup = [&] {
      if (p.desc)
        api.descDestroy(p.desc);
      if (p.a)
        api.layoutDestroy(p.a);
      if (p.b)
        api.layoutDestroy(p.b);
      if (p.c)
        api.layoutDestroy(p.c);
    };
    int32_t opA = transB ? CUBLAS_OP_T : CUBLAS_OP_N; // cuBLASLt A = our B
    int32_t opB = transA ? CUBLAS_OP_T : CUBLAS_OP_N; // cuBLASLt B = our A
    uint64_t aRows = transB ? k : n, aCols = transB ? n : k;
    uint64_t bRows = transA ? m : k, bCols = transA ? k : m;
    bool good =
        ok(api.descCreate(&p.desc, compute, f64 ? CUDA_R_64F : CUDA_R_32F),
           "cublasLtMatmulDescCreate") &&
        ok(api.descSet(p.desc, CUBLASLT_MATMUL_DESC_TRANSA, &opA, sizeof(opA)), "setting TRANSA") &&
        ok(api.descSet(p.desc, CUBLASLT_MATMUL_DESC_TRANSB, &opB, sizeof(opB)), "setting TRANSB") &&
        ok(api.layoutCreate(&p.a, type, aRows, aCols, ldb), "layout of B") &&
        ok(api.layoutCreate(&p.b, type, bRows, bCols, lda), "layout of A") &&
        ok(api.layoutCreate(&p.c, *cType, n, m, ldc), "layout of C");
    if (good && bias) {
      uint32_t epi = CUBLASLT_EPILOGUE_BIAS;
      good = ok(api.descSet(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)),
                "setting the bias epilogue");
    }
    if (good && batch > 1) {
      int32_t count = static_cast<int32_t>(batch);
      good = ok(api.layoutSet(p.a, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
                "batch count") &&
             ok(api.layoutSet(p.a, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &strideB,
                              sizeof(strideB)),
                "batch stride") &&
             ok(api.layoutSet(p.b, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
                "batch count") &&
             ok(api.layoutSet(p.b, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &strideA,
                              sizeof(strideA)),
                "batch stride") &&
             ok(api.layoutSet(p.c, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
                "batch count") &&
             ok(api.layoutSet(p.c, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &strideC,
                              sizeof(strideC)),
                "batch stride");
    }
    if (good) {
      cublasLtMatmulPreference_t pref = nullptr;
      good = ok(api.prefCreate(&pref), "cublasLtMatmulPreferenceCreate");
      if (good) {
        uint64_t ws = bs.workspaceSize;
        uint32_t alA = static_cast<uint32_t>(key[13]), alB = static_cast<uint32_t>(key[12]),
                 alC = static_cast<uint32_t>(key[14]);
        api.prefSet(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws));
        api.prefSet(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &alA, sizeof(alA));
        api.prefSet(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &alB, sizeof(alB));
        api.prefSet(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &alC, sizeof(alC));
        api.prefSet(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &alC, sizeof(alC));
        cublasLtMatmulHeuristicResult_t result{};
        int found = 0;
        cublasStatus_t st =
            api.heuristic(bs.handle, p.desc, p.a, p.b, p.c, p.c, pref, 1, &result, &found);
        api.prefDestroy(pref);
        if (st != CUBLAS_STATUS_SUCCESS || found == 0) {
          call->record(THUNDER_ERR_CUDA,
                       what() + ": cuBLASLt has no algorithm for it (" + statusText(st) + ")");
          good = false;
        } else {
          p.algo = result.algo;
          p.workspace = result.workspaceSize;
        }
      }
    }
    if (!good) {
      cleanup();
      return;
    }
    it = bs.plans.emplace(key, p).first;
  }
  MatmulPlan &p = it->second;
  if (bias) {
    cublasStatus_t st = api.descSet(p.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias));
    if (st != CUBLAS_STATUS_SUCCESS) {
      call->record(THUNDER_ERR_CUDA, what() + ": setting the bias failed: " + statusText(st));
      return;
    }
  }
  double alphaD = alpha, betaD = beta;
  const void *alphaP = f64 ? static_cast<const void *>(&alphaD) : &alpha;
  const void *betaP = f64 ? static_cast<const void *>(&betaD) : &beta;
  if (s->profile.enabled())
    s->profile.begin(call, s);
  cublasStatus_t st = api.matmul(bs.handle, p.desc, alphaP, b, p.a, a, p.b, betaP, c, p.c, c, p.c,
                                 &p.algo, bs.workspace, bs.workspaceSize, call->stream);
  if (st != CUBLAS_STATUS_SUCCESS) {
    call->record(THUNDER_ERR_CUDA, what() + ": cublasLtMatmul failed: " + statusText(st));
    return;
  }
  if (s->profile.enabled())
    s->profile.end(call, s, "cublasLt " + what() + " dtype " + std::to_string(dtype_code));
  if (s->syncEachLaunch)
    check(s->d->cuStreamSynchronize(call->stream), "running " + what());
}
