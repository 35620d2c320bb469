//===- Limits.h - Resource limits of the .pt2 reader ---------------*- C++ -*-===//
//
// A .pt2 is untrusted input: every size the reader allocates or walks is bounded by these limits, so a
// malicious or corrupt archive gives an error instead of exhausting memory, stack or time.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_LIMITS_H
#define THUNDER_PT2_LIMITS_H

#include <cstdint>

namespace thunder::pt2 {

struct ReadLimits {
  /// Bytes the reader may hold at once for entry contents and tensor data (a whole model's weights).
  uint64_t maxTotalBytes = uint64_t(4) << 30;
  /// Uncompressed size of any one entry.
  uint64_t maxEntryBytes = uint64_t(4) << 30;
  /// Size of a JSON entry (model or payload config).
  uint64_t maxJsonBytes = uint64_t(1) << 30;
  /// Uncompressed/compressed size ratio above which a compressed entry is refused as a decompression
  /// bomb. (torch.export.save stores entries uncompressed; those are bounded by the archive's size.)
  uint64_t maxCompressionRatio = 200;
  /// Entries in the zip's central directory.
  uint64_t maxEntries = 1u << 20;
  /// Nesting of JSON arrays and objects (nlohmann's parser and our decoder recurse on it).
  unsigned maxJsonDepth = 256;
  /// Nesting of a symbolic expression.
  unsigned maxSymExprDepth = 128;
};

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIMITS_H
