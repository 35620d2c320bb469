//===- DnnTest.cpp - thunder_cuda_conv against a host convolution ----------===//
//
// Without a GPU: the entry point says "not done" (0) outside a call, cuDNN's
// library loads and resolves every function the runtime uses where it is
// installed, and a missing one is reported, not fatal. With a GPU (and
// cuDNN): 1-D, 2-D and 3-D convolutions with padding, stride, dilation,
// groups (depthwise too) in every dtype against a naive host convolution, the
// plan cache, a configuration cuDNN cannot run (asymmetric padding: 0, no
// error), and an instance without cuDNN (0, no error).
//
//===----------------------------------------------------------------------===//

#include "HostValues.h"
#include "TestUtil.h"

#include "cuda/Dnn.h"
#include "thunder/runtime/compiler_abi.h"

#include <cmath>
#include <iterator>
#include <memory>

using namespace thunder::cuda;
using thunder::test::Buf;
using thunder::test::upload;

namespace {

struct Conv {
  int dtype;
  int spatial;
  int64_t n, c, k, groups;
  std::array<int64_t, 3> in, win, pad, stride, dil;
  double tol;

  int64_t out(int d) const {
    return (in[d] + 2 * pad[d] - dil[d] * (win[d] - 1) - 1) / stride[d] + 1;
  }
  std::string name() const {
    std::string s = "dtype " + std::to_string(dtype) + " " + std::to_string(spatial) + "-D n " +
                    std::to_string(n) + " c " + std::to_string(c) + " k " + std::to_string(k) +
                    " groups " + std::to_string(groups) + " in";
    for (int d = 0; d < spatial; ++d)
      s += " " + std::to_string(in[d]);
    return s;
  }
};

/// Row-major offsets of an index over `shape`.
int64_t offset(const std::vector<int64_t> &shape, const std::vector<int64_t> &index) {
  int64_t o = 0;
  for (size_t i = 0; i < shape.size(); ++i)
    o = o * shape[i] + index[i];
  return o;
}

/// The convolution of compiler_abi.h, on the host in double.
std::vector<double> reference(const Conv &cv, const Buf &x, const Buf &w) {
  int s = cv.spatial;
  std::vector<int64_t> xs = {cv.n, cv.c}, ws = {cv.k, cv.c / cv.groups}, ys = {cv.n, cv.k};
  for (int d = 0; d < s; ++d) {
    xs.push_back(cv.in[d]);
    ws.push_back(cv.win[d]);
    ys.push_back(cv.out(d));
  }
  int64_t total = 1, windows = 1;
  for (int64_t v : ys)
    total *= v;
  for (int d = 0; d < s; ++d)
    windows *= cv.win[d];
  int64_t cg = cv.c / cv.groups, kg = cv.k / cv.groups;
  std::vector<double> y(static_cast<size_t>(total));
  std::vector<int64_t> yi(ys.size());
  for (int64_t lin = 0; lin < total; ++lin) {
    for (int64_t r = lin, i = int64_t(ys.size()) - 1; i >= 0; --i) {
      yi[i] = r % ys[i];
      r /= ys[i];
    }
    double acc = 0;
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t wl = 0; wl < windows; ++wl) {
        std::vector<int64_t> xi = {yi[0], (yi[1] / kg) * cg + ci}, wi = {yi[1], ci};
        bool inside = true;
        for (int64_t r = wl, d = s - 1; d >= 0; --d) {
          int64_t rd = r % cv.win[d];
          r /= cv.win[d];
          int64_t p = yi[2 + d] * cv.stride[d] + rd * cv.dil[d] - cv.pad[d];
          inside &= p >= 0 && p < cv.in[d];
          xi.insert(xi.begin() + 2, p); // d descending: prepend after n, c
          wi.insert(wi.begin() + 2, rd);
        }
        if (inside)
          acc += x.get(offset(xs, xi)) * w.get(offset(ws, wi));
      }
    y[lin] = acc;
  }
  return y;
}

/// Runs `cv` through thunder_cuda_conv (twice: the second from the plan
/// cache) in a call of `state`; returns what it returned and y.
int runConv(CudaState &state, const Conv &cv, const Buf &x, const Buf &w, Buf &y,
            int64_t outOverride = -1) {
  CallState call;
  call.cuda = &state;
  int done = -1;
  {
    ScopedCall scoped(call);
    const DriverApi *d = state.d;
    void *dx = upload(x), *dw = upload(w), *dy = upload(y);
    int64_t o[3] = {1, 1, 1};
    for (int i = 0; i < cv.spatial; ++i)
      o[i] = cv.out(i);
    if (outOverride >= 0)
      o[0] = outOverride;
    for (int rep = 0; rep < 2; ++rep) {
      int r = thunder_cuda_conv(cv.dtype, cv.spatial, cv.n, cv.c, cv.k, cv.groups, cv.in[0],
                                cv.in[1], cv.in[2], cv.win[0], cv.win[1], cv.win[2], o[0], o[1],
                                o[2], cv.pad[0], cv.pad[1], cv.pad[2], cv.stride[0],
                                cv.stride[1], cv.stride[2], cv.dil[0], cv.dil[1], cv.dil[2], dx, dw,
                                dy);
      EXPECT_TRUE(done == -1 || r == done) << "the cached plan answered differently";
      done = r;
    }
    EXPECT_EQ(call.status, THUNDER_OK) << call.message;
    EXPECT_EQ(d->cuStreamSynchronize(nullptr), 0);
    EXPECT_EQ(d->cuMemcpyDtoH(y.bytes.data(), reinterpret_cast<CUdeviceptr>(dy), y.bytes.size()),
              0);
    for (void *p : {dx, dw, dy})
      deviceFree(p);
  }
  return done;
}

void checkConv(CudaState &state, const Conv &cv) {
  SCOPED_TRACE(cv.name());
  size_t nx = size_t(cv.n * cv.c), nw = size_t(cv.k * (cv.c / cv.groups)),
         ny = size_t(cv.n * cv.k);
  for (int d = 0; d < cv.spatial; ++d) {
    nx *= size_t(cv.in[d]);
    nw *= size_t(cv.win[d]);
    ny *= size_t(cv.out(d));
  }
  // Small dyadic values: exact in every dtype, so only the result rounds.
  Buf x(cv.dtype, nx), w(cv.dtype, nw), y(cv.dtype, ny);
  for (size_t i = 0; i < nx; ++i)
    x.set(i, double(int(i % 7) - 3) / 4);
  for (size_t i = 0; i < nw; ++i)
    w.set(i, double(int(i % 5) - 2) / 2);
  for (size_t i = 0; i < ny; ++i)
    y.set(i, 1e3); // must be overwritten
  std::vector<double> expect = reference(cv, x, w);
  ASSERT_EQ(runConv(state, cv, x, w, y), 1) << "cuDNN did not run it";
  int bad = 0;
  for (size_t i = 0; i < ny && bad < 5; ++i) {
    double e = expect[i], g = y.get(i);
    if (std::fabs(e - g) > cv.tol * (1 + std::fabs(e))) {
      ADD_FAILURE() << "element " << i << ": got " << g << ", expected " << e;
      ++bad;
    }
  }
}

TEST(Dnn, OutsideACallNothingHappens) {
  // The compiled code's generated kernel would run (and report) instead.
  EXPECT_EQ(thunder_cuda_conv(THUNDER_MM_F32, 2, 1, 1, 1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 1,
                              1, 1, 1, 1, 1, nullptr, nullptr, nullptr),
            0);
  CallState cpuCall; // a call without a CUDA instance
  {
    ScopedCall scoped(cpuCall);
    EXPECT_EQ(thunder_cuda_conv(THUNDER_MM_F32, 2, 1, 1, 1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0,
                                1, 1, 1, 1, 1, 1, nullptr, nullptr, nullptr),
              1);
  }
  EXPECT_EQ(cpuCall.status, THUNDER_ERR_INTERNAL);
  EXPECT_NE(cpuCall.message.find("outside a CUDA model call"), std::string::npos)
      << cpuCall.message;
}

TEST(Dnn, LibraryLoadsOrSaysWhyNot) {
  std::string why;
  EXPECT_EQ(loadDnn("libthunder-no-such-cudnn.so.9", &why), nullptr);
  EXPECT_NE(why.find("cannot load libthunder-no-such-cudnn.so.9"), std::string::npos) << why;
  // Where cuDNN is installed (no GPU needed), every function the runtime uses
  // resolves.
  void *probe = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_LOCAL);
  if (!probe)
    GTEST_SKIP() << "libcudnn.so.9 is not installed here";
  dlclose(probe);
  why.clear();
  // loadDnn hands over a new table (the library stays open, as for dnn()).
  std::unique_ptr<const DnnApi> api(loadDnn("libcudnn.so.9", &why));
  EXPECT_NE(api, nullptr) << why;
}

class DnnGpu : public ::testing::Test {
protected:
  void SetUp() override {
    if (!thunder::test::cudaAvailable())
      GTEST_SKIP() << "no CUDA on this machine";
    std::string why;
    if (!dnn(&why))
      GTEST_SKIP() << "no cuDNN: " << why;
    state.bind(0);
  }
  CudaState state;
};

TEST_F(DnnGpu, ConvolutionsAgainstAHostReference) {
  using A = std::array<int64_t, 3>;
  const Conv cases[] = {
      // dtype, spatial, n, c, k, groups, in, win, pad, stride, dilation, tol
      // (float32: FFT and Winograd algorithms round; an indexing error is O(1))
      {THUNDER_MM_F32_STRICT, 2, 2, 3, 4, 1, A{9, 9, 1}, A{3, 3, 1}, A{1, 1, 0}, A{1, 1, 1},
       A{1, 1, 1}, 1e-4},
      {THUNDER_MM_F32, 2, 3, 5, 6, 1, A{11, 8, 1}, A{3, 3, 1}, A{1, 1, 0}, A{2, 2, 1},
       A{1, 1, 1}, 1e-4},
      {THUNDER_MM_F32, 2, 2, 4, 6, 2, A{7, 9, 1}, A{3, 3, 1}, A{2, 2, 0}, A{1, 1, 1},
       A{2, 2, 1}, 1e-4},
      {THUNDER_MM_F32, 2, 2, 8, 8, 8, A{12, 12, 1}, A{5, 5, 1}, A{2, 2, 0}, A{2, 2, 1},
       A{1, 1, 1}, 1e-4}, // depthwise
      {THUNDER_MM_F32, 2, 2, 24, 16, 1, A{4, 4, 1}, A{1, 1, 1}, A{0, 0, 0}, A{1, 1, 1},
       A{1, 1, 1}, 1e-4}, // 1x1
      {THUNDER_MM_F32, 2, 4, 3, 16, 1, A{32, 32, 1}, A{3, 3, 1}, A{1, 1, 0}, A{1, 1, 1},
       A{1, 1, 1}, 1e-4}, // the cnn fixture's first layer
      {THUNDER_MM_F32, 1, 2, 4, 3, 1, A{9, 1, 1}, A{3, 1, 1}, A{1, 0, 0}, A{1, 1, 1},
       A{1, 1, 1}, 1e-4},
      {THUNDER_MM_F32, 1, 2, 4, 4, 2, A{10, 1, 1}, A{3, 1, 1}, A{0, 0, 0}, A{2, 1, 1},
       A{2, 1, 1}, 1e-4},
      {THUNDER_MM_F32, 3, 1, 2, 3, 1, A{4, 6, 6}, A{3, 3, 3}, A{1, 1, 1}, A{1, 2, 2},
       A{1, 1, 1}, 1e-4},
      {THUNDER_MM_BF16, 2, 2, 16, 32, 1, A{8, 8, 1}, A{3, 3, 1}, A{1, 1, 0}, A{1, 1, 1},
       A{1, 1, 1}, 1e-2},
      {THUNDER_MM_F16, 2, 2, 8, 8, 1, A{8, 8, 1}, A{3, 3, 1}, A{1, 1, 0}, A{2, 2, 1},
       A{1, 1, 1}, 2e-3},
      {THUNDER_MM_F64, 2, 1, 3, 2, 1, A{5, 6, 1}, A{2, 3, 1}, A{0, 1, 0}, A{1, 1, 1},
       A{1, 2, 1}, 1e-12},
  };
  for (const Conv &cv : cases)
    checkConv(state, cv);
  ASSERT_TRUE(state.dnn);
  EXPECT_EQ(state.dnn->plans.size(), std::size(cases)); // one plan per shape, reused
}

TEST_F(DnnGpu, UnsupportedConfigurationsAreLeftToTheCaller) {
  // An output one longer than symmetric padding gives (the lowering's
  // asymmetric padding): not done, no error, the plan remembers it.
  using A = std::array<int64_t, 3>;
  Conv cv{THUNDER_MM_F32, 2, 1, 2, 2, 1, A{8, 8, 1}, A{3, 3, 1}, A{1, 1, 0}, A{1, 1, 1},
          A{1, 1, 1}, 0};
  Buf x(cv.dtype, 2 * 64), w(cv.dtype, 2 * 2 * 9), y(cv.dtype, 2 * 9 * 8);
  EXPECT_EQ(runConv(state, cv, x, w, y, /*outOverride=*/9), 0);
  ASSERT_TRUE(state.dnn);
  ASSERT_EQ(state.dnn->plans.size(), 1u);
  EXPECT_FALSE(state.dnn->plans.begin()->second.supported);
  EXPECT_NE(state.dnn->plans.begin()->second.whyNot.find("output"), std::string::npos)
      << state.dnn->plans.begin()->second.whyNot;

  // An instance that found no cuDNN: not done, no error.
  CudaState other;
  other.bind(0);
  other.dnn = std::make_unique<DnnState>();
  other.dnn->unavailable = true;
  Buf y2(cv.dtype, 2 * 8 * 8);
  EXPECT_EQ(runConv(other, cv, x, w, y2), 0);
}

} // namespace
