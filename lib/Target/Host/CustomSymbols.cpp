//===- CustomSymbols.cpp - the user functions a model calls ---------------===//
#include "thunder/Target/Host/CustomSymbols.h"

#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>

using namespace mlir;

namespace thunder::target {
namespace {

/// The global symbols `path` defines: a shared library's dynamic ones, an
/// object's, an archive's index.
llvm::Error addDefinedSymbols(llvm::StringRef path, llvm::StringSet<> &out) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), "--link %s: %s", path.str().c_str(),
                                   buffer.getError().message().c_str());
  auto binary = llvm::object::createBinary((*buffer)->getMemBufferRef());
  if (!binary)
    return llvm::createStringError("--link %s: %s", path.str().c_str(),
                                   llvm::toString(binary.takeError()).c_str());
  if (auto *archive = llvm::dyn_cast<llvm::object::Archive>(binary->get())) {
    for (const llvm::object::Archive::Symbol &s : archive->symbols())
      out.insert(s.getName());
    return llvm::Error::success();
  }
  auto *object = llvm::dyn_cast<llvm::object::ELFObjectFileBase>(binary->get());
  if (!object)
    return llvm::createStringError("--link %s: not an ELF object, shared library or archive",
                                   path.str().c_str());
  auto add = [&](const llvm::object::SymbolRef &s) -> llvm::Error {
    llvm::Expected<uint32_t> flags = s.getFlags();
    if (!flags)
      return flags.takeError();
    if ((*flags & llvm::object::SymbolRef::SF_Undefined) ||
        !(*flags & llvm::object::SymbolRef::SF_Global))
      return llvm::Error::success();
    llvm::Expected<llvm::StringRef> name = s.getName();
    if (!name)
      return name.takeError();
    out.insert(*name);
    return llvm::Error::success();
  };
  if (object->getEType() == llvm::ELF::ET_DYN) {
    for (const llvm::object::ELFSymbolRef &s : object->getDynamicSymbolIterators())
      if (llvm::Error e = add(s))
        return e;
  } else {
    for (const llvm::object::SymbolRef &s : object->symbols())
      if (llvm::Error e = add(s))
        return e;
  }
  return llvm::Error::success();
}

} // namespace

std::vector<CustomSymbol> getCustomSymbols(ModuleOp module) {
  std::map<std::string, CustomSymbol> bySymbol;
  module.walk([&](CustomCallOp op) {
    std::string symbol = op.getCallee().str();
    bySymbol[symbol] = {symbol, op.getOpName().str(), llvm::StringRef(symbol).ends_with("_backward")};
  });
  std::vector<CustomSymbol> out;
  for (auto &[symbol, s] : bySymbol)
    out.push_back(s);
  return out;
}

LogicalResult checkCustomSymbols(ModuleOp module, llvm::ArrayRef<std::string> libraries) {
  llvm::StringSet<> defined;
  for (const std::string &path : libraries)
    if (llvm::Error e = addDefinedSymbols(path, defined))
      return emitError(module.getLoc()) << llvm::toString(std::move(e)), failure();
  std::string given = "--link";
  for (const std::string &path : libraries)
    given += " " + path;
  if (libraries.empty())
    given = "no --link library was given";
  bool ok = true;
  llvm::StringSet<> reported;
  module.walk([&](CustomCallOp op) {
    StringRef symbol = op.getCallee();
    if (defined.contains(symbol) || !reported.insert(symbol).second)
      return;
    ok = false;
    if (symbol.ends_with("_backward"))
      emitError(op.getLoc()) << "--backward through custom operator " << op.getOpName() << " needs "
                     << symbol << ", its gradient, which is not defined (" << given
                     << "): export it from the library, or compile without --backward";
    else
      emitError(op.getLoc()) << "custom operator " << op.getOpName() << " needs " << symbol
                     << " (a thunder_custom_op_fn), which is not defined (" << given << ")";
  });
  return success(ok);
}

} // namespace thunder::target
