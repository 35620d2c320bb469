//===- ThunderDialect.h - the thunder tensor dialect ------------*- C++ -*-===//
#ifndef THUNDER_DIALECT_THUNDER_THUNDERDIALECT_H
#define THUNDER_DIALECT_THUNDER_THUNDERDIALECT_H

#include "mlir/IR/Dialect.h"

#include "thunder/Dialect/Thunder/ThunderDialect.h.inc"

#endif
