//===- ModelDescription.cpp - meta JSON, weights blob and MODEL.h ---------===//
#include "thunder/Target/Host/ModelDescription.h"
#include "thunder/Target/Host/PrefixedAPI.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cctype>
#include <map>

using namespace mlir;

namespace thunder::target {

std::string dtypeName(Type t) {
  if (t.isF32()) return "float32";
  if (t.isF64()) return "float64";
  if (t.isF16()) return "float16";
  if (t.isBF16()) return "bfloat16";
  if (isa<Float8E4M3FNType>(t)) return "float8_e4m3fn";
  if (isa<Float8E4M3FNUZType>(t)) return "float8_e4m3fnuz";
  if (isa<Float8E5M2Type>(t)) return "float8_e5m2";
  if (isa<Float8E5M2FNUZType>(t)) return "float8_e5m2fnuz";
  if (isa<Float8E8M0FNUType>(t)) return "float8_e8m0fnu";
  if (isa<Float4E2M1FNType>(t)) return "float4_e2m1fn";
  if (auto i = dyn_cast<IntegerType>(t)) {
    if (i.getWidth() == 1) return "bool";
    if (i.isUnsigned()) return i.getWidth() == 8 ? "uint8" : "";
    switch (i.getWidth()) {
    case 8: return "int8";
    case 16: return "int16";
    case 32: return "int32";
    case 64: return "int64";
    default: return "";
    }
  }
  return "";
}

namespace {

/// Whether the ABI's integer dtype `name` is stored in elements of `storage`
/// (same bytes: uint16 as i16, int4 and uint4 as i8).
bool isABIIntegerStoredAs(llvm::StringRef name, Type storage) {
  static const std::pair<const char *, unsigned> kStored[] = {
      {"uint8", 8}, {"uint16", 16}, {"uint32", 32}, {"uint64", 64},
      {"int4", 8},  {"uint4", 8},   {"int2", 8},    {"uint2", 8}};
  for (const auto &[abi, width] : kStored)
    if (name == abi)
      return storage.isSignlessInteger(width);
  return false;
}

uint64_t elementBytes(Type t) {
  unsigned bits = t.getIntOrFloatBitWidth();
  return bits == 1 ? 1 : (bits + 7) / 8;
}

bool isIntegerText(llvm::StringRef s) {
  if (s.consume_front("-") && s.empty())
    return false;
  return !s.empty() && llvm::all_of(s, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

class Describer {
public:
  Describer(ModuleOp module, const DescribeOptions &options) : module(module), options(options) {}

  FailureOr<ModelDesc> run() {
    m.name = options.modelName;
    if (m.name.empty())
      m.name = module.getSymName() ? module.getSymName()->str() : "model";
    m.target = options.target;
    if (m.target == "cuda")
      m.gpuArchs = options.gpuArchs;
    if (failed(readSymbols()))
      return failure();
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward || forward.isExternal())
      return emitError(module.getLoc()) << "the module has no func.func @forward with a body",
             failure();
    if (failed(readForward(forward)))
      return failure();
    if (auto backward = module.lookupSymbol<func::FuncOp>("backward")) {
      if (backward.isExternal())
        return emitError(backward.getLoc()) << "@backward has no body", failure();
      if (failed(readBackward(backward)))
        return failure();
    }
    return std::move(m);
  }

private:
  ModuleOp module;
  const DescribeOptions &options;
  ModelDesc m;
  std::vector<std::string> savedNames;

  LogicalResult readSymbols() {
    Attribute attr = module->getAttr("thunder.symbols");
    if (!attr)
      return success();
    auto dict = dyn_cast<DictionaryAttr>(attr);
    if (!dict)
      return emitError(module.getLoc()) << "thunder.symbols must be a dictionary", failure();
    for (NamedAttribute entry : dict) {
      SmallVector<int64_t> range;
      if (auto arr = dyn_cast<ArrayAttr>(entry.getValue())) {
        for (Attribute a : arr)
          if (auto i = dyn_cast<IntegerAttr>(a))
            range.push_back(i.getInt());
      } else if (auto dense = dyn_cast<DenseI64ArrayAttr>(entry.getValue())) {
        range.assign(dense.asArrayRef().begin(), dense.asArrayRef().end());
      } else if (auto elems = dyn_cast<DenseIntElementsAttr>(entry.getValue())) {
        for (const APInt &v : elems)
          range.push_back(v.getSExtValue());
      }
      if (range.size() != 2)
        return emitError(module.getLoc())
                   << "thunder.symbols entry '" << entry.getName().getValue()
                   << "' must be [min, max]",
               failure();
      SymbolDesc s{entry.getName().str(), range[0], std::nullopt};
      if (range[1] >= 0)
        s.max = range[1];
      m.symbols.push_back(std::move(s));
    }
    return success();
  }

  static std::string stringAttr(DictionaryAttr attrs, llvm::StringRef key) {
    if (!attrs)
      return "";
    if (auto s = attrs.getAs<StringAttr>(key))
      return s.str();
    return "";
  }

  /// The tensor description of a value of type `type` with attributes `attrs`.
  FailureOr<TensorDesc> readTensor(Type type, DictionaryAttr attrs, Location loc,
                                   const std::string &what, bool synthesizeSymbols) {
    TensorDesc t;
    t.name = stringAttr(attrs, "thunder.name");
    // --mesh (lib/Shard): this rank's block of the tensor is along that dim.
    if (auto d = attrs ? attrs.getAs<IntegerAttr>("thunder_shard.sharded_dim") : IntegerAttr())
      t.shardedDim = d.getInt();
    // --shard-params: a parameter block; the model has the whole parameter.
    auto wholeSize = attrs ? attrs.getAs<IntegerAttr>("thunder_shard.whole_size") : IntegerAttr();
    auto shaped = dyn_cast<ShapedType>(type);
    if (!shaped || !shaped.hasRank() || !isa<RankedTensorType, MemRefType>(type))
      return emitError(loc) << what << " has type " << type << ", not a ranked tensor", failure();
    t.elementType = shaped.getElementType();
    t.dtype = dtypeName(t.elementType);
    if (t.dtype.empty())
      return emitError(loc) << what << " has element type " << t.elementType
                            << ", which the model ABI does not support",
             failure();
    // An integer the front end stores in a signless type of the same bytes
    // (ONNX's unsigned and 4- and 2-bit integers): the ABI names its own dtype.
    if (auto abi = attrs ? attrs.getAs<StringAttr>("thunder.dtype") : StringAttr()) {
      if (!isa<IntegerType>(t.elementType) || !isABIIntegerStoredAs(abi.getValue(), t.elementType))
        return emitError(loc) << what << ": thunder.dtype '" << abi.getValue()
                              << "' is not an integer dtype stored as " << t.elementType,
               failure();
      t.dtype = abi.str();
    }
    ArrayAttr dims = attrs ? attrs.getAs<ArrayAttr>("thunder.dims") : ArrayAttr();
    if (dims && static_cast<int64_t>(dims.size()) != shaped.getRank())
      return emitError(loc) << what << ": thunder.dims has " << dims.size()
                            << " entries for a tensor of rank " << shaped.getRank(),
             failure();
    for (int64_t d = 0, r = shaped.getRank(); d < r; ++d) {
      DimDesc dim;
      if (!shaped.isDynamicDim(d))
        dim.size = shaped.getDimSize(d);
      if (dims) {
        Attribute a = dims[d];
        if (auto i = dyn_cast<IntegerAttr>(a)) {
          if (!shaped.isDynamicDim(d) && i.getInt() != dim.size)
            return emitError(loc) << what << ": thunder.dims[" << d << "] = " << i.getInt()
                                  << " but the type has " << dim.size,
                   failure();
          if (shaped.isDynamicDim(d))
            return emitError(loc) << what << ": dimension " << d
                                  << " is dynamic but thunder.dims gives the constant "
                                  << i.getInt(),
                   failure();
        } else if (auto s = dyn_cast<StringAttr>(a)) {
          if (shaped.isDynamicDim(d)) {
            if (isIntegerText(s.getValue()))
              return emitError(loc) << what << ": dimension " << d
                                    << " is dynamic but thunder.dims gives the constant "
                                    << s.getValue(),
                     failure();
            dim.expr = s.str();
          }
        } else {
          return emitError(loc) << what << ": thunder.dims entries must be integers or strings",
                 failure();
        }
      }
      if (dim.size < 0 && dim.expr.empty()) {
        if (!synthesizeSymbols)
          dim.expr = "?";
        else
          dim.expr = "d" + std::to_string(m.inputs.size()) + "_" + std::to_string(d);
      }
      if (d == 0 && wholeSize)
        dim.size = wholeSize.getInt();
      t.shape.push_back(std::move(dim));
    }
    return t;
  }

  static int64_t findByName(const std::vector<TensorDesc> &list, llvm::StringRef name) {
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].name == name)
        return static_cast<int64_t>(i);
    return -1;
  }

  LogicalResult readForward(func::FuncOp f) {
    EntryDesc e{"forward", f.getSymName().str(), {}, {}};
    for (unsigned i = 0, n = f.getNumArguments(); i < n; ++i) {
      DictionaryAttr attrs = f.getArgAttrDict(i);
      Location loc = f.getArgument(i).getLoc();
      std::string kind = stringAttr(attrs, "thunder.kind");
      std::string what = "@forward argument #" + std::to_string(i);
      bool isInput = kind == "input";
      auto t = readTensor(f.getArgument(i).getType(), attrs, loc, what, isInput);
      if (failed(t))
        return failure();
      if (t->name.empty())
        t->name = kind + std::to_string(i);
      std::vector<TensorDesc> *list = nullptr;
      if (kind == "param") list = &m.params;
      else if (kind == "buffer") list = &m.buffers;
      else if (kind == "constant") list = &m.constants;
      else if (kind == "input") list = &m.inputs;
      else if (kind.empty())
        return emitError(loc) << what
                              << " has no thunder.kind (param, buffer, constant or input)",
               failure();
      else
        return emitError(loc) << what << " has thunder.kind '" << kind
                              << "'; expected param, buffer, constant or input",
               failure();
      if (kind == "buffer" && attrs)
        if (auto p = attrs.getAs<BoolAttr>("thunder.persistent"))
          t->persistent = p.getValue();
      if (kind != "input")
        for (const DimDesc &d : t->shape)
          if (d.size < 0)
            return emitError(loc) << what << " ('" << t->name << "') is a " << kind
                                  << " of dynamic shape",
                   failure();
      e.args.push_back(kind + ":" + std::to_string(list->size()));
      list->push_back(std::move(*t));
    }
    for (unsigned i = 0, n = f.getNumResults(); i < n; ++i) {
      DictionaryAttr attrs = f.getResultAttrDict(i);
      Location loc = f.getLoc();
      std::string kind = stringAttr(attrs, "thunder.kind");
      std::string what = "@forward result #" + std::to_string(i);
      auto t = readTensor(f.getResultTypes()[i], attrs, loc, what, false);
      if (failed(t))
        return failure();
      if (kind == "output" || kind.empty()) {
        if (t->name.empty())
          t->name = "output" + std::to_string(m.outputs.size());
        e.results.push_back("output:" + std::to_string(m.outputs.size()));
        m.outputs.push_back(std::move(*t));
      } else if (kind == "mutated_buffer") {
        int64_t b = findByName(m.buffers, t->name);
        if (b < 0)
          return emitError(loc) << what << " mutates buffer '" << t->name
                                << "', which is not an argument of @forward",
                 failure();
        if (m.buffers[b].dtype != t->dtype)
          return emitError(loc) << what << " writes " << t->dtype << " into buffer '" << t->name
                                << "' of " << m.buffers[b].dtype,
                 failure();
        e.results.push_back("mutated_buffer:" + std::to_string(m.mutatedBuffers.size()));
        m.mutatedBuffers.push_back(b);
        m.buffers[b].mutated = true;
      } else if (kind == "saved") {
        if (auto idx = indexAttr(attrs); idx && *idx != static_cast<int64_t>(m.saved.size()))
          return emitError(loc) << what << " is saved value " << *idx << " but saved values "
                                << "must come in order (expected " << m.saved.size() << ")",
                 failure();
        e.results.push_back("saved:" + std::to_string(m.saved.size()));
        m.saved.push_back({t->dtype, static_cast<int64_t>(t->shape.size())});
        savedNames.push_back(t->name);
      } else {
        return emitError(loc) << what << " has thunder.kind '" << kind
                              << "'; expected output, mutated_buffer or saved",
               failure();
      }
    }
    m.entries.push_back(std::move(e));
    return success();
  }

  static std::optional<int64_t> indexAttr(DictionaryAttr attrs) {
    if (auto idx = attrs ? attrs.getAs<IntegerAttr>("thunder.index") : IntegerAttr())
      return idx.getInt();
    return std::nullopt;
  }

  std::vector<TensorDesc> *forwardList(llvm::StringRef kind) {
    if (kind == "param") return &m.params;
    if (kind == "buffer") return &m.buffers;
    if (kind == "constant") return &m.constants;
    if (kind == "input") return &m.inputs;
    return nullptr;
  }

  /// @backward's arguments (docs/model-abi.md): saved:k, cotangent:k (k the
  /// output index) and references param:i / buffer:i / constant:i to forward's
  /// arguments. thunder.index gives k or i; without it the name, then the
  /// position decides.
  LogicalResult readBackward(func::FuncOp f) {
    EntryDesc e{"backward", f.getSymName().str(), {}, {}};
    size_t nextSaved = 0, nextCotangent = 0;
    for (unsigned i = 0, n = f.getNumArguments(); i < n; ++i) {
      DictionaryAttr attrs = f.getArgAttrDict(i);
      Location loc = f.getArgument(i).getLoc();
      std::string kind = stringAttr(attrs, "thunder.kind");
      std::string name = stringAttr(attrs, "thunder.name");
      std::optional<int64_t> index = indexAttr(attrs);
      std::string what = "@backward argument #" + std::to_string(i);
      if (kind.empty())
        kind = i < m.saved.size() ? "saved" : "cotangent";
      int64_t k = -1;
      if (kind == "saved") {
        k = index ? *index : static_cast<int64_t>(nextSaved);
        ++nextSaved;
        if (k < 0 || k >= static_cast<int64_t>(m.saved.size()))
          return emitError(loc) << what << " is saved value " << k << " but @forward saves "
                                << m.saved.size(),
                 failure();
      } else if (kind == "cotangent") {
        if (index)
          k = *index;
        else if (!name.empty())
          k = findByName(m.outputs, name);
        if (k < 0)
          k = static_cast<int64_t>(nextCotangent);
        ++nextCotangent;
        if (k >= static_cast<int64_t>(m.outputs.size()))
          return emitError(loc) << what << " is the cotangent of output " << k
                                << " but @forward has " << m.outputs.size() << " outputs",
                 failure();
      } else if (kind == "param" || kind == "buffer" || kind == "constant") {
        std::vector<TensorDesc> &list = *forwardList(kind);
        k = index ? *index : findByName(list, name);
        if (k < 0 || k >= static_cast<int64_t>(list.size()))
          return emitError(loc) << what << " refers to " << kind << " "
                                << (index ? std::to_string(*index) : "'" + name + "'")
                                << ", which @forward does not take",
                 failure();
        if (kind == "buffer" && m.buffers[k].mutated)
          return emitError(loc) << what << " refers to buffer '" << m.buffers[k].name
                                << "', which forward mutates (backward must save its old value)",
                 failure();
      } else {
        return emitError(loc) << what << " has thunder.kind '" << kind
                              << "'; expected saved, cotangent, param, buffer or constant",
               failure();
      }
      e.args.push_back(kind + ":" + std::to_string(k));
    }
    for (unsigned i = 0, n = f.getNumResults(); i < n; ++i) {
      DictionaryAttr attrs = f.getResultAttrDict(i);
      std::string kind = stringAttr(attrs, "thunder.kind");
      std::string name = stringAttr(attrs, "thunder.name");
      std::optional<int64_t> index = indexAttr(attrs);
      std::string what = "@backward result #" + std::to_string(i);
      bool isParam = kind == "grad_param";
      if (!isParam && kind != "grad_input")
        return emitError(f.getLoc()) << what << " has thunder.kind '" << kind
                                     << "'; expected grad_param or grad_input",
               failure();
      std::vector<TensorDesc> &list = isParam ? m.params : m.inputs;
      int64_t idx = index ? *index : findByName(list, name);
      if (idx < 0 || idx >= static_cast<int64_t>(list.size()))
        return emitError(f.getLoc()) << what << " is the gradient of "
                                     << (isParam ? "parameter" : "input") << " "
                                     << (index ? std::to_string(*index) : "'" + name + "'")
                                     << ", which @forward does not take",
               failure();
      std::vector<int64_t> &grads = isParam ? m.gradParams : m.gradInputs;
      if (llvm::is_contained(grads, idx))
        return emitError(f.getLoc()) << what << " repeats the gradient of '" << list[idx].name
                                     << "'",
               failure();
      e.results.push_back(kind + ":" + std::to_string(grads.size()));
      grads.push_back(idx);
      list[idx].hasGrad = true;
    }
    m.entries.push_back(std::move(e));
    return success();
  }
};

} // namespace

FailureOr<ModelDesc> describeModel(ModuleOp module, const DescribeOptions &options) {
  return Describer(module, options).run();
}

namespace {

/// The three weight lists with the word diagnostics use for them.
std::array<std::pair<const char *, std::vector<TensorDesc> *>, 3> weightLists(ModelDesc &model) {
  return {{{"parameter", &model.params},
           {"buffer", &model.buffers},
           {"constant", &model.constants}}};
}

} // namespace

void layOutWeights(ModelDesc &model) {
  uint64_t cursor = 0;
  for (auto [kind, list] : weightLists(model)) {
    for (TensorDesc &t : *list) {
      uint64_t n = elementBytes(t.elementType);
      for (const DimDesc &d : t.shape)
        n *= static_cast<uint64_t>(d.size);
      t.nbytes = n;
      t.offset = (cursor + kWeightAlignment - 1) / kWeightAlignment * kWeightAlignment;
      cursor = t.offset + n;
    }
  }
  model.weightsSize = (cursor + kWeightAlignment - 1) / kWeightAlignment * kWeightAlignment;
}

LogicalResult packWeights(ModelDesc &model, const WeightStore &weights, std::vector<uint8_t> &blob,
                          Location loc, bool zeroFillMissing) {
  layOutWeights(model);
  blob.assign(model.weightsSize, 0);
  for (auto [kind, list] : weightLists(model)) {
    for (const TensorDesc &t : *list) {
      auto it = weights.bytes.find(t.name);
      if (it == weights.bytes.end()) {
        if (zeroFillMissing)
          continue;
        return emitError(loc) << "no weights for " << kind << " '" << t.name << "'", failure();
      }
      if (it->second.size() != t.nbytes)
        return emitError(loc) << "the weights of " << kind << " '" << t.name << "' have "
                              << it->second.size() << " bytes; its " << t.dtype
                              << " shape needs " << t.nbytes,
               failure();
      std::copy(it->second.begin(), it->second.end(), blob.begin() + t.offset);
    }
  }
  return success();
}

namespace {

void writeShape(llvm::json::OStream &j, const TensorDesc &t) {
  j.attributeArray("shape", [&] {
    for (const DimDesc &d : t.shape) {
      if (d.size >= 0)
        j.value(d.size);
      else
        j.value(d.expr);
    }
  });
}

void writeTensors(llvm::json::OStream &j, llvm::StringRef key, const std::vector<TensorDesc> &list,
                  bool stored, bool isBuffer) {
  j.attributeArray(key, [&] {
    for (const TensorDesc &t : list)
      j.object([&] {
        j.attribute("name", t.name);
        j.attribute("dtype", t.dtype);
        writeShape(j, t);
        if (stored) {
          j.attribute("offset", static_cast<int64_t>(t.offset));
          j.attribute("nbytes", static_cast<int64_t>(t.nbytes));
        }
        if (isBuffer)
          j.attribute("persistent", t.persistent);
        if (t.shardedDim >= 0)
          j.attribute("sharded_dim", t.shardedDim);
      });
  });
}

void writeInts(llvm::json::OStream &j, llvm::StringRef key, const std::vector<int64_t> &v) {
  j.attributeArray(key, [&] {
    for (int64_t x : v)
      j.value(x);
  });
}

} // namespace

std::string renderMetaJSON(const ModelDesc &model) {
  std::string out;
  llvm::raw_string_ostream os(out);
  llvm::json::OStream j(os);
  j.object([&] {
    j.attribute("version", 1);
    j.attribute("name", model.name);
    j.attribute("target", model.target);
    if (model.externalWeights) {
      j.attribute("weights", "external");
      j.attribute("weights_size", static_cast<int64_t>(model.weightsSize));
    }
    if (model.target == "cuda")
      j.attributeArray("gpu_archs", [&] {
        for (const std::string &a : model.gpuArchs)
          j.value(a);
      });
    if (model.perSample)
      j.attribute("per_sample", true);
    if (!model.mesh.empty())
      j.attributeArray("mesh", [&] {
        for (const auto &[axis, size] : model.mesh)
          j.array([&] {
            j.value(axis);
            j.value(size);
          });
      });
    j.attributeArray("symbols", [&] {
      for (const SymbolDesc &s : model.symbols)
        j.object([&] {
          j.attribute("name", s.name);
          j.attribute("min", s.min);
          if (s.max)
            j.attribute("max", *s.max);
          else
            j.attribute("max", nullptr);
        });
    });
    writeTensors(j, "inputs", model.inputs, false, false);
    writeTensors(j, "outputs", model.outputs, false, false);
    writeTensors(j, "params", model.params, true, false);
    writeTensors(j, "buffers", model.buffers, true, true);
    writeTensors(j, "constants", model.constants, true, false);
    j.attributeObject("entries", [&] {
      for (const EntryDesc &e : model.entries)
        j.attributeObject(e.name, [&] {
          j.attributeArray("args", [&] {
            for (const std::string &a : e.args)
              j.value(a);
          });
          j.attributeArray("results", [&] {
            for (const std::string &r : e.results)
              j.value(r);
          });
        });
    });
    writeInts(j, "mutated_buffers", model.mutatedBuffers);
    j.attributeArray("saved", [&] {
      for (const SavedDesc &s : model.saved)
        j.object([&] {
          j.attribute("dtype", s.dtype);
          j.attribute("rank", s.rank);
        });
    });
    writeInts(j, "grad_inputs", model.gradInputs);
    writeInts(j, "grad_params", model.gradParams);
  });
  return out;
}

//===----------------------------------------------------------------------===//
// MODEL.h
//===----------------------------------------------------------------------===//

namespace {

/// An upper-case C identifier made of `s` ("0.weight" -> "0_WEIGHT").
std::string macroPart(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    else if (out.empty() || out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  if (out.empty())
    out = "X";
  return out;
}

/// A C comment-safe rendering (no "*/").
std::string commentSafe(llvm::StringRef s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '*' && i + 1 < s.size() && s[i + 1] == '/')
      out += ' ';
  }
  return out;
}

/// A C string literal.
std::string cString(llvm::StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (std::isprint(static_cast<unsigned char>(c)))
      out += c;
    else {
      char buf[8];
      snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out + "\"";
}

const char *dlpackCode(llvm::StringRef dtype) {
  if (dtype == "bool") return "THUNDER_DL_BOOL";
  if (dtype == "bfloat16") return "kDLBfloat";
  if (dtype.starts_with("float")) return "kDLFloat";
  if (dtype.starts_with("uint")) return "kDLUInt";
  return "kDLInt";
}

int dtypeBits(llvm::StringRef dtype) {
  if (dtype == "bool") return 8;
  llvm::StringRef digits = dtype.drop_while([](char c) { return !std::isdigit(static_cast<unsigned char>(c)); });
  int bits = 0;
  digits.getAsInteger(10, bits);
  return bits;
}

std::string shapeText(const TensorDesc &t) {
  std::string s = "[";
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (i)
      s += ", ";
    s += t.shape[i].size >= 0 ? std::to_string(t.shape[i].size) : t.shape[i].expr;
  }
  return s + "]";
}

class HeaderWriter {
public:
  HeaderWriter(const ModelDesc &m, llvm::raw_ostream &os) : m(m), os(os), prefix(macroPart(m.name)) {}

  void write() {
    std::string guard = "THUNDER_MODEL_" + prefix + "_H";
    os << "/* " << commentSafe(m.name) << ".h - generated by thunderc; do not edit.\n"
       << " *\n"
       << " * The interface of the compiled model \"" << commentSafe(m.name) << "\" (target "
       << m.target << "). Call it through the C API of <thunder/runtime/thunder.h>:\n"
       << " * thunder_model_create(), thunder_forward(), ...";
    if (!m.apiPrefix.empty())
      os << " or, in a binary that links several\n"
         << " * models, the same functions under this model's prefix: " << m.apiPrefix
         << "_model_create(),\n * " << m.apiPrefix << "_forward(), ... (declared below).";
    os << " The indices below are the\n"
       << " * positions in the arrays those functions take and the i of\n"
       << " * thunder_input_info() / thunder_param_info() and friends.\n"
       << " * A shape entry of -1 is a symbolic size; its name and range are given.\n"
       << " */\n"
       << "#ifndef " << guard << "\n#define " << guard << "\n\n"
       << "#include <thunder/runtime/thunder.h>\n\n";
    os << "#define " << prefix << "_MODEL_NAME " << cString(m.name) << "\n";
    os << "#define " << prefix << "_TARGET " << cString(m.target) << "\n";
    if (m.target == "cuda") {
      std::string archs;
      for (const std::string &a : m.gpuArchs)
        archs += (archs.empty() ? "" : ",") + a;
      os << "#define " << prefix << "_GPU_ARCHS " << cString(archs) << "\n";
    }
    bool backward = m.entries.size() > 1;
    os << "#define " << prefix << "_HAS_BACKWARD " << (backward ? 1 : 0) << "\n";
    os << "#define " << prefix << "_NUM_INPUTS " << m.inputs.size() << "\n";
    os << "#define " << prefix << "_NUM_OUTPUTS " << m.outputs.size() << "\n";
    os << "#define " << prefix << "_NUM_PARAMS " << m.params.size() << "\n";
    os << "#define " << prefix << "_NUM_BUFFERS " << m.buffers.size() << "\n";
    os << "#define " << prefix << "_NUM_SYMBOLS " << m.symbols.size() << "\n";
    os << "#define " << prefix << "_WEIGHTS_BYTES " << m.weightsSize << "ull\n\n";

    if (!m.symbols.empty()) {
      os << "/* Symbolic sizes, bound from the inputs at each call: name [min, max] (max -1: unbounded). */\n";
      for (const SymbolDesc &s : m.symbols) {
        std::string p = prefix + "_SYM_" + macroPart(s.name);
        os << "#define " << p << "_MIN " << s.min << "\n";
        os << "#define " << p << "_MAX " << (s.max ? *s.max : -1) << "\n";
      }
      os << "\n";
    }
    if (!m.apiPrefix.empty())
      writePrefixedAPI();
    if (!m.customSymbols.empty())
      writeCustomSymbols();
    writeGroup("INPUT", "Inputs (thunder_forward's `inputs`)", m.inputs);
    writeGroup("OUTPUT", "Outputs (thunder_forward's `outputs`)", m.outputs);
    writeGroup("PARAM", "Parameters (thunder_model_create_with_weights' `params`)", m.params);
    writeGroup("BUFFER", "Buffers (thunder_get_buffer / thunder_set_buffer)", m.buffers);
    os << "#endif /* " << guard << " */\n";
  }

private:
  const ModelDesc &m;
  llvm::raw_ostream &os;
  std::string prefix;

  void writePrefixedAPI() {
    os << "/* The C API of thunder.h under this model's prefix (thunderc --name=" << m.apiPrefix
       << "):\n"
       << " * " << m.apiPrefix << "_X is thunder_X of this model's library, whatever else the\n"
       << " * binary links. Instances of one model go only to its own functions. */\n"
       << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n";
    for (const APIFunction &f : apiFunctions()) {
      llvm::StringRef ret(f.returnType);
      os << ret << (ret.ends_with("*") ? "" : " ") << m.apiPrefix << "_" << f.name << f.params
         << ";\n";
    }
    os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n";
  }

  /// What the library given to thunderc --link must export.
  void writeCustomSymbols() {
    os << "/* Custom operators: MODEL.so calls these functions of the library given to\n"
       << " * thunderc --link (thunder_custom_op_fn of thunder.h; docs/custom-ops.md):\n";
    for (const CustomSymbol &s : m.customSymbols)
      os << " *   " << s.symbol << ": " << commentSafe(s.op) << (s.backward ? ", its gradient" : "")
         << "\n";
    os << " */\n#define " << prefix << "_NUM_CUSTOM_SYMBOLS " << m.customSymbols.size() << "\n"
       << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n";
    for (const CustomSymbol &s : m.customSymbols)
      os << "thunder_status " << s.symbol
         << "(const DLTensor *const *inputs, size_t num_inputs, const thunder_scalar *scalars,\n"
         << "    size_t num_scalars, DLTensor *const *outputs, size_t num_outputs, void *cuda_stream);\n";
    os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n";
  }

  void writeGroup(llvm::StringRef kind, llvm::StringRef title, const std::vector<TensorDesc> &list) {
    os << "/* " << title << ": " << list.size() << "\n";
    for (size_t i = 0; i < list.size(); ++i) {
      const TensorDesc &t = list[i];
      os << " *   " << i << ": " << commentSafe(t.name) << "  " << t.dtype << " "
         << commentSafe(shapeText(t));
      for (const DimDesc &d : t.shape)
        if (d.size < 0)
          for (const SymbolDesc &s : m.symbols)
            if (s.name == d.expr)
              os << "  " << s.name << " in [" << s.min << ", "
                 << (s.max ? std::to_string(*s.max) : std::string("inf")) << "]";
      if (t.hasGrad)
        os << "  (has gradient)";
      if (t.mutated)
        os << "  (mutated by forward)";
      if (kind == "BUFFER" && !t.persistent)
        os << "  (not persistent)";
      os << "\n";
    }
    os << " */\n";
    if (list.empty()) {
      os << "\n";
      return;
    }
    // Indices as an enum, one macro set per tensor; names made unique.
    llvm::StringSet<> used;
    std::vector<std::string> ids;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string id = prefix + "_" + kind.str() + "_" + macroPart(list[i].name);
      if (!used.insert(id).second)
        id += "_" + std::to_string(i);
      used.insert(id);
      ids.push_back(id);
    }
    os << "enum {\n";
    for (size_t i = 0; i < list.size(); ++i)
      os << "  " << ids[i] << " = " << i << ",\n";
    os << "};\n";
    for (size_t i = 0; i < list.size(); ++i) {
      const TensorDesc &t = list[i];
      const std::string &id = ids[i];
      os << "#define " << id << "_NAME " << cString(t.name) << "\n";
      os << "#define " << id << "_DTYPE " << cString(t.dtype) << "\n";
      os << "#define " << id << "_DLTYPE {" << dlpackCode(t.dtype) << ", " << dtypeBits(t.dtype)
         << ", 1}\n";
      os << "#define " << id << "_NDIM " << t.shape.size() << "\n";
      os << "#define " << id << "_SHAPE {";
      for (size_t d = 0; d < t.shape.size(); ++d)
        os << (d ? ", " : "") << t.shape[d].size;
      os << "}\n";
      bool symbolic = llvm::any_of(t.shape, [](const DimDesc &d) { return d.size < 0; });
      if (symbolic) {
        os << "#define " << id << "_DIM_NAMES {";
        for (size_t d = 0; d < t.shape.size(); ++d)
          os << (d ? ", " : "") << (t.shape[d].size >= 0 ? std::string("NULL") : cString(t.shape[d].expr));
        os << "}\n";
      }
      if (kind == "PARAM" || kind == "BUFFER")
        os << "#define " << id << "_NBYTES " << t.nbytes << "ull\n";
    }
    os << "\n";
  }
};

} // namespace

std::string renderHeader(const ModelDesc &model) {
  std::string out;
  llvm::raw_string_ostream os(out);
  HeaderWriter(model, os).write();
  return out;
}

} // namespace thunder::target
