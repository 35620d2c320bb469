//===- VJPTest.cpp - every VJP rule against central differences -----------===//
//
// For each case of the table below (one line per op: its f64 inputs and the
// body of @forward), the test
//   1. builds @forward from the line (the first argument is a parameter, the
//      others user inputs, the result the one user output),
//   2. runs thunder-autodiff, then the project's lowering
//      (thunder-lower-to-linalg), one-shot bufferization and the upstream
//      conversions to the LLVM dialect, and JIT-compiles the module,
//   3. draws random inputs x and a random cotangent v, calls forward and
//      backward, and checks each gradient element against the central
//      difference (f(x + eps e_i) - f(x - eps e_i)) / 2 eps of
//      f(x) = sum(forward(x) * v), eps = 1e-6, relative tolerance 1e-6.
// A new op gets its check by adding one line to kCases.
//
//===----------------------------------------------------------------------===//
#include "Jit.h"

#include "thunder/Autodiff/Autodiff.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

/// A random f64 input: uniform in [lo, hi], or with `awayFromZero` in
/// [lo, hi] with a random sign.
struct Input {
  std::vector<int64_t> shape;
  double lo = -1, hi = 1;
  bool awayFromZero = false;
  const char *type = nullptr; // the argument type, where not static f64
};
Input U(std::vector<int64_t> shape) { return {std::move(shape)}; }
Input Pos(std::vector<int64_t> shape) { return {std::move(shape), 0.5, 2.0}; }
Input R(double lo, double hi, std::vector<int64_t> shape) {
  return {std::move(shape), lo, hi};
}
Input NZ(std::vector<int64_t> shape) {
  return {std::move(shape), 0.2, 1.0, true};
}
/// `in` passed as an argument of type `type` (dynamic extents).
Input Dyn(Input in, const char *type) {
  in.type = type;
  return in;
}

struct Case {
  const char *name;
  std::vector<Input> inputs; // %a, %b, %c, ... (f64)
  const char *result;        // shape of %r, e.g. "2x3" (f64)
  const char *body;          // defines %r
  double eps = 1e-6, tol = 1e-6;
  const char *resultType = nullptr; // the type of %r, where not static
};

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

// Shorthands for the bodies: the element type is always f64.
#define T23 "tensor<2x3xf64>"

// One line (or a few) per case; kept as written.
// clang-format off
const Case kCases[] = {
    // Elementwise, unary.
    {"exp", {U({2, 3})}, "2x3", "%r = thunder.exp %a : " T23},
    {"exp2", {U({2, 3})}, "2x3", "%r = thunder.exp2 %a : " T23},
    {"expm1", {U({2, 3})}, "2x3", "%r = thunder.expm1 %a : " T23},
    {"log", {Pos({2, 3})}, "2x3", "%r = thunder.log %a : " T23},
    {"log2", {Pos({2, 3})}, "2x3", "%r = thunder.log2 %a : " T23},
    {"log10", {Pos({2, 3})}, "2x3", "%r = thunder.log10 %a : " T23},
    {"log1p", {Pos({2, 3})}, "2x3", "%r = thunder.log1p %a : " T23},
    {"sqrt", {Pos({2, 3})}, "2x3", "%r = thunder.sqrt %a : " T23},
    {"rsqrt", {Pos({2, 3})}, "2x3", "%r = thunder.rsqrt %a : " T23},
    {"sin", {U({2, 3})}, "2x3", "%r = thunder.sin %a : " T23},
    {"cos", {U({2, 3})}, "2x3", "%r = thunder.cos %a : " T23},
    {"tan", {U({2, 3})}, "2x3", "%r = thunder.tan %a : " T23},
    {"asin", {R(-0.8, 0.8, {2, 3})}, "2x3", "%r = thunder.asin %a : " T23},
    {"acos", {R(-0.8, 0.8, {2, 3})}, "2x3", "%r = thunder.acos %a : " T23},
    {"atan", {U({2, 3})}, "2x3", "%r = thunder.atan %a : " T23},
    {"sinh", {U({2, 3})}, "2x3", "%r = thunder.sinh %a : " T23},
    {"cosh", {U({2, 3})}, "2x3", "%r = thunder.cosh %a : " T23},
    {"tanh", {U({2, 3})}, "2x3", "%r = thunder.tanh %a : " T23},
    {"asinh", {U({2, 3})}, "2x3", "%r = thunder.asinh %a : " T23},
    {"acosh", {R(1.2, 3.0, {2, 3})}, "2x3", "%r = thunder.acosh %a : " T23},
    {"atanh", {R(-0.8, 0.8, {2, 3})}, "2x3", "%r = thunder.atanh %a : " T23},
    {"erf", {U({2, 3})}, "2x3", "%r = thunder.erf %a : " T23},
    {"erfinv", {R(-0.8, 0.8, {2, 3})}, "2x3", "%r = thunder.erfinv %a : " T23},
    {"sigmoid", {U({2, 3})}, "2x3", "%r = thunder.sigmoid %a : " T23},
    {"reciprocal", {Pos({2, 3})}, "2x3", "%r = thunder.reciprocal %a : " T23},
    {"neg", {U({2, 3})}, "2x3", "%r = thunder.neg %a : " T23},
    {"abs", {NZ({2, 3})}, "2x3", "%r = thunder.abs %a : " T23},

    // Elementwise, binary.
    {"add", {U({2, 3}), U({2, 3})}, "2x3", "%r = thunder.add %a, %b : " T23},
    {"sub", {U({2, 3}), U({2, 3})}, "2x3", "%r = thunder.sub %a, %b : " T23},
    {"mul", {U({2, 3}), U({2, 3})}, "2x3", "%r = thunder.mul %a, %b : " T23},
    {"mul_same", {U({2, 3})}, "2x3", "%r = thunder.mul %a, %a : " T23},
    {"div", {U({2, 3}), Pos({2, 3})}, "2x3", "%r = thunder.div %a, %b : " T23},
    {"pow", {Pos({2, 3}), U({2, 3})}, "2x3", "%r = thunder.pow %a, %b : " T23},
    {"max", {U({2, 3}), U({2, 3})}, "2x3", "%r = thunder.max %a, %b : " T23},
    {"min", {U({2, 3}), U({2, 3})}, "2x3", "%r = thunder.min %a, %b : " T23},
    {"relu_as_max", {U({2, 3})}, "2x3",
     "%z = thunder.constant dense<0.0> : " T23 "\n"
     "%r = thunder.max %a, %z : " T23},
    {"atan2", {U({2, 3}), NZ({2, 3})}, "2x3",
     "%r = thunder.atan2 %a, %b : " T23},
    {"remainder", {U({2, 3}), R(0.3, 0.7, {2, 3})}, "2x3",
     "%r = thunder.remainder %a, %b : " T23},
    {"fmod", {U({2, 3}), R(0.3, 0.7, {2, 3})}, "2x3",
     "%r = thunder.fmod %a, %b : " T23},

    // Select, convert.
    {"select", {U({2, 3}), U({2, 3}), U({2, 3})}, "2x3",
     "%m = thunder.compare gt, %c, %a : " T23 "\n"
     "%r = thunder.select %m, %a, %b : tensor<2x3xi1>, " T23},
    {"convert", {U({2, 3}), U({2, 3})}, "2x3",
     "%0 = thunder.convert %a : " T23 " -> tensor<2x3xf32>\n"
     "%1 = thunder.convert %0 : tensor<2x3xf32> -> " T23 "\n"
     "%r = thunder.mul %1, %b : " T23,
     /*eps=*/1e-2, /*tol=*/1e-4},

    // Reductions and scans.
    {"reduce_sum", {U({2, 3, 4})}, "2x4",
     "%r = thunder.reduce_sum %a {dims = array<i64: 1>} : tensor<2x3x4xf64> -> "
     "tensor<2x4xf64>"},
    {"reduce_sum_keepdim", {U({2, 3, 4})}, "1x3x1",
     "%r = thunder.reduce_sum %a {dims = array<i64: 0, 2>, keepdim = true} : "
     "tensor<2x3x4xf64> -> tensor<1x3x1xf64>"},
    {"reduce_prod", {Pos({2, 3})}, "2",
     "%r = thunder.reduce_prod %a {dims = array<i64: 1>} : " T23
     " -> tensor<2xf64>"},
    {"reduce_max", {U({2, 3})}, "3",
     "%r = thunder.reduce_max %a {dims = array<i64: 0>} : " T23
     " -> tensor<3xf64>"},
    {"reduce_min", {U({2, 3})}, "2x1",
     "%r = thunder.reduce_min %a {dims = array<i64: 1>, keepdim = true} : " T23
     " -> tensor<2x1xf64>"},
    {"cumsum", {U({2, 3})}, "2x3", "%r = thunder.cumsum %a {dim = 1 : i64} : " T23},
    {"cumprod", {Pos({2, 3})}, "2x3",
     "%r = thunder.cumprod %a {dim = 1 : i64} : " T23},
    {"cummax", {U({3, 4})}, "3x4",
     "%r = thunder.cummax %a {dim = 1 : i64} : tensor<3x4xf64>"},
    {"cummin", {U({3, 4})}, "3x4",
     "%r = thunder.cummin %a {dim = 0 : i64} : tensor<3x4xf64>"},

    // Data movement.
    {"reshape", {U({2, 3})}, "3x2",
     "%r = thunder.reshape %a : " T23 " -> tensor<3x2xf64>"},
    {"permute", {U({2, 3, 4})}, "4x2x3",
     "%r = thunder.permute %a {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf64> "
     "-> tensor<4x2x3xf64>"},
    {"broadcast_in_dim", {U({3})}, "2x3",
     "%r = thunder.broadcast_in_dim %a {dims = array<i64: 1>} : "
     "tensor<3xf64> -> " T23},
    {"broadcast_in_dim_ones", {U({1, 3, 1})}, "2x3x4",
     "%r = thunder.broadcast_in_dim %a {dims = array<i64: 0, 1, 2>} : "
     "tensor<1x3x1xf64> -> tensor<2x3x4xf64>"},
    {"broadcast_in_dim_transposed", {U({3, 1})}, "4x2x3",
     "%r = thunder.broadcast_in_dim %a {dims = array<i64: 2, 1>} : "
     "tensor<3x1xf64> -> tensor<4x2x3xf64>"},
    {"slice", {U({4, 5})}, "2x3",
     "%r = thunder.slice %a {start = array<i64: 1, 1>, limit = array<i64: 3, "
     "4>, step = array<i64: 1, 1>} : tensor<4x5xf64> -> tensor<2x3xf64>"},
    {"slice_step", {U({5, 7})}, "2x3",
     "%r = thunder.slice %a {start = array<i64: 1, 0>, limit = array<i64: 5, "
     "7>, step = array<i64: 2, 3>} : tensor<5x7xf64> -> tensor<2x3xf64>"},
    {"concat", {U({2, 3}), U({2, 2})}, "2x5",
     "%r = thunder.concat %a, %b {dim = 1 : i64} : (" T23
     ", tensor<2x2xf64>) -> tensor<2x5xf64>"},
    {"pad", {U({2, 3}), U({})}, "4x4",
     "%r = thunder.pad %a, %b {low = array<i64: 1, 2>, high = array<i64: 1, "
     "-1>} : " T23 ", tensor<f64> -> tensor<4x4xf64>"},
    {"reverse", {U({2, 3})}, "2x3",
     "%r = thunder.reverse %a {dims = array<i64: 1>} : " T23},

    // Indexing (index tensors are constants).
    {"gather", {U({3, 4})}, "3x2",
     "%i = thunder.constant dense<[[0, 3], [2, 2], [1, 0]]> : tensor<3x2xi64>\n"
     "%r = thunder.gather %a[%i] {dim = 1 : i64} : tensor<3x4xf64>, "
     "tensor<3x2xi64> -> tensor<3x2xf64>"},
    {"index_select", {U({4, 3})}, "3x3",
     "%i = thunder.constant dense<[3, 0, 3]> : tensor<3xi64>\n"
     "%r = thunder.index_select %a[%i] {dim = 0 : i64} : tensor<4x3xf64>, "
     "tensor<3xi64> -> tensor<3x3xf64>"},
    {"index", {U({2, 4, 3})}, "2x2x2",
     "%i = thunder.constant dense<[[0, 3], [3, -1]]> : tensor<2x2xi64>\n"
     "%j = thunder.constant dense<[[0, 1], [2, 2]]> : tensor<2x2xi64>\n"
     "%r0 = thunder.index %a[%i, %j] {start_dim = 1 : i64} : tensor<2x4x3xf64>, "
     "tensor<2x2xi64>, tensor<2x2xi64> -> tensor<2x2x2xf64>\n"
     "%r = thunder.mul %r0, %r0 : tensor<2x2x2xf64>"},
    {"index_put", {U({4, 3}), U({2, 3})}, "4x3",
     "%i = thunder.constant dense<[2, 0]> : tensor<2xi64>\n"
     // Generic form (independent of index_put's custom syntax).
     "%r = \"thunder.index_put\"(%a, %i, %b) <{start_dim = 0 : i64}> : "
     "(tensor<4x3xf64>, tensor<2xi64>, tensor<2x3xf64>) -> tensor<4x3xf64>"},
    {"index_put_accumulate", {U({4, 3}), U({3, 3})}, "4x3",
     "%i = thunder.constant dense<[2, 0, 2]> : tensor<3xi64>\n"
     "%r = \"thunder.index_put\"(%a, %i, %b) <{start_dim = 0 : i64, "
     "accumulate = true}> : (tensor<4x3xf64>, tensor<3xi64>, tensor<3x3xf64>) "
     "-> tensor<4x3xf64>"},
    {"scatter", {U({3, 4}), U({3, 2})}, "3x4",
     "%i = thunder.constant dense<[[0, 3], [2, 1], [1, 0]]> : tensor<3x2xi64>\n"
     "%r = thunder.scatter %a[%i], %b {dim = 1 : i64} : tensor<3x4xf64>, "
     "tensor<3x2xi64>, tensor<3x2xf64> -> tensor<3x4xf64>"},
    {"scatter_add", {U({3, 4}), U({3, 3})}, "3x4",
     "%i = thunder.constant dense<[[0, 3], [2, 2], [1, 0]]> : tensor<3x2xi64>\n"
     "%r = thunder.scatter %a[%i], %b {dim = 1 : i64, accumulate = true} : "
     "tensor<3x4xf64>, tensor<3x2xi64>, tensor<3x3xf64> -> tensor<3x4xf64>"},
    {"sort", {U({2, 5})}, "2x5",
     "%r, %i = thunder.sort %a {dim = 1 : i64} : tensor<2x5xf64> -> "
     "tensor<2x5xf64>, tensor<2x5xi64>"},

    // Linear algebra.
    {"matmul", {U({2, 3}), U({3, 4})}, "2x4",
     "%r = thunder.matmul %a, %b : " T23 ", tensor<3x4xf64> -> tensor<2x4xf64>"},
    {"matmul_batched", {U({2, 2, 3}), U({2, 3, 2})}, "2x2x2",
     "%r = thunder.matmul %a, %b : tensor<2x2x3xf64>, tensor<2x3x2xf64> -> "
     "tensor<2x2x2xf64>"},

    // Convolution.
    {"conv1d", {U({2, 3, 4}), U({2, 3, 7})}, "2x2x6",
     "%r = thunder.convolution %b, %a {stride = array<i64: 1>, padding_low = "
     "array<i64: 1>, padding_high = array<i64: 1>, dilation = array<i64: 1>, "
     "lhs_dilation = array<i64: 1>, groups = 1 : i64} : tensor<2x3x7xf64>, "
     "tensor<2x3x4xf64> -> tensor<2x2x6xf64>"},
    {"conv2d_stride_pad", {U({3, 2, 3, 3}), U({1, 2, 6, 5})}, "1x3x3x3",
     "%r = thunder.convolution %b, %a {stride = array<i64: 2, 2>, padding_low "
     "= array<i64: 1, 1>, padding_high = array<i64: 1, 1>, dilation = "
     "array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : "
     "tensor<1x2x6x5xf64>, tensor<3x2x3x3xf64> -> tensor<1x3x3x3xf64>"},
    {"conv2d_dilation", {U({2, 1, 2, 2}), U({2, 1, 5, 5})}, "2x2x3x2",
     "%r = thunder.convolution %b, %a {stride = array<i64: 1, 2>, padding_low "
     "= array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = "
     "array<i64: 2, 2>, lhs_dilation = array<i64: 1, 1>, groups = 1 : i64} : "
     "tensor<2x1x5x5xf64>, tensor<2x1x2x2xf64> -> tensor<2x2x3x2xf64>"},
    {"conv2d_groups", {U({4, 1, 2, 2}), U({2, 2, 4, 4})}, "2x4x3x3",
     "%r = thunder.convolution %b, %a {stride = array<i64: 1, 1>, padding_low "
     "= array<i64: 0, 0>, padding_high = array<i64: 0, 0>, dilation = "
     "array<i64: 1, 1>, lhs_dilation = array<i64: 1, 1>, groups = 2 : i64} : "
     "tensor<2x2x4x4xf64>, tensor<4x1x2x2xf64> -> tensor<2x4x3x3xf64>"},
    {"conv1d_lhs_dilation", {U({2, 2, 3}), U({1, 2, 4})}, "1x2x7",
     "%r = thunder.convolution %b, %a {stride = array<i64: 1>, padding_low = "
     "array<i64: 1>, padding_high = array<i64: 1>, dilation = array<i64: 1>, "
     "lhs_dilation = array<i64: 2>, groups = 1 : i64} : tensor<1x2x4xf64>, "
     "tensor<2x2x3xf64> -> tensor<1x2x7xf64>"},

    // Pooling.
    {"max_pool", {U({1, 2, 5, 5})}, "1x2x3x3",
     "%r = thunder.max_pool %a {kernel = array<i64: 3, 3>, stride = array<i64: "
     "2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, "
     "dilation = array<i64: 1, 1>} : tensor<1x2x5x5xf64> -> tensor<1x2x3x3xf64>"},
    {"avg_pool", {U({2, 5, 5})}, "2x3x3",
     "%r = thunder.avg_pool %a {kernel = array<i64: 3, 3>, stride = array<i64: "
     "2, 2>, padding_low = array<i64: 1, 1>, padding_high = array<i64: 1, 1>, "
     "counted_padding_low = array<i64: 0, 0>, counted_padding_high = "
     "array<i64: 0, 0>} : tensor<2x5x5xf64> -> tensor<2x3x3xf64>"},
    {"avg_pool_count_pad", {U({1, 1, 4, 5})}, "1x1x2x3",
     "%r = thunder.avg_pool %a {kernel = array<i64: 2, 3>, stride = array<i64: "
     "2, 2>, padding_low = array<i64: 0, 1>, padding_high = array<i64: 0, 1>, "
     "counted_padding_low = array<i64: 0, 1>, counted_padding_high = "
     "array<i64: 0, 1>} : tensor<1x1x4x5xf64> -> tensor<1x1x2x3xf64>"},
    {"avg_pool_divisor", {U({1, 4, 4})}, "1x2x2",
     "%r = thunder.avg_pool %a {kernel = array<i64: 2, 2>, stride = array<i64: "
     "2, 2>, padding_low = array<i64: 0, 0>, padding_high = array<i64: 0, 0>, "
     "counted_padding_low = array<i64: 0, 0>, counted_padding_high = "
     "array<i64: 0, 0>, divisor_override = 3 : i64} : tensor<1x4x4xf64> -> "
     "tensor<1x2x2xf64>"},

    // Attention.
    {"attention", {U({2, 3, 4}), U({2, 5, 4}), U({2, 5, 3})}, "2x3x3",
     "%r = thunder.attention %a, %b, %c {scale = 0.5 : f64} : "
     "tensor<2x3x4xf64>, tensor<2x5x4xf64>, tensor<2x5x3xf64> -> "
     "tensor<2x3x3xf64>"},
    {"attention_causal", {U({1, 4, 2}), U({1, 4, 2}), U({1, 4, 3})}, "1x4x3",
     "%r = thunder.attention %a, %b, %c {scale = 0.7 : f64, is_causal = true} "
     ": tensor<1x4x2xf64>, tensor<1x4x2xf64>, tensor<1x4x3xf64> -> "
     "tensor<1x4x3xf64>"},
    {"attention_float_mask", {U({1, 3, 2}), U({1, 4, 2}), U({1, 4, 2}),
                              U({3, 4})},
     "1x3x2",
     "%r = thunder.attention %a, %b, %c mask %d : tensor<3x4xf64> {scale = "
     "1.0 : f64} : tensor<1x3x2xf64>, tensor<1x4x2xf64>, tensor<1x4x2xf64> -> "
     "tensor<1x3x2xf64>"},
    {"attention_bool_mask", {U({1, 3, 2}), U({1, 4, 2}), U({1, 4, 2})},
     "1x3x2",
     "%m = thunder.constant dense<[[true, false, true, true], [false, false, "
     "false, false], [true, true, false, true]]> : tensor<3x4xi1>\n"
     "%r = thunder.attention %a, %b, %c mask %m : tensor<3x4xi1> {scale = "
     "1.0 : f64} : tensor<1x3x2xf64>, tensor<1x4x2xf64>, tensor<1x4x2xf64> -> "
     "tensor<1x3x2xf64>"},

    // Dynamic extents (the sizes come from tensor.dim of the inputs, as the
    // importer makes them).
    {"dyn_reshape", {Dyn(U({2, 3}), "tensor<?x3xf64>")}, "6",
     "%c0 = arith.constant 0 : index\n"
     "%c3 = arith.constant 3 : index\n"
     "%n = tensor.dim %a, %c0 : tensor<?x3xf64>\n"
     "%m = arith.muli %n, %c3 : index\n"
     "%0 = thunder.reshape %a, %m : tensor<?x3xf64> -> tensor<?xf64>\n"
     "%r = thunder.mul %0, %0 : tensor<?xf64>",
     1e-6, 1e-6, "tensor<?xf64>"},
    {"dyn_broadcast_reduce", {U({3}), Dyn(U({4, 3}), "tensor<?x3xf64>")}, "3",
     "%c0 = arith.constant 0 : index\n"
     "%n = tensor.dim %b, %c0 : tensor<?x3xf64>\n"
     "%0 = thunder.broadcast_in_dim %a, %n {dims = array<i64: 1>} : "
     "tensor<3xf64> -> tensor<?x3xf64>\n"
     "%1 = thunder.mul %0, %b : tensor<?x3xf64>\n"
     "%2 = thunder.tanh %1 : tensor<?x3xf64>\n"
     "%r = thunder.reduce_sum %2 {dims = array<i64: 0>} : tensor<?x3xf64> -> "
     "tensor<3xf64>"},
    {"dyn_matmul", {U({3, 2}), Dyn(U({4, 3}), "tensor<?x3xf64>")}, "4x2",
     "%r = thunder.matmul %b, %a : tensor<?x3xf64>, tensor<3x2xf64> -> "
     "tensor<?x2xf64>",
     1e-6, 1e-6, "tensor<?x2xf64>"},
    {"dyn_slice", {Dyn(U({4, 3}), "tensor<?x3xf64>")}, "3x2",
     "%0 = thunder.slice %a {start = array<i64: 1, 1>, limit = array<i64: "
     "9223372036854775807, 3>, step = array<i64: 1, 1>} : tensor<?x3xf64> -> "
     "tensor<?x2xf64>\n"
     "%r = thunder.mul %0, %0 : tensor<?x2xf64>",
     1e-6, 1e-6, "tensor<?x2xf64>"},
    {"dyn_concat", {Dyn(U({2, 3}), "tensor<?x3xf64>"),
                    Dyn(U({3, 3}), "tensor<?x3xf64>")},
     "5x3",
     "%0 = thunder.concat %a, %b {dim = 0 : i64} : (tensor<?x3xf64>, "
     "tensor<?x3xf64>) -> tensor<?x3xf64>\n"
     "%r = thunder.mul %0, %0 : tensor<?x3xf64>",
     1e-6, 1e-6, "tensor<?x3xf64>"},

    // Compositions: a value read twice, a recomputed chain, softmax.
    {"chain_recompute", {U({2, 3}), U({2, 3})}, "2x3",
     "%0 = thunder.mul %a, %b : " T23 "\n"
     "%1 = thunder.tanh %0 : " T23 "\n"
     "%2 = thunder.exp %1 : " T23 "\n"
     "%r = thunder.mul %2, %1 : " T23},
    {"softmax", {U({2, 4})}, "2x4",
     "%m = thunder.reduce_max %a {dims = array<i64: 1>, keepdim = true} : "
     "tensor<2x4xf64> -> tensor<2x1xf64>\n"
     "%mb = thunder.broadcast_in_dim %m {dims = array<i64: 0, 1>} : "
     "tensor<2x1xf64> -> tensor<2x4xf64>\n"
     "%s = thunder.sub %a, %mb : tensor<2x4xf64>\n"
     "%e = thunder.exp %s : tensor<2x4xf64>\n"
     "%z = thunder.reduce_sum %e {dims = array<i64: 1>, keepdim = true} : "
     "tensor<2x4xf64> -> tensor<2x1xf64>\n"
     "%zb = thunder.broadcast_in_dim %z {dims = array<i64: 0, 1>} : "
     "tensor<2x1xf64> -> tensor<2x4xf64>\n"
     "%r = thunder.div %e, %zb : tensor<2x4xf64>"},
};
// clang-format on

//===----------------------------------------------------------------------===//
// Building, compiling and calling
//===----------------------------------------------------------------------===//

std::string tensorType(const std::vector<int64_t> &shape) {
  std::string s = "tensor<";
  for (int64_t e : shape)
    s += std::to_string(e) + "x";
  return s + "f64>";
}

std::string forwardText(const Case &c) {
  std::string text = "func.func @forward(";
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    std::string name(1, static_cast<char>('a' + i));
    if (i)
      text += ", ";
    text += "%" + name + ": " +
            (c.inputs[i].type ? std::string(c.inputs[i].type)
                              : tensorType(c.inputs[i].shape)) +
            " {thunder.kind = \"" + (i == 0 ? "param" : "input") +
            "\", thunder.name = \"" + name + "\"}";
  }
  std::string result = c.resultType
                           ? std::string(c.resultType)
                           : std::string("tensor<") + c.result + "xf64>";
  text += ") -> (" + result +
          " {thunder.kind = \"output\", thunder.name = \"r\"}) {\n";
  text += c.body;
  text += "\nreturn %r : " + result + "\n}\n";
  return text;
}

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t e : shape)
    n *= e;
  return n;
}

int64_t rankOf(Type t) { return cast<RankedTensorType>(t).getRank(); }

/// The case's module after thunder-autodiff, what its functions take and
/// give, and its JIT-compiled code.
struct Compiled {
  bool build(MLIRContext &ctx, const Case &c, std::string &error) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(forwardText(c), &ctx);
    if (!module)
      return error = "the test's forward does not parse", false;
    if (failed(thunder::autodiff::addBackward(*module)) ||
        failed(verify(*module)))
      return error = "thunder-autodiff failed", false;
    llvm::raw_string_ostream os(afterAutodiff);
    module->print(os);
    auto fwd = module->lookupSymbol<func::FuncOp>("forward");
    auto bwd = module->lookupSymbol<func::FuncOp>("backward");
    for (Type t : fwd.getResultTypes())
      forwardResultRanks.push_back(rankOf(t));
    for (unsigned i = 0; i < bwd.getNumArguments(); ++i) {
      auto kind = bwd.getArgAttrOfType<StringAttr>(i, "thunder.kind");
      auto index = bwd.getArgAttrOfType<IntegerAttr>(i, "thunder.index");
      backwardArgs.push_back({kind.getValue().str(), index.getInt()});
    }
    for (unsigned i = 0; i < bwd.getNumResults(); ++i) {
      backwardResultRanks.push_back(rankOf(bwd.getResultTypes()[i]));
      auto kind = bwd.getResultAttrOfType<StringAttr>(i, "thunder.kind");
      auto index = bwd.getResultAttrOfType<IntegerAttr>(i, "thunder.index");
      // grad_param:0 is %a; grad_input:k is the k-th user input.
      gradOfArg.push_back(kind.getValue() == "grad_param" ? 0
                                                          : index.getInt() + 1);
    }
    return jit.build(*module, error);
  }

  std::string afterAutodiff;
  std::vector<int64_t> forwardResultRanks, backwardResultRanks;
  std::vector<std::pair<std::string, int64_t>> backwardArgs; // kind, index
  std::vector<int64_t> gradOfArg; // backward result -> forward argument
  thunder::testing::JitModule jit;
};

std::vector<int64_t> parseShape(const std::string &s) {
  std::vector<int64_t> shape;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t next = s.find('x', pos);
    shape.push_back(std::stoll(s.substr(pos, next - pos)));
    if (next == std::string::npos)
      break;
    pos = next + 1;
  }
  return shape;
}

class VJPTest : public ::testing::TestWithParam<Case> {};

TEST_P(VJPTest, MatchesCentralDifferences) {
  using thunder::testing::descriptor;
  using thunder::testing::readFloats;
  using thunder::testing::resultOffset;
  const Case &c = GetParam();
  DialectRegistry registry;
  thunder::testing::registerEverything(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  Compiled compiled;
  std::string error;
  ASSERT_TRUE(compiled.build(ctx, c, error)) << error;

  std::mt19937_64 rng(std::hash<std::string>()(c.name));
  auto draw = [&](const Input &in) {
    std::uniform_real_distribution<double> u(in.lo, in.hi);
    std::vector<double> v(numElements(in.shape));
    for (double &x : v) {
      x = u(rng);
      if (in.awayFromZero && (rng() & 1))
        x = -x;
    }
    return v;
  };
  std::vector<std::vector<double>> x;
  for (const Input &in : c.inputs)
    x.push_back(draw(in));
  std::vector<int64_t> outShape = parseShape(c.result);
  std::vector<double> v = draw(Input{outShape});

  auto runForward = [&](std::vector<std::vector<double>> &inputs) {
    std::vector<std::vector<int64_t>> descs;
    for (size_t i = 0; i < inputs.size(); ++i)
      descs.push_back(descriptor(inputs[i].data(), c.inputs[i].shape));
    std::vector<int64_t *> args;
    for (auto &d : descs)
      args.push_back(d.data());
    return compiled.jit.call("forward", args, compiled.forwardResultRanks);
  };
  auto objective = [&](std::vector<std::vector<double>> &inputs) {
    std::vector<int64_t> block = runForward(inputs);
    std::vector<double> y =
        readFloats(block.data(), compiled.forwardResultRanks[0], 8);
    double f = 0;
    for (size_t i = 0; i < y.size(); ++i)
      f += y[i] * v[i];
    return f;
  };

  // forward, then backward on its saved values.
  std::vector<int64_t> block = runForward(x);
  ASSERT_FALSE(block.empty());
  const size_t numOutputs = 1;
  std::vector<int64_t> cot = descriptor(v.data(), outShape);
  std::vector<int64_t> ref = descriptor(x[0].data(), c.inputs[0].shape);
  std::vector<int64_t *> bargs;
  for (auto &[kind, index] : compiled.backwardArgs) {
    if (kind == "saved")
      bargs.push_back(block.data() + resultOffset(compiled.forwardResultRanks,
                                                  numOutputs + index));
    else if (kind == "cotangent")
      bargs.push_back(cot.data());
    else if (kind == "param")
      bargs.push_back(ref.data());
    else
      FAIL() << "unexpected backward argument kind " << kind;
  }
  std::vector<int64_t> grads =
      compiled.jit.call("backward", bargs, compiled.backwardResultRanks);
  ASSERT_FALSE(grads.empty());

  for (size_t g = 0; g < compiled.gradOfArg.size(); ++g) {
    size_t arg = compiled.gradOfArg[g];
    std::vector<double> analytic =
        readFloats(grads.data() + resultOffset(compiled.backwardResultRanks, g),
                   compiled.backwardResultRanks[g], 8);
    ASSERT_EQ(analytic.size(), x[arg].size());
    for (size_t i = 0; i < x[arg].size(); ++i) {
      double saved = x[arg][i];
      x[arg][i] = saved + c.eps;
      double fPlus = objective(x);
      x[arg][i] = saved - c.eps;
      double fMinus = objective(x);
      x[arg][i] = saved;
      double numeric = (fPlus - fMinus) / (2 * c.eps);
      EXPECT_NEAR(analytic[i], numeric,
                  c.tol * std::max(1.0, std::fabs(numeric)))
          << "d/d%" << static_cast<char>('a' + arg) << "[" << i << "]\n"
          << compiled.afterAutodiff;
      if (HasFailure())
        return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, VJPTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case> &info) {
                           return std::string(info.param.name);
                         });

} // namespace
