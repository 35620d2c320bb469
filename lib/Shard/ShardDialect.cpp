//===- ShardDialect.cpp - the thunder_shard dialect -----------------------===//
#include "thunder/Shard/ShardDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace thunder::shard;

#include "thunder/Shard/ShardDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "thunder/Shard/ShardAttrs.cpp.inc"

void ThunderShardDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "thunder/Shard/ShardAttrs.cpp.inc"
      >();
}

LogicalResult MeshAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<StringAttr> axes, ArrayRef<int64_t> sizes) {
  if (axes.size() != sizes.size()) // rule (1)
    return emitError() << "mesh has " << axes.size() << " axes but " << sizes.size() << " sizes";
  llvm::StringSet<> seen;
  for (auto [axis, size] : llvm::zip(axes, sizes)) {
    if (size < 1) // rule (2)
      return emitError() << "mesh axis '" << axis.getValue() << "' has size " << size
                         << "; sizes are at least 1";
    if (axis.getValue() != "dp" && axis.getValue() != "tp") // rule (3)
      return emitError() << "mesh axis '" << axis.getValue() << "' is not one of dp, tp";
    if (!seen.insert(axis.getValue()).second)
      return emitError() << "mesh axis '" << axis.getValue() << "' is named twice";
  }
  return success();
}

/// `<` axis `=` size (`,` axis `=` size)* `>`
Attribute MeshAttr::parse(AsmParser &parser, Type) {
  SmallVector<StringAttr> axes;
  SmallVector<int64_t> sizes;
  auto parseAxis = [&]() -> ParseResult {
    std::string axis;
    int64_t size = 0;
    if (parser.parseKeywordOrString(&axis) || parser.parseEqual() || parser.parseInteger(size))
      return failure();
    axes.push_back(StringAttr::get(parser.getContext(), axis));
    sizes.push_back(size);
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::LessGreater, parseAxis))
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); }, parser.getContext(),
                    ArrayRef<StringAttr>(axes), ArrayRef<int64_t>(sizes));
}

void MeshAttr::print(AsmPrinter &printer) const {
  printer << "<";
  llvm::interleaveComma(llvm::zip(getAxes(), getSizes()), printer, [&](auto axis) {
    printer << std::get<0>(axis).getValue() << " = " << std::get<1>(axis);
  });
  printer << ">";
}

int64_t MeshAttr::getAxisSize(llvm::StringRef axis) const {
  for (auto [name, size] : llvm::zip(getAxes(), getSizes()))
    if (name.getValue() == axis)
      return size;
  return 1;
}

int64_t MeshAttr::getNumRanks() const {
  int64_t n = 1;
  for (int64_t s : getSizes())
    n *= s;
  return n;
}

/// `thunder_shard.sharded_dim` names a dimension of the value (a tensor, or
/// the buffer or descriptor it was lowered to: only shaped types are checked).
static LogicalResult verifyShardedDim(Operation *op, Type type, NamedAttribute attr) {
  if (attr.getName() == ThunderShardDialect::kWholeSizeAttrName) {
    auto size = dyn_cast<IntegerAttr>(attr.getValue());
    if (!size || size.getInt() < 1)
      return op->emitError() << attr.getName().getValue() << " must be a positive integer";
    return success();
  }
  if (attr.getName() != ThunderShardDialect::kShardedDimAttrName)
    return op->emitError() << "unknown thunder_shard attribute '" << attr.getName().getValue()
                           << "' on an argument or result";
  auto dim = dyn_cast<IntegerAttr>(attr.getValue());
  if (!dim)
    return op->emitError() << attr.getName().getValue() << " must be an integer";
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank())
    return success();
  if (dim.getInt() < 0 || dim.getInt() >= shaped.getRank())
    return op->emitError() << attr.getName().getValue() << " = " << dim.getInt()
                           << " is not a dimension of " << type;
  return success();
}

LogicalResult ThunderShardDialect::verifyRegionArgAttribute(Operation *op, unsigned region,
                                                            unsigned arg, NamedAttribute attr) {
  Block &entry = op->getRegion(region).front();
  if (arg >= entry.getNumArguments())
    return success();
  return verifyShardedDim(op, entry.getArgument(arg).getType(), attr);
}

LogicalResult ThunderShardDialect::verifyRegionResultAttribute(Operation *op, unsigned region,
                                                               unsigned result,
                                                               NamedAttribute attr) {
  auto fn = dyn_cast<FunctionOpInterface>(op);
  if (!fn || result >= fn.getNumResults())
    return op->emitError() << attr.getName().getValue() << " on a result of a non-function";
  return verifyShardedDim(op, fn.getResultTypes()[result], attr);
}
