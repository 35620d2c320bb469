/*===- thunder/runtime/thunder.h - The public C ABI of a compiled model -----===*
 *
 * Every MODEL.so written by thunderc exports these functions. They are plain C
 * (callable from C, C++, Rust, Python ctypes) and pass tensors as DLPack
 * DLTensor / DLManagedTensor. See docs/runtime.md for the full contract.
 *
 * Conventions:
 *  - Every fallible call returns a thunder_status; THUNDER_OK is 0. On error,
 *    thunder_last_error(model) returns a message naming the argument at fault;
 *    errors of thunder_model_create* are read with thunder_last_error(NULL)
 *    (kept per thread).
 *  - Outputs and gradients are allocated by the runtime: contiguous
 *    (strides == NULL), on the model's device, returned as DLManagedTensor*;
 *    the caller owns them and releases each with `t->deleter(t)`. They stay
 *    valid after the model is destroyed.
 *  - Inputs are borrowed for the duration of the call only. They must be
 *    compact row-major (strides NULL, or equal to the row-major strides except
 *    on dimensions of size 1), of the exact dtype and on the model's device:
 *    kDLCPU for the "cpu" target; kDLCUDA (or kDLCUDAManaged) on the
 *    instance's device for the "cuda" target.
 *  - One instance is not thread-safe (a second concurrent call on the same
 *    instance fails with THUNDER_ERR_STATE); distinct instances, of one model
 *    or of different models (.so files), are fully independent.
 *  - A model compiled with `thunderc --name=NAME` also exports every function
 *    below as NAME_<function> (NAME_forward, ...; declared in its MODEL.h,
 *    listed in thunder_api.def), for binaries that link several models at
 *    build time (docs/serving.md). An instance goes only to the functions of
 *    the library that created it.
 *===----------------------------------------------------------------------===*/
#ifndef THUNDER_RUNTIME_THUNDER_H
#define THUNDER_RUNTIME_THUNDER_H

#include <stddef.h>
#include <stdint.h>

#include <dlpack/dlpack.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define THUNDER_API
#else
#define THUNDER_API __attribute__((visibility("default")))
#endif

/* The version of this ABI; thunder_abi_version() returns the value the model
 * was built with. */
#define THUNDER_ABI_VERSION 1

/* DLPack 0.6 has no kDLBool; later versions define it as 6. Bool tensors are
 * {THUNDER_DL_BOOL, 8, 1}: one byte (0/1) per element. */
#define THUNDER_DL_BOOL 6
/* DLPack 1.1's codes of the 8- and 4-bit floats (bits 8, or 4 for float4_e2m1fn);
 * the integers of 4 and 2 bits are {kDLInt or kDLUInt, 4 or 2, 1}. Every element of
 * these types takes one byte (not packed). */
#define THUNDER_DL_FLOAT8_E4M3FN 10
#define THUNDER_DL_FLOAT8_E4M3FNUZ 11
#define THUNDER_DL_FLOAT8_E5M2 12
#define THUNDER_DL_FLOAT8_E5M2FNUZ 13
#define THUNDER_DL_FLOAT8_E8M0FNU 14
#define THUNDER_DL_FLOAT4_E2M1FN 17

typedef struct thunder_model thunder_model;

typedef enum thunder_status {
  THUNDER_OK = 0,
  THUNDER_ERR_INVALID_ARGUMENT = 1, /* null pointer, wrong count, bad index, non-contiguous
                                       strides, data not aligned to the element size */
  THUNDER_ERR_SHAPE = 2,            /* wrong rank / size / symbol out of range / inconsistent */
  THUNDER_ERR_DTYPE = 3,            /* wrong element type */
  THUNDER_ERR_DEVICE = 4,           /* wrong device type or device id */
  THUNDER_ERR_NO_CUDA = 5,          /* CUDA target but no libcuda / no device */
  THUNDER_ERR_CUDA = 6,             /* a CUDA driver or cuBLASLt call failed */
  THUNDER_ERR_OUT_OF_MEMORY = 7,
  THUNDER_ERR_NOT_SUPPORTED = 8, /* e.g. backward on a model built without --backward */
  THUNDER_ERR_STATE = 9,         /* backward before forward, concurrent use of one instance */
  THUNDER_ERR_INTERNAL = 10,     /* malformed model metadata, result of unexpected layout */
  THUNDER_ERR_FILE = 11,         /* a weights file cannot be read, is not safetensors, or is
                                    truncated */
  THUNDER_ERR_COMMUNICATION = 12 /* --mesh: no communicator, the transport library cannot be
                                    opened, or a collective failed */
} thunder_status;

/* Static description of one input, output, parameter or buffer. All pointers
 * are owned by the model and stay valid while its .so is loaded. */
typedef struct thunder_tensor_info {
  const char *name; /* input/output name, or the parameter/buffer FQN */
  DLDataType dtype;
  int32_t ndim;
  const int64_t *shape;         /* ndim entries; -1 where the dimension is symbolic */
  const char *const *dim_names; /* ndim entries: NULL for a static dim, else the symbol or
                                   expression ("s31", "2*s31") */
  const int64_t *dim_min;       /* ndim entries: smallest allowed size (== shape for static) */
  const int64_t *dim_max;       /* ndim entries: largest allowed size, -1 = unbounded or unknown */
  int32_t has_grad;             /* backward produces a gradient for this input/parameter */
  int32_t mutated;              /* buffers: forward writes it back */
} thunder_tensor_info;

/* Informational. */
THUNDER_API int thunder_abi_version(void);
THUNDER_API const char *thunder_status_string(thunder_status status);

/* --- lifetime --------------------------------------------------------------- */

/* Creates an instance whose parameters and constants are the weights embedded
 * in the .so (read-only, not copied on CPU; copied once to the device for
 * CUDA) and whose buffers are fresh copies of their initial values.
 * A model compiled with --weights=external (thunder_weights_external() == 1)
 * has no weights in the .so: the instance created here only describes the
 * model (the *_info functions work; forward, backward and the buffer and
 * device functions fail with THUNDER_ERR_STATE). Create a runnable one with
 * thunder_model_create_from_file or thunder_model_create_with_tensors. */
THUNDER_API thunder_status thunder_model_create(thunder_model **out);

/* Creates an instance whose parameters, buffers and constants are read from
 * the safetensors file at `path` (keys "param.<fqn>", "buffer.<fqn>",
 * "constant.<name>", as thunderc --weights=external writes them beside the
 * .so; other keys are ignored). The instance owns its copy (CUDA: uploaded
 * once, like embedded weights). For an embedded-weights model the file
 * replaces the embedded values. A bad file is refused with a message naming
 * the file and the tensor: THUNDER_ERR_FILE (cannot be opened, not
 * safetensors, truncated), THUNDER_ERR_INVALID_ARGUMENT (a key is missing),
 * THUNDER_ERR_DTYPE, THUNDER_ERR_SHAPE. */
THUNDER_API thunder_status thunder_model_create_from_file(thunder_model **out, const char *path);

/* Creates an instance from the caller's tensors: params[i] for parameter i
 * (n_params == thunder_num_params()), buffers[i] for buffer i
 * (n_buffers == thunder_num_buffers()), constants[i] for constant i
 * (n_constants == thunder_num_constants()). An array may be NULL with count 0,
 * and an entry NULL: the embedded value is used, which a model compiled with
 * --weights=external does not have (then every entry must be given, or
 * THUNDER_ERR_INVALID_ARGUMENT names the first missing one). Each tensor must
 * have the declared dtype and shape, be compact and on the model's device
 * (CPU target: kDLCPU; CUDA target: kDLCUDA, all on one device).
 * Parameters and constants are borrowed, not copied: they must outlive the
 * instance, and every forward and backward reads their current contents, so
 * an optimizer may update parameters in place between calls (never during
 * one). Buffers are copied into the instance (CPU: here; CUDA: when the
 * instance binds to its device, so keep them until the first call or
 * thunder_model_set_device). */
THUNDER_API thunder_status thunder_model_create_with_tensors(
    thunder_model **out, const DLTensor *const *params, size_t n_params,
    const DLTensor *const *buffers, size_t n_buffers, const DLTensor *const *constants,
    size_t n_constants);

/* thunder_model_create_with_tensors(out, params, n, NULL, 0, NULL, 0): the
 * caller's parameters (NULL entries keep the embedded ones), embedded buffers
 * and constants. For an external-weights model it fails unless the model has
 * no buffers and no constants. */
THUNDER_API thunder_status thunder_model_create_with_weights(thunder_model **out,
                                                             const DLTensor *const *params,
                                                             size_t n);

/* Destroys an instance (NULL is a no-op). Tensors already returned stay valid. */
THUNDER_API void thunder_model_destroy(thunder_model *model);

/* The last error message of this instance ("" if none); for model == NULL, the
 * last error of thunder_model_create* on this thread. Valid until the next
 * call on the same instance (or thread). */
THUNDER_API const char *thunder_last_error(const thunder_model *model);

/* --- introspection (no device needed) -------------------------------------- */

THUNDER_API const char *thunder_model_name(const thunder_model *model);
THUNDER_API const char *thunder_target(const thunder_model *model); /* "cpu" or "cuda" */
THUNDER_API int thunder_has_backward(const thunder_model *model);
THUNDER_API size_t thunder_num_inputs(const thunder_model *model);
THUNDER_API size_t thunder_num_outputs(const thunder_model *model);
THUNDER_API size_t thunder_num_params(const thunder_model *model);
THUNDER_API size_t thunder_num_buffers(const thunder_model *model);
THUNDER_API size_t thunder_num_constants(const thunder_model *model);
/* 1 if the model was compiled with --weights=external (the .so holds no
 * parameter, buffer or constant values), else 0. */
THUNDER_API int thunder_weights_external(const thunder_model *model);
THUNDER_API thunder_status thunder_input_info(const thunder_model *model, size_t i,
                                              thunder_tensor_info *out);
THUNDER_API thunder_status thunder_output_info(const thunder_model *model, size_t i,
                                               thunder_tensor_info *out);
THUNDER_API thunder_status thunder_param_info(const thunder_model *model, size_t i,
                                              thunder_tensor_info *out);
THUNDER_API thunder_status thunder_buffer_info(const thunder_model *model, size_t i,
                                               thunder_tensor_info *out);
/* Lifted tensor constants (name: the constant's name, "c_lifted_tensor_0"). */
THUNDER_API thunder_status thunder_constant_info(const thunder_model *model, size_t i,
                                                 thunder_tensor_info *out);
/* Symbolic sizes: name, smallest and largest value (max == -1: unbounded). */
THUNDER_API size_t thunder_num_symbols(const thunder_model *model);
THUNDER_API thunder_status thunder_symbol_info(const thunder_model *model, size_t i,
                                               const char **name, int64_t *min, int64_t *max);

/* --- running ---------------------------------------------------------------- */

/* Runs the forward program. inputs: n_inputs == thunder_num_inputs() tensors.
 * outputs: an array of n_outputs == thunder_num_outputs() slots that receive
 * new tensors (all set to NULL on error). Mutated buffers are written back into
 * the instance; values needed by backward are kept in the instance.
 * cuda_stream: CUDA target only, a CUstream / cudaStream_t (NULL = the legacy
 * default stream); the call is asynchronous on that stream: outputs are ready
 * once the stream has reached this point. Ignored on the CPU target. */
THUNDER_API thunder_status thunder_forward(thunder_model *model, const DLTensor *const *inputs,
                                           size_t n_inputs, DLManagedTensor **outputs,
                                           size_t n_outputs, void *cuda_stream);

/* Runs backward with what the last forward saved. cotangents: n_cotangents ==
 * thunder_num_outputs() entries, cotangents[k] of the shape and dtype of the
 * last forward's output k; a NULL entry means zeros. grad_params: NULL (with
 * n_params == 0) to drop parameter gradients, else n_params ==
 * thunder_num_params() slots; slot i receives the gradient of parameter i, or
 * NULL when it has none (has_grad == 0). grad_inputs likewise per input.
 * Fails with THUNDER_ERR_STATE when no forward ran on this instance, and with
 * THUNDER_ERR_NOT_SUPPORTED when the model has no backward. The saved values
 * stay, so backward may be called again until the next forward. */
THUNDER_API thunder_status thunder_backward(thunder_model *model, const DLTensor *const *cotangents,
                                            size_t n_cotangents, DLManagedTensor **grad_params,
                                            size_t n_params, DLManagedTensor **grad_inputs,
                                            size_t n_inputs, void *cuda_stream);

/* Frees what forward saved for backward. */
THUNDER_API thunder_status thunder_release_saved(thunder_model *model);

/* A copy of buffer i's current value (after the mutations of past forwards),
 * on the model's device. For CUDA the copy is ordered after the last call's
 * stream and complete when this returns. */
THUNDER_API thunder_status thunder_get_buffer(thunder_model *model, size_t i,
                                              DLManagedTensor **out);
/* Overwrites buffer i with a copy of value (same dtype and shape, on the
 * model's device; for CUDA, kDLCPU values are accepted too). */
THUNDER_API thunder_status thunder_set_buffer(thunder_model *model, size_t i,
                                              const DLTensor *value);

/* --- device helpers (mostly for the CUDA target) ---------------------------- */

/* CUDA target: binds the instance to device `device_id` and uploads the
 * weights now (otherwise this happens on the first forward, on the device of
 * its inputs, or on device 0 for thunder_copy_to_device / get_buffer). An
 * instance stays on one device. CPU target: accepts only device_id == 0. */
THUNDER_API thunder_status thunder_model_set_device(thunder_model *model, int device_id);
/* The instance's device ({kDLCPU,0}; or {kDLCUDA,id}, id = -1 while unbound). */
THUNDER_API DLDevice thunder_model_device(const thunder_model *model);

/* A compact copy of `src` (any device the runtime can read: kDLCPU, or kDLCUDA
 * for the CUDA target) on the model's device. */
THUNDER_API thunder_status thunder_copy_to_device(thunder_model *model, const DLTensor *src,
                                                  DLManagedTensor **out);
/* A compact copy of `src` in host memory (kDLCPU); waits for the copy. */
THUNDER_API thunder_status thunder_copy_to_host(thunder_model *model, const DLTensor *src,
                                                DLManagedTensor **out);
/* Waits for all work this model queued on `cuda_stream` (no-op on the CPU target). */
THUNDER_API thunder_status thunder_synchronize(thunder_model *model, void *cuda_stream);

/* Frees device memory allocated by the runtime (mgpuMemAlloc); the deleters of
 * CUDA tensors call this. No-op for NULL. */
THUNDER_API void thunder_device_free(void *device_ptr);

/* --- distributed models (thunderc --mesh; docs/sharding.md) ----------------- */

/* The number of ranks the model was compiled for (the product of the --mesh
 * sizes); 0 for a model compiled without --mesh. */
THUNDER_API int64_t thunder_mesh_size(const thunder_model *model);
/* The dimension along which each rank holds its block of input i / output i
 * (the data-parallel slice), or -1 where every rank holds all of it. The
 * gradient of input i is split as the input. */
THUNDER_API int thunder_input_sharded_dim(const thunder_model *model, size_t i);
THUNDER_API int thunder_output_sharded_dim(const thunder_model *model, size_t i);
/* --shard-params: 0 where each rank holds a block of parameter i (and returns
 * that block of its gradient): ceil(dim 0 / thunder_mesh_size) rows, the last
 * rank's padded with zeros; -1 for a whole parameter. */
THUNDER_API int thunder_param_sharded_dim(const thunder_model *model, size_t i);
/* Bytes of parameter data this instance's entry points read: the whole
 * parameters, or with --shard-params its blocks (about 1/thunder_mesh_size). */
THUNDER_API uint64_t thunder_param_bytes(const thunder_model *model);
/* CPU target: the instance joins the caller's MPI communicator; `mpi_comm`
 * points at the caller's MPI_Comm (Open MPI), which must outlive the
 * instance. libmpi is opened now (not linked). Its size must equal
 * thunder_mesh_size; forward and backward of a --mesh model fail with
 * THUNDER_ERR_COMMUNICATION until this succeeds. */
THUNDER_API thunder_status thunder_model_set_mpi_comm(thunder_model *model, const void *mpi_comm);
/* CUDA target: the instance joins the caller's NCCL communicator; `nccl_comm`
 * points at the caller's ncclComm_t, which must outlive the instance. The
 * collectives run on the stream of each call. libnccl is opened now. */
THUNDER_API thunder_status thunder_model_set_nccl_comm(thunder_model *model, const void *nccl_comm);
/* CUDA target: the instance makes (and owns) its rank's communicator of
 * `nranks` from the 128-byte ncclUniqueId that rank 0 made
 * (thunder_nccl_unique_id) and the caller gave every rank; NULL for a single
 * rank. Binds the instance to its device first (thunder_model_set_device). */
THUNDER_API thunder_status thunder_model_init_nccl(thunder_model *model, const void *unique_id,
                                                   int nranks, int rank);
/* A new ncclUniqueId (128 bytes) into `out` (libnccl opened now). */
THUNDER_API thunder_status thunder_nccl_unique_id(void *out);

/* --- custom operators (docs/custom-ops.md) ----------------------------------- */

/* A .pt2 node of a user operator NS::NAME (torch.library.custom_op with a fake
 * implementation) compiles to a call of `thunder_custom_NS_NAME`, which the
 * user's library (thunderc --link ops.so|ops.o|ops.a) exports with the type
 * thunder_custom_op_fn; `--backward` also calls `thunder_custom_NS_NAME_backward`.
 * Not functions of a model: the model calls them. */

/* A non-tensor argument: int (kind 0, in `i`), float (kind 1, in `f`) or bool
 * (kind 2, 0/1 in `i`). */
typedef struct {
  int kind; /* 0 int64, 1 double, 2 bool */
  int64_t i;
  double f;
} thunder_scalar;

/* inputs: the tensor arguments in the schema's order (a Tensor[] argument
 * flattened in place); scalars: the others, in the schema's order. outputs:
 * allocated by the runtime from the archive's shapes, compact row-major
 * (strides NULL), on the model's device, to be written (not read).
 * Backward: inputs are one cotangent per forward output (zeros where none),
 * then the forward's tensor inputs; scalars are the forward's; outputs are one
 * gradient per forward tensor input, shaped and typed like it.
 * cuda_stream: the model call's CUstream on the CUDA target (enqueue the work
 * there; NULL is the legacy default stream), NULL on the CPU target. A status
 * other than THUNDER_OK makes the model call fail with that status and a
 * message naming the operator. */
typedef thunder_status (*thunder_custom_op_fn)(const DLTensor *const *inputs, size_t num_inputs,
                                               const thunder_scalar *scalars, size_t num_scalars,
                                               DLTensor *const *outputs, size_t num_outputs,
                                               void *cuda_stream);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* THUNDER_RUNTIME_THUNDER_H */
