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

class ONNXOpTable {
public:
  /// The table with every family registered (built once, thread-safe).
  static const ONNXOpTable &get();
  void add(llvm::StringRef opType, ConvertFn fn);
  /// nullptr when the op_type is not converted.
  ConvertFn lookup(llvm::StringRef opType) const;
  /// Every op_type, sorted.
  std::vector<std::string> opTypes() const;

private:
  llvm::StringMap<ConvertFn> entries;
};

// One registration function per family.
void registerElementwiseOps(ONNXOpTable &table);
void registerReductionOps(ONNXOpTable &table);
void registerShapeOps(ONNXOpTable &table);
void registerIndexingOps(ONNXOpTable &table);
void registerLinearAlgebraOps(ONNXOpTable &table);
void registerNeuralNetOps(ONNXOpTable &table);

} // namespace thunder::onnximport

#endif
