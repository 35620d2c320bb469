//===- ThunderOps.h - thunder dialect operations ----------------*- C++ -*-===//
#ifndef THUNDER_DIALECT_THUNDER_THUNDEROPS_H
#define THUNDER_DIALECT_THUNDER_THUNDEROPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"

#include "thunder/Dialect/Thunder/ThunderEnums.h.inc"
#define GET_ATTRDEF_CLASSES
#include "thunder/Dialect/Thunder/ThunderAttrs.h.inc"
#define GET_OP_CLASSES
#include "thunder/Dialect/Thunder/ThunderOps.h.inc"

#endif
