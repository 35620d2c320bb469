//===- Translate.cpp - the LLVM dialect to an LLVM module with the ABI ----===//
#include "thunder/Target/Host/HostCode.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"

namespace thunder::target {
namespace {

bool isThunderAttr(mlir::NamedAttribute a) { return a.getName().getValue().starts_with("thunder."); }

/// Drops the thunder.* attributes (ABI descriptions, memory plan statistics):
/// the LLVM IR translation would warn about them.
void stripThunderAttributes(mlir::ModuleOp module) {
  module->walk([](mlir::Operation *op) {
    llvm::SmallVector<mlir::StringAttr> names;
    for (mlir::NamedAttribute a : op->getDiscardableAttrs())
      if (isThunderAttr(a))
        names.push_back(a.getName());
    for (mlir::StringAttr n : names)
      op->removeDiscardableAttr(n);
    auto fn = llvm::dyn_cast<mlir::FunctionOpInterface>(op);
    if (!fn)
      return;
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
      for (mlir::NamedAttribute a : fn.getArgAttrs(i))
        if (isThunderAttr(a))
          fn.removeArgAttr(i, a.getName());
    for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i)
      for (mlir::NamedAttribute a : fn.getResultAttrs(i))
        if (isThunderAttr(a))
          fn.removeResultAttr(i, a.getName());
  });
}

} // namespace

llvm::Expected<std::unique_ptr<llvm::Module>>
translateHostModule(mlir::ModuleOp module, llvm::LLVMContext &llvmContext, const ModelDesc &model,
                    llvm::ArrayRef<uint8_t> weights, std::optional<uint64_t> weightsElsewhere) {
  mlir::DialectRegistry registry;
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  stripThunderAttributes(module);
  std::unique_ptr<llvm::Module> m =
      mlir::translateModuleToLLVMIR(module, llvmContext, model.name);
  if (!m)
    return llvm::createStringError("the translation to LLVM IR failed");
  for (const EntryDesc &e : model.entries)
    if (llvm::Error err = addEntryPoint(*m, entrySymbol(e.name), "_mlir_ciface_" + e.function,
                                        static_cast<unsigned>(e.args.size())))
      return std::move(err);
  if (m->getNamedValue("thunder_model_meta") || m->getNamedValue("thunder_model_weights"))
    return llvm::createStringError("the lowered module already defines thunder_model_* symbols");
  addModelData(*m, renderMetaJSON(model), weights, weightsElsewhere);
  // Outlined kernels (thunder-outline-kernels) stay functions of their own.
  for (llvm::Function &fn : *m)
    if (fn.getName().starts_with("thunder_kernel_") && !fn.isDeclaration())
      fn.addFnAttr(llvm::Attribute::NoInline);
  internalizeAllBut(*m, exportedSymbols(model));
  return m;
}

} // namespace thunder::target
