//===- ThunderDialect.cpp - the thunder tensor dialect --------------------===//
#include "thunder/Dialect/Thunder/ThunderDialect.h"
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace thunder;

#include "thunder/Dialect/Thunder/ThunderDialect.cpp.inc"
#include "thunder/Dialect/Thunder/ThunderEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "thunder/Dialect/Thunder/ThunderAttrs.cpp.inc"

void ThunderDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "thunder/Dialect/Thunder/ThunderOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "thunder/Dialect/Thunder/ThunderAttrs.cpp.inc"
      >();
}

Operation *ThunderDialect::materializeConstant(OpBuilder &builder,
                                               Attribute value, Type type,
                                               Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
