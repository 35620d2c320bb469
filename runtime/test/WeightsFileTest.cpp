//===- WeightsFileTest.cpp - Models whose weights live outside the .so -----===//
//
// affine_external is affine.c built as thunderc --weights=external builds a
// model: no payloads in the .so, "weights": "external" in the meta. Its
// weights come from a safetensors file (thunder_model_create_from_file) or
// from the caller's tensors (thunder_model_create_with_tensors); bad files
// are refused with a message naming the file and the tensor.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "safetensors/Safetensors.h"

#include <cstdio>
#include <fstream>

using namespace thunder::test;

namespace {

constexpr float kW[4] = {1, 2, 3, 4};
constexpr float kB[4] = {0.5f, -0.5f, 0.25f, -0.25f};

/// The ABI of a model .so, with the functions for external weights.
struct ExternalLib : Lib {
  decltype(&::thunder_model_create_from_file) create_from_file = nullptr;
  decltype(&::thunder_model_create_with_tensors) create_with_tensors = nullptr;
  decltype(&::thunder_weights_external) weights_external = nullptr;
  decltype(&::thunder_num_constants) num_constants = nullptr;
  decltype(&::thunder_constant_info) constant_info = nullptr;

  explicit ExternalLib(const std::string &name) : Lib(name) {
    if (!handle)
      return;
    auto get = [&](auto &fn, const char *symbol) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, symbol));
      if (!fn)
        ADD_FAILURE() << name << " does not export " << symbol;
    };
    get(create_from_file, "thunder_model_create_from_file");
    get(create_with_tensors, "thunder_model_create_with_tensors");
    get(weights_external, "thunder_weights_external");
    get(num_constants, "thunder_num_constants");
    get(constant_info, "thunder_constant_info");
  }
};

thunder::st::Tensor tensor(const std::string &dtype, std::vector<int64_t> shape,
                           const void *data, size_t bytes) {
  thunder::st::Tensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.data.assign(static_cast<const uint8_t *>(data), static_cast<const uint8_t *>(data) + bytes);
  return t;
}

/// The weights of affine.c, as thunderc --weights=external writes them.
thunder::st::File affineWeights(float scaleW = 1) {
  float w[4], b[4];
  for (int j = 0; j < 4; ++j) {
    w[j] = kW[j] * scaleW;
    b[j] = kB[j];
  }
  int64_t counter = 41;
  float c = 1;
  thunder::st::File f;
  f.tensors["param.lin.weight"] = tensor("F32", {4}, w, sizeof w);
  f.tensors["param.lin.bias"] = tensor("F32", {4}, b, sizeof b);
  f.tensors["buffer.counter"] = tensor("I64", {}, &counter, sizeof counter);
  f.tensors["constant.c"] = tensor("F32", {}, &c, sizeof c);
  return f;
}

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "/thunder_weights_" + name;
}

std::string writeFile(const std::string &name, const thunder::st::File &f) {
  std::string p = tempPath(name);
  thunder::st::write(p, f);
  return p;
}

std::string writeBytes(const std::string &name, const std::string &bytes) {
  std::string p = tempPath(name);
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ExternalWeights : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(lib.ok()); }
  void TearDown() override {
    for (thunder_model *m : made)
      lib.thunder_model_destroy(m);
  }
  thunder_model *keep(thunder_model *m) {
    made.push_back(m);
    return m;
  }
  /// Forward on x = [[1, 1, 1, 1]]: y.
  std::vector<float> forwardOnes(thunder_model *m) {
    HostTensor x = f32({1, 4}, {1, 1, 1, 1});
    const DLTensor *in[] = {&x.t};
    DLManagedTensor *o[2] = {nullptr, nullptr};
    EXPECT_EQ(lib.thunder_forward(m, in, 1, o, 2, nullptr), THUNDER_OK)
        << lib.thunder_last_error(m);
    Managed y(o[0]), r(o[1]);
    return y ? floats(y.get()) : std::vector<float>();
  }
  int64_t counter(thunder_model *m) {
    DLManagedTensor *t = nullptr;
    EXPECT_EQ(lib.thunder_get_buffer(m, 0, &t), THUNDER_OK) << lib.thunder_last_error(m);
    Managed hold(t);
    return t ? *static_cast<int64_t *>(t->dl_tensor.data) : -1;
  }
  /// create_from_file must fail with `status` and a message containing `what`.
  void expectRefused(const std::string &path, thunder_status status, const std::string &what) {
    thunder_model *m = reinterpret_cast<thunder_model *>(1);
    EXPECT_EQ(lib.create_from_file(&m, path.c_str()), status) << lib.thunder_last_error(nullptr);
    EXPECT_EQ(m, nullptr);
    std::string message = lib.thunder_last_error(nullptr);
    EXPECT_NE(message.find("thunder_model_create_from_file: weights file '" + path + "'"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(what), std::string::npos) << message;
  }

  static ExternalLib lib;
  std::vector<thunder_model *> made;
};
ExternalLib ExternalWeights::lib("affine_external");

TEST_F(ExternalWeights, CreateWithoutWeightsOnlyDescribes) {
  thunder_model *m = nullptr;
  ASSERT_EQ(lib.thunder_model_create(&m), THUNDER_OK) << lib.thunder_last_error(nullptr);
  keep(m);
  EXPECT_EQ(lib.weights_external(m), 1);
  EXPECT_EQ(lib.thunder_num_params(m), 2u);
  ASSERT_EQ(lib.num_constants(m), 1u);
  thunder_tensor_info info;
  ASSERT_EQ(lib.constant_info(m, 0, &info), THUNDER_OK);
  EXPECT_STREQ(info.name, "c");
  EXPECT_EQ(info.ndim, 0);
  EXPECT_EQ(lib.constant_info(m, 1, &info), THUNDER_ERR_INVALID_ARGUMENT);

  HostTensor x = f32({1, 4});
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *o[2];
  EXPECT_EQ(lib.thunder_forward(m, in, 1, o, 2, nullptr), THUNDER_ERR_STATE);
  EXPECT_NE(std::string(lib.thunder_last_error(m)).find("--weights=external"), std::string::npos)
      << lib.thunder_last_error(m);
  EXPECT_EQ(o[0], nullptr);
  DLManagedTensor *b = nullptr;
  EXPECT_EQ(lib.thunder_get_buffer(m, 0, &b), THUNDER_ERR_STATE);
  HostTensor value(DLDataType{kDLInt, 64, 1}, {}, 8);
  EXPECT_EQ(lib.thunder_set_buffer(m, 0, &value.t), THUNDER_ERR_STATE);
}

TEST_F(ExternalWeights, FromFileRunsLikeTheEmbeddedModel) {
  std::string p = writeFile("good.safetensors", affineWeights());
  thunder_model *m = nullptr;
  ASSERT_EQ(lib.create_from_file(&m, p.c_str()), THUNDER_OK) << lib.thunder_last_error(nullptr);
  keep(m);
  std::vector<float> y = forwardOnes(m);
  ASSERT_EQ(y.size(), 4u);
  for (int j = 0; j < 4; ++j)
    EXPECT_FLOAT_EQ(y[j], kW[j] + kB[j]);
  EXPECT_EQ(counter(m), 42);

  // The instance owns its copy: the file may go away.
  std::remove(p.c_str());
  EXPECT_EQ(forwardOnes(m).size(), 4u);
  EXPECT_EQ(counter(m), 43);
}

TEST_F(ExternalWeights, AFileReplacesEmbeddedWeights) {
  Lib embedded("affine");
  auto create = reinterpret_cast<decltype(&::thunder_model_create_from_file)>(
      dlsym(embedded.handle, "thunder_model_create_from_file"));
  ASSERT_NE(create, nullptr);
  std::string p = writeFile("times10.safetensors", affineWeights(10));
  thunder_model *m = nullptr;
  ASSERT_EQ(create(&m, p.c_str()), THUNDER_OK) << embedded.thunder_last_error(nullptr);
  HostTensor x = f32({1, 4}, {1, 1, 1, 1});
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *o[2];
  ASSERT_EQ(embedded.thunder_forward(m, in, 1, o, 2, nullptr), THUNDER_OK);
  Managed y(o[0]), r(o[1]);
  for (int j = 0; j < 4; ++j)
    EXPECT_FLOAT_EQ(floats(y.get())[j], 10 * kW[j] + kB[j]);
  embedded.thunder_model_destroy(m);
  std::remove(p.c_str());
}

TEST_F(ExternalWeights, ExtraKeysAreIgnored) {
  thunder::st::File f = affineWeights();
  float unused[2] = {0, 0};
  f.tensors["optimizer.lin.weight.exp_avg"] = tensor("F32", {2}, unused, sizeof unused);
  std::string p = writeFile("extra.safetensors", f);
  thunder_model *m = nullptr;
  EXPECT_EQ(lib.create_from_file(&m, p.c_str()), THUNDER_OK) << lib.thunder_last_error(nullptr);
  keep(m);
  std::remove(p.c_str());
}

TEST_F(ExternalWeights, MissingKey) {
  thunder::st::File f = affineWeights();
  f.tensors.erase("param.lin.bias");
  std::string p = writeFile("missing.safetensors", f);
  expectRefused(p, THUNDER_ERR_INVALID_ARGUMENT,
                "no tensor 'param.lin.bias' (param 'lin.bias', float32 [4])");
  f = affineWeights();
  f.tensors.erase("constant.c");
  p = writeFile("missing_constant.safetensors", f);
  expectRefused(p, THUNDER_ERR_INVALID_ARGUMENT, "no tensor 'constant.c'");
  std::remove(p.c_str());
}

TEST_F(ExternalWeights, WrongDtype) {
  thunder::st::File f = affineWeights();
  int64_t counter = 41;
  f.tensors["buffer.counter"] = tensor("I32", {}, &counter, 4);
  std::string p = writeFile("dtype.safetensors", f);
  expectRefused(p, THUNDER_ERR_DTYPE,
                "tensor 'buffer.counter' has dtype I32, the model needs I64 (int64 [])");
  std::remove(p.c_str());
}

TEST_F(ExternalWeights, WrongShape) {
  thunder::st::File f = affineWeights();
  float w[6] = {1, 2, 3, 4, 5, 6};
  f.tensors["param.lin.weight"] = tensor("F32", {2, 3}, w, sizeof w);
  std::string p = writeFile("shape.safetensors", f);
  expectRefused(p, THUNDER_ERR_SHAPE,
                "tensor 'param.lin.weight' has shape [2, 3], the model needs float32 [4]");
  std::remove(p.c_str());
}

TEST_F(ExternalWeights, TruncatedFile) {
  std::string good = readBytes(writeFile("whole.safetensors", affineWeights()));
  // Tensors are stored in key order: param.lin.weight's 16 bytes come last.
  std::string p = writeBytes("truncated.safetensors", good.substr(0, good.size() - 10));
  expectRefused(p, THUNDER_ERR_FILE, "lies past the end of the file");
  expectRefused(p, THUNDER_ERR_FILE, "truncated");
  // Cut inside the header.
  p = writeBytes("cut_header.safetensors", good.substr(0, 20));
  expectRefused(p, THUNDER_ERR_FILE, "not a safetensors file");
  std::remove(p.c_str());
}

TEST_F(ExternalWeights, NotSafetensors) {
  expectRefused(writeBytes("empty.safetensors", ""), THUNDER_ERR_FILE,
                "not a safetensors file (shorter than the 8 bytes of its header length)");
  expectRefused(writeBytes("text.safetensors", "this is not a weights file at all"),
                THUNDER_ERR_FILE, "not a safetensors file");
  std::string badJson("\x08\0\0\0\0\0\0\0{not js}", 16);
  expectRefused(writeBytes("badjson.safetensors", badJson), THUNDER_ERR_FILE,
                "its header is not JSON");
  std::string notObject("\x08\0\0\0\0\0\0\0[1,2,3] ", 16);
  expectRefused(writeBytes("array.safetensors", notObject), THUNDER_ERR_FILE,
                "its header is not a JSON object");
  expectRefused(tempPath("does_not_exist.safetensors"), THUNDER_ERR_FILE, "cannot open it");
  expectRefused(::testing::TempDir(), THUNDER_ERR_FILE, "not a regular file");

  thunder_model *m = nullptr;
  EXPECT_EQ(lib.create_from_file(&m, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.create_from_file(nullptr, "x"), THUNDER_ERR_INVALID_ARGUMENT);
}

TEST_F(ExternalWeights, BadDataOffsets) {
  // data_offsets that do not span the tensor's bytes.
  std::string header =
      R"({"param.lin.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,12]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  bytes += header + std::string(16, '\0');
  expectRefused(writeBytes("offsets.safetensors", bytes), THUNDER_ERR_FILE,
                "tensor 'param.lin.weight' has data_offsets [0, 12], which do not span its 16 "
                "bytes");
}

TEST_F(ExternalWeights, CallerTensorsAreReadAtEveryCall) {
  HostTensor w = f32({4}, {1, 2, 3, 4}), b = f32({4}, {0.5f, -0.5f, 0.25f, -0.25f});
  HostTensor c = f32({}, {1});
  HostTensor calls(DLDataType{kDLInt, 64, 1}, {}, 8);
  *calls.data<int64_t>() = 7;
  const DLTensor *params[] = {&w.t, &b.t}, *buffers[] = {&calls.t}, *constants[] = {&c.t};
  thunder_model *m = nullptr;
  ASSERT_EQ(lib.create_with_tensors(&m, params, 2, buffers, 1, constants, 1), THUNDER_OK)
      << lib.thunder_last_error(nullptr);
  keep(m);
  std::vector<float> y = forwardOnes(m);
  ASSERT_EQ(y.size(), 4u);
  EXPECT_FLOAT_EQ(y[1], 2 - 0.5f);
  // An optimizer step in place: the next forward sees it, with no reload.
  w.data<float>()[1] = 20;
  c.data<float>()[0] = 2;
  y = forwardOnes(m);
  EXPECT_FLOAT_EQ(y[1], 20 - 1.f);
  // Buffers were copied at create: the caller's value is not the instance's.
  EXPECT_EQ(counter(m), 9);
  EXPECT_EQ(*calls.data<int64_t>(), 7);
}

TEST_F(ExternalWeights, CallerTensorsMustCoverEverything) {
  HostTensor w = f32({4}), b = f32({4}), c = f32({});
  const DLTensor *params[] = {&w.t, &b.t}, *constants[] = {&c.t};
  thunder_model *m = nullptr;
  EXPECT_EQ(lib.create_with_tensors(&m, params, 2, nullptr, 0, constants, 1),
            THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(lib.thunder_last_error(nullptr))
                .find("buffer 0 ('counter'): no tensor given, and the model has no embedded "
                      "weights"),
            std::string::npos)
      << lib.thunder_last_error(nullptr);
  // Parameters alone (the older entry point) are not enough for this model.
  EXPECT_EQ(lib.thunder_model_create_with_weights(&m, params, 2), THUNDER_ERR_INVALID_ARGUMENT);
  const DLTensor *oneParam[] = {&w.t, nullptr};
  EXPECT_EQ(lib.create_with_tensors(&m, oneParam, 2, nullptr, 0, constants, 1),
            THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lib.thunder_last_error(nullptr)).find("parameter 1 ('lin.bias')"),
            std::string::npos)
      << lib.thunder_last_error(nullptr);
  EXPECT_EQ(lib.create_with_tensors(&m, params, 2, nullptr, 0, constants, 3),
            THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lib.thunder_last_error(nullptr)).find("expected 1 constants, got 3"),
            std::string::npos)
      << lib.thunder_last_error(nullptr);
  HostTensor wrong = f32({2});
  const DLTensor *badConstant[] = {&wrong.t};
  EXPECT_EQ(lib.create_with_tensors(&m, params, 2, nullptr, 0, badConstant, 1),
            THUNDER_ERR_SHAPE);
  EXPECT_EQ(m, nullptr);
}

} // namespace
