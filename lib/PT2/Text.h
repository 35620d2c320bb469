//===- Text.h - Formatting untrusted text for messages --------------*- C++ -*-===//
#ifndef THUNDER_PT2_LIB_TEXT_H
#define THUNDER_PT2_LIB_TEXT_H

#include <string>
#include <string_view>

namespace thunder::pt2 {

/// `'text'` with control characters, quotes and bytes >= 0x7f escaped and long text cut, so that names
/// taken from a hostile archive print safely in one line of a diagnostic.
std::string quote(std::string_view text, size_t maxLength = 200);

/// Index of the first byte that is not part of valid UTF-8 (no overlong forms, no surrogates, at most
/// U+10FFFF), or npos when all of `text` is valid.
size_t findInvalidUtf8(std::string_view text);

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIB_TEXT_H
