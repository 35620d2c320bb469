//===- Archive.h - Reading a .pt2 archive ----------------------------*- C++ -*-===//
//
// readArchive opens the zip that torch.export.save writes, decodes models/<M>.json into an
// ExportedProgram and loads every parameter, buffer and constant as a contiguous host-order array.
// PT2_FORMAT.md is the format; docs/pt2-reader.md describes the reader. Nothing in the archive is ever
// unpickled: pickled entries are refused with an error that says so.
//
//   thunder::pt2::ReadOptions options;             // model "model", all limits at their defaults
//   auto archive = thunder::pt2::readArchive("mlp.pt2", options);
//   if (!archive) return fail(archive.error().message);
//   const ExportedProgram &program = archive->program;
//   for (const InputSpec &spec : program.signature.inputs)
//     if (const TensorPayload *weight = archive->findPayload(spec)) use(weight->data(), weight->byteSize());
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_ARCHIVE_H
#define THUNDER_PT2_ARCHIVE_H

#include "thunder/PT2/Expected.h"
#include "thunder/PT2/ExportedProgram.h"
#include "thunder/PT2/Limits.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace thunder::pt2 {

struct ReadOptions {
  /// Which models/<M>.json to read. When the archive has no model of this name but exactly one model,
  /// that one is read.
  std::string model = "model";
  /// false: check the payload configs and the storage sizes but do not read tensor bytes (payloads
  /// then have no data). For tools that only need the graph.
  bool loadTensorData = true;
  /// true: an archive saved without weight payloads (storage entries under data/weights/ or
  /// data/constants/, or a whole payload config, missing) is accepted; such payloads have
  /// dataMissing set, or are absent. For thunderc --weights=external, which gets the values at
  /// run time.
  bool allowMissingPayloads = false;
  ReadLimits limits;
};

/// A parameter, buffer or constant: its metadata and its values, contiguous (row-major), in the host's
/// byte order.
class TensorPayload {
public:
  std::string fqn;      // "0.weight", "m.model.rotary_emb.inv_freq"
  std::string pathName; // the storage file under data/weights/ or data/constants/; tied tensors share it
  bool isParam = false;
  bool dataMissing = false;   // its storage entry is not in the archive (allowMissingPayloads)
  TensorMeta meta;            // as in the payload config (static: the reader rejects symbolic weights)
  std::vector<int64_t> shape; // meta's sizes as integers
  int64_t numel = 0;

  ScalarType dtype() const { return meta.dtype; }
  bool hasData() const { return buffer_ != nullptr; }
  const uint8_t *data() const { return buffer_ ? buffer_->data() + offset_ : nullptr; }
  /// numel * element size (also when the data was not loaded).
  size_t byteSize() const { return byteSize_; }

  /// Used by the reader: the payload's bytes are [offset, offset + byteSize) of `buffer` (shared between
  /// tensors that view one storage contiguously).
  void setData(std::shared_ptr<const std::vector<uint8_t>> buffer, size_t offset);
  void setByteSize(size_t n) { byteSize_ = n; }

private:
  std::shared_ptr<const std::vector<uint8_t>> buffer_;
  size_t offset_ = 0;
  size_t byteSize_ = 0;
};

enum class ArchiveLayout : uint8_t {
  PT2,    // PyTorch >= 2.8: <root>/archive_format == "pt2"
  Legacy, // PyTorch <= 2.7: serialized_exported_program.json at the zip root
};

struct Archive {
  ArchiveLayout layout = ArchiveLayout::PT2;
  std::string root;          // the folder every entry is under ("mlp"); empty when none
  bool bigEndian = false;    // `byteorder` of the stored weights (payloads are converted to host order)
  std::vector<std::string> models; // names of models/*.json, sorted
  std::string modelName;     // the one read
  ExportedProgram program;
  /// Parameters and persistent buffers (data/weights/<M>_weights_config.json), by FQN.
  std::map<std::string, TensorPayload> weights;
  /// Tensor constants and non-persistent buffers (data/constants/<M>_constants_config.json), by FQN.
  std::map<std::string, TensorPayload> constants;

  const TensorPayload *findWeight(const std::string &fqn) const;
  const TensorPayload *findConstant(const std::string &fqn) const;
  /// The payload behind a parameter, buffer or tensor-constant input; nullptr for other inputs.
  const TensorPayload *findPayload(const InputSpec &spec) const;
};

/// Reads the archive at `path`. Errors start with the path and name the entry (and JSON path or node).
Expected<Archive> readArchive(const std::string &path, const ReadOptions &options = {});
/// The same from bytes in memory (`name` stands for the path in messages). The bytes are not kept.
Expected<Archive> readArchiveFromMemory(const void *data, size_t size, const ReadOptions &options = {},
                                        const std::string &name = "<memory>");
/// Names of the models in the archive (models/*.json), sorted.
Expected<std::vector<std::string>> listModels(const std::string &path, const ReadLimits &limits = {});

} // namespace thunder::pt2

#endif // THUNDER_PT2_ARCHIVE_H
