//===- ONNXOpTable.h - ONNX op_type to converter ----------------*- C++ -*-===//
//
// Every node's op_type (default domain) is looked up here; each op family
// registers its converters in its own file (ElementwiseOps.cpp, ...), so
// adding an op is one function and one table row.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_ONNX_ONNXOPTABLE_H
#define THUNDER_LIB_ONNX_ONNXOPTABLE_H

#include "ONNXNode.h"

#include "llvm/ADT/StringMap.h"

#include <string>
#include <vector>

namespace thunder::onnximport {

struct ONNXOpEntry {
  ConvertFn convert = nullptr;
  /// The oldest opset whose semantics of the op the converter implements
  /// (a model importing an older one is refused at that node).
  int64_t minOpset = kOldestOpset;
};

class ONNXOpTable {
public:
  /// The table with every family registered (built once, thread-safe).
  static const ONNXOpTable &get();
  void add(llvm::StringRef opType, ConvertFn fn, int64_t minOpset = kOldestOpset);
  /// nullptr when the op_type is not converted.
  const ONNXOpEntry *lookup(llvm::StringRef opType) const;
  /// Every op_type, sorted.
  std::vector<std::string> opTypes() const;

private:
  llvm::StringMap<ONNXOpEntry> entries;
};

// One registration function per family.
void registerElementwiseOps(ONNXOpTable &table);
void registerReductionOps(ONNXOpTable &table);
void registerShapeOps(ONNXOpTable &table);
void registerIndexingOps(ONNXOpTable &table);
void registerLinearAlgebraOps(ONNXOpTable &table);
void registerNeuralNetOps(ONNXOpTable &table);
void registerLossOps(ONNXOpTable &table);
void registerAttentionOps(ONNXOpTable &table);
void registerResizeOps(ONNXOpTable &table);
void registerWindowOps(ONNXOpTable &table);
void registerEinsumOps(ONNXOpTable &table);
void registerQuantizationOps(ONNXOpTable &table);
void registerGridSampleOps(ONNXOpTable &table);
void registerControlFlowOps(ONNXOpTable &table);
void registerRecurrentOps(ONNXOpTable &table);
void registerSpectralOps(ONNXOpTable &table);

} // namespace thunder::onnximport

#endif
