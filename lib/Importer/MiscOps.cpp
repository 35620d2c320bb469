//===- MiscOps.cpp - runtime checks and dropout ---------------------------===//
//
// Checks that torch.export records (`_assert_tensor_metadata`,
// `_assert_scalar`, `sym_constrain_range*`, ...) hold by construction of the
// compiled model's shape checks and produce nothing. Dropout is the identity
// when it is off (p = 0 or not training); random dropout is refused.
//
//===----------------------------------------------------------------------===//
#include "NodeContext.h"
#include "OpTable.h"


using namespace mlir;

namespace thunder::importer {
namespace {

LogicalResult convertNoOp(NodeContext &) { return success(); }

LogicalResult convertDropout(NodeContext &ctx) {
  Value x = ctx.tensor(ctx.get("input") ? "input" : "self");
  double p = ctx.optionalReal("p").value_or(0.5);
  std::optional<bool> train = ctx.optionalBoolean("train");
  if (failed(ctx.check()))
    return failure();
  // native_dropout's train=None means training.
  bool training = train.value_or(true);
  if (training && p > 0.0)
    return ctx.error() << "dropout with p>0 is not supported (p="
                       << formatNumber(p) << " in training mode)";
  if (failed(ctx.bind(0, x)))
    return failure();
  if (ctx.numResults() > 1 && ctx.resultUsed(1)) {
    // native_dropout's mask: all kept.
    Emitter &e = ctx.emit();
    return ctx.bind(1, e.full(e.dims(x), e.scalarAttrInt(e.i1(), 1)));
  }
  return success();
}

} // namespace

void registerMiscOps(OpTable &t) {
  for (const char *name :
       {"aten._assert_tensor_metadata.default", "aten._assert_scalar.default",
        "aten._assert_async.default", "aten._assert_async.msg",
        "aten.sym_constrain_range.default",
        "aten.sym_constrain_range_for_size.default",
        "aten._print.default", "torch._C._set_grad_enabled",
        "aten.record_stream.default"})
    t.add(name, convertNoOp);
  // What no compiled model can do (the reason goes into the error).
  static const char *const kDataDependent =
      "its output shape depends on the values of its input, which a compiled "
      "model cannot have";
  t.refuse("aten.nonzero.default", kDataDependent);
  t.refuse("aten.nonzero_static.default", kDataDependent);
  t.refuse("aten.masked_select.default", kDataDependent);
  t.refuse("aten.unique.default", kDataDependent);
  t.refuse("aten._unique2.default", kDataDependent);
  t.refuse("aten.unique_dim.default", kDataDependent);
  t.refuse("aten.unique_consecutive.default", kDataDependent);
  t.refuse("aten.repeat_interleave.Tensor", kDataDependent);
  t.refuse("aten._local_scalar_dense.default",
           "it reads a tensor element into a Python number (.item()), which "
           "makes the program depend on data at run time");
  t.refuse("aten.item.default",
           "it reads a tensor element into a Python number (.item()), which "
           "makes the program depend on data at run time");
  for (const char *fft : {"aten._fft_r2c.default", "aten._fft_c2r.default",
                          "aten._fft_c2c.default"})
    t.refuse(fft, "complex tensors are not supported");
  t.add("aten.dropout.default", convertDropout);
  t.addInPlace("aten.dropout_.default", convertDropout);
  t.add("aten.native_dropout.default", convertDropout);
  t.add("aten.feature_dropout.default", convertDropout);
  t.addInPlace("aten.feature_dropout_.default", convertDropout);
  t.add("aten.alpha_dropout.default", convertDropout);
  t.addInPlace("aten.alpha_dropout_.default", convertDropout);
  t.add("aten.feature_alpha_dropout.default", convertDropout);
}

} // namespace thunder::importer
