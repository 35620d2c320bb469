//===- CallTemporaries.cpp - buffers a host-side call needs compact -------===//
#include "thunder/Target/Host/CallTemporaries.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace thunder::target {

Value CallTemporaries::compactCopy(Value memref, bool output) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(memref::DimOp::create(b, loc, memref, i));
  auto tmpType = MemRefType::get(type.getShape(), type.getElementType());
  Value tmp = memref::AllocOp::create(b, loc, tmpType, sizes);
  temporaries.push_back(tmp);
  if (output)
    copyBack.push_back({tmp, memref});
  else
    memref::CopyOp::create(b, loc, memref, tmp);
  return tmp;
}

void CallTemporaries::finish() {
  for (auto [tmp, out] : copyBack)
    memref::CopyOp::create(b, loc, tmp, out);
  for (Value tmp : temporaries)
    memref::DeallocOp::create(b, loc, tmp);
}

} // namespace thunder::target
