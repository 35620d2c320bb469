//===- TensorView.cpp - A stored tensor as a view of its storage ----------===//
#include "TensorView.h"

#include "CheckedMath.h"

#include <algorithm>
#include <cstring>

namespace thunder::pt2 {

Expected<TensorView> computeTensorView(const TensorMeta &meta) {
  TensorView view;
  view.itemSize = scalarTypeSize(meta.dtype);
  if (view.itemSize == 0)
    return makeError(std::string("dtype ") + scalarTypeName(meta.dtype) + " has no element size");
  if (meta.layout != Layout::Strided)
    return makeError(std::string("layout ") + layoutName(meta.layout) + " is not supported (only strided tensors)");
  if (meta.strides.size() != meta.sizes.size())
    return makeError("sizes and strides differ in length");
  for (size_t d = 0; d < meta.sizes.size(); ++d) {
    std::optional<int64_t> size = meta.sizes[d].asConstant();
    std::optional<int64_t> stride = meta.strides[d].asConstant();
    if (!size || !stride)
      return makeError("symbolic size or stride in dimension " + std::to_string(d) +
                       " (stored tensors must have static shapes)");
    if (*size < 0 || *stride < 0)
      return makeError("negative size or stride in dimension " + std::to_string(d));
    view.sizes.push_back(*size);
    view.strides.push_back(*stride);
  }
  std::optional<int64_t> offset = meta.storageOffset.asConstant();
  if (!offset || *offset < 0)
    return makeError("storage offset must be a non-negative constant");
  view.storageOffset = *offset;

  int64_t numel = 1;
  for (int64_t size : view.sizes) {
    std::optional<int64_t> n = checkedMul(numel, size);
    if (!n)
      return makeError("element count overflows int64");
    numel = *n;
  }
  view.numel = numel;
  std::optional<uint64_t> bytes = checkedMulU(uint64_t(numel), view.itemSize);
  if (!bytes)
    return makeError("byte size overflows uint64");
  view.byteSize = *bytes;

  if (numel > 0) {
    // The last element reached: offset + sum((size - 1) * stride).
    int64_t last = view.storageOffset;
    for (size_t d = 0; d < view.sizes.size(); ++d) {
      std::optional<int64_t> reach = checkedMul(view.sizes[d] - 1, view.strides[d]);
      std::optional<int64_t> next = reach ? checkedAdd(last, *reach) : std::nullopt;
      if (!next)
        return makeError("strided extent overflows int64");
      last = *next;
    }
    std::optional<int64_t> count = checkedAdd(last, 1);
    std::optional<uint64_t> required = count ? checkedMulU(uint64_t(*count), view.itemSize) : std::nullopt;
    if (!required)
      return makeError("strided extent overflows uint64");
    view.requiredStorageBytes = *required;
  }

  // Row-major dense: each stride is the product of the later sizes (dims of size 1 may have any stride).
  // An empty tensor has nothing to copy and counts as contiguous.
  view.isContiguous = true;
  if (numel == 0)
    return view;
  int64_t expected = 1;
  for (size_t d = view.sizes.size(); d-- > 0;) {
    if (view.sizes[d] != 1 && view.strides[d] != expected)
      view.isContiguous = false;
    expected *= view.sizes[d]; // a partial product of numel: cannot overflow
  }
  return view;
}

void copyStridedView(const TensorView &view, const uint8_t *storage, uint8_t *out) {
  if (view.numel == 0)
    return;
  size_t rank = view.sizes.size();
  size_t item = view.itemSize;
  if (rank == 0) {
    std::memcpy(out, storage + uint64_t(view.storageOffset) * item, item);
    return;
  }
  // Walk every index but the innermost; copy the innermost run in one go when it is dense.
  std::vector<int64_t> index(rank, 0);
  int64_t innerSize = view.sizes[rank - 1];
  int64_t innerStride = view.strides[rank - 1];
  uint64_t written = 0;
  while (true) {
    int64_t base = view.storageOffset;
    for (size_t d = 0; d + 1 < rank; ++d)
      base += index[d] * view.strides[d];
    const uint8_t *src = storage + uint64_t(base) * item;
    if (innerStride == 1) {
      std::memcpy(out + written, src, uint64_t(innerSize) * item);
      written += uint64_t(innerSize) * item;
    } else {
      for (int64_t i = 0; i < innerSize; ++i) {
        std::memcpy(out + written, src + uint64_t(i * innerStride) * item, item);
        written += item;
      }
    }
    // Advance the outer index like an odometer.
    size_t d = rank - 1;
    while (d > 0) {
      --d;
      if (++index[d] < view.sizes[d])
        break;
      index[d] = 0;
      if (d == 0)
        return;
    }
    if (rank == 1)
      return;
  }
}

void swapByteOrder(uint8_t *data, uint64_t bytes, size_t unit) {
  if (unit <= 1)
    return;
  for (uint64_t i = 0; i + unit <= bytes; i += unit)
    std::reverse(data + i, data + i + unit);
}

} // namespace thunder::pt2
