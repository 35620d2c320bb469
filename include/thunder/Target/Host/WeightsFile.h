//===- WeightsFile.h - MODEL.weights.safetensors (--weights=external) -*- C++ -*-===//
//
// With --weights=external, MODEL.so holds no payloads and thunderc writes
// them beside it as safetensors, keyed param.<fqn>, buffer.<fqn> and
// constant.<name>: the file thunder_model_create_from_file and
// `thunder-run --weights` read (docs/runtime.md).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_HOST_WEIGHTSFILE_H
#define THUNDER_TARGET_HOST_WEIGHTSFILE_H

#include "thunder/Target/Host/ModelDescription.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace thunder::target {

/// The weights file beside an output: MODEL.so (or MODEL.o) ->
/// MODEL.weights.safetensors; any other name gets the suffix appended.
std::string weightsFilePathFor(llvm::StringRef outputPath);

/// The first parameter, buffer or constant of `model` that `weights` has no
/// bytes for ("parameter '0.weight'"), or none when it has them all.
std::optional<std::string> firstMissingWeight(const ModelDesc &model, const WeightStore &weights);

/// Writes every parameter, buffer and constant of `model` from `weights` as
/// safetensors to `path` (a temporary file the caller commits). Fails when a
/// tensor is missing or has the wrong number of bytes.
llvm::Error writeWeightsFile(const ModelDesc &model, const WeightStore &weights,
                             llvm::StringRef path);

} // namespace thunder::target

#endif
