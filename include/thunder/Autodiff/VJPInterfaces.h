//===- VJPInterfaces.h - the VJP op interfaces ------------------*- C++ -*-===//
//
// VJPOpInterface (the reverse-mode rule of an op) and NoGradientOpInterface
// (the marker of ops without a gradient), declared in
// dialects/ThunderADInterfaces.td and attached to the thunder ops as external
// models by registerVJPExternalModels (lib/Autodiff/Rules/*.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_AUTODIFF_VJPINTERFACES_H
#define THUNDER_AUTODIFF_VJPINTERFACES_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OpDefinition.h"
#include "thunder/Autodiff/VJPBuilder.h"

#include "thunder/Autodiff/VJPOpInterface.h.inc"

namespace thunder::autodiff {

/// Attaches VJPOpInterface / NoGradientOpInterface to every thunder op when
/// the thunder dialect is loaded (a dialect extension).
void registerVJPExternalModels(mlir::DialectRegistry &registry);

// One registration function per rule family (lib/Autodiff/Rules/<Family>.cpp),
// called by registerVJPExternalModels.
void registerElementwiseVJPs(mlir::MLIRContext *context);
void registerReductionVJPs(mlir::MLIRContext *context);
void registerDataMovementVJPs(mlir::MLIRContext *context);
void registerIndexingVJPs(mlir::MLIRContext *context);
void registerLinearAlgebraVJPs(mlir::MLIRContext *context);
void registerConvolutionVJPs(mlir::MLIRContext *context);
void registerPoolingVJPs(mlir::MLIRContext *context);
void registerAttentionVJPs(mlir::MLIRContext *context);
void registerCustomCallVJPs(mlir::MLIRContext *context);
void registerNoGradientOps(mlir::MLIRContext *context);

} // namespace thunder::autodiff

#endif // THUNDER_AUTODIFF_VJPINTERFACES_H
