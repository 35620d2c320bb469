//===- OpTable.cpp - node targets to converters ---------------------------===//
#include "OpTable.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>

namespace thunder::importer {

namespace {
llvm::StringRef stripPrefix(llvm::StringRef target) {
  target.consume_front("torch.ops.");
  return target;
}
} // namespace

const OpTable &OpTable::get() {
  static const OpTable table = [] {
    OpTable t;
    registerElementwiseOps(t);
    registerActivationOps(t);
    registerReductionOps(t);
    registerDataMovementOps(t);
    registerIndexingOps(t);
    registerCreationOps(t);
    registerLinearAlgebraOps(t);
    registerConvolutionOps(t);
    registerPoolingOps(t);
    registerNormalizationOps(t);
    registerAttentionOps(t);
    registerLossOps(t);
    registerSortOps(t);
    registerResizeOps(t);
    registerRandomOps(t);
    registerSymbolicOps(t);
    registerMiscOps(t);
    registerBackwardOps(t);
    registerExpertOps(t);
    return t;
  }();
  return table;
}

void OpTable::add(llvm::StringRef target, ConvertFn fn) {
  entries[stripPrefix(target)] = OpEntry{fn, "", ""};
}

void OpTable::refuse(llvm::StringRef target, llvm::StringRef reason) {
  entries[stripPrefix(target)] = OpEntry{nullptr, reason.str(), ""};
}

void OpTable::addInPlace(llvm::StringRef target, ConvertFn fn,
                         llvm::StringRef mutated) {
  entries[stripPrefix(target)] = OpEntry{fn, "", mutated.str()};
}

void OpTable::addWithInPlace(llvm::StringRef name, llvm::StringRef overload,
                             ConvertFn fn) {
  add((llvm::Twine("aten.") + name + "." + overload).str(), fn);
  addInPlace((llvm::Twine("aten.") + name + "_." + overload).str(), fn);
}

const OpEntry *OpTable::lookup(llvm::StringRef target) const {
  auto it = entries.find(stripPrefix(target));
  return it == entries.end() ? nullptr : &it->second;
}

std::vector<std::string> OpTable::targets() const {
  std::vector<std::string> out;
  for (const auto &entry : entries)
    if (entry.getValue().convert)
      out.push_back(entry.getKey().str());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, const OpEntry *>>
OpTable::entriesByTarget() const {
  std::vector<std::pair<std::string, const OpEntry *>> out;
  for (const auto &entry : entries)
    out.emplace_back(entry.getKey().str(), &entry.getValue());
  std::sort(out.begin(), out.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  return out;
}

} // namespace thunder::importer
