//===- ONNXNode.h - what an ONNX op converter sees --------------*- C++ -*-===//
//
// One NodeProto under conversion: its inputs as thunder values (initializers
// become weight arguments on first use), inputs whose value is known at
// compile time (initializers, Constant outputs: shapes, axes, pads), typed
// attribute accessors with ONNX's defaults, checked axes, the Emitter shared
// with the .pt2 importer, and `bind` for the outputs. Accessors never crash:
// a missing or mistyped input or attribute emits one error naming it and
// returns a placeholder; converters read everything, then `check()`.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_LIB_ONNX_ONNXNODE_H
#define THUNDER_LIB_ONNX_ONNXNODE_H

#include "Emitter.h"
#include "ModelReader.h"

#include "mlir/IR/Diagnostics.h"

#include <optional>
#include <string>

namespace thunder::onnximport {

using importer::Emitter;

/// The graph's values by name, owned by the graph importer (ONNXImporter.cpp).
class ValueScope {
public:
  virtual ~ValueScope() = default;
  /// The value named `name`, materialising an initializer or a constant;
  /// null with an error emitted when there is none.
  virtual mlir::Value lookup(llvm::StringRef name, mlir::Location loc) = 0;
  /// The compile-time contents of `name`, or null when it is only known at
  /// run time.
  virtual const TensorData *constant(llvm::StringRef name) = 0;
  virtual void define(llvm::StringRef name, mlir::Value value) = 0;
  virtual void defineConstant(llvm::StringRef name, TensorData data) = 0;
  /// How `name` is stored when its ONNX dtype is an unsigned or sub-byte
  /// integer (IntegerFormat); empty for the others.
  virtual IntegerFormat format(llvm::StringRef name) = 0;
  virtual void setFormat(llvm::StringRef name, IntegerFormat format) = 0;
  /// Imports a subgraph's nodes into this scope (an If branch chosen at
  /// compile time): they see the enclosing values and define theirs here.
  virtual mlir::LogicalResult importNodes(const onnx::GraphProto &graph) = 0;
};

class ONNXNode {
public:
  ONNXNode(const onnx::NodeProto &proto, ValueScope &scope, Emitter &emitter,
           int64_t opset, llvm::StringRef externalDir);

  const onnx::NodeProto &proto;
  llvm::StringRef opType() const { return proto.op_type(); }
  /// The default domain's opset the model imports.
  int64_t opset() const { return opsetVersion; }
  Emitter &emit() { return emitter; }
  mlir::MLIRContext *context() const { return emitter.context(); }

  //===--- Diagnostics -----------------------------------------------------===//
  /// An error at the node, "<op_type>: " first; marks the node failed.
  mlir::InFlightDiagnostic error();
  /// Failure once any accessor or error() reported a problem.
  mlir::LogicalResult check() const { return mlir::failure(failed); }

  //===--- Inputs ----------------------------------------------------------===//
  size_t numInputs() const { return size_t(proto.input_size()); }
  /// Present: listed and not the empty name ONNX uses for "omitted".
  bool hasInput(size_t i) const;
  mlir::Value input(size_t i);
  std::optional<mlir::Value> optionalInput(size_t i);
  /// How input `i` is stored when it is an unsigned or sub-byte integer.
  IntegerFormat inputFormat(size_t i);
  /// Every input, in order (variadic ops: Concat, Sum, Max, ...).
  llvm::SmallVector<mlir::Value> allInputs();
  /// Input `i`'s value when known at compile time; an error saying it must be
  /// a constant when it is not (`what` names the operand).
  const TensorData *constantInput(size_t i, llvm::StringRef what);
  /// Input `i`'s compile-time value when it has one; null (no error) else.
  const TensorData *constantOrNull(size_t i);
  /// Its elements as integers / doubles; nullopt when absent (no error).
  std::optional<llvm::SmallVector<int64_t>> optionalInts(size_t i, llvm::StringRef what);
  std::optional<double> optionalScalar(size_t i, llvm::StringRef what);
  /// A list that opset 13 (or 18) moved from an attribute to input `i`
  /// (axes, split): the attribute when the node has it, else the input.
  std::optional<llvm::SmallVector<int64_t>> intsOperand(size_t i, llvm::StringRef name);

  //===--- Attributes ------------------------------------------------------===//
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return attr(name) != nullptr; }
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue);
  double floatAttr(llvm::StringRef name, double defaultValue);
  std::string stringAttr(llvm::StringRef name, llvm::StringRef defaultValue);
  llvm::SmallVector<int64_t> intsAttr(llvm::StringRef name,
                                      llvm::ArrayRef<int64_t> defaultValue = {});
  llvm::SmallVector<double> floatsAttr(llvm::StringRef name);
  /// A TENSOR attribute's contents (Constant's `value`, ConstantOfShape's).
  std::optional<TensorData> tensorAttr(llvm::StringRef name);

  //===--- Axes ------------------------------------------------------------===//
  /// `axis` in [-rank, rank) made non-negative; an error otherwise.
  int64_t axis(int64_t axis, int64_t rank, llvm::StringRef what = "axis");
  llvm::SmallVector<int64_t> axes(llvm::ArrayRef<int64_t> axes, int64_t rank);
  /// axis, axis + 1, ..., rank - 1 (the normalized axes of LayerNorm and kin).
  static llvm::SmallVector<int64_t> trailingAxes(int64_t axis, int64_t rank);

  //===--- Operand checks --------------------------------------------------===//
  // The Emitter's builders take operands the .pt2 importer has validated
  // against the archive's shapes; ONNX operands are checked here first.
  /// The static extents of `values` broadcast together (NumPy rules), else
  /// an error naming their types.
  mlir::LogicalResult checkBroadcast(llvm::ArrayRef<mlir::Value> values);
  /// numpy.matmul's operands: rank >= 1, equal contraction extents,
  /// broadcastable batch dims.
  mlir::LogicalResult checkMatmul(mlir::Value a, mlir::Value b);

  //===--- Outputs ---------------------------------------------------------===//
  size_t numOutputs() const { return size_t(proto.output_size()); }
  /// Whether output `i` is wanted (listed and named).
  bool hasOutput(size_t i) const;
  mlir::LogicalResult bind(size_t i, mlir::Value v);
  mlir::LogicalResult bind(mlir::Value v) { return bind(0, v); }
  /// Binds an output whose ONNX dtype the converter decided (Cast, QuantizeLinear):
  /// stored as `format` says. Without it, output 0 of the same element type as
  /// input 0 takes input 0's format (Add of uint8 is uint8).
  mlir::LogicalResult bind(size_t i, mlir::Value v, IntegerFormat format);
  bool formatBound(size_t i) const { return i < boundFormats.size() && boundFormats[i]; }
  /// A compile-time result (shape arithmetic): bound as a constant, so later
  /// nodes can read it as one.
  mlir::LogicalResult bindConstant(size_t i, TensorData data);

  //===--- Subgraphs -------------------------------------------------------===//
  /// Imports `graph`'s nodes in place (ValueScope::importNodes) and binds its
  /// outputs, in order, as this node's (constants stay constants).
  mlir::LogicalResult inlineGraph(const onnx::GraphProto &graph);

private:
  /// The attribute when present and of `type`; an error when of another.
  const onnx::AttributeProto *typedAttr(llvm::StringRef name,
                                        onnx::AttributeProto::AttributeType type);
  /// A placeholder after an error, so converters can go on to check().
  mlir::Value placeholder();

  ValueScope &scope;
  Emitter &emitter;
  int64_t opsetVersion;
  std::string externalDir;
  bool failed = false;
  llvm::SmallVector<bool> boundFormats;
};

using ConvertFn = mlir::LogicalResult (*)(ONNXNode &);

} // namespace thunder::onnximport

#endif
