//===- OpSchemaRegistry.cpp - Lookup of ATen operator schemas -------------===//
#include "thunder/PT2/OpSchema.h"

#include "Text.h"

namespace thunder::pt2 {

namespace {
// data/aten_schemas.txt, embedded at build time (EmbedFile.cmake).
const unsigned char kAtenSchemasBytes[] = {
#include "AtenSchemas.inc"
};
std::string_view atenSchemasText() {
  return std::string_view(reinterpret_cast<const char *>(kAtenSchemasBytes), sizeof kAtenSchemasBytes);
}

std::string schemaKey(std::string_view ns, std::string_view op, std::string_view overload) {
  std::string key = std::string(ns) + "::" + std::string(op);
  if (!overload.empty() && overload != "default")
    key += "." + std::string(overload);
  return key;
}
} // namespace

std::optional<std::string> schemaNameForTarget(std::string_view target) {
  size_t colons = target.find("::");
  if (colons != std::string_view::npos) {
    std::string_view ns = target.substr(0, colons);
    std::string_view rest = target.substr(colons + 2);
    size_t dot = rest.find('.');
    std::string_view op = rest.substr(0, dot);
    std::string_view overload = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    if (ns.empty() || op.empty() || overload.find('.') != std::string_view::npos)
      return std::nullopt;
    return schemaKey(ns, op, overload);
  }
  constexpr std::string_view kTorchOps = "torch.ops.";
  if (target.substr(0, kTorchOps.size()) == kTorchOps)
    target.remove_prefix(kTorchOps.size());
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = target.find('.', start);
    parts.push_back(target.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos)
      break;
    start = dot + 1;
  }
  if ((parts.size() != 2 && parts.size() != 3) || parts[0].empty() || parts[1].empty())
    return std::nullopt;
  return schemaKey(parts[0], parts[1], parts.size() == 3 ? parts[2] : std::string_view());
}

Expected<OpSchemaRegistry> OpSchemaRegistry::parse(std::string_view text) {
  OpSchemaRegistry registry;
  size_t lineNumber = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++lineNumber;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#')
      continue;
    Expected<OpSchema> schema = parseOpSchema(line);
    if (!schema)
      return makeError("line " + std::to_string(lineNumber) + ": " + schema.error().message);
    std::string key = schema->qualifiedName();
    if (registry.byQualifiedName_.count(key))
      continue; // the first definition wins
    registry.byQualifiedName_.emplace(std::move(key), registry.schemas_.size());
    registry.schemas_.push_back(schema.take());
  }
  return registry;
}

const OpSchemaRegistry &OpSchemaRegistry::builtin() {
  static const OpSchemaRegistry registry = [] {
    Expected<OpSchemaRegistry> parsed = parse(atenSchemasText());
    // The embedded text is checked by the unit tests; an empty registry is the safe fallback.
    return parsed ? parsed.take() : OpSchemaRegistry();
  }();
  return registry;
}

const OpSchema *OpSchemaRegistry::lookup(std::string_view opName) const {
  std::optional<std::string> key = schemaNameForTarget(opName);
  if (!key)
    return nullptr;
  auto it = byQualifiedName_.find(*key);
  return it == byQualifiedName_.end() ? nullptr : &schemas_[it->second];
}

} // namespace thunder::pt2
