//===- JsonText.cpp - Checked JSON parsing --------------------------------===//
#include "JsonText.h"

#include "Text.h"

namespace thunder::pt2 {
namespace {

// Byte offset where nesting first exceeds maxDepth, or npos. Brackets inside strings do not count.
size_t findExcessiveNesting(std::string_view text, unsigned maxDepth) {
  unsigned depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i; // skip the escaped character
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth)
        return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

} // namespace

Expected<nlohmann::json> parseJsonText(std::string_view text, const ReadLimits &limits) {
  if (text.size() > limits.maxJsonBytes)
    return makeError("JSON is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                     std::to_string(limits.maxJsonBytes));
  size_t bad = findInvalidUtf8(text);
  if (bad != std::string_view::npos)
    return makeError("invalid UTF-8 at byte " + std::to_string(bad) + " of the JSON");
  size_t deep = findExcessiveNesting(text, limits.maxJsonDepth);
  if (deep != std::string_view::npos)
    return makeError("JSON is nested deeper than " + std::to_string(limits.maxJsonDepth) +
                     " levels at byte " + std::to_string(deep));
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception &e) {
    return makeError(std::string("invalid JSON: ") + e.what());
  } catch (const std::bad_alloc &) {
    return makeError("out of memory while parsing JSON");
  }
}

} // namespace thunder::pt2
