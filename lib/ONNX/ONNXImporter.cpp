//===- ONNXImporter.cpp - ONNX ModelProto to the thunder dialect ----------===//
//
// Builds the same `func.func @forward` as the .pt2 importer (docs/dialect.md):
// floating-point initializers are parameters (the model's weights), other
// initializers constants, graph inputs that no initializer names are user
// inputs with dim_params as dynamic dims (`thunder.symbols`, `thunder.dims`),
// graph outputs are the results. Initializers become arguments on first use
// as a tensor: one read only as a shape or an axis list costs nothing at run
// time. Nodes are converted in order (ONNX graphs are topologically sorted)
// through the op table; each error names the node, its op_type and the
// producer of the model.
//
//===----------------------------------------------------------------------===//
#include "thunder/ONNX/ONNXImporter.h"

#include "HostFolding.h"
#include "ModelReader.h"
#include "ONNXNode.h"
#include "ONNXOpTable.h"
#include "SymbolicShapes.h"

#include "thunder/Dialect/Thunder/ThunderDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <map>

using namespace mlir;

namespace thunder {
namespace {

using namespace onnximport;

/// Non-float initializers up to this many elements are folded into the IR as
/// thunder.constant (shape vectors, indices, scalars) rather than arguments.
constexpr int64_t kMaxInlineElements = 1024;

/// A dim_param as a symbol name: kept when it is an identifier.
std::string symbolName(StringRef dimParam, size_t index) {
  bool identifier = !dimParam.empty() && !llvm::isDigit(dimParam.front()) &&
                    llvm::all_of(dimParam, [](char c) { return llvm::isAlnum(c) || c == '_'; });
  return identifier ? dimParam.str() : "d" + std::to_string(index);
}

class GraphImporter final : public ValueScope {
public:
  GraphImporter(MLIRContext &context, StringRef name, StringRef externalDir,
                const ImportOptions &options)
      : context(context), builder(&context), externalDir(externalDir.str()),
        fileLoc(FileLineColLoc::get(&context, name, 0, 0)), options(options) {}

  FailureOr<ImportResult> run(StringRef bytes);

  // ValueScope.
  Value lookup(StringRef name, Location loc) override;
  const TensorData *constant(StringRef name) override;
  void define(StringRef name, Value value) override { values[name.str()] = value; }
  void defineConstant(StringRef name, TensorData data) override {
    values.erase(name.str());
    formats[name.str()] = data.format;
    constants[name.str()] = std::move(data);
  }
  IntegerFormat format(StringRef name) override {
    if (auto it = formats.find(name.str()); it != formats.end())
      return it->second;
    if (auto it = constants.find(name.str()); it != constants.end())
      return it->second.format;
    if (auto it = initializers.find(name.str()); it != initializers.end())
      return integerFormatFor(it->second->data_type()); // without reading it
    return {};
  }
  void setFormat(StringRef name, IntegerFormat format) override {
    formats[name.str()] = format;
  }

private:
  LogicalResult importGraph(const onnx::GraphProto &graph, ModuleOp module);
  LogicalResult declareInputs(const onnx::GraphProto &graph, SmallVector<Type> &types,
                              SmallVector<DictionaryAttr> &attrs,
                              std::vector<std::vector<std::string>> &dimSymbols);
  LogicalResult importNode(const onnx::NodeProto &node, size_t index);
  LogicalResult importNodes(const onnx::GraphProto &graph) override {
    for (auto [i, node] : llvm::enumerate(graph.node()))
      if (failed(importNode(node, i)))
        return failure();
    return success();
  }
  /// `thunder.dtype` for an argument or result stored in another type.
  void addABIDType(SmallVectorImpl<NamedAttribute> &attrs, IntegerFormat format) {
    if (format)
      attrs.push_back(builder.getNamedAttr("thunder.dtype", builder.getStringAttr(format.abiName())));
  }
  /// The format of output 0 when the converter left it to the default: that
  /// of input 0 when both have one element type (Add of uint8 is uint8).
  void inheritFormat(ONNXNode &n);
  /// The initializer `name` as a new parameter or constant argument.
  Value materializeInitializer(const onnx::TensorProto &tensor, Location loc);

  MLIRContext &context;
  OpBuilder builder;
  std::string externalDir;
  Location fileLoc;
  const ImportOptions &options;
  onnx::ModelProto model;
  int64_t opset = 0;

  func::FuncOp func;
  importer::SymbolicShapes *shapes = nullptr;
  WeightStore weights;
  std::map<std::string, Value> values;
  std::map<std::string, TensorData> constants;
  std::map<std::string, IntegerFormat> formats;
  std::map<std::string, const onnx::TensorProto *> initializers;
  /// Arguments inserted so far before the user inputs: params, then constants.
  unsigned numParams = 0, numConstants = 0;
  bool initializerFailed = false;
};

Value GraphImporter::lookup(StringRef name, Location loc) {
  if (auto it = values.find(name.str()); it != values.end())
    return it->second;
  OpBuilder::InsertionGuard guard(builder);
  if (auto it = constants.find(name.str()); it != constants.end()) {
    builder.setInsertionPointToStart(&func.getBody().front());
    Value v = ConstantOp::create(builder, fileLoc, it->second.toAttr()).getResult();
    values[name.str()] = v;
    return v;
  }
  if (auto it = initializers.find(name.str()); it != initializers.end()) {
    Value v = materializeInitializer(*it->second, loc);
    if (v)
      values[name.str()] = v;
    return v;
  }
  emitError(loc) << "value '" << name
                 << "' is not defined before its use (neither a graph input, an "
                    "initializer, nor the output of an earlier node)";
  return nullptr;
}

const TensorData *GraphImporter::constant(StringRef name) {
  if (auto it = constants.find(name.str()); it != constants.end())
    return &it->second;
  auto init = initializers.find(name.str());
  if (init == initializers.end() || initializerFailed)
    return nullptr;
  FailureOr<TensorData> data = readTensor(*init->second, externalDir, &context, fileLoc,
                                          "initializer '" + name + "'");
  if (failed(data)) {
    initializerFailed = true;
    return nullptr;
  }
  return &(constants[name.str()] = std::move(*data));
}

Value GraphImporter::materializeInitializer(const onnx::TensorProto &tensor, Location loc) {
  const TensorData *data = constant(tensor.name());
  if (!data)
    return nullptr;
  bool isFloat = isa<FloatType>(data->elementType);
  if (!isFloat && data->numElements() <= kMaxInlineElements) {
    builder.setInsertionPointToStart(&func.getBody().front());
    return ConstantOp::create(builder, fileLoc, data->toAttr()).getResult();
  }
  const char *kind = isFloat ? "param" : "constant";
  unsigned index = isFloat ? numParams++ : numParams + numConstants++;
  auto type = RankedTensorType::get(data->shape, data->elementType);
  SmallVector<NamedAttribute> a = {
      builder.getNamedAttr("thunder.kind", builder.getStringAttr(kind)),
      builder.getNamedAttr("thunder.name", builder.getStringAttr(tensor.name()))};
  addABIDType(a, data->format);
  auto attrs = builder.getDictionaryAttr(a);
  if (failed(func.insertArgument(index, type, attrs, fileLoc)))
    return emitError(loc) << "cannot add the argument of initializer '" << tensor.name() << "'",
           nullptr;
  weights.bytes[tensor.name()] = data->bytes;
  return func.getArgument(index);
}

LogicalResult GraphImporter::declareInputs(const onnx::GraphProto &graph,
                                           SmallVector<Type> &types,
                                           SmallVector<DictionaryAttr> &attrs,
                                           std::vector<std::vector<std::string>> &dimSymbols) {
  std::map<std::string, bool> symbols;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue; // an initializer's default: a weight, not a user input
    std::string what = "graph input '" + input.name() + "'";
    if (!input.type().has_tensor_type())
      return emitError(fileLoc) << what << " is not a tensor (sequences, maps and "
                                           "optionals are not supported)";
    const onnx::TypeProto::Tensor &t = input.type().tensor_type();
    FailureOr<Type> elementType = elementTypeFor(&context, t.elem_type(), fileLoc, what);
    if (failed(elementType))
      return failure();
    if (!t.has_shape())
      return emitError(fileLoc) << what << " has no shape; thunderc needs the rank of "
                                           "every input";
    SmallVector<int64_t> shape;
    SmallVector<Attribute> dims;
    std::vector<std::string> inputSymbols;
    bool dynamic = false;
    for (const onnx::TensorShapeProto::Dimension &d : t.shape().dim()) {
      if (d.has_dim_value()) {
        if (d.dim_value() < 0)
          return emitError(fileLoc) << what << " has the negative dim " << d.dim_value();
        shape.push_back(d.dim_value());
        dims.push_back(builder.getI64IntegerAttr(d.dim_value()));
        inputSymbols.emplace_back();
        continue;
      }
      // A dim_param (or an anonymous dim: a symbol of its own).
      std::string name = d.has_dim_param() ? symbolName(d.dim_param(), symbols.size())
                                           : "d" + std::to_string(symbols.size());
      symbols[name] = true;
      shape.push_back(ShapedType::kDynamic);
      dims.push_back(builder.getStringAttr(name));
      inputSymbols.push_back(name);
      dynamic = true;
    }
    types.push_back(RankedTensorType::get(shape, *elementType));
    SmallVector<NamedAttribute> a = {
        builder.getNamedAttr("thunder.kind", builder.getStringAttr("input")),
        builder.getNamedAttr("thunder.name", builder.getStringAttr(input.name()))};
    if (dynamic)
      a.push_back(builder.getNamedAttr("thunder.dims", builder.getArrayAttr(dims)));
    IntegerFormat format = integerFormatFor(t.elem_type());
    addABIDType(a, format);
    formats[input.name()] = format;
    attrs.push_back(builder.getDictionaryAttr(a));
    dimSymbols.push_back(std::move(inputSymbols));
  }
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node, size_t index) {
  std::string nodeName =
      node.name().empty() ? node.op_type() + "#" + std::to_string(index) : node.name();
  Location loc = NameLoc::get(builder.getStringAttr(nodeName), fileLoc);
  // Every error at the node says who wrote the model.
  ScopedDiagnosticHandler producerNote(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error && diag.getNotes().empty() &&
        !model.producer_name().empty())
      diag.attachNote(fileLoc) << "the model was written by " << model.producer_name()
                               << (model.producer_version().empty() ? "" : " ")
                               << model.producer_version() << " (ONNX IR version "
                               << model.ir_version() << ", opset " << opset << ")";
    return failure(); // reported by the enclosing handler, now with the note
  });
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return emitError(loc) << "operator '" << node.op_type() << "' of domain '"
                          << node.domain()
                          << "' is not supported (only the default ONNX domain is)";
  const ONNXOpEntry *entry = ONNXOpTable::get().lookup(node.op_type());
  if (!entry)
    return emitError(loc) << "ONNX operator '" << node.op_type() << "' (opset " << opset
                          << ") is not supported";
  if (opset < entry->minOpset)
    return emitError(loc) << "ONNX operator '" << node.op_type() << "' of opset " << opset
                          << " is not supported: thunderc implements its semantics of opset "
                          << entry->minOpset
                          << " and later (convert the model with onnx.version_converter)";
  importer::Emitter emitter(builder, loc, shapes);
  ONNXNode n(node, *this, emitter, opset, externalDir);
  FailureOr<bool> folded = foldOnHost(n);
  if (failed(folded))
    return failure();
  if (!*folded && (failed(entry->convert(n)) || failed(n.check())))
    return failure();
  if (!*folded)
    inheritFormat(n);
  for (size_t i = 0; i < n.numOutputs(); ++i)
    if (n.hasOutput(i) && !values.count(node.output(int(i))) &&
        !constants.count(node.output(int(i))))
      return emitError(loc) << node.op_type() << ": output " << i << " ('"
                            << node.output(int(i)) << "') is not supported";
  return success();
}

void GraphImporter::inheritFormat(ONNXNode &n) {
  // Ops whose first output is an int64 index or size, whatever their input.
  static const llvm::StringSet<> kIndexResults = {"Shape", "Size", "ArgMax", "ArgMin", "NonZero"};
  if (n.formatBound(0) || !n.hasOutput(0) || !n.hasInput(0) || kIndexResults.contains(n.opType()))
    return;
  IntegerFormat format = n.inputFormat(0);
  auto out = values.find(n.proto.output(0));
  auto in = values.find(n.proto.input(0));
  if (format && out != values.end() && in != values.end() &&
      Emitter::elementTypeOf(out->second) == Emitter::elementTypeOf(in->second))
    formats[n.proto.output(0)] = format;
}

LogicalResult GraphImporter::importGraph(const onnx::GraphProto &graph, ModuleOp module) {
  for (const onnx::TensorProto &init : graph.initializer())
    initializers[init.name()] = &init;
  if (graph.sparse_initializer_size() > 0)
    return emitError(fileLoc) << "sparse initializers are not supported";

  SmallVector<Type> inputTypes;
  SmallVector<DictionaryAttr> inputAttrs;
  std::vector<std::vector<std::string>> dimSymbols;
  if (failed(declareInputs(graph, inputTypes, inputAttrs, dimSymbols)))
    return failure();

  SmallVector<NamedAttribute> symbolRanges;
  for (const auto &dims : dimSymbols)
    for (const std::string &s : dims)
      if (!s.empty() && llvm::none_of(symbolRanges, [&](const NamedAttribute &a) {
            return a.getName() == s;
          }))
        symbolRanges.push_back(builder.getNamedAttr(
            s, builder.getArrayAttr({builder.getI64IntegerAttr(0),
                                     builder.getI64IntegerAttr(-1)})));
  module->setAttr("thunder.symbols", builder.getDictionaryAttr(symbolRanges));

  builder.setInsertionPointToEnd(module.getBody());
  func = func::FuncOp::create(builder, fileLoc, "forward",
                              builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, attrs] : llvm::enumerate(inputAttrs))
    func.setArgAttrs(i, attrs);
  builder.setInsertionPointToEnd(entry);
  importer::SymbolicShapes symbolic(entry);
  shapes = &symbolic;

  size_t userIndex = 0;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue;
    BlockArgument arg = entry->getArgument(unsigned(userIndex));
    values[input.name()] = arg;
    for (auto [d, s] : llvm::enumerate(dimSymbols[userIndex]))
      if (!s.empty()) {
        symbolic.bindSymbol(s, arg, int64_t(d));
        symbolic.noteArgumentDim(arg, int64_t(d), s);
      }
    ++userIndex;
  }

  if (failed(importNodes(graph)))
    return failure();

  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value v = lookup(output.name(), fileLoc);
    if (!v)
      return failure();
    results.push_back(v);
    SmallVector<NamedAttribute> a = {
        builder.getNamedAttr("thunder.kind", builder.getStringAttr("output")),
        builder.getNamedAttr("thunder.name", builder.getStringAttr(output.name()))};
    addABIDType(a, format(output.name()));
    resultAttrs.push_back(builder.getDictionaryAttr(a));
  }
  if (results.empty())
    return emitError(fileLoc) << "the graph has no outputs";
  builder.setInsertionPointToEnd(entry);
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(entry->getArgumentTypes(), ValueRange(results).getTypes()));
  for (auto [i, attrs] : llvm::enumerate(resultAttrs))
    func.setResultAttrs(unsigned(i), attrs);
  return success();
}

FailureOr<ImportResult> GraphImporter::run(StringRef bytes) {
  context.loadDialect<ThunderDialect, func::FuncDialect, arith::ArithDialect,
                      tensor::TensorDialect>();
  if (failed(parseModel(bytes, model, fileLoc)))
    return failure();
  for (const onnx::OperatorSetIdProto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  ImportResult result;
  result.module = ModuleOp::create(fileLoc);
  if (failed(importGraph(model.graph(), *result.module)) ||
      failed(finishImportedModule(*result.module)))
    return failure();
  result.weights = std::move(weights);
  return result;
}

} // namespace

bool looksLikeONNX(StringRef path) {
  if (llvm::sys::path::extension(path) == ".onnx")
    return true;
  auto file = llvm::MemoryBuffer::getFileSlice(path, 2, 0);
  if (!file)
    return false;
  StringRef head = (*file)->getBuffer();
  return head.size() == 2 && head != "PK" && head[0] == 0x08; // field 1, varint
}

FailureOr<ImportResult> importONNXBytes(MLIRContext &context, StringRef bytes, StringRef name,
                                        StringRef externalDataDir,
                                        const ImportOptions &options) {
  return GraphImporter(context, name, externalDataDir, options).run(bytes);
}

FailureOr<ImportResult> importONNX(MLIRContext &context, StringRef path,
                                   const ImportOptions &options) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return emitError(FileLineColLoc::get(&context, path, 0, 0))
           << "cannot read the model: " << file.getError().message();
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  if (dir.empty())
    dir = ".";
  return importONNXBytes(context, (*file)->getBuffer(), path, dir, options);
}

std::vector<std::pair<std::string, int64_t>> supportedONNXOperators() {
  std::vector<std::pair<std::string, int64_t>> out;
  const onnximport::ONNXOpTable &table = onnximport::ONNXOpTable::get();
  for (const std::string &opType : table.opTypes())
    out.emplace_back(opType, table.lookup(opType)->minOpset);
  return out;
}

} // namespace thunder
