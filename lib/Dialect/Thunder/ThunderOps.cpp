//===- ThunderOps.cpp - verifiers and type inference of thunder ops -------===//
//
// Each verifier checks the numbered constraints stated in the op's
// description (dialects/ThunderOps.td); test/lit/Dialect/Thunder/invalid.mlir
// has one case per error message.
//
//===----------------------------------------------------------------------===//
#include "thunder/Dialect/Thunder/ThunderOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

#include <limits>
#include <optional>

using namespace mlir;
using namespace thunder;

// The attributes may come from untrusted archives: computed in 128 bits.
std::optional<int64_t> thunder::windowedExtent(int64_t in, int64_t lowPad,
                                               int64_t highPad, int64_t kernel,
                                               int64_t stride, int64_t dilation,
                                               int64_t lhsDilation) {
  if (stride < 1 || dilation < 1 || lhsDilation < 1)
    return std::nullopt;
  if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel))
    return ShapedType::kDynamic;
  using Wide = __int128;
  Wide dilatedIn = in == 0 ? 0 : Wide(in - 1) * lhsDilation + 1;
  Wide span = dilatedIn + lowPad + highPad - Wide(dilation) * (kernel - 1) - 1;
  Wide extent = span < 0 ? 0 : span / stride + 1;
  if (extent > std::numeric_limits<int64_t>::max())
    return std::nullopt;
  return static_cast<int64_t>(extent);
}

namespace {
RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Two static extents that differ; dynamic extents are compatible with all.
bool extentsConflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

/// `sizes` must give one index per dynamic dimension of `type`.
LogicalResult verifyDynamicSizes(Operation *op, RankedTensorType type,
                                 ValueRange sizes) {
  if (sizes.size() != type.getNumDynamicDims())
    return op->emitOpError("expects ")
           << type.getNumDynamicDims()
           << " dynamic size operands (one per '?' of the result), got "
           << sizes.size();
  return success();
}

/// Every dim in `dims` is in [0, rank); with `unique`, none repeats.
LogicalResult verifyDims(Operation *op, ArrayRef<int64_t> dims, int64_t rank,
                         StringRef what) {
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t d : dims) {
    if (d < 0 || d >= rank)
      return op->emitOpError() << what << " " << d << " out of range [0, "
                               << rank << ")";
    if (!seen.insert(d).second)
      return op->emitOpError() << what << " " << d << " repeated";
  }
  return success();
}

LogicalResult verifyDim(Operation *op, int64_t dim, int64_t rank) {
  if (dim < 0 || dim >= rank)
    return op->emitOpError() << "dim " << dim << " out of range [0, " << rank
                             << ")";
  return success();
}

/// Result dims must match `expected` where both are static.
LogicalResult verifyShape(Operation *op, RankedTensorType result,
                          ArrayRef<int64_t> expected) {
  if (result.getRank() != static_cast<int64_t>(expected.size()))
    return op->emitOpError("expects result rank ")
           << expected.size() << ", got " << result.getRank();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(result.getShape(), expected)))
    if (extentsConflict(std::get<0>(pair), std::get<1>(pair)))
      return op->emitOpError("result dim ")
             << i << " is " << std::get<0>(pair) << ", expected "
             << std::get<1>(pair);
  return success();
}

LogicalResult verifySameElementType(Operation *op, Type a, Type b,
                                    StringRef what) {
  if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b))
    return op->emitOpError() << what << " element types differ: "
                             << getElementTypeOrSelf(a) << " vs "
                             << getElementTypeOrSelf(b);
  return success();
}

/// Appends windowedExtent's result, or reports why there is none.
LogicalResult pushWindowedExtent(Operation *op, SmallVectorImpl<int64_t> &shape,
                                 std::optional<int64_t> extent) {
  if (!extent)
    return op->emitOpError("window strides and dilations must be >= 1 and "
                           "the result extents must fit in int64");
  shape.push_back(*extent);
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// Creation
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult FullOp::verify() {
  if (getValue().getType() != getType().getElementType())
    return emitOpError("value type ")
           << getValue().getType() << " differs from the element type "
           << getType().getElementType();
  return verifyDynamicSizes(*this, getType(), getSizes());
}

LogicalResult IotaOp::verify() {
  if (failed(verifyDim(*this, getDim(), getType().getRank())))
    return failure();
  return verifyDynamicSizes(*this, getType(), getSizes());
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult CompareOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location>, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &inferred) {
  if (operands.size() < 2)
    return failure();
  auto lhs = dyn_cast<RankedTensorType>(operands[0].getType());
  if (!lhs)
    return failure();
  inferred.push_back(lhs.clone(IntegerType::get(context, 1)));
  return success();
}

OpFoldResult ConvertOp::fold(FoldAdaptor) {
  if (getOperand().getType() == getType())
    return getOperand();
  return {};
}

//===----------------------------------------------------------------------===//
// Reductions and scans
//===----------------------------------------------------------------------===//

namespace {
SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> dims, bool keepdim) {
  SmallVector<int64_t> out;
  for (auto [i, extent] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(dims, static_cast<int64_t>(i)))
      out.push_back(extent);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

template <typename ReduceOp>
LogicalResult verifyReduce(ReduceOp op) {
  auto in = tensorType(op.getOperand());
  if (failed(verifyDims(op, op.getDims(), in.getRank(), "reduced dim")))
    return failure();
  if (failed(verifySameElementType(op, in, op.getType(), "operand and result")))
    return failure();
  return verifyShape(op, op.getType(),
                     reducedShape(in.getShape(), op.getDims(), op.getKeepdim()));
}

template <typename ArgOp>
LogicalResult verifyArgReduce(ArgOp op) {
  auto in = tensorType(op.getOperand());
  if (failed(verifyDim(op, op.getDim(), in.getRank())))
    return failure();
  return verifyShape(op, op.getType(),
                     reducedShape(in.getShape(), {static_cast<int64_t>(op.getDim())}, op.getKeepdim()));
}
} // namespace

#define THUNDER_REDUCE_VERIFIER(Op)                                            \
  LogicalResult Op::verify() { return verifyReduce(*this); }
THUNDER_REDUCE_VERIFIER(ReduceSumOp)
THUNDER_REDUCE_VERIFIER(ReduceProdOp)
THUNDER_REDUCE_VERIFIER(ReduceMaxOp)
THUNDER_REDUCE_VERIFIER(ReduceMinOp)
THUNDER_REDUCE_VERIFIER(ReduceOrOp)
THUNDER_REDUCE_VERIFIER(ReduceAndOp)
#undef THUNDER_REDUCE_VERIFIER

LogicalResult ArgMaxOp::verify() { return verifyArgReduce(*this); }
LogicalResult ArgMinOp::verify() { return verifyArgReduce(*this); }

#define THUNDER_SCAN_VERIFIER(Op)                                              \
  LogicalResult Op::verify() {                                                 \
    return verifyDim(*this, getDim(), getType().getRank());                    \
  }
THUNDER_SCAN_VERIFIER(CumSumOp)
THUNDER_SCAN_VERIFIER(CumProdOp)
THUNDER_SCAN_VERIFIER(CumMaxOp)
THUNDER_SCAN_VERIFIER(CumMinOp)
#undef THUNDER_SCAN_VERIFIER

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = tensorType(getOperand());
  if (failed(verifySameElementType(*this, in, getType(), "operand and result")))
    return failure();
  if (failed(verifyDynamicSizes(*this, getType(), getSizes())))
    return failure();
  if (in.hasStaticShape() && getType().hasStaticShape() &&
      in.getNumElements() != getType().getNumElements())
    return emitOpError("changes the number of elements from ")
           << in.getNumElements() << " to " << getType().getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getOperand().getType() == getType() && getType().hasStaticShape())
    return getOperand();
  // reshape(reshape(x)) -> reshape(x) is a canonicalisation, not a fold.
  return {};
}

LogicalResult PermuteOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  PermuteOp::Adaptor adaptor(operands, attributes, properties, regions);
  auto in = dyn_cast<RankedTensorType>(adaptor.getOperand().getType());
  if (!in)
    return failure();
  // A bad perm still gets a type (its dims dynamic): the verifier reports it,
  // where a failure here would abort the builder.
  SmallVector<int64_t> shape;
  for (int64_t p : adaptor.getPerm())
    shape.push_back(p >= 0 && p < in.getRank() ? in.getDimSize(p)
                                               : ShapedType::kDynamic);
  inferred.push_back(in.clone(shape));
  return success();
}

LogicalResult PermuteOp::verify() {
  auto in = tensorType(getOperand());
  if (static_cast<int64_t>(getPerm().size()) != in.getRank())
    return emitOpError("perm has ")
           << getPerm().size() << " entries for rank " << in.getRank();
  return verifyDims(*this, getPerm(), in.getRank(), "perm entry");
}

OpFoldResult PermuteOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if (static_cast<int64_t>(i) != p)
      return {};
  return getOperand();
}

LogicalResult BroadcastInDimOp::verify() {
  auto in = tensorType(getOperand());
  auto out = getType();
  if (failed(verifySameElementType(*this, in, out, "operand and result")))
    return failure();
  if (static_cast<int64_t>(getDims().size()) != in.getRank())
    return emitOpError("dims has ")
           << getDims().size() << " entries for operand rank " << in.getRank();
  if (failed(verifyDims(*this, getDims(), out.getRank(), "dims entry")))
    return failure();
  for (auto [i, d] : llvm::enumerate(getDims())) {
    int64_t extent = in.getDimSize(i);
    if (extent != 1 && extentsConflict(extent, out.getDimSize(d)))
      return emitOpError("operand dim ")
             << i << " (extent " << extent << ") cannot broadcast to result dim "
             << d << " (extent " << out.getDimSize(d) << ")";
  }
  return verifyDynamicSizes(*this, out, getSizes());
}

OpFoldResult BroadcastInDimOp::fold(FoldAdaptor) {
  if (getOperand().getType() != getType() || !getType().hasStaticShape())
    return {};
  for (auto [i, d] : llvm::enumerate(getDims()))
    if (static_cast<int64_t>(i) != d)
      return {};
  return getOperand();
}

LogicalResult SliceOp::verify() {
  auto in = tensorType(getOperand());
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(getStart().size()) != rank ||
      static_cast<int64_t>(getLimit().size()) != rank ||
      static_cast<int64_t>(getStep().size()) != rank)
    return emitOpError("start, limit and step need one entry per dimension (")
           << rank << ")";
  SmallVector<int64_t> expected;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t start = getStart()[i], limit = getLimit()[i], step = getStep()[i];
    if (step <= 0)
      return emitOpError("step ") << step << " of dim " << i << " is not positive";
    if (start < 0 || limit < start)
      return emitOpError("bad range [")
             << start << ", " << limit << ") in dim " << i;
    int64_t extent = in.getDimSize(i);
    if (ShapedType::isDynamic(extent)) {
      expected.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t clamped = std::min(limit, extent);
    if (start > extent)
      return emitOpError("start ") << start << " past extent " << extent
                                   << " in dim " << i;
    expected.push_back((clamped - start + step - 1) / step);
  }
  if (failed(verifySameElementType(*this, in, getType(), "operand and result")))
    return failure();
  return verifyShape(*this, getType(), expected);
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getOperand().getType() != getType() || !getType().hasStaticShape())
    return {};
  for (auto [start, step] : llvm::zip(getStart(), getStep()))
    if (start != 0 || step != 1)
      return {};
  return getOperand();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  int64_t rank = getType().getRank();
  if (failed(verifyDim(*this, getDim(), rank)))
    return failure();
  int64_t total = 0;
  for (Value v : getInputs()) {
    auto t = tensorType(v);
    if (t.getRank() != rank)
      return emitOpError("input of rank ")
             << t.getRank() << " does not match result rank " << rank;
    for (int64_t i = 0; i < rank; ++i) {
      if (i == static_cast<int64_t>(getDim()))
        continue;
      if (extentsConflict(t.getDimSize(i), getType().getDimSize(i)))
        return emitOpError("input dim ") << i << " differs from the result";
    }
    int64_t e = t.getDimSize(getDim());
    total = (ShapedType::isDynamic(e) || ShapedType::isDynamic(total))
                ? ShapedType::kDynamic
                : total + e;
  }
  if (extentsConflict(total, getType().getDimSize(getDim())))
    return emitOpError("result extent along dim ")
           << getDim() << " should be " << total;
  return success();
}

LogicalResult PadOp::verify() {
  auto in = tensorType(getOperand());
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(getLow().size()) != rank ||
      static_cast<int64_t>(getHigh().size()) != rank)
    return emitOpError("low and high need one entry per dimension (")
           << rank << ")";
  if (tensorType(getPaddingValue()).getRank() != 0)
    return emitOpError("padding value must be a rank-0 tensor");
  if (failed(verifySameElementType(*this, in, getPaddingValue().getType(),
                                   "operand and padding value")))
    return failure();
  SmallVector<int64_t> expected;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t e = in.getDimSize(i);
    expected.push_back(ShapedType::isDynamic(e) ? e
                                                : e + getLow()[i] + getHigh()[i]);
  }
  return verifyShape(*this, getType(), expected);
}

LogicalResult ReverseOp::verify() {
  return verifyDims(*this, getDims(), getType().getRank(), "reversed dim");
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

LogicalResult BitcastOp::verify() {
  Type from = tensorType(getOperand()).getElementType();
  Type to = getType().getElementType();
  if (from.isInteger(1) || to.isInteger(1) ||
      from.getIntOrFloatBitWidth() != to.getIntOrFloatBitWidth())
    return emitOpError("cannot reinterpret ")
           << from << " as " << to << ": both need one width, above 1 bit";
  return success();
}

LogicalResult GatherOp::verify() {
  auto in = tensorType(getOperand()), index = tensorType(getIndex());
  if (failed(verifyDim(*this, getDim(), in.getRank())))
    return failure();
  if (index.getRank() != in.getRank())
    return emitOpError("index rank ")
           << index.getRank() << " differs from operand rank " << in.getRank();
  if (failed(verifySameElementType(*this, in, getType(), "operand and result")))
    return failure();
  return verifyShape(*this, getType(), index.getShape());
}

LogicalResult IndexSelectOp::verify() {
  auto in = tensorType(getOperand()), index = tensorType(getIndex());
  if (failed(verifyDim(*this, getDim(), in.getRank())))
    return failure();
  if (index.getRank() != 1)
    return emitOpError("index must be 1-D, got rank ") << index.getRank();
  SmallVector<int64_t> expected(in.getShape());
  expected[getDim()] = index.getDimSize(0);
  return verifyShape(*this, getType(), expected);
}

namespace {
/// The result shape of advanced indexing (see IndexOp's description).
FailureOr<SmallVector<int64_t>> indexedShape(Operation *op,
                                             RankedTensorType operand,
                                             ValueRange indices,
                                             int64_t startDim) {
  if (indices.empty())
    return op->emitOpError("needs at least one index tensor");
  int64_t k = indices.size();
  if (startDim < 0 || startDim + k > operand.getRank())
    return op->emitOpError("indexes dims [")
           << startDim << ", " << startDim + k << ") of a rank-"
           << operand.getRank() << " operand";
  auto first = tensorType(indices.front());
  for (Value idx : indices.drop_front()) {
    auto t = tensorType(idx);
    if (t.getRank() != first.getRank() ||
        llvm::any_of(llvm::zip(t.getShape(), first.getShape()), [](auto p) {
          return extentsConflict(std::get<0>(p), std::get<1>(p));
        }))
      return op->emitOpError("index tensors must have one shape");
  }
  SmallVector<int64_t> shape(operand.getShape().take_front(startDim));
  llvm::append_range(shape, first.getShape());
  llvm::append_range(shape, operand.getShape().drop_front(startDim + k));
  return shape;
}
} // namespace

LogicalResult IndexOp::verify() {
  auto shape = indexedShape(*this, tensorType(getOperand()), getIndices(),
                            getStartDim());
  if (failed(shape))
    return failure();
  return verifyShape(*this, getType(), *shape);
}

LogicalResult IndexPutOp::verify() {
  auto shape = indexedShape(*this, tensorType(getOperand()), getIndices(),
                            getStartDim());
  if (failed(shape))
    return failure();
  auto values = tensorType(getValues());
  if (values.getRank() != static_cast<int64_t>(shape->size()))
    return emitOpError("values must have rank ") << shape->size();
  if (getType() != getOperand().getType())
    return emitOpError("result type must be the operand type");
  return success();
}

LogicalResult ScatterOp::verify() {
  auto in = tensorType(getOperand()), index = tensorType(getIndex());
  if (failed(verifyDim(*this, getDim(), in.getRank())))
    return failure();
  if (index.getRank() != in.getRank() ||
      tensorType(getSrc()).getRank() != in.getRank())
    return emitOpError("operand, index and src must have one rank");
  if (getType() != getOperand().getType())
    return emitOpError("result type must be the operand type");
  return success();
}

LogicalResult SortOp::verify() {
  if (failed(verifyDim(*this, getDim(), getValues().getType().getRank())))
    return failure();
  if (getValues().getType() != getOperand().getType())
    return emitOpError("values must have the operand type");
  return verifyShape(*this, getIndices().getType(),
                     getValues().getType().getShape());
}

//===----------------------------------------------------------------------===//
// Linear algebra, convolution, pooling, attention
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  auto a = tensorType(getLhs()), b = tensorType(getRhs());
  if (a.getRank() < 2 || a.getRank() != b.getRank())
    return emitOpError("operands must have one rank >= 2, got ")
           << a.getRank() << " and " << b.getRank();
  int64_t r = a.getRank();
  for (int64_t i = 0; i < r - 2; ++i)
    if (extentsConflict(a.getDimSize(i), b.getDimSize(i)))
      return emitOpError("batch dim ") << i << " differs";
  if (extentsConflict(a.getDimSize(r - 1), b.getDimSize(r - 2)))
    return emitOpError("contracting extents differ: ")
           << a.getDimSize(r - 1) << " vs " << b.getDimSize(r - 2);
  SmallVector<int64_t> expected(a.getShape().drop_back());
  expected.push_back(b.getDimSize(r - 1));
  Type in = a.getElementType(), out = getType().getElementType();
  bool widened = (in.isBF16() || in.isF16()) && out.isF32();
  if (!widened && failed(verifySameElementType(*this, a, getType(), "operands and result")))
    return failure();
  return verifyShape(*this, getType(), expected);
}

LogicalResult ConvolutionOp::verify() {
  auto in = tensorType(getInput()), w = tensorType(getWeight());
  int64_t spatial = in.getRank() - 2;
  if (spatial < 1 || w.getRank() != in.getRank())
    return emitOpError("input and weight must have one rank >= 3");
  for (ArrayRef<int64_t> attr :
       {getStride(), getPaddingLow(), getPaddingHigh(), getDilation(),
        getLhsDilation()})
    if (static_cast<int64_t>(attr.size()) != spatial)
      return emitOpError("window attributes need ")
             << spatial << " entries (one per spatial dim)";
  int64_t groups = getGroups();
  if (groups < 1)
    return emitOpError("groups must be positive");
  if (!ShapedType::isDynamic(in.getDimSize(1)) &&
      !ShapedType::isDynamic(w.getDimSize(1)) &&
      in.getDimSize(1) != w.getDimSize(1) * groups)
    return emitOpError("input channels ")
           << in.getDimSize(1) << " != weight channels " << w.getDimSize(1)
           << " x groups " << groups;
  SmallVector<int64_t> expected = {in.getDimSize(0), w.getDimSize(0)};
  for (int64_t i = 0; i < spatial; ++i)
    if (failed(pushWindowedExtent(
            *this, expected,
            windowedExtent(in.getDimSize(2 + i), getPaddingLow()[i],
                           getPaddingHigh()[i], w.getDimSize(2 + i),
                           getStride()[i], getDilation()[i],
                           getLhsDilation()[i]))))
      return failure();
  return verifyShape(*this, getType(), expected);
}

namespace {
LogicalResult verifyPool(Operation *op, RankedTensorType in,
                         RankedTensorType out, ArrayRef<int64_t> kernel,
                         ArrayRef<int64_t> stride, ArrayRef<int64_t> low,
                         ArrayRef<int64_t> high,
                         ArrayRef<int64_t> dilation) {
  int64_t k = kernel.size();
  if (k < 1 || k > in.getRank())
    return op->emitOpError("pools ") << k << " dims of a rank-" << in.getRank()
                                     << " input";
  if (static_cast<int64_t>(stride.size()) != k ||
      static_cast<int64_t>(low.size()) != k ||
      static_cast<int64_t>(high.size()) != k ||
      (!dilation.empty() && static_cast<int64_t>(dilation.size()) != k))
    return op->emitOpError("window attributes need ") << k << " entries";
  SmallVector<int64_t> expected(in.getShape().drop_back(k));
  int64_t lead = in.getRank() - k;
  for (int64_t i = 0; i < k; ++i)
    if (failed(pushWindowedExtent(
            op, expected,
            windowedExtent(in.getDimSize(lead + i), low[i], high[i], kernel[i],
                           stride[i], dilation.empty() ? 1 : dilation[i]))))
      return failure();
  return verifyShape(op, out, expected);
}
} // namespace

LogicalResult MaxPoolOp::verify() {
  return verifyPool(*this, tensorType(getInput()), getType(), getKernel(),
                    getStride(), getPaddingLow(), getPaddingHigh(),
                    getDilation());
}

LogicalResult AvgPoolOp::verify() {
  return verifyPool(*this, tensorType(getInput()), getType(), getKernel(),
                    getStride(), getPaddingLow(), getPaddingHigh(), {});
}

LogicalResult MaxPoolBackwardOp::verify() {
  if (getType() != getInput().getType())
    return emitOpError("result must have the input type");
  return verifyPool(*this, tensorType(getInput()),
                    tensorType(getGradOutput()), getKernel(), getStride(),
                    getPaddingLow(), getPaddingHigh(), getDilation());
}

LogicalResult AttentionOp::verify() {
  auto q = tensorType(getQuery()), k = tensorType(getKey()),
       v = tensorType(getValue());
  int64_t r = q.getRank();
  if (r < 2 || k.getRank() != r || v.getRank() != r)
    return emitOpError("query, key and value must have one rank >= 2");
  if (extentsConflict(q.getDimSize(r - 1), k.getDimSize(r - 1)))
    return emitOpError("query and key embedding extents differ");
  if (extentsConflict(k.getDimSize(r - 2), v.getDimSize(r - 2)))
    return emitOpError("key and value sequence extents differ");
  SmallVector<int64_t> expected(q.getShape().drop_back());
  expected.push_back(v.getDimSize(r - 1));
  return verifyShape(*this, getType(), expected);
}

#define GET_OP_CLASSES
#include "thunder/Dialect/Thunder/ThunderOps.cpp.inc"
