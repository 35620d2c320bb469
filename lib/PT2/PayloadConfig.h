//===- PayloadConfig.h - data/*/<M>_*_config.json --------------------*- C++ -*-===//
#ifndef THUNDER_PT2_LIB_PAYLOADCONFIG_H
#define THUNDER_PT2_LIB_PAYLOADCONFIG_H

#include "thunder/PT2/Expected.h"
#include "thunder/PT2/Graph.h"
#include "thunder/PT2/Limits.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thunder::pt2 {

/// One entry of a PayloadConfig: {fqn: {path_name, is_param, use_pickle, tensor_meta}}.
struct PayloadEntry {
  std::string fqn;
  std::string pathName;
  bool isParam = false;
  bool usePickle = false;
  std::optional<TensorMeta> meta; // null when pickled
};

/// Decodes a weights or constants config. `where` (the entry name) prefixes errors.
Expected<std::vector<PayloadEntry>> parsePayloadConfig(std::string_view text, const ReadLimits &limits,
                                                       const std::string &where);

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIB_PAYLOADCONFIG_H
