//===- Main.cpp - thunder-vjp-tests --------------------------------------===//
#include "thunder/Conversion/Passes.h"

#include "mlir/InitAllPasses.h"
#include "llvm/Support/TargetSelect.h"

#include <gtest/gtest.h>

int main(int argc, char **argv) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  mlir::registerAllPasses();
  thunder::registerThunderPasses();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
