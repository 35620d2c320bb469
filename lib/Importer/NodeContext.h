//===- NodeContext.h - what an op converter sees -----------------*- C++ -*-===//
//
// A converter (one per ATen overload, registered in the OpTable by its family
// file) gets a NodeContext: the node's arguments bound to the op schema with
// defaults filled in, typed accessors that look tensors and symbolic ints up
// by name, the output TensorMetas (the source of truth for result types), an
// Emitter at the node's location, and `bind` for its results.
//
// Argument accessors never crash: on a missing or mistyped argument they emit
// one error naming the argument and return a placeholder; converters read
// their arguments first and return `ctx.check()` (failure when any accessor
// failed) before they build anything.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_IMPORTER_NODECONTEXT_H
#define THUNDER_LIB_IMPORTER_NODECONTEXT_H

#include "Emitter.h"

#include "thunder/PT2/Graph.h"
#include "thunder/PT2/OpSchema.h"

#include "mlir/IR/Diagnostics.h"

#include <cstdio>
#include <optional>
#include <string>

namespace thunder::importer {

class GraphImporter;

/// A number for a message, as Python prints it ("0.1", "1e-05").
inline std::string formatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

/// A Python number argument (`Scalar`, `int`, `float`, `bool`, SymInt).
struct Scalar {
  enum class Kind { Bool, Int, Float, SymInt } kind = Kind::Int;
  int64_t i = 0;   // Bool, Int
  double f = 0.0;  // Float
  mlir::Value sym; // SymInt: an index value

  static Scalar ofInt(int64_t v) { return {Kind::Int, v, 0.0, {}}; }
  static Scalar ofFloat(double v) { return {Kind::Float, 0, v, {}}; }
  static Scalar ofBool(bool v) { return {Kind::Bool, v ? 1 : 0, 0.0, {}}; }
  bool isFloat() const { return kind == Kind::Float; }
  bool isStatic() const { return kind != Kind::SymInt; }
  double asDouble() const { return kind == Kind::Float ? f : static_cast<double>(i); }
};

/// An elementwise operand: a tensor, or a Python number (a "wrapped number"
/// for type promotion).
struct Operand {
  mlir::Value tensor; // null for a number
  Scalar number;
  bool isTensor() const { return static_cast<bool>(tensor); }
};

/// Which dims a dim argument may name on a tensor of rank r.
enum class DimRange {
  Wrapped,  ///< -r..r-1; a scalar takes -1 and 0, as 0 (PyTorch's wrapping)
  Existing, ///< -r..r-1; none of a scalar (the op works along an actual dim)
  Inserted, ///< -r-1..r: where a new dim goes (unsqueeze, stack), as 0..r
};

class NodeContext {
public:
  /// `args`: (schema name, value) in schema order, defaults filled in.
  NodeContext(GraphImporter &importer, const pt2::Node &node,
              std::vector<std::pair<std::string, pt2::Argument>> args,
              mlir::OpBuilder &builder, mlir::Location loc);

  const pt2::Node &node() const { return node_; }
  /// The target without `torch.ops.`: "aten.add.Tensor".
  llvm::StringRef target() const;
  Emitter &emit() { return emitter; }
  mlir::OpBuilder &builder() { return emitter.b; }
  mlir::Location loc() const { return emitter.loc; }
  mlir::MLIRContext *context() const { return emitter.context(); }

  /// An error at the node (the diagnostic handler adds node and source line).
  mlir::InFlightDiagnostic error();
  /// Failure when an accessor reported an error.
  mlir::LogicalResult check() const { return mlir::failure(failed_); }

  //===--- Arguments (by schema name) --------------------------------------===//
  /// The argument, or nullptr when the schema has no such argument.
  const pt2::Argument *get(llvm::StringRef name) const;
  /// Absent or None.
  bool isNone(llvm::StringRef name) const;
  mlir::Value tensor(llvm::StringRef name);
  std::optional<mlir::Value> optionalTensor(llvm::StringRef name);
  llvm::SmallVector<mlir::Value> tensorList(llvm::StringRef name);
  llvm::SmallVector<std::optional<mlir::Value>> optionalTensorList(llvm::StringRef name);
  /// The TensorMeta of a tensor argument (its recorded sizes and strides).
  const pt2::TensorMeta *argumentMeta(llvm::StringRef name) const;
  /// A tensor or a number (tensor-typed arguments may hold numbers).
  Operand operand(llvm::StringRef name);
  int64_t integer(llvm::StringRef name);
  std::optional<int64_t> optionalInteger(llvm::StringRef name);
  llvm::SmallVector<int64_t> integers(llvm::StringRef name);
  std::optional<llvm::SmallVector<int64_t>> optionalIntegers(llvm::StringRef name);
  /// SymInt[] / int[]: constants as attributes, symbols as index values.
  Sizes symInts(llvm::StringRef name);
  double real(llvm::StringRef name);
  std::optional<double> optionalReal(llvm::StringRef name);
  std::optional<llvm::SmallVector<double>> optionalReals(llvm::StringRef name);
  bool boolean(llvm::StringRef name);
  std::optional<bool> optionalBoolean(llvm::StringRef name);
  Scalar scalar(llvm::StringRef name);
  std::optional<Scalar> optionalScalar(llvm::StringRef name);
  std::string string(llvm::StringRef name);
  std::optional<std::string> optionalString(llvm::StringRef name);
  /// A `ScalarType?` argument as an element type (error for unsupported dtypes).
  std::optional<mlir::Type> dtype(llvm::StringRef name);
  /// A Value for an Operand: the tensor converted to `type`, or the number as
  /// a rank-0 constant of `type`.
  mlir::Value materialize(const Operand &op, mlir::Type type);
  /// torch.result_type of the operands.
  mlir::Type resultType(llvm::ArrayRef<Operand> operands);

  //===--- Dims (from the archive) -----------------------------------------===//
  /// Dim `dim` of argument `argName` for a tensor of rank `rank`, counted from
  /// 0 (negative dims count from the end). Out of `range`: one error naming
  /// the dim, the rank and the argument ("dim 7 is out of range for a tensor
  /// of rank 2 (argument 'dim' takes -2..1)"), and failure, also for `check()`.
  mlir::FailureOr<int64_t> dim(int64_t dim, int64_t rank,
                               DimRange range = DimRange::Wrapped,
                               llvm::StringRef argName = "dim");
  /// The common head of ops that work along one dim: tensor argument "self"
  /// and its checked dim from the int argument "dim" (`defaultDim` when that
  /// argument is optional and absent). Also fails for earlier accessor errors.
  struct TensorAlongDim {
    mlir::Value x;
    int64_t dim;
  };
  mlir::FailureOr<TensorAlongDim> selfAlongDim(std::optional<int64_t> defaultDim = std::nullopt);
  /// `dim` for each of a list; with `distinct`, an error also for a dim
  /// named twice.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  dims(llvm::ArrayRef<int64_t> dims, int64_t rank, DimRange range = DimRange::Wrapped,
       llvm::StringRef argName = "dims", bool distinct = true);

  //===--- Results ---------------------------------------------------------===//
  /// Output slots: each tensor of the node's outputs (lists flattened).
  size_t numResults() const { return outputs.size(); }
  const pt2::TensorMeta *resultMeta(size_t i = 0) const;
  /// The result type from the TensorMeta.
  mlir::RankedTensorType resultType(size_t i = 0);
  mlir::Type resultElementType(size_t i = 0) { return resultType(i).getElementType(); }
  /// The result's sizes from the TensorMeta (symbolic ones computed).
  Sizes resultSizes(size_t i = 0);
  /// Whether a later node or the graph output uses result `i`.
  bool resultUsed(size_t i = 0) const;
  /// Sets result `i`; its type must be the TensorMeta's (up to static vs
  /// dynamic extents, which get a tensor.cast).
  mlir::LogicalResult bind(size_t i, mlir::Value value);
  mlir::LogicalResult bind(mlir::Value value) { return bind(0, value); }
  /// Binds result 0 to `values` and, where the node has a second result,
  /// result 1 to `indices` (sort, topk, max.dim, cummax and friends).
  mlir::LogicalResult bindValuesIndices(mlir::Value values, mlir::Value indices);
  /// A selection along a dim of a 0-d tensor: the value itself, index 0.
  mlir::LogicalResult bindScalarSelection(mlir::Value x);
  /// Sets a symbolic-int result (for sym_size and friends).
  mlir::LogicalResult bindSymInt(size_t i, mlir::Value index);
  /// Records that the op also writes `value` into the tensor passed as
  /// argument `name` (batch_norm's running stats): later uses of that tensor
  /// see `value`, and a written buffer becomes a `mutated_buffer` result.
  mlir::LogicalResult writeArgument(llvm::StringRef name, mlir::Value value);

  /// Converts `value` to the result's element type and binds it.
  mlir::LogicalResult bindConverted(size_t i, mlir::Value value);

  struct Slot {
    std::string name; // empty for `as_none`
    bool symbolic = false;
    bool bound = false;
  };
  llvm::ArrayRef<Slot> slots() const { return outputs; }

private:
  const pt2::Argument *require(llvm::StringRef name);
  void fail(const llvm::Twine &message);
  mlir::Value lookupTensor(const std::string &name);
  std::optional<Scalar> toScalar(const pt2::Argument &arg);
  std::optional<int64_t> toInteger(const pt2::Argument &arg);

  GraphImporter &importer;
  const pt2::Node &node_;
  std::vector<std::pair<std::string, pt2::Argument>> args;
  Emitter emitter;
  llvm::SmallVector<Slot> outputs;
  bool failed_ = false;
};

} // namespace thunder::importer

#endif
