//===- ApiTest.cpp - The public C ABI on hand-written CPU models -----------===//

#include "TestUtil.h"

#include <atomic>
#include <cmath>
#include <thread>

using namespace thunder::test;

namespace {

constexpr float kW[4] = {1, 2, 3, 4};
constexpr float kB[4] = {0.5f, -0.5f, 0.25f, -0.25f};

std::vector<float> inputValues(int64_t n) {
  std::vector<float> v;
  for (int64_t i = 0; i < n * 4; ++i)
    v.push_back(static_cast<float>(i) / 8.f - 1.f);
  return v;
}

class Affine : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(lib.ok());
    ASSERT_EQ(lib.thunder_model_create(&m), THUNDER_OK) << lib.thunder_last_error(nullptr);
  }
  void TearDown() override { lib.thunder_model_destroy(m); }

  thunder_status forward(HostTensor &x, Managed *outs) {
    const DLTensor *in[] = {&x.t};
    DLManagedTensor *o[2] = {nullptr, nullptr};
    thunder_status s = lib.thunder_forward(m, in, 1, o, 2, nullptr);
    outs[0].reset(o[0]);
    outs[1].reset(o[1]);
    return s;
  }
  int64_t counter() {
    DLManagedTensor *t = nullptr;
    EXPECT_EQ(lib.thunder_get_buffer(m, 0, &t), THUNDER_OK) << lib.thunder_last_error(m);
    Managed hold(t);
    return *static_cast<int64_t *>(t->dl_tensor.data);
  }
  std::string error() { return lib.thunder_last_error(m); }

  static Lib lib;
  thunder_model *m = nullptr;
};
Lib Affine::lib("affine");

TEST_F(Affine, Introspection) {
  EXPECT_EQ(lib.thunder_abi_version(), THUNDER_ABI_VERSION);
  EXPECT_STREQ(lib.thunder_model_name(m), "affine1");
  EXPECT_STREQ(lib.thunder_target(m), "cpu");
  EXPECT_EQ(lib.thunder_has_backward(m), 1);
  EXPECT_EQ(lib.thunder_num_inputs(m), 1u);
  EXPECT_EQ(lib.thunder_num_outputs(m), 2u);
  EXPECT_EQ(lib.thunder_num_params(m), 2u);
  EXPECT_EQ(lib.thunder_num_buffers(m), 1u);
  ASSERT_EQ(lib.thunder_num_symbols(m), 1u);
  const char *name;
  int64_t mn, mx;
  ASSERT_EQ(lib.thunder_symbol_info(m, 0, &name, &mn, &mx), THUNDER_OK);
  EXPECT_STREQ(name, "s0");
  EXPECT_EQ(mn, 1);
  EXPECT_EQ(mx, 64);

  thunder_tensor_info info;
  ASSERT_EQ(lib.thunder_input_info(m, 0, &info), THUNDER_OK);
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype.code, kDLFloat);
  EXPECT_EQ(info.dtype.bits, 32);
  ASSERT_EQ(info.ndim, 2);
  EXPECT_EQ(info.shape[0], -1);
  EXPECT_EQ(info.shape[1], 4);
  EXPECT_STREQ(info.dim_names[0], "s0");
  EXPECT_EQ(info.dim_names[1], nullptr);
  EXPECT_EQ(info.dim_min[0], 1);
  EXPECT_EQ(info.dim_max[0], 64);
  EXPECT_EQ(info.dim_min[1], 4);
  EXPECT_EQ(info.has_grad, 1);

  ASSERT_EQ(lib.thunder_output_info(m, 1, &info), THUNDER_OK);
  EXPECT_STREQ(info.name, "rowsum");
  EXPECT_EQ(info.ndim, 1);
  ASSERT_EQ(lib.thunder_param_info(m, 1, &info), THUNDER_OK);
  EXPECT_STREQ(info.name, "lin.bias");
  EXPECT_EQ(info.has_grad, 1);
  ASSERT_EQ(lib.thunder_buffer_info(m, 0, &info), THUNDER_OK);
  EXPECT_STREQ(info.name, "counter");
  EXPECT_EQ(info.ndim, 0);
  EXPECT_EQ(info.mutated, 1);
  EXPECT_EQ(info.dtype.code, kDLInt);

  EXPECT_EQ(lib.thunder_input_info(m, 1, &info), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("out of range"), std::string::npos);
  EXPECT_EQ(lib.thunder_input_info(m, 0, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  DLDevice d = lib.thunder_model_device(m);
  EXPECT_EQ(d.device_type, kDLCPU);
}

TEST_F(Affine, ForwardValuesLayoutsAndBufferWriteBack) {
  EXPECT_EQ(counter(), 41);
  for (int64_t n : {3, 1, 64}) {
    HostTensor x = f32({n, 4}, inputValues(n));
    Managed outs[2];
    ASSERT_EQ(forward(x, outs), THUNDER_OK) << error();
    ASSERT_TRUE(outs[0] && outs[1]);
    const DLTensor &y = outs[0]->dl_tensor;
    EXPECT_EQ(y.device.device_type, kDLCPU);
    ASSERT_EQ(y.ndim, 2);
    EXPECT_EQ(y.shape[0], n);
    EXPECT_EQ(y.shape[1], 4);
    EXPECT_EQ(y.strides, nullptr);
    std::vector<float> yv = floats(outs[0].get()), rv = floats(outs[1].get());
    std::vector<float> xv = inputValues(n);
    for (int64_t i = 0; i < n; ++i) {
      float s = 0;
      for (int j = 0; j < 4; ++j) {
        float e = xv[i * 4 + j] * kW[j] + kB[j];
        EXPECT_FLOAT_EQ(yv[i * 4 + j], e) << i << "," << j;
        s += e;
      }
      EXPECT_FLOAT_EQ(rv[i], s) << i;
    }
  }
  EXPECT_EQ(counter(), 44);
  EXPECT_EQ(error(), "");
}

TEST_F(Affine, OutputsOutliveTheInstance) {
  HostTensor x = f32({2, 4}, inputValues(2));
  Managed outs[2];
  ASSERT_EQ(forward(x, outs), THUNDER_OK) << error();
  lib.thunder_model_destroy(m);
  m = nullptr;
  EXPECT_FLOAT_EQ(floats(outs[0].get())[0], -1.f * 1 + 0.5f);
  ASSERT_EQ(lib.thunder_model_create(&m), THUNDER_OK);
}

TEST_F(Affine, Backward) {
  const int64_t n = 3;
  std::vector<float> xv = inputValues(n);
  HostTensor x = f32({n, 4}, xv);
  Managed outs[2];
  ASSERT_EQ(forward(x, outs), THUNDER_OK) << error();
  // The runtime copied the saved input: changing it now does not matter.
  std::fill(x.data<float>(), x.data<float>() + n * 4, 100.f);

  std::vector<float> g0v(n * 4), g1v(n);
  for (int i = 0; i < n * 4; ++i)
    g0v[i] = static_cast<float>(i % 5) * 0.25f;
  for (int i = 0; i < n; ++i)
    g1v[i] = static_cast<float>(i) * 0.5f;
  HostTensor g0 = f32({n, 4}, g0v), g1 = f32({n}, g1v);
  const DLTensor *cots[] = {&g0.t, &g1.t};
  for (int round = 0; round < 2; ++round) {
    DLManagedTensor *gp[2] = {nullptr, nullptr}, *gi[1] = {nullptr};
    ASSERT_EQ(lib.thunder_backward(m, cots, 2, gp, 2, gi, 1, nullptr), THUNDER_OK) << error();
    Managed dw(gp[0]), db(gp[1]), dx(gi[0]);
    ASSERT_TRUE(dw && db && dx);
    std::vector<float> dwv = floats(dw.get()), dbv = floats(db.get()), dxv = floats(dx.get());
    for (int j = 0; j < 4; ++j) {
      float ew = 0, eb = 0;
      for (int i = 0; i < n; ++i) {
        float dy = g0v[i * 4 + j] + g1v[i];
        ew += dy * xv[i * 4 + j];
        eb += dy;
        EXPECT_FLOAT_EQ(dxv[i * 4 + j], dy * kW[j]);
      }
      EXPECT_FLOAT_EQ(dwv[j], ew) << j;
      EXPECT_FLOAT_EQ(dbv[j], eb) << j;
    }
  }
  // Null cotangents are zeros; gradients may be dropped.
  const DLTensor *noCots[] = {nullptr, nullptr};
  DLManagedTensor *gi[1] = {nullptr};
  ASSERT_EQ(lib.thunder_backward(m, noCots, 2, nullptr, 0, gi, 1, nullptr), THUNDER_OK) << error();
  Managed dx(gi[0]);
  for (float v : floats(dx.get()))
    EXPECT_EQ(v, 0.f);
  // A cotangent of the wrong shape.
  HostTensor bad = f32({n + 1, 4});
  const DLTensor *badCots[] = {&bad.t, &g1.t};
  EXPECT_EQ(lib.thunder_backward(m, badCots, 2, nullptr, 0, nullptr, 0, nullptr),
            THUNDER_ERR_SHAPE);
  EXPECT_NE(error().find("cotangent 0 (of output 'y'): expected shape [3, 4]"), std::string::npos)
      << error();
  EXPECT_EQ(lib.thunder_backward(m, cots, 1, nullptr, 0, nullptr, 0, nullptr),
            THUNDER_ERR_INVALID_ARGUMENT);
  DLManagedTensor *gp[1];
  EXPECT_EQ(lib.thunder_backward(m, cots, 2, gp, 1, nullptr, 0, nullptr),
            THUNDER_ERR_INVALID_ARGUMENT);
  // After release_saved (or before any forward): a state error.
  ASSERT_EQ(lib.thunder_release_saved(m), THUNDER_OK);
  EXPECT_EQ(lib.thunder_backward(m, cots, 2, nullptr, 0, nullptr, 0, nullptr), THUNDER_ERR_STATE);
  EXPECT_NE(error().find("forward"), std::string::npos);
}

TEST_F(Affine, BackwardBeforeForwardIsAStateError) {
  HostTensor g0 = f32({1, 4}), g1 = f32({1});
  const DLTensor *cots[] = {&g0.t, &g1.t};
  EXPECT_EQ(lib.thunder_backward(m, cots, 2, nullptr, 0, nullptr, 0, nullptr), THUNDER_ERR_STATE);
}

TEST_F(Affine, SymbolicRangeErrors) {
  Managed outs[2];
  HostTensor big = f32({65, 4});
  EXPECT_EQ(forward(big, outs), THUNDER_ERR_SHAPE);
  EXPECT_NE(error().find("input 0 ('x'): expected shape [s0 in 1..64, 4], got [65, 4]"),
            std::string::npos)
      << error();
  EXPECT_FALSE(outs[0]);
  HostTensor empty = f32({0, 4});
  EXPECT_EQ(forward(empty, outs), THUNDER_ERR_SHAPE);
  EXPECT_NE(error().find("s0 = 0 is out of range"), std::string::npos) << error();
  HostTensor wide = f32({8, 5});
  EXPECT_EQ(forward(wide, outs), THUNDER_ERR_SHAPE);
  EXPECT_NE(error().find("expected shape [s0 in 1..64, 4], got [8, 5]"), std::string::npos)
      << error();
  HostTensor flat = f32({32});
  EXPECT_EQ(forward(flat, outs), THUNDER_ERR_SHAPE);
  EXPECT_NE(error().find("expected rank 2, got rank 1"), std::string::npos) << error();
  // A failed call leaves the buffers alone.
  EXPECT_EQ(counter(), 41);
}

TEST_F(Affine, DtypeDeviceLayoutAndNullErrors) {
  Managed outs[2];
  HostTensor d(DLDataType{kDLFloat, 64, 1}, {2, 4}, 8);
  EXPECT_EQ(forward(d, outs), THUNDER_ERR_DTYPE);
  EXPECT_NE(error().find("input 0 ('x'): expected dtype float32, got float64"), std::string::npos)
      << error();

  HostTensor x = f32({2, 4}, inputValues(2));
  x.t.device = DLDevice{kDLCUDA, 0};
  EXPECT_EQ(forward(x, outs), THUNDER_ERR_DEVICE);
  EXPECT_NE(error().find("expected a CPU tensor"), std::string::npos) << error();
  x.t.device = DLDevice{kDLCPU, 0};

  int64_t transposed[2] = {1, 2};
  x.t.strides = transposed;
  EXPECT_EQ(forward(x, outs), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("not contiguous"), std::string::npos) << error();
  int64_t compact[2] = {4, 1};
  x.t.strides = compact;
  EXPECT_EQ(forward(x, outs), THUNDER_OK) << error();
  HostTensor one = f32({1, 4}, inputValues(1));
  int64_t oddButCompact[2] = {1000, 1}; // size-1 dims may have any stride
  one.t.strides = oddButCompact;
  EXPECT_EQ(forward(one, outs), THUNDER_OK) << error();
  x.t.strides = nullptr;

  x.t.data = nullptr;
  EXPECT_EQ(forward(x, outs), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("data pointer is null"), std::string::npos) << error();
  x.t.data = x.bytes.data();
  x.t.byte_offset = 2;
  EXPECT_EQ(forward(x, outs), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("aligned"), std::string::npos) << error();
  x.t.byte_offset = 0;

  DLManagedTensor *o[2];
  const DLTensor *nullIn[] = {nullptr};
  EXPECT_EQ(lib.thunder_forward(m, nullIn, 1, o, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("input 0 ('x'): the tensor pointer is null"), std::string::npos)
      << error();
  EXPECT_EQ(lib.thunder_forward(m, nullptr, 1, o, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  const DLTensor *in[] = {&x.t};
  EXPECT_EQ(lib.thunder_forward(m, in, 1, nullptr, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_forward(m, in, 2, o, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(error().find("expected 1 inputs, got 2"), std::string::npos) << error();
  EXPECT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_forward(nullptr, in, 1, o, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(lib.thunder_last_error(nullptr)).find("model pointer is null"),
            std::string::npos);
  int64_t negative[2] = {-1, 4};
  x.t.shape = negative;
  EXPECT_EQ(forward(x, outs), THUNDER_ERR_SHAPE);
  x.t.shape = x.shape.data();
  EXPECT_EQ(lib.thunder_get_buffer(m, 5, o), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_get_buffer(m, 0, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_model_create(nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_model_set_device(m, 1), THUNDER_ERR_DEVICE);
  EXPECT_EQ(lib.thunder_model_set_device(m, 0), THUNDER_OK);
  lib.thunder_model_destroy(nullptr);
}

TEST_F(Affine, SetAndGetBuffer) {
  int64_t v = 1000;
  DLTensor t{};
  t.data = &v;
  t.device = DLDevice{kDLCPU, 0};
  t.ndim = 0;
  t.dtype = DLDataType{kDLInt, 64, 1};
  ASSERT_EQ(lib.thunder_set_buffer(m, 0, &t), THUNDER_OK) << error();
  EXPECT_EQ(counter(), 1000);
  HostTensor x = f32({1, 4});
  Managed outs[2];
  ASSERT_EQ(forward(x, outs), THUNDER_OK);
  EXPECT_EQ(counter(), 1001);
  t.dtype = DLDataType{kDLInt, 32, 1};
  EXPECT_EQ(lib.thunder_set_buffer(m, 0, &t), THUNDER_ERR_DTYPE);
}

TEST_F(Affine, CopyHelpersOnCpu) {
  HostTensor x = f32({2, 4}, inputValues(2));
  DLManagedTensor *d = nullptr, *h = nullptr;
  ASSERT_EQ(lib.thunder_copy_to_device(m, &x.t, &d), THUNDER_OK) << error();
  Managed hold(d);
  EXPECT_NE(d->dl_tensor.data, x.t.data);
  ASSERT_EQ(lib.thunder_copy_to_host(m, &d->dl_tensor, &h), THUNDER_OK) << error();
  Managed hold2(h);
  EXPECT_EQ(floats(h), inputValues(2));
  EXPECT_EQ(lib.thunder_synchronize(m, nullptr), THUNDER_OK);
}

TEST_F(Affine, TwoInstancesAreIndependent) {
  thunder_model *other = nullptr;
  ASSERT_EQ(lib.thunder_model_create(&other), THUNDER_OK);
  HostTensor x = f32({2, 4});
  Managed outs[2];
  ASSERT_EQ(forward(x, outs), THUNDER_OK);
  ASSERT_EQ(forward(x, outs), THUNDER_OK);
  EXPECT_EQ(counter(), 43);
  DLManagedTensor *t = nullptr;
  ASSERT_EQ(lib.thunder_get_buffer(other, 0, &t), THUNDER_OK);
  Managed hold(t);
  EXPECT_EQ(*static_cast<int64_t *>(t->dl_tensor.data), 41);
  // Backward on the other instance: nothing saved there.
  HostTensor g0 = f32({2, 4}), g1 = f32({2});
  const DLTensor *cots[] = {&g0.t, &g1.t};
  EXPECT_EQ(lib.thunder_backward(other, cots, 2, nullptr, 0, nullptr, 0, nullptr),
            THUNDER_ERR_STATE);
  lib.thunder_model_destroy(other);
}

TEST_F(Affine, CallerSuppliedWeights) {
  thunder_model *custom = nullptr;
  HostTensor w = f32({4}, {10, 20, 30, 40});
  const DLTensor *params[] = {&w.t, nullptr}; // bias stays embedded
  ASSERT_EQ(lib.thunder_model_create_with_weights(&custom, params, 2), THUNDER_OK)
      << lib.thunder_last_error(nullptr);
  HostTensor x = f32({1, 4}, {1, 1, 1, 1});
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *o[2];
  ASSERT_EQ(lib.thunder_forward(custom, in, 1, o, 2, nullptr), THUNDER_OK);
  Managed y(o[0]), r(o[1]);
  std::vector<float> yv = floats(y.get());
  for (int j = 0; j < 4; ++j)
    EXPECT_FLOAT_EQ(yv[j], 10.f * (j + 1) + kB[j]);
  lib.thunder_model_destroy(custom);

  HostTensor wrong = f32({5});
  const DLTensor *bad[] = {&wrong.t, nullptr};
  EXPECT_EQ(lib.thunder_model_create_with_weights(&custom, bad, 2), THUNDER_ERR_SHAPE);
  EXPECT_EQ(custom, nullptr);
  EXPECT_NE(std::string(lib.thunder_last_error(nullptr))
                .find("parameter 0 ('lin.weight'): expected shape [4], got [5]"),
            std::string::npos)
      << lib.thunder_last_error(nullptr);
  EXPECT_EQ(lib.thunder_model_create_with_weights(&custom, params, 1),
            THUNDER_ERR_INVALID_ARGUMENT);
}

TEST(Models, TwoModelsInOneProcess) {
  // Loaded with RTLD_GLOBAL on purpose: each .so must still bind its own
  // meta, weights, entries and runtime.
  Lib one("affine", RTLD_NOW | RTLD_GLOBAL), three("affine3", RTLD_NOW | RTLD_GLOBAL);
  ASSERT_TRUE(one.ok() && three.ok());
  EXPECT_NE(reinterpret_cast<void *>(one.thunder_forward),
            reinterpret_cast<void *>(three.thunder_forward));
  thunder_model *a = nullptr, *b = nullptr;
  ASSERT_EQ(one.thunder_model_create(&a), THUNDER_OK);
  ASSERT_EQ(three.thunder_model_create(&b), THUNDER_OK);
  EXPECT_STREQ(one.thunder_model_name(a), "affine1");
  EXPECT_STREQ(three.thunder_model_name(b), "affine3");
  HostTensor x = f32({1, 4}, {1, 1, 1, 1});
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *oa[2], *ob[2];
  ASSERT_EQ(one.thunder_forward(a, in, 1, oa, 2, nullptr), THUNDER_OK);
  ASSERT_EQ(three.thunder_forward(b, in, 1, ob, 2, nullptr), THUNDER_OK);
  Managed ya(oa[0]), ra(oa[1]), yb(ob[0]), rb(ob[1]);
  for (int j = 0; j < 4; ++j)
    EXPECT_FLOAT_EQ(floats(yb.get())[j], 3 * floats(ya.get())[j]);
  one.thunder_model_destroy(a);
  three.thunder_model_destroy(b);
}

TEST(Models, TwoThreadsOnTwoInstances) {
  Lib lib("affine");
  ASSERT_TRUE(lib.ok());
  std::atomic<int> failures{0};
  auto work = [&](float scale) {
    thunder_model *m = nullptr;
    if (lib.thunder_model_create(&m) != THUNDER_OK) {
      ++failures;
      return;
    }
    for (int it = 0; it < 300; ++it) {
      int64_t n = 1 + it % 7;
      HostTensor x = f32({n, 4});
      for (int64_t i = 0; i < n * 4; ++i)
        x.data<float>()[i] = scale * static_cast<float>(i);
      const DLTensor *in[] = {&x.t};
      DLManagedTensor *o[2];
      if (lib.thunder_forward(m, in, 1, o, 2, nullptr) != THUNDER_OK) {
        ++failures;
        continue;
      }
      Managed y(o[0]), r(o[1]);
      std::vector<float> yv = floats(y.get());
      for (int64_t i = 0; i < n * 4; ++i)
        if (yv[i] != scale * static_cast<float>(i) * kW[i % 4] + kB[i % 4])
          ++failures;
      HostTensor g0 = f32({n, 4}), g1 = f32({n});
      const DLTensor *cots[] = {&g0.t, &g1.t};
      DLManagedTensor *gp[2], *gi[1];
      if (lib.thunder_backward(m, cots, 2, gp, 2, gi, 1, nullptr) != THUNDER_OK)
        ++failures;
      Managed a(gp[0]), b(gp[1]), c(gi[0]);
    }
    DLManagedTensor *t = nullptr;
    if (lib.thunder_get_buffer(m, 0, &t) != THUNDER_OK ||
        *static_cast<int64_t *>(t->dl_tensor.data) != 41 + 300)
      ++failures;
    Managed hold(t);
    lib.thunder_model_destroy(m);
  };
  std::thread t1(work, 1.f), t2(work, -2.f);
  t1.join();
  t2.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Models, OneInstanceIsNotShared) {
  // A second concurrent call on one instance is refused, not corrupted.
  Lib lib("affine");
  ASSERT_TRUE(lib.ok());
  thunder_model *m = nullptr;
  ASSERT_EQ(lib.thunder_model_create(&m), THUNDER_OK);
  std::atomic<int> errors{0}, stateErrors{0};
  auto work = [&] {
    for (int it = 0; it < 2000; ++it) {
      HostTensor x = f32({64, 4});
      const DLTensor *in[] = {&x.t};
      DLManagedTensor *o[2];
      thunder_status s = lib.thunder_forward(m, in, 1, o, 2, nullptr);
      if (s == THUNDER_OK) {
        o[0]->deleter(o[0]);
        o[1]->deleter(o[1]);
      } else if (s == THUNDER_ERR_STATE) {
        ++stateErrors;
      } else {
        ++errors;
      }
    }
  };
  std::thread t1(work), t2(work);
  t1.join();
  t2.join();
  EXPECT_EQ(errors.load(), 0);
  lib.thunder_model_destroy(m);
}

TEST(Models, SelectSharedOutputsBoolAndBf16) {
  Lib lib("select");
  ASSERT_TRUE(lib.ok());
  thunder_model *m = nullptr;
  ASSERT_EQ(lib.thunder_model_create(&m), THUNDER_OK);
  EXPECT_EQ(lib.thunder_has_backward(m), 0);
  HostTensor a(DLDataType{kDLInt, 32, 1}, {4}, 4);
  HostTensor mask(DLDataType{THUNDER_DL_BOOL, 8, 1}, {4}, 1);
  HostTensor scale(DLDataType{kDLBfloat, 16, 1}, {}, 2);
  for (int i = 0; i < 4; ++i) {
    a.data<int32_t>()[i] = 10 + i;
    mask.data<uint8_t>()[i] = i % 2;
  }
  *scale.data<uint16_t>() = 0x4040; // 3.0 in bfloat16
  const DLTensor *in[] = {&a.t, &mask.t, &scale.t};
  DLManagedTensor *o[3];
  ASSERT_EQ(lib.thunder_forward(m, in, 3, o, 3, nullptr), THUNDER_OK) << lib.thunder_last_error(m);
  Managed o0(o[0]), o1(o[1]), o2(o[2]);
  const int32_t expect[4] = {0, 11, 0, 13};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(static_cast<int32_t *>(o[0]->dl_tensor.data)[i], expect[i]);
    EXPECT_EQ(static_cast<int32_t *>(o[1]->dl_tensor.data)[i], expect[i]);
  }
  EXPECT_EQ(o[2]->dl_tensor.ndim, 0);
  EXPECT_FLOAT_EQ(*static_cast<float *>(o[2]->dl_tensor.data), 3.f);
  o0.reset(); // freeing one of two outputs sharing memory keeps the other valid
  EXPECT_EQ(static_cast<int32_t *>(o1->dl_tensor.data)[3], 13);

  // One symbol, two inputs that disagree.
  HostTensor shortMask(DLDataType{THUNDER_DL_BOOL, 8, 1}, {3}, 1);
  const DLTensor *bad[] = {&a.t, &shortMask.t, &scale.t};
  EXPECT_EQ(lib.thunder_forward(m, bad, 3, o, 3, nullptr), THUNDER_ERR_SHAPE);
  std::string err = lib.thunder_last_error(m);
  EXPECT_NE(err.find("input 1 ('mask')"), std::string::npos) << err;
  EXPECT_NE(err.find("input 0 ('a') sets to 4"), std::string::npos) << err;
  // uint8 is not bool.
  HostTensor u8(DLDataType{kDLUInt, 8, 1}, {4}, 1);
  const DLTensor *wrongType[] = {&a.t, &u8.t, &scale.t};
  EXPECT_EQ(lib.thunder_forward(m, wrongType, 3, o, 3, nullptr), THUNDER_ERR_DTYPE);
  EXPECT_NE(std::string(lib.thunder_last_error(m)).find("expected dtype bool, got uint8"),
            std::string::npos);
  // No backward in this model.
  EXPECT_EQ(lib.thunder_backward(m, nullptr, 0, nullptr, 0, nullptr, 0, nullptr),
            THUNDER_ERR_NOT_SUPPORTED);
  lib.thunder_model_destroy(m);
}

TEST(Models, MalformedMetadataFailsCreateCleanly) {
  Lib lib("bad_meta");
  ASSERT_TRUE(lib.ok());
  thunder_model *m = reinterpret_cast<thunder_model *>(0x1);
  EXPECT_EQ(lib.thunder_model_create(&m), THUNDER_ERR_INTERNAL);
  EXPECT_EQ(m, nullptr);
  std::string err = lib.thunder_last_error(nullptr);
  EXPECT_NE(err.find("malformed model metadata"), std::string::npos) << err;
  EXPECT_NE(err.find("output:1"), std::string::npos) << err;
  // And again (the failure is remembered, not re-parsed into a crash).
  EXPECT_EQ(lib.thunder_model_create(&m), THUNDER_ERR_INTERNAL);
}

} // namespace
