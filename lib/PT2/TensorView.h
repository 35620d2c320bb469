//===- TensorView.h - A stored tensor as a view of its storage -------*- C++ -*-===//
//
// A weight entry holds a whole storage; the tensor is as_strided(sizes, strides, storage_offset) of it.
// These functions check the view with overflow-checked arithmetic and copy it out contiguously.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_LIB_TENSORVIEW_H
#define THUNDER_PT2_LIB_TENSORVIEW_H

#include "thunder/PT2/Expected.h"
#include "thunder/PT2/Graph.h"

#include <cstdint>
#include <vector>

namespace thunder::pt2 {

struct TensorView {
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;  // elements
  int64_t storageOffset = 0;     // elements
  size_t itemSize = 0;
  int64_t numel = 0;
  uint64_t byteSize = 0;         // numel * itemSize
  uint64_t requiredStorageBytes = 0; // bytes of storage the view reaches (0 for an empty tensor)
  bool isContiguous = false;     // row-major dense, so the bytes are one slice of the storage
};

/// The view of a payload's TensorMeta: static sizes, strides and offset (else an error), a known dtype,
/// strided layout, and sizes whose products fit int64/uint64.
Expected<TensorView> computeTensorView(const TensorMeta &meta);

/// Copies the view out of `storage` (which holds at least view.requiredStorageBytes bytes) into `out`
/// (view.byteSize bytes), row-major.
void copyStridedView(const TensorView &view, const uint8_t *storage, uint8_t *out);

/// Reverses the bytes of each `unit`-byte word in place.
void swapByteOrder(uint8_t *data, uint64_t bytes, size_t unit);

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIB_TENSORVIEW_H
