//===- SafetensorsTest.cpp -------------------------------------------------===//

#include "safetensors/Safetensors.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace thunder::st;

namespace {

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "/thunder_st_" + name;
}

TEST(Safetensors, RoundTrip) {
  File f;
  Tensor a;
  a.dtype = "F32";
  a.shape = {2, 3};
  a.data.resize(24);
  for (size_t i = 0; i < 24; ++i)
    a.data[i] = static_cast<uint8_t>(i);
  Tensor s;
  s.dtype = "I64";
  s.data.assign(8, 7);
  Tensor e;
  e.dtype = "BF16";
  e.shape = {0, 4};
  f.tensors["output.0"] = a;
  f.tensors["buffer.x"] = s;
  f.tensors["empty"] = e;
  f.metadata["format"] = "pt";
  std::string p = tempPath("rt.safetensors");
  write(p, f);
  File g = read(p);
  ASSERT_EQ(g.tensors.size(), 3u);
  EXPECT_EQ(g.find("output.0")->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(g.find("output.0")->data, a.data);
  EXPECT_EQ(g.find("buffer.x")->shape.size(), 0u);
  EXPECT_EQ(g.find("buffer.x")->data, s.data);
  EXPECT_EQ(g.find("empty")->data.size(), 0u);
  EXPECT_EQ(g.metadata["format"], "pt");
  DLTensor v = g.tensors["output.0"].view();
  EXPECT_EQ(v.dtype.code, kDLFloat);
  EXPECT_EQ(v.ndim, 2);
  std::remove(p.c_str());
}

TEST(Safetensors, ReadsTheFixtures) {
  // The reference files of shared/fixtures, when this checkout has them.
  std::string p =
      std::string(THUNDER_TEST_MODEL_DIR) + "/../../../../test/fixtures/mlp.ref.safetensors";
  std::ifstream probe(p);
  if (!probe)
    GTEST_SKIP() << "no fixtures at " << p;
  File f = read(p);
  ASSERT_NE(f.find("input.0"), nullptr);
  EXPECT_EQ(f.find("input.0")->dtype, "F32");
  EXPECT_NE(f.find("output.0"), nullptr);
}

TEST(Safetensors, RejectsMalformedFiles) {
  auto writeRaw = [](const std::string &p, const std::string &bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  };
  auto header = [](const std::string &json) {
    std::string s(8, '\0');
    uint64_t n = json.size();
    for (int i = 0; i < 8; ++i)
      s[i] = static_cast<char>(n >> (8 * i));
    return s + json;
  };
  std::string p = tempPath("bad.safetensors");
  EXPECT_THROW(read(tempPath("does-not-exist")), Error);
  writeRaw(p, "abc");
  EXPECT_THROW(read(p), Error);
  writeRaw(p, header("{not json"));
  EXPECT_THROW(read(p), Error);
  writeRaw(p, header(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})") + "1234");
  try {
    read(p);
    FAIL() << "no error for data outside the file";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'a'"), std::string::npos) << e.what();
  }
  writeRaw(p,
           header(R"({"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}})") + "12345678");
  EXPECT_THROW(read(p), Error);
  writeRaw(p,
           header(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})") + "12345678");
  EXPECT_THROW(read(p), Error);
  std::remove(p.c_str());
}

} // namespace
