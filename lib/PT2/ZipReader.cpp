//===- ZipReader.cpp - Bounded reading of zip entries (libzip) ------------===//
#include "ZipReader.h"

#include "Text.h"

#include <zip.h>

#include <sys/stat.h>

namespace thunder::pt2 {
namespace {

std::string libzipMessage(zip_error_t *error) {
  const char *text = zip_error_strerror(error);
  return text ? text : "unknown libzip error";
}

// Names that would escape a folder if someone extracted the archive: we never extract, but such a
// name only appears in a crafted archive, so it is refused outright.
bool isUnsafeEntryName(const std::string &name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos ||
      name.find('\0') != std::string::npos)
    return true;
  if (name.size() >= 2 && name[1] == ':')
    return true; // "C:..."
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos)
      end = name.size();
    if (name.compare(start, end - start, "..") == 0)
      return true;
    start = end + 1;
  }
  return false;
}

} // namespace

Expected<std::unique_ptr<ZipReader>> ZipReader::openFile(const std::string &path, const ReadLimits &limits) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0)
    return makeError("cannot open: no such file");
  if (!S_ISREG(info.st_mode))
    return makeError("cannot open: not a regular file");
  int code = 0;
  zip_t *archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string message = "not a readable zip archive (" + libzipMessage(&error) + ")";
    zip_error_fini(&error);
    return makeError(message);
  }
  std::unique_ptr<ZipReader> reader(new ZipReader(archive, uint64_t(info.st_size), limits));
  if (std::optional<std::string> problem = reader->indexEntries())
    return makeError(*problem);
  return reader;
}

Expected<std::unique_ptr<ZipReader>> ZipReader::openMemory(const void *data, size_t size, const ReadLimits &limits) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t *source = zip_source_buffer_create(data, size, 0, &error);
  if (!source) {
    std::string message = "cannot read buffer (" + libzipMessage(&error) + ")";
    zip_error_fini(&error);
    return makeError(message);
  }
  zip_t *archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!archive) {
    zip_source_free(source);
    std::string message = "not a readable zip archive (" + libzipMessage(&error) + ")";
    zip_error_fini(&error);
    return makeError(message);
  }
  zip_error_fini(&error);
  std::unique_ptr<ZipReader> reader(new ZipReader(archive, uint64_t(size), limits));
  if (std::optional<std::string> problem = reader->indexEntries())
    return makeError(*problem);
  return reader;
}

ZipReader::~ZipReader() { zip_discard(archive_); }

std::optional<std::string> ZipReader::indexEntries() {
  zip_int64_t count = zip_get_num_entries(archive_, 0);
  if (count < 0)
    return std::string("cannot list the zip entries");
  if (uint64_t(count) > limits_.maxEntries)
    return "the zip has " + std::to_string(count) + " entries, more than the limit of " +
           std::to_string(limits_.maxEntries);
  names_.reserve(size_t(count));
  for (zip_int64_t i = 0; i < count; ++i) {
    const char *raw = zip_get_name(archive_, zip_uint64_t(i), ZIP_FL_ENC_RAW);
    if (!raw)
      return "cannot read the name of zip entry " + std::to_string(i);
    std::string name(raw);
    if (isUnsafeEntryName(name))
      return "unsafe entry name " + quote(name) + " (absolute, '..' or backslash path)";
    if (!index_.emplace(name, uint64_t(i)).second)
      return "duplicate entry name " + quote(name);
    names_.push_back(std::move(name));
  }
  return std::nullopt;
}

std::optional<uint64_t> ZipReader::entrySize(const std::string &name) const {
  auto it = index_.find(name);
  if (it == index_.end())
    return std::nullopt;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive_, it->second, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    return std::nullopt;
  return st.size;
}

Expected<uint64_t> ZipReader::checkEntry(const std::string &name, uint64_t maxBytes) {
  auto it = index_.find(name);
  if (it == index_.end())
    return makeError("missing entry " + quote(name));
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive_, it->second, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
      !(st.valid & ZIP_STAT_COMP_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD))
    return makeError("entry " + quote(name) + ": cannot read its size");
  std::string entry = "entry " + quote(name) + ": ";
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
    return makeError(entry + "encrypted entries are not supported");
  uint64_t limit = maxBytes < limits_.maxEntryBytes ? maxBytes : limits_.maxEntryBytes;
  if (st.size > limit)
    return makeError(entry + std::to_string(st.size) + " bytes, more than the limit of " + std::to_string(limit));
  if (st.comp_method == ZIP_CM_STORE) {
    if (st.size > archiveSize_ || st.comp_size != st.size)
      return makeError(entry + "declares " + std::to_string(st.size) + " stored bytes in an archive of " +
                       std::to_string(archiveSize_) + " bytes (truncated or corrupt)");
  } else {
    if (st.comp_size > archiveSize_)
      return makeError(entry + "declares " + std::to_string(st.comp_size) + " compressed bytes in an archive of " +
                       std::to_string(archiveSize_) + " bytes (truncated or corrupt)");
    // size / comp_size > ratio, without dividing by zero or overflowing.
    uint64_t compressed = st.comp_size == 0 ? 1 : st.comp_size;
    if (st.size / compressed > limits_.maxCompressionRatio)
      return makeError(entry + "expands from " + std::to_string(st.comp_size) + " to " + std::to_string(st.size) +
                       " bytes, a compression ratio above " + std::to_string(limits_.maxCompressionRatio) +
                       " (refused as a possible decompression bomb)");
  }
  return uint64_t(st.size);
}

Expected<bool> ZipReader::readInto(const std::string &name, uint8_t *out, uint64_t size) {
  std::string entry = "entry " + quote(name) + ": ";
  zip_file_t *file = zip_fopen_index(archive_, index_.at(name), 0);
  if (!file)
    return makeError(entry + "cannot open (" + libzipMessage(zip_get_error(archive_)) + ")");
  uint64_t got = 0;
  std::optional<std::string> problem;
  while (got < size) {
    zip_int64_t n = zip_fread(file, out + got, size - got);
    if (n < 0) {
      problem = entry + "read failed (" + libzipMessage(zip_file_get_error(file)) + ")";
      break;
    }
    if (n == 0) {
      problem = entry + "truncated: " + std::to_string(got) + " of " + std::to_string(size) + " bytes";
      break;
    }
    got += uint64_t(n);
  }
  if (!problem) {
    // Reading past the end makes libzip check the CRC, and catches data longer than declared.
    uint8_t extra;
    zip_int64_t n = zip_fread(file, &extra, 1);
    if (n < 0)
      problem = entry + "read failed (" + libzipMessage(zip_file_get_error(file)) + ")";
    else if (n > 0)
      problem = entry + "holds more bytes than its declared size " + std::to_string(size);
  }
  zip_fclose(file);
  if (problem)
    return makeError(*problem);
  return true;
}

Expected<std::shared_ptr<std::vector<uint8_t>>> ZipReader::readBytes(const std::string &name, uint64_t maxBytes,
                                                                     MemoryBudget &budget) {
  Expected<uint64_t> size = checkEntry(name, maxBytes);
  if (!size)
    return size.error();
  if (!budget.reserve(*size))
    return makeError("entry " + quote(name) + ": reading its " + std::to_string(*size) +
                     " bytes would pass the reader's memory limit of " + std::to_string(budget.limit()) + " bytes");
  auto bytes = std::make_shared<std::vector<uint8_t>>(size_t(*size));
  Expected<bool> done = readInto(name, bytes->data(), *size);
  if (!done)
    return done.error();
  return bytes;
}

Expected<std::string> ZipReader::readText(const std::string &name, uint64_t maxBytes, MemoryBudget &budget) {
  Expected<uint64_t> size = checkEntry(name, maxBytes);
  if (!size)
    return size.error();
  if (!budget.reserve(*size))
    return makeError("entry " + quote(name) + ": reading its " + std::to_string(*size) +
                     " bytes would pass the reader's memory limit of " + std::to_string(budget.limit()) + " bytes");
  std::string text(size_t(*size), '\0');
  Expected<bool> done = readInto(name, reinterpret_cast<uint8_t *>(text.data()), *size);
  if (!done)
    return done.error();
  return text;
}

} // namespace thunder::pt2
