//===- pt2_reader_fuzzer.cpp - libFuzzer target for the .pt2 reader -------===//
//
// Every input goes to each entry point that could see it from a hostile file: the whole-archive reader
// (zip bytes), the model-JSON decoder, the symbolic-expression parser and the schema parser. Whatever
// loads is then walked the way the importer walks it (bind every node, evaluate every size), so that
// decoded-but-odd values are exercised too. Limits are lowered to keep each run fast and small.
//
//===----------------------------------------------------------------------===//
#include "FuzzLimits.h"

#include "thunder/PT2/Archive.h"
#include "thunder/PT2/OpSchema.h"
#include "thunder/PT2/SymExpr.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace thunder::pt2;

namespace {

void walkSize(const SymInt &s) {
  if (s.expr) {
    (void)s.expr->evaluate({{"s0", 3}, {"s31", 8}, {"s77", 2}});
    (void)s.expr->toString();
  }
  (void)s.asConstant();
}

void walkGraph(const Graph &graph) {
  for (const auto &[name, meta] : graph.tensorValues) {
    for (const SymInt &s : meta.sizes)
      walkSize(s);
    for (const SymInt &s : meta.strides)
      walkSize(s);
    (void)meta.toString();
  }
  for (const auto &[name, value] : graph.symIntValues)
    walkSize(value);
  for (const Node &node : graph.nodes) {
    for (const NamedArgument &input : node.inputs) {
      (void)input.arg.toString();
      if (input.arg.kind() == ArgKind::Graph)
        walkGraph(input.arg.graph().graph);
    }
    if (const OpSchema *schema = OpSchemaRegistry::builtin().lookup(node.target))
      (void)bindNode(node, *schema);
  }
}

void walkArchive(const Archive &archive) {
  walkGraph(archive.program.graph);
  uint64_t checksum = 0;
  for (const auto *payloads : {&archive.weights, &archive.constants})
    for (const auto &[fqn, payload] : *payloads)
      if (payload.hasData() && payload.byteSize() > 0)
        checksum += payload.data()[0] + payload.data()[payload.byteSize() - 1]; // touch both ends
  for (const InputSpec &spec : archive.program.signature.inputs)
    (void)archive.findPayload(spec);
  (void)checksum;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const ReadLimits limits = thunder::fuzz::fuzzLimits();
  std::string_view text(reinterpret_cast<const char *>(data), size);

  ReadOptions options;
  options.limits = limits;
  if (Expected<Archive> archive = readArchiveFromMemory(data, size, options, "fuzz"))
    walkArchive(*archive);

  if (Expected<ExportedProgram> program = parseExportedProgram(text, limits, "fuzz"))
    walkGraph(program->graph);

  if (size < 4096) {
    if (Expected<SymExpr> expr = parseSymExpr(text)) {
      (void)expr->evaluate({{"s0", 5}, {"s1", -3}});
      Expected<SymExpr> again = parseSymExpr(expr->toString());
      (void)again;
    }
    if (Expected<OpSchema> schema = parseOpSchema(text))
      (void)schema->qualifiedName();
  }
  return 0;
}
