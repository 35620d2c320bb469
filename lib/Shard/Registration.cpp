//===- Registration.cpp - the sharding rules as external models -----------===//
#include "Rules/Rules.h"
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Shard/Passes.h"

using namespace mlir;

void thunder::shard::registerShardingExternalModels(DialectRegistry &registry) {
  registry.insert<ThunderShardDialect, mlir::shard::ShardDialect>();
  registry.addExtension(+[](MLIRContext *ctx, ThunderDialect *) {
    attachElementwiseRules(ctx);
    attachDataMovementRules(ctx);
    attachReductionRules(ctx);
    attachLinearAlgebraRules(ctx);
    attachConvolutionRules(ctx);
    attachAttentionRules(ctx);
  });
}
