//===- FixtureGradTest.cpp - training fixtures against PyTorch's grads ----===//
//
// For each training fixture: import the .pt2, run thunder-autodiff, lower and
// JIT-compile (Jit.h), run forward on the reference inputs and weights, then
// backward on its saved values and the reference cotangents, and compare the
// outputs, mutated buffers and every gradient with the reference of
// NAME.ref.safetensors (the tolerances of test/fixtures/README.md). This
// checks the transform on real models without the code generator and the
// runtime.
//
//===----------------------------------------------------------------------===//
#include "Jit.h"

#include "thunder/Autodiff/Autodiff.h"
#include "thunder/Importer/Importer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace mlir;
using thunder::testing::descriptor;
using thunder::testing::readFloats;
using thunder::testing::resultOffset;

namespace {

/// Fixtures this test cannot run yet, and why (the one side table of
/// expected failures).
const std::map<std::string, std::string> kKnownBroken = {};

struct Tensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

/// A safetensors file: 8-byte header length, JSON header, data.
bool readSafetensors(const std::string &path,
                     std::map<std::string, Tensor> &out, std::string &error) {
  auto file = llvm::MemoryBuffer::getFile(path);
  if (!file)
    return error = "cannot read " + path, false;
  llvm::StringRef data = (*file)->getBuffer();
  uint64_t n;
  std::memcpy(&n, data.data(), 8);
  auto header = llvm::json::parse(data.substr(8, n));
  if (!header)
    return error = llvm::toString(header.takeError()), false;
  const char *base = data.data() + 8 + n;
  for (auto &[key, value] : *header->getAsObject()) {
    if (key == "__metadata__")
      continue;
    const llvm::json::Object *entry = value.getAsObject();
    Tensor t;
    t.dtype = entry->getString("dtype")->str();
    for (const llvm::json::Value &e : *entry->getArray("shape"))
      t.shape.push_back(*e.getAsInteger());
    const llvm::json::Array *offsets = entry->getArray("data_offsets");
    int64_t begin = *(*offsets)[0].getAsInteger(),
            end = *(*offsets)[1].getAsInteger();
    t.bytes.assign(base + begin, base + end);
    out[key.str()] = std::move(t);
  }
  return true;
}

std::vector<double> asDoubles(const Tensor &t) {
  std::vector<double> out;
  if (t.dtype == "F32") {
    for (size_t i = 0; i < t.bytes.size(); i += 4) {
      float f;
      std::memcpy(&f, t.bytes.data() + i, 4);
      out.push_back(f);
    }
  } else if (t.dtype == "F64") {
    for (size_t i = 0; i < t.bytes.size(); i += 8) {
      double d;
      std::memcpy(&d, t.bytes.data() + i, 8);
      out.push_back(d);
    }
  } else if (t.dtype == "I64") {
    for (size_t i = 0; i < t.bytes.size(); i += 8) {
      int64_t v;
      std::memcpy(&v, t.bytes.data() + i, 8);
      out.push_back(static_cast<double>(v));
    }
  }
  return out;
}

std::vector<int64_t> shapeOf(Type t) {
  auto tensor = cast<RankedTensorType>(t);
  return std::vector<int64_t>(tensor.getShape().begin(),
                              tensor.getShape().end());
}

int elementBytes(Type t) {
  unsigned bits =
      cast<RankedTensorType>(t).getElementType().getIntOrFloatBitWidth();
  return std::max(1u, bits / 8);
}

std::vector<double> readResult(const int64_t *words, Type t) {
  auto tensor = cast<RankedTensorType>(t);
  if (tensor.getElementType().isInteger(64)) {
    // Integer results (num_batches_tracked): read through a double view.
    std::vector<double> out;
    auto *aligned = reinterpret_cast<const int64_t *>(words[1]);
    int64_t n = tensor.getNumElements();
    for (int64_t i = 0; i < n; ++i)
      out.push_back(static_cast<double>(aligned[words[2] + i]));
    return out;
  }
  return readFloats(words, tensor.getRank(), elementBytes(t));
}

/// The float64 truth of one gradient where the float32 reference is off it
/// (test/fixtures/NAME.truth.safetensors, gen_f64_truth.py): element -> value.
using Truth = std::map<size_t, double>;

Truth truthOf(const std::map<std::string, Tensor> &file, const std::string &key) {
  Truth out;
  auto idx = file.find("truth.index." + key), val = file.find("truth.value." + key);
  if (idx == file.end() || val == file.end())
    return out;
  std::vector<double> at = asDoubles(idx->second), value = asDoubles(val->second);
  for (size_t i = 0; i < at.size() && i < value.size(); ++i)
    out[static_cast<size_t>(at[i])] = value[i];
  return out;
}

/// Compares `got` with `want` elementwise: |got - want| <= atol + rtol |want|.
/// An element off `want` passes when it is at least as close to the float64
/// truth as `want` is (as compare.py --truth does).
void expectClose(const std::vector<double> &got,
                 const std::vector<double> &want, double rtol, double atol,
                 const std::string &what, const Truth &truth = {}) {
  ASSERT_EQ(got.size(), want.size()) << what;
  size_t bad = 0, worst = 0;
  double worstErr = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double err = std::fabs(got[i] - want[i]);
    auto t = truth.find(i);
    if (!(err <= atol + rtol * std::fabs(want[i])) &&
        !(t != truth.end() &&
          std::fabs(got[i] - t->second) <= std::fabs(want[i] - t->second) + atol)) {
      ++bad;
      if (!(err <= worstErr)) {
        worstErr = err;
        worst = i;
      }
    }
  }
  if (getenv("THUNDER_VJP_VERBOSE")) {
    double ratio = 0;
    for (size_t i = 0; i < got.size(); ++i)
      ratio = std::max(ratio, std::fabs(got[i] - want[i]) /
                                  (atol + rtol * std::fabs(want[i])));
    std::cerr << "  " << what << ": worst error / tolerance " << ratio << "\n";
  }
  EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << got.size()
                     << " elements differ; worst [" << worst << "] "
                     << got[worst] << " vs " << want[worst];
}

class FixtureGradTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureGradTest, MatchesPyTorch) {
  const std::string name = GetParam();
  if (auto it = kKnownBroken.find(name); it != kKnownBroken.end())
    GTEST_SKIP() << it->second;
  std::string dir = std::string(THUNDER_SOURCE_DIR) + "/test/fixtures/";
  std::map<std::string, Tensor> ref;
  std::string error;
  ASSERT_TRUE(readSafetensors(dir + name + ".ref.safetensors", ref, error))
      << error;
  // The float64 truth where the float32 reference itself is off (gpt2's
  // h.0.attn.c_proj.bias by 1.14x the tolerance): test/fixtures/README.md.
  std::map<std::string, Tensor> truth;
  if (llvm::sys::fs::exists(dir + name + ".truth.safetensors")) {
    ASSERT_TRUE(readSafetensors(dir + name + ".truth.safetensors", truth, error))
        << error;
  }

  DialectRegistry registry;
  thunder::testing::registerEverything(registry);
  thunder::registerImporterDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  auto imported = thunder::importPT2(ctx, dir + name + ".pt2");
  ASSERT_TRUE(succeeded(imported)) << "import failed";
  ModuleOp module = *imported->module;
  thunder::WeightStore &weights = imported->weights;
  auto stats = thunder::autodiff::addBackward(module, {});
  ASSERT_TRUE(succeeded(stats) && succeeded(verify(module)));
  std::cerr << name << ": " << stats->numSaved << " saved values, "
            << stats->savedBytes << " bytes; " << stats->numRecomputed
            << " recomputed ops; " << stats->numReferences << " references\n";

  auto fwd = module.lookupSymbol<func::FuncOp>("forward");
  auto bwd = module.lookupSymbol<func::FuncOp>("backward");
  auto attr = [](DictionaryAttr d, StringRef key) {
    return d ? d.getAs<StringAttr>(key) : StringAttr();
  };
  auto index = [](DictionaryAttr d) {
    return d.getAs<IntegerAttr>("thunder.index").getInt();
  };
  // Forward argument storage: weights by name, inputs from the reference.
  std::vector<std::vector<uint8_t>> storage;
  std::map<std::string, size_t> weightSlot; // thunder.name -> storage
  std::vector<std::vector<int64_t>> fwdDescs;
  int inputIndex = 0;
  for (unsigned i = 0; i < fwd.getNumArguments(); ++i) {
    DictionaryAttr d = fwd.getArgAttrDict(i);
    std::string kind = attr(d, "thunder.kind").str();
    std::string argName = attr(d, "thunder.name").str();
    if (kind == "input") {
      storage.push_back(ref.at("input." + std::to_string(inputIndex++)).bytes);
    } else {
      ASSERT_TRUE(weights.bytes.count(argName)) << argName;
      storage.push_back(weights.bytes.at(argName));
      weightSlot[kind + ":" + argName] = storage.size() - 1;
    }
  }
  for (unsigned i = 0; i < fwd.getNumArguments(); ++i)
    fwdDescs.push_back(
        descriptor(storage[i].data(), shapeOf(fwd.getArgumentTypes()[i])));

  std::string jitError;
  auto ranks = [](TypeRange types) {
    std::vector<int64_t> r;
    for (Type t : types)
      r.push_back(cast<RankedTensorType>(t).getRank());
    return r;
  };
  std::vector<int64_t> fwdRanks = ranks(fwd.getResultTypes());
  std::vector<int64_t> bwdRanks = ranks(bwd.getResultTypes());
  SmallVector<Type> fwdResultTypes(fwd.getResultTypes());
  SmallVector<Type> bwdResultTypes(bwd.getResultTypes());
  SmallVector<Type> bwdArgTypes(bwd.getArgumentTypes());
  SmallVector<DictionaryAttr> fwdResultAttrs, bwdArgAttrs, bwdResultAttrs;
  for (unsigned r = 0; r < fwd.getNumResults(); ++r)
    fwdResultAttrs.push_back(fwd.getResultAttrDict(r));
  for (unsigned a = 0; a < bwd.getNumArguments(); ++a)
    bwdArgAttrs.push_back(bwd.getArgAttrDict(a));
  for (unsigned r = 0; r < bwd.getNumResults(); ++r)
    bwdResultAttrs.push_back(bwd.getResultAttrDict(r));

  thunder::testing::JitModule jit;
  ASSERT_TRUE(jit.build(module, jitError)) << jitError;

  std::vector<int64_t *> fargs;
  for (auto &d : fwdDescs)
    fargs.push_back(d.data());
  std::vector<int64_t> fres = jit.call("forward", fargs, fwdRanks);
  ASSERT_FALSE(fres.empty());

  // Outputs and mutated buffers against the reference.
  std::map<int64_t, size_t> savedResult;
  std::vector<int64_t> floatOutputs; // forward result indices
  int outputIndex = 0;
  for (size_t r = 0; r < fwdResultTypes.size(); ++r) {
    std::string kind = attr(fwdResultAttrs[r], "thunder.kind").str();
    const int64_t *words = fres.data() + resultOffset(fwdRanks, r);
    if (kind == "output") {
      if (isa<FloatType>(
              cast<RankedTensorType>(fwdResultTypes[r]).getElementType()))
        floatOutputs.push_back(r);
      expectClose(readResult(words, fwdResultTypes[r]),
                  asDoubles(ref.at("output." + std::to_string(outputIndex++))),
                  2e-4, 2e-5, "output " + std::to_string(r));
    } else if (kind == "mutated_buffer") {
      std::string buffer = attr(fwdResultAttrs[r], "thunder.name").str();
      expectClose(readResult(words, fwdResultTypes[r]),
                  asDoubles(ref.at("buffer." + buffer)), 2e-4, 2e-5,
                  "buffer " + buffer);
    } else if (kind == "saved") {
      savedResult[index(fwdResultAttrs[r])] = r;
    }
  }

  // Backward: saved values, reference cotangents, references.
  std::vector<std::vector<uint8_t>> cotangents;
  std::vector<std::vector<int64_t>> bwdDescs(bwdArgTypes.size());
  std::vector<int64_t *> bargs;
  for (size_t a = 0; a < bwdArgTypes.size(); ++a) {
    std::string kind = attr(bwdArgAttrs[a], "thunder.kind").str();
    if (kind == "saved") {
      bargs.push_back(
          fres.data() +
          resultOffset(fwdRanks, savedResult.at(index(bwdArgAttrs[a]))));
      continue;
    }
    if (kind == "cotangent") {
      int64_t r = index(bwdArgAttrs[a]);
      size_t k = std::find(floatOutputs.begin(), floatOutputs.end(), r) -
                 floatOutputs.begin();
      cotangents.push_back(ref.at("cotangent." + std::to_string(k)).bytes);
      bwdDescs[a] =
          descriptor(cotangents.back().data(), shapeOf(bwdArgTypes[a]));
    } else {
      std::string argName = attr(bwdArgAttrs[a], "thunder.name").str();
      bwdDescs[a] =
          descriptor(storage.at(weightSlot.at(kind + ":" + argName)).data(),
                     shapeOf(bwdArgTypes[a]));
    }
    bargs.push_back(bwdDescs[a].data());
  }
  std::vector<int64_t> bres = jit.call("backward", bargs, bwdRanks);
  ASSERT_FALSE(bres.empty());
  // Every gradient of the reference has a backward result.
  size_t refGrads = llvm::count_if(ref, [](const auto &entry) {
    return llvm::StringRef(entry.first).starts_with("grad.");
  });
  size_t compared = 0;
  for (size_t r = 0; r < bwdResultTypes.size(); ++r) {
    std::string kind = attr(bwdResultAttrs[r], "thunder.kind").str();
    std::string key =
        kind == "grad_param"
            ? "grad.param." + attr(bwdResultAttrs[r], "thunder.name").str()
            : "grad.input." + std::to_string(index(bwdResultAttrs[r]));
    if (!ref.count(key))
      continue;
    ++compared;
    expectClose(
        readResult(bres.data() + resultOffset(bwdRanks, r), bwdResultTypes[r]),
        asDoubles(ref.at(key)), 1e-3, 1e-4, key, truthOf(truth, key));
  }
  EXPECT_EQ(compared, refGrads);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureGradTest,
                         ::testing::Values("mlp_train", "cnn_train",
                                           "vit_tiny_train", "gpt2_tiny_train",
                                           "llama_tiny_train", "bert_tiny_train",
                                           "qwen2_tiny_train",
                                           "lstm_free_seq_train"),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                           return info.param;
                         });

} // namespace
