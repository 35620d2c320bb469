//===- Safetensors.cpp -----------------------------------------------------===//

#include "safetensors/Safetensors.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

namespace thunder::st {

using json = nlohmann::json;

namespace {
struct Row {
  const char *name;
  uint8_t code, bits;
};
constexpr Row kRows[] = {{"F32", kDLFloat, 32},     {"F64", kDLFloat, 64}, {"F16", kDLFloat, 16},
                         {"BF16", kDLBfloat, 16},   {"I64", kDLInt, 64},   {"I32", kDLInt, 32},
                         {"I16", kDLInt, 16},       {"I8", kDLInt, 8},     {"U8", kDLUInt, 8},
                         {"BOOL", 6 /*kDLBool*/, 8},
                         // unsigned, 8- and 4-bit floats (DLPack 1.1's codes), 4- and
                         // 2-bit integers: one byte per element
                         {"U16", kDLUInt, 16},      {"U32", kDLUInt, 32},  {"U64", kDLUInt, 64},
                         {"F8_E4M3", 10, 8},        {"F8_E4M3FNUZ", 11, 8}, {"F8_E5M2", 12, 8},
                         {"F8_E5M2FNUZ", 13, 8},    {"F8_E8M0", 14, 8},    {"F4", 17, 4},
                         {"I4", kDLInt, 4},         {"U4", kDLUInt, 4},    {"I2", kDLInt, 2},
                         {"U2", kDLUInt, 2}};

[[noreturn]] void bad(const std::string &path, const std::string &what) {
  throw Error(path + ": " + what);
}
} // namespace

size_t dtypeSize(const std::string &d) {
  for (const Row &r : kRows)
    if (d == r.name)
      return (r.bits + 7) / 8; // sub-byte types: one byte per element
  return 0;
}

bool toDL(const std::string &d, DLDataType &out) {
  for (const Row &r : kRows)
    if (d == r.name) {
      out = DLDataType{r.code, r.bits, 1};
      return true;
    }
  return false;
}

std::string fromDL(DLDataType t) {
  if (t.lanes != 1)
    return "";
  for (const Row &r : kRows)
    if (r.code == t.code && r.bits == t.bits)
      return r.name;
  return "";
}

DLTensor Tensor::view() {
  DLTensor t{};
  t.data = data.empty() ? nullptr : data.data();
  t.device = DLDevice{kDLCPU, 0};
  t.ndim = static_cast<int>(shape.size());
  toDL(dtype, t.dtype);
  t.shape = shape.empty() ? nullptr : shape.data();
  t.strides = nullptr;
  t.byte_offset = 0;
  return t;
}

const Tensor *File::find(const std::string &name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

File read(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    bad(path, "cannot open the file");
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 8)
    bad(path, "too short to be a safetensors file");
  uint8_t lenBytes[8];
  in.read(reinterpret_cast<char *>(lenBytes), 8);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | lenBytes[i];
  if (n > static_cast<uint64_t>(size) - 8 || n > (100u << 20))
    bad(path, "bad header length " + std::to_string(n));
  std::string header(n, '\0');
  in.read(header.data(), static_cast<std::streamsize>(n));
  uint64_t dataSize = static_cast<uint64_t>(size) - 8 - n;
  std::vector<uint8_t> bytes(dataSize);
  if (dataSize)
    in.read(reinterpret_cast<char *>(bytes.data()), static_cast<std::streamsize>(dataSize));
  if (!in)
    bad(path, "read error");
  json h;
  try {
    h = json::parse(header);
  } catch (const std::exception &e) {
    bad(path, std::string("the header is not valid JSON: ") + e.what());
  }
  if (!h.is_object())
    bad(path, "the header is not a JSON object");
  File f;
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (it->is_object())
        for (auto m = it->begin(); m != it->end(); ++m)
          if (m->is_string())
            f.metadata[m.key()] = m->get<std::string>();
      continue;
    }
    const json &e = *it;
    std::string who = "tensor '" + it.key() + "'";
    if (!e.is_object() || !e.contains("dtype") || !e["dtype"].is_string() || !e.contains("shape") ||
        !e["shape"].is_array() || !e.contains("data_offsets") || !e["data_offsets"].is_array() ||
        e["data_offsets"].size() != 2)
      bad(path, who + " has a malformed entry");
    Tensor t;
    t.dtype = e["dtype"].get<std::string>();
    size_t item = dtypeSize(t.dtype);
    if (!item)
      bad(path, who + " has unsupported dtype " + t.dtype);
    uint64_t numel = 1;
    for (const json &d : e["shape"]) {
      if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<int64_t>() >= 0))
        bad(path, who + " has a bad shape");
      uint64_t v = d.get<uint64_t>();
      if (v && numel > (UINT64_MAX / 16) / v)
        bad(path, who + " is too large");
      numel *= v;
      t.shape.push_back(static_cast<int64_t>(v));
    }
    const json &off = e["data_offsets"];
    if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      bad(path, who + " has bad data_offsets");
    uint64_t b = off[0].get<uint64_t>(), en = off[1].get<uint64_t>();
    if (b > en || en > dataSize)
      bad(path, who + " has data_offsets outside the file");
    if (en - b != numel * item)
      bad(path, who + " has " + std::to_string(en - b) + " bytes, its shape needs " +
                    std::to_string(numel * item));
    t.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(b),
                  bytes.begin() + static_cast<std::ptrdiff_t>(en));
    f.tensors.emplace(it.key(), std::move(t));
  }
  return f;
}

void write(const std::string &path, const File &file) {
  json h = json::object();
  uint64_t offset = 0;
  for (const auto &[name, t] : file.tensors) {
    size_t item = dtypeSize(t.dtype);
    if (!item)
      throw Error(path + ": tensor '" + name + "' has unsupported dtype " + t.dtype);
    uint64_t numel = 1;
    for (int64_t d : t.shape)
      numel *= static_cast<uint64_t>(d);
    if (numel * item != t.data.size())
      throw Error(path + ": tensor '" + name + "' has " + std::to_string(t.data.size()) +
                  " bytes for its shape");
    h[name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.data.size()}}};
    offset += t.data.size();
  }
  if (!file.metadata.empty())
    h["__metadata__"] = file.metadata;
  std::string header = h.dump();
  while ((header.size() + 8) % 8 != 0)
    header.push_back(' ');
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw Error(path + ": cannot write the file");
    uint64_t n = header.size();
    uint8_t len[8];
    for (int i = 0; i < 8; ++i)
      len[i] = static_cast<uint8_t>(n >> (8 * i));
    out.write(reinterpret_cast<const char *>(len), 8);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (const auto &[name, t] : file.tensors)
      if (!t.data.empty())
        out.write(reinterpret_cast<const char *>(t.data.data()),
                  static_cast<std::streamsize>(t.data.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw Error(path + ": write error");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot rename the temporary file into place");
  }
}

Tensor fromDLTensor(const DLTensor &t) {
  Tensor r;
  r.dtype = fromDL(t.dtype);
  if (r.dtype.empty())
    throw Error("a tensor has a dtype safetensors cannot store");
  uint64_t numel = 1;
  for (int i = 0; i < t.ndim; ++i) {
    r.shape.push_back(t.shape[i]);
    numel *= static_cast<uint64_t>(t.shape[i]);
  }
  size_t bytes = numel * dtypeSize(r.dtype);
  r.data.resize(bytes);
  if (bytes)
    std::memcpy(r.data.data(), static_cast<const char *>(t.data) + t.byte_offset, bytes);
  return r;
}

} // namespace thunder::st
