//===- thunder-opt.cpp - mlir-opt with the thunder dialects and passes ----===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<thunder::ThunderDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "thunder optimizer driver\n", registry));
}
