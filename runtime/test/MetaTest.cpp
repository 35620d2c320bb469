//===- MetaTest.cpp - Parsing and validating thunder_model_meta ------------===//

#include "src/Meta.h"

#include <gtest/gtest.h>

using namespace thunder::rt;

namespace {

const char *kGood = R"({
  "version": 1, "name": "mlp", "target": "cpu",
  "symbols": [{"name": "s31", "min": 1, "max": 4096}, {"name": "s7", "min": 2, "max": null}],
  "inputs":  [{"name": "input", "dtype": "float32", "shape": ["s31", 64]},
              {"name": "ids", "dtype": "int64", "shape": ["s7"]}],
  "outputs": [{"name": "linear_1", "dtype": "float32", "shape": ["2*s31", 10]}],
  "params":  [{"name": "0.weight", "dtype": "float32", "shape": [128, 64], "offset": 0, "nbytes": 32768}],
  "buffers": [{"name": "bn.running_mean", "dtype": "float32", "shape": [16], "offset": 32768, "nbytes": 64, "persistent": true}],
  "constants": [{"name": "c0", "dtype": "int64", "shape": [], "offset": 32832, "nbytes": 8}],
  "entries": {
    "forward":  {"args": ["param:0", "buffer:0", "constant:0", "input:0", "input:1"],
                 "results": ["output:0", "mutated_buffer:0", "saved:0"]},
    "backward": {"args": ["saved:0", "cotangent:0"], "results": ["grad_param:0", "grad_input:0"]}
  },
  "mutated_buffers": [0], "saved": [{"dtype": "float32", "rank": 2}],
  "grad_inputs": [0], "grad_params": [0]
})";

std::string errorOf(const std::string &json, uint64_t weights = 1 << 20) {
  try {
    parseMeta(json.c_str(), weights);
  } catch (const Error &e) {
    EXPECT_EQ(e.status, THUNDER_ERR_INTERNAL);
    return e.message;
  }
  return "";
}

std::string replaced(std::string s, const std::string &from, const std::string &to) {
  size_t p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  return s.replace(p, from.size(), to);
}

TEST(Meta, ParsesTheDocumentedExample) {
  auto m = parseMeta(kGood, 32840);
  EXPECT_EQ(m->name, "mlp");
  EXPECT_FALSE(m->cuda);
  ASSERT_EQ(m->symbols.size(), 2u);
  EXPECT_EQ(m->symbols[1].max, -1);
  EXPECT_EQ(m->inputs[0].shape[0].symbol, 0);
  EXPECT_EQ(m->inputs[0].shape[1].value, 64);
  EXPECT_EQ(m->outputs[0].shape[0].symbol, -1);
  EXPECT_EQ(m->outputs[0].shape[0].expr, "2*s31");
  EXPECT_TRUE(m->buffers[0].mutated);
  EXPECT_TRUE(m->params[0].hasGrad);
  EXPECT_TRUE(m->inputs[0].hasGrad);
  EXPECT_FALSE(m->inputs[1].hasGrad);
  EXPECT_TRUE(m->backward.present);
  EXPECT_EQ(m->resultRank(m->forward.results[2]), 2);
  EXPECT_EQ(m->outputs[0].infoShape[0], -1);
  EXPECT_STREQ(m->outputs[0].infoNames[0], "2*s31");
  EXPECT_EQ(m->inputs[0].infoMax[0], 4096);
}

TEST(Meta, ExternalWeightsKeepTheirLayout) {
  // --weights=external: no payloads in the .so (size 0), the layout's size in the meta.
  std::string external = replaced(kGood, "\"target\": \"cpu\",",
                                  "\"target\": \"cpu\", \"weights\": \"external\", "
                                  "\"weights_size\": 32896,");
  auto m = parseMeta(external.c_str(), 0);
  EXPECT_TRUE(m->externalWeights);
  EXPECT_EQ(m->weightsSize, 32896u);
  EXPECT_EQ(m->constants[0].offset, 32832u);
  EXPECT_FALSE(parseMeta(kGood, 32840)->externalWeights);
  EXPECT_NE(errorOf(replaced(external, "32896", "100"), 0).find("outside the weights layout"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(external, "\"weights_size\": 32896,", "")).find("weights_size"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(external, "\"external\"", "\"elsewhere\""))
                .find("\"weights\" must be"),
            std::string::npos);
}

TEST(Meta, RejectsInconsistentDescriptions) {
  std::string g = kGood;
  EXPECT_NE(errorOf("{"), "");
  EXPECT_NE(errorOf("[]").find("top level"), std::string::npos);
  EXPECT_NE(errorOf(g, 100).find("outside thunder_model_weights"), std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"nbytes\": 32768", "\"nbytes\": 32764")).find("nbytes"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"dtype\": \"int64\", \"shape\": [\"s7\"]",
                             "\"dtype\": \"complex64\", \"shape\": [\"s7\"]"))
                .find("unsupported dtype 'complex64'"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"output:0\", ", "")).find("output:0 exactly once"),
            std::string::npos);
  EXPECT_NE(
      errorOf(replaced(g, "\"output:0\", ", "\"output:0\", \"output:0\", ")).find("exactly once"),
      std::string::npos);
  EXPECT_NE(
      errorOf(replaced(g, "\"input:1\"", "\"input:2\"")).find("input:2, which does not exist"),
      std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"input:1\"", "\"saved:0\"")).find("may not contain saved"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"target\": \"cpu\"", "\"target\": \"tpu\"")).find("tpu"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"version\": 1", "\"version\": 9")).find("version 9"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"grad_params\": [0]", "\"grad_params\": [3]")).find("param 3"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"input:1\"", "\"bogus:1\"")).find("unknown kind 'bogus'"),
            std::string::npos);
  EXPECT_NE(errorOf(replaced(g, "\"entries\"", "\"entriez\"")).find("\"entries\" is missing"),
            std::string::npos);
}

TEST(Meta, UnlistedInputSymbolsAreAdded) {
  auto m = parseMeta(R"({"inputs": [{"name": "x", "dtype": "float32", "shape": ["batch", 3]}],
      "outputs": [], "entries": {"forward": {"args": ["input:0"], "results": []}}})",
                     0);
  ASSERT_EQ(m->symbols.size(), 1u);
  EXPECT_EQ(m->symbols[0].name, "batch");
  EXPECT_EQ(m->inputs[0].shape[0].symbol, 0);
  EXPECT_EQ(m->target, "cpu");
}

TEST(Meta, SizeExpressions) {
  std::vector<Symbol> syms = {{"s0", 1, 10}, {"s1", 1, 10}};
  std::vector<int64_t> vals = {6, 4};
  int64_t out = 0;
  EXPECT_TRUE((SizeExpr{"2*s0"}.eval(vals, syms, out)));
  EXPECT_EQ(out, 12);
  EXPECT_TRUE((SizeExpr{"s0 + s1 - 1"}.eval(vals, syms, out)));
  EXPECT_EQ(out, 9);
  EXPECT_TRUE((SizeExpr{"(s0 + 1)//4 * s1"}.eval(vals, syms, out)));
  EXPECT_EQ(out, 4);
  EXPECT_TRUE((SizeExpr{"s0 % 4"}.eval(vals, syms, out)));
  EXPECT_EQ(out, 2);
  EXPECT_TRUE((SizeExpr{"s0/2"}.eval(vals, syms, out)));
  EXPECT_EQ(out, 3);
  EXPECT_TRUE((SizeExpr{"-s1 + 10"}.eval(vals, syms, out)));
  EXPECT_EQ(out, 6);
  EXPECT_FALSE((SizeExpr{"s0/4"}.eval(vals, syms, out))); // inexact
  EXPECT_FALSE((SizeExpr{"Max(s0, 2)"}.eval(vals, syms, out)));
  EXPECT_FALSE((SizeExpr{"s9"}.eval(vals, syms, out)));
  EXPECT_FALSE((SizeExpr{"s0 //"}.eval(vals, syms, out)));
  EXPECT_FALSE((SizeExpr{"s0 // 0"}.eval(vals, syms, out)));
  std::vector<int64_t> unbound = {-1, 4};
  EXPECT_FALSE((SizeExpr{"s0"}.eval(unbound, syms, out)));
}

} // namespace
