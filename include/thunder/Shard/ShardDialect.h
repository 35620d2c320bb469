//===- ShardDialect.h - the thunder_shard dialect ---------------*- C++ -*-===//
#ifndef THUNDER_SHARD_SHARDDIALECT_H
#define THUNDER_SHARD_SHARDDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "thunder/Shard/ShardDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "thunder/Shard/ShardAttrs.h.inc"

#endif
