//===- PT2OpSchemaTest.cpp - Operator schemas and node binding -----------===//
#include "thunder/PT2/OpSchema.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using namespace thunder::pt2;

namespace {

const OpSchema &schemaOf(const std::string &name) {
  const OpSchema *schema = OpSchemaRegistry::builtin().lookup(name);
  EXPECT_NE(schema, nullptr) << name;
  static const OpSchema kEmpty;
  return schema ? *schema : kEmpty;
}

Node makeNode(const std::string &target, std::vector<NamedArgument> inputs) {
  Node node;
  node.target = target;
  node.name = "n";
  node.inputs = std::move(inputs);
  return node;
}

NamedArgument named(const std::string &name, Argument arg) { return NamedArgument{name, std::move(arg), ArgumentPassing::Positional}; }

} // namespace

TEST(PT2OpSchema, BuiltinRegistryHoldsEverySchemaLine) {
  EXPECT_EQ(OpSchemaRegistry::builtin().size(), 3978u);
}

TEST(PT2OpSchema, EveryCoreAtenOpHasASchema) {
  std::ifstream file(std::string(THUNDER_SOURCE_DIR) + "/data/core_aten_ops.txt");
  ASSERT_TRUE(file.good());
  std::string line;
  size_t count = 0;
  while (std::getline(file, line)) {
    if (line.empty())
      continue;
    EXPECT_NE(OpSchemaRegistry::builtin().lookup(line), nullptr) << line;
    ++count;
  }
  EXPECT_EQ(count, 189u);
}

TEST(PT2OpSchema, LookupAcceptsEveryNameForm) {
  const OpSchema *add = OpSchemaRegistry::builtin().lookup("aten::add.Tensor");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(OpSchemaRegistry::builtin().lookup("torch.ops.aten.add.Tensor"), add);
  EXPECT_EQ(OpSchemaRegistry::builtin().lookup("aten.add.Tensor"), add);
  const OpSchema *linear = OpSchemaRegistry::builtin().lookup("torch.ops.aten.linear.default");
  ASSERT_NE(linear, nullptr);
  EXPECT_EQ(linear->overload, "");
  EXPECT_EQ(linear->qualifiedName(), "aten::linear");
  EXPECT_EQ(OpSchemaRegistry::builtin().lookup("aten::linear"), linear);
  EXPECT_EQ(OpSchemaRegistry::builtin().lookup("aten.linear"), linear);
  EXPECT_NE(OpSchemaRegistry::builtin().lookup("torch.ops.prims.convert_element_type.default"), nullptr);
  EXPECT_EQ(OpSchemaRegistry::builtin().lookup("_operator.mul"), nullptr);
  EXPECT_EQ(OpSchemaRegistry::builtin().lookup("torch.ops.higher_order.cond"), nullptr);
  EXPECT_EQ(OpSchemaRegistry::builtin().lookup("torch.ops.aten.add.NoSuchOverload"), nullptr);
  EXPECT_EQ(OpSchemaRegistry::builtin().lookup(""), nullptr);
  EXPECT_EQ(schemaNameForTarget("torch.ops.aten.add.default"), std::optional<std::string>("aten::add"));
  EXPECT_EQ(schemaNameForTarget("math.trunc"), std::optional<std::string>("math::trunc"));
  EXPECT_EQ(schemaNameForTarget("a.b.c.d"), std::nullopt);
}

TEST(PT2OpSchema, AddTensorArguments) {
  const OpSchema &add = schemaOf("aten::add.Tensor");
  ASSERT_EQ(add.arguments.size(), 3u);
  EXPECT_EQ(add.arguments[0].name, "self");
  EXPECT_TRUE(add.arguments[0].isTensor());
  EXPECT_FALSE(add.arguments[0].kwargOnly);
  const SchemaArgument &alpha = add.arguments[2];
  EXPECT_EQ(alpha.name, "alpha");
  EXPECT_EQ(alpha.type, "Scalar");
  EXPECT_TRUE(alpha.kwargOnly);
  ASSERT_TRUE(alpha.defaultValue.has_value());
  EXPECT_EQ(*alpha.defaultValue, Argument::ofInt(1));
  ASSERT_EQ(add.returns.size(), 1u);
  EXPECT_EQ(add.returns[0].type, "Tensor");
  EXPECT_FALSE(add.mutatesArguments());
}

TEST(PT2OpSchema, BindingFillsDefaults) {
  const OpSchema &add = schemaOf("aten::add.Tensor");
  Node node = makeNode("torch.ops.aten.add.Tensor",
                       {named("self", Argument::ofTensor("x")), named("other", Argument::ofTensor("y"))});
  Expected<std::vector<BoundArgument>> bound = bindNode(node, add);
  ASSERT_TRUE(bound.ok()) << bound.error().message;
  ASSERT_EQ(bound->size(), 3u);
  EXPECT_EQ((*bound)[0].value.tensorName(), "x");
  EXPECT_FALSE((*bound)[0].isDefault);
  EXPECT_EQ((*bound)[2].schema->name, "alpha");
  EXPECT_TRUE((*bound)[2].isDefault);
  EXPECT_EQ((*bound)[2].value.kind(), ArgKind::Int);
  EXPECT_EQ((*bound)[2].value.intValue(), 1);

  Node withAlpha = node;
  withAlpha.inputs.push_back(NamedArgument{"alpha", Argument::ofFloat(0.5), ArgumentPassing::Keyword});
  bound = bindNode(withAlpha, add);
  ASSERT_TRUE(bound.ok());
  EXPECT_FALSE((*bound)[2].isDefault);
  EXPECT_EQ((*bound)[2].value.floatValue(), 0.5);
}

TEST(PT2OpSchema, BindingByPositionWhenNamesAreEmpty) {
  Node node = makeNode("torch.ops.aten.linear.default",
                       {named("", Argument::ofTensor("x")), named("", Argument::ofTensor("w"))});
  Expected<std::vector<BoundArgument>> bound = bindNode(node, schemaOf("aten::linear"));
  ASSERT_TRUE(bound.ok()) << bound.error().message;
  EXPECT_EQ((*bound)[1].value.tensorName(), "w");
  EXPECT_TRUE((*bound)[2].value.isNone()); // bias=None
}

TEST(PT2OpSchema, BindingErrorsNameTheNode) {
  const OpSchema &add = schemaOf("aten::add.Tensor");
  Node unknown = makeNode("torch.ops.aten.add.Tensor", {named("self", Argument::ofTensor("x")),
                                                         named("other", Argument::ofTensor("y")),
                                                         named("beta", Argument::ofInt(2))});
  Expected<std::vector<BoundArgument>> bound = bindNode(unknown, add);
  ASSERT_FALSE(bound.ok());
  EXPECT_NE(bound.error().message.find("node 'n' (torch.ops.aten.add.Tensor) (schema aten::add.Tensor): unknown argument 'beta'"),
            std::string::npos)
      << bound.error().message;

  Node missing = makeNode("torch.ops.aten.add.Tensor", {named("self", Argument::ofTensor("x"))});
  bound = bindNode(missing, add);
  ASSERT_FALSE(bound.ok());
  EXPECT_NE(bound.error().message.find("missing required argument 'other'"), std::string::npos);

  Node twice = makeNode("torch.ops.aten.add.Tensor",
                        {named("self", Argument::ofTensor("x")), named("self", Argument::ofTensor("y"))});
  bound = bindNode(twice, add);
  ASSERT_FALSE(bound.ok());
  EXPECT_NE(bound.error().message.find("argument 'self' is given twice"), std::string::npos);

  Node tooMany = makeNode("torch.ops.aten.relu.default",
                          {named("", Argument::ofTensor("x")), named("", Argument::ofTensor("y"))});
  bound = bindNode(tooMany, schemaOf("aten::relu"));
  ASSERT_FALSE(bound.ok());
  EXPECT_NE(bound.error().message.find("more arguments than the schema's 1"), std::string::npos);
}

TEST(PT2OpSchema, ListDefaultsAreExpandedToTheirSize) {
  const OpSchema &pool = schemaOf("aten::max_pool2d_with_indices");
  const SchemaArgument *stride = pool.findArgument("stride");
  const SchemaArgument *padding = pool.findArgument("padding");
  const SchemaArgument *dilation = pool.findArgument("dilation");
  ASSERT_TRUE(stride && padding && dilation);
  EXPECT_TRUE(padding->isList);
  EXPECT_EQ(padding->fixedListSize, std::optional<int>(2));
  EXPECT_EQ(padding->elementType, "int");
  EXPECT_EQ(*stride->defaultValue, Argument::ofInts({}));
  EXPECT_EQ(*padding->defaultValue, Argument::ofInts({0, 0}));
  EXPECT_EQ(*dilation->defaultValue, Argument::ofInts({1, 1}));
  EXPECT_EQ(*pool.findArgument("ceil_mode")->defaultValue, Argument::ofBool(false));
  EXPECT_EQ(pool.returns.size(), 2u);
}

TEST(PT2OpSchema, TypedDefaults) {
  EXPECT_FALSE(schemaOf("aten::native_layer_norm").findArgument("eps")->defaultValue.has_value());
  const SchemaArgument *eps = schemaOf("aten::layer_norm").findArgument("eps");
  ASSERT_TRUE(eps && eps->defaultValue);
  EXPECT_EQ(eps->defaultValue->kind(), ArgKind::Float);
  EXPECT_DOUBLE_EQ(eps->defaultValue->floatValue(), 1e-05);
  const SchemaArgument *approximate = schemaOf("aten::gelu").findArgument("approximate");
  EXPECT_EQ(*approximate->defaultValue, Argument::ofString("none"));
  // The dump writes enum defaults with c10's codes: MemoryFormat 0 = contiguous, ScalarType 4 = int64.
  EXPECT_EQ(*schemaOf("aten::contiguous").findArgument("memory_format")->defaultValue,
            Argument::ofMemoryFormat(MemoryFormat::Contiguous));
  EXPECT_EQ(*schemaOf("aten::randperm").findArgument("dtype")->defaultValue, Argument::ofScalarType(ScalarType::Int64));
  EXPECT_EQ(*schemaOf("aten::to.dtype").findArgument("memory_format")->defaultValue, Argument::none());
  const SchemaArgument *mean = schemaOf("aten::mean.dim").findArgument("dim");
  EXPECT_TRUE(mean->isOptional && mean->isList);
  EXPECT_EQ(mean->fixedListSize, std::optional<int>(1));
  const SchemaArgument *indices = schemaOf("aten::index.Tensor").findArgument("indices");
  EXPECT_TRUE(indices->isList && indices->elementIsOptional);
  EXPECT_EQ(indices->elementType, "Tensor");
  const SchemaArgument *strip = schemaOf("aten::strip").findArgument("chars");
  ASSERT_TRUE(strip && strip->defaultValue);
  EXPECT_EQ(strip->defaultValue->stringValue(), " \n\t\f\v");
  const SchemaArgument *clampMin = schemaOf("aten::clamp").findArgument("min");
  EXPECT_TRUE(clampMin->isOptional);
  EXPECT_EQ(clampMin->elementType, "Scalar");
}

TEST(PT2OpSchema, AliasAnnotations) {
  const OpSchema &addInPlace = schemaOf("aten::add_.Tensor");
  EXPECT_TRUE(addInPlace.arguments[0].isMutable);
  EXPECT_EQ(addInPlace.arguments[0].aliasSet, "a");
  EXPECT_EQ(addInPlace.arguments[0].baseType, "Tensor");
  EXPECT_EQ(addInPlace.arguments[0].type, "Tensor(a!)");
  EXPECT_TRUE(addInPlace.mutatesArguments());
  EXPECT_TRUE(addInPlace.returns[0].isMutable);
  const OpSchema &view = schemaOf("aten::view");
  EXPECT_FALSE(view.arguments[0].isMutable);
  EXPECT_EQ(view.arguments[0].aliasSet, "a");
  EXPECT_EQ(view.arguments[1].elementType, "SymInt");
}

TEST(PT2OpSchema, ParsesNamedReturnsAndVarargs) {
  const OpSchema &bn = schemaOf("aten::_native_batch_norm_legit_functional");
  ASSERT_EQ(bn.returns.size(), 5u);
  EXPECT_EQ(bn.returns[3].name, "running_mean_out");
  EXPECT_EQ(bn.returns[0].name, "");
  EXPECT_TRUE(schemaOf("aten::format").isVararg);
  Expected<OpSchema> dict = parseOpSchema("aten::keys.str(Dict(str, t) self) -> str[](*)");
  ASSERT_TRUE(dict.ok()) << dict.error().message;
  EXPECT_EQ(dict->arguments[0].baseType, "Dict(str, t)");
  EXPECT_EQ(dict->returns[0].baseType, "str[]");
}

TEST(PT2OpSchema, ParseErrors) {
  EXPECT_FALSE(parseOpSchema("no_namespace(Tensor self) -> Tensor").ok());
  EXPECT_FALSE(parseOpSchema("aten::f(Tensor self -> Tensor").ok());
  EXPECT_FALSE(parseOpSchema("aten::f(Tensor) -> Tensor").ok());
  EXPECT_FALSE(parseOpSchema("aten::f(Tensor self)").ok());
  Expected<OpSchema> badDefault = parseOpSchema("aten::f(int x=banana) -> Tensor");
  ASSERT_FALSE(badDefault.ok());
  EXPECT_NE(badDefault.error().message.find("cannot read the default 'banana' of argument 'x'"), std::string::npos);
  Expected<OpSchemaRegistry> registry = OpSchemaRegistry::parse("# comment\n\naten::f(Tensor x) -> Tensor\nbroken\n");
  ASSERT_FALSE(registry.ok());
  EXPECT_NE(registry.error().message.find("line 4"), std::string::npos);
}
