//===- ListOps.cpp - thunderc --list-ops ----------------------------------===//
//
// Prints what the compiler supports, read from the real tables (the importer's
// OpTable, the thunder dialect's registered ops and the VJP interfaces the
// autodiff library attaches), for scripts/gen_status.py and docs/status.md:
//
//   thunderc --list-ops
//     import TARGET [converter=N] [in-place=ARG] [no-tensor-result]
//                              a node target the importer converts; targets
//                              with the same N share one converter function
//     refuse TARGET: REASON    a node target it rejects with that error
//     onnx OP_TYPE since=N     an ONNX op_type the ONNX importer converts, for
//                              models of opset N and later
//     op NAME GRADIENT         a thunder op; GRADIENT: vjp, no-gradient or none
//   thunderc --list-ops MODEL.pt2
//     node TARGET COUNT FLAGS OPS... [foreign: OPS...]
//       FLAGS: differentiable, floating-input, tensor-input (comma separated;
//       '-' for none), OPS: the ops the importer made of its nodes, FOREIGN:
//       the non-thunder ones among them with a floating tensor result
//
//===----------------------------------------------------------------------===//
#include "ListOps.h"

#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Importer/Importer.h"
#include "thunder/Importer/OpCoverage.h"
#include "thunder/ONNX/ONNXImporter.h"
#ifdef THUNDERC_HAVE_AUTODIFF
#include "thunder/Autodiff/VJPInterfaces.h"
#endif

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>

using namespace mlir;

namespace thunderc {

int listOps(llvm::raw_ostream &os) {
  os << "# thunderc --list-ops: the importer's op table and the gradients of "
        "the thunder ops\n";
  std::vector<thunder::OpTableEntry> table = thunder::opTableEntries();
  std::map<std::string, const thunder::OpTableEntry *> byTarget;
  for (const thunder::OpTableEntry &entry : table)
    byTarget[entry.target] = &entry;
  for (const std::string &target : thunder::supportedOperators()) {
    os << "import " << target;
    auto it = byTarget.find(target);
    if (it != byTarget.end()) {
      const thunder::OpTableEntry &entry = *it->second;
      os << " converter=" << entry.converter;
      if (!entry.mutatedArgument.empty())
        os << " in-place=" << entry.mutatedArgument;
      if (entry.returnsTensor == false)
        os << " no-tensor-result";
    }
    os << "\n";
  }
  for (const thunder::OpTableEntry &entry : table)
    if (entry.converter == 0)
      os << "refuse " << entry.target << ": " << entry.refusal << "\n";
  for (const auto &[opType, since] : thunder::supportedONNXOperators())
    os << "onnx " << opType << " since=" << since << "\n";

  DialectRegistry registry;
  registry.insert<thunder::ThunderDialect>();
#ifdef THUNDERC_HAVE_AUTODIFF
  thunder::autodiff::registerVJPExternalModels(registry);
#endif
  MLIRContext context(registry);
  context.loadDialect<thunder::ThunderDialect>();
  std::vector<std::pair<std::string, const char *>> ops;
  for (RegisteredOperationName name : context.getRegisteredOperations()) {
    if (name.getDialectNamespace() != thunder::ThunderDialect::getDialectNamespace())
      continue;
    const char *gradient = "unknown"; // built without the autodiff library
#ifdef THUNDERC_HAVE_AUTODIFF
    if (name.hasInterface<thunder::autodiff::VJPOpInterface>())
      gradient = "vjp";
    else if (name.hasInterface<thunder::autodiff::NoGradientOpInterface>())
      gradient = "no-gradient";
    else
      gradient = "none";
#endif
    ops.emplace_back(name.getStringRef().str(), gradient);
  }
  std::sort(ops.begin(), ops.end());
  for (const auto &[name, gradient] : ops)
    os << "op " << name << " " << gradient << "\n";
  return 0;
}

int listModelOps(MLIRContext &context, llvm::StringRef path, llvm::raw_ostream &os) {
  FailureOr<std::vector<thunder::NodeLowering>> nodes =
      thunder::describeNodeLowerings(context, path);
  if (failed(nodes))
    return 1;
  for (const thunder::NodeLowering &node : *nodes) {
    std::string flags;
    for (auto [set, flag] : {std::pair{node.differentiable, "differentiable"},
                             std::pair{node.floatingInput, "floating-input"},
                             std::pair{node.tensorInput, "tensor-input"}})
      if (set)
        flags += (flags.empty() ? "" : ",") + std::string(flag);
    os << "node " << node.target << " " << node.count << " "
       << (flags.empty() ? "-" : flags);
    for (const std::string &op : node.ops)
      os << " " << op;
    if (!node.floatingForeignOps.empty()) {
      os << " foreign:";
      for (const std::string &op : node.floatingForeignOps)
        os << " " << op;
    }
    os << "\n";
  }
  return 0;
}

} // namespace thunderc
