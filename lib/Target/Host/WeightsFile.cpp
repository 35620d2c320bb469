//===- WeightsFile.cpp - MODEL.weights.safetensors ------------------------===//
#include "thunder/Target/Host/WeightsFile.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <array>

namespace thunder::target {
namespace {

/// safetensors' name of a PyTorch dtype name ("float32" -> "F32").
llvm::StringRef safetensorsDType(llvm::StringRef torchName) {
  static const std::pair<const char *, const char *> kNames[] = {
      {"float32", "F32"}, {"float64", "F64"}, {"float16", "F16"}, {"bfloat16", "BF16"},
      {"int8", "I8"},     {"int16", "I16"},   {"int32", "I32"},   {"int64", "I64"},
      {"uint8", "U8"},    {"bool", "BOOL"}};
  for (const auto &[torch, st] : kNames)
    if (torchName == torch)
      return st;
  return "";
}

/// (key prefix, diagnostic word, list) for params, buffers and constants.
struct WeightList {
  const char *prefix, *kind;
  const std::vector<TensorDesc> *list;
};
std::array<WeightList, 3> weightLists(const ModelDesc &model) {
  return {{{"param.", "parameter", &model.params},
           {"buffer.", "buffer", &model.buffers},
           {"constant.", "constant", &model.constants}}};
}

} // namespace

std::string weightsFilePathFor(llvm::StringRef outputPath) {
  llvm::StringRef stem = outputPath;
  if (!stem.consume_back(".so"))
    stem.consume_back(".o");
  return (stem + ".weights.safetensors").str();
}

std::optional<std::string> firstMissingWeight(const ModelDesc &model, const WeightStore &weights) {
  for (const WeightList &w : weightLists(model))
    for (const TensorDesc &t : *w.list)
      if (!weights.bytes.count(t.name))
        return std::string(w.kind) + " '" + t.name + "'";
  return std::nullopt;
}

llvm::Error writeWeightsFile(const ModelDesc &model, const WeightStore &weights,
                             llvm::StringRef path) {
  // The header: every tensor back to back in the data section, no gaps (strict
  // readers refuse holes), padded with spaces to 8 bytes as safetensors does.
  std::vector<std::pair<const TensorDesc *, const std::vector<uint8_t> *>> order;
  std::string header;
  {
    llvm::raw_string_ostream os(header);
    llvm::json::OStream j(os);
    uint64_t cursor = 0;
    j.object([&] {
      for (const WeightList &w : weightLists(model))
        for (const TensorDesc &t : *w.list) {
          auto it = weights.bytes.find(t.name);
          if (it == weights.bytes.end())
            continue; // reported below
          j.attributeObject(std::string(w.prefix) + t.name, [&] {
            j.attribute("dtype", safetensorsDType(t.dtype));
            j.attributeArray("shape", [&] {
              for (const DimDesc &d : t.shape)
                j.value(d.size);
            });
            j.attributeArray("data_offsets", [&] {
              j.value(static_cast<int64_t>(cursor));
              j.value(static_cast<int64_t>(cursor + it->second.size()));
            });
          });
          cursor += it->second.size();
          order.push_back({&t, &it->second});
        }
    });
  }
  if (std::optional<std::string> missing = firstMissingWeight(model, weights))
    return llvm::createStringError("--weights=external: the archive has no data for " + *missing);
  for (const auto &[t, bytes] : order) {
    if (safetensorsDType(t->dtype).empty())
      return llvm::createStringError("--weights=external: '" + t->name + "' has dtype " + t->dtype +
                                     ", which safetensors cannot hold");
    if (bytes->size() != t->nbytes)
      return llvm::createStringError("the weights of '" + t->name + "' have " +
                                     std::to_string(bytes->size()) + " bytes; its " + t->dtype +
                                     " shape needs " + std::to_string(t->nbytes));
  }
  header.append((8 - header.size() % 8) % 8, ' ');

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write '%s': %s", path.str().c_str(),
                                   ec.message().c_str());
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    os << static_cast<char>((n >> (8 * i)) & 0xff);
  os << header;
  for (const auto &[t, bytes] : order)
    os.write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  os.close();
  if (os.has_error())
    return llvm::createStringError(os.error(), "cannot write '%s': %s", path.str().c_str(),
                                   os.error().message().c_str());
  return llvm::Error::success();
}

} // namespace thunder::target
