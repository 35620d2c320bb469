//===- LLVMNotInstrumented.h - LLVM headers as the static libraries see them ===//
//
// Force-included (-include) into our MLIR code in the fuzz build. With ASan, LLVM's headers poison and
// unpoison allocator memory and pad allocations with red zones (LLVM_ADDRESS_SANITIZER_BUILD), but the
// static LLVM/MLIR libraries we link were built without ASan. Inline allocator code instantiated in our
// files would then poison slabs that the libraries' code goes on to use (a false use-after-poison in
// BumpPtrAllocator). Our files must see the headers the way the libraries did.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_FUZZ_LLVMNOTINSTRUMENTED_H
#define THUNDER_FUZZ_LLVMNOTINSTRUMENTED_H

#include "llvm/Support/Compiler.h"

#undef LLVM_ADDRESS_SANITIZER_BUILD
#define LLVM_ADDRESS_SANITIZER_BUILD 0
#define __asan_poison_memory_region(p, size) ((void)(p), (void)(size))
#define __asan_unpoison_memory_region(p, size) ((void)(p), (void)(size))

#endif
