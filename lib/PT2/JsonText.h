//===- JsonText.h - Checked JSON parsing -----------------------------*- C++ -*-===//
//
// Checks size, UTF-8 and nesting before nlohmann parses the text, so a hostile entry cannot exhaust the
// stack or memory and every refusal says what and where.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_LIB_JSONTEXT_H
#define THUNDER_PT2_LIB_JSONTEXT_H

#include "thunder/PT2/Expected.h"
#include "thunder/PT2/Limits.h"

#include <nlohmann/json.hpp>

#include <string_view>

namespace thunder::pt2 {

/// Parses `text` as JSON. Errors name the byte offset: too large, invalid UTF-8, nested deeper than
/// limits.maxJsonDepth, or a syntax error.
Expected<nlohmann::json> parseJsonText(std::string_view text, const ReadLimits &limits);

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIB_JSONTEXT_H
