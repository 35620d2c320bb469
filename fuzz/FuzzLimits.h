//===- FuzzLimits.h - Reader limits shared by the fuzz targets ------*- C++ -*-===//
//
// Lowered so that each input stays fast and small (the defaults allow GiBs).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_FUZZ_FUZZLIMITS_H
#define THUNDER_FUZZ_FUZZLIMITS_H

#include "thunder/PT2/Limits.h"

namespace thunder::fuzz {

inline pt2::ReadLimits fuzzLimits() {
  pt2::ReadLimits limits;
  limits.maxTotalBytes = 64u << 20;
  limits.maxEntryBytes = 32u << 20;
  limits.maxJsonBytes = 8u << 20;
  return limits;
}

} // namespace thunder::fuzz

#endif // THUNDER_FUZZ_FUZZLIMITS_H
