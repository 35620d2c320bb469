//===- Importer.cpp - .pt2 archive to the thunder dialect -----------------===//
//
// Builds `func.func @forward` (docs/dialect.md, docs/importer.md): arguments
// for parameters, buffers, tensor constants and user inputs (in that order,
// each group in signature order), results for user outputs then mutated
// buffers, `thunder.symbols` from the range constraints; the weights go to a
// WeightStore. The node walk is GraphImporter's.
//
//===----------------------------------------------------------------------===//
#include "thunder/Importer/Importer.h"

#include "DTypes.h"
#include "GraphImporter.h"
#include "OpTable.h"
#include "SymbolicShapes.h"

#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/PT2/Archive.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <algorithm>
#include <map>

using namespace mlir;

namespace thunder {

void registerImporterDialects(DialectRegistry &registry) {
  registry.insert<ThunderDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect>();
}

namespace {

using importer::GraphImporter;
using importer::SymbolicShapes;

/// `thunder.dims`: the sizes with symbols and expressions as strings; null
/// when every size is constant.
ArrayAttr dimsAttr(Builder &b, const pt2::TensorMeta &meta) {
  bool symbolic = llvm::any_of(meta.sizes, [](const pt2::SymInt &s) {
    return !s.asConstant().has_value();
  });
  if (!symbolic)
    return nullptr;
  SmallVector<Attribute> dims;
  for (const pt2::SymInt &s : meta.sizes) {
    if (auto c = s.asConstant())
      dims.push_back(b.getI64IntegerAttr(*c));
    else if (s.expr && s.expr->isSymbol())
      dims.push_back(b.getStringAttr(s.expr->name));
    else
      dims.push_back(b.getStringAttr(s.expr ? s.expr->toString() : s.exprText));
  }
  return b.getArrayAttr(dims);
}

class ProgramImporter {
public:
  ProgramImporter(MLIRContext &context, StringRef path, const ImportOptions &options)
      : context(context), builder(&context), path(path.str()),
        fileLoc(FileLineColLoc::get(&context, path, 0, 0)), options(options) {}

  FailureOr<ImportResult> run();
  FailureOr<ImportResult> run(const pt2::Archive &archive);

private:
  InFlightDiagnostic error() { return emitError(fileLoc); }
  LogicalResult importProgram(const pt2::Archive &archive, ModuleOp module,
                              WeightStore &weights);

  MLIRContext &context;
  OpBuilder builder;
  std::string path;
  Location fileLoc;
  const ImportOptions &options;
};

FailureOr<ImportResult> ProgramImporter::run() {
  pt2::ReadOptions readOptions;
  if (!options.modelName.empty())
    readOptions.model = options.modelName;
  readOptions.allowMissingPayloads = options.allowMissingWeights;
  pt2::Expected<pt2::Archive> archive = pt2::readArchive(path, readOptions);
  if (!archive) {
    // The reader's messages start with the path, which the handler prints.
    StringRef message = archive.error().message;
    if (message.starts_with(path))
      message = message.drop_front(path.size()).ltrim(": ");
    return error() << message;
  }
  return run(*archive);
}

FailureOr<ImportResult> ProgramImporter::run(const pt2::Archive &archive) {
  context.loadDialect<ThunderDialect, func::FuncDialect, arith::ArithDialect,
                      tensor::TensorDialect>();
  ImportResult result;
  result.module = ModuleOp::create(fileLoc);
  if (failed(importProgram(archive, *result.module, result.weights)) ||
      failed(finishImportedModule(*result.module)))
    return failure();
  return result;
}

LogicalResult ProgramImporter::importProgram(const pt2::Archive &archive,
                                             ModuleOp module,
                                             WeightStore &weights) {
  const pt2::ExportedProgram &program = archive.program;
  const pt2::Graph &graph = program.graph;
  const pt2::GraphSignature &sig = program.signature;
  if (sig.inputs.size() != graph.inputs.size() ||
      sig.outputs.size() != graph.outputs.size())
    return error() << "the graph signature does not match the graph's inputs "
                      "and outputs";

  // Symbols and their ranges.
  SmallVector<NamedAttribute> symbols;
  for (const auto &[name, range] : program.rangeConstraints)
    symbols.push_back(builder.getNamedAttr(
        name, builder.getArrayAttr(
                  {builder.getI64IntegerAttr(range.minVal.value_or(0)),
                   builder.getI64IntegerAttr(range.maxVal.value_or(-1))})));
  module->setAttr("thunder.symbols", builder.getDictionaryAttr(symbols));

  // Arguments: parameters, buffers, constants, user inputs.
  struct ArgInfo {
    size_t graphInput;
    const pt2::InputSpec *spec;
    const char *kind;
    std::string name;
    RankedTensorType type;
    const pt2::TensorMeta *meta;
  };
  std::vector<ArgInfo> groups[4];
  // Tied parameters (GPT-2's lm_head.weight and wte.weight) are one storage
  // under two names: they become one argument, named by the first, so that
  // backward sums the gradients of both uses as PyTorch does.
  std::map<size_t, size_t> tiedTo; // graph input -> the first one's graph input
  std::map<std::string, std::pair<size_t, std::string>> parameterStorage;
  std::map<std::string, std::vector<std::string>> tiedNames;
  for (auto [i, spec] : llvm::enumerate(sig.inputs)) {
    int group;
    const char *kind;
    std::string name;
    switch (spec.kind) {
    case pt2::InputKind::Parameter:
      group = 0, kind = "param", name = spec.target;
      break;
    case pt2::InputKind::Buffer:
      group = 1, kind = "buffer", name = spec.target;
      break;
    case pt2::InputKind::TensorConstant:
      group = 2, kind = "constant", name = spec.target;
      break;
    case pt2::InputKind::UserInput:
      if (spec.arg.kind() != pt2::ArgKind::Tensor) {
        if (spec.arg.kind() == pt2::ArgKind::None ||
            spec.arg.kind() == pt2::ArgKind::Int ||
            spec.arg.kind() == pt2::ArgKind::Float ||
            spec.arg.kind() == pt2::ArgKind::Bool ||
            spec.arg.kind() == pt2::ArgKind::String)
          continue; // a constant baked into the graph
        return error() << "user input " << i << " ('" << spec.name << "') is "
                       << spec.arg.toString()
                       << "; only tensor inputs are supported";
      }
      group = 3, kind = "input", name = spec.name;
      break;
    case pt2::InputKind::ConstantInput:
      continue;
    case pt2::InputKind::CustomObj:
      return error() << "input '" << spec.name
                     << "' is a TorchBind custom object, which is not supported";
    case pt2::InputKind::Token:
      return error() << "input '" << spec.name
                     << "' is an effect token; programs with side effects are "
                        "not supported";
    }
    const pt2::TensorMeta *meta = graph.findTensorMeta(spec.name);
    if (!meta)
      return error() << "graph input '" << spec.name << "' has no tensor metadata";
    if (spec.kind == pt2::InputKind::Parameter)
      if (const pt2::TensorPayload *payload = archive.findPayload(spec)) {
        std::string storage = payload->pathName + "@" +
                              std::to_string(reinterpret_cast<uintptr_t>(payload->data())) +
                              ":" + payload->meta.toString();
        auto [it, first] = parameterStorage.try_emplace(storage, i, name);
        if (!first) {
          tiedTo[i] = it->second.first;
          tiedNames[it->second.second].push_back(name);
          continue;
        }
      }
    groups[group].push_back({i, &spec, kind, name, nullptr, meta});
  }

  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  std::vector<ArgInfo *> order;
  for (auto &group : groups)
    for (ArgInfo &info : group) {
      FailureOr<RankedTensorType> type = importer::tensorTypeFor(
          *info.meta, fileLoc,
          (info.spec->kind == pt2::InputKind::UserInput ? "input '"
                                                        : "weight '") +
              info.name + "'");
      if (failed(type))
        return failure();
      info.type = *type;
      argTypes.push_back(*type);
      SmallVector<NamedAttribute> attrs = {
          builder.getNamedAttr("thunder.kind", builder.getStringAttr(info.kind)),
          builder.getNamedAttr("thunder.name", builder.getStringAttr(info.name))};
      if (info.spec->kind == pt2::InputKind::Buffer)
        attrs.push_back(builder.getNamedAttr(
            "thunder.persistent", builder.getBoolAttr(info.spec->persistent)));
      if (auto tied = tiedNames.find(info.name); tied != tiedNames.end()) {
        SmallVector<Attribute> names;
        for (const std::string &n : tied->second)
          names.push_back(builder.getStringAttr(n));
        attrs.push_back(builder.getNamedAttr("thunder.tied", builder.getArrayAttr(names)));
      }
      if (ArrayAttr dims = dimsAttr(builder, *info.meta))
        attrs.push_back(builder.getNamedAttr("thunder.dims", dims));
      argAttrs.push_back(builder.getDictionaryAttr(attrs));
      order.push_back(&info);

      // The weights.
      if (info.spec->kind == pt2::InputKind::UserInput)
        continue;
      const pt2::TensorPayload *payload = archive.findPayload(*info.spec);
      bool stripped = !payload || payload->dataMissing;
      if (stripped && options.allowMissingWeights)
        continue; // saved without payloads: the weights come at run time
      if (!payload)
        return error() << "the archive has no data for " << info.kind << " '"
                       << info.name << "'";
      if (!payload->hasData() && payload->byteSize() != 0)
        return error() << "the data of " << info.kind << " '" << info.name
                       << "' was not loaded";
      if (payload->shape != std::vector<int64_t>(type->getShape().begin(), type->getShape().end()) ||
          payload->dtype() != info.meta->dtype)
        return error() << "the stored data of " << info.kind << " '"
                       << info.name << "' (" << payload->meta.toString()
                       << ") does not match the graph's "
                       << info.meta->toString();
      const uint8_t *data = payload->data();
      weights.bytes[info.name] =
          data ? std::vector<uint8_t>(data, data + payload->byteSize())
               : std::vector<uint8_t>();
    }

  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "forward",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, attrs] : llvm::enumerate(argAttrs))
    func.setArgAttrs(i, attrs);
  builder.setInsertionPointToEnd(entry);

  SymbolicShapes shapes(entry);
  GraphImporter importer(builder, shapes);
  std::map<std::string, std::string> bufferNames;
  SmallVector<Value> graphInputs(graph.inputs.size());
  for (auto [i, info] : llvm::enumerate(order)) {
    BlockArgument arg = entry->getArgument(i);
    graphInputs[info->graphInput] = arg;
    if (info->spec->kind == pt2::InputKind::Buffer)
      bufferNames[info->spec->name] = info->name;
    if (info->spec->kind != pt2::InputKind::UserInput)
      continue;
    for (auto [d, size] : llvm::enumerate(info->meta->sizes))
      if (size.expr && size.expr->isSymbol()) {
        shapes.bindSymbol(size.expr->name, arg, d);
        shapes.noteArgumentDim(arg, d, size.expr->name);
      }
  }
  for (auto [tied, first] : tiedTo)
    graphInputs[tied] = graphInputs[first];
  importer.setBufferNames(bufferNames);

  FailureOr<SmallVector<Value>> outputs = importer.importGraph(graph, graphInputs);
  if (failed(outputs))
    return failure();

  // Results: user outputs, then buffer mutations.
  struct ResultInfo {
    Value value;
    const char *kind;
    std::string name;
    const pt2::TensorMeta *meta;
  };
  std::vector<ResultInfo> userResults, bufferResults;
  for (auto [j, spec] : llvm::enumerate(sig.outputs)) {
    Value v = (*outputs)[j];
    switch (spec.kind) {
    case pt2::OutputKind::UserOutput:
    case pt2::OutputKind::LossOutput:
      if (!v)
        return error() << "output " << j << " is " << spec.arg.toString()
                       << "; only tensor outputs are supported";
      userResults.push_back(
          {v, "output", spec.name, graph.findTensorMeta(spec.name)});
      break;
    case pt2::OutputKind::BufferMutation:
      if (!v)
        return error() << "buffer mutation " << j << " is not a tensor";
      bufferResults.push_back(
          {v, "mutated_buffer", spec.target, graph.findTensorMeta(spec.name)});
      break;
    case pt2::OutputKind::UserInputMutation:
      return error() << "the program writes to its input '" << spec.target
                     << "' in place, which is not supported";
    case pt2::OutputKind::ParameterMutation:
      return error() << "the program writes to parameter '" << spec.target
                     << "' in place, which is not supported";
    case pt2::OutputKind::GradientToParameter:
    case pt2::OutputKind::GradientToUserInput:
      return error() << "joint forward-backward graphs are not supported "
                        "(output " << j << " is a gradient); export the "
                                          "forward and use --backward";
    case pt2::OutputKind::Token:
      return error() << "programs with effect tokens are not supported";
    }
  }
  // Buffers written in place by the (non-functional) training IR: not in the
  // signature, but their new values must reach the caller all the same. They
  // follow in the order of the buffer arguments.
  for (const ArgInfo *info : order) {
    if (info->spec->kind != pt2::InputKind::Buffer)
      continue;
    const auto &writes = importer.inPlaceBufferWrites();
    auto it = llvm::find_if(writes, [&](const auto &w) { return w.first == info->name; });
    if (it == writes.end())
      continue;
    bool listed = llvm::any_of(
        bufferResults, [&](const ResultInfo &r) { return r.name == info->name; });
    if (!listed)
      bufferResults.push_back({it->second, "mutated_buffer", info->name, info->meta});
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  SmallVector<DictionaryAttr> resultAttrs;
  for (const auto *list : {&userResults, &bufferResults})
    for (const ResultInfo &r : *list) {
      results.push_back(r.value);
      resultTypes.push_back(r.value.getType());
      SmallVector<NamedAttribute> attrs = {
          builder.getNamedAttr("thunder.kind", builder.getStringAttr(r.kind)),
          builder.getNamedAttr("thunder.name", builder.getStringAttr(r.name))};
      if (r.meta)
        if (ArrayAttr dims = dimsAttr(builder, *r.meta))
          attrs.push_back(builder.getNamedAttr("thunder.dims", dims));
      resultAttrs.push_back(builder.getDictionaryAttr(attrs));
    }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, attrs] : llvm::enumerate(resultAttrs))
    func.setResultAttrs(i, attrs);
  return success();
}

} // namespace

std::vector<std::string> supportedOperators() {
  std::vector<std::string> ops = importer::OpTable::get().targets();
  // The subgraph wrappers the importer inlines.
  for (const char *hop : {"higher_order.wrap_with_set_grad_enabled",
                          "higher_order.wrap_with_autocast", "higher_order.autocast"})
    ops.push_back(hop);
  std::sort(ops.begin(), ops.end());
  return ops;
}

FailureOr<ImportResult> importPT2(MLIRContext &context, StringRef path,
                                  const ImportOptions &options) {
  return ProgramImporter(context, path, options).run();
}

FailureOr<ImportResult> importArchive(MLIRContext &context,
                                      const pt2::Archive &archive,
                                      StringRef name,
                                      const ImportOptions &options) {
  return ProgramImporter(context, name, options).run(archive);
}

LogicalResult finishImportedModule(ModuleOp module) {
  if (failed(mlir::verify(module)))
    return failure();
  PassManager pm(module.getContext());
  pm.addNestedPass<func::FuncOp>(createCSEPass());
  return pm.run(module);
}

} // namespace thunder
