//===- ArchiveReader.cpp - Reading a .pt2 archive -------------------------===//
//
// Order of work: find the layout and root folder, read the model JSON (decoded and validated), read the
// payload configs, check every stored tensor's view against its storage entry, load the bytes, and
// finally check that each parameter/buffer/constant of the signature has a payload matching the graph's
// TensorMeta. Every error is prefixed with the archive's name here.
//
//===----------------------------------------------------------------------===//
#include "thunder/PT2/Archive.h"

#include "PayloadConfig.h"
#include "TensorView.h"
#include "Text.h"
#include "ZipReader.h"

#include <algorithm>

namespace thunder::pt2 {
namespace {

constexpr uint64_t kMaxSmallEntryBytes = 1024; // archive_format, archive_version, byteorder
constexpr const char *kResave = "re-save with torch.export.save from PyTorch >= 2.9";

bool hostIsBigEndian() { return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__; }

std::string trim(std::string text) {
  const char *space = " \t\r\n";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string::npos)
    return std::string();
  size_t end = text.find_last_not_of(space);
  return text.substr(begin, end - begin + 1);
}

bool needsPayloads(const ExportedProgram &program) {
  for (const InputSpec &spec : program.signature.inputs)
    if (spec.kind == InputKind::Parameter || spec.kind == InputKind::Buffer ||
        spec.kind == InputKind::TensorConstant || spec.kind == InputKind::CustomObj)
      return true;
  return false;
}

struct Location {
  ArchiveLayout layout = ArchiveLayout::PT2;
  std::string prefix; // "<root>/" or ""
};

// Where the archive keeps its records (PT2_FORMAT.md §1.4).
Expected<Location> locate(const ZipReader &zip) {
  Location location;
  if (zip.contains("version")) {
    if (!zip.contains("serialized_exported_program.json"))
      return makeError("legacy archive (root entry 'version') without 'serialized_exported_program.json'");
    location.layout = ArchiveLayout::Legacy;
    return location;
  }
  if (zip.entryNames().empty())
    return makeError("the zip archive is empty");
  const std::string &first = zip.entryNames().front();
  size_t slash = first.find('/');
  std::string root = slash == std::string::npos ? std::string() : first.substr(0, slash);
  if (!root.empty() && zip.contains(root + "/archive_format")) {
    location.prefix = root + "/";
    return location;
  }
  if (zip.contains("archive_format")) // early 2.8 archives had no root folder
    return location;
  return makeError("not a PT2 archive: no " + quote(root.empty() ? "archive_format" : root + "/archive_format") +
                   " entry (nor the legacy 'version' entry)");
}

// models/<M>.json entries, as sorted model names.
std::vector<std::string> findModels(const ZipReader &zip, const Location &location) {
  if (location.layout == ArchiveLayout::Legacy)
    return {"model"};
  std::string folder = location.prefix + "models/";
  std::vector<std::string> models;
  for (const std::string &name : zip.entryNames()) {
    if (name.size() <= folder.size() + 5 || name.compare(0, folder.size(), folder) != 0)
      continue;
    std::string file = name.substr(folder.size());
    if (file.find('/') == std::string::npos && file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0)
      models.push_back(file.substr(0, file.size() - 5));
  }
  std::sort(models.begin(), models.end());
  return models;
}

std::string joinNames(const std::vector<std::string> &names) {
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "" : ", ") + quote(n);
  return out.empty() ? "none" : out;
}

class ArchiveLoader {
public:
  ArchiveLoader(ZipReader &zip, const ReadOptions &options)
      : zip_(zip), options_(options), budget_(options.limits.maxTotalBytes) {}

  Expected<Archive> load() {
    Expected<Location> location = locate(zip_);
    if (!location)
      return location.error();
    location_ = *location;
    Archive archive;
    archive.layout = location_.layout;
    archive.root = location_.prefix.empty() ? "" : location_.prefix.substr(0, location_.prefix.size() - 1);
    if (location_.layout == ArchiveLayout::PT2)
      if (std::optional<std::string> problem = readHeader(archive))
        return makeError(*problem);

    archive.models = findModels(zip_, location_);
    Expected<std::string> model = chooseModel(archive.models);
    if (!model)
      return model.error();
    archive.modelName = *model;

    std::string programEntry = location_.layout == ArchiveLayout::Legacy
                                   ? "serialized_exported_program.json"
                                   : location_.prefix + "models/" + archive.modelName + ".json";
    Expected<std::string> text = zip_.readText(programEntry, options_.limits.maxJsonBytes, budget_);
    if (!text)
      return text.error();
    Expected<ExportedProgram> program = parseExportedProgram(*text, options_.limits, programEntry);
    if (!program)
      return program.error();
    archive.program = program.take();
    text->clear();
    text->shrink_to_fit();

    if (std::optional<std::string> problem = loadPayloads(archive))
      return makeError(*problem);
    if (std::optional<std::string> problem = checkSignaturePayloads(archive))
      return makeError(*problem);
    return archive;
  }

  Expected<std::vector<std::string>> listModels() {
    Expected<Location> location = locate(zip_);
    if (!location)
      return location.error();
    return findModels(zip_, *location);
  }

private:
  Expected<std::string> readSmall(const std::string &name) {
    Expected<std::string> text = zip_.readText(name, kMaxSmallEntryBytes, budget_);
    if (!text)
      return text.error();
    return trim(*text);
  }

  std::optional<std::string> readHeader(Archive &archive) {
    Expected<std::string> format = readSmall(location_.prefix + "archive_format");
    if (!format)
      return format.error().message;
    if (*format != "pt2")
      return "archive_format is " + quote(*format) + ", expected 'pt2'";
    std::string versionEntry = location_.prefix + "archive_version";
    if (zip_.contains(versionEntry)) {
      Expected<std::string> version = readSmall(versionEntry);
      if (!version)
        return version.error().message;
      if (!version->empty() && *version != "0")
        return "archive_version " + quote(*version) + " is not supported (thunderc reads version 0)";
    }
    std::string byteorderEntry = location_.prefix + "byteorder";
    if (zip_.contains(byteorderEntry)) {
      Expected<std::string> order = readSmall(byteorderEntry);
      if (!order)
        return order.error().message;
      if (*order != "little" && *order != "big")
        return "byteorder is " + quote(*order) + ", expected 'little' or 'big'";
      archive.bigEndian = *order == "big";
    }
    return std::nullopt;
  }

  Expected<std::string> chooseModel(const std::vector<std::string> &models) {
    if (std::find(models.begin(), models.end(), options_.model) != models.end())
      return options_.model;
    if (models.size() == 1)
      return models.front();
    return makeError("no model " + quote(options_.model) + " in " + quote(location_.prefix + "models/") +
                     " (models: " + joinNames(models) + ")");
  }

  std::string weightsConfigEntry(const Archive &a) const {
    return location_.prefix + "data/weights/" + a.modelName + "_weights_config.json";
  }
  std::string constantsConfigEntry(const Archive &a) const {
    return location_.prefix + "data/constants/" + a.modelName + "_constants_config.json";
  }

  std::optional<std::string> loadPayloads(Archive &archive) {
    bool needed = needsPayloads(archive.program);
    if (archive.layout == ArchiveLayout::Legacy) {
      if (needed)
        return std::string("legacy archive weights are pickled; ") + kResave;
      return std::nullopt;
    }
    // PyTorch 2.8 wrote all weights as one torch.save pickle per model.
    for (const char *folder : {"data/weights/", "data/constants/"}) {
      std::string pickled = location_.prefix + folder + archive.modelName + ".pt";
      if (zip_.contains(pickled) && needed)
        return "entry " + quote(pickled) + ": weights stored as a pickle (PyTorch 2.8 layout) are never unpickled; " +
               kResave;
    }
    if (auto problem = loadConfig(archive, weightsConfigEntry(archive), location_.prefix + "data/weights/",
                                  archive.weights))
      return problem;
    if (auto problem = loadConfig(archive, constantsConfigEntry(archive), location_.prefix + "data/constants/",
                                  archive.constants))
      return problem;
    storages_.clear();
    return std::nullopt;
  }

  std::optional<std::string> loadConfig(const Archive &archive, const std::string &configEntry,
                                        const std::string &storageFolder,
                                        std::map<std::string, TensorPayload> &out) {
    if (!zip_.contains(configEntry))
      return std::nullopt; // only an error if the signature needs a payload (checkSignaturePayloads)
    Expected<std::string> text = zip_.readText(configEntry, options_.limits.maxJsonBytes, budget_);
    if (!text)
      return text.error().message;
    Expected<std::vector<PayloadEntry>> entries = parsePayloadConfig(*text, options_.limits, configEntry);
    if (!entries)
      return entries.error().message;
    for (PayloadEntry &entry : *entries) {
      std::string what = configEntry + ": " + quote(entry.fqn);
      if (entry.usePickle)
        return what + " is stored as a pickle (use_pickle: true, a tensor subclass or custom object); "
                      "pickled entries are never unpickled";
      if (!entry.meta)
        return what + " has no tensor_meta";
      if (entry.pathName.empty() || entry.pathName.find('/') != std::string::npos ||
          entry.pathName.find('\\') != std::string::npos || entry.pathName == "." || entry.pathName == "..")
        return what + " has an unsafe path_name " + quote(entry.pathName);
      Expected<TensorView> view = computeTensorView(*entry.meta);
      if (!view)
        return what + ": " + view.error().message;

      TensorPayload payload;
      payload.fqn = entry.fqn;
      payload.pathName = entry.pathName;
      payload.isParam = entry.isParam;
      payload.meta = std::move(*entry.meta);
      payload.shape = view->sizes;
      payload.numel = view->numel;
      payload.setByteSize(size_t(view->byteSize));
      if (std::optional<std::string> problem =
              attachData(payload, *view, storageFolder + entry.pathName, archive.bigEndian, what))
        return problem;
      out.insert_or_assign(payload.fqn, std::move(payload));
    }
    return std::nullopt;
  }

  std::optional<std::string> attachData(TensorPayload &payload, const TensorView &view, const std::string &storageEntry,
                                        bool bigEndian, const std::string &what) {
    std::optional<uint64_t> storageSize = zip_.entrySize(storageEntry);
    if (!storageSize && options_.allowMissingPayloads) {
      payload.dataMissing = true;
      return std::nullopt;
    }
    if (!storageSize)
      return what + ": its storage entry " + quote(storageEntry) + " is missing";
    if (view.requiredStorageBytes > *storageSize)
      return what + " (" + payload.meta.toString() + ") needs " + std::to_string(view.requiredStorageBytes) +
             " bytes of storage " + quote(storageEntry) + ", which has only " + std::to_string(*storageSize) +
             " bytes";
    if (!options_.loadTensorData)
      return std::nullopt;
    if (view.numel == 0) {
      payload.setData(std::make_shared<const std::vector<uint8_t>>(), 0);
      return std::nullopt;
    }
    std::shared_ptr<const std::vector<uint8_t>> storage;
    auto cached = storages_.find(storageEntry);
    if (cached != storages_.end()) {
      storage = cached->second;
    } else {
      Expected<std::shared_ptr<std::vector<uint8_t>>> bytes =
          zip_.readBytes(storageEntry, options_.limits.maxEntryBytes, budget_);
      if (!bytes)
        return what + ": " + bytes.error().message;
      storage = *bytes;
      storages_.emplace(storageEntry, storage);
    }
    // The stored size may differ from the declared one only if the zip lies; re-check what we hold.
    if (view.requiredStorageBytes > storage->size())
      return what + ": storage " + quote(storageEntry) + " is shorter than the tensor view";
    bool swap = bigEndian != hostIsBigEndian() && scalarTypeSwapUnit(payload.meta.dtype) > 1;
    if (view.isContiguous && !swap) {
      payload.setData(storage, size_t(uint64_t(view.storageOffset) * view.itemSize));
      return std::nullopt;
    }
    if (!budget_.reserve(view.byteSize))
      return what + ": copying its " + std::to_string(view.byteSize) + " bytes would pass the reader's memory limit of " +
             std::to_string(budget_.limit()) + " bytes";
    auto copy = std::make_shared<std::vector<uint8_t>>(size_t(view.byteSize));
    copyStridedView(view, storage->data(), copy->data());
    if (swap)
      swapByteOrder(copy->data(), view.byteSize, scalarTypeSwapUnit(payload.meta.dtype));
    payload.setData(std::move(copy), 0);
    return std::nullopt;
  }

  // Each parameter, buffer and constant input needs a payload that agrees with the graph's TensorMeta.
  std::optional<std::string> checkSignaturePayloads(const Archive &archive) {
    if (archive.layout == ArchiveLayout::Legacy)
      return std::nullopt;
    for (const InputSpec &spec : archive.program.signature.inputs) {
      std::string what = std::string(inputKindName(spec.kind)) + " " + quote(spec.target) + " (graph input " +
                         quote(spec.name) + ")";
      if (spec.kind == InputKind::CustomObj)
        return what + " is a TorchBind object stored as a pickle; pickled entries are never unpickled";
      bool inWeights = spec.kind == InputKind::Parameter || (spec.kind == InputKind::Buffer && spec.persistent);
      bool inConstants = spec.kind == InputKind::TensorConstant || (spec.kind == InputKind::Buffer && !spec.persistent);
      if (!inWeights && !inConstants)
        continue;
      const TensorPayload *payload = archive.findPayload(spec);
      if (!payload && options_.allowMissingPayloads)
        continue;
      if (!payload) {
        std::string config = inWeights ? weightsConfigEntry(archive) : constantsConfigEntry(archive);
        return what + " has no entry in " + quote(config) + (zip_.contains(config) ? "" : " (the entry is missing)");
      }
      const TensorMeta *graphMeta = archive.program.graph.findTensorMeta(spec.name);
      if (!graphMeta)
        continue; // validateProgram already required it; keep going defensively
      std::optional<std::vector<int64_t>> graphSizes = graphMeta->staticSizes();
      if (graphMeta->dtype != payload->meta.dtype || (graphSizes && *graphSizes != payload->shape))
        return what + ": the payload is " + payload->meta.toString() + " but the graph says " + graphMeta->toString();
    }
    return std::nullopt;
  }

  ZipReader &zip_;
  const ReadOptions &options_;
  MemoryBudget budget_;
  Location location_;
  std::map<std::string, std::shared_ptr<const std::vector<uint8_t>>> storages_;
};

template <typename F>
auto guarded(const std::string &name, F body) -> decltype(body()) {
  try {
    auto result = body();
    if (!result)
      return makeError(name + ": " + result.error().message);
    return result;
  } catch (const std::bad_alloc &) {
    return makeError(name + ": out of memory");
  } catch (const std::exception &e) {
    return makeError(name + ": unexpected failure: " + e.what());
  }
}

} // namespace

void TensorPayload::setData(std::shared_ptr<const std::vector<uint8_t>> buffer, size_t offset) {
  buffer_ = std::move(buffer);
  offset_ = offset;
}

const TensorPayload *Archive::findWeight(const std::string &fqn) const {
  auto it = weights.find(fqn);
  return it == weights.end() ? nullptr : &it->second;
}

const TensorPayload *Archive::findConstant(const std::string &fqn) const {
  auto it = constants.find(fqn);
  return it == constants.end() ? nullptr : &it->second;
}

const TensorPayload *Archive::findPayload(const InputSpec &spec) const {
  switch (spec.kind) {
  case InputKind::Parameter:
    return findWeight(spec.target);
  case InputKind::Buffer:
    // Writers disagree on where non-persistent buffers go; look in the expected place first.
    if (spec.persistent)
      return findWeight(spec.target) ? findWeight(spec.target) : findConstant(spec.target);
    return findConstant(spec.target) ? findConstant(spec.target) : findWeight(spec.target);
  case InputKind::TensorConstant:
    return findConstant(spec.target) ? findConstant(spec.target) : findWeight(spec.target);
  default:
    return nullptr;
  }
}

Expected<Archive> readArchive(const std::string &path, const ReadOptions &options) {
  return guarded(path, [&]() -> Expected<Archive> {
    Expected<std::unique_ptr<ZipReader>> zip = ZipReader::openFile(path, options.limits);
    if (!zip)
      return zip.error();
    return ArchiveLoader(**zip, options).load();
  });
}

Expected<Archive> readArchiveFromMemory(const void *data, size_t size, const ReadOptions &options,
                                        const std::string &name) {
  return guarded(name, [&]() -> Expected<Archive> {
    Expected<std::unique_ptr<ZipReader>> zip = ZipReader::openMemory(data, size, options.limits);
    if (!zip)
      return zip.error();
    return ArchiveLoader(**zip, options).load();
  });
}

Expected<std::vector<std::string>> listModels(const std::string &path, const ReadLimits &limits) {
  return guarded(path, [&]() -> Expected<std::vector<std::string>> {
    Expected<std::unique_ptr<ZipReader>> zip = ZipReader::openFile(path, limits);
    if (!zip)
      return zip.error();
    ReadOptions options;
    options.limits = limits;
    return ArchiveLoader(**zip, options).listModels();
  });
}

} // namespace thunder::pt2
