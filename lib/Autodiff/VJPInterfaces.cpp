//===- VJPInterfaces.cpp - the VJP op interfaces and their registration ---===//
#include "thunder/Autodiff/VJPInterfaces.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"

#include "mlir/IR/MLIRContext.h"

#include "thunder/Autodiff/VJPOpInterface.cpp.inc"

using namespace mlir;

namespace thunder::autodiff {

void registerVJPExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, ThunderDialect *) {
    registerElementwiseVJPs(context);
    registerReductionVJPs(context);
    registerDataMovementVJPs(context);
    registerIndexingVJPs(context);
    registerLinearAlgebraVJPs(context);
    registerConvolutionVJPs(context);
    registerPoolingVJPs(context);
    registerAttentionVJPs(context);
    registerCustomCallVJPs(context);
    registerNoGradientOps(context);
  });
}

} // namespace thunder::autodiff
