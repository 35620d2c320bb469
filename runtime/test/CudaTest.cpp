//===- CudaTest.cpp - The CUDA target, with and without a GPU --------------===//
//
// models/cuda_mlp.c drives the mgpu* wrappers and thunder_cuda_matmul with real
// kernels. Without a GPU (or without libcuda) the model must load, describe
// itself, and fail every device operation with THUNDER_ERR_NO_CUDA. With one,
// forward and backward are checked against a host computation.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "cuda/Driver.h"

#include <cmath>

using namespace thunder::test;

bool thunder::test::cudaAvailable() { return thunder::cuda::driver(nullptr) != nullptr; }

namespace {

class CudaMlp : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(lib.ok());
    ASSERT_EQ(lib.thunder_model_create(&m), THUNDER_OK) << lib.thunder_last_error(nullptr);
  }
  void TearDown() override { lib.thunder_model_destroy(m); }
  std::string error() { return lib.thunder_last_error(m); }

  Managed toDevice(HostTensor &h) {
    DLManagedTensor *d = nullptr;
    EXPECT_EQ(lib.thunder_copy_to_device(m, &h.t, &d), THUNDER_OK) << error();
    return Managed(d);
  }
  std::vector<float> toHost(const DLManagedTensor *t) {
    DLManagedTensor *h = nullptr;
    EXPECT_EQ(lib.thunder_copy_to_host(m, &t->dl_tensor, &h), THUNDER_OK) << error();
    Managed hold(h);
    return h ? floats(h) : std::vector<float>();
  }

  static Lib lib;
  thunder_model *m = nullptr;
};
Lib CudaMlp::lib("cuda_mlp");

float weight(int i, int j) { return static_cast<float>(((i * 16 + j) % 7) - 3) / 4.f; }
float bias(int j) { return static_cast<float>(j % 5 - 2) / 8.f; }

TEST_F(CudaMlp, LoadsAndDescribesItselfWithoutTouchingCuda) {
  EXPECT_STREQ(lib.thunder_target(m), "cuda");
  EXPECT_EQ(lib.thunder_num_inputs(m), 1u);
  EXPECT_EQ(lib.thunder_num_params(m), 2u);
  DLDevice d = lib.thunder_model_device(m);
  EXPECT_EQ(d.device_type, kDLCUDA);
  EXPECT_EQ(d.device_id, -1);
  thunder_tensor_info info;
  ASSERT_EQ(lib.thunder_param_info(m, 0, &info), THUNDER_OK);
  EXPECT_STREQ(info.name, "fc.weight");
}

TEST_F(CudaMlp, HostInputsAreRefused) {
  HostTensor x = f32({2, 8});
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *o[1];
  EXPECT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_ERR_DEVICE);
  EXPECT_NE(error().find("expected a CUDA tensor (kDLCUDA)"), std::string::npos) << error();
}

TEST_F(CudaMlp, WithoutCudaEveryDeviceOperationSaysSo) {
  if (cudaAvailable())
    GTEST_SKIP() << "this machine has CUDA";
  HostTensor x = f32({2, 8});
  x.t.device = DLDevice{kDLCUDA, 0}; // never dereferenced: there is no CUDA
  const DLTensor *in[] = {&x.t};
  DLManagedTensor *o[1] = {reinterpret_cast<DLManagedTensor *>(0x1)};
  EXPECT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_ERR_NO_CUDA);
  EXPECT_EQ(o[0], nullptr);
  EXPECT_EQ(error().rfind("thunder_forward: no CUDA device: ", 0), 0u) << error();
  // Validation still comes first.
  HostTensor wide = f32({2, 9});
  wide.t.device = DLDevice{kDLCUDA, 0};
  const DLTensor *bad[] = {&wide.t};
  EXPECT_EQ(lib.thunder_forward(m, bad, 1, o, 1, nullptr), THUNDER_ERR_SHAPE);
  DLManagedTensor *t = nullptr;
  HostTensor h = f32({2, 8});
  EXPECT_EQ(lib.thunder_copy_to_device(m, &h.t, &t), THUNDER_ERR_NO_CUDA);
  EXPECT_EQ(lib.thunder_get_buffer(m, 0, &t), THUNDER_ERR_NO_CUDA);
  EXPECT_EQ(lib.thunder_model_set_device(m, 0), THUNDER_ERR_NO_CUDA);
  EXPECT_EQ(lib.thunder_synchronize(m, nullptr), THUNDER_OK);
  // And again: the failure to load the driver is remembered, not retried into a crash.
  EXPECT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_ERR_NO_CUDA);
}

TEST_F(CudaMlp, ForwardBackwardOnTheGpu) {
  if (!cudaAvailable())
    GTEST_SKIP() << "no CUDA on this machine";
  const int n = 5;
  std::vector<float> xv(n * 8);
  for (int i = 0; i < n * 8; ++i)
    xv[i] = static_cast<float>(i % 13) / 8.f - 0.75f; // exact in TF32
  HostTensor xh = f32({n, 8}, xv);
  Managed x = toDevice(xh);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->dl_tensor.device.device_type, kDLCUDA);
  const DLTensor *in[] = {&x->dl_tensor};
  DLManagedTensor *o[1];
  ASSERT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_OK) << error();
  Managed z(o[0]);
  EXPECT_EQ(z->dl_tensor.device.device_type, kDLCUDA);
  std::vector<float> zv = toHost(z.get()), y(n * 16);
  ASSERT_EQ(zv.size(), size_t(n * 16));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 16; ++j) {
      float s = bias(j);
      for (int k = 0; k < 8; ++k)
        s += xv[i * 8 + k] * weight(k, j);
      y[i * 16 + j] = s;
      EXPECT_NEAR(zv[i * 16 + j], s > 0 ? s : 0.f, 1e-5f) << i << "," << j;
    }

  // Backward (strict float32 products).
  std::vector<float> dzv(n * 16);
  for (int i = 0; i < n * 16; ++i)
    dzv[i] = static_cast<float>(i % 9) / 4.f - 1.f;
  HostTensor dzh = f32({n, 16}, dzv);
  Managed dz = toDevice(dzh);
  const DLTensor *cots[] = {&dz->dl_tensor};
  DLManagedTensor *gp[2], *gi[1];
  ASSERT_EQ(lib.thunder_backward(m, cots, 1, gp, 2, gi, 1, nullptr), THUNDER_OK) << error();
  Managed dW(gp[0]), db(gp[1]), dx(gi[0]);
  std::vector<float> dWv = toHost(dW.get()), dbv = toHost(db.get()), dxv = toHost(dx.get());
  std::vector<float> dy(n * 16);
  for (int i = 0; i < n * 16; ++i)
    dy[i] = y[i] > 0 ? dzv[i] : 0.f;
  for (int k = 0; k < 8; ++k)
    for (int j = 0; j < 16; ++j) {
      float s = 0;
      for (int i = 0; i < n; ++i)
        s += xv[i * 8 + k] * dy[i * 16 + j];
      EXPECT_NEAR(dWv[k * 16 + j], s, 1e-4f) << k << "," << j;
    }
  for (int j = 0; j < 16; ++j) {
    float s = 0;
    for (int i = 0; i < n; ++i)
      s += dy[i * 16 + j];
    EXPECT_NEAR(dbv[j], s, 1e-4f) << j;
  }
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 8; ++k) {
      float s = 0;
      for (int j = 0; j < 16; ++j)
        s += dy[i * 16 + j] * weight(k, j);
      EXPECT_NEAR(dxv[i * 8 + k], s, 1e-4f) << i << "," << k;
    }

  // The step buffer was incremented in place, once per forward.
  DLManagedTensor *s = nullptr;
  ASSERT_EQ(lib.thunder_get_buffer(m, 0, &s), THUNDER_OK) << error();
  Managed step(s);
  EXPECT_EQ(toHost(step.get())[0], 1.f);
  for (int it = 0; it < 3; ++it) {
    ASSERT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_OK) << error();
    Managed again(o[0]);
  }
  ASSERT_EQ(lib.thunder_get_buffer(m, 0, &s), THUNDER_OK) << error();
  Managed step4(s);
  EXPECT_EQ(toHost(step4.get())[0], 4.f);
  EXPECT_EQ(lib.thunder_synchronize(m, nullptr), THUNDER_OK) << error();
}

TEST_F(CudaMlp, GpuErrorsAndTwoInstances) {
  if (!cudaAvailable())
    GTEST_SKIP() << "no CUDA on this machine";
  HostTensor xh = f32({3, 8});
  Managed x = toDevice(xh);
  ASSERT_TRUE(x);
  DLTensor elsewhere = x->dl_tensor;
  elsewhere.device.device_id = 77;
  const DLTensor *far[] = {&elsewhere};
  DLManagedTensor *o[1];
  EXPECT_EQ(lib.thunder_forward(m, far, 1, o, 1, nullptr), THUNDER_ERR_DEVICE);
  EXPECT_NE(error().find("cuda:77"), std::string::npos) << error();

  thunder_model *other = nullptr;
  ASSERT_EQ(lib.thunder_model_create(&other), THUNDER_OK);
  const DLTensor *in[] = {&x->dl_tensor};
  for (int it = 0; it < 2; ++it) {
    ASSERT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_OK) << error();
    Managed z(o[0]);
  }
  ASSERT_EQ(lib.thunder_forward(other, in, 1, o, 1, nullptr), THUNDER_OK)
      << lib.thunder_last_error(other);
  Managed z(o[0]);
  DLManagedTensor *a = nullptr, *b = nullptr;
  ASSERT_EQ(lib.thunder_get_buffer(m, 0, &a), THUNDER_OK);
  ASSERT_EQ(lib.thunder_get_buffer(other, 0, &b), THUNDER_OK);
  Managed ha(a), hb(b);
  EXPECT_EQ(toHost(ha.get())[0], 2.f);
  EXPECT_EQ(toHost(hb.get())[0], 1.f);
  lib.thunder_model_destroy(other);
}

TEST_F(CudaMlp, StreamsForwardAndBackwardOnDifferentStreams) {
  if (!cudaAvailable())
    GTEST_SKIP() << "no CUDA on this machine";
  const thunder::cuda::DriverApi *d = thunder::cuda::driver(nullptr);
  const int n = 300;
  HostTensor xh = f32({n, 8});
  for (int i = 0; i < n * 8; ++i)
    xh.data<float>()[i] = static_cast<float>(i % 11) / 4.f - 1.f;
  HostTensor dzh = f32({n, 16});
  for (int i = 0; i < n * 16; ++i)
    dzh.data<float>()[i] = static_cast<float>(i % 7) / 2.f - 1.f;
  Managed x = toDevice(xh), dz = toDevice(dzh);
  const DLTensor *in[] = {&x->dl_tensor};
  const DLTensor *cots[] = {&dz->dl_tensor};

  // Reference: everything on the legacy default stream.
  DLManagedTensor *o[1], *gp[2], *gi[1];
  ASSERT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_OK) << error();
  Managed z0(o[0]);
  ASSERT_EQ(lib.thunder_backward(m, cots, 1, gp, 2, gi, 1, nullptr), THUNDER_OK) << error();
  Managed w0(gp[0]), b0(gp[1]), x0(gi[0]);
  std::vector<float> zRef = toHost(z0.get()), dxRef = toHost(x0.get());

  // Forward on one non-blocking stream, backward on another: ordered by the runtime.
  thunder_model *other = nullptr;
  ASSERT_EQ(lib.thunder_model_create(&other), THUNDER_OK);
  // The caller's streams live in the device's primary context, as PyTorch's do.
  thunder::cu::CUdevice dev = 0;
  thunder::cu::CUcontext ctx = nullptr;
  ASSERT_EQ(d->cuDeviceGet(&dev, 0), 0);
  ASSERT_EQ(d->cuDevicePrimaryCtxRetain(&ctx, dev), 0);
  ASSERT_EQ(d->cuCtxSetCurrent(ctx), 0);
  thunder::cu::CUstream s1 = nullptr, s2 = nullptr;
  ASSERT_EQ(d->cuStreamCreate(&s1, thunder::cu::CU_STREAM_NON_BLOCKING), 0);
  ASSERT_EQ(d->cuStreamCreate(&s2, thunder::cu::CU_STREAM_NON_BLOCKING), 0);
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(lib.thunder_forward(other, in, 1, o, 1, s1), THUNDER_OK)
        << lib.thunder_last_error(other);
    Managed z(o[0]);
    ASSERT_EQ(lib.thunder_backward(other, cots, 1, gp, 2, gi, 1, s2), THUNDER_OK)
        << lib.thunder_last_error(other);
    Managed w(gp[0]), b(gp[1]), dxT(gi[0]);
    ASSERT_EQ(lib.thunder_synchronize(other, s1), THUNDER_OK);
    ASSERT_EQ(lib.thunder_synchronize(other, s2), THUNDER_OK);
    EXPECT_EQ(toHost(z.get()), zRef);
    EXPECT_EQ(toHost(dxT.get()), dxRef);
  }
  lib.thunder_model_destroy(other);
  d->cuStreamDestroy(s1);
  d->cuStreamDestroy(s2);
  d->cuCtxSetCurrent(nullptr);
  d->cuDevicePrimaryCtxRelease(dev);
}

// A server's worker threads destroy their streams before the instances go
// (test/gpu/serve segfaulted there): destroying the instance must not touch
// the last call's stream.
TEST_F(CudaMlp, InstanceOutlivesTheStreamsOfItsCalls) {
  if (!cudaAvailable())
    GTEST_SKIP() << "no CUDA on this machine";
  const thunder::cuda::DriverApi *d = thunder::cuda::driver(nullptr);
  HostTensor xh = f32({4, 8});
  for (int i = 0; i < 4 * 8; ++i)
    xh.data<float>()[i] = static_cast<float>(i % 5) / 4.f;
  Managed x = toDevice(xh);
  const DLTensor *in[] = {&x->dl_tensor};
  thunder::cu::CUdevice dev = 0;
  thunder::cu::CUcontext ctx = nullptr;
  ASSERT_EQ(d->cuDeviceGet(&dev, 0), 0);
  ASSERT_EQ(d->cuDevicePrimaryCtxRetain(&ctx, dev), 0);
  ASSERT_EQ(d->cuCtxSetCurrent(ctx), 0);
  for (int round = 0; round < 20; ++round) {
    thunder_model *inst = nullptr;
    ASSERT_EQ(lib.thunder_model_create(&inst), THUNDER_OK);
    thunder::cu::CUstream s = nullptr;
    ASSERT_EQ(d->cuStreamCreate(&s, thunder::cu::CU_STREAM_NON_BLOCKING), 0);
    DLManagedTensor *o[1];
    ASSERT_EQ(lib.thunder_forward(inst, in, 1, o, 1, s), THUNDER_OK) << lib.thunder_last_error(inst);
    ASSERT_EQ(lib.thunder_synchronize(inst, s), THUNDER_OK);
    ASSERT_EQ(d->cuStreamDestroy(s), 0);
    Managed z(o[0]); // freed after the stream, outside any call
    z.reset();
    lib.thunder_model_destroy(inst);
  }
  d->cuCtxSetCurrent(nullptr);
  d->cuDevicePrimaryCtxRelease(dev);
}

TEST(CudaErrors, ARefusedLaunchIsAStatusNamingTheKernel) {
  if (!cudaAvailable())
    GTEST_SKIP() << "no CUDA on this machine";
  Lib lib("cuda_bad_launch");
  ASSERT_TRUE(lib.ok());
  thunder_model *m = nullptr;
  ASSERT_EQ(lib.thunder_model_create(&m), THUNDER_OK);
  HostTensor xh = f32({4, 8});
  DLManagedTensor *x = nullptr;
  ASSERT_EQ(lib.thunder_copy_to_device(m, &xh.t, &x), THUNDER_OK);
  Managed hold(x);
  const DLTensor *in[] = {&x->dl_tensor};
  for (int round = 0; round < 2; ++round) {
    DLManagedTensor *o[1] = {nullptr};
    EXPECT_EQ(lib.thunder_forward(m, in, 1, o, 1, nullptr), THUNDER_ERR_CUDA);
    EXPECT_EQ(o[0], nullptr);
    std::string err = lib.thunder_last_error(m);
    EXPECT_NE(err.find("CUDA error while launching kernel 'relu_fwd'"), std::string::npos) << err;
  }
  // The instance is still usable for what does not launch the bad kernel.
  DLManagedTensor *s = nullptr;
  EXPECT_EQ(lib.thunder_get_buffer(m, 0, &s), THUNDER_OK) << lib.thunder_last_error(m);
  Managed step(s);
  lib.thunder_model_destroy(m);
}

} // namespace
