//===- AutodiffPass.cpp - the thunder-autodiff pass -----------------------===//
#include "thunder/Autodiff/Autodiff.h"
#include "thunder/Autodiff/VJPInterfaces.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace thunder::autodiff {
#define GEN_PASS_DEF_THUNDERAUTODIFF
#include "thunder/Autodiff/Passes.h.inc"
} // namespace thunder::autodiff

using namespace mlir;

namespace {
struct ThunderAutodiffPass
    : thunder::autodiff::impl::ThunderAutodiffBase<ThunderAutodiffPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    thunder::autodiff::registerVJPExternalModels(registry);
  }

  void runOnOperation() override {
    thunder::autodiff::AutodiffOptions options;
    options.remat = remat;
    options.referenceArgs = referenceArgs;
    FailureOr<thunder::autodiff::AutodiffStats> stats =
        thunder::autodiff::addBackward(getOperation(), options);
    if (failed(stats))
      return signalPassFailure();
    numSaved = stats->numSaved;
    savedBytes = stats->savedBytes;
    numRecomputed = stats->numRecomputed;
  }
};
} // namespace
