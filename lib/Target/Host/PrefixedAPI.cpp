//===- PrefixedAPI.cpp - a model's C API under its own name ---------------===//
#include "thunder/Target/Host/PrefixedAPI.h"

#include "llvm/ADT/StringExtras.h"

namespace thunder::target {

llvm::ArrayRef<APIFunction> apiFunctions() {
  // The types are only text here: the compiler never includes thunder.h.
  static const APIFunction functions[] = {
#define THUNDER_API_FUNCTION(ret, name, params) {#ret, #name, #params},
#include "thunder/runtime/thunder_api.def"
  };
  return functions;
}

bool isCIdentifier(llvm::StringRef s) {
  if (s.empty() || llvm::isDigit(s.front()))
    return false;
  return llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

std::optional<std::string> prefixClash(llvm::StringRef prefix) {
  // Symbols of docs/model-abi.md a prefixed name could equal.
  static const char *const modelSymbols[] = {"thunder_model_meta", "thunder_model_weights",
                                             "thunder_model_weights_size",
                                             "thunder_entry_forward", "thunder_entry_backward"};
  for (const APIFunction &f : apiFunctions()) {
    std::string prefixed = (prefix + "_" + f.name).str();
    for (const APIFunction &g : apiFunctions())
      if (prefixed == std::string("thunder_") + g.name)
        return prefixed;
    for (const char *s : modelSymbols)
      if (prefixed == s)
        return prefixed;
  }
  return std::nullopt;
}

std::string defaultAPIPrefix(llvm::StringRef modelName) {
  std::string id;
  for (char c : modelName)
    id += llvm::isAlnum(c) ? c : '_';
  if (id.empty() || llvm::isDigit(id.front()) || prefixClash(id))
    id = "model_" + id;
  return id;
}

} // namespace thunder::target
