//===- Toolkit.cpp - finding the CUDA toolkit at compile time -------------===//
#include "Toolkit.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

namespace thunder::cuda {

static std::optional<Toolkit> probe(llvm::StringRef root) {
  if (root.empty())
    return std::nullopt;
  Toolkit t;
  t.root = root.str();
  llvm::SmallString<256> p(root);
  llvm::sys::path::append(p, "bin", "ptxas");
  t.ptxas = std::string(p);
  p = root;
  llvm::sys::path::append(p, "bin", "fatbinary");
  t.fatbinary = std::string(p);
  if (!llvm::sys::fs::can_execute(t.ptxas) || !llvm::sys::fs::can_execute(t.fatbinary))
    return std::nullopt;
  p = root;
  llvm::sys::path::append(p, "nvvm", "libdevice", "libdevice.10.bc");
  t.hasLibdevice = llvm::sys::fs::is_regular_file(p);
  return t;
}

std::optional<Toolkit> findToolkit(llvm::StringRef explicitRoot) {
  if (explicitRoot == "none")
    return std::nullopt;
  if (!explicitRoot.empty())
    return probe(explicitRoot);
  for (const char *var : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
    if (const char *v = std::getenv(var); v && *v)
      if (std::optional<Toolkit> t = probe(v))
        return t;
  if (std::optional<Toolkit> t = probe("/usr/local/cuda"))
    return t;
  if (llvm::ErrorOr<std::string> ptxas = llvm::sys::findProgramByName("ptxas")) {
    llvm::SmallString<256> root(*ptxas);
    llvm::sys::path::remove_filename(root); // bin
    llvm::sys::path::remove_filename(root);
    return probe(root);
  }
  return std::nullopt;
}

std::optional<ArchVersion> parseArch(llvm::StringRef arch) {
  if (!arch.consume_front("sm_"))
    return std::nullopt;
  ArchVersion v{false, 0};
  if (arch.consume_back("a") || arch.consume_back("f"))
    v.specific = true;
  if (arch.getAsInteger(10, v.number))
    return std::nullopt;
  return v;
}

} // namespace thunder::cuda
