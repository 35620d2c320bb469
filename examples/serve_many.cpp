//===- serve_many.cpp - Several models in one serving binary ---------------===//
//
// Models linked at build time, each through its own prefixed API
// (thunderc --name=NAME, docs/serving.md), a pool of instances per model, and
// requests from several threads (each thread on its own CUDA stream for a
// CUDA model). Prints latency percentiles and throughput per model, and checks
// every output against the reference when the file has one.
//
// Build (see README.md): for each model
//   thunderc NAME.pt2 --name=NAME -o libNAME.so
//   thunderc NAME.pt2 --name=NAME --emit=header -o NAME.h
// then a header (THUNDER_SERVE_MODELS_HEADER) that includes each NAME.h and says
//   #define THUNDER_SERVE_MODELS(X) X(mlp) X(cnn)
// and
//   c++ -std=c++17 -O2 -pthread -DTHUNDER_SERVE_MODELS_HEADER='"models.h"' -I.
//       -I<thunderc>/include -I<thunderc>/runtime serve_many.cpp
//       <thunderc>/runtime/safetensors/Safetensors.cpp -o serve_many
//       libmlp.so libcnn.so -ldl -Wl,-rpath,'$ORIGIN'
//   ./serve_many [--threads 8] [--requests 1000] [--pool 2] [--require-reference]
//       mlp.ref.safetensors cnn.ref.safetensors      (one file per model, in order)
//
// Each file gives the model's input.<i> and, to check against, output.<i>
// (the keys of test/fixtures). Thread t sends its r-th request to model
// (t + r) % number of models. Exit status 0 only if every request succeeded
// and every output checked matched.
//
//===----------------------------------------------------------------------===//

#include THUNDER_SERVE_MODELS_HEADER

#include "safetensors/Safetensors.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

/// The functions of one model this server calls, taken from its prefixed API.
struct ModelApi {
  const char *name;
  decltype(&thunder_model_create) create;
  decltype(&thunder_model_destroy) destroy;
  decltype(&thunder_last_error) lastError;
  decltype(&thunder_status_string) statusString;
  decltype(&thunder_target) target;
  decltype(&thunder_num_inputs) numInputs;
  decltype(&thunder_num_outputs) numOutputs;
  decltype(&thunder_forward) forward;
  decltype(&thunder_copy_to_device) copyToDevice;
  decltype(&thunder_copy_to_host) copyToHost;
  decltype(&thunder_synchronize) synchronize;
};

#define THUNDER_SERVE_MODEL_API(P)                                                                 \
  ModelApi{#P,          P##_model_create,   P##_model_destroy,  P##_last_error,                 \
           P##_status_string, P##_target,       P##_num_inputs,     P##_num_outputs,                \
           P##_forward,     P##_copy_to_device, P##_copy_to_host,   P##_synchronize},
const ModelApi kModels[] = {THUNDER_SERVE_MODELS(THUNDER_SERVE_MODEL_API)};
constexpr size_t kNumModels = sizeof(kModels) / sizeof(kModels[0]);

struct Release {
  void operator()(DLManagedTensor *t) const {
    if (t)
      t->deleter(t);
  }
};
using Tensor = std::unique_ptr<DLManagedTensor, Release>;

/// One CUDA stream per thread, from libcuda opened with dlopen (this binary,
/// like the models, links nothing GPU-specific). Made on the primary context
/// of device 0, the one the runtime uses.
class CudaStreams {
public:
  static CudaStreams &get() {
    static CudaStreams s;
    return s;
  }
  void *create() {
    void *stream = nullptr;
    if (!ok || push(ctx) != 0)
      return nullptr;
    if (streamCreate(&stream, /*CU_STREAM_NON_BLOCKING*/ 1) != 0)
      stream = nullptr;
    void *previous = nullptr;
    pop(&previous);
    return stream;
  }
  void destroy(void *stream) {
    if (ok && stream)
      streamDestroy(stream);
  }

private:
  CudaStreams() {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      return;
    auto sym = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      return fn != nullptr;
    };
    int (*init)(unsigned) = nullptr;
    int (*deviceGet)(int *, int) = nullptr;
    int (*retain)(void **, int) = nullptr;
    int device = 0;
    ok = sym(init, "cuInit") && sym(deviceGet, "cuDeviceGet") &&
         sym(retain, "cuDevicePrimaryCtxRetain") && sym(push, "cuCtxPushCurrent_v2") &&
         sym(pop, "cuCtxPopCurrent_v2") && sym(streamCreate, "cuStreamCreate") &&
         sym(streamDestroy, "cuStreamDestroy_v2") && init(0) == 0 && deviceGet(&device, 0) == 0 &&
         retain(&ctx, device) == 0;
  }
  bool ok = false;
  void *ctx = nullptr;
  int (*push)(void *) = nullptr;
  int (*pop)(void **) = nullptr;
  int (*streamCreate)(void **, unsigned) = nullptr;
  int (*streamDestroy)(void *) = nullptr;
};

/// A model's instances; a request takes one, waiting while all are busy (one
/// instance serves one call at a time).
class Pool {
public:
  void add(thunder_model *m) { free.push_back(m); }
  thunder_model *take() {
    std::unique_lock<std::mutex> lock(mu);
    ready.wait(lock, [&] { return !free.empty(); });
    thunder_model *m = free.back();
    free.pop_back();
    return m;
  }
  void give(thunder_model *m) {
    {
      std::lock_guard<std::mutex> lock(mu);
      free.push_back(m);
    }
    ready.notify_one();
  }
  std::vector<thunder_model *> all() const { return free; } // once no request runs

private:
  std::mutex mu;
  std::condition_variable ready;
  std::vector<thunder_model *> free;
};

double valueAt(const std::string &dtype, const uint8_t *p, size_t i) {
  auto load = [&](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p + i * sizeof(v), sizeof(v));
    return static_cast<double>(v);
  };
  if (dtype == "F32")
    return load(float());
  if (dtype == "F64")
    return load(double());
  if (dtype == "BF16" || dtype == "F16") {
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    if (dtype == "BF16") {
      uint32_t bits = static_cast<uint32_t>(h) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    int e = (h >> 10) & 31, m = h & 1023;
    double mag = e == 0 ? std::ldexp(m, -24) : e == 31 ? INFINITY : std::ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -mag : mag;
  }
  if (dtype == "I64")
    return load(int64_t());
  if (dtype == "I32")
    return load(int32_t());
  if (dtype == "I16")
    return load(int16_t());
  if (dtype == "I8")
    return load(int8_t());
  return p[i]; // U8, BOOL
}

/// "" if `got` (compact, on the host) matches `want` within the tolerances of
/// test/fixtures/README.md, else what differs.
std::string compare(const DLTensor &got, const thunder::st::Tensor &want) {
  std::string dtype = thunder::st::fromDL(got.dtype);
  if (dtype != want.dtype)
    return "dtype " + dtype + ", reference " + want.dtype;
  if (std::vector<int64_t>(got.shape, got.shape + got.ndim) != want.shape)
    return "shape differs from the reference";
  bool half = dtype == "BF16" || dtype == "F16";
  bool floating = half || dtype == "F32" || dtype == "F64";
  double rtol = half ? 3e-2 : floating ? 2e-4 : 0, atol = half ? 3e-2 : floating ? 2e-5 : 0;
  size_t n = want.data.size() / thunder::st::dtypeSize(want.dtype);
  const auto *g = static_cast<const uint8_t *>(got.data) + got.byte_offset;
  for (size_t i = 0; i < n; ++i) {
    double a = valueAt(dtype, g, i), b = valueAt(want.dtype, want.data.data(), i);
    if (!(std::fabs(a - b) <= atol + rtol * std::fabs(b)) && !(std::isnan(a) && std::isnan(b)))
      return "element " + std::to_string(i) + " is " + std::to_string(a) + ", reference " +
             std::to_string(b);
  }
  return "";
}

/// What one model serves: its pool, the reference inputs and outputs, and the
/// latencies of its requests.
struct Served {
  const ModelApi *api = nullptr;
  bool cuda = false;
  Pool pool;
  thunder::st::File file;
  std::vector<DLTensor> inputs;
  // CUDA: each instance's copy of the inputs on its device, made at start-up
  // (the runtime's host-to-device copy is synchronous, on the legacy stream,
  // which the threads' non-blocking streams do not wait for).
  std::map<thunder_model *, std::vector<Tensor>> deviceInputs;
  std::vector<const thunder::st::Tensor *> expected; // null: output not in the file
  std::mutex mu;
  std::vector<double> latencyMs;
};

struct Options {
  int threads = 8, requests = 1000, pool = 2;
  bool requireReference = false;
  std::vector<std::string> files;
};

std::atomic<long> failures{0}, mismatches{0}, checked{0};

void report(const char *what) {
  // Stop at the first few: a broken model would otherwise print thousands.
  static std::atomic<int> printed{0};
  if (printed++ < 10)
    std::fprintf(stderr, "error: %s\n", what);
}

/// One request to `s`: an instance from the pool, forward, outputs checked.
void serve(Served &s, void *stream) {
  const ModelApi &api = *s.api;
  auto start = std::chrono::steady_clock::now();
  thunder_model *m = s.pool.take();
  size_t nIn = s.inputs.size(), nOut = s.expected.size();
  std::vector<const DLTensor *> in(nIn);
  for (size_t i = 0; i < nIn; ++i)
    in[i] = s.cuda ? &s.deviceInputs.at(m)[i]->dl_tensor : &s.inputs[i];
  std::vector<DLManagedTensor *> raw(nOut, nullptr);
  thunder_status st = api.forward(m, in.data(), nIn, raw.data(), nOut, stream);
  std::vector<Tensor> outs(raw.begin(), raw.end());
  if (st == THUNDER_OK && s.cuda)
    st = api.synchronize(m, stream);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                  .count();
  for (size_t k = 0; k < nOut && st == THUNDER_OK; ++k) {
    if (!s.expected[k])
      continue;
    Tensor host;
    const DLTensor *t = &outs[k]->dl_tensor;
    if (s.cuda) {
      DLManagedTensor *h = nullptr;
      if ((st = api.copyToHost(m, t, &h)) != THUNDER_OK)
        break;
      host.reset(h);
      t = &h->dl_tensor;
    }
    std::string diff = compare(*t, *s.expected[k]);
    checked++;
    if (!diff.empty()) {
      mismatches++;
      report((std::string(api.name) + " output " + std::to_string(k) + ": " + diff).c_str());
    }
  }
  if (st != THUNDER_OK) {
    failures++;
    report((std::string(api.name) + ": " + api.statusString(st) + ": " + api.lastError(m))
               .c_str());
  }
  s.pool.give(m);
  std::lock_guard<std::mutex> lock(s.mu);
  s.latencyMs.push_back(ms);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(p / 100 * v.size()));
  return v[std::min(v.size() - 1, i ? i - 1 : 0)];
}

int usage(const char *argv0) {
  std::fprintf(stderr,
               "usage: %s [--threads N] [--requests N] [--pool N] [--require-reference] "
               "FILE...\n  one safetensors file of input.<i> (and output.<i>) per model, in "
               "order:",
               argv0);
  for (const ModelApi &api : kModels)
    std::fprintf(stderr, " %s", api.name);
  std::fprintf(stderr, "\n");
  return 2;
}

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    int *number = a == "--threads" ? &o.threads : a == "--requests" ? &o.requests
                                                : a == "--pool"     ? &o.pool
                                                                    : nullptr;
    if (number) {
      if (i + 1 >= argc || (*number = std::atoi(argv[++i])) < 1)
        return false;
    } else if (a == "--require-reference") {
      o.requireReference = true;
    } else if (a.rfind("--", 0) == 0) {
      return false;
    } else {
      o.files.push_back(a);
    }
  }
  return o.files.size() == kNumModels;
}

/// The pool of instances and the reference data of model `api`; false (and a
/// message) on error.
bool prepare(Served &s, const ModelApi &api, const std::string &path, const Options &o) {
  s.api = &api;
  try {
    s.file = thunder::st::read(path);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return false;
  }
  for (int i = 0; i < o.pool; ++i) {
    thunder_model *m = nullptr;
    thunder_status st = api.create(&m);
    if (st != THUNDER_OK) {
      std::fprintf(stderr, "error: %s: creating an instance: %s: %s\n", api.name,
                   api.statusString(st), api.lastError(nullptr));
      return false;
    }
    s.pool.add(m);
    s.cuda = std::strcmp(api.target(m), "cuda") == 0;
  }
  thunder_model *any = s.pool.all().front();
  for (size_t i = 0; i < api.numInputs(any); ++i) {
    auto it = s.file.tensors.find("input." + std::to_string(i));
    if (it == s.file.tensors.end()) {
      std::fprintf(stderr, "error: %s: %s has no input.%zu\n", api.name, path.c_str(), i);
      return false;
    }
    s.inputs.push_back(it->second.view());
  }
  if (s.cuda)
    for (thunder_model *m : s.pool.all()) {
      thunder_status st = THUNDER_OK;
      for (size_t i = 0; i < s.inputs.size() && st == THUNDER_OK; ++i) {
        DLManagedTensor *d = nullptr;
        st = api.copyToDevice(m, &s.inputs[i], &d);
        s.deviceInputs[m].emplace_back(d);
      }
      if (st == THUNDER_OK)
        st = api.synchronize(m, nullptr); // the copies are complete on the device
      if (st != THUNDER_OK) {
        std::fprintf(stderr, "error: %s: copying the inputs to the GPU: %s: %s\n", api.name,
                     api.statusString(st), api.lastError(m));
        return false;
      }
    }
  for (size_t k = 0; k < api.numOutputs(any); ++k) {
    s.expected.push_back(s.file.find("output." + std::to_string(k)));
    if (!s.expected.back() && o.requireReference) {
      std::fprintf(stderr, "error: %s: %s has no output.%zu\n", api.name, path.c_str(), k);
      return false;
    }
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parse(argc, argv, o))
    return usage(argv[0]);
  std::vector<std::unique_ptr<Served>> served;
  bool ok = true;
  for (size_t i = 0; i < kNumModels && ok; ++i) {
    served.push_back(std::make_unique<Served>());
    ok = prepare(*served.back(), kModels[i], o.files[i], o);
  }

  if (ok) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < o.threads; ++t)
      workers.emplace_back([&, t] {
        bool cuda = std::any_of(served.begin(), served.end(), [](auto &s) { return s->cuda; });
        void *stream = cuda ? CudaStreams::get().create() : nullptr;
        for (int r = 0; r < o.requests; ++r)
          serve(*served[(t + r) % kNumModels], stream);
        CudaStreams::get().destroy(stream);
      });
    for (std::thread &w : workers)
      w.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::printf("%d threads x %d requests, %d instances per model, %.3f s\n", o.threads,
                o.requests, o.pool, seconds);
    for (auto &s : served)
      std::printf("%-20s %6zu requests  %9.1f req/s  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  "
                  "max %.3f\n",
                  s->api->name, s->latencyMs.size(), s->latencyMs.size() / seconds,
                  percentile(s->latencyMs, 50), percentile(s->latencyMs, 90),
                  percentile(s->latencyMs, 99), percentile(s->latencyMs, 100));
    long total = static_cast<long>(o.threads) * o.requests;
    std::printf("total %ld requests, %.1f req/s; outputs checked %ld, mismatches %ld, "
                "failed requests %ld\n",
                total, total / seconds, checked.load(), mismatches.load(), failures.load());
  }
  for (auto &s : served)
    for (thunder_model *m : s->pool.all())
      s->api->destroy(m);
  return ok && failures == 0 && mismatches == 0 ? 0 : 1;
}
