//===- Api.cpp - The exported C ABI (thunder.h) ----------------------------===//
//
// Every function catches everything: no C++ exception crosses the C boundary.
//
//===----------------------------------------------------------------------===//

#include "cuda/Driver.h"
#include "src/Model.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <type_traits>

using namespace thunder::rt;

namespace {

thread_local char tlsError[2048];

void setThreadError(const std::string &m) {
  std::snprintf(tlsError, sizeof(tlsError), "%s", m.c_str());
}

bool ownInstance(const thunder_model *m) {
  try {
    return m->img == &image();
  } catch (...) {
    return false; // no valid image: no instance of this library exists
  }
}

std::string ownModelName() {
  try {
    return image().meta->name;
  } catch (...) {
    return "?";
  }
}

/// Runs `body` for an instance of this library: refuses another library's and
/// concurrent use, records the error.
template <typename F> thunder_status guarded(thunder_model *m, const char *fn, F &&body) {
  if (!m) {
    setThreadError(std::string(fn) + ": the model pointer is null");
    return THUNDER_ERR_INVALID_ARGUMENT;
  }
  if (!ownInstance(m)) {
    // Another library's instance (a prefixed API mixed up): its fields and
    // entry points belong to that library's copy of the runtime.
    setThreadError(std::string(fn) + ": the instance was created by another model's library, not " +
                   "by this one (model '" + ownModelName() + "'); pass it to its own model's functions");
    return THUNDER_ERR_INVALID_ARGUMENT;
  }
  int expected = 0;
  if (!m->busy.compare_exchange_strong(expected, 1)) {
    // Do not touch lastError: the running call owns it.
    setThreadError(std::string(fn) + ": this instance is in use by another call (one instance "
                                     "is not thread-safe; create one per thread)");
    return THUNDER_ERR_STATE;
  }
  thunder_status st = THUNDER_OK;
  try {
    m->lastError.clear();
    body();
  } catch (const Error &e) {
    st = e.status;
    try {
      m->lastError = std::string(fn) + ": " + e.message;
    } catch (...) {
    }
  } catch (const std::bad_alloc &) {
    st = THUNDER_ERR_OUT_OF_MEMORY;
    m->lastError.clear();
    try {
      m->lastError = std::string(fn) + ": out of host memory";
    } catch (...) {
    }
  } catch (const std::exception &e) {
    st = THUNDER_ERR_INTERNAL;
    try {
      m->lastError = std::string(fn) + ": internal error: " + e.what();
    } catch (...) {
    }
  } catch (...) {
    st = THUNDER_ERR_INTERNAL;
    try {
      m->lastError = std::string(fn) + ": internal error";
    } catch (...) {
    }
  }
  m->busy.store(0);
  return st;
}

const ModelMeta *metaOf(const thunder_model *m) { return m ? m->meta : nullptr; }

thunder_status info(const thunder_model *m, const std::vector<TensorMeta> *list, size_t i,
                    thunder_tensor_info *out, const char *what) {
  if (!m || !out) {
    setThreadError(std::string("thunder_") + what + "_info: null argument");
    if (m)
      const_cast<thunder_model *>(m)->lastError = tlsError;
    return THUNDER_ERR_INVALID_ARGUMENT;
  }
  if (i >= list->size()) {
    const_cast<thunder_model *>(m)->lastError = std::string("thunder_") + what + "_info: index " +
                                                std::to_string(i) + " is out of range (" +
                                                std::to_string(list->size()) + ")";
    return THUNDER_ERR_INVALID_ARGUMENT;
  }
  const TensorMeta &t = (*list)[i];
  out->name = t.name.c_str();
  out->dtype = toDL(t.dtype);
  out->ndim = t.rank();
  out->shape = t.infoShape.data();
  out->dim_names = t.infoNames.data();
  out->dim_min = t.infoMin.data();
  out->dim_max = t.infoMax.data();
  out->has_grad = t.hasGrad ? 1 : 0;
  out->mutated = t.mutated ? 1 : 0;
  return THUNDER_OK;
}

} // namespace

extern "C" {

THUNDER_API int thunder_abi_version(void) { return THUNDER_ABI_VERSION; }

THUNDER_API const char *thunder_status_string(thunder_status s) {
  switch (s) {
  case THUNDER_OK:
    return "ok";
  case THUNDER_ERR_INVALID_ARGUMENT:
    return "invalid argument";
  case THUNDER_ERR_SHAPE:
    return "wrong shape";
  case THUNDER_ERR_DTYPE:
    return "wrong dtype";
  case THUNDER_ERR_DEVICE:
    return "wrong device";
  case THUNDER_ERR_NO_CUDA:
    return "no CUDA device";
  case THUNDER_ERR_CUDA:
    return "CUDA error";
  case THUNDER_ERR_OUT_OF_MEMORY:
    return "out of memory";
  case THUNDER_ERR_NOT_SUPPORTED:
    return "not supported";
  case THUNDER_ERR_STATE:
    return "invalid state";
  case THUNDER_ERR_INTERNAL:
    return "internal error";
  case THUNDER_ERR_FILE:
    return "bad weights file";
  case THUNDER_ERR_COMMUNICATION:
    return "communication error";
  }
  return "unknown status";
}

namespace {
// Exported functions never call each other: a call to an exported symbol could
// be bound to another model's definition (ELF interposition).
thunder_status createImpl(const char *fn, thunder_model **out, const WeightSources &sources) {
  tlsError[0] = 0;
  if (!out) {
    setThreadError(std::string(fn) + ": the output pointer is null");
    return THUNDER_ERR_INVALID_ARGUMENT;
  }
  *out = nullptr;
  try {
    *out = createModel(sources);
    return THUNDER_OK;
  } catch (const Error &e) {
    setThreadError(std::string(fn) + ": " + e.message);
    return e.status;
  } catch (const std::bad_alloc &) {
    setThreadError(std::string(fn) + ": out of host memory");
    return THUNDER_ERR_OUT_OF_MEMORY;
  } catch (const std::exception &e) {
    setThreadError(std::string(fn) + ": internal error: " + e.what());
    return THUNDER_ERR_INTERNAL;
  } catch (...) {
    setThreadError(std::string(fn) + ": internal error");
    return THUNDER_ERR_INTERNAL;
  }
}

} // namespace

THUNDER_API thunder_status thunder_model_create_with_weights(thunder_model **out,
                                                             const DLTensor *const *params,
                                                             size_t n) {
  WeightSources sources;
  sources.params = params;
  sources.numParams = n;
  return createImpl("thunder_model_create", out, sources);
}

THUNDER_API thunder_status thunder_model_create_with_tensors(
    thunder_model **out, const DLTensor *const *params, size_t n_params,
    const DLTensor *const *buffers, size_t n_buffers, const DLTensor *const *constants,
    size_t n_constants) {
  WeightSources sources;
  sources.params = params;
  sources.numParams = n_params;
  sources.buffers = buffers;
  sources.numBuffers = n_buffers;
  sources.constants = constants;
  sources.numConstants = n_constants;
  return createImpl("thunder_model_create_with_tensors", out, sources);
}

THUNDER_API thunder_status thunder_model_create_from_file(thunder_model **out, const char *path) {
  if (!path) {
    tlsError[0] = 0;
    if (out)
      *out = nullptr;
    setThreadError("thunder_model_create_from_file: the path is null");
    return THUNDER_ERR_INVALID_ARGUMENT;
  }
  WeightSources sources;
  sources.file = path;
  return createImpl("thunder_model_create_from_file", out, sources);
}

THUNDER_API thunder_status thunder_model_create(thunder_model **out) {
  return createImpl("thunder_model_create", out, WeightSources());
}

THUNDER_API void thunder_model_destroy(thunder_model *m) {
  if (!m)
    return;
  try {
    delete m;
  } catch (...) {
  }
}

THUNDER_API const char *thunder_last_error(const thunder_model *m) {
  if (!m)
    return tlsError;
  return m->lastError.c_str();
}

THUNDER_API const char *thunder_model_name(const thunder_model *m) {
  return m ? m->meta->name.c_str() : "";
}
THUNDER_API const char *thunder_target(const thunder_model *m) {
  return m ? m->meta->target.c_str() : "";
}
THUNDER_API int thunder_has_backward(const thunder_model *m) {
  return m && m->meta->backward.present ? 1 : 0;
}
THUNDER_API size_t thunder_num_inputs(const thunder_model *m) {
  return m ? metaOf(m)->inputs.size() : 0;
}
THUNDER_API size_t thunder_num_outputs(const thunder_model *m) {
  return m ? metaOf(m)->outputs.size() : 0;
}
THUNDER_API size_t thunder_num_params(const thunder_model *m) {
  return m ? metaOf(m)->params.size() : 0;
}
THUNDER_API size_t thunder_num_buffers(const thunder_model *m) {
  return m ? metaOf(m)->buffers.size() : 0;
}
THUNDER_API size_t thunder_num_constants(const thunder_model *m) {
  return m ? metaOf(m)->constants.size() : 0;
}
THUNDER_API int thunder_weights_external(const thunder_model *m) {
  return m && metaOf(m)->externalWeights ? 1 : 0;
}
THUNDER_API size_t thunder_num_symbols(const thunder_model *m) {
  return m ? metaOf(m)->symbols.size() : 0;
}

THUNDER_API thunder_status thunder_input_info(const thunder_model *m, size_t i,
                                              thunder_tensor_info *out) {
  return info(m, m ? &m->meta->inputs : nullptr, i, out, "input");
}
THUNDER_API thunder_status thunder_output_info(const thunder_model *m, size_t i,
                                               thunder_tensor_info *out) {
  return info(m, m ? &m->meta->outputs : nullptr, i, out, "output");
}
THUNDER_API thunder_status thunder_param_info(const thunder_model *m, size_t i,
                                              thunder_tensor_info *out) {
  return info(m, m ? &m->meta->params : nullptr, i, out, "param");
}
THUNDER_API thunder_status thunder_buffer_info(const thunder_model *m, size_t i,
                                               thunder_tensor_info *out) {
  return info(m, m ? &m->meta->buffers : nullptr, i, out, "buffer");
}
THUNDER_API thunder_status thunder_constant_info(const thunder_model *m, size_t i,
                                                 thunder_tensor_info *out) {
  return info(m, m ? &m->meta->constants : nullptr, i, out, "constant");
}

THUNDER_API thunder_status thunder_symbol_info(const thunder_model *m, size_t i, const char **name,
                                               int64_t *min, int64_t *max) {
  if (!m)
    return THUNDER_ERR_INVALID_ARGUMENT;
  const ModelMeta &meta = *m->meta;
  if (i >= meta.symbols.size()) {
    const_cast<thunder_model *>(m)->lastError = "thunder_symbol_info: index " + std::to_string(i) +
                                                " is out of range (" +
                                                std::to_string(meta.symbols.size()) + ")";
    return THUNDER_ERR_INVALID_ARGUMENT;
  }
  if (name)
    *name = meta.symbols[i].name.c_str();
  if (min)
    *min = meta.symbols[i].min;
  if (max)
    *max = meta.symbols[i].max;
  return THUNDER_OK;
}

THUNDER_API thunder_status thunder_forward(thunder_model *m, const DLTensor *const *inputs,
                                           size_t n_inputs, DLManagedTensor **outputs,
                                           size_t n_outputs, void *cuda_stream) {
  if (!m && outputs)
    for (size_t i = 0; i < n_outputs; ++i)
      outputs[i] = nullptr;
  return guarded(m, "thunder_forward",
                 [&] { forward(*m, inputs, n_inputs, outputs, n_outputs, cuda_stream); });
}

THUNDER_API thunder_status thunder_backward(thunder_model *m, const DLTensor *const *cotangents,
                                            size_t n_cotangents, DLManagedTensor **grad_params,
                                            size_t n_params, DLManagedTensor **grad_inputs,
                                            size_t n_inputs, void *cuda_stream) {
  return guarded(m, "thunder_backward", [&] {
    backward(*m, cotangents, n_cotangents, grad_params, n_params, grad_inputs, n_inputs,
             cuda_stream);
  });
}

THUNDER_API thunder_status thunder_release_saved(thunder_model *m) {
  return guarded(m, "thunder_release_saved", [&] { releaseSaved(*m); });
}

THUNDER_API thunder_status thunder_get_buffer(thunder_model *m, size_t i, DLManagedTensor **out) {
  if (!m && out)
    *out = nullptr;
  return guarded(m, "thunder_get_buffer", [&] { getBuffer(*m, i, out); });
}

THUNDER_API thunder_status thunder_set_buffer(thunder_model *m, size_t i, const DLTensor *value) {
  return guarded(m, "thunder_set_buffer", [&] { setBuffer(*m, i, value); });
}

THUNDER_API thunder_status thunder_model_set_device(thunder_model *m, int device_id) {
  return guarded(m, "thunder_model_set_device", [&] { setDevice(*m, device_id); });
}

THUNDER_API DLDevice thunder_model_device(const thunder_model *m) {
  if (!m || !m->cuda)
    return DLDevice{kDLCPU, 0};
  return DLDevice{kDLCUDA, m->cudaState ? m->cudaState->ordinal : -1};
}

THUNDER_API thunder_status thunder_copy_to_device(thunder_model *m, const DLTensor *src,
                                                  DLManagedTensor **out) {
  if (!m && out)
    *out = nullptr;
  return guarded(m, "thunder_copy_to_device", [&] { copyToDevice(*m, src, out); });
}

THUNDER_API thunder_status thunder_copy_to_host(thunder_model *m, const DLTensor *src,
                                                DLManagedTensor **out) {
  if (!m && out)
    *out = nullptr;
  return guarded(m, "thunder_copy_to_host", [&] { copyToHost(*m, src, out); });
}

THUNDER_API thunder_status thunder_synchronize(thunder_model *m, void *cuda_stream) {
  return guarded(m, "thunder_synchronize", [&] { synchronize(*m, cuda_stream); });
}

THUNDER_API int64_t thunder_mesh_size(const thunder_model *m) {
  return m && m->meta && !m->meta->mesh.empty() ? m->meta->meshRanks : 0;
}

THUNDER_API int thunder_input_sharded_dim(const thunder_model *m, size_t i) {
  return m && m->meta && i < m->meta->inputs.size() ? m->meta->inputs[i].shardedDim : -1;
}

THUNDER_API int thunder_output_sharded_dim(const thunder_model *m, size_t i) {
  return m && m->meta && i < m->meta->outputs.size() ? m->meta->outputs[i].shardedDim : -1;
}

THUNDER_API int thunder_param_sharded_dim(const thunder_model *m, size_t i) {
  return m && m->meta && i < m->meta->params.size() ? m->meta->params[i].shardedDim : -1;
}

THUNDER_API uint64_t thunder_param_bytes(const thunder_model *m) {
  return m && m->meta ? parameterBytes(*m) : 0;
}

THUNDER_API thunder_status thunder_model_set_mpi_comm(thunder_model *m, const void *mpi_comm) {
  return guarded(m, "thunder_model_set_mpi_comm", [&] { setMPICommunicator(*m, mpi_comm); });
}

THUNDER_API thunder_status thunder_model_set_nccl_comm(thunder_model *m, const void *nccl_comm) {
  return guarded(m, "thunder_model_set_nccl_comm", [&] { setNCCLCommunicator(*m, nccl_comm); });
}

THUNDER_API thunder_status thunder_model_init_nccl(thunder_model *m, const void *unique_id,
                                                   int nranks, int rank) {
  return guarded(m, "thunder_model_init_nccl",
                 [&] { initNCCLCommunicator(*m, unique_id, nranks, rank); });
}

THUNDER_API thunder_status thunder_nccl_unique_id(void *out) {
  try {
    thunder::shard::ncclUniqueId(out);
    return THUNDER_OK;
  } catch (const thunder::rt::Error &e) {
    setThreadError(std::string("thunder_nccl_unique_id: ") + e.message);
    return e.status;
  } catch (...) {
    setThreadError("thunder_nccl_unique_id: unexpected failure");
    return THUNDER_ERR_INTERNAL;
  }
}

THUNDER_API void thunder_device_free(void *device_ptr) {
  try {
    thunder::cuda::freeDevicePointer(device_ptr);
  } catch (...) {
  }
}

} // extern "C"

// thunderc --name exports every function of thunder_api.def a second time
// under the model's prefix: the table must match thunder.h exactly.
#define THUNDER_API_FUNCTION(ret, name, params)                                                    \
  static_assert(std::is_same_v<decltype(&thunder_##name), ret(*) params>,                         \
                "thunder_api.def: thunder_" #name " is declared otherwise in thunder.h");
#include "thunder/runtime/thunder_api.def"
