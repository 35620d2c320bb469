//===- JsonAccess.h - Typed access to decoded JSON -------------------*- C++ -*-===//
//
// The schema decoders read nlohmann::json through these helpers. A mismatch throws DecodeError (inside
// the library only: the public entry points catch it); each level of the decoder adds its path segment
// on the way out, so the message names the exact place ("graph.nodes[3].inputs[1].arg").
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_LIB_JSONACCESS_H
#define THUNDER_PT2_LIB_JSONACCESS_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace thunder::pt2::json {

using Json = nlohmann::json;

struct DecodeError {
  std::string path;    // "graph_module.graph.nodes[3].inputs[1].arg"
  std::string node;    // the innermost node being decoded, if any
  std::string message; // what is wrong
  std::string render() const;
};

[[noreturn]] void fail(std::string message);

/// Runs `decode`, prefixing `segment` ("key" or "[3]") to the path of any DecodeError it throws.
template <typename F>
auto atPath(std::string_view segment, F &&decode) -> decltype(decode()) {
  try {
    return decode();
  } catch (DecodeError &e) {
    if (e.path.empty() || e.path.front() == '[')
      e.path.insert(0, segment);
    else
      e.path.insert(0, std::string(segment) + ".");
    throw;
  }
}

const char *typeName(const Json &j);
const Json &expectObject(const Json &j, const char *what);
const Json &expectArray(const Json &j, const char *what);

/// The member, or nullptr when it is missing or null (the schema treats both as "default").
const Json *optionalMember(const Json &object, const char *key);
/// The member; DecodeError when missing or null.
const Json &requiredMember(const Json &object, const char *key);

int64_t asInt(const Json &j);
/// A number, or the strings "Infinity", "-Infinity", "NaN".
double asFloat(const Json &j);
bool asBool(const Json &j);
const std::string &asString(const Json &j);

/// A union: an object with exactly one non-null member. Returns the key and its value.
std::pair<std::string, const Json *> unionVariant(const Json &j, const char *unionName);

template <typename T, typename F>
std::vector<T> decodeList(const Json &j, F decodeElement) {
  const Json &array = expectArray(j, "list");
  std::vector<T> out;
  out.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i)
    out.push_back(atPath("[" + std::to_string(i) + "]", [&] { return decodeElement(array[i]); }));
  return out;
}

/// The path segment for a map key: `key` for identifiers, `["0.weight"]` for anything else.
std::string keySegment(const std::string &key);

template <typename T, typename F>
std::map<std::string, T> decodeMap(const Json &j, F decodeValue) {
  const Json &object = expectObject(j, "map");
  std::map<std::string, T> out;
  for (auto it = object.begin(); it != object.end(); ++it)
    out.emplace(it.key(), atPath(keySegment(it.key()), [&] { return decodeValue(it.value()); }));
  return out;
}

/// The member decoded by `decode`, or `fallback` when missing or null.
template <typename T, typename F>
T memberOr(const Json &object, const char *key, T fallback, F decode) {
  const Json *member = optionalMember(object, key);
  if (!member)
    return fallback;
  return atPath(key, [&] { return decode(*member); });
}

/// The required member decoded by `decode` (returned by value, also when `decode` returns a reference).
template <typename F>
auto member(const Json &object, const char *key, F decode) -> std::decay_t<decltype(decode(object))> {
  const Json &m = requiredMember(object, key);
  return atPath(key, [&] { return decode(m); });
}

} // namespace thunder::pt2::json

#endif // THUNDER_PT2_LIB_JSONACCESS_H
