//===- Passes.h - code generation passes shared by the targets --*- C++ -*-===//
//
// See Passes.td for what each pass does, docs/codegen.md for where it runs.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_PASSES_H
#define THUNDER_TARGET_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace thunder::target {

#define GEN_PASS_DECL
#include "thunder/Target/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "thunder/Target/Passes.h.inc"

} // namespace thunder::target

#endif
