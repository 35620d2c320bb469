//===- WeightsFile.cpp - A model's weights from a safetensors file ---------===//

#include "src/WeightsFile.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace thunder::rt {
namespace {

using json = nlohmann::json;

/// The header of a real file is a few MB at most; a larger length means the
/// file is something else.
constexpr uint64_t kMaxHeaderBytes = uint64_t(256) << 20;

const char *safetensorsDType(DType t) {
  switch (t) {
  case DType::F32: return "F32";
  case DType::F64: return "F64";
  case DType::F16: return "F16";
  case DType::BF16: return "BF16";
  case DType::I8: return "I8";
  case DType::I16: return "I16";
  case DType::I32: return "I32";
  case DType::I64: return "I64";
  case DType::U8: return "U8";
  case DType::Bool: return "BOOL";
  case DType::U16: return "U16";
  case DType::U32: return "U32";
  case DType::U64: return "U64";
  case DType::F8E4M3FN: return "F8_E4M3";
  case DType::F8E4M3FNUZ: return "F8_E4M3FNUZ";
  case DType::F8E5M2: return "F8_E5M2";
  case DType::F8E5M2FNUZ: return "F8_E5M2FNUZ";
  case DType::F8E8M0FNU: return "F8_E8M0";
  case DType::F4E2M1FN: return "F4";
  case DType::I4: return "I4";
  case DType::U4: return "U4";
  case DType::I2: return "I2";
  case DType::U2: return "U2";
  }
  return "?";
}

/// Closes the descriptor on every path out.
struct FileHandle {
  int fd = -1;
  ~FileHandle() {
    if (fd >= 0)
      ::close(fd);
  }
};

class Reader {
public:
  Reader(const ModelMeta &meta, const std::string &path) : meta(meta), path(path) {}

  Block *read() {
    open();
    readHeader();
    auto *block = new Block();
    block->refs = 1;
    size_t bytes = (meta.weightsSize + 63) & ~size_t(63);
    block->ptr = std::aligned_alloc(64, bytes ? bytes : 64);
    if (!block->ptr) {
      delete block;
      fail(THUNDER_ERR_OUT_OF_MEMORY, "out of memory allocating " +
                                          std::to_string(meta.weightsSize) + " bytes of weights");
    }
    try {
      readAll(ArgRef::Param, meta.params, static_cast<uint8_t *>(block->ptr));
      readAll(ArgRef::Buffer, meta.buffers, static_cast<uint8_t *>(block->ptr));
      readAll(ArgRef::Constant, meta.constants, static_cast<uint8_t *>(block->ptr));
    } catch (...) {
      release(block);
      throw;
    }
    return block;
  }

private:
  const ModelMeta &meta;
  const std::string &path;
  FileHandle file;
  uint64_t fileSize = 0, dataStart = 0;
  json header;

  [[noreturn]] void bad(thunder_status status, const std::string &what) const {
    fail(status, "weights file '" + path + "': " + what);
  }
  [[noreturn]] void notSafetensors(const std::string &why) const {
    bad(THUNDER_ERR_FILE, "not a safetensors file (" + why + ")");
  }

  void open() {
    file.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file.fd < 0)
      bad(THUNDER_ERR_FILE, std::string("cannot open it: ") + std::strerror(errno));
    struct stat st{};
    if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
      bad(THUNDER_ERR_FILE, "not a regular file");
    fileSize = static_cast<uint64_t>(st.st_size);
  }

  void readExactly(void *dst, uint64_t n, uint64_t at, const std::string &what) {
    auto *out = static_cast<char *>(dst);
    while (n > 0) {
      ssize_t got = ::pread(file.fd, out, n > (uint64_t(1) << 30) ? (size_t(1) << 30) : size_t(n),
                            static_cast<off_t>(at));
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        bad(THUNDER_ERR_FILE, "reading " + what + " failed: " +
                                  (got < 0 ? std::strerror(errno) : "unexpected end of file"));
      out += got;
      at += static_cast<uint64_t>(got);
      n -= static_cast<uint64_t>(got);
    }
  }

  void readHeader() {
    if (fileSize < 8)
      notSafetensors("shorter than the 8 bytes of its header length");
    uint8_t len[8];
    readExactly(len, 8, 0, "the header length");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
      n = (n << 8) | len[i];
    if (n > kMaxHeaderBytes || n > fileSize - 8)
      notSafetensors("its header length " + std::to_string(n) + " does not fit the file's " +
                     std::to_string(fileSize) + " bytes");
    std::string text(n, '\0');
    readExactly(text.data(), n, 8, "the header");
    try {
      header = json::parse(text);
    } catch (const std::exception &) {
      notSafetensors("its header is not JSON");
    }
    if (!header.is_object())
      notSafetensors("its header is not a JSON object");
    dataStart = 8 + n;
  }

  void readAll(ArgRef::Kind kind, const std::vector<TensorMeta> &list, uint8_t *base) {
    for (const TensorMeta &t : list)
      readOne(kind, t, base + t.offset);
  }

  void readOne(ArgRef::Kind kind, const TensorMeta &t, uint8_t *dst) {
    std::string key = weightsFileKey(kind, t.name);
    std::vector<int64_t> shape = t.staticShape();
    std::string expected =
        std::string(dtypeName(t.dtype)) + " " + formatShape(shape.data(), t.rank());
    auto it = header.find(key);
    if (it == header.end())
      bad(THUNDER_ERR_INVALID_ARGUMENT, "no tensor '" + key + "' (" + argKindName(kind) + " '" +
                                            t.name + "', " + expected + ")");
    const json &e = *it;
    std::string who = "tensor '" + key + "'";
    if (!e.is_object())
      notSafetensors(who + " is not an object");
    auto dt = e.find("dtype");
    if (dt == e.end() || !dt->is_string())
      notSafetensors(who + " has no dtype");
    if (dt->get<std::string>() != safetensorsDType(t.dtype))
      bad(THUNDER_ERR_DTYPE, who + " has dtype " + dt->get<std::string>() + ", the model needs " +
                                 safetensorsDType(t.dtype) + " (" + expected + ")");
    auto sh = e.find("shape");
    if (sh == e.end() || !sh->is_array())
      notSafetensors(who + " has no shape");
    std::vector<int64_t> got;
    for (const json &d : *sh) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        notSafetensors(who + " has a size that is not a non-negative integer");
      got.push_back(d.get<int64_t>());
    }
    if (got != shape)
      bad(THUNDER_ERR_SHAPE, who + " has shape " +
                                 formatShape(got.data(), static_cast<int>(got.size())) +
                                 ", the model needs " + expected);
    auto off = e.find("data_offsets");
    if (off == e.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
        !(*off)[1].is_number_unsigned())
      notSafetensors(who + " has no data_offsets [begin, end]");
    uint64_t begin = (*off)[0].get<uint64_t>(), end = (*off)[1].get<uint64_t>();
    if (end < begin || end - begin != t.nbytes)
      notSafetensors(who + " has data_offsets [" + std::to_string(begin) + ", " +
                     std::to_string(end) + "], which do not span its " + std::to_string(t.nbytes) +
                     " bytes");
    uint64_t dataBytes = fileSize - dataStart;
    if (end > dataBytes)
      bad(THUNDER_ERR_FILE, who + ": its data (bytes " + std::to_string(begin) + ".." +
                                std::to_string(end) +
                                ") lies past the end of the file, which has " +
                                std::to_string(dataBytes) + " data bytes (truncated?)");
    readExactly(dst, t.nbytes, dataStart + begin, who);
  }
};

} // namespace

std::string weightsFileKey(ArgRef::Kind kind, const std::string &name) {
  return std::string(argKindName(kind)) + "." + name; // param.<fqn>, buffer.<fqn>, constant.<name>
}

Block *readWeightsFile(const ModelMeta &meta, const std::string &path) {
  return Reader(meta, path).read();
}

} // namespace thunder::rt
