//===- PT2JsonTest.cpp - Decoding models/<M>.json ------------------------===//
//
// parseExportedProgram on small hand-written programs: every Argument variant, the defaults of missing
// and null fields, and the errors, each naming its JSON path.
//
//===----------------------------------------------------------------------===//
#include "thunder/PT2/ExportedProgram.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace thunder::pt2;

namespace {

const char *kMeta = R"({"dtype": 7, "sizes": [{"as_int": 2}], "strides": [{"as_int": 1}]})";

// A program around `nodes`, with graph input x, output y, and `extra` spliced into the graph object.
// `extraInputs` and `extraSpecs` (each starting with ", ") add graph inputs after x and their specs.
std::string program(const std::string &nodes, const std::string &tensorValues = "",
                    const std::string &extraGraph = "", const std::string &extraTop = "",
                    const std::string &extraInputs = "", const std::string &extraSpecs = "") {
  std::string meta = kMeta;
  return R"({"schema_version": {"major": 8, "minor": 17}, )" + extraTop + R"("graph_module": {"graph": {
      "inputs": [{"as_tensor": {"name": "x"}})" + extraInputs + R"(],
      "outputs": [{"as_tensor": {"name": "y"}}],
      "nodes": [)" + nodes + R"(],
      "tensor_values": {"x": )" + meta + R"(, "y": )" + meta + tensorValues + "}" + extraGraph + R"(},
    "signature": {"input_specs": [{"user_input": {"arg": {"as_tensor": {"name": "x"}}}})" + extraSpecs + R"(],
                  "output_specs": [{"user_output": {"arg": {"as_tensor": {"name": "y"}}}}]}}})";
}

std::string node(const std::string &name, const std::string &inputs, const std::string &outputs = "") {
  std::string out = outputs.empty() ? R"([{"as_tensor": {"name": ")" + name + R"("}}])" : outputs;
  return R"({"target": "torch.ops.test.op.default", "name": ")" + name + R"(", "inputs": [)" + inputs +
         R"(], "outputs": )" + out + R"(, "metadata": {}})";
}

std::string input(const std::string &name, const std::string &arg) {
  return R"({"name": ")" + name + R"(", "arg": )" + arg + "}";
}

ExportedProgram parseOk(const std::string &json) {
  Expected<ExportedProgram> p = parseExportedProgram(json);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? p.take() : ExportedProgram();
}

std::string parseError(const std::string &json) {
  Expected<ExportedProgram> p = parseExportedProgram(json, {}, "test.json");
  return p.ok() ? std::string("(parsed)") : p.error().message;
}

const Argument &argOf(const ExportedProgram &p, size_t nodeIndex, const std::string &name) {
  const NamedArgument *in = p.graph.nodes.at(nodeIndex).findInput(name);
  EXPECT_NE(in, nullptr) << name;
  static const Argument kNone;
  return in ? in->arg : kNone;
}

} // namespace

TEST(PT2Json, MinimalProgram) {
  ExportedProgram p = parseOk(program(node("y", input("self", R"({"as_tensor": {"name": "x"}})"))));
  EXPECT_EQ(p.schemaVersion.major, 8);
  EXPECT_EQ(p.schemaVersion.minor, 17);
  ASSERT_EQ(p.graph.nodes.size(), 1u);
  EXPECT_EQ(p.graph.nodes[0].target, "torch.ops.test.op.default");
  EXPECT_EQ(p.signature.inputs[0].kind, InputKind::UserInput);
  EXPECT_EQ(p.signature.inputs[0].name, "x");
  EXPECT_EQ(p.signature.outputs[0].name, "y");
  const TensorMeta &meta = p.graph.tensorValues.at("x");
  EXPECT_EQ(meta.dtype, ScalarType::Float32);
  EXPECT_EQ(meta.layout, Layout::Strided); // missing = default
  EXPECT_EQ(meta.device.type, "cpu");
  EXPECT_FALSE(meta.requiresGrad);
  EXPECT_EQ(meta.storageOffset.asConstant(), std::optional<int64_t>(0));
}

TEST(PT2Json, EveryArgumentVariant) {
  std::string inputs = input("none", R"({"as_none": true})") + "," +
                       input("tensors", R"({"as_tensors": [{"name": "x"}, {"name": "x"}]})") + "," +
                       input("int", R"({"as_int": -9223372036854775808})") + "," +
                       input("ints", R"({"as_ints": [1, 9223372036854775807]})") + "," +
                       input("float", R"({"as_float": 2})") + "," +
                       input("floats", R"({"as_floats": [1.5, "Infinity", "-Infinity", "NaN"]})") + "," +
                       input("string", R"({"as_string": "mean"})") + "," +
                       input("strings", R"({"as_strings": ["a", "b"]})") + "," +
                       input("sym_int", R"({"as_sym_int": {"as_name": "sz"}})") + "," +
                       input("sym_ints", R"({"as_sym_ints": [{"as_name": "sz"}, {"as_int": 3}]})") + "," +
                       input("scalar_type", R"({"as_scalar_type": 13})") + "," +
                       input("memory_format", R"({"as_memory_format": 2})") + "," +
                       input("layout", R"({"as_layout": 7})") + "," +
                       input("device", R"({"as_device": {"type": "cuda", "index": 1}})") + "," +
                       input("bool", R"({"as_bool": true})") + "," +
                       input("bools", R"({"as_bools": [true, false]})") + "," +
                       input("sym_bool", R"({"as_sym_bool": {"as_name": "flag"}})") + "," +
                       input("sym_bools", R"({"as_sym_bools": [{"as_bool": true}]})") + "," +
                       input("optional_tensors", R"({"as_optional_tensors": [{"as_tensor": {"name": "x"}}, {"as_none": true}]})") + "," +
                       input("custom_obj", R"({"as_custom_obj": {"name": "obj", "class_fqn": "__torch__.Foo"}})") + "," +
                       input("operator", R"({"as_operator": "aten.add.Tensor"})") + "," +
                       input("sym_float", R"({"as_sym_float": {"as_name": "ratio"}})") + "," +
                       input("sym_floats", R"({"as_sym_floats": [{"as_float": "NaN"}]})") + "," +
                       input("optional_tensor", R"({"as_optional_tensor": {"as_none": true}})") + "," +
                       input("complex", R"({"as_complex": {"real": 1.0, "imag": -2.0}})") + "," +
                       input("nested", R"({"as_nested_tensors": [[{"name": "x"}], []]})") + "," +
                       input("int_lists", R"({"as_int_lists": [[1, 2], [3]]})") + "," +
                       input("map", R"({"as_string_to_argument": {"k": {"as_tensor": {"name": "x"}}, "n": {"as_int": 4}}})") + "," +
                       input("graph", R"({"as_graph": {"name": "body", "graph": {"inputs": [{"as_tensor": {"name": "a"}}],
                             "outputs": [{"as_tensor": {"name": "a"}}], "nodes": [],
                             "tensor_values": {"a": {"dtype": 5, "sizes": [], "strides": []}}}}})");
  std::string sizeNode = R"({"target": "torch.ops.aten.sym_size.int", "inputs": [], "name": "sz",
      "outputs": [{"as_sym_int": {"as_name": "sz"}}, {"as_sym_bool": {"as_name": "flag"}}, {"as_sym_float": {"as_name": "ratio"}}]})";
  std::string graphExtra = R"J(, "sym_int_values": {"sz": {"as_expr": {"expr_str": "2*s0 + 1", "hint": {"as_int": 5}}}},
      "sym_bool_values": {"flag": {"as_expr": {"expr_str": "Eq(Symbol('s0'), Integer(2))", "hint": {"as_bool": true}}}},
      "sym_float_values": {"ratio": {"as_float": 0.5}},
      "custom_obj_values": {"obj": {"name": "obj", "class_fqn": "__torch__.Foo"}})J";
  // The custom object is a graph input.
  std::string json = program(sizeNode + "," + node("y", inputs), "", graphExtra, "",
                             R"(, {"as_custom_obj": {"name": "obj", "class_fqn": "__torch__.Foo"}})",
                             R"(, {"custom_obj": {"arg": {"name": "obj", "class_fqn": "__torch__.Foo"}, "custom_obj_name": "foo"}})");
  ExportedProgram p = parseOk(json);
  ASSERT_EQ(p.graph.nodes.size(), 2u);
  EXPECT_TRUE(argOf(p, 1, "none").isNone());
  EXPECT_EQ(argOf(p, 1, "tensors").tensorNames(), (std::vector<std::string>{"x", "x"}));
  EXPECT_EQ(argOf(p, 1, "int").intValue(), INT64_MIN);
  EXPECT_EQ(argOf(p, 1, "ints").ints(), (std::vector<int64_t>{1, INT64_MAX}));
  EXPECT_EQ(argOf(p, 1, "float").floatValue(), 2.0);
  const std::vector<double> &floats = argOf(p, 1, "floats").floats();
  ASSERT_EQ(floats.size(), 4u);
  EXPECT_EQ(floats[0], 1.5);
  EXPECT_TRUE(std::isinf(floats[1]) && floats[1] > 0);
  EXPECT_TRUE(std::isinf(floats[2]) && floats[2] < 0);
  EXPECT_TRUE(std::isnan(floats[3]));
  EXPECT_EQ(argOf(p, 1, "string").stringValue(), "mean");
  EXPECT_EQ(argOf(p, 1, "strings").strings(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(argOf(p, 1, "sym_int").symInt().isName);
  EXPECT_EQ(argOf(p, 1, "sym_int").symInt().name, "sz");
  ASSERT_EQ(argOf(p, 1, "sym_ints").symInts().size(), 2u);
  EXPECT_EQ(argOf(p, 1, "sym_ints").symInts()[1].value, 3);
  EXPECT_EQ(argOf(p, 1, "scalar_type").scalarType(), ScalarType::BFloat16);
  EXPECT_EQ(argOf(p, 1, "memory_format").memoryFormat(), MemoryFormat::ChannelsLast);
  EXPECT_EQ(argOf(p, 1, "layout").layout(), Layout::Strided);
  EXPECT_EQ(argOf(p, 1, "device").device().type, "cuda");
  EXPECT_EQ(argOf(p, 1, "device").device().index, std::optional<int64_t>(1));
  EXPECT_TRUE(argOf(p, 1, "bool").boolValue());
  EXPECT_EQ(argOf(p, 1, "bools").bools(), (std::vector<bool>{true, false}));
  EXPECT_EQ(argOf(p, 1, "sym_bool").symBool().name, "flag");
  EXPECT_TRUE(argOf(p, 1, "sym_bools").symBools()[0].value);
  const auto &optionals = argOf(p, 1, "optional_tensors").optionalTensors();
  ASSERT_EQ(optionals.size(), 2u);
  EXPECT_EQ(optionals[0], std::optional<std::string>("x"));
  EXPECT_EQ(optionals[1], std::nullopt);
  EXPECT_EQ(argOf(p, 1, "custom_obj").customObj().classFqn, "__torch__.Foo");
  EXPECT_EQ(argOf(p, 1, "operator").operatorName(), "aten.add.Tensor");
  EXPECT_EQ(argOf(p, 1, "sym_float").symFloat().name, "ratio");
  EXPECT_TRUE(std::isnan(argOf(p, 1, "sym_floats").symFloats()[0].value));
  EXPECT_EQ(argOf(p, 1, "optional_tensor").optionalTensor(), std::nullopt);
  EXPECT_EQ(argOf(p, 1, "complex").complexValue().imag, -2.0);
  EXPECT_EQ(argOf(p, 1, "nested").nestedTensors().size(), 2u);
  EXPECT_EQ(argOf(p, 1, "int_lists").intLists(), (std::vector<std::vector<int64_t>>{{1, 2}, {3}}));
  const StringToArgument &map = argOf(p, 1, "map").stringToArgument();
  ASSERT_EQ(map.entries.size(), 2u);
  EXPECT_EQ(map.entries[0].first, "k");
  EXPECT_EQ(map.entries[0].second.tensorName(), "x");
  const GraphArgument &body = argOf(p, 1, "graph").graph();
  EXPECT_EQ(body.name, "body");
  EXPECT_EQ(body.graph.tensorValues.at("a").dtype, ScalarType::Int64);

  const SymInt &sz = p.graph.symIntValues.at("sz");
  ASSERT_TRUE(sz.isSymbolic());
  EXPECT_EQ(sz.exprText, "2*s0 + 1");
  EXPECT_EQ(sz.hint, std::optional<int64_t>(5));
  EXPECT_EQ(sz.expr->evaluate({{"s0", 2}}), 5);
  EXPECT_EQ(p.graph.symBoolValues.at("flag").hint, std::optional<bool>(true));
  EXPECT_EQ(p.graph.symFloatValues.at("ratio").value, 0.5);
  EXPECT_EQ(p.graph.customObjValues.at("obj").classFqn, "__torch__.Foo");
  EXPECT_EQ(p.signature.inputs[1].kind, InputKind::CustomObj);
  EXPECT_EQ(p.signature.inputs[1].target, "foo");
  EXPECT_EQ(argOf(p, 1, "int").toString(), "int -9223372036854775808");
}

TEST(PT2Json, MissingAndNullFieldsAreDefaults) {
  // No name (the first output names the node), null metadata, no kind; null TensorMeta fields.
  std::string n = R"({"target": "torch.ops.aten.relu.default", "name": null, "metadata": null,
                      "inputs": [{"name": "self", "arg": {"as_tensor": {"name": "x"}}}],
                      "outputs": [{"as_tensor": {"name": "y"}}]})";
  std::string json = program(n);
  json.replace(json.find(R"("y": {"dtype": 7)"), 16,
               R"("y": {"layout": null, "device": null, "requires_grad": null, "storage_offset": null, "dtype": 7)");
  ExportedProgram p = parseOk(json);
  EXPECT_EQ(p.graph.nodes[0].name, "y");
  EXPECT_TRUE(p.graph.nodes[0].metadata.empty());
  EXPECT_EQ(p.graph.nodes[0].inputs[0].passing, ArgumentPassing::Unknown);
  EXPECT_EQ(p.graph.tensorValues.at("y").layout, Layout::Strided);
}

TEST(PT2Json, UnknownKeysAreIgnored) {
  std::string n = R"({"target": "t", "name": "y", "future_field": [1, {"x": 2}], "inputs": [],
                      "outputs": [{"as_tensor": {"name": "y", "also_new": 1}}]})";
  ExportedProgram p = parseOk(program(n, "", R"(, "new_graph_field": {})", R"("new_top_field": 3, )"));
  EXPECT_EQ(p.graph.nodes.size(), 1u);
}

TEST(PT2Json, SignatureVariants) {
  std::string json = program(node("y", input("self", R"({"as_tensor": {"name": "x"}})")));
  json.replace(json.find(R"("output_specs": [)"), 17,
               R"("output_specs": [{"buffer_mutation": {"arg": {"name": "y"}, "buffer_name": "bn.running_mean"}}]})");
  json.replace(json.find(R"({"user_output": {"arg": {"as_tensor": {"name": "y"}}}}]})"), 56, "");
  ExportedProgram p = parseOk(json);
  ASSERT_EQ(p.signature.outputs.size(), 1u);
  EXPECT_EQ(p.signature.outputs[0].kind, OutputKind::BufferMutation);
  EXPECT_EQ(p.signature.outputs[0].target, "bn.running_mean");
  EXPECT_EQ(p.signature.outputs[0].name, "y");
}

TEST(PT2Json, RangeConstraints) {
  std::string top = R"("range_constraints": {"s0": {"min_val": 2, "max_val": null}, "u0": {"min_val": 0, "max_val": 9223372036854775808}}, )";
  ExportedProgram p = parseOk(program("", "", "", top).replace(program("", "", "", top).find(R"("nodes": [])"), 11,
                                                                R"("nodes": [{"target": "t", "name": "y", "inputs": [], "outputs": [{"as_tensor": {"name": "y"}}]}])"));
  EXPECT_EQ(p.rangeConstraints.at("s0").minVal, std::optional<int64_t>(2));
  EXPECT_EQ(p.rangeConstraints.at("s0").maxVal, std::nullopt);
  EXPECT_EQ(p.rangeConstraints.at("u0").maxVal, std::nullopt); // beyond int64 = unbounded
}

TEST(PT2Json, ErrorsNameTheirPath) {
  std::string okNode = node("y", input("self", R"({"as_tensor": {"name": "x"}})"));
  auto withArg = [](const std::string &arg) { return program(node("y", input("self", arg))); };
  EXPECT_EQ(parseError(withArg(R"({"as_weird": 1})")),
            "test.json: graph_module.graph.nodes[0].inputs[0].arg (node 'y'): unknown Argument variant 'as_weird'");
  EXPECT_EQ(parseError(withArg(R"({"as_scalar_type": 50})")),
            "test.json: graph_module.graph.nodes[0].inputs[0].arg.as_scalar_type (node 'y'): unknown dtype code 50");
  EXPECT_EQ(parseError(withArg(R"({"as_memory_format": 9})")),
            "test.json: graph_module.graph.nodes[0].inputs[0].arg.as_memory_format (node 'y'): unknown memory format code 9");
  EXPECT_EQ(parseError(withArg(R"({"as_int": 1.5})")),
            "test.json: graph_module.graph.nodes[0].inputs[0].arg.as_int (node 'y'): expected an integer but found a float");
  EXPECT_EQ(parseError(withArg(R"({"as_sym_int": {"as_expr": 1}})")),
            "test.json: graph_module.graph.nodes[0].inputs[0].arg.as_sym_int (node 'y'): unknown SymIntArgument variant 'as_expr'");
  EXPECT_EQ(parseError(withArg(R"({})")), "test.json: graph_module.graph.nodes[0].inputs[0].arg (node 'y'): Argument has no variant");
  EXPECT_EQ(parseError(withArg(R"([1])")),
            "test.json: graph_module.graph.nodes[0].inputs[0].arg (node 'y'): expected Argument (an object with one variant) but found a list");
  EXPECT_EQ(parseError(withArg(R"({"as_tensor": {"name": "nope"}})")),
            "test.json: graph_module.graph: node 'y' (torch.ops.test.op.default) uses 'nope', which is never defined");
  EXPECT_EQ(parseError(program(okNode, R"(, "z": {"dtype": 7, "sizes": [{"as_int": 1}], "strides": [{"as_int": 1}], "layout": 42})")),
            "test.json: graph_module.graph.tensor_values.z.layout: unknown layout code 42");
  std::string major9 = program(okNode);
  major9.replace(major9.find(R"("major": 8)"), 10, R"("major": 9)");
  EXPECT_NE(parseError(major9).find("schema version 9.17 is not supported"), std::string::npos);
  std::string minor99 = program(okNode);
  minor99.replace(minor99.find(R"("minor": 17)"), 11, R"("minor": 99)");
  EXPECT_EQ(parseOk(minor99).schemaVersion.minor, 99);
  EXPECT_EQ(parseError("{}"), "test.json: missing field 'schema_version'");
  EXPECT_EQ(parseError("[]"), "test.json: expected an ExportedProgram (an object) but found a list");
  EXPECT_NE(parseError("{\"a\": \"\xc0\xaf\"}").find("test.json: invalid UTF-8 at byte 7"), std::string::npos);
  EXPECT_NE(parseError("{\"a\": ").find("test.json: invalid JSON"), std::string::npos);
  EXPECT_NE(parseError(std::string(300, '[') + std::string(300, ']')).find("nested deeper than 256 levels at byte 256"),
            std::string::npos);
  std::string noOutput = program(okNode);
  noOutput.replace(noOutput.find(R"("outputs": [{"as_tensor": {"name": "y"}}],)"), 43,
                   R"("outputs": [{"as_tensor": {"name": "w"}}],)");
  EXPECT_EQ(parseError(noOutput), "test.json: graph_module.graph: graph output 0 'w' is never defined");
}

TEST(PT2Json, SubgraphsAreValidatedOnTheirOwn) {
  // The body uses the outer graph's x, which a subgraph cannot see.
  std::string body = R"({"as_graph": {"name": "body", "graph": {"inputs": [], "outputs": [{"as_tensor": {"name": "b"}}],
      "nodes": [{"target": "t", "name": "b", "inputs": [{"name": "self", "arg": {"as_tensor": {"name": "x"}}}],
                 "outputs": [{"as_tensor": {"name": "b"}}]}], "tensor_values": {"b": {"dtype": 7, "sizes": [], "strides": []}}}}})";
  std::string message = parseError(program(node("y", input("", body))));
  EXPECT_EQ(message, "test.json: graph_module.graph: node 'y' (torch.ops.test.op.default) subgraph 'body': "
                     "node 'b' (t) uses 'x', which is never defined");
}
