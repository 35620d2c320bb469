//===- WeightsFile.h - A model's weights from a safetensors file -----------===//
//
// thunderc --weights=external writes MODEL.weights.safetensors with the keys
// param.<fqn>, buffer.<fqn> and constant.<name>. The runtime reads only the
// tensors the model needs, straight into their place in the meta's layout,
// checking each against the meta (docs/runtime.md).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "src/Meta.h"
#include "src/Model.h"

#include <string>

namespace thunder::rt {

/// The key of a parameter, buffer or constant in a weights file.
std::string weightsFileKey(ArgRef::Kind kind, const std::string &name);

/// A host block of meta.weightsSize bytes (64-byte aligned) holding every
/// parameter, buffer and constant at its offset, read from `path`. Throws
/// Error naming the file and the tensor: THUNDER_ERR_FILE (cannot be read,
/// not safetensors, truncated), THUNDER_ERR_INVALID_ARGUMENT (a key is
/// missing), THUNDER_ERR_DTYPE, THUNDER_ERR_SHAPE.
Block *readWeightsFile(const ModelMeta &meta, const std::string &path);

} // namespace thunder::rt
