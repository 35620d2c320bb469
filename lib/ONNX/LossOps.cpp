//===- LossOps.cpp - ONNX NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss ===//
//
// input [N, C, d...], target [N, d...] (class indices; ignore_index skipped),
// optional per-class weight [C]; reduction none / sum / mean (the weighted
// mean: divided by the sum of the weights of the counted elements).
//
//===----------------------------------------------------------------------===//
#include "ONNXOpTable.h"

using namespace mlir;

namespace thunder::onnximport {
namespace {

FailureOr<Value> negativeLogLikelihood(ONNXNode &n, Value logProb, Value target,
                                       std::optional<Value> weight) {
  std::string reduction = n.stringAttr("reduction", "mean");
  std::optional<int64_t> ignore;
  if (n.hasAttr("ignore_index"))
    ignore = n.intAttr("ignore_index", 0);
  if (failed(n.check()))
    return failure();
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return n.error() << "reduction must be none, sum or mean, not '" << reduction << "'",
           failure();
  int64_t rank = Emitter::rankOf(logProb);
  if (rank < 2 || Emitter::rankOf(target) != rank - 1)
    return n.error() << "input must be [N, C, d...] and target [N, d...]", failure();
  Emitter &e = n.emit();
  target = e.convert(target, e.i64());
  // Ignored positions pick class 0 (any valid one) and weigh nothing.
  Value counted = e.splat(1.0, e.i1(), e.dims(target));
  if (ignore)
    counted = e.compareScalar(CompareDirection::NE, target, double(*ignore));
  Value safe = e.select(counted, target, e.splatLike(0.0, target));
  Value picked = GatherOp::create(e.b, e.loc,
                                  RankedTensorType::get(Emitter::shapeOf(e.unsqueeze(safe, 1)),
                                                        Emitter::elementTypeOf(logProb)),
                                  logProb, e.unsqueeze(safe, 1), uint64_t(1))
                     .getResult();
  picked = e.squeeze(picked, 1);
  Type t = Emitter::elementTypeOf(logProb);
  Value w = e.convert(counted, t);
  if (weight) {
    auto type = RankedTensorType::get(Emitter::shapeOf(safe), t);
    Value perClass = IndexOp::create(e.b, e.loc, type, *weight, ValueRange{safe}, uint64_t(0))
                         .getResult();
    w = e.mul(w, perClass);
  }
  Value loss = e.mul(e.unary<NegOp>(picked), w);
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < rank - 1; ++d)
    all.push_back(d);
  if (reduction == "none")
    return loss;
  Value total = e.sum(loss, all, false);
  if (reduction == "sum")
    return total;
  return e.div(total, e.sum(w, all, false));
}

LogicalResult nllLoss(ONNXNode &n) {
  Value input = n.input(0), target = n.input(1);
  std::optional<Value> weight = n.optionalInput(2);
  if (failed(n.check()))
    return failure();
  FailureOr<Value> loss = negativeLogLikelihood(n, input, target, weight);
  if (failed(loss))
    return failure();
  return n.bind(*loss);
}

/// The NLL of log_softmax(scores) along the classes; output 1 is log_prob.
LogicalResult softmaxCrossEntropy(ONNXNode &n) {
  Value scores = n.input(0), labels = n.input(1);
  std::optional<Value> weight = n.optionalInput(2);
  if (failed(n.check()))
    return failure();
  if (Emitter::rankOf(scores) < 2)
    return n.error() << "scores must be [N, C, d...]";
  Value logProb = n.emit().softmax(scores, 1, /*log=*/true);
  FailureOr<Value> loss = negativeLogLikelihood(n, logProb, labels, weight);
  if (failed(loss) || failed(n.bind(0, *loss)))
    return failure();
  return n.bind(1, logProb);
}

} // namespace

void registerLossOps(ONNXOpTable &t) {
  t.add("NegativeLogLikelihoodLoss", nllLoss, 12);
  t.add("SoftmaxCrossEntropyLoss", softmaxCrossEntropy, 12);
}

} // namespace thunder::onnximport
