//===- ONNXOpTable.cpp - ONNX op_type to converter -----------------------===//
#include "ONNXOpTable.h"

#include <algorithm>

namespace thunder::onnximport {

const ONNXOpTable &ONNXOpTable::get() {
  static const ONNXOpTable table = [] {
    ONNXOpTable t;
    registerElementwiseOps(t);
    registerReductionOps(t);
    registerShapeOps(t);
    registerIndexingOps(t);
    registerLinearAlgebraOps(t);
    registerNeuralNetOps(t);
    registerLossOps(t);
    registerAttentionOps(t);
    registerResizeOps(t);
    registerWindowOps(t);
    registerEinsumOps(t);
    registerQuantizationOps(t);
    registerGridSampleOps(t);
    registerControlFlowOps(t);
    registerRecurrentOps(t);
    registerSpectralOps(t);
    return t;
  }();
  return table;
}

void ONNXOpTable::add(llvm::StringRef opType, ConvertFn fn, int64_t minOpset) {
  entries[opType] = {fn, minOpset};
}

const ONNXOpEntry *ONNXOpTable::lookup(llvm::StringRef opType) const {
  auto it = entries.find(opType);
  return it == entries.end() ? nullptr : &it->second;
}

std::vector<std::string> ONNXOpTable::opTypes() const {
  std::vector<std::string> out;
  for (const auto &e : entries)
    out.push_back(e.getKey().str());
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace thunder::onnximport
