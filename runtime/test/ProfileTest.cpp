// THUNDER_PROFILE's grouping of kernel and library-call names into families.
#include "cuda/Profile.h"

#include <gtest/gtest.h>

using thunder::cuda::KernelProfile;

TEST(KernelProfile, GeneratedKernelsGroupByFunctionAndStrategy) {
  EXPECT_EQ(KernelProfile::family("forward_12_reduce_scaled_dot_product_attention"),
            "forward/reduce");
  EXPECT_EQ(KernelProfile::family("backward_3_serial_embedding"), "backward/serial");
  EXPECT_EQ(KernelProfile::family("forward_0_elementwise"), "forward/elementwise");
  // A function name with underscores: the first all-digit piece is the index.
  EXPECT_EQ(KernelProfile::family("my_fn_7_elementwise_add_1"), "my_fn/elementwise");
}

TEST(KernelProfile, LibraryCallsGroupByLibrary) {
  EXPECT_EQ(KernelProfile::family("cublasLt matmul (96 x 1024x64 @ 64x1024) dtype 6"), "cublasLt");
  EXPECT_EQ(KernelProfile::family("cudnn conv2d 64x3x224x224"), "cudnn");
}

TEST(KernelProfile, OtherNamesAreTheirOwnFamily) {
  EXPECT_EQ(KernelProfile::family("kernel"), "kernel");
  EXPECT_EQ(KernelProfile::family("forward_7"), "forward_7");
}
