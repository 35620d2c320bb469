//===- MeshOption.h - thunderc --mesh=dp:N[,tp:M] ---------------*- C++ -*-===//
#ifndef THUNDERC_MESHOPTION_H
#define THUNDERC_MESHOPTION_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace thunderc {

/// The axes of `--mesh=TEXT` in order ("dp:2,tp:2"), or an error message that
/// says what is wrong with TEXT.
struct MeshParse {
  std::vector<std::pair<std::string, int64_t>> axes;
  std::string error; // empty: parsed
};
MeshParse parseMesh(const std::string &text);

} // namespace thunderc

#endif
