//===- Model.h - A model instance ------------------------------------------===//
#pragma once

#include "cuda/Context.h"
#include "shard/Transport.h"
#include "src/Meta.h"

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace thunder::rt {

using EntryFn = void (*)(void **);

/// What the compiler emitted into this .so, resolved once.
struct ModelImage {
  std::unique_ptr<ModelMeta> meta;
  const uint8_t *weights = nullptr;
  uint64_t weightsSize = 0;
  EntryFn forward = nullptr, backward = nullptr;
};

/// The image of the .so this runtime copy is linked into (parsed on first
/// use; throws Error if the metadata is malformed, every time it is asked).
const ModelImage &image();

/// A buffer the runtime allocated or took from a result: freed with free()
/// (CPU) or as device memory (CUDA) when the last reference goes.
struct Block {
  void *ptr = nullptr;
  bool device = false;
  std::atomic<int> refs{0};
};
void retain(Block *b);
void release(Block *b);

/// A memref value held across calls (saved values, buffers).
struct Held {
  std::vector<int64_t> desc; // allocated, aligned, offset, sizes..., strides...
  Block *block = nullptr;    // null: borrowed from the weights / parameters
  int rank() const { return static_cast<int>((desc.size() - 3) / 2); }
  void *data(size_t itemSize) const {
    return reinterpret_cast<char *>(desc[1]) + desc[2] * static_cast<int64_t>(itemSize);
  }
};

} // namespace thunder::rt

struct thunder_model {
  const thunder::rt::ModelImage *img = nullptr;
  const thunder::rt::ModelMeta *meta = nullptr;
  bool cuda = false;

  // Where the weights come from: a host block laid out as the meta's offsets
  // say (the embedded blob, or a weights file read into ownedWeights), and
  // the caller's tensors, which replace entries of it. Without either (an
  // external-weights model from thunder_model_create) the instance only
  // describes the model.
  const uint8_t *hostWeights = nullptr;
  thunder::rt::Block *ownedWeights = nullptr;
  bool hasWeights = true;
  std::vector<const DLTensor *> userParams, userBuffers, userConstants; // borrowed, may be null

  // Parameters and constants: data pointers on the model's device (CPU: into
  // the host weights or the caller's tensors; CUDA: set when bound).
  std::vector<void *> paramPtrs, constantPtrs;
  // Buffers: compact, owned by the instance.
  std::vector<thunder::rt::Held> buffers;
  void *deviceWeights = nullptr; // CUDA: the weights blob on the device
  bool deviceReady = false;
  int preferredDevice = -1;

  std::vector<thunder::rt::Held> saved;
  bool haveSaved = false;
  std::vector<std::vector<int64_t>> lastOutputShapes;

  std::unique_ptr<thunder::cuda::CudaState> cudaState;
  /// --mesh: the caller's communicator (thunder_model_set_mpi_comm).
  std::unique_ptr<thunder::shard::Transport> transport;
  /// --shard-params: this rank's blocks of the sharded parameters.
  std::deque<std::vector<uint8_t>> paramBlocks;
  void *lastStream = nullptr;

  std::string lastError;
  std::atomic<int> busy{0};

  ~thunder_model();
};

namespace thunder::rt {

/// What an instance is created from (thunder_model_create*): arrays of the
/// caller's tensors (null array: none given) and/or a weights file.
struct WeightSources {
  const DLTensor *const *params = nullptr, *const *buffers = nullptr, *const *constants = nullptr;
  size_t numParams = 0, numBuffers = 0, numConstants = 0;
  const char *file = nullptr;
};

thunder_model *createModel(const WeightSources &sources);
void forward(thunder_model &m, const DLTensor *const *inputs, size_t nInputs,
             DLManagedTensor **outputs, size_t nOutputs, void *stream);
void backward(thunder_model &m, const DLTensor *const *cotangents, size_t n,
              DLManagedTensor **gradParams, size_t nParams, DLManagedTensor **gradInputs,
              size_t nInputs, void *stream);
void releaseSaved(thunder_model &m);
void getBuffer(thunder_model &m, size_t i, DLManagedTensor **out);
void setBuffer(thunder_model &m, size_t i, const DLTensor *value);
void setDevice(thunder_model &m, int device);
void copyToDevice(thunder_model &m, const DLTensor *src, DLManagedTensor **out);
void copyToHost(thunder_model &m, const DLTensor *src, DLManagedTensor **out);
void synchronize(thunder_model &m, void *stream);
void setMPICommunicator(thunder_model &m, const void *mpiComm);
void setNCCLCommunicator(thunder_model &m, const void *ncclComm);
void initNCCLCommunicator(thunder_model &m, const void *uniqueId, int nranks, int rank);
/// Bytes of parameter data the entry points read (the blocks under --shard-params).
uint64_t parameterBytes(const thunder_model &m);

} // namespace thunder::rt
