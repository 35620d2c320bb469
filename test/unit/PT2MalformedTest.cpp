//===- PT2MalformedTest.cpp - Archives the reader must refuse (or accept) ----===//
//
// test/malformed/make_malformed.py derives these archives from test/fixtures/mlp.pt2. Each malformed
// one must be refused with a message naming what is wrong; the valid_* ones must load with the values
// their construction implies.
//
//===----------------------------------------------------------------------===//
#include "thunder/PT2/Archive.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

using namespace thunder::pt2;
namespace fs = std::filesystem;

namespace {

std::string malformed(const std::string &name) {
  return std::string(THUNDER_SOURCE_DIR) + "/test/malformed/" + name + ".pt2";
}

struct MalformedCase {
  const char *name;
  const char *expected; // a substring of the error message
};

// One row per archive written by make_malformed.py (except the valid_* ones).
const MalformedCase kCases[] = {
    {"not_a_zip", "not a readable zip archive (Not a zip archive)"},
    {"truncated", "not a readable zip archive"},
    {"truncated_middle", "not a readable zip archive"},
    {"empty_zip", "the zip archive is empty"},
    {"corrupt_weight_crc", "entry 'mlp/data/weights/weight_0': read failed (CRC error)"},
    {"decompression_bomb", "refused as a possible decompression bomb"},
    {"dotdot_entry", "unsafe entry name 'mlp/../evil'"},
    {"absolute_entry", "unsafe entry name '/etc/evil'"},
    {"duplicate_entry", "not a readable zip archive"},
    {"missing_archive_format", "not a PT2 archive: no 'mlp/archive_format' entry"},
    {"bad_archive_format", "archive_format is 'zip', expected 'pt2'"},
    {"bad_archive_version", "archive_version '1' is not supported"},
    {"bad_byteorder", "byteorder is 'middle'"},
    {"missing_model_json", "no model 'model' in 'mlp/models/'"},
    {"invalid_json", "mlp/models/model.json: invalid JSON"},
    {"deep_json", "mlp/models/model.json: JSON is nested deeper than 256 levels"},
    {"bad_utf8", "mlp/models/model.json: invalid UTF-8 at byte"},
    {"unknown_dtype", "graph_module.graph.tensor_values.input.dtype: unknown dtype code 99"},
    {"negative_size", "tensor_values.linear.sizes: negative size -8 in dimension 0"},
    {"negative_storage_offset", "tensor_values.linear.storage_offset: negative storage offset -1"},
    {"sizes_strides_mismatch", "tensor_values.gelu: tensor has 2 sizes but 3 strides"},
    {"int_out_of_range", "sizes[1].as_int: integer 9223372036854775808 does not fit in int64"},
    {"bad_sym_expr", "sizes[0].as_expr.expr_str: cannot parse symbolic expression"},
    {"schema_major_7", "schema version 7.3 is not supported"},
    {"unknown_argument_variant", "nodes[1].inputs[0].arg (node 'gelu'): unknown Argument variant 'as_banana'"},
    {"two_variants", "(node 'gelu'): Argument has more than one variant"},
    {"bad_float_string", "(node 'gelu'): expected a float but found the string 'Banana'"},
    {"missing_field", "nodes[1] (node 'gelu'): missing field 'target'"},
    {"use_before_def", "node 'gelu' (torch.ops.aten.gelu.default) uses 'linear' before it is defined"},
    {"undefined_value", "node 'gelu' (torch.ops.aten.gelu.default) uses 'nonexistent', which is never defined"},
    {"duplicate_definition", "'linear' is defined twice"},
    {"missing_tensor_meta", "tensor 'gelu' (output of node 'gelu' (torch.ops.aten.gelu.default)) has no TensorMeta"},
    {"input_spec_count", "the graph has 5 inputs but the signature has 4 input_specs"},
    {"weight_meta_mismatch", "parameter '0.bias' (graph input 'p_0_bias'): the payload is float32[8] but the graph says float32[4]"},
    {"huge_numel", "model_weights_config.json: '0.bias': element count overflows int64"},
    {"stride_overflow", "model_weights_config.json: '0.bias': strided extent overflows int64"},
    {"symbolic_weight", "'0.bias': symbolic size or stride in dimension 0"},
    {"pickled_weight", "'0.bias' is stored as a pickle (use_pickle: true"},
    {"unsafe_path_name", "'0.bias' has an unsafe path_name '../weights/weight_1'"},
    {"parameter_not_in_config", "parameter '2.bias' (graph input 'p_2_bias') has no entry in 'mlp/data/weights/model_weights_config.json'"},
    {"missing_weight_file", "'2.bias': its storage entry 'mlp/data/weights/weight_3' is missing"},
    {"short_weight_file", "'0.bias' (float32[8]) needs 32 bytes of storage 'mlp/data/weights/weight_1', which has only 10 bytes"},
    {"missing_weights_config", "has no entry in 'mlp/data/weights/model_weights_config.json' (the entry is missing)"},
    {"legacy_with_weights", "legacy archive weights are pickled; re-save with torch.export.save from PyTorch >= 2.9"},
    {"pt28_pickled_weights", "weights stored as a pickle (PyTorch 2.8 layout) are never unpickled"},
};

class PT2Malformed : public ::testing::TestWithParam<MalformedCase> {};

std::vector<float> floatsOf(const TensorPayload &payload) {
  std::vector<float> values(payload.byteSize() / sizeof(float));
  if (!values.empty())
    std::memcpy(values.data(), payload.data(), payload.byteSize());
  return values;
}

Archive loadValid(const std::string &name, const ReadOptions &options = {}) {
  Expected<Archive> archive = readArchive(malformed(name), options);
  EXPECT_TRUE(archive.ok()) << (archive.ok() ? "" : archive.error().message);
  return archive.ok() ? archive.take() : Archive();
}

} // namespace

TEST_P(PT2Malformed, IsRefusedWithAClearMessage) {
  const MalformedCase &c = GetParam();
  std::string path = malformed(c.name);
  Expected<Archive> archive = readArchive(path);
  ASSERT_FALSE(archive.ok()) << c.name << " loaded";
  const std::string &message = archive.error().message;
  EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << "the message must start with the archive's path: " << message;
  EXPECT_NE(message.find(c.expected), std::string::npos) << "expected '" << c.expected << "' in: " << message;
}

INSTANTIATE_TEST_SUITE_P(Cases, PT2Malformed, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<MalformedCase> &info) { return std::string(info.param.name); });

TEST(PT2MalformedSet, EveryArchiveHasATest) {
  std::set<std::string> listed;
  for (const MalformedCase &c : kCases)
    listed.insert(c.name);
  size_t seen = 0;
  for (const fs::directory_entry &entry : fs::directory_iterator(std::string(THUNDER_SOURCE_DIR) + "/test/malformed")) {
    if (entry.path().extension() != ".pt2")
      continue;
    std::string name = entry.path().stem().string();
    ++seen;
    if (name.rfind("valid_", 0) == 0)
      continue;
    EXPECT_TRUE(listed.count(name)) << name << ".pt2 has no row in kCases";
  }
  EXPECT_GE(seen, listed.size());
}

TEST(PT2Valid, BigEndianWeightsReadAsHostOrder) {
  Archive little = loadValid("valid_small_mlp");
  Archive big = loadValid("valid_big_endian");
  EXPECT_TRUE(big.bigEndian);
  ASSERT_EQ(little.weights.size(), 4u);
  for (const auto &[fqn, payload] : little.weights) {
    const TensorPayload *swapped = big.findWeight(fqn);
    ASSERT_NE(swapped, nullptr) << fqn;
    EXPECT_EQ(floatsOf(*swapped), floatsOf(payload)) << fqn;
  }
  // make_malformed.py writes element i of weight_k as k + i / 100.
  std::vector<float> bias = floatsOf(*little.findWeight("0.bias"));
  ASSERT_EQ(bias.size(), 8u);
  EXPECT_FLOAT_EQ(bias[0], 1.0f);
  EXPECT_FLOAT_EQ(bias[7], 1.07f);
}

TEST(PT2Valid, StridedAndOffsetViewsAreMaterialisedContiguously) {
  Archive plain = loadValid("valid_small_mlp");
  Archive strided = loadValid("valid_strided_view");
  for (const char *fqn : {"0.weight", "0.bias"}) {
    const TensorPayload *view = strided.findWeight(fqn);
    ASSERT_NE(view, nullptr);
    EXPECT_EQ(view->shape, plain.findWeight(fqn)->shape) << fqn;
    EXPECT_EQ(floatsOf(*view), floatsOf(*plain.findWeight(fqn))) << fqn;
  }
}

TEST(PT2Valid, ArchiveWithoutRootFolder) {
  Archive archive = loadValid("valid_no_root_folder");
  EXPECT_EQ(archive.root, "");
  EXPECT_EQ(archive.weights.size(), 4u);
}

TEST(PT2Valid, ChoosingAmongTwoModels) {
  Expected<std::vector<std::string>> models = listModels(malformed("valid_two_models"));
  ASSERT_TRUE(models.ok()) << models.error().message;
  EXPECT_EQ(*models, (std::vector<std::string>{"model", "other"}));
  ReadOptions options;
  options.model = "other";
  Archive other = loadValid("valid_two_models", options);
  EXPECT_EQ(other.modelName, "other");
  EXPECT_EQ(other.weights.size(), 4u);
  options.model = "third";
  Expected<Archive> missing = readArchive(malformed("valid_two_models"), options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no model 'third' in 'mlp/models/' (models: 'model', 'other')"),
            std::string::npos)
      << missing.error().message;
}

TEST(PT2Valid, DeflatedEntries) {
  Archive plain = loadValid("valid_small_mlp");
  Archive deflated = loadValid("valid_deflated");
  EXPECT_EQ(floatsOf(*deflated.findWeight("2.weight")), floatsOf(*plain.findWeight("2.weight")));
}

TEST(PT2Valid, LegacyArchiveWithoutWeights) {
  Archive archive = loadValid("valid_legacy_no_weights");
  EXPECT_EQ(archive.layout, ArchiveLayout::Legacy);
  EXPECT_TRUE(archive.weights.empty());
  EXPECT_EQ(archive.program.graph.nodes.size(), 3u);
  for (const InputSpec &spec : archive.program.signature.inputs)
    EXPECT_EQ(spec.kind, InputKind::UserInput);
}

// thunderc --weights=external: archives saved without weight payloads are read when asked.
TEST(PT2WithoutPayloads, MissingStorageEntriesLeavePayloadsWithoutData) {
  ReadOptions options;
  options.allowMissingPayloads = true;
  Expected<Archive> archive = readArchive(malformed("missing_weight_file"), options);
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  const TensorPayload *bias = archive->findWeight("2.bias");
  ASSERT_NE(bias, nullptr);
  EXPECT_TRUE(bias->dataMissing);
  EXPECT_FALSE(bias->hasData());
  EXPECT_EQ(bias->shape, (std::vector<int64_t>{2}));
  const TensorPayload *weight = archive->findWeight("2.weight");
  ASSERT_NE(weight, nullptr);
  EXPECT_FALSE(weight->dataMissing);
  EXPECT_TRUE(weight->hasData());
}

TEST(PT2WithoutPayloads, AMissingConfigLeavesNoPayloads) {
  ReadOptions options;
  options.allowMissingPayloads = true;
  Expected<Archive> archive = readArchive(malformed("missing_weights_config"), options);
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  EXPECT_TRUE(archive->weights.empty());
}
