//===- MemoryBudget.h - Bytes the reader may allocate ---------------*- C++ -*-===//
#ifndef THUNDER_PT2_LIB_MEMORYBUDGET_H
#define THUNDER_PT2_LIB_MEMORYBUDGET_H

#include <cstdint>

namespace thunder::pt2 {

/// Counts every entry read and every tensor buffer allocated against ReadLimits::maxTotalBytes. It only
/// grows: a conservative bound that is simple to reason about.
class MemoryBudget {
public:
  explicit MemoryBudget(uint64_t limit) : limit_(limit) {}
  /// False (and nothing reserved) when `bytes` more would pass the limit.
  bool reserve(uint64_t bytes) {
    if (bytes > limit_ - used_)
      return false;
    used_ += bytes;
    return true;
  }
  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_; }

private:
  uint64_t limit_;
  uint64_t used_ = 0;
};

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIB_MEMORYBUDGET_H
