//===- ArgumentTest.cpp - Argument checks of every entry point, concurrency ===//
//
// Every exported function given null pointers, malformed DLTensors (rank, shape, symbolic ranges,
// dtype, device, strides, descriptor fields) returns an error status and a message, never crashes
// (the sanitizer job runs this under ASan + UBSan). Then several instances and models in one
// process, from several threads, against results computed single-threaded.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>

using namespace thunder::test;

namespace {

class Arguments : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(lib.ok());
    ASSERT_EQ(lib.thunder_model_create(&m), THUNDER_OK) << lib.thunder_last_error(nullptr);
  }
  void TearDown() override { lib.thunder_model_destroy(m); }

  /// forward on one input; outputs released.
  thunder_status forward(const DLTensor *x) {
    const DLTensor *in[] = {x};
    DLManagedTensor *o[2] = {nullptr, nullptr};
    thunder_status s = lib.thunder_forward(m, in, 1, o, 2, nullptr);
    Managed a(o[0]), b(o[1]);
    if (s != THUNDER_OK)
      EXPECT_TRUE(!o[0] && !o[1]) << "a failed forward hands out no outputs";
    return s;
  }
  std::string error() { return lib.thunder_last_error(m); }
  /// `status` and an error message containing `text`.
  void expectError(thunder_status got, thunder_status want, const std::string &text) {
    EXPECT_EQ(got, want) << error();
    EXPECT_NE(error().find(text), std::string::npos) << error();
  }

  static Lib lib;
  thunder_model *m = nullptr;
};
Lib Arguments::lib("affine");

TEST_F(Arguments, NullModel) {
  EXPECT_STREQ(lib.thunder_model_name(nullptr), "");
  EXPECT_STREQ(lib.thunder_target(nullptr), "");
  EXPECT_EQ(lib.thunder_has_backward(nullptr), 0);
  EXPECT_EQ(lib.thunder_num_inputs(nullptr), 0u);
  EXPECT_EQ(lib.thunder_num_outputs(nullptr), 0u);
  EXPECT_EQ(lib.thunder_num_params(nullptr), 0u);
  EXPECT_EQ(lib.thunder_num_buffers(nullptr), 0u);
  EXPECT_EQ(lib.thunder_num_symbols(nullptr), 0u);
  thunder_tensor_info info;
  EXPECT_EQ(lib.thunder_input_info(nullptr, 0, &info), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_output_info(nullptr, 0, &info), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_param_info(nullptr, 0, &info), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_buffer_info(nullptr, 0, &info), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_symbol_info(nullptr, 0, nullptr, nullptr, nullptr),
            THUNDER_ERR_INVALID_ARGUMENT);

  HostTensor x = f32({1, 4});
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *o[2] = {reinterpret_cast<DLManagedTensor *>(1),
                           reinterpret_cast<DLManagedTensor *>(1)};
  EXPECT_EQ(lib.thunder_forward(nullptr, in, 1, o, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(!o[0] && !o[1]);
  EXPECT_NE(std::string(lib.thunder_last_error(nullptr)).find("model pointer is null"),
            std::string::npos);
  EXPECT_EQ(lib.thunder_backward(nullptr, nullptr, 0, nullptr, 0, nullptr, 0, nullptr),
            THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_release_saved(nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  DLManagedTensor *t = reinterpret_cast<DLManagedTensor *>(1);
  EXPECT_EQ(lib.thunder_get_buffer(nullptr, 0, &t), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(lib.thunder_set_buffer(nullptr, 0, &x.t), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_model_set_device(nullptr, 0), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_model_device(nullptr).device_type, kDLCPU);
  t = reinterpret_cast<DLManagedTensor *>(1);
  EXPECT_EQ(lib.thunder_copy_to_device(nullptr, &x.t, &t), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(lib.thunder_copy_to_host(nullptr, &x.t, &t), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_synchronize(nullptr, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  lib.thunder_device_free(nullptr);
  lib.thunder_model_destroy(nullptr);
  EXPECT_STREQ(lib.thunder_status_string(static_cast<thunder_status>(12345)), "unknown status");
}

TEST_F(Arguments, NullPointersWithAModel) {
  thunder_tensor_info info;
  for (auto fn : {lib.thunder_input_info, lib.thunder_output_info, lib.thunder_param_info,
                  lib.thunder_buffer_info})
    EXPECT_EQ(fn(m, 0, nullptr), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_param_info(m, 2, &info), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(lib.thunder_symbol_info(m, 0, nullptr, nullptr, nullptr), THUNDER_OK);
  EXPECT_EQ(lib.thunder_symbol_info(m, 1, nullptr, nullptr, nullptr), THUNDER_ERR_INVALID_ARGUMENT);

  HostTensor x = f32({2, 4});
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *o[2];
  expectError(lib.thunder_forward(m, nullptr, 1, o, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT,
              "input array is null");
  expectError(lib.thunder_forward(m, in, 1, nullptr, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT,
              "output array is null");
  const DLTensor *nullIn[] = {nullptr};
  expectError(lib.thunder_forward(m, nullIn, 1, o, 2, nullptr), THUNDER_ERR_INVALID_ARGUMENT,
              "tensor pointer is null");
  x.t.shape = nullptr;
  expectError(forward(&x.t), THUNDER_ERR_INVALID_ARGUMENT, "shape pointer is null");
  x.t.shape = x.shape.data();
  x.t.data = nullptr;
  expectError(forward(&x.t), THUNDER_ERR_INVALID_ARGUMENT, "data pointer is null");
  // An empty tensor needs no data: but s0 = 0 is out of its range.
  HostTensor empty = f32({0, 4});
  empty.t.data = nullptr;
  expectError(forward(&empty.t), THUNDER_ERR_SHAPE, "out of range");

  expectError(lib.thunder_set_buffer(m, 0, nullptr), THUNDER_ERR_INVALID_ARGUMENT,
              "tensor pointer is null");
  DLManagedTensor *t = nullptr;
  expectError(lib.thunder_copy_to_host(m, nullptr, &t), THUNDER_ERR_INVALID_ARGUMENT,
              "source tensor is null");
  expectError(lib.thunder_copy_to_host(m, in[0], nullptr), THUNDER_ERR_INVALID_ARGUMENT,
              "output pointer is null");
  expectError(lib.thunder_copy_to_device(m, nullptr, &t), THUNDER_ERR_INVALID_ARGUMENT,
              "source tensor is null");
  thunder_model *other = reinterpret_cast<thunder_model *>(1);
  EXPECT_EQ(lib.thunder_model_create_with_weights(&other, nullptr, 2), THUNDER_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(other, nullptr);
  EXPECT_NE(std::string(lib.thunder_last_error(nullptr)).find("parameter array is null"),
            std::string::npos);
}

TEST_F(Arguments, RankShapeAndSymbolicRanges) {
  for (int64_t n : {1, 64}) { // the range's ends are in it
    HostTensor x = f32({n, 4});
    EXPECT_EQ(forward(&x.t), THUNDER_OK) << error();
  }
  HostTensor below = f32({0, 4}), above = f32({65, 4}), wide = f32({3, 5});
  expectError(forward(&below.t), THUNDER_ERR_SHAPE, "s0 = 0 is out of range");
  expectError(forward(&above.t), THUNDER_ERR_SHAPE, "s0 = 65 is out of range");
  expectError(forward(&wide.t), THUNDER_ERR_SHAPE, "expected shape [s0 in 1..64, 4], got [3, 5]");
  HostTensor r1 = f32({4}), r3 = f32({1, 1, 4});
  expectError(forward(&r1.t), THUNDER_ERR_SHAPE, "expected rank 2, got rank 1");
  expectError(forward(&r3.t), THUNDER_ERR_SHAPE, "expected rank 2, got rank 3");
  HostTensor x = f32({2, 4});
  for (int ndim : {-1, 0, 1000, INT32_MIN}) {
    x.t.ndim = ndim;
    expectError(forward(&x.t), THUNDER_ERR_SHAPE, "expected rank 2");
  }
  x.t.ndim = 2;
  int64_t negative[2] = {2, -4};
  x.t.shape = negative;
  expectError(forward(&x.t), THUNDER_ERR_SHAPE, "negative size");
  int64_t huge[2] = {INT64_MAX, 4};
  x.t.shape = huge;
  expectError(forward(&x.t), THUNDER_ERR_SHAPE, "is too large");
}

TEST_F(Arguments, DtypeDeviceAndLayout) {
  HostTensor x = f32({2, 4});
  for (DLDataType bad : {DLDataType{kDLFloat, 64, 1}, DLDataType{kDLFloat, 32, 2},
                         DLDataType{kDLInt, 32, 1}, DLDataType{kDLFloat, 32, 0},
                         DLDataType{200, 32, 1}}) {
    x.t.dtype = bad;
    expectError(forward(&x.t), THUNDER_ERR_DTYPE, "input 0 ('x'): expected dtype float32, got");
  }
  x.t.dtype = DLDataType{kDLFloat, 32, 1};
  // Device types as a C caller may store them (999 is no DLDeviceType).
  for (int32_t bad : {int32_t(kDLCUDA), int32_t(kDLCUDAManaged), int32_t(kDLVulkan), 999, -1}) {
    std::memcpy(&x.t.device.device_type, &bad, sizeof bad);
    expectError(forward(&x.t), THUNDER_ERR_DEVICE, "expected a CPU tensor");
  }
  x.t.device = DLDevice{kDLCUDAHost, 0}; // pinned host memory is host memory
  EXPECT_EQ(forward(&x.t), THUNDER_OK) << error();
  x.t.device = DLDevice{kDLCPU, 0};

  for (std::array<int64_t, 2> strides : {std::array<int64_t, 2>{1, 2}, {4, 2}, {-4, 1}, {0, 1},
                                         {4, 0}, {8, 1}}) {
    x.t.strides = strides.data();
    expectError(forward(&x.t), THUNDER_ERR_INVALID_ARGUMENT, "not contiguous");
  }
  int64_t compact[2] = {4, 1};
  x.t.strides = compact;
  EXPECT_EQ(forward(&x.t), THUNDER_OK) << error();
  x.t.strides = nullptr;
  x.t.byte_offset = 1;
  expectError(forward(&x.t), THUNDER_ERR_INVALID_ARGUMENT, "not aligned");
  x.t.byte_offset = 0;
}

TEST_F(Arguments, BackwardAndBufferTensorsAreCheckedToo) {
  HostTensor x = f32({2, 4});
  ASSERT_EQ(forward(&x.t), THUNDER_OK) << error();
  HostTensor g0 = f32({2, 4}), g1 = f32({2});
  const DLTensor *cots[] = {&g0.t, &g1.t};
  g0.t.dtype = DLDataType{kDLFloat, 16, 1};
  expectError(lib.thunder_backward(m, cots, 2, nullptr, 0, nullptr, 0, nullptr),
              THUNDER_ERR_DTYPE, "cotangent 0");
  g0.t.dtype = DLDataType{kDLFloat, 32, 1};
  g0.t.device = DLDevice{kDLCUDA, 0};
  expectError(lib.thunder_backward(m, cots, 2, nullptr, 0, nullptr, 0, nullptr),
              THUNDER_ERR_DEVICE, "cotangent 0");
  g0.t.device = DLDevice{kDLCPU, 0};
  int64_t transposed[2] = {1, 2};
  g0.t.strides = transposed;
  expectError(lib.thunder_backward(m, cots, 2, nullptr, 0, nullptr, 0, nullptr),
              THUNDER_ERR_INVALID_ARGUMENT, "not contiguous");
  g0.t.strides = nullptr;
  g1.t.ndim = 2;
  expectError(lib.thunder_backward(m, cots, 2, nullptr, 0, nullptr, 0, nullptr),
              THUNDER_ERR_SHAPE, "cotangent 1");
  g1.t.ndim = 1;
  DLManagedTensor *gp[2], *gi[1];
  ASSERT_EQ(lib.thunder_backward(m, cots, 2, gp, 2, gi, 1, nullptr), THUNDER_OK) << error();
  Managed a(gp[0]), b(gp[1]), c(gi[0]);

  int64_t v = 7;
  DLTensor t{};
  t.data = &v;
  t.device = DLDevice{kDLCPU, 0};
  t.dtype = DLDataType{kDLInt, 64, 1};
  t.ndim = 1;
  int64_t one[1] = {1};
  t.shape = one;
  expectError(lib.thunder_set_buffer(m, 0, &t), THUNDER_ERR_SHAPE, "expected rank 0");
  t.ndim = 0;
  t.device = DLDevice{kDLCUDA, 0};
  expectError(lib.thunder_set_buffer(m, 0, &t), THUNDER_ERR_DEVICE, "buffer 0 ('counter')");
  t.device = DLDevice{kDLCPU, 0};
  expectError(lib.thunder_set_buffer(m, 1, &t), THUNDER_ERR_INVALID_ARGUMENT, "out of range");
  EXPECT_EQ(lib.thunder_set_buffer(m, 0, &t), THUNDER_OK) << error();
}

TEST_F(Arguments, CopyHelpersCheckTheirTensors) {
  HostTensor x = f32({2, 4});
  DLManagedTensor *t = nullptr;
  for (auto copy : {lib.thunder_copy_to_host, lib.thunder_copy_to_device}) {
    x.t.ndim = -1;
    expectError(copy(m, &x.t, &t), THUNDER_ERR_SHAPE, "negative rank");
    EXPECT_EQ(t, nullptr);
    x.t.ndim = 2;
    int64_t overflow[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
    x.t.shape = overflow;
    expectError(copy(m, &x.t, &t), THUNDER_ERR_SHAPE, "");
    int64_t bytesOverflow[2] = {INT64_C(1) << 31, INT64_C(1) << 31}; // 2^62 elements, 2^64 bytes
    x.t.shape = bytesOverflow;
    expectError(copy(m, &x.t, &t), THUNDER_ERR_SHAPE, "");
    x.t.shape = x.shape.data();
    x.t.dtype = DLDataType{kDLFloat, 32, 4};
    expectError(copy(m, &x.t, &t), THUNDER_ERR_DTYPE, "unsupported dtype");
    x.t.dtype = DLDataType{kDLFloat, 32, 1};
    int64_t strided[2] = {1, 2};
    x.t.strides = strided;
    expectError(copy(m, &x.t, &t), THUNDER_ERR_INVALID_ARGUMENT, "not contiguous");
    x.t.strides = nullptr;
    ASSERT_EQ(copy(m, &x.t, &t), THUNDER_OK) << error();
    Managed hold(t);
    EXPECT_EQ(t->dl_tensor.ndim, 2);
  }
}

//===----------------------------------------------------------------------===//
// Instances, models and threads
//===----------------------------------------------------------------------===//

/// What one forward and backward on one input give: outputs, gradients.
struct Result {
  std::vector<float> y, rowsum, dw, db, dx;
  bool operator==(const Result &o) const {
    return y == o.y && rowsum == o.rowsum && dw == o.dw && db == o.db && dx == o.dx;
  }
};

HostTensor inputFor(int64_t n, float scale) {
  HostTensor x = f32({n, 4});
  for (int64_t i = 0; i < n * 4; ++i)
    x.data<float>()[i] = scale * static_cast<float>((i * 7) % 11) - 1.5f;
  return x;
}

/// forward + backward (cotangents: ones) of input `it` on `m`; false on an error.
bool runOnce(const Lib &lib, thunder_model *m, int it, Result &r) {
  int64_t n = 1 + it % 9;
  HostTensor x = inputFor(n, 0.25f * static_cast<float>(1 + it % 5));
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *o[2];
  if (lib.thunder_forward(m, in, 1, o, 2, nullptr) != THUNDER_OK)
    return false;
  Managed y(o[0]), rowsum(o[1]);
  HostTensor g0 = f32({n, 4}, std::vector<float>(n * 4, 1.f)), g1 = f32({n});
  const DLTensor *cots[] = {&g0.t, &g1.t};
  DLManagedTensor *gp[2], *gi[1];
  if (lib.thunder_backward(m, cots, 2, gp, 2, gi, 1, nullptr) != THUNDER_OK)
    return false;
  Managed dw(gp[0]), db(gp[1]), dx(gi[0]);
  r = {floats(y.get()), floats(rowsum.get()), floats(dw.get()), floats(db.get()), floats(dx.get())};
  return true;
}

int64_t counterOf(const Lib &lib, thunder_model *m) {
  DLManagedTensor *t = nullptr;
  if (lib.thunder_get_buffer(m, 0, &t) != THUNDER_OK)
    return -1;
  Managed hold(t);
  return *static_cast<int64_t *>(t->dl_tensor.data);
}

constexpr int kIterations = 200;

/// The results of kIterations calls on a fresh instance, single-threaded.
std::vector<Result> reference(const Lib &lib) {
  thunder_model *m = nullptr;
  EXPECT_EQ(lib.thunder_model_create(&m), THUNDER_OK);
  std::vector<Result> out(kIterations);
  for (int it = 0; it < kIterations; ++it)
    EXPECT_TRUE(runOnce(lib, m, it, out[it])) << lib.thunder_last_error(m);
  lib.thunder_model_destroy(m);
  return out;
}

/// On its own thread: a fresh instance of `lib`, compared call by call with `ref`.
void checkAgainst(const Lib &lib, const std::vector<Result> &ref, std::atomic<int> &mismatches) {
  thunder_model *m = nullptr;
  if (lib.thunder_model_create(&m) != THUNDER_OK) {
    ++mismatches;
    return;
  }
  for (int it = 0; it < kIterations; ++it) {
    Result r;
    if (!runOnce(lib, m, it, r) || !(r == ref[it]))
      ++mismatches;
  }
  if (counterOf(lib, m) != 41 + kIterations)
    ++mismatches;
  lib.thunder_model_destroy(m);
}

/// One thread per (model, reference) pair, all at once; the calls that differed from the reference.
int mismatchesOnThreads(std::vector<std::pair<const Lib *, const std::vector<Result> *>> runs) {
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (auto [lib, ref] : runs)
    threads.emplace_back(checkAgainst, std::cref(*lib), std::cref(*ref), std::ref(mismatches));
  for (std::thread &t : threads)
    t.join();
  return mismatches.load();
}

TEST(Concurrency, TwoInstancesOfOneModelOnTwoThreadsMatchOneThread) {
  Lib lib("affine");
  ASSERT_TRUE(lib.ok());
  std::vector<Result> ref = reference(lib);
  EXPECT_EQ(mismatchesOnThreads({{&lib, &ref}, {&lib, &ref}}), 0);
}

TEST(Concurrency, TwoModelsOnTwoThreadsMatchOneThread) {
  // RTLD_LOCAL (the default) here; ApiTest's TwoModelsInOneProcess uses RTLD_GLOBAL.
  Lib one("affine"), three("affine3");
  ASSERT_TRUE(one.ok() && three.ok());
  std::vector<Result> refOne = reference(one), refThree = reference(three);
  ASSERT_EQ(refOne.size(), refThree.size());
  for (size_t j = 0; j < refOne[0].y.size(); ++j) // two different models
    EXPECT_FLOAT_EQ(refThree[0].y[j], 3 * refOne[0].y[j]);
  EXPECT_EQ(mismatchesOnThreads({{&one, &refOne}, {&three, &refThree}, {&one, &refOne}}), 0);
}

TEST(Concurrency, ErrorsStayWithTheirInstanceAndThread) {
  // A failing call on one instance leaves the other instance's message alone; create's error is
  // per thread.
  Lib lib("affine");
  ASSERT_TRUE(lib.ok());
  thunder_model *a = nullptr, *b = nullptr;
  ASSERT_EQ(lib.thunder_model_create(&a), THUNDER_OK);
  ASSERT_EQ(lib.thunder_model_create(&b), THUNDER_OK);
  HostTensor bad = f32({3, 5});
  const DLTensor *in[] = {&bad.t};
  DLManagedTensor *o[2];
  EXPECT_EQ(lib.thunder_forward(a, in, 1, o, 2, nullptr), THUNDER_ERR_SHAPE);
  EXPECT_STRNE(lib.thunder_last_error(a), "");
  EXPECT_STREQ(lib.thunder_last_error(b), "");
  std::string otherThread;
  std::thread t([&] {
    EXPECT_EQ(lib.thunder_model_create(nullptr), THUNDER_ERR_INVALID_ARGUMENT);
    otherThread = lib.thunder_last_error(nullptr);
  });
  t.join();
  EXPECT_NE(otherThread.find("output pointer is null"), std::string::npos) << otherThread;
  EXPECT_STREQ(lib.thunder_last_error(nullptr), ""); // this thread's last create succeeded
  lib.thunder_model_destroy(a);
  lib.thunder_model_destroy(b);
}

} // namespace
