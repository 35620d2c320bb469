//===- Toolkit.h - finding the CUDA toolkit at compile time -----*- C++ -*-===//
#ifndef THUNDER_LIB_TARGET_CUDA_TOOLKIT_H
#define THUNDER_LIB_TARGET_CUDA_TOOLKIT_H

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <tuple>

namespace thunder::cuda {

/// The pieces of a CUDA toolkit the compiler uses (never needed: without
/// them kernels are embedded as PTX and math uses polynomial approximations).
struct Toolkit {
  std::string root;      // the directory (for libdevice and gpu-module-to-binary)
  std::string ptxas;     // bin/ptxas
  std::string fatbinary; // bin/fatbinary
  bool hasLibdevice = false; // nvvm/libdevice/libdevice.10.bc
};

/// `explicitRoot` when given ("none": no toolkit), else the first of
/// $CUDA_ROOT, $CUDA_HOME, $CUDA_PATH, /usr/local/cuda, and the directory
/// above `ptxas` on $PATH that has both ptxas and fatbinary.
std::optional<Toolkit> findToolkit(llvm::StringRef explicitRoot);

/// sm_90 -> {false, 90}; sm_90a -> {true, 90}. Ordered: portable
/// architectures first, then by number.
struct ArchVersion {
  bool specific; // an "a"/"f" variant: its PTX runs on that GPU only
  int number;
  bool operator<(const ArchVersion &o) const {
    return std::tie(specific, number) < std::tie(o.specific, o.number);
  }
};
std::optional<ArchVersion> parseArch(llvm::StringRef arch);

} // namespace thunder::cuda

#endif
