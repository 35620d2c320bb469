//===- NoGradient.cpp - ops that carry no gradient ------------------------===//
//
// Comparisons, integer and bitwise ops, argmax/argmin, creation ops, and the
// piecewise-constant functions (floor, ceil, round, trunc, sign, floor_div:
// derivative zero wherever it exists, as PyTorch's zeros_like rules).
//
//===----------------------------------------------------------------------===//
#include "Rules.h"

using namespace mlir;

namespace thunder::autodiff {
namespace {

template <typename OpT>
struct NoGradientModel
    : NoGradientOpInterface::ExternalModel<NoGradientModel<OpT>, OpT> {};

template <typename... OpTs> void mark(MLIRContext *ctx) {
  (OpTs::template attachInterface<NoGradientModel<OpTs>>(*ctx), ...);
}

} // namespace

void registerNoGradientOps(MLIRContext *ctx) {
  mark<ConstantOp, FullOp, IotaOp>(ctx);
  mark<CompareOp, ArgMaxOp, ArgMinOp>(ctx);
  mark<AndOp, OrOp, XorOp, NotOp, ShiftLeftOp, ShiftRightOp>(ctx);
  mark<ReduceOrOp, ReduceAndOp>(ctx);
  mark<FloorOp, CeilOp, RoundOp, TruncOp, SignOp, FloorDivOp>(ctx);
  mark<BitcastOp>(ctx); // reinterpreted bits: no derivative
}

} // namespace thunder::autodiff
