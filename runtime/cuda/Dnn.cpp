//===- Dnn.cpp - thunder_cuda_conv on cuDNN 9 ------------------------------===//
//
// The legacy convolution API (cudnnConvolutionForward and its descriptors),
// which cuDNN 9 still exports from libcudnn.so.9. Per instance: one handle, one
// workspace (grown to the largest chosen algorithm's need, at most 256 MiB),
// and a plan per convolution shape: the descriptors and the algorithm of
// cudnnGetConvolutionForwardAlgorithm_v7 (cuDNN's heuristics: no benchmarking,
// no synchronisation), chosen on the first call. A shape cuDNN cannot run is
// remembered too: the compiled code's generated kernel computes it from then
// on without asking cuDNN again.
//
//===----------------------------------------------------------------------===//

#include "cuda/Dnn.h"

#include "thunder/runtime/compiler_abi.h"

#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

namespace thunder::cuda {
namespace {

constexpr size_t kMaxWorkspaceBytes = size_t(256) << 20;

bool verbose() {
  static const bool v = [] {
    const char *e = std::getenv("THUNDER_CUDNN_VERBOSE");
    return e && *e && *e != '0';
  }();
  return v;
}

std::string statusText(const DnnApi *api, cudnnStatus_t s) {
  const char *t = api && api->errorString ? api->errorString(s) : nullptr;
  return (t ? std::string(t) : "cudnnStatus") + " (" + std::to_string(s) + ")";
}

/// Statuses that mean "cuDNN cannot do this here" rather than "something
/// broke": the generated kernel takes over.
bool isUnsupported(cudnnStatus_t s) {
  int category = s / 1000 * 1000;
  return category == CUDNN_STATUS_NOT_SUPPORTED || category == 1000 /* initialisation, loading */ ||
         s == 2003 /* CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER */;
}

int alignmentOf(const void *p) {
  auto v = reinterpret_cast<uintptr_t>(p);
  for (int a : {16, 8, 4, 2})
    if (v % a == 0)
      return a;
  return 1;
}

std::string dims(const std::vector<int> &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? "x" : "") + std::to_string(d[i]);
  return s + "]";
}

} // namespace

const DnnApi *loadDnn(const char *name, std::string *whyNot) {
  void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *e = dlerror();
    if (whyNot)
      *whyNot = std::string("cannot load ") + name + ": " + (e ? e : "?");
    return nullptr;
  }
  auto api = std::make_unique<DnnApi>();
  std::string missing;
  auto bind = [&](auto &slot, const char *fn) {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(lib, fn));
    if (!slot)
      missing += std::string(missing.empty() ? "" : ", ") + fn;
  };
  bind(api->getVersion, "cudnnGetVersion");
  bind(api->errorString, "cudnnGetErrorString");
  bind(api->create, "cudnnCreate");
  bind(api->destroy, "cudnnDestroy");
  bind(api->setStream, "cudnnSetStream");
  bind(api->createTensor, "cudnnCreateTensorDescriptor");
  bind(api->setTensorNd, "cudnnSetTensorNdDescriptor");
  bind(api->destroyTensor, "cudnnDestroyTensorDescriptor");
  bind(api->createFilter, "cudnnCreateFilterDescriptor");
  bind(api->setFilterNd, "cudnnSetFilterNdDescriptor");
  bind(api->destroyFilter, "cudnnDestroyFilterDescriptor");
  bind(api->createConv, "cudnnCreateConvolutionDescriptor");
  bind(api->setConvNd, "cudnnSetConvolutionNdDescriptor");
  bind(api->setConvGroups, "cudnnSetConvolutionGroupCount");
  bind(api->setConvMath, "cudnnSetConvolutionMathType");
  bind(api->destroyConv, "cudnnDestroyConvolutionDescriptor");
  bind(api->outputDim, "cudnnGetConvolutionNdForwardOutputDim");
  bind(api->algoMaxCount, "cudnnGetConvolutionForwardAlgorithmMaxCount");
  bind(api->getAlgos, "cudnnGetConvolutionForwardAlgorithm_v7");
  bind(api->workspaceSize, "cudnnGetConvolutionForwardWorkspaceSize");
  bind(api->forward, "cudnnConvolutionForward");
  if (!missing.empty()) {
    if (whyNot)
      *whyNot = std::string(name) + " lacks " + missing;
    dlclose(lib);
    return nullptr;
  }
  size_t version = api->getVersion();
  if (version < 8000) {
    if (whyNot)
      *whyNot = std::string(name) + " is cuDNN " + std::to_string(version) + ", older than 8";
    dlclose(lib);
    return nullptr;
  }
  return api.release(); // kept for the life of the process, like the library
}

const DnnApi *dnn(std::string *whyNot) {
  struct Loaded {
    const DnnApi *api = nullptr;
    std::string whyNot;
  };
  static const Loaded loaded = [] {
    Loaded l;
    const char *off = std::getenv("THUNDER_CUDNN");
    if (off && std::string(off) == "0") {
      l.whyNot = "disabled by THUNDER_CUDNN=0";
      return l;
    }
    const char *env = std::getenv("THUNDER_CUDNN_LIBRARY");
    if (env && *env) {
      l.api = loadDnn(env, &l.whyNot);
      return l;
    }
    std::string first;
    for (const char *n : {"libcudnn.so.9", "libcudnn.so"}) {
      std::string why;
      if ((l.api = loadDnn(n, &why)))
        return l;
      if (first.empty())
        first = why;
    }
    l.whyNot = first;
    return l;
  }();
  if (!loaded.api && whyNot)
    *whyNot = loaded.whyNot;
  return loaded.api;
}

void ConvPlan::release(const DnnApi &api) {
  for (cudnnTensorDescriptor_t t : {x, y})
    if (t)
      api.destroyTensor(t);
  if (w)
    api.destroyFilter(w);
  if (conv)
    api.destroyConv(conv);
  x = y = nullptr;
  w = nullptr;
  conv = nullptr;
}

DnnState::~DnnState() {
  const DnnApi *api = dnn(nullptr);
  if (!api)
    return;
  for (auto &[key, p] : plans)
    p.release(*api);
  if (handle)
    api->destroy(handle);
  if (workspace)
    deviceFree(workspace); // the instance's cache, freed with it
}

namespace {

struct ConvArgs {
  int dtype, spatial;
  int64_t n, c, k, groups;
  int64_t in[3], win[3], out[3], pad[3], stride[3], dil[3];
  const void *x, *w;
  void *y;

  std::string what() const {
    auto list = [&](const int64_t *v) {
      std::string s;
      for (int i = 0; i < spatial; ++i)
        s += (i ? "x" : "") + std::to_string(v[i]);
      return s;
    };
    return "convolution (x " + std::to_string(n) + "x" + std::to_string(c) + "x" + list(in) +
           ", w " + std::to_string(k) + "x" + std::to_string(groups ? c / groups : 0) + "x" +
           list(win) + ", y " + std::to_string(n) + "x" + std::to_string(k) + "x" + list(out) +
           ", pad " + list(pad) + ", stride " + list(stride) + ", dilation " + list(dil) +
           ", groups " + std::to_string(groups) + ")";
  }
};

struct Types {
  cudnnDataType_t data, compute;
  bool f64 = false, strict = false;
};

std::optional<Types> typesOf(int dtype) {
  switch (dtype) {
  case THUNDER_MM_F32:
    return Types{CUDNN_DATA_FLOAT, CUDNN_DATA_FLOAT};
  case THUNDER_MM_F32_STRICT:
    return Types{CUDNN_DATA_FLOAT, CUDNN_DATA_FLOAT, false, true};
  case THUNDER_MM_F16:
    return Types{CUDNN_DATA_HALF, CUDNN_DATA_FLOAT};
  case THUNDER_MM_BF16:
    return Types{CUDNN_DATA_BFLOAT16, CUDNN_DATA_FLOAT};
  case THUNDER_MM_F64:
    return Types{CUDNN_DATA_DOUBLE, CUDNN_DATA_DOUBLE, true};
  default:
    return std::nullopt;
  }
}

/// Why cuDNN's legacy API cannot take these sizes (int dimensions and
/// strides), or "".
std::string checkSizes(const ConvArgs &a) {
  if (a.spatial < 1 || a.spatial > 3)
    return "spatial dimensions must be 1, 2 or 3";
  if (a.groups < 1 || a.c % a.groups != 0 || a.k % a.groups != 0)
    return "groups do not divide the channels";
  int64_t x = a.n * a.c, w = a.k * (a.c / a.groups), y = a.n * a.k;
  for (int i = 0; i < a.spatial; ++i) {
    if (a.in[i] < 1 || a.win[i] < 1 || a.out[i] < 1 || a.pad[i] < 0 || a.stride[i] < 1 ||
        a.dil[i] < 1)
      return "a size, padding, stride or dilation out of range";
    x *= a.in[i];
    w *= a.win[i];
    y *= a.out[i];
  }
  for (int64_t v : {a.n, a.c, a.k, x, w, y})
    if (v > INT_MAX)
      return "sizes beyond cuDNN's 32-bit dimensions";
  for (int i = 0; i < a.spatial; ++i)
    if (a.pad[i] > INT_MAX || a.stride[i] > INT_MAX || a.dil[i] > INT_MAX)
      return "sizes beyond cuDNN's 32-bit dimensions";
  return "";
}

/// Descriptors and algorithm for `a`. Failures make an unsupported plan
/// (with the reason); nothing is recorded in the call.
ConvPlan makePlan(const DnnApi &api, DnnState &ds, const ConvArgs &a, const Types &t,
                  CallState *call) {
  ConvPlan p;
  auto fail = [&](std::string why) {
    p.release(api);
    p = ConvPlan();
    p.whyNot = std::move(why);
    return p;
  };
  if (std::string why = checkSizes(a); !why.empty())
    return fail(why);
  // 1-D as 2-D with a unit height: cuDNN's convolutions take 4 or 5 dims.
  int s = a.spatial == 1 ? 2 : a.spatial;
  int lead = a.spatial == 1 ? 1 : 0;
  std::vector<int> xd = {int(a.n), int(a.c)}, wd = {int(a.k), int(a.c / a.groups)},
                   yd = {int(a.n), int(a.k)}, pad, stride, dil;
  if (lead) {
    xd.push_back(1);
    wd.push_back(1);
    yd.push_back(1);
    pad.push_back(0);
    stride.push_back(1);
    dil.push_back(1);
  }
  for (int i = 0; i < a.spatial; ++i) {
    xd.push_back(int(a.in[i]));
    wd.push_back(int(a.win[i]));
    yd.push_back(int(a.out[i]));
    pad.push_back(int(a.pad[i]));
    stride.push_back(int(a.stride[i]));
    dil.push_back(int(a.dil[i]));
  }
  auto contiguous = [](const std::vector<int> &d) {
    std::vector<int> st(d.size(), 1);
    for (int i = int(d.size()) - 2; i >= 0; --i)
      st[i] = st[i + 1] * d[i + 1];
    return st;
  };
  std::vector<int> xs = contiguous(xd), ys = contiguous(yd);
  int nb = s + 2;
  cudnnStatus_t st;
  auto bad = [&](const char *step) { return step + std::string(": ") + statusText(&api, st); };
  if ((st = api.createTensor(&p.x)) || (st = api.createTensor(&p.y)) ||
      (st = api.createFilter(&p.w)) || (st = api.createConv(&p.conv)))
    return fail(bad("creating descriptors"));
  if ((st = api.setTensorNd(p.x, t.data, nb, xd.data(), xs.data())))
    return fail(bad("input descriptor"));
  if ((st = api.setTensorNd(p.y, t.data, nb, yd.data(), ys.data())))
    return fail(bad("output descriptor"));
  if ((st = api.setFilterNd(p.w, t.data, CUDNN_TENSOR_NCHW, nb, wd.data())))
    return fail(bad("filter descriptor"));
  if ((st = api.setConvNd(p.conv, s, pad.data(), stride.data(), dil.data(),
                          CUDNN_CROSS_CORRELATION, t.compute)))
    return fail(bad("convolution descriptor"));
  if (a.groups > 1 && (st = api.setConvGroups(p.conv, int(a.groups))))
    return fail(bad("group count"));
  // float32: DEFAULT_MATH permits TF32 tensor cores (Ampere and later), FMA_MATH
  // forbids them; ALLOW_CONVERSION (down-conversion to fp16) is never used.
  // f16/bf16: tensor cores.
  cudnnMathType_t math = t.strict ? CUDNN_FMA_MATH
                         : t.data == CUDNN_DATA_HALF || t.data == CUDNN_DATA_BFLOAT16
                             ? CUDNN_TENSOR_OP_MATH
                             : CUDNN_DEFAULT_MATH;
  if ((st = api.setConvMath(p.conv, math)))
    return fail(bad("math type"));
  std::vector<int> expect(nb);
  if ((st = api.outputDim(p.conv, p.x, p.w, nb, expect.data())))
    return fail(bad("output size"));
  if (expect != yd)
    return fail("cuDNN's output would be " + dims(expect) + ", not " + dims(yd) +
                " (asymmetric padding)");
  int count = 0;
  if ((st = api.algoMaxCount(ds.handle, &count)) || count <= 0)
    return fail(bad("counting algorithms"));
  std::vector<cudnnConvolutionFwdAlgoPerf_t> perf(count);
  int returned = 0;
  if ((st = api.getAlgos(ds.handle, p.x, p.w, p.conv, p.y, count, &returned, perf.data())))
    return fail(bad("cudnnGetConvolutionForwardAlgorithm_v7"));
  std::string tried;
  for (int i = 0; i < returned; ++i) {
    const cudnnConvolutionFwdAlgoPerf_t &r = perf[i];
    if (r.status != CUDNN_STATUS_SUCCESS)
      continue;
    if (r.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION ||
        (t.strict && r.mathType != CUDNN_FMA_MATH))
      continue;
    if (api.setConvMath(p.conv, r.mathType) != CUDNN_STATUS_SUCCESS)
      continue;
    size_t need = r.memory;
    size_t queried = 0;
    if (api.workspaceSize(ds.handle, p.x, p.w, p.conv, p.y, r.algo, &queried) !=
        CUDNN_STATUS_SUCCESS)
      continue;
    need = std::max(need, queried);
    if (need > kMaxWorkspaceBytes) {
      tried += " algo " + std::to_string(r.algo) + " needs " + std::to_string(need) + " bytes;";
      continue;
    }
    if (need > ds.workspaceSize) {
      void *bigger = deviceAlloc(need, "the cuDNN workspace");
      if (!bigger) {
        // Not fatal: try an algorithm that needs less.
        call->status = THUNDER_OK;
        call->message.clear();
        tried += " no memory for algo " + std::to_string(r.algo) + "'s workspace;";
        continue;
      }
      if (ds.workspace)
        deviceFree(ds.workspace); // stream-ordered: earlier convolutions are done with it
      ds.workspace = bigger;
      ds.workspaceSize = need;
    }
    p.algo = r.algo;
    p.workspace = need;
    p.supported = true;
    if (verbose())
      std::fprintf(stderr,
                   "thunder: cuDNN convolution x%s w%s y%s groups %d: algorithm %d, math %d, "
                   "workspace %zu bytes\n",
                   dims(xd).c_str(), dims(wd).c_str(), dims(yd).c_str(), int(a.groups), r.algo,
                   r.mathType, need);
    return p;
  }
  return fail("no usable algorithm (" + std::to_string(returned) + " candidates;" + tried + ")");
}

} // namespace
} // namespace thunder::cuda

using namespace thunder::cuda;

extern "C" __attribute__((visibility("hidden"))) int
thunder_cuda_conv(int dtype_code, int spatial_dims, int64_t n, int64_t c, int64_t k,
                  int64_t groups, int64_t in0, int64_t in1, int64_t in2, int64_t win0,
                  int64_t win1, int64_t win2, int64_t out0, int64_t out1, int64_t out2,
                  int64_t pad0, int64_t pad1, int64_t pad2, int64_t stride0, int64_t stride1,
                  int64_t stride2, int64_t dil0, int64_t dil1, int64_t dil2, const void *x,
                  const void *w, void *y) {
  CallState *call = currentCall();
  if (!call)
    return 0; // outside a call: the caller's own code reports it
  if (call->failed())
    return 1; // everything after a failure is skipped
  ConvArgs a{dtype_code, spatial_dims, n, c, k, groups,
             {in0, in1, in2}, {win0, win1, win2}, {out0, out1, out2},
             {pad0, pad1, pad2}, {stride0, stride1, stride2}, {dil0, dil1, dil2},
             x, w, y};
  CudaState *s = call->cuda;
  if (!s || !s->ctx) {
    call->record(THUNDER_ERR_INTERNAL, a.what() + " called outside a CUDA model call");
    return 1;
  }
  std::optional<Types> types = typesOf(dtype_code);
  if (!types) {
    call->record(THUNDER_ERR_INTERNAL,
                 a.what() + ": unknown dtype code " + std::to_string(dtype_code));
    return 1;
  }
  if (spatial_dims < 1 || spatial_dims > 3)
    return 0;
  if (n == 0 || k == 0)
    return 1; // an empty result
  for (int i = 0; i < spatial_dims; ++i)
    if (a.out[i] == 0)
      return 1;

  if (!s->dnn)
    s->dnn = std::make_unique<DnnState>();
  DnnState &ds = *s->dnn;
  if (ds.unavailable)
    return 0;
  const DnnApi *api = dnn(&ds.whyNot);
  if (!api) {
    ds.unavailable = true;
    if (verbose())
      std::fprintf(stderr, "thunder: no cuDNN (%s): convolutions run on generated kernels\n",
                   ds.whyNot.c_str());
    return 0;
  }
  if (!ds.handle) {
    cudnnStatus_t st = api->create(&ds.handle);
    if (st != CUDNN_STATUS_SUCCESS) {
      ds.handle = nullptr;
      ds.unavailable = true;
      ds.whyNot = "cudnnCreate failed: " + statusText(api, st);
      if (verbose())
        std::fprintf(stderr, "thunder: %s: convolutions run on generated kernels\n",
                     ds.whyNot.c_str());
      return 0;
    }
  }

  std::array<int64_t, 25> key{};
  {
    size_t i = 0;
    for (int64_t v : {int64_t(dtype_code), int64_t(spatial_dims), n, c, k, groups})
      key[i++] = v;
    for (int d = 0; d < 3; ++d) {
      bool used = d < spatial_dims;
      key[i++] = used ? a.in[d] : 1;
      key[i++] = used ? a.win[d] : 1;
      key[i++] = used ? a.out[d] : 1;
      key[i++] = used ? a.pad[d] : 0;
      key[i++] = used ? a.stride[d] : 1;
      key[i++] = used ? a.dil[d] : 1;
    }
    key[i++] = std::min({alignmentOf(x), alignmentOf(w), alignmentOf(y)});
  }
  auto it = ds.plans.find(key);
  if (it == ds.plans.end()) {
    ConvPlan p = makePlan(*api, ds, a, *types, call);
    if (!p.supported && verbose())
      std::fprintf(stderr, "thunder: cuDNN cannot run %s: %s; using the generated kernel\n",
                   a.what().c_str(), p.whyNot.c_str());
    it = ds.plans.emplace(key, std::move(p)).first;
  }
  ConvPlan &p = it->second;
  if (!p.supported)
    return 0;

  cudnnStatus_t st = api->setStream(ds.handle, call->stream);
  if (st != CUDNN_STATUS_SUCCESS) {
    call->record(THUNDER_ERR_CUDA, a.what() + ": cudnnSetStream failed: " + statusText(api, st));
    return 1;
  }
  float alphaF = 1.f, betaF = 0.f;
  double alphaD = 1.0, betaD = 0.0;
  const void *alpha = types->f64 ? static_cast<const void *>(&alphaD) : &alphaF;
  const void *beta = types->f64 ? static_cast<const void *>(&betaD) : &betaF;
  if (s->profile.enabled())
    s->profile.begin(call, s);
  st = api->forward(ds.handle, alpha, p.x, x, p.w, w, p.conv, p.algo, ds.workspace, p.workspace,
                    beta, p.y, y);
  if (s->profile.enabled())
    s->profile.end(call, s, "cudnn " + a.what());
  if (st != CUDNN_STATUS_SUCCESS) {
    if (isUnsupported(st)) {
      p.supported = false;
      p.whyNot = "cudnnConvolutionForward: " + statusText(api, st);
      if (verbose())
        std::fprintf(stderr, "thunder: cuDNN cannot run %s: %s; using the generated kernel\n",
                     a.what().c_str(), p.whyNot.c_str());
      return 0;
    }
    call->record(THUNDER_ERR_CUDA,
                 a.what() + ": cudnnConvolutionForward failed: " + statusText(api, st));
    return 1;
  }
  if (s->syncEachLaunch)
    check(s->d->cuStreamSynchronize(call->stream), "running " + a.what());
  return 1;
}
