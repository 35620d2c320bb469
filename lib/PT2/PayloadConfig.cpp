//===- PayloadConfig.cpp - data/*/<M>_*_config.json -----------------------===//
#include "PayloadConfig.h"

#include "JsonText.h"
#include "SchemaDecoder.h"

namespace thunder::pt2 {

Expected<std::vector<PayloadEntry>> parsePayloadConfig(std::string_view text, const ReadLimits &limits,
                                                       const std::string &where) {
  Expected<nlohmann::json> document = parseJsonText(text, limits);
  if (!document)
    return makeError(where + ": " + document.error().message);
  using namespace json;
  try {
    const Json *config = optionalMember(*document, "config");
    std::vector<PayloadEntry> entries;
    if (!config)
      return entries;
    const Json &object = atPath("config", [&]() -> const Json & { return expectObject(*config, "a map"); });
    for (auto it = object.begin(); it != object.end(); ++it) {
      const Json &value = it.value();
      PayloadEntry entry = atPath("config", [&] {
        return atPath(keySegment(it.key()), [&] {
          PayloadEntry e;
          e.fqn = it.key();
          e.pathName = member(value, "path_name", asString);
          e.isParam = memberOr(value, "is_param", false, asBool);
          e.usePickle = memberOr(value, "use_pickle", false, asBool);
          if (const Json *meta = optionalMember(value, "tensor_meta"))
            e.meta = atPath("tensor_meta", [&] { return decodeTensorMeta(*meta, limits); });
          return e;
        });
      });
      entries.push_back(std::move(entry));
    }
    return entries;
  } catch (const DecodeError &e) {
    return makeError(where + ": " + e.render());
  }
}

} // namespace thunder::pt2
