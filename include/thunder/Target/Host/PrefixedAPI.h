//===- PrefixedAPI.h - a model's C API under its own name -------*- C++ -*-===//
//
// `thunderc --name=NAME` makes MODEL.so export every function of thunder.h a
// second time as NAME_<function> (NAME_model_create, NAME_forward, ...), so
// that a serving binary links several models without one answering for
// another (docs/serving.md). The list of functions is
// include/thunder/runtime/thunder_api.def; MODEL.h declares them and the
// link defines them as aliases of the generic ones.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_HOST_PREFIXEDAPI_H
#define THUNDER_TARGET_HOST_PREFIXEDAPI_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace thunder::target {

/// One function of thunder.h, as text: "thunder_status", "forward",
/// "(thunder_model *model, ...)".
struct APIFunction {
  const char *returnType;
  const char *name; // without "thunder_"
  const char *params;
};

/// Every function of thunder.h, in its order.
llvm::ArrayRef<APIFunction> apiFunctions();

/// True for [A-Za-z_][A-Za-z0-9_]*.
bool isCIdentifier(llvm::StringRef s);

/// The exported symbol that `prefix`_<function> would be for some function
/// (a generic thunder_* function or a symbol of docs/model-abi.md), if any:
/// such a prefix cannot name a model.
std::optional<std::string> prefixClash(llvm::StringRef prefix);

/// The prefix of a model called `modelName` when --name is not given: the name
/// made a C identifier (other characters become '_'), with "model_" in front
/// where it would start with a digit or clash with an exported symbol.
std::string defaultAPIPrefix(llvm::StringRef modelName);

} // namespace thunder::target

#endif
