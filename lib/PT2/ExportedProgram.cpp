//===- ExportedProgram.cpp - Names and lookups of the program structs -----===//
#include "thunder/PT2/ExportedProgram.h"

namespace thunder::pt2 {

const char *inputKindName(InputKind kind) {
  switch (kind) {
  case InputKind::UserInput: return "user_input";
  case InputKind::Parameter: return "parameter";
  case InputKind::Buffer: return "buffer";
  case InputKind::TensorConstant: return "tensor_constant";
  case InputKind::CustomObj: return "custom_obj";
  case InputKind::Token: return "token";
  case InputKind::ConstantInput: return "constant_input";
  }
  return "?";
}

const char *outputKindName(OutputKind kind) {
  switch (kind) {
  case OutputKind::UserOutput: return "user_output";
  case OutputKind::LossOutput: return "loss_output";
  case OutputKind::BufferMutation: return "buffer_mutation";
  case OutputKind::GradientToParameter: return "gradient_to_parameter";
  case OutputKind::GradientToUserInput: return "gradient_to_user_input";
  case OutputKind::UserInputMutation: return "user_input_mutation";
  case OutputKind::Token: return "token";
  case OutputKind::ParameterMutation: return "parameter_mutation";
  }
  return "?";
}

const InputSpec *ExportedProgram::findInputSpec(const std::string &name) const {
  for (const InputSpec &spec : signature.inputs)
    if (!spec.name.empty() && spec.name == name)
      return &spec;
  return nullptr;
}

} // namespace thunder::pt2
