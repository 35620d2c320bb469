//===- thunder-run - Run a compiled model on safetensors inputs ------------===//
//
//   thunder-run MODEL.so --inputs IN.safetensors [--weights W.safetensors]
//               [--backward] [--save OUT.safetensors] [--bench N] [--warmup W]
//               [--device D]
//
// Loads MODEL.so with dlopen and drives its public C ABI (thunder.h): reads
// input.<i> (and cotangent.<i>) from IN, runs forward (and backward) on the
// model's device, and writes output.<i>, buffer.<fqn>, and with --backward
// grad.input.<i> and grad.param.<fqn>: the keys of shared/fixtures' reference
// files. --weights: the instance's parameters, buffers and constants from a
// weights file (needed for a model compiled with --weights=external). A model
// compiled with --mesh runs under mpirun, one process a rank (Distributed.h).
// Exit status: 0 ok, 1 error ("error: ..." on stderr), 2 bad usage.
//
//===----------------------------------------------------------------------===//

#include "DeviceMemory.h"
#include "Distributed.h"
#include "safetensors/Safetensors.h"
#include "thunder/runtime/thunder.h"

#include <CLI/CLI.hpp>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

struct Failure {
  std::string message;
};

[[noreturn]] void die(const std::string &m) { throw Failure{m}; }

/// The model's C ABI, looked up with dlsym: every function of thunder.h
/// (thunder_api.def), named thunder_<name> as in the header.
struct Abi {
#define THUNDER_API_FUNCTION(ret, name, params) decltype(&::thunder_##name) thunder_##name = nullptr;
#include "thunder/runtime/thunder_api.def"

  void load(void *lib, const std::string &path) {
#define THUNDER_API_FUNCTION(ret, name, params)                                                    \
  thunder_##name = reinterpret_cast<decltype(thunder_##name)>(dlsym(lib, "thunder_" #name));
#include "thunder/runtime/thunder_api.def"
    // The first ABI's functions; the others are newer and absent from models
    // built before them (each use checks).
    static const char *const required[] = {
        "thunder_model_create", "thunder_model_destroy", "thunder_last_error",
        "thunder_status_string", "thunder_model_name", "thunder_target", "thunder_has_backward",
        "thunder_num_inputs", "thunder_num_outputs", "thunder_num_params", "thunder_num_buffers",
        "thunder_input_info", "thunder_output_info", "thunder_param_info", "thunder_buffer_info",
        "thunder_forward", "thunder_backward", "thunder_get_buffer", "thunder_model_set_device",
        "thunder_copy_to_device", "thunder_copy_to_host", "thunder_synchronize",
    };
    std::string missing;
    for (const char *name : required)
      if (!dlsym(lib, name))
        missing += std::string(missing.empty() ? "" : ", ") + name;
    if (!missing.empty())
      die(path + " is not a thunderc model (missing " + missing + ")");
  }
};

struct ManagedDeleter {
  void operator()(DLManagedTensor *t) const {
    if (t && t->deleter)
      t->deleter(t);
  }
};
using Managed = std::unique_ptr<DLManagedTensor, ManagedDeleter>;

class Runner {
public:
  Runner(const Abi &abi, thunder_model *m) : abi(abi), m(m) {
    cuda = std::string(abi.thunder_target(m)) == "cuda";
  }

  void check(thunder_status s, const char *what) {
    if (s != THUNDER_OK)
      die(std::string(what) + " failed (" + abi.thunder_status_string(s) +
          "): " + abi.thunder_last_error(m));
  }

  /// A host safetensors tensor as a tensor the model can take.
  const DLTensor *place(thunder::st::Tensor &t, std::vector<Managed> &keep) {
    views.push_back(std::make_unique<DLTensor>(t.view()));
    if (!cuda)
      return views.back().get();
    DLManagedTensor *d = nullptr;
    check(abi.thunder_copy_to_device(m, views.back().get(), &d), "copying an input to the device");
    keep.emplace_back(d);
    return &d->dl_tensor;
  }

  /// A result as a safetensors tensor (copied to the host).
  thunder::st::Tensor fetch(DLManagedTensor *t) {
    if (!cuda)
      return thunder::st::fromDLTensor(t->dl_tensor);
    DLManagedTensor *h = nullptr;
    check(abi.thunder_copy_to_host(m, &t->dl_tensor, &h), "copying a result to the host");
    Managed hold(h);
    return thunder::st::fromDLTensor(h->dl_tensor);
  }

  void sync() {
    if (cuda)
      check(abi.thunder_synchronize(m, nullptr), "synchronising");
  }

  const Abi &abi;
  thunder_model *m;
  bool cuda = false;
  std::vector<std::unique_ptr<DLTensor>> views;
};

/// The MPI job of a --mesh model while it runs (null otherwise): a failing
/// rank ends the job rather than leave the others waiting in a collective.
thunder::run::MPIWorld *activeWorld = nullptr;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string describe(const thunder_tensor_info &i) {
  std::string s = std::string(i.name) + ": " + thunder::st::fromDL(i.dtype) + " [";
  for (int d = 0; d < i.ndim; ++d) {
    if (d)
      s += ", ";
    s += i.dim_names[d] ? std::string(i.dim_names[d]) : std::to_string(i.shape[d]);
  }
  return s + "]";
}

int run(const std::string &modelPath, const std::string &inputsPath, const std::string &weightsPath,
        const std::string &savePath, bool doBackward, int bench, int warmup, int device,
        bool verbose, bool peakMemory) {
  std::optional<thunder::run::DeviceMemoryProbe> memory;
  if (peakMemory)
    memory.emplace(device >= 0 ? device : 0);
  // A bare file name is a file here, not a library for dlopen to search for.
  std::string loadPath = modelPath.find('/') == std::string::npos ? "./" + modelPath : modelPath;
  void *lib = dlopen(loadPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *e = dlerror();
    die("cannot load " + modelPath + ": " + (e ? e : "unknown error"));
  }
  Abi abi;
  abi.load(lib, modelPath);
  thunder_model *raw = nullptr;
  thunder_status st;
  if (!weightsPath.empty()) {
    if (!abi.thunder_model_create_from_file)
      die(modelPath + " was built by a thunderc without weights files (no "
                      "thunder_model_create_from_file): recompile it");
    st = abi.thunder_model_create_from_file(&raw, weightsPath.c_str());
  } else {
    st = abi.thunder_model_create(&raw);
  }
  if (st != THUNDER_OK)
    die(modelPath + ": creating the model failed (" + abi.thunder_status_string(st) +
        "): " + abi.thunder_last_error(nullptr));
  std::unique_ptr<thunder_model, decltype(abi.thunder_model_destroy)> model(
      raw, abi.thunder_model_destroy);
  if (weightsPath.empty() && abi.thunder_weights_external && abi.thunder_weights_external(raw))
    die(modelPath + " was compiled with --weights=external and holds no weights: give them with "
                    "--weights W.safetensors (thunderc wrote MODEL.weights.safetensors beside "
                    "MODEL.so)");
  Runner r(abi, raw);
  size_t nIn = abi.thunder_num_inputs(raw), nOut = abi.thunder_num_outputs(raw);
  size_t nParams = abi.thunder_num_params(raw), nBuf = abi.thunder_num_buffers(raw);
  if (verbose) {
    bool external = abi.thunder_weights_external && abi.thunder_weights_external(raw);
    std::fprintf(stderr,
                 "model '%s', target %s, %zu inputs, %zu outputs, %zu params, %zu buffers%s%s\n",
                 abi.thunder_model_name(raw), abi.thunder_target(raw), nIn, nOut, nParams, nBuf,
                 abi.thunder_has_backward(raw) ? ", backward" : "",
                 external ? ", weights external" : "");
    thunder_tensor_info info;
    for (size_t i = 0; i < nIn; ++i)
      if (abi.thunder_input_info(raw, i, &info) == THUNDER_OK)
        std::fprintf(stderr, "  input %zu  %s\n", i, describe(info).c_str());
    for (size_t i = 0; i < nOut; ++i)
      if (abi.thunder_output_info(raw, i, &info) == THUNDER_OK)
        std::fprintf(stderr, "  output %zu %s\n", i, describe(info).c_str());
  }
  if (doBackward && !abi.thunder_has_backward(raw))
    die(modelPath + " was compiled without --backward");
  if (r.cuda && device >= 0)
    r.check(abi.thunder_model_set_device(raw, device), "selecting the device");

  // --mesh: this process is one rank; it runs its blocks (Distributed.h).
  std::unique_ptr<thunder::run::MPIWorld> world;
  int64_t meshSize = abi.thunder_mesh_size ? abi.thunder_mesh_size(raw) : 0;
  if (meshSize > 0 && r.cuda) {
    // CUDA: NCCL, one rank per device; under mpirun rank 0's unique id goes to
    // every rank through MPI (and so do the inputs' blocks and the results).
    if (!abi.thunder_model_init_nccl || !abi.thunder_nccl_unique_id)
      die(modelPath + " has a mesh but no thunder_model_init_nccl");
    if (meshSize > 1 || thunder::run::underMPIRun()) {
      world = std::make_unique<thunder::run::MPIWorld>();
      activeWorld = world.get();
    }
    int rank = world ? world->rank() : 0, ranks = world ? world->size() : 1;
    if (device < 0)
      r.check(abi.thunder_model_set_device(raw, rank), "selecting the rank's device");
    std::vector<char> id(128 * ranks), mine(128);
    if (rank == 0 && ranks > 1)
      r.check(abi.thunder_nccl_unique_id(mine.data()), "making the NCCL unique id");
    if (world)
      world->allGather(mine.data(), id.data(), mine.size());
    r.check(abi.thunder_model_init_nccl(raw, ranks > 1 ? id.data() : nullptr, ranks, rank),
            "joining the NCCL communicator");
  } else if (meshSize > 0) {
    if (!abi.thunder_model_set_mpi_comm)
      die(modelPath + " has a mesh but no thunder_model_set_mpi_comm");
    world = std::make_unique<thunder::run::MPIWorld>();
    activeWorld = world.get();
    r.check(abi.thunder_model_set_mpi_comm(raw, world->communicator()),
            "joining MPI_COMM_WORLD");
    if (verbose && abi.thunder_param_bytes) {
      uint64_t whole = 0;
      thunder_tensor_info info;
      for (size_t p = 0; p < nParams; ++p) {
        if (abi.thunder_param_info(raw, p, &info) != THUNDER_OK)
          continue;
        uint64_t n = (info.dtype.bits + 7) / 8;
        for (int d = 0; d < info.ndim; ++d)
          n *= static_cast<uint64_t>(info.shape[d]);
        whole += n;
      }
      std::fprintf(stderr, "rank %d of %d: %llu parameter bytes (the whole model has %llu)\n",
                   world->rank(), world->size(),
                   static_cast<unsigned long long>(abi.thunder_param_bytes(raw)),
                   static_cast<unsigned long long>(whole));
    }
  }
  auto paramDim = [&](size_t p) {
    return world && abi.thunder_param_sharded_dim ? abi.thunder_param_sharded_dim(raw, p) : -1;
  };
  auto inputDim = [&](size_t i) { return world ? abi.thunder_input_sharded_dim(raw, i) : -1; };
  auto outputDim = [&](size_t i) { return world ? abi.thunder_output_sharded_dim(raw, i) : -1; };
  std::deque<thunder::st::Tensor> blocks; // this rank's blocks of the inputs
  auto block = [&](thunder::st::Tensor &whole, int dim, const std::string &what) {
    if (dim < 0)
      return &whole;
    blocks.push_back(thunder::run::takeBlock(whole, dim, world->rank(), world->size(), what));
    return &blocks.back();
  };
  auto whole = [&](thunder::st::Tensor t, int dim) {
    return dim < 0 ? t : thunder::run::gatherBlocks(*world, t, dim);
  };

  thunder::st::File in = thunder::st::read(inputsPath);
  std::vector<Managed> keep;
  std::vector<const DLTensor *> inputs;
  for (size_t i = 0; i < nIn; ++i) {
    std::string key = "input." + std::to_string(i);
    auto it = in.tensors.find(key);
    if (it == in.tensors.end())
      die(inputsPath + " has no tensor '" + key + "' (the model has " + std::to_string(nIn) +
          " inputs)");
    inputs.push_back(r.place(*block(it->second, inputDim(i), key), keep));
  }

  thunder::st::File out;
  std::vector<DLManagedTensor *> outs(nOut, nullptr);
  r.check(abi.thunder_forward(raw, inputs.data(), nIn, outs.data(), nOut, nullptr), "forward");
  std::vector<Managed> outHold;
  for (DLManagedTensor *t : outs)
    outHold.emplace_back(t);
  r.sync();
  if (memory)
    memory->sample();
  for (size_t i = 0; i < nOut; ++i)
    out.tensors["output." + std::to_string(i)] = whole(r.fetch(outs[i]), outputDim(i));
  for (size_t b = 0; b < nBuf; ++b) {
    thunder_tensor_info info;
    r.check(abi.thunder_buffer_info(raw, b, &info), "buffer info");
    DLManagedTensor *t = nullptr;
    r.check(abi.thunder_get_buffer(raw, b, &t), "reading a buffer");
    Managed hold(t);
    out.tensors["buffer." + std::string(info.name)] = r.fetch(t);
  }

  std::vector<const DLTensor *> cots(nOut, nullptr);
  if (doBackward) {
    for (size_t k = 0; k < nOut; ++k) {
      std::string key = "cotangent." + std::to_string(k);
      auto it = in.tensors.find(key);
      if (it != in.tensors.end())
        cots[k] = r.place(*block(it->second, outputDim(k), key), keep);
    }
    std::vector<DLManagedTensor *> gp(nParams, nullptr), gi(nIn, nullptr);
    r.check(
        abi.thunder_backward(raw, cots.data(), nOut, gp.data(), nParams, gi.data(), nIn, nullptr),
        "backward");
    std::vector<Managed> gradHold;
    for (DLManagedTensor *t : gp)
      gradHold.emplace_back(t);
    for (DLManagedTensor *t : gi)
      gradHold.emplace_back(t);
    r.sync();
    if (memory)
      memory->sample();
    for (size_t p = 0; p < nParams; ++p) {
      if (!gp[p])
        continue;
      thunder_tensor_info info;
      r.check(abi.thunder_param_info(raw, p, &info), "param info");
      thunder::st::Tensor grad = r.fetch(gp[p]);
      if (paramDim(p) >= 0) // blocks of dim 0, the last padded: gathered and trimmed
        grad = thunder::run::trimRows(whole(std::move(grad), paramDim(p)), info.shape[0]);
      out.tensors["grad.param." + std::string(info.name)] = std::move(grad);
    }
    for (size_t i = 0; i < nIn; ++i)
      if (gi[i])
        out.tensors["grad.input." + std::to_string(i)] = whole(r.fetch(gi[i]), inputDim(i));
  }
  if (!savePath.empty() && (!world || world->rank() == 0))
    thunder::st::write(savePath, out);

  if (bench > 0) {
    using clock = std::chrono::steady_clock;
    // Outputs are released after the timed calls (up to a bound), so that
    // their deallocation is not timed.
    std::vector<Managed> pending;
    size_t pendingBytes = 0;
    auto oneForward = [&]() -> double {
      auto t0 = clock::now();
      r.check(abi.thunder_forward(raw, inputs.data(), nIn, outs.data(), nOut, nullptr), "forward");
      r.sync();
      double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
      for (DLManagedTensor *t : outs) {
        size_t bytes = (t->dl_tensor.dtype.bits + 7u) / 8u;
        for (int d = 0; d < t->dl_tensor.ndim; ++d)
          bytes *= static_cast<size_t>(t->dl_tensor.shape[d]);
        pendingBytes += bytes;
        pending.emplace_back(t);
      }
      if (pendingBytes > (512u << 20)) {
        pending.clear();
        pendingBytes = 0;
      }
      return ms;
    };
    for (int i = 0; i < warmup; ++i)
      oneForward();
    std::vector<double> times;
    for (int i = 0; i < bench; ++i)
      times.push_back(oneForward());
    pending.clear();
    std::printf("median_ms: %.4f\n", median(times));
    std::printf("min_ms: %.4f\n", *std::min_element(times.begin(), times.end()));
    if (doBackward) {
      std::vector<DLManagedTensor *> gp(nParams, nullptr), gi(nIn, nullptr);
      std::vector<double> btimes;
      for (int i = 0; i < warmup + bench; ++i) {
        auto t0 = clock::now();
        r.check(abi.thunder_backward(raw, cots.data(), nOut, gp.data(), nParams, gi.data(), nIn,
                                     nullptr),
                "backward");
        r.sync();
        double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
        for (auto *v : {&gp, &gi})
          for (DLManagedTensor *&t : *v)
            if (t) {
              t->deleter(t);
              t = nullptr;
            }
        if (i >= warmup)
          btimes.push_back(ms);
      }
      std::printf("backward_median_ms: %.4f\n", median(btimes));
      std::printf("backward_min_ms: %.4f\n", *std::min_element(btimes.begin(), btimes.end()));
    }
    std::fflush(stdout);
  }
  if (memory) {
    if (memory->available())
      std::printf("peak_device_mb: %.1f\n", memory->peakBytes() / 1048576.0);
    else
      std::fprintf(stderr, "thunder-run: --peak-memory: no CUDA device to ask\n");
  }
  outHold.clear();
  keep.clear();
  model.reset();
  activeWorld = nullptr;
  // The library stays loaded: deleters of anything still alive live in it.
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"thunder-run: run a model compiled by thunderc on safetensors inputs"};
  std::string modelPath, inputsPath, weightsPath, savePath;
  bool doBackward = false, verbose = false, peakMemory = false;
  int bench = 0, warmup = -1, device = -1;
  app.add_option("model", modelPath, "the compiled MODEL.so")->required();
  app.add_option("--inputs", inputsPath, "safetensors with input.<i> (and cotangent.<i>)")
      ->required();
  app.add_option("--weights", weightsPath,
                 "safetensors with param.<fqn>, buffer.<fqn>, constant.<name> (a model compiled "
                 "with --weights=external needs it)");
  app.add_option("--save", savePath, "where to write output.<i>, buffer.<fqn>, grad.*");
  app.add_flag("--backward", doBackward, "also run backward (cotangent.<i> from --inputs)");
  app.add_option("--bench", bench, "time N forward calls after warm-up and print the median")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--warmup", warmup, "warm-up calls before timing (default: min(N, 5))")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--device", device, "CUDA device ordinal (default: 0)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("-v,--verbose", verbose, "describe the model on stderr");
  app.add_flag("--peak-memory", peakMemory,
               "print the device memory the run took at its peak (CUDA models)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    app.exit(e);
    return 2;
  }
  if (savePath.empty() && bench == 0) {
    std::fprintf(stderr, "error: give --save OUT.safetensors and/or --bench N\n");
    return 2;
  }
  if (warmup < 0)
    warmup = std::min(bench, 5);
  try {
    return run(modelPath, inputsPath, weightsPath, savePath, doBackward, bench, warmup, device,
               verbose, peakMemory);
  } catch (const Failure &f) {
    std::fprintf(stderr, "error: %s\n", f.message.c_str());
  } catch (const thunder::st::Error &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  }
  if (activeWorld && activeWorld->size() > 1) {
    std::fprintf(stderr, "error: rank %d failed; ending the MPI job\n", activeWorld->rank());
    std::fflush(stderr);
    activeWorld->abort(1);
  }
  return 1;
}
