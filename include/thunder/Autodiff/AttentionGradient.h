//===- AttentionGradient.h - the recompute formula of attention's VJP -*- C++ -*-===//
//
// Shared by the VJP rule of thunder.attention (a float mask that needs a
// gradient) and thunder-decompose's expansion of thunder.attention_grad.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_AUTODIFF_ATTENTIONGRADIENT_H
#define THUNDER_AUTODIFF_ATTENTIONGRADIENT_H

#include "thunder/Autodiff/VJPBuilder.h"

namespace thunder::autodiff {

/// Values at `b`'s point (not forward values: b.primal is not applied).
struct AttentionGradInputs {
  mlir::Value query, key, value, mask, gradOutput; // mask may be null
  double scale = 1.0;
  bool isCausal = false;
  bool wantQuery = true, wantKey = true, wantValue = true, wantMask = false;
};

/// Recomputes P = softmax(q k^T scale + mask) (0 on fully masked rows) and
/// builds the wanted gradients into out[0..3] (query, key, value, mask),
/// typed like their operands; f16/bf16 are differentiated in f32.
void buildAttentionGradient(VJPBuilder &b, const AttentionGradInputs &in,
                            mlir::MutableArrayRef<mlir::Value> out);

} // namespace thunder::autodiff

#endif
