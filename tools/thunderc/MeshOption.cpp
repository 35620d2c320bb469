//===- MeshOption.cpp - thunderc --mesh=dp:N[,tp:M] -----------------------===//
#include "MeshOption.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

namespace thunderc {

MeshParse parseMesh(const std::string &text) {
  MeshParse out;
  auto fail = [&](const std::string &why) {
    out.axes.clear();
    out.error = "--mesh=" + text + ": " + why;
    return out;
  };
  if (text.empty())
    return fail("empty; expected AXIS:SIZE[,AXIS:SIZE], e.g. dp:2 or dp:2,tp:2");
  for (llvm::StringRef item : llvm::split(llvm::StringRef(text), ',')) {
    auto [axis, size] = item.trim().split(':');
    if (axis != "dp" && axis != "tp")
      return fail("axis '" + axis.str() + "' is not one of dp (data parallel), tp (tensor parallel)");
    for (const auto &seen : out.axes)
      if (seen.first == axis)
        return fail("axis '" + axis.str() + "' is given twice");
    int64_t n = 0;
    if (size.getAsInteger(10, n) || n < 1)
      return fail("the size of axis '" + axis.str() + "' must be a positive integer, not '" +
                  size.str() + "'");
    out.axes.emplace_back(axis.str(), n);
  }
  return out;
}

} // namespace thunderc
