//===- HostCode.cpp - entry points, model data, LLVM optimisation, objects ===//
#include "thunder/Target/Host/HostCode.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

namespace thunder::target {

std::string entrySymbol(llvm::StringRef entryName) { return ("thunder_entry_" + entryName).str(); }

llvm::Error addEntryPoint(llvm::Module &m, llvm::StringRef symbol, llvm::StringRef cifaceName,
                          unsigned numArgs) {
  llvm::Function *ciface = m.getFunction(cifaceName);
  if (!ciface)
    return llvm::createStringError("the lowered module has no function '%s'",
                                   cifaceName.str().c_str());
  if (m.getNamedValue(symbol))
    return llvm::createStringError("the symbol '%s' is already defined", symbol.str().c_str());
  llvm::FunctionType *calleeType = ciface->getFunctionType();
  unsigned numParams = calleeType->getNumParams();
  bool resultPointer = numParams == numArgs + 1;
  if (numParams != numArgs && !resultPointer)
    return llvm::createStringError("'%s' takes %u parameters for %u arguments",
                                   cifaceName.str().c_str(), numParams, numArgs);
  for (llvm::Type *t : calleeType->params())
    if (!t->isPointerTy())
      return llvm::createStringError("'%s' takes a non-pointer parameter: entry points take "
                                     "tensors only",
                                     cifaceName.str().c_str());
  if (resultPointer && !calleeType->getReturnType()->isVoidTy())
    return llvm::createStringError("'%s' has both a result pointer and a return value",
                                   cifaceName.str().c_str());

  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *fn = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, symbol, m);
  fn->setVisibility(llvm::GlobalValue::DefaultVisibility);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Argument *args = fn->getArg(0);
  args->setName("args");
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  auto slot = [&](unsigned i) {
    llvm::Value *p = i == 0 ? static_cast<llvm::Value *>(args)
                            : b.CreateConstInBoundsGEP1_64(ptr, args, i);
    return b.CreateAlignedLoad(ptr, p, llvm::Align(8));
  };
  llvm::Value *result = slot(0);
  std::vector<llvm::Value *> operands;
  if (resultPointer)
    operands.push_back(result);
  for (unsigned i = 0; i < numArgs; ++i)
    operands.push_back(slot(i + 1));
  llvm::CallInst *call = b.CreateCall(ciface, operands);
  if (!calleeType->getReturnType()->isVoidTy())
    b.CreateStore(call, result);
  b.CreateRetVoid();
  return llvm::Error::success();
}

void addModelData(llvm::Module &m, llvm::StringRef metaJSON, llvm::ArrayRef<uint8_t> weights,
                  std::optional<uint64_t> weightsElsewhere) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *meta = llvm::ConstantDataArray::getString(ctx, metaJSON, /*AddNull=*/true);
  auto *metaVar = new llvm::GlobalVariable(m, meta->getType(), true, llvm::GlobalValue::ExternalLinkage,
                                           meta, "thunder_model_meta");
  metaVar->setAlignment(llvm::Align(1));
  uint64_t bytesOfWeights = weightsElsewhere ? *weightsElsewhere : weights.size();
  auto *size = llvm::ConstantInt::get(llvm::Type::getInt64Ty(ctx), bytesOfWeights);
  auto *sizeVar = new llvm::GlobalVariable(m, size->getType(), true, llvm::GlobalValue::ExternalLinkage,
                                           size, "thunder_model_weights_size");
  sizeVar->setAlignment(llvm::Align(8));
  if (weightsElsewhere) {
    auto *type = llvm::ArrayType::get(llvm::Type::getInt8Ty(ctx), *weightsElsewhere);
    auto *declared = new llvm::GlobalVariable(m, type, true, llvm::GlobalValue::ExternalLinkage,
                                              nullptr, "thunder_model_weights");
    declared->setAlignment(llvm::Align(kWeightAlignment));
    return;
  }
  // An empty array would be a zero-sized object; keep at least one aligned block.
  std::vector<uint8_t> padding;
  llvm::ArrayRef<uint8_t> bytes = weights;
  if (bytes.empty()) {
    padding.assign(kWeightAlignment, 0);
    bytes = padding;
  }
  auto *data = llvm::ConstantDataArray::get(ctx, bytes);
  auto *weightsVar = new llvm::GlobalVariable(m, data->getType(), true,
                                              llvm::GlobalValue::ExternalLinkage, data,
                                              "thunder_model_weights");
  weightsVar->setAlignment(llvm::Align(kWeightAlignment));
}

std::string weightsAssembly(uint64_t size, llvm::StringRef binPath) {
  std::string escaped;
  for (char c : binPath) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "  .section .rodata.thunder_model_weights,\"a\",@progbits\n"
     << "  .globl thunder_model_weights\n"
     << "  .type thunder_model_weights,@object\n"
     << "  .p2align " << llvm::Log2_64(kWeightAlignment) << "\n"
     << "thunder_model_weights:\n"
     << "  .incbin \"" << escaped << "\"\n"
     << "  .size thunder_model_weights, " << size << "\n"
     << "  .section .note.GNU-stack,\"\",@progbits\n";
  return s;
}

std::vector<std::string> exportedSymbols(const ModelDesc &model) {
  std::vector<std::string> out = {"thunder_model_meta", "thunder_model_weights",
                                  "thunder_model_weights_size"};
  for (const EntryDesc &e : model.entries)
    out.push_back(entrySymbol(e.name));
  return out;
}

void internalizeAllBut(llvm::Module &m, llvm::ArrayRef<std::string> keep) {
  auto kept = [&](llvm::StringRef name) { return llvm::is_contained(keep, name.str()); };
  for (llvm::GlobalValue &g : m.global_values()) {
    if (g.isDeclaration() || kept(g.getName()) || g.hasAppendingLinkage() ||
        g.getName().starts_with("llvm."))
      continue;
    g.setLinkage(llvm::GlobalValue::InternalLinkage);
    g.setVisibility(llvm::GlobalValue::DefaultVisibility);
  }
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createHostTargetMachine(int optLevel) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("no LLVM target for %s: %s", triple.str().c_str(), error.c_str());
  llvm::TargetOptions options;
  options.FunctionSections = true;
  options.DataSections = true;
  llvm::CodeGenOptLevel level = optLevel <= 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                : llvm::CodeGenOptLevel::Aggressive;
  const char *cpu = triple.getArch() == llvm::Triple::x86_64 ? "x86-64" : "generic";
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, "", options, llvm::Reloc::PIC_, llvm::CodeModel::Small, level));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for %s", triple.str().c_str());
  return tm;
}

void optimizeModule(llvm::Module &m, llvm::TargetMachine &tm, int optLevel) {
  m.setTargetTriple(tm.getTargetTriple());
  m.setDataLayout(tm.createDataLayout());
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  // Full unrolling of the many small static loop nests multiplies code size
  // and compile time for little gain: only at -O3.
  tuning.LoopUnrolling = optLevel >= 3;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel <= 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = optLevel <= 0 ? pb.buildO0DefaultPipeline(level)
                                              : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(m, mam);
}

llvm::Error emitObject(llvm::Module &m, llvm::TargetMachine &tm, llvm::SmallVectorImpl<char> &out) {
  m.setTargetTriple(tm.getTargetTriple());
  m.setDataLayout(tm.createDataLayout());
  std::string verifyErrors;
  llvm::raw_string_ostream verifyStream(verifyErrors);
  if (llvm::verifyModule(m, &verifyStream))
    return llvm::createStringError("invalid LLVM IR: %s", verifyErrors.c_str());
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the target cannot emit object files");
  pm.run(m);
  return llvm::Error::success();
}

} // namespace thunder::target
