//===- Meta.h - The model description (thunder_model_meta) -----------------===//
//
// Parsed once per process per MODEL.so from the JSON the compiler embeds
// (docs/model-abi.md) and validated, so that a call never has to guess.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "src/Common.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace thunder::rt {

struct Symbol {
  std::string name;
  int64_t min = 0;
  int64_t max = -1; // -1: unbounded
};

/// A size expression over symbols: integers, symbol names, + - * / // % and
/// parentheses (sympy's printing of torch's symbolic sizes). Functions such as
/// Max(...) are kept unparsed: such a dim is not checked.
struct SizeExpr {
  std::string text;
  /// Evaluates with the bound symbol values (-1 = unbound); false if it cannot.
  bool eval(const std::vector<int64_t> &symbolValues, const std::vector<Symbol> &symbols,
            int64_t &out) const;
};

struct Dim {
  int64_t value = -1; // static size, or -1
  int symbol = -1;    // index in ModelMeta::symbols when the dim is exactly a symbol
  std::string expr;   // the symbolic text when value == -1
};

struct TensorMeta {
  std::string name;
  DType dtype = DType::F32;
  std::vector<Dim> shape;
  uint64_t offset = 0, nbytes = 0; // params, buffers, constants
  bool persistent = true;
  bool hasGrad = false, mutated = false;
  /// --mesh: the dimension along which each rank holds its block; -1: whole.
  int shardedDim = -1;
  // Storage for thunder_tensor_info.
  std::vector<int64_t> infoShape, infoMin, infoMax;
  std::vector<const char *> infoNames;
  int rank() const { return static_cast<int>(shape.size()); }
  bool isStatic() const;
  std::vector<int64_t> staticShape() const;
};

struct ArgRef {
  enum Kind {
    Param,
    Buffer,
    Constant,
    Input,
    Saved,
    Cotangent,
    Output,
    MutatedBuffer,
    GradParam,
    GradInput
  };
  Kind kind;
  int index;
};
const char *argKindName(ArgRef::Kind k);

struct SavedMeta {
  DType dtype = DType::F32;
  int rank = 0;
};

struct EntryMeta {
  bool present = false;
  std::vector<ArgRef> args, results;
};

struct ModelMeta {
  int version = 1;
  std::string name, target;
  bool cuda = false;
  std::vector<std::string> gpuArchs;
  std::vector<Symbol> symbols;
  std::vector<TensorMeta> inputs, outputs, params, buffers, constants;
  EntryMeta forward, backward;
  std::vector<int> mutatedBuffers; // buffer index of mutated_buffer:k
  std::vector<SavedMeta> saved;
  std::vector<int> gradInputs, gradParams;
  /// Compiled with --weights=external: the .so holds no payloads; params,
  /// buffers and constants come from a weights file or the caller's tensors,
  /// laid out (offset, nbytes) in a block of weightsSize bytes all the same.
  bool externalWeights = false;
  /// thunderc --per-sample: backward returns parameter gradients per example.
  bool perSample = false;
  uint64_t weightsSize = 0; // the layout's size (thunder_model_weights_size when embedded)
  /// --mesh: the axes and sizes the program was partitioned for (empty: one
  /// device), and the number of ranks it needs (their product).
  std::vector<std::pair<std::string, int64_t>> mesh;
  int64_t meshRanks = 1;
  int symbolIndex(const std::string &n) const;
  /// The static shape an entry point takes for parameter `t`: with
  /// --shard-params, this rank's block of ceil(dim 0 / meshRanks) rows.
  std::vector<int64_t> blockShape(const TensorMeta &t) const;
  /// Rank of a result of an entry.
  int resultRank(const ArgRef &r) const;
  DType resultDType(const ArgRef &r) const;
};

/// Parses and validates; throws Error(THUNDER_ERR_INTERNAL) naming the problem.
std::unique_ptr<ModelMeta> parseMeta(const char *json, uint64_t weightsSize);

} // namespace thunder::rt
