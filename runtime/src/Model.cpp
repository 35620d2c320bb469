//===- Model.cpp - Instances: binding, validation, calling the entries -----===//

#include "src/Model.h"
#include "src/CustomCalls.h"
#include "src/WeightsFile.h"

#include "cuda/Context.h"

#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>

using namespace thunder::cuda;

namespace thunder::rt {

//===----------------------------------------------------------------------===//
// Blocks and managed tensors
//===----------------------------------------------------------------------===//

void retain(Block *b) {
  if (b)
    b->refs.fetch_add(1, std::memory_order_relaxed);
}

void release(Block *b) {
  if (!b)
    return;
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    if (b->device)
      deviceFree(b->ptr);
    else
      std::free(b->ptr);
    delete b;
  }
}

namespace {

struct ManagedCtx {
  DLManagedTensor t{};
  Block *block = nullptr;
  std::vector<int64_t> shape;
};

void deleteManaged(DLManagedTensor *t) {
  if (!t)
    return;
  auto *ctx = static_cast<ManagedCtx *>(t->manager_ctx);
  release(ctx->block);
  delete ctx;
}

/// A DLManagedTensor over `data` in `block` (retained).
DLManagedTensor *makeManaged(Block *block, void *data, DType dtype, const int64_t *shape, int rank,
                             DLDevice device) {
  auto *ctx = new ManagedCtx();
  ctx->block = block;
  retain(block);
  ctx->shape.assign(shape, shape + rank);
  DLTensor &t = ctx->t.dl_tensor;
  t.data = data;
  t.device = device;
  t.ndim = rank;
  t.dtype = toDL(dtype);
  t.shape = ctx->shape.empty() ? nullptr : ctx->shape.data();
  t.strides = nullptr;
  t.byte_offset = 0;
  ctx->t.manager_ctx = ctx;
  ctx->t.deleter = deleteManaged;
  return &ctx->t;
}

//===----------------------------------------------------------------------===//
// Memory on the model's device
//===----------------------------------------------------------------------===//

/// One thunder API call on an instance: for CUDA, makes the call current
/// (stream, context, error recording).
class CallScope {
public:
  CallScope(thunder_model &m, void *stream) : m(m) {
    call.stream = static_cast<CUstream>(stream);
    if (m.cuda && m.cudaState && m.cudaState->ctx) {
      call.cuda = m.cudaState.get();
      scoped.emplace(call);
      m.lastStream = stream;
    }
  }
  /// Throws the recorded CUDA failure, if any.
  void check() {
    if (call.failed())
      fail(call.status, call.message);
  }
  CallState call;

private:
  thunder_model &m;
  std::optional<ScopedCall> scoped;
};

Block *allocBlock(thunder_model &m, CallScope &scope, size_t bytes, const char *what) {
  auto *b = new Block();
  b->device = m.cuda;
  if (bytes == 0)
    bytes = 1;
  if (m.cuda) {
    b->ptr = deviceAlloc(bytes, what);
    if (!b->ptr) {
      delete b;
      scope.check();
      fail(THUNDER_ERR_OUT_OF_MEMORY, std::string("allocating ") + what + " failed");
    }
  } else {
    size_t rounded = (bytes + 63) & ~size_t(63);
    b->ptr = std::aligned_alloc(64, rounded);
    if (!b->ptr) {
      delete b;
      fail(THUNDER_ERR_OUT_OF_MEMORY,
           "out of memory allocating " + std::to_string(bytes) + " bytes for " + what);
    }
  }
  b->refs = 1;
  return b;
}

/// Same-device copy (CUDA: ordered on the call's stream).
void copyOnDevice(thunder_model &m, CallScope &scope, void *dst, const void *src, size_t bytes) {
  if (bytes == 0 || dst == src)
    return;
  if (!m.cuda) {
    std::memmove(dst, src, bytes);
    return;
  }
  const DriverApi *d = m.cudaState->d;
  check(d->cuMemcpyDtoDAsync(reinterpret_cast<CUdeviceptr>(dst), reinterpret_cast<CUdeviceptr>(src),
                             bytes, scope.call.stream),
        "copying " + std::to_string(bytes) + " bytes on the device");
  scope.check();
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

std::vector<int64_t> contiguousStrides(const int64_t *sizes, int rank) {
  std::vector<int64_t> s(rank);
  int64_t acc = 1;
  for (int i = rank - 1; i >= 0; --i) {
    s[i] = acc;
    acc *= sizes[i] > 0 ? sizes[i] : 1;
  }
  return s;
}

bool isCompact(const int64_t *sizes, const int64_t *strides, int rank) {
  if (!strides)
    return true;
  int64_t acc = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (sizes[i] == 0)
      return true;
    if (sizes[i] != 1 && strides[i] != acc)
      return false;
    acc *= sizes[i];
  }
  return true;
}

std::string describeExpected(const ModelMeta &meta, const TensorMeta &t) {
  std::string s = "[";
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (i)
      s += ", ";
    const Dim &d = t.shape[i];
    if (d.value >= 0) {
      s += std::to_string(d.value);
    } else if (d.symbol >= 0) {
      const Symbol &sym = meta.symbols[d.symbol];
      s += sym.name + (sym.max >= 0
                           ? " in " + std::to_string(sym.min) + ".." + std::to_string(sym.max)
                           : " >= " + std::to_string(sym.min));
    } else {
      s += d.expr;
    }
  }
  return s + "]";
}

/// The device type as the caller stored it. Read as an int: a C caller may
/// store any value, and loading a DLDeviceType outside the enum's range is
/// undefined behaviour in C++.
int deviceType(const DLDevice &d) {
  int32_t v;
  static_assert(sizeof(d.device_type) == sizeof(v), "DLDeviceType is an int");
  std::memcpy(&v, &d.device_type, sizeof v);
  return v;
}

std::string deviceName(const DLDevice &d) {
  switch (deviceType(d)) {
  case kDLCPU:
    return "cpu";
  case kDLCUDA:
    return "cuda:" + std::to_string(d.device_id);
  case kDLCUDAHost:
    return "cuda_host";
  case kDLCUDAManaged:
    return "cuda_managed:" + std::to_string(d.device_id);
  default:
    return "device type " + std::to_string(deviceType(d));
  }
}

/// Checks a tensor the caller passes (input, cotangent, parameter, buffer
/// value) for device, dtype, rank, layout and pointer; not its sizes.
void checkTensorBasics(thunder_model &m, const DLTensor *t, const std::string &who, DType dtype,
                       int rank, bool allowHostForCuda = false) {
  if (!t)
    fail(THUNDER_ERR_INVALID_ARGUMENT, who + ": the tensor pointer is null");
  int dt = deviceType(t->device);
  if (!m.cuda) {
    if (dt != kDLCPU && dt != kDLCUDAHost)
      fail(THUNDER_ERR_DEVICE,
           who + ": expected a CPU tensor (kDLCPU) for this cpu-target model, got " +
               deviceName(t->device));
  } else {
    bool ok = dt == kDLCUDA || dt == kDLCUDAManaged || (allowHostForCuda && dt == kDLCPU);
    if (!ok)
      fail(THUNDER_ERR_DEVICE,
           who + ": expected a CUDA tensor (kDLCUDA) for this cuda-target model, got " +
               deviceName(t->device));
    int bound = m.cudaState ? m.cudaState->ordinal : -1;
    if (dt != kDLCPU && bound >= 0 && t->device.device_id != bound)
      fail(THUNDER_ERR_DEVICE, who + ": the tensor is on " + deviceName(t->device) +
                                   " but this instance runs on cuda:" + std::to_string(bound));
  }
  DType got;
  if (!fromDL(t->dtype, got) || got != dtype)
    fail(THUNDER_ERR_DTYPE,
         who + ": expected dtype " + dtypeName(dtype) + ", got " + dlDTypeName(t->dtype));
  if (t->ndim != rank)
    fail(THUNDER_ERR_SHAPE,
         who + ": expected rank " + std::to_string(rank) + ", got rank " + std::to_string(t->ndim));
  if (rank < 0) // the copy helpers take the tensor's own rank
    fail(THUNDER_ERR_SHAPE, who + ": negative rank " + std::to_string(rank));
  if (rank > 0 && !t->shape)
    fail(THUNDER_ERR_INVALID_ARGUMENT, who + ": the shape pointer is null");
  for (int i = 0; i < rank; ++i)
    if (t->shape[i] < 0)
      fail(THUNDER_ERR_SHAPE, who + ": negative size in shape " + formatShape(t->shape, rank));
  int64_t numel = numElements(t->shape, rank);
  if (numel > INT64_MAX / static_cast<int64_t>(itemSize(dtype)))
    fail(THUNDER_ERR_SHAPE, who + ": shape " + formatShape(t->shape, rank) +
                                " has more bytes than int64 can count");
  if (!isCompact(t->shape, t->strides, rank))
    fail(THUNDER_ERR_INVALID_ARGUMENT,
         who + ": the tensor is not contiguous (strides " + formatShape(t->strides, rank) +
             " for shape " + formatShape(t->shape, rank) + "); pass a contiguous copy");
  if (numel > 0 && !t->data)
    fail(THUNDER_ERR_INVALID_ARGUMENT, who + ": the data pointer is null");
  auto addr = reinterpret_cast<uintptr_t>(t->data) + t->byte_offset;
  if (numel > 0 && addr % itemSize(dtype) != 0)
    fail(THUNDER_ERR_INVALID_ARGUMENT,
         who + ": the data pointer is not aligned to the element size");
}

void *dataOf(const DLTensor *t) {
  return t->data ? static_cast<char *>(t->data) + t->byte_offset : nullptr;
}

std::string inputWho(const ModelMeta &meta, size_t i) {
  return "input " + std::to_string(i) + " ('" + meta.inputs[i].name + "')";
}

/// Binds the symbols from the inputs and checks every input size.
std::vector<int64_t> bindSymbols(const ModelMeta &meta, const DLTensor *const *inputs) {
  std::vector<int64_t> values(meta.symbols.size(), -1);
  std::vector<int> boundBy(meta.symbols.size(), -1);
  for (size_t i = 0; i < meta.inputs.size(); ++i) {
    const TensorMeta &t = meta.inputs[i];
    const DLTensor *x = inputs[i];
    auto mismatch = [&](const std::string &detail) {
      fail(THUNDER_ERR_SHAPE, inputWho(meta, i) + ": expected shape " + describeExpected(meta, t) +
                                  ", got " + formatShape(x->shape, x->ndim) +
                                  (detail.empty() ? "" : " (" + detail + ")"));
    };
    for (int d = 0; d < t.rank(); ++d) {
      const Dim &dim = t.shape[d];
      int64_t got = x->shape[d];
      if (dim.value >= 0) {
        if (got != dim.value)
          mismatch("");
      } else if (dim.symbol >= 0) {
        const Symbol &s = meta.symbols[dim.symbol];
        if (got < s.min || (s.max >= 0 && got > s.max))
          mismatch(s.name + " = " + std::to_string(got) + " is out of range");
        if (values[dim.symbol] < 0) {
          values[dim.symbol] = got;
          boundBy[dim.symbol] = static_cast<int>(i);
        } else if (values[dim.symbol] != got) {
          mismatch("dimension " + std::to_string(d) + " is " + s.name + ", which " +
                   inputWho(meta, boundBy[dim.symbol]) + " sets to " +
                   std::to_string(values[dim.symbol]));
        }
      }
    }
  }
  // Dims given by expressions: check those that can be evaluated.
  for (size_t i = 0; i < meta.inputs.size(); ++i) {
    const TensorMeta &t = meta.inputs[i];
    for (int d = 0; d < t.rank(); ++d) {
      const Dim &dim = t.shape[d];
      if (dim.value >= 0 || dim.symbol >= 0)
        continue;
      int64_t expect;
      if (SizeExpr{dim.expr}.eval(values, meta.symbols, expect) && expect != inputs[i]->shape[d])
        fail(THUNDER_ERR_SHAPE, inputWho(meta, i) + ": expected shape " +
                                    describeExpected(meta, t) + ", got " +
                                    formatShape(inputs[i]->shape, inputs[i]->ndim) + " (" +
                                    dim.expr + " = " + std::to_string(expect) + ")");
    }
  }
  return values;
}

//===----------------------------------------------------------------------===//
// Entry calls
//===----------------------------------------------------------------------===//

struct ArgRange {
  uintptr_t lo, hi;
  bool permanent; // lives as long as the instance (weights, parameters)
};

/// Memref descriptors of an entry call and its result block.
struct Frame {
  std::vector<std::vector<int64_t>> args;
  std::vector<ArgRange> ranges;
  std::vector<int64_t> results;
  std::vector<size_t> resultStart;
  std::vector<int> resultRank;

  void addArg(void *data, const int64_t *sizes, int rank, size_t item, bool permanent) {
    std::vector<int64_t> w;
    w.reserve(3 + 2 * rank);
    w.push_back(reinterpret_cast<int64_t>(data));
    w.push_back(reinterpret_cast<int64_t>(data));
    w.push_back(0);
    for (int i = 0; i < rank; ++i)
      w.push_back(sizes[i]);
    for (int64_t s : contiguousStrides(sizes, rank))
      w.push_back(s);
    args.push_back(std::move(w));
    int64_t n = numElements(sizes, rank);
    auto lo = reinterpret_cast<uintptr_t>(data);
    ranges.push_back({lo, lo + static_cast<uintptr_t>(n) * item, permanent});
  }
  void addHeld(const Held &h, size_t item, bool permanent) {
    args.push_back(h.desc);
    int r = h.rank();
    const int64_t *sizes = h.desc.data() + 3, *strides = sizes + r;
    int64_t n = numElements(sizes, r);
    auto lo = reinterpret_cast<uintptr_t>(h.data(item));
    int64_t extent = 0;
    for (int i = 0; i < r; ++i)
      if (sizes[i] > 0)
        extent += (sizes[i] - 1) * (strides[i] > 0 ? strides[i] : -strides[i]);
    ranges.push_back({lo, lo + static_cast<uintptr_t>(n ? extent + 1 : 0) * item, permanent});
  }
  void layoutResults(const ModelMeta &meta, const std::vector<ArgRef> &refs) {
    size_t words = 0;
    for (const ArgRef &r : refs) {
      int rank = meta.resultRank(r);
      resultStart.push_back(words);
      resultRank.push_back(rank);
      words += 3 + 2 * rank;
    }
    results.assign(words + 1, 0);
  }
  void call(void (*entry)(void **)) {
    std::vector<void *> ptrs;
    ptrs.reserve(args.size() + 1);
    ptrs.push_back(results.data());
    for (auto &a : args)
      ptrs.push_back(a.data());
    entry(ptrs.data());
  }
  const int64_t *result(size_t k) const { return results.data() + resultStart[k]; }
};

/// What the runtime does with each result of an entry.
class Results {
public:
  Results(thunder_model &m, CallScope &scope, const Frame &f, const std::vector<ArgRef> &refs)
      : m(m), scope(scope), f(f), refs(refs) {
    blocks.resize(refs.size(), nullptr);
    aliasArg.resize(refs.size(), -1);
    for (size_t k = 0; k < refs.size(); ++k) {
      const int64_t *w = f.result(k);
      void *alloc = reinterpret_cast<void *>(w[0]);
      size_t item = itemSize(m.meta->resultDType(refs[k]));
      auto data = static_cast<uintptr_t>(w[1]) + static_cast<uintptr_t>(w[2]) * item;
      int alias = -1;
      for (size_t a = 0; a < f.ranges.size(); ++a) {
        const ArgRange &r = f.ranges[a];
        auto al = reinterpret_cast<uintptr_t>(alloc);
        if ((r.lo <= data && data < r.hi) || (r.lo <= al && al < r.hi) ||
            (al == r.lo && r.lo != 0)) {
          alias = static_cast<int>(a);
          break;
        }
      }
      if (alias < 0 && inWeights(data)) {
        alias = static_cast<int>(f.ranges.size()); // the weights blob
      }
      aliasArg[k] = alias;
      if (alias >= 0 || !alloc)
        continue;
      // After a failed CUDA call the descriptors may be garbage: free only
      // what this instance allocated. After a successful one every new
      // result belongs to the runtime (model-abi.md), managed memory too.
      if (m.cuda && scope.call.failed() && !ownedByInstance(alloc))
        continue;
      auto it = byPtr.find(alloc);
      if (it == byPtr.end()) {
        auto *b = new Block();
        b->ptr = alloc;
        b->device = m.cuda;
        b->refs = 1; // the Results' own reference
        it = byPtr.emplace(alloc, b).first;
      }
      blocks[k] = it->second;
      ++uses[it->second];
    }
  }
  ~Results() {
    for (auto &[p, b] : byPtr)
      release(b); // frees every result nobody took
  }

  int64_t numElementsSafe(const int64_t *sizes, int rank) {
    for (int i = 0; i < rank; ++i)
      if (sizes[i] < 0)
        fail(THUNDER_ERR_INTERNAL, "the compiled code returned a negative size");
    return numElements(sizes, rank);
  }
  bool permanentAlias(size_t k) const {
    int a = aliasArg[k];
    return a >= 0 && (a == static_cast<int>(f.ranges.size()) || f.ranges[a].permanent);
  }

  /// Result k as a new caller-owned tensor (zero copy when possible).
  DLManagedTensor *handOut(size_t k, DType dtype, const std::string &who, bool forceCopy) {
    const int64_t *w = f.result(k);
    int rank = f.resultRank[k];
    const int64_t *sizes = w + 3, *strides = w + 3 + rank;
    size_t item = itemSize(dtype);
    int64_t numel = numElementsSafe(sizes, rank);
    char *src = reinterpret_cast<char *>(w[1]) + w[2] * static_cast<int64_t>(item);
    DLDevice dev = device();
    bool compact = isCompact(sizes, strides, rank);
    if (numel > 0 && !w[1])
      fail(THUNDER_ERR_INTERNAL, who + ": the compiled code returned a null buffer");
    if (blocks[k] && compact && !forceCopy) {
      if (m.cuda)
        deviceDetach(blocks[k]->ptr);
      return makeManaged(blocks[k], src, dtype, sizes, rank, dev);
    }
    Block *b = allocBlock(m, scope, static_cast<size_t>(numel) * item, who.c_str());
    if (m.cuda)
      deviceDetach(b->ptr);
    try {
      copyCompact(b->ptr, src, sizes, strides, rank, item, who);
    } catch (...) {
      release(b);
      throw;
    }
    DLManagedTensor *t = makeManaged(b, b->ptr, dtype, sizes, rank, dev);
    release(b);
    return t;
  }

  /// Writes result k into buffer storage `h` (same shape), adopting the
  /// result's memory when nothing else uses it.
  void writeBack(size_t k, Held &h, const TensorMeta &meta) {
    const int64_t *w = f.result(k);
    int rank = f.resultRank[k];
    const int64_t *sizes = w + 3, *strides = w + 3 + rank;
    size_t item = itemSize(meta.dtype);
    std::vector<int64_t> expect = meta.staticShape();
    for (int i = 0; i < rank; ++i)
      if (sizes[i] != expect[i])
        fail(THUNDER_ERR_INTERNAL, "buffer '" + meta.name + "': the compiled code returned shape " +
                                       formatShape(sizes, rank) + ", expected " +
                                       formatShape(expect.data(), rank));
    char *src = reinterpret_cast<char *>(w[1]) + w[2] * static_cast<int64_t>(item);
    if (src == h.data(item))
      return; // updated in place
    Block *b = blocks[k];
    if (b && uses[b] == 1 && isCompact(sizes, strides, rank)) {
      retain(b);
      release(h.block);
      h.block = b;
      h.desc.assign(w, w + 3 + 2 * rank);
      return;
    }
    copyCompact(h.data(item), src, sizes, strides, rank, item, "buffer '" + meta.name + "'");
  }

  /// Result k kept for backward.
  Held keep(size_t k, DType dtype) {
    const int64_t *w = f.result(k);
    int rank = f.resultRank[k];
    Held h;
    h.desc.assign(w, w + 3 + 2 * rank);
    if (blocks[k]) {
      retain(blocks[k]);
      h.block = blocks[k];
      return h;
    }
    if (aliasArg[k] < 0 || permanentAlias(k))
      return h; // null/empty, or borrowed from the weights / parameters
    // A view of an input, buffer or saved value, which may change or go away:
    // copy the span it covers, keeping its layout.
    size_t item = itemSize(dtype);
    const int64_t *sizes = w + 3, *strides = w + 3 + rank;
    int64_t numel = numElementsSafe(sizes, rank);
    if (numel == 0)
      return h;
    int64_t span = 1;
    for (int i = 0; i < rank; ++i) {
      if (strides[i] < 0)
        fail(THUNDER_ERR_INTERNAL, "a saved value has a negative stride");
      span += (sizes[i] - 1) * strides[i];
    }
    Block *b = allocBlock(m, scope, static_cast<size_t>(span) * item, "a saved value");
    char *src = reinterpret_cast<char *>(w[1]) + w[2] * static_cast<int64_t>(item);
    copyOnDevice(m, scope, b->ptr, src, static_cast<size_t>(span) * item);
    h.block = b;
    h.desc[0] = reinterpret_cast<int64_t>(b->ptr);
    h.desc[1] = reinterpret_cast<int64_t>(b->ptr);
    h.desc[2] = 0;
    return h;
  }

  const int64_t *sizesOf(size_t k) const { return f.result(k) + 3; }

private:
  thunder_model &m;
  CallScope &scope;
  const Frame &f;
  const std::vector<ArgRef> &refs;
  std::vector<Block *> blocks;
  std::vector<int> aliasArg;
  std::unordered_map<void *, Block *> byPtr;
  std::unordered_map<Block *, int> uses;

  DLDevice device() const {
    if (!m.cuda)
      return DLDevice{kDLCPU, 0};
    return DLDevice{kDLCUDA, m.cudaState->ordinal};
  }
  bool inWeights(uintptr_t p) const {
    uintptr_t lo = reinterpret_cast<uintptr_t>(m.cuda ? m.deviceWeights
                                                      : static_cast<const void *>(m.hostWeights));
    return lo && p >= lo && p < lo + m.meta->weightsSize;
  }
  bool ownedByInstance(void *p) const { return m.cudaState && m.cudaState->blockSizes.count(p); }
  void copyCompact(void *dst, const char *src, const int64_t *sizes, const int64_t *strides,
                   int rank, size_t item, const std::string &who) {
    int64_t numel = numElements(sizes, rank);
    if (numel == 0)
      return;
    if (isCompact(sizes, strides, rank)) {
      copyOnDevice(m, scope, dst, src, static_cast<size_t>(numel) * item);
      return;
    }
    if (m.cuda)
      fail(THUNDER_ERR_INTERNAL,
           who + ": the compiled code returned a non-contiguous layout (strides " +
               formatShape(strides, rank) + "), which the CUDA runtime cannot copy");
    // CPU: gather element by element.
    std::vector<int64_t> idx(rank, 0);
    char *out = static_cast<char *>(dst);
    for (int64_t e = 0; e < numel; ++e) {
      int64_t off = 0;
      for (int i = 0; i < rank; ++i)
        off += idx[i] * strides[i];
      std::memcpy(out + e * item, src + off * static_cast<int64_t>(item), item);
      for (int i = rank - 1; i >= 0; --i) {
        if (++idx[i] < sizes[i])
          break;
        idx[i] = 0;
      }
    }
  }
};

/// Output shapes must match the meta where it is static or computable.
void checkResultShape(const ModelMeta &meta, const TensorMeta &t, const int64_t *sizes,
                      const std::vector<int64_t> &symbols, const std::string &who) {
  for (int d = 0; d < t.rank(); ++d) {
    const Dim &dim = t.shape[d];
    int64_t expect = -1;
    if (dim.value >= 0)
      expect = dim.value;
    else if (dim.symbol >= 0)
      expect = symbols[dim.symbol];
    else if (!SizeExpr{dim.expr}.eval(symbols, meta.symbols, expect))
      expect = -1;
    if (expect >= 0 && sizes[d] != expect)
      fail(THUNDER_ERR_INTERNAL, who + ": the compiled code returned shape " +
                                     formatShape(sizes, t.rank()) + ", expected " +
                                     describeExpected(meta, t));
  }
}

void clearSaved(thunder_model &m) {
  for (Held &h : m.saved)
    release(h.block);
  m.saved.clear();
  m.haveSaved = false;
}

//===----------------------------------------------------------------------===//
// Device binding (CUDA)
//===----------------------------------------------------------------------===//

void bindDevice(thunder_model &m, int ordinal) {
  if (!m.cuda)
    return;
  CudaState &s = *m.cudaState;
  if (s.ordinal < 0) {
    if (ordinal < 0)
      ordinal = m.preferredDevice >= 0 ? m.preferredDevice : 0;
    s.bind(ordinal);
  } else if (ordinal >= 0 && ordinal != s.ordinal) {
    fail(THUNDER_ERR_DEVICE, "this instance runs on cuda:" + std::to_string(s.ordinal) +
                                 ", not cuda:" + std::to_string(ordinal) +
                                 " (create another instance for another device)");
  }
}

/// Uploads the weights and initial buffers once (inside a call scope).
void uploadWeights(thunder_model &m, CallScope &scope) {
  if (!m.cuda || m.deviceReady)
    return;
  const ModelMeta &meta = *m.meta;
  const DriverApi *d = m.cudaState->d;
  std::vector<Held> buffers;
  void *dw = nullptr;
  try {
    if (m.hostWeights && meta.weightsSize) {
      dw = deviceAlloc(meta.weightsSize, "the model's weights");
      scope.check();
      check(d->cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(dw), m.hostWeights, meta.weightsSize),
            "copying the weights (" + std::to_string(meta.weightsSize) +
                " bytes) to cuda:" + std::to_string(m.cudaState->ordinal));
      scope.check();
    }
    for (size_t i = 0; i < meta.buffers.size(); ++i) {
      const TensorMeta &t = meta.buffers[i];
      Held h;
      h.block = allocBlock(m, scope, t.nbytes, "a buffer");
      std::vector<int64_t> shape = t.staticShape();
      h.desc = {reinterpret_cast<int64_t>(h.block->ptr), reinterpret_cast<int64_t>(h.block->ptr),
                0};
      h.desc.insert(h.desc.end(), shape.begin(), shape.end());
      for (int64_t st : contiguousStrides(shape.data(), t.rank()))
        h.desc.push_back(st);
      buffers.push_back(std::move(h));
      const void *init = m.userBuffers[i] ? dataOf(m.userBuffers[i])
                                          : static_cast<const void *>(static_cast<char *>(dw) +
                                                                      t.offset);
      copyOnDevice(m, scope, buffers.back().block->ptr, init, t.nbytes);
    }
  } catch (...) {
    for (Held &h : buffers)
      release(h.block);
    deviceFree(dw);
    throw;
  }
  m.deviceWeights = dw;
  for (size_t i = 0; i < meta.params.size(); ++i)
    m.paramPtrs[i] =
        m.userParams[i] ? dataOf(m.userParams[i]) : static_cast<char *>(dw) + meta.params[i].offset;
  for (size_t i = 0; i < meta.constants.size(); ++i)
    m.constantPtrs[i] = m.userConstants[i] ? dataOf(m.userConstants[i])
                                           : static_cast<char *>(dw) + meta.constants[i].offset;
  m.buffers = std::move(buffers);
  m.userBuffers.assign(meta.buffers.size(), nullptr); // copied: no longer needed
  // A weights file's host copy is not needed once it is on the device.
  release(m.ownedWeights);
  m.ownedWeights = nullptr;
  m.hostWeights = nullptr;
  m.deviceReady = true;
}

/// Refuses to run an instance that only describes an external-weights model.
void requireWeights(const thunder_model &m) {
  if (!m.hasWeights)
    fail(THUNDER_ERR_STATE,
         "this model was compiled with --weights=external and this instance has no weights: "
         "create it with thunder_model_create_from_file or thunder_model_create_with_tensors");
}

/// Binds (if needed) to `ordinal` (-1: the default) and opens a call scope
/// with the weights on the device.
std::unique_ptr<CallScope> openCall(thunder_model &m, void *stream, int ordinal) {
  requireWeights(m);
  bindDevice(m, ordinal);
  auto scope = std::make_unique<CallScope>(m, stream);
  scope->check();
  uploadWeights(m, *scope);
  return scope;
}

} // namespace
} // namespace thunder::rt

//===----------------------------------------------------------------------===//
// The instance
//===----------------------------------------------------------------------===//

thunder_model::~thunder_model() {
  using namespace thunder::rt;
  if (cuda && cudaState && cudaState->ctx) {
    // The legacy stream, not the last call's: its owner may have destroyed it
    // by now (a server's worker threads). The scope still waits for that
    // call through its event.
    CallScope scope(*this, nullptr);
    clearSaved(*this);
    for (Held &h : buffers)
      release(h.block);
    buffers.clear();
    deviceFree(deviceWeights);
    deviceWeights = nullptr;
  } else {
    clearSaved(*this);
    for (Held &h : buffers)
      release(h.block);
    buffers.clear();
  }
  release(ownedWeights);
  ownedWeights = nullptr;
  cudaState.reset(); // unloads modules, frees the cache, releases the context
}

namespace thunder::rt {

namespace {

/// Checks the caller's tensors for one kind of weight and records them in
/// `slots` (null entries stay null).
void takeUserTensors(thunder_model &m, const char *kind, const std::vector<TensorMeta> &list,
                     const DLTensor *const *given, size_t n, std::vector<const DLTensor *> &slots) {
  slots.assign(list.size(), nullptr);
  if (!given && !n)
    return;
  if (n != list.size())
    fail(THUNDER_ERR_INVALID_ARGUMENT, std::string("expected ") + std::to_string(list.size()) +
                                           " " + kind + "s, got " + std::to_string(n));
  if (!given)
    fail(THUNDER_ERR_INVALID_ARGUMENT, std::string("the ") + kind + " array is null");
  for (size_t i = 0; i < n; ++i) {
    if (!given[i])
      continue;
    const TensorMeta &t = list[i];
    std::string who = std::string(kind) + " " + std::to_string(i) + " ('" + t.name + "')";
    checkTensorBasics(m, given[i], who, t.dtype, t.rank());
    std::vector<int64_t> expect = t.staticShape();
    for (int d = 0; d < t.rank(); ++d)
      if (given[i]->shape[d] != expect[d])
        fail(THUNDER_ERR_SHAPE, who + ": expected shape " + formatShape(expect.data(), t.rank()) +
                                    ", got " + formatShape(given[i]->shape, t.rank()));
    if (m.cuda) {
      if (given[i]->device.device_type != kDLCUDA)
        fail(THUNDER_ERR_DEVICE, who + ": " + kind + "s of a cuda-target model must be kDLCUDA");
      if (m.preferredDevice >= 0 && given[i]->device.device_id != m.preferredDevice)
        fail(THUNDER_ERR_DEVICE, who + ": all given tensors must be on one device");
      m.preferredDevice = given[i]->device.device_id;
    }
    slots[i] = given[i];
  }
}

/// Without weights in the .so or a file, every entry must be given.
void requireAllGiven(const char *kind, const std::vector<TensorMeta> &list,
                     const std::vector<const DLTensor *> &slots) {
  for (size_t i = 0; i < list.size(); ++i)
    if (!slots[i])
      fail(THUNDER_ERR_INVALID_ARGUMENT,
           std::string(kind) + " " + std::to_string(i) + " ('" + list[i].name +
               "'): no tensor given, and the model has no embedded weights (compiled with "
               "--weights=external): pass it, or use thunder_model_create_from_file");
}

} // namespace

thunder_model *createModel(const WeightSources &src) {
  const ModelImage &img = image();
  const ModelMeta &meta = *img.meta;
  auto m = std::make_unique<thunder_model>();
  m->img = &img;
  m->meta = &meta;
  m->cuda = meta.cuda;
  if (m->cuda)
    m->cudaState = std::make_unique<CudaState>();
  m->paramPtrs.assign(meta.params.size(), nullptr);
  m->constantPtrs.assign(meta.constants.size(), nullptr);
  takeUserTensors(*m, "parameter", meta.params, src.params, src.numParams, m->userParams);
  takeUserTensors(*m, "buffer", meta.buffers, src.buffers, src.numBuffers, m->userBuffers);
  takeUserTensors(*m, "constant", meta.constants, src.constants, src.numConstants,
                  m->userConstants);
  bool anyGiven = src.params || src.buffers || src.constants || src.numParams ||
                  src.numBuffers || src.numConstants;
  if (src.file) {
    m->ownedWeights = readWeightsFile(meta, src.file);
    m->hostWeights = static_cast<const uint8_t *>(m->ownedWeights->ptr);
  } else if (!meta.externalWeights) {
    m->hostWeights = img.weights;
  } else if (anyGiven) {
    requireAllGiven("parameter", meta.params, m->userParams);
    requireAllGiven("buffer", meta.buffers, m->userBuffers);
    requireAllGiven("constant", meta.constants, m->userConstants);
  } else {
    m->hasWeights = false; // describes the model only (thunder_model_create)
    return m.release();
  }
  if (!m->cuda) {
    for (size_t i = 0; i < meta.params.size(); ++i)
      m->paramPtrs[i] = m->userParams[i]
                            ? dataOf(m->userParams[i])
                            : const_cast<uint8_t *>(m->hostWeights) + meta.params[i].offset;
    for (size_t i = 0; i < meta.constants.size(); ++i)
      m->constantPtrs[i] = m->userConstants[i]
                               ? dataOf(m->userConstants[i])
                               : const_cast<uint8_t *>(m->hostWeights) + meta.constants[i].offset;
    CallScope scope(*m, nullptr);
    for (size_t i = 0; i < meta.buffers.size(); ++i) {
      const TensorMeta &t = meta.buffers[i];
      Held h;
      h.block = allocBlock(*m, scope, t.nbytes, "a buffer");
      const void *init = m->userBuffers[i]
                             ? dataOf(m->userBuffers[i])
                             : static_cast<const void *>(m->hostWeights + t.offset);
      if (t.nbytes)
        std::memcpy(h.block->ptr, init, t.nbytes);
      std::vector<int64_t> shape = t.staticShape();
      h.desc = {reinterpret_cast<int64_t>(h.block->ptr), reinterpret_cast<int64_t>(h.block->ptr),
                0};
      h.desc.insert(h.desc.end(), shape.begin(), shape.end());
      for (int64_t st : contiguousStrides(shape.data(), t.rank()))
        h.desc.push_back(st);
      m->buffers.push_back(std::move(h));
    }
    m->userBuffers.assign(meta.buffers.size(), nullptr); // copied: no longer needed
  }
  return m.release();
}

/// A --mesh model runs only with its communicator: without it the first
/// collective would have no peers.
static void requireCommunicator(const thunder_model &m) {
  if (m.meta->mesh.empty() || m.transport)
    return;
  std::string mesh;
  for (const auto &[axis, size] : m.meta->mesh)
    mesh += (mesh.empty() ? "" : ",") + axis + ":" + std::to_string(size);
  fail(THUNDER_ERR_COMMUNICATION,
       "this model was compiled with --mesh=" + mesh + " and this instance has no "
       "communicator: give it one first (" +
           (m.cuda ? std::string("thunder_model_set_nccl_comm or thunder_model_init_nccl")
                   : std::string("thunder_model_set_mpi_comm")) + ")");
}

/// Runs an entry with the instance's transport current for its collectives,
/// and the call's device and stream for its custom operators, whose failure
/// becomes the call's (scope.check(), once the results are owned).
static void callEntry(thunder_model &m, CallScope &scope, Frame &f, EntryFn entry) {
  thunder::shard::ScopedTransport collectives(m.transport.get());
  DLDevice device = m.cuda ? DLDevice{kDLCUDA, m.cudaState->ordinal} : DLDevice{kDLCPU, 0};
  ScopedCustomCalls custom(device, scope.call.stream);
  f.call(entry);
  if (custom.status != THUNDER_OK)
    scope.call.record(custom.status, custom.message);
  collectives.check();
}

void forward(thunder_model &m, const DLTensor *const *inputs, size_t nInputs,
             DLManagedTensor **outputs, size_t nOutputs, void *stream) {
  const ModelMeta &meta = *m.meta;
  requireCommunicator(m);
  if (!outputs && nOutputs)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "the output array is null");
  for (size_t i = 0; i < nOutputs; ++i)
    outputs[i] = nullptr;
  if (nInputs != meta.inputs.size())
    fail(THUNDER_ERR_INVALID_ARGUMENT, "expected " + std::to_string(meta.inputs.size()) +
                                           " inputs, got " + std::to_string(nInputs));
  if (nOutputs != meta.outputs.size())
    fail(THUNDER_ERR_INVALID_ARGUMENT, "expected room for " + std::to_string(meta.outputs.size()) +
                                           " outputs, got " + std::to_string(nOutputs));
  if (nInputs && !inputs)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "the input array is null");
  int ordinal = -1;
  for (size_t i = 0; i < nInputs; ++i) {
    checkTensorBasics(m, inputs[i], inputWho(meta, i), meta.inputs[i].dtype, meta.inputs[i].rank());
    if (m.cuda) {
      int id = inputs[i]->device.device_id;
      if (ordinal >= 0 && id != ordinal)
        fail(THUNDER_ERR_DEVICE, inputWho(meta, i) + ": on cuda:" + std::to_string(id) +
                                     " but input 0 is on cuda:" + std::to_string(ordinal));
      ordinal = id;
    }
  }
  std::vector<int64_t> symbols = bindSymbols(meta, inputs);

  auto scope = openCall(m, stream, ordinal);
  clearSaved(m);

  Frame f;
  for (const ArgRef &a : meta.forward.args) {
    switch (a.kind) {
    case ArgRef::Param: {
      const TensorMeta &t = meta.params[a.index];
      std::vector<int64_t> s = meta.blockShape(t);
      f.addArg(m.paramPtrs[a.index], s.data(), t.rank(), itemSize(t.dtype), true);
      break;
    }
    case ArgRef::Constant: {
      const TensorMeta &t = meta.constants[a.index];
      std::vector<int64_t> s = t.staticShape();
      f.addArg(m.constantPtrs[a.index], s.data(), t.rank(), itemSize(t.dtype), true);
      break;
    }
    case ArgRef::Buffer:
      f.addHeld(m.buffers[a.index], itemSize(meta.buffers[a.index].dtype), false);
      break;
    case ArgRef::Input: {
      const DLTensor *x = inputs[a.index];
      f.addArg(dataOf(x), x->shape, x->ndim, itemSize(meta.inputs[a.index].dtype), false);
      break;
    }
    default:
      fail(THUNDER_ERR_INTERNAL, "bad forward argument kind");
    }
  }
  f.layoutResults(meta, meta.forward.results);
  callEntry(m, *scope, f, m.img->forward);
  std::vector<DLManagedTensor *> made(meta.outputs.size(), nullptr);
  try {
    // Constructed first: on failure its destructor frees what the entry allocated.
    Results res(m, *scope, f, meta.forward.results);
    scope->check();
    // Which blocks also back a mutated buffer: outputs must not share them.
    std::vector<bool> sharesBuffer(meta.forward.results.size(), false);
    std::vector<int64_t> bufferAllocs;
    for (size_t k = 0; k < meta.forward.results.size(); ++k)
      if (meta.forward.results[k].kind == ArgRef::MutatedBuffer)
        bufferAllocs.push_back(f.result(k)[0]);
    for (size_t k = 0; k < meta.forward.results.size(); ++k)
      for (int64_t p : bufferAllocs)
        if (p && f.result(k)[0] == p)
          sharesBuffer[k] = true;

    std::vector<std::vector<int64_t>> shapes(meta.outputs.size());
    std::vector<Held> saved(meta.saved.size());
    for (size_t k = 0; k < meta.forward.results.size(); ++k) {
      const ArgRef &r = meta.forward.results[k];
      if (r.kind == ArgRef::Output) {
        const TensorMeta &t = meta.outputs[r.index];
        std::string who = "output " + std::to_string(r.index) + " ('" + t.name + "')";
        checkResultShape(meta, t, res.sizesOf(k), symbols, who);
        made[r.index] = res.handOut(k, t.dtype, who, sharesBuffer[k]);
        shapes[r.index].assign(res.sizesOf(k), res.sizesOf(k) + t.rank());
      } else if (r.kind == ArgRef::Saved) {
        saved[r.index] = res.keep(k, meta.saved[r.index].dtype);
      }
    }
    // Write buffers back last: outputs and saved values may alias them.
    for (size_t k = 0; k < meta.forward.results.size(); ++k) {
      const ArgRef &r = meta.forward.results[k];
      if (r.kind == ArgRef::MutatedBuffer) {
        int b = meta.mutatedBuffers[r.index];
        res.writeBack(k, m.buffers[b], meta.buffers[b]);
      }
    }
    scope->check();
    m.saved = std::move(saved);
    m.haveSaved = true;
    m.lastOutputShapes = std::move(shapes);
  } catch (...) {
    for (DLManagedTensor *t : made)
      if (t)
        t->deleter(t);
    throw;
  }
  for (size_t i = 0; i < made.size(); ++i)
    outputs[i] = made[i];
}

namespace {
/// Releases the blocks of a call's temporaries when it leaves, also on a throw.
struct ReleaseBlocks {
  std::vector<Block *> &blocks;
  ~ReleaseBlocks() {
    for (Block *b : blocks)
      release(b);
  }
};

void backwardOnce(thunder_model &m, const DLTensor *const *cotangents, size_t n,
                  DLManagedTensor **gradParams, size_t nParams, DLManagedTensor **gradInputs,
                  size_t nInputs, void *stream);

/// Zeroes `bytes` at `ptr` on the model's device (ordered on the call's stream).
void zeroOnDevice(thunder_model &m, CallScope &scope, void *ptr, size_t bytes) {
  if (bytes == 0)
    return;
  if (!m.cuda) {
    std::memset(ptr, 0, bytes);
    return;
  }
  check(m.cudaState->d->cuMemsetD8Async(reinterpret_cast<CUdeviceptr>(ptr), 0, bytes,
                                        scope.call.stream),
        "zeroing " + std::to_string(bytes) + " bytes on the device");
  scope.check();
}

/// thunderc --per-sample: the gradient of every parameter for each example b
/// of the batch, stacked along a new dim 0. For a model whose examples do not
/// interact (thunderc refuses batch statistics), example b's gradient is the
/// backward of the cotangents with every row but b zeroed, so backward runs
/// once per example on the saved values of one forward. Input gradients are
/// per example already (row b): one ordinary backward gives them.
void perSampleBackward(thunder_model &m, const DLTensor *const *cotangents, size_t n,
                       DLManagedTensor **gradParams, size_t nParams, DLManagedTensor **gradInputs,
                       size_t nInputs, void *stream) {
  const ModelMeta &meta = *m.meta;
  if (gradParams)
    for (size_t i = 0; i < nParams; ++i)
      gradParams[i] = nullptr;
  // Validates everything (cotangents, slots, state) and gives the input gradients.
  backwardOnce(m, cotangents, n, nullptr, 0, gradInputs, nInputs, stream);
  if (!gradParams || nParams == 0)
    return;
  if (nParams != meta.params.size())
    fail(THUNDER_ERR_INVALID_ARGUMENT, "grad_params must have " +
                                           std::to_string(meta.params.size()) + " slots; got " +
                                           std::to_string(nParams));
  int64_t batch = -1;
  for (size_t k = 0; k < meta.outputs.size(); ++k) {
    const std::vector<int64_t> &shape = m.lastOutputShapes[k];
    if (shape.empty() || (batch >= 0 && shape[0] != batch))
      fail(THUNDER_ERR_SHAPE, "per-sample gradients: output " + std::to_string(k) + " ('" +
                                  meta.outputs[k].name + "') has shape " +
                                  formatShape(shape.data(), static_cast<int>(shape.size())) +
                                  ", but every output needs the batch as dim 0" +
                                  (batch >= 0 ? " (" + std::to_string(batch) + ")" : ""));
    batch = shape[0];
  }
  const DLDevice device = m.cuda ? DLDevice{kDLCUDA, m.cudaState->ordinal} : DLDevice{kDLCPU, 0};

  // Every block this function makes, released on the way out; the stacked
  // gradients are handed out (retained) only at the end.
  std::vector<Block *> blocks;
  ReleaseBlocks releaseAll{blocks};
  auto makeBlock = [&](CallScope &scope, size_t bytes, const char *what) {
    blocks.push_back(allocBlock(m, scope, bytes, what));
    if (m.cuda)
      deviceDetach(blocks.back()->ptr);
    return blocks.back();
  };

  // One masked copy per given cotangent: zero everywhere but row b.
  std::vector<DLTensor> masked(n);
  std::vector<const DLTensor *> maskedPtrs(n, nullptr);
  std::vector<size_t> rowBytes(n, 0);
  std::vector<Block *> stacked(meta.params.size(), nullptr);
  std::vector<size_t> paramBytes(meta.params.size(), 0);
  {
    auto scope = openCall(m, stream, -1);
    for (size_t k = 0; k < n; ++k) {
      if (!cotangents[k])
        continue;
      const TensorMeta &t = meta.outputs[k];
      size_t bytes = static_cast<size_t>(numElements(cotangents[k]->shape, t.rank())) *
                     itemSize(t.dtype);
      rowBytes[k] = batch ? bytes / static_cast<size_t>(batch) : 0;
      masked[k] = *cotangents[k];
      masked[k].data = makeBlock(*scope, bytes, "a per-sample cotangent")->ptr;
      masked[k].byte_offset = 0;
      masked[k].strides = nullptr;
      masked[k].device = device;
      maskedPtrs[k] = &masked[k];
    }
    for (int64_t gradParam : meta.gradParams) {
      size_t p = static_cast<size_t>(gradParam);
      const TensorMeta &t = meta.params[p];
      std::vector<int64_t> shape = t.staticShape();
      paramBytes[p] = static_cast<size_t>(numElements(shape.data(), t.rank())) * itemSize(t.dtype);
      stacked[p] = makeBlock(*scope, paramBytes[p] * static_cast<size_t>(batch),
                             "per-sample gradients");
    }
  }

  std::vector<DLManagedTensor *> gp(meta.params.size(), nullptr);
  auto dropGradients = [&] {
    for (DLManagedTensor *&t : gp)
      if (t) {
        t->deleter(t);
        t = nullptr;
      }
  };
  try {
    for (int64_t b = 0; b < batch; ++b) {
      {
        auto scope = openCall(m, stream, -1);
        for (size_t k = 0; k < n; ++k)
          if (maskedPtrs[k]) {
            char *dst = static_cast<char *>(masked[k].data);
            zeroOnDevice(m, *scope, dst, rowBytes[k] * static_cast<size_t>(batch));
            copyOnDevice(m, *scope, dst + b * rowBytes[k],
                         static_cast<const char *>(dataOf(cotangents[k])) + b * rowBytes[k],
                         rowBytes[k]);
          }
      }
      backwardOnce(m, maskedPtrs.data(), n, gp.data(), gp.size(), nullptr, 0, stream);
      auto scope = openCall(m, stream, -1);
      for (size_t p = 0; p < gp.size(); ++p) {
        if (!gp[p])
          continue;
        if (!stacked[p])
          fail(THUNDER_ERR_INTERNAL, "per-sample gradients: a parameter gradient backward does not list");
        copyOnDevice(m, *scope, static_cast<char *>(stacked[p]->ptr) + b * paramBytes[p],
                     dataOf(&gp[p]->dl_tensor), paramBytes[p]);
      }
      if (m.cuda) // the copies read gp's blocks, which the deleters free
        check(m.cudaState->d->cuStreamSynchronize(scope->call.stream), "per-sample gradients");
      scope->check();
      dropGradients();
    }
  } catch (...) {
    dropGradients();
    throw;
  }
  for (size_t p = 0; p < stacked.size(); ++p) {
    if (!stacked[p])
      continue;
    const TensorMeta &t = meta.params[p];
    std::vector<int64_t> shape = t.staticShape();
    shape.insert(shape.begin(), batch);
    gradParams[p] = makeManaged(stacked[p], stacked[p]->ptr, t.dtype, shape.data(),
                                static_cast<int>(shape.size()), device);
  }
}
} // namespace

void backward(thunder_model &m, const DLTensor *const *cotangents, size_t n,
              DLManagedTensor **gradParams, size_t nParams, DLManagedTensor **gradInputs,
              size_t nInputs, void *stream) {
  if (m.meta->perSample && m.meta->backward.present)
    perSampleBackward(m, cotangents, n, gradParams, nParams, gradInputs, nInputs, stream);
  else
    backwardOnce(m, cotangents, n, gradParams, nParams, gradInputs, nInputs, stream);
}

namespace {
void backwardOnce(thunder_model &m, const DLTensor *const *cotangents, size_t n,
                  DLManagedTensor **gradParams, size_t nParams, DLManagedTensor **gradInputs,
                  size_t nInputs, void *stream) {
  const ModelMeta &meta = *m.meta;
  requireCommunicator(m);
  if (gradParams)
    for (size_t i = 0; i < nParams; ++i)
      gradParams[i] = nullptr;
  if (gradInputs)
    for (size_t i = 0; i < nInputs; ++i)
      gradInputs[i] = nullptr;
  if (!meta.backward.present)
    fail(THUNDER_ERR_NOT_SUPPORTED, "this model was compiled without --backward");
  if (!m.haveSaved)
    fail(THUNDER_ERR_STATE, "backward needs a successful forward on this instance first");
  if (n != meta.outputs.size())
    fail(THUNDER_ERR_INVALID_ARGUMENT, "expected " + std::to_string(meta.outputs.size()) +
                                           " cotangents (one per output, NULL for zeros), got " +
                                           std::to_string(n));
  if (n && !cotangents)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "the cotangent array is null");
  if (gradParams ? nParams != meta.params.size() : nParams != 0)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "grad_params must be NULL with n_params 0, or have " +
                                           std::to_string(meta.params.size()) + " slots; got " +
                                           std::to_string(nParams));
  if (gradInputs ? nInputs != meta.inputs.size() : nInputs != 0)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "grad_inputs must be NULL with n_inputs 0, or have " +
                                           std::to_string(meta.inputs.size()) + " slots; got " +
                                           std::to_string(nInputs));
  for (size_t k = 0; k < n; ++k) {
    if (!cotangents[k])
      continue;
    const TensorMeta &t = meta.outputs[k];
    std::string who = "cotangent " + std::to_string(k) + " (of output '" + t.name + "')";
    checkTensorBasics(m, cotangents[k], who, t.dtype, t.rank());
    const std::vector<int64_t> &expect = m.lastOutputShapes[k];
    for (int d = 0; d < t.rank(); ++d)
      if (cotangents[k]->shape[d] != expect[d])
        fail(THUNDER_ERR_SHAPE, who + ": expected shape " + formatShape(expect.data(), t.rank()) +
                                    " (the output's shape in the last forward), got " +
                                    formatShape(cotangents[k]->shape, t.rank()));
  }

  auto scope = openCall(m, stream, -1);
  Frame f;
  std::vector<Block *> zeros;
  ReleaseBlocks zeroGuard{zeros};
  for (const ArgRef &a : meta.backward.args) {
    if (a.kind == ArgRef::Saved) {
      f.addHeld(m.saved[a.index], itemSize(meta.saved[a.index].dtype), false);
    } else if (a.kind == ArgRef::Cotangent) {
      const TensorMeta &t = meta.outputs[a.index];
      const std::vector<int64_t> &shape = m.lastOutputShapes[a.index];
      if (cotangents[a.index]) {
        f.addArg(dataOf(cotangents[a.index]), shape.data(), t.rank(), itemSize(t.dtype), false);
      } else {
        size_t bytes = static_cast<size_t>(numElements(shape.data(), t.rank())) * itemSize(t.dtype);
        Block *b = allocBlock(m, *scope, bytes, "a zero cotangent");
        zeros.push_back(b);
        if (m.cuda) {
          check(m.cudaState->d->cuMemsetD8Async(reinterpret_cast<CUdeviceptr>(b->ptr), 0,
                                                bytes ? bytes : 1, scope->call.stream),
                "zeroing a cotangent");
          scope->check();
        } else {
          std::memset(b->ptr, 0, bytes ? bytes : 1);
        }
        f.addArg(b->ptr, shape.data(), t.rank(), itemSize(t.dtype), false);
      }
    } else if (a.kind == ArgRef::Param) {
      // Backward reads parameters, constants and unmutated buffers from the instance
      // instead of saving copies of them (docs/model-abi.md).
      const TensorMeta &t = meta.params[a.index];
      std::vector<int64_t> s = meta.blockShape(t);
      f.addArg(m.paramPtrs[a.index], s.data(), t.rank(), itemSize(t.dtype), true);
    } else if (a.kind == ArgRef::Constant) {
      const TensorMeta &t = meta.constants[a.index];
      std::vector<int64_t> s = t.staticShape();
      f.addArg(m.constantPtrs[a.index], s.data(), t.rank(), itemSize(t.dtype), true);
    } else if (a.kind == ArgRef::Buffer) {
      f.addHeld(m.buffers[a.index], itemSize(meta.buffers[a.index].dtype), false);
    } else {
      fail(THUNDER_ERR_INTERNAL, "bad backward argument kind");
    }
  }
  f.layoutResults(meta, meta.backward.results);
  callEntry(m, *scope, f, m.img->backward);
  std::vector<DLManagedTensor *> gp(meta.params.size(), nullptr), gi(meta.inputs.size(), nullptr);
  try {
    Results res(m, *scope, f, meta.backward.results);
    scope->check();
    for (size_t k = 0; k < meta.backward.results.size(); ++k) {
      const ArgRef &r = meta.backward.results[k];
      if (r.kind == ArgRef::GradParam && gradParams) {
        int p = meta.gradParams[r.index];
        const TensorMeta &t = meta.params[p];
        std::string who = "gradient of parameter '" + t.name + "'";
        if (t.shardedDim < 0) {
          checkResultShape(meta, t, res.sizesOf(k), {}, who);
        } else if (std::vector<int64_t> block = meta.blockShape(t);
                   !std::equal(block.begin(), block.end(), res.sizesOf(k))) {
          fail(THUNDER_ERR_INTERNAL, who + ": the compiled code returned shape " +
                                         formatShape(res.sizesOf(k), t.rank()) +
                                         ", expected the block " +
                                         formatShape(block.data(), t.rank()));
        }
        gp[p] = res.handOut(k, t.dtype, who, false);
      } else if (r.kind == ArgRef::GradInput && gradInputs) {
        int i = meta.gradInputs[r.index];
        const TensorMeta &t = meta.inputs[i];
        std::string who = "gradient of " + inputWho(meta, i);
        gi[i] = res.handOut(k, t.dtype, who, false);
      }
    }
    scope->check();
  } catch (...) {
    for (auto *v : {&gp, &gi})
      for (DLManagedTensor *t : *v)
        if (t)
          t->deleter(t);
    throw;
  }
  if (gradParams)
    for (size_t i = 0; i < gp.size(); ++i)
      gradParams[i] = gp[i];
  if (gradInputs)
    for (size_t i = 0; i < gi.size(); ++i)
      gradInputs[i] = gi[i];
}

} // namespace

void releaseSaved(thunder_model &m) {
  CallScope scope(m, m.lastStream);
  clearSaved(m);
}

void getBuffer(thunder_model &m, size_t i, DLManagedTensor **out) {
  if (!out)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "the output pointer is null");
  *out = nullptr;
  const ModelMeta &meta = *m.meta;
  if (i >= meta.buffers.size())
    fail(THUNDER_ERR_INVALID_ARGUMENT, "buffer index " + std::to_string(i) + " is out of range (" +
                                           std::to_string(meta.buffers.size()) + " buffers)");
  auto scope = openCall(m, m.lastStream, -1);
  const TensorMeta &t = meta.buffers[i];
  const Held &h = m.buffers[i];
  Block *b = allocBlock(m, *scope, t.nbytes, "a buffer copy");
  if (m.cuda)
    deviceDetach(b->ptr);
  try {
    copyOnDevice(m, *scope, b->ptr, h.data(itemSize(t.dtype)), t.nbytes);
    if (m.cuda) {
      check(m.cudaState->d->cuStreamSynchronize(scope->call.stream), "copying a buffer");
      scope->check();
    }
  } catch (...) {
    release(b);
    throw;
  }
  std::vector<int64_t> shape = t.staticShape();
  *out = makeManaged(b, b->ptr, t.dtype, shape.data(), t.rank(),
                     m.cuda ? DLDevice{kDLCUDA, m.cudaState->ordinal} : DLDevice{kDLCPU, 0});
  release(b);
}

void setBuffer(thunder_model &m, size_t i, const DLTensor *value) {
  const ModelMeta &meta = *m.meta;
  if (i >= meta.buffers.size())
    fail(THUNDER_ERR_INVALID_ARGUMENT, "buffer index " + std::to_string(i) + " is out of range (" +
                                           std::to_string(meta.buffers.size()) + " buffers)");
  const TensorMeta &t = meta.buffers[i];
  std::string who = "buffer " + std::to_string(i) + " ('" + t.name + "')";
  checkTensorBasics(m, value, who, t.dtype, t.rank(), /*allowHostForCuda=*/true);
  std::vector<int64_t> expect = t.staticShape();
  for (int d = 0; d < t.rank(); ++d)
    if (value->shape[d] != expect[d])
      fail(THUNDER_ERR_SHAPE, who + ": expected shape " + formatShape(expect.data(), t.rank()) +
                                  ", got " + formatShape(value->shape, t.rank()));
  int ordinal = m.cuda && value->device.device_type != kDLCPU ? value->device.device_id : -1;
  auto scope = openCall(m, m.lastStream, ordinal);
  Held &h = m.buffers[i];
  void *dst = h.data(itemSize(t.dtype));
  if (m.cuda && value->device.device_type == kDLCPU) {
    check(m.cudaState->d->cuStreamSynchronize(scope->call.stream), "waiting for the last call");
    check(m.cudaState->d->cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(dst), dataOf(value), t.nbytes),
          "copying a buffer value to the device");
    scope->check();
  } else {
    copyOnDevice(m, *scope, dst, dataOf(value), t.nbytes);
  }
}

void setDevice(thunder_model &m, int device) {
  if (!m.cuda) {
    if (device != 0)
      fail(THUNDER_ERR_DEVICE, "a cpu-target model has only device 0");
    return;
  }
  if (device < 0)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "device id must be >= 0");
  auto scope = openCall(m, m.lastStream, device);
  (void)scope;
}

void copyToDevice(thunder_model &m, const DLTensor *src, DLManagedTensor **out) {
  if (!out)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "the output pointer is null");
  *out = nullptr;
  if (!src)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "the source tensor is null");
  DType dt;
  if (!fromDL(src->dtype, dt))
    fail(THUNDER_ERR_DTYPE, "unsupported dtype " + dlDTypeName(src->dtype));
  checkTensorBasics(m, src, "source tensor", dt, src->ndim, /*allowHostForCuda=*/true);
  int ordinal = m.cuda && src->device.device_type != kDLCPU ? src->device.device_id : -1;
  auto scope = openCall(m, m.lastStream, ordinal);
  size_t bytes = static_cast<size_t>(numElements(src->shape, src->ndim)) * itemSize(dt);
  Block *b = allocBlock(m, *scope, bytes, "a tensor copy");
  if (m.cuda)
    deviceDetach(b->ptr);
  try {
    if (m.cuda && src->device.device_type == kDLCPU) {
      if (bytes)
        check(
            m.cudaState->d->cuMemcpyHtoD(reinterpret_cast<CUdeviceptr>(b->ptr), dataOf(src), bytes),
            "copying " + std::to_string(bytes) + " bytes to the device");
      scope->check();
    } else {
      copyOnDevice(m, *scope, b->ptr, dataOf(src), bytes);
      if (m.cuda) {
        check(m.cudaState->d->cuStreamSynchronize(scope->call.stream), "copying on the device");
        scope->check();
      }
    }
  } catch (...) {
    release(b);
    throw;
  }
  *out = makeManaged(b, b->ptr, dt, src->shape, src->ndim,
                     m.cuda ? DLDevice{kDLCUDA, m.cudaState->ordinal} : DLDevice{kDLCPU, 0});
  release(b);
}

void copyToHost(thunder_model &m, const DLTensor *src, DLManagedTensor **out) {
  if (!out)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "the output pointer is null");
  *out = nullptr;
  if (!src)
    fail(THUNDER_ERR_INVALID_ARGUMENT, "the source tensor is null");
  DType dt;
  if (!fromDL(src->dtype, dt))
    fail(THUNDER_ERR_DTYPE, "unsupported dtype " + dlDTypeName(src->dtype));
  checkTensorBasics(m, src, "source tensor", dt, src->ndim, /*allowHostForCuda=*/true);
  size_t bytes = static_cast<size_t>(numElements(src->shape, src->ndim)) * itemSize(dt);
  auto *b = new Block();
  b->ptr = std::aligned_alloc(64, ((bytes ? bytes : 1) + 63) & ~size_t(63));
  b->refs = 1;
  if (!b->ptr) {
    delete b;
    fail(THUNDER_ERR_OUT_OF_MEMORY, "out of memory copying a tensor to the host");
  }
  try {
    if (m.cuda && src->device.device_type != kDLCPU) {
      auto scope = openCall(m, m.lastStream, src->device.device_id);
      check(m.cudaState->d->cuStreamSynchronize(scope->call.stream), "waiting for the last call");
      scope->check();
      if (bytes)
        check(
            m.cudaState->d->cuMemcpyDtoH(b->ptr, reinterpret_cast<CUdeviceptr>(dataOf(src)), bytes),
            "copying " + std::to_string(bytes) + " bytes to the host");
      scope->check();
    } else if (bytes) {
      std::memcpy(b->ptr, dataOf(src), bytes);
    }
  } catch (...) {
    release(b);
    throw;
  }
  *out = makeManaged(b, b->ptr, dt, src->shape, src->ndim, DLDevice{kDLCPU, 0});
  release(b);
}

void synchronize(thunder_model &m, void *stream) {
  if (!m.cuda || !m.cudaState || m.cudaState->ordinal < 0)
    return;
  CallScope scope(m, stream);
  check(m.cudaState->d->cuStreamSynchronize(static_cast<CUstream>(stream)),
        "synchronising the stream (a kernel of an earlier call may have failed)");
  scope.check();
}

} // namespace thunder::rt

namespace thunder::rt {
namespace {

void requireMesh(const thunder_model &m, bool cuda, const char *what) {
  if (m.meta->mesh.empty())
    fail(THUNDER_ERR_NOT_SUPPORTED, "this model was compiled without --mesh: it has no "
                                    "collectives and needs no communicator");
  if (m.cuda != cuda)
    fail(THUNDER_ERR_NOT_SUPPORTED, std::string(what) + " is for the " +
                                        (cuda ? "CUDA" : "CPU") + " target; this model is "
                                        "compiled for " + (m.cuda ? "CUDA" : "the CPU"));
}

/// The instance's transport, once its size is the mesh's; with
/// --shard-params (CPU) the instance then keeps only its parameter blocks.
void join(thunder_model &m, std::unique_ptr<thunder::shard::Transport> transport) {
  if (transport->size() != m.meta->meshRanks)
    fail(THUNDER_ERR_COMMUNICATION,
         "the communicator has " + std::to_string(transport->size()) +
             " ranks but the model was compiled for a mesh of " +
             std::to_string(m.meta->meshRanks) + " (run it under mpirun -np " +
             std::to_string(m.meta->meshRanks) + ")");
  m.transport = std::move(transport);
  // --shard-params: the instance keeps its block of each sharded parameter
  // (rows [rank * b, rank * b + b) of dim 0, zeros past the end) and the
  // entry points read only that.
  for (size_t i = 0; i < m.meta->params.size(); ++i) {
    const TensorMeta &t = m.meta->params[i];
    if (t.shardedDim != 0)
      continue;
    std::vector<int64_t> whole = t.staticShape(), block = m.meta->blockShape(t);
    size_t rowBytes = whole[0] ? t.nbytes / whole[0] : 0;
    int64_t first = m.transport->rank() * block[0];
    int64_t rows = std::max<int64_t>(0, std::min<int64_t>(block[0], whole[0] - first));
    std::vector<uint8_t> data(block[0] * rowBytes, 0);
    if (rows > 0)
      std::memcpy(data.data(), static_cast<const uint8_t *>(m.paramPtrs[i]) + first * rowBytes,
                  rows * rowBytes);
    m.paramBlocks.push_back(std::move(data));
    m.paramPtrs[i] = m.paramBlocks.back().data();
  }
}

} // namespace

void setMPICommunicator(thunder_model &m, const void *mpiComm) {
  requireMesh(m, false, "an MPI communicator");
  join(m, thunder::shard::openMPI(mpiComm));
}

void setNCCLCommunicator(thunder_model &m, const void *ncclComm) {
  requireMesh(m, true, "an NCCL communicator");
  join(m, thunder::shard::openNCCL(ncclComm));
}

void initNCCLCommunicator(thunder_model &m, const void *uniqueId, int nranks,
                                       int rank) {
  requireMesh(m, true, "an NCCL communicator");
  requireWeights(m);
  // NCCL makes the communicator on the current device: the instance's.
  bindDevice(m, -1);
  CallScope scope(m, nullptr);
  scope.check();
  join(m, thunder::shard::createNCCL(uniqueId, nranks, rank));
}

uint64_t parameterBytes(const thunder_model &m) {
  uint64_t bytes = 0;
  for (const TensorMeta &t : m.meta->params) {
    std::vector<int64_t> block = m.meta->blockShape(t);
    bytes += itemSize(t.dtype) * static_cast<uint64_t>(numElements(block.data(), t.rank()));
  }
  return bytes;
}

} // namespace thunder::rt
