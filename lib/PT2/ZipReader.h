//===- ZipReader.h - Bounded reading of zip entries (libzip) --------*- C++ -*-===//
//
// The only place that talks to libzip. It refuses unsafe entry names and duplicate names when opening,
// and on every read checks the entry's size against the limits, the compression ratio (decompression
// bombs) and the archive's size (truncated or lying headers), and that the bytes read match the size the
// central directory declares (libzip checks the CRC).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_LIB_ZIPREADER_H
#define THUNDER_PT2_LIB_ZIPREADER_H

#include "MemoryBudget.h"

#include "thunder/PT2/Expected.h"
#include "thunder/PT2/Limits.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct zip;

namespace thunder::pt2 {

class ZipReader {
public:
  static Expected<std::unique_ptr<ZipReader>> openFile(const std::string &path, const ReadLimits &limits);
  /// `data` must stay valid while the reader is used.
  static Expected<std::unique_ptr<ZipReader>> openMemory(const void *data, size_t size, const ReadLimits &limits);
  ~ZipReader();
  ZipReader(const ZipReader &) = delete;
  ZipReader &operator=(const ZipReader &) = delete;

  /// Entry names in central-directory order.
  const std::vector<std::string> &entryNames() const { return names_; }
  bool contains(const std::string &name) const { return index_.count(name) != 0; }
  /// The uncompressed size the central directory declares.
  std::optional<uint64_t> entrySize(const std::string &name) const;

  /// The entry's bytes; at most `maxBytes` (and the per-entry limit), charged to `budget`.
  Expected<std::shared_ptr<std::vector<uint8_t>>> readBytes(const std::string &name, uint64_t maxBytes,
                                                            MemoryBudget &budget);
  /// The entry as text.
  Expected<std::string> readText(const std::string &name, uint64_t maxBytes, MemoryBudget &budget);

private:
  ZipReader(struct zip *archive, uint64_t archiveSize, const ReadLimits &limits)
      : archive_(archive), archiveSize_(archiveSize), limits_(limits) {}
  std::optional<std::string> indexEntries();
  // Checks the declared sizes; returns the entry's size.
  Expected<uint64_t> checkEntry(const std::string &name, uint64_t maxBytes);
  Expected<bool> readInto(const std::string &name, uint8_t *out, uint64_t size);

  struct zip *archive_;
  uint64_t archiveSize_;
  ReadLimits limits_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint64_t> index_;
};

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIB_ZIPREADER_H
