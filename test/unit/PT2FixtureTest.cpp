//===- PT2FixtureTest.cpp - The reader on real torch.export archives -----===//
//
// Every archive in test/fixtures (written by PyTorch 2.11, unedited) must load, with payloads that match
// their metadata and nodes that bind to their schemas.
//
//===----------------------------------------------------------------------===//
#include "thunder/PT2/Archive.h"
#include "thunder/PT2/OpSchema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace thunder::pt2;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string &name) { return std::string(THUNDER_SOURCE_DIR) + "/test/fixtures/" + name; }

std::vector<std::string> archivesIn(const fs::path &dir) {
  std::vector<std::string> paths;
  if (!fs::is_directory(dir))
    return paths;
  for (const fs::directory_entry &entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".pt2")
      paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

Archive load(const std::string &path, const ReadOptions &options = {}) {
  Expected<Archive> archive = readArchive(path, options);
  EXPECT_TRUE(archive.ok()) << (archive.ok() ? "" : archive.error().message);
  return archive.ok() ? archive.take() : Archive();
}

// Checks what every well-formed archive satisfies; returns the number of failures seen.
void checkArchive(const std::string &path) {
  SCOPED_TRACE(path);
  Expected<Archive> archive = readArchive(path);
  ASSERT_TRUE(archive.ok()) << archive.error().message;
  EXPECT_EQ(archive->program.schemaVersion.major, 8);
  for (const auto *payloads : {&archive->weights, &archive->constants}) {
    for (const auto &[fqn, payload] : *payloads) {
      SCOPED_TRACE(fqn);
      EXPECT_EQ(payload.fqn, fqn);
      std::optional<std::vector<int64_t>> sizes = payload.meta.staticSizes();
      ASSERT_TRUE(sizes.has_value());
      EXPECT_EQ(*sizes, payload.shape);
      int64_t numel = 1;
      for (int64_t s : payload.shape)
        numel *= s;
      EXPECT_EQ(payload.numel, numel);
      EXPECT_EQ(payload.byteSize(), size_t(numel) * scalarTypeSize(payload.dtype()));
      EXPECT_TRUE(payload.hasData());
    }
  }
  for (const InputSpec &spec : archive->program.signature.inputs) {
    if (spec.kind != InputKind::Parameter && spec.kind != InputKind::Buffer && spec.kind != InputKind::TensorConstant)
      continue;
    const TensorPayload *payload = archive->findPayload(spec);
    ASSERT_NE(payload, nullptr) << spec.target;
    const TensorMeta *meta = archive->program.graph.findTensorMeta(spec.name);
    ASSERT_NE(meta, nullptr) << spec.name;
    EXPECT_EQ(meta->dtype, payload->dtype());
    EXPECT_EQ(meta->staticSizes(), std::optional<std::vector<int64_t>>(payload->shape));
  }
}

// Binds every ATen node (subgraphs included) to its schema; returns the first failure.
std::string bindAllNodes(const Graph &graph) {
  for (const Node &node : graph.nodes) {
    for (const NamedArgument &input : node.inputs)
      if (input.arg.kind() == ArgKind::Graph)
        if (std::string problem = bindAllNodes(input.arg.graph().graph); !problem.empty())
          return problem;
    if (node.target.rfind("torch.ops.aten.", 0) != 0)
      continue;
    const OpSchema *schema = OpSchemaRegistry::builtin().lookup(node.target);
    if (!schema)
      return "no schema for " + node.target;
    Expected<std::vector<BoundArgument>> bound = bindNode(node, *schema);
    if (!bound)
      return bound.error().message;
  }
  return "";
}

} // namespace

TEST(PT2Fixtures, EveryFixtureLoads) {
  std::vector<std::string> paths = archivesIn(fixture(""));
  ASSERT_GE(paths.size(), 13u);
  for (const std::string &path : paths)
    checkArchive(path);
}

TEST(PT2Fixtures, EveryAtenNodeBindsToItsSchema) {
  for (const std::string &path : archivesIn(fixture(""))) {
    Archive archive = load(path);
    EXPECT_EQ(bindAllNodes(archive.program.graph), "") << path;
  }
}

TEST(PT2Fixtures, MlpBiasHas128Float32Values) {
  Archive archive = load(fixture("mlp.pt2"));
  EXPECT_EQ(archive.layout, ArchiveLayout::PT2);
  EXPECT_EQ(archive.root, "mlp");
  EXPECT_EQ(archive.modelName, "model");
  const TensorPayload *bias = archive.findWeight("0.bias");
  ASSERT_NE(bias, nullptr);
  EXPECT_EQ(bias->dtype(), ScalarType::Float32);
  EXPECT_TRUE(bias->isParam);
  EXPECT_EQ(bias->shape, std::vector<int64_t>{128});
  EXPECT_EQ(bias->numel, 128);
  ASSERT_EQ(bias->byteSize(), 128u * 4u);
  std::vector<float> values(128);
  std::memcpy(values.data(), bias->data(), bias->byteSize());
  EXPECT_TRUE(std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v) && std::fabs(v) < 1; }));
  EXPECT_TRUE(std::any_of(values.begin(), values.end(), [](float v) { return v != 0; }));
}

TEST(PT2Fixtures, MlpSignatureAndNodes) {
  Archive archive = load(fixture("mlp.pt2"));
  const ExportedProgram &program = archive.program;
  ASSERT_EQ(program.signature.inputs.size(), 5u);
  EXPECT_EQ(program.signature.inputs[0].kind, InputKind::Parameter);
  EXPECT_EQ(program.signature.inputs[0].name, "p_0_weight");
  EXPECT_EQ(program.signature.inputs[0].target, "0.weight");
  EXPECT_EQ(program.signature.inputs[4].kind, InputKind::UserInput);
  EXPECT_EQ(program.signature.inputs[4].name, "input");
  ASSERT_EQ(program.signature.outputs.size(), 1u);
  EXPECT_EQ(program.signature.outputs[0].kind, OutputKind::UserOutput);
  ASSERT_EQ(program.graph.nodes.size(), 3u);
  const Node &linear = program.graph.nodes[0];
  EXPECT_EQ(linear.target, "torch.ops.aten.linear.default");
  EXPECT_EQ(linear.name, "linear");
  ASSERT_NE(linear.findInput("weight"), nullptr);
  EXPECT_EQ(linear.findInput("weight")->arg.tensorName(), "p_0_weight");
  EXPECT_EQ(linear.findInput("weight")->passing, ArgumentPassing::Positional);
  EXPECT_NE(linear.stackTrace().find("linear"), std::string::npos);
  EXPECT_EQ(program.opsetVersion.at("aten"), 10);
  EXPECT_EQ(program.torchVersion.rfind("2.11", 0), 0u);
  ASSERT_FALSE(program.moduleCallGraph.empty());
  EXPECT_EQ(program.moduleCallGraph[0].forwardArgNames, std::vector<std::string>{"input"});
}

TEST(PT2Fixtures, DynamicBatchIsSymbolS31From1To4096) {
  Archive archive = load(fixture("mlp_dynamic_batch.pt2"));
  const ExportedProgram &program = archive.program;
  const InputSpec *input = program.findInputSpec("input");
  ASSERT_NE(input, nullptr);
  EXPECT_EQ(input->kind, InputKind::UserInput);
  const TensorMeta *meta = program.graph.findTensorMeta("input");
  ASSERT_NE(meta, nullptr);
  ASSERT_EQ(meta->rank(), 2u);
  const SymInt &batch = meta->sizes[0];
  ASSERT_TRUE(batch.isSymbolic());
  EXPECT_TRUE(batch.expr->isSymbol());
  EXPECT_EQ(batch.expr->name, "s31");
  EXPECT_EQ(batch.hint, std::optional<int64_t>(8));
  EXPECT_EQ(batch.asConstant(), std::nullopt);
  EXPECT_EQ(meta->sizes[1].asConstant(), std::optional<int64_t>(64));
  EXPECT_FALSE(meta->hasStaticShape());
  EXPECT_EQ(meta->toString(), "float32[s31, 64]");
  ASSERT_EQ(program.rangeConstraints.count("s31"), 1u);
  EXPECT_EQ(program.rangeConstraints.at("s31").minVal, std::optional<int64_t>(1));
  EXPECT_EQ(program.rangeConstraints.at("s31").maxVal, std::optional<int64_t>(4096));
}

TEST(PT2Fixtures, TiedWeightsShareOneStorage) {
  Archive archive = load(fixture("gpt2_tiny.pt2"));
  const TensorPayload *wte = archive.findWeight("m.transformer.wte.weight");
  const TensorPayload *head = archive.findWeight("m.lm_head.weight");
  ASSERT_NE(wte, nullptr);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(wte->pathName, head->pathName);
  EXPECT_EQ(wte->shape, head->shape);
  EXPECT_EQ(wte->data(), head->data()); // one buffer, not two copies
}

TEST(PT2Fixtures, NonPersistentBuffersComeFromTheConstantsConfig) {
  Archive archive = load(fixture("llama_tiny.pt2"));
  const InputSpec *invFreq = nullptr;
  for (const InputSpec &spec : archive.program.signature.inputs)
    if (spec.target == "m.model.rotary_emb.inv_freq")
      invFreq = &spec;
  ASSERT_NE(invFreq, nullptr);
  EXPECT_EQ(invFreq->kind, InputKind::Buffer);
  EXPECT_FALSE(invFreq->persistent);
  const TensorPayload *payload = archive.findPayload(*invFreq);
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(payload, archive.findConstant("m.model.rotary_emb.inv_freq"));
  EXPECT_EQ(payload->shape, std::vector<int64_t>{16});
}

TEST(PT2Fixtures, Bfloat16Weights) {
  Archive archive = load(fixture("llama_tiny_bf16.pt2"));
  ASSERT_FALSE(archive.weights.empty());
  for (const auto &[fqn, payload] : archive.weights) {
    EXPECT_EQ(payload.dtype(), ScalarType::BFloat16) << fqn;
    EXPECT_EQ(payload.byteSize(), size_t(payload.numel) * 2) << fqn;
  }
}

TEST(PT2Fixtures, HigherOrderOpsCarryTheirSubgraph) {
  Archive archive = load(fixture("llama_tiny.pt2"));
  const Node *wrap = nullptr;
  for (const Node &node : archive.program.graph.nodes)
    if (node.target == "torch.ops.higher_order.wrap_with_set_grad_enabled")
      wrap = &node;
  ASSERT_NE(wrap, nullptr);
  ASSERT_GE(wrap->inputs.size(), 2u);
  EXPECT_EQ(wrap->inputs[0].name, "");
  EXPECT_EQ(wrap->inputs[0].arg.kind(), ArgKind::Bool);
  ASSERT_EQ(wrap->inputs[1].arg.kind(), ArgKind::Graph);
  const GraphArgument &sub = wrap->inputs[1].arg.graph();
  EXPECT_FALSE(sub.name.empty());
  EXPECT_FALSE(sub.graph.nodes.empty());
  EXPECT_EQ(sub.graph.inputs.size() + 2, wrap->inputs.size());
}

TEST(PT2Fixtures, ListModels) {
  Expected<std::vector<std::string>> models = listModels(fixture("mlp.pt2"));
  ASSERT_TRUE(models.ok()) << models.error().message;
  EXPECT_EQ(*models, std::vector<std::string>{"model"});
}

TEST(PT2Fixtures, GraphOnlyReadSkipsTensorBytes) {
  ReadOptions options;
  options.loadTensorData = false;
  Archive archive = load(fixture("mlp.pt2"), options);
  const TensorPayload *weight = archive.findWeight("0.weight");
  ASSERT_NE(weight, nullptr);
  EXPECT_FALSE(weight->hasData());
  EXPECT_EQ(weight->byteSize(), 128u * 64u * 4u);
}

TEST(PT2Fixtures, ReadingFromMemoryGivesTheSameBytes) {
  std::ifstream file(fixture("mlp.pt2"), std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  Expected<Archive> fromMemory = readArchiveFromMemory(bytes.data(), bytes.size(), {}, "mlp-in-memory");
  ASSERT_TRUE(fromMemory.ok()) << fromMemory.error().message;
  Archive fromFile = load(fixture("mlp.pt2"));
  for (const auto &[fqn, payload] : fromFile.weights) {
    const TensorPayload *other = fromMemory->findWeight(fqn);
    ASSERT_NE(other, nullptr);
    ASSERT_EQ(other->byteSize(), payload.byteSize());
    EXPECT_EQ(std::memcmp(other->data(), payload.data(), payload.byteSize()), 0) << fqn;
  }
}

// Set THUNDER_PT2_EXTRA_DIRS=/work/extra/ops:/work/extra/hold to also read archives kept outside the repo.
TEST(PT2Fixtures, ExtraArchivesFromTheEnvironment) {
  const char *dirs = std::getenv("THUNDER_PT2_EXTRA_DIRS");
  if (!dirs || !*dirs)
    GTEST_SKIP() << "THUNDER_PT2_EXTRA_DIRS is not set";
  std::string list = dirs;
  size_t count = 0;
  for (size_t start = 0; start <= list.size();) {
    size_t end = list.find(':', start);
    if (end == std::string::npos)
      end = list.size();
    for (const std::string &path : archivesIn(list.substr(start, end - start))) {
      checkArchive(path);
      Archive archive = load(path);
      EXPECT_EQ(bindAllNodes(archive.program.graph), "") << path;
      ++count;
    }
    start = end + 1;
  }
  EXPECT_GT(count, 0u);
}
