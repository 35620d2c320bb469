//===- JsonAccess.cpp - Typed access to decoded JSON ----------------------===//
#include "JsonAccess.h"

#include "Text.h"

#include <cmath>
#include <limits>

namespace thunder::pt2::json {

std::string DecodeError::render() const {
  std::string out;
  if (!path.empty())
    out += path;
  if (!node.empty())
    out += (out.empty() ? "" : " ") + std::string("(node ") + quote(node) + ")";
  if (!out.empty())
    out += ": ";
  return out + message;
}

std::string keySegment(const std::string &key) {
  bool identifier = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
  for (char c : key)
    identifier = identifier && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  if (identifier)
    return key;
  std::string inner = quote(key);
  inner.front() = '"';
  inner.back() = '"';
  return "[" + inner + "]";
}

void fail(std::string message) { throw DecodeError{"", "", std::move(message)}; }

const char *typeName(const Json &j) {
  switch (j.type()) {
  case Json::value_t::null: return "null";
  case Json::value_t::object: return "an object";
  case Json::value_t::array: return "a list";
  case Json::value_t::string: return "a string";
  case Json::value_t::boolean: return "a bool";
  case Json::value_t::number_integer:
  case Json::value_t::number_unsigned: return "an integer";
  case Json::value_t::number_float: return "a float";
  default: return "an unexpected value";
  }
}

const Json &expectObject(const Json &j, const char *what) {
  if (!j.is_object())
    fail(std::string("expected ") + what + " (an object) but found " + typeName(j));
  return j;
}

const Json &expectArray(const Json &j, const char *what) {
  if (!j.is_array())
    fail(std::string("expected ") + what + " but found " + typeName(j));
  return j;
}

const Json *optionalMember(const Json &object, const char *key) {
  expectObject(object, "a struct");
  auto it = object.find(key);
  if (it == object.end() || it->is_null())
    return nullptr;
  return &*it;
}

const Json &requiredMember(const Json &object, const char *key) {
  const Json *m = optionalMember(object, key);
  if (!m)
    fail(std::string("missing field '") + key + "'");
  return *m;
}

int64_t asInt(const Json &j) {
  if (j.is_number_unsigned()) {
    uint64_t v = j.get<uint64_t>();
    if (v > uint64_t(std::numeric_limits<int64_t>::max()))
      fail("integer " + std::to_string(v) + " does not fit in int64");
    return int64_t(v);
  }
  if (j.is_number_integer())
    return j.get<int64_t>();
  fail(std::string("expected an integer but found ") + typeName(j));
}

double asFloat(const Json &j) {
  if (j.is_number())
    return j.get<double>();
  if (j.is_string()) {
    const std::string &s = j.get_ref<const std::string &>();
    if (s == "Infinity")
      return std::numeric_limits<double>::infinity();
    if (s == "-Infinity")
      return -std::numeric_limits<double>::infinity();
    if (s == "NaN")
      return std::numeric_limits<double>::quiet_NaN();
    fail("expected a float but found the string " + quote(s));
  }
  fail(std::string("expected a float but found ") + typeName(j));
}

bool asBool(const Json &j) {
  if (!j.is_boolean())
    fail(std::string("expected a bool but found ") + typeName(j));
  return j.get<bool>();
}

const std::string &asString(const Json &j) {
  if (!j.is_string())
    fail(std::string("expected a string but found ") + typeName(j));
  return j.get_ref<const std::string &>();
}

std::pair<std::string, const Json *> unionVariant(const Json &j, const char *unionName) {
  if (!j.is_object())
    fail(std::string("expected ") + unionName + " (an object with one variant) but found " + typeName(j));
  const Json *value = nullptr;
  std::string key;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it->is_null())
      continue;
    if (value)
      fail(std::string(unionName) + " has more than one variant: " + quote(key) + " and " + quote(it.key()));
    key = it.key();
    value = &*it;
  }
  if (!value) {
    // `as_none: null` would read as empty; accept the one key when there is exactly one.
    if (j.size() == 1)
      return {j.begin().key(), &*j.begin()};
    fail(std::string(unionName) + " has no variant");
  }
  return {key, value};
}

} // namespace thunder::pt2::json
