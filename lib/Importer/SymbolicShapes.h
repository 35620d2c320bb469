//===- SymbolicShapes.h - symbolic sizes as index values --------*- C++ -*-===//
//
// Each symbol of the program (`s31`) is bound to a `tensor.dim` of the first
// user input dimension whose size is exactly that symbol; an expression
// (`2*s31 + 1`, `FloorDiv(s31, 2)`) becomes `arith` ops on `index` values.
// Everything is created on demand and cached, so asking twice for one
// expression gives one value.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_IMPORTER_SYMBOLICSHAPES_H
#define THUNDER_LIB_IMPORTER_SYMBOLICSHAPES_H

#include "thunder/PT2/Graph.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/StringMap.h"

#include <map>
#include <string>

namespace thunder::importer {

class SymbolicShapes {
public:
  /// `entry` is the function's entry block: symbol dims are created at its
  /// start, so they dominate every use.
  explicit SymbolicShapes(mlir::Block *entry) : entry(entry) {}

  /// Binds `symbol` to dimension `dim` of block argument `arg` unless it is
  /// bound already (the first input wins).
  void bindSymbol(llvm::StringRef symbol, mlir::BlockArgument arg, int64_t dim);
  bool isBound(llvm::StringRef symbol) const { return symbols.count(symbol); }

  /// Records that dim `dim` of input `arg` is exactly `symbol` (whichever input
  /// the symbol is bound to).
  void noteArgumentDim(mlir::BlockArgument arg, int64_t dim, llvm::StringRef symbol);
  /// The canonical index value of an input dim that is a symbol, or null.
  mlir::Value argumentDim(mlir::BlockArgument arg, int64_t dim);

  /// The index value of an expression, built at the builder's insertion
  /// point. Emits an error at `loc` and fails for an unbound symbol or an
  /// expression that is not integer arithmetic.
  mlir::FailureOr<mlir::Value> materialize(const pt2::SymExpr &expr,
                                           mlir::OpBuilder &b, mlir::Location loc);

  /// A size of a TensorMeta: an index attribute when constant, else a value.
  mlir::FailureOr<mlir::OpFoldResult> size(const pt2::SymInt &sym,
                                           mlir::OpBuilder &b, mlir::Location loc);

private:
  mlir::FailureOr<mlir::Value> build(const pt2::SymExpr &expr, mlir::OpBuilder &b,
                                     mlir::Location loc);

  mlir::Block *entry;
  struct Binding {
    mlir::BlockArgument arg;
    int64_t dim;
    mlir::Value value; // the tensor.dim, once created
  };
  llvm::StringMap<Binding> symbols;
  std::map<std::pair<void *, int64_t>, std::string> argumentSymbols;
  /// Expressions materialised so far, by their printed form.
  std::map<std::string, mlir::Value> cache;
};

} // namespace thunder::importer

#endif
