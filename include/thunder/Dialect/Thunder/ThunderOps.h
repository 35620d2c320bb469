//===- ThunderOps.h - thunder dialect operations ----------------*- C++ -*-===//
#ifndef THUNDER_DIALECT_THUNDER_THUNDEROPS_H
#define THUNDER_DIALECT_THUNDER_THUNDEROPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"

#include "thunder/Dialect/Thunder/ThunderEnums.h.inc"
#define GET_ATTRDEF_CLASSES
#include "thunder/Dialect/Thunder/ThunderAttrs.h.inc"
#define GET_OP_CLASSES
#include "thunder/Dialect/Thunder/ThunderOps.h.inc"

#include <optional>

namespace thunder {
/// The extent of a window op's result along one dimension (convolution,
/// pooling): `in` dilated by `lhsDilation`, padded, then windows of `kernel`
/// dilated by `dilation` every `stride` elements. Dynamic when `in` or `kernel`
/// is; nullopt when a stride or dilation is < 1 or the extent overflows int64.
std::optional<int64_t> windowedExtent(int64_t in, int64_t lowPad, int64_t highPad,
                                      int64_t kernel, int64_t stride,
                                      int64_t dilation, int64_t lhsDilation = 1);
} // namespace thunder

#endif
