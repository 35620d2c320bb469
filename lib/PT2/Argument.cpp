//===- Argument.cpp - The Argument union of the export schema -------------===//
#include "thunder/PT2/Argument.h"

#include "thunder/PT2/Graph.h"

#include <cassert>
#include <cstring>
#include <sstream>

namespace thunder::pt2 {

const char *argKindJsonName(ArgKind kind) {
  switch (kind) {
  case ArgKind::None: return "as_none";
  case ArgKind::Tensor: return "as_tensor";
  case ArgKind::Tensors: return "as_tensors";
  case ArgKind::Int: return "as_int";
  case ArgKind::Ints: return "as_ints";
  case ArgKind::Float: return "as_float";
  case ArgKind::Floats: return "as_floats";
  case ArgKind::String: return "as_string";
  case ArgKind::Strings: return "as_strings";
  case ArgKind::SymInt: return "as_sym_int";
  case ArgKind::SymInts: return "as_sym_ints";
  case ArgKind::ScalarType: return "as_scalar_type";
  case ArgKind::MemoryFormat: return "as_memory_format";
  case ArgKind::Layout: return "as_layout";
  case ArgKind::Device: return "as_device";
  case ArgKind::Bool: return "as_bool";
  case ArgKind::Bools: return "as_bools";
  case ArgKind::SymBool: return "as_sym_bool";
  case ArgKind::SymBools: return "as_sym_bools";
  case ArgKind::Graph: return "as_graph";
  case ArgKind::OptionalTensors: return "as_optional_tensors";
  case ArgKind::CustomObj: return "as_custom_obj";
  case ArgKind::Operator: return "as_operator";
  case ArgKind::SymFloat: return "as_sym_float";
  case ArgKind::SymFloats: return "as_sym_floats";
  case ArgKind::OptionalTensor: return "as_optional_tensor";
  case ArgKind::Complex: return "as_complex";
  case ArgKind::NestedTensors: return "as_nested_tensors";
  case ArgKind::IntLists: return "as_int_lists";
  case ArgKind::StringToArgument: return "as_string_to_argument";
  }
  return "?";
}

Argument Argument::make(ArgKind kind, Payload payload) {
  Argument a;
  a.kind_ = kind;
  a.payload_ = std::move(payload);
  return a;
}

bool Argument::refersToTensors() const {
  return kind_ == ArgKind::Tensor || kind_ == ArgKind::Tensors || kind_ == ArgKind::OptionalTensor ||
         kind_ == ArgKind::OptionalTensors || kind_ == ArgKind::NestedTensors;
}

#define THUNDER_ACCESSOR(Type, Name, Check)                                                        \
  Type Argument::Name() const {                                                                    \
    assert((Check) && "Argument accessor used on the wrong kind");                                \
    return std::get<std::remove_cv_t<std::remove_reference_t<Type>>>(payload_);                    \
  }

THUNDER_ACCESSOR(const std::string &, tensorName, kind_ == ArgKind::Tensor)
THUNDER_ACCESSOR(const std::vector<std::string> &, tensorNames, kind_ == ArgKind::Tensors)
THUNDER_ACCESSOR(const Argument::OptionalTensorName &, optionalTensor, kind_ == ArgKind::OptionalTensor)
THUNDER_ACCESSOR(const std::vector<Argument::OptionalTensorName> &, optionalTensors,
                 kind_ == ArgKind::OptionalTensors)
THUNDER_ACCESSOR(const std::vector<std::vector<std::string>> &, nestedTensors, kind_ == ArgKind::NestedTensors)
THUNDER_ACCESSOR(int64_t, intValue, kind_ == ArgKind::Int)
THUNDER_ACCESSOR(const std::vector<int64_t> &, ints, kind_ == ArgKind::Ints)
THUNDER_ACCESSOR(const std::vector<std::vector<int64_t>> &, intLists, kind_ == ArgKind::IntLists)
THUNDER_ACCESSOR(double, floatValue, kind_ == ArgKind::Float)
THUNDER_ACCESSOR(const std::vector<double> &, floats, kind_ == ArgKind::Floats)
THUNDER_ACCESSOR(bool, boolValue, kind_ == ArgKind::Bool)
THUNDER_ACCESSOR(const std::vector<bool> &, bools, kind_ == ArgKind::Bools)
THUNDER_ACCESSOR(const std::string &, stringValue, kind_ == ArgKind::String || kind_ == ArgKind::Operator)
THUNDER_ACCESSOR(const std::vector<std::string> &, strings, kind_ == ArgKind::Strings)
THUNDER_ACCESSOR(const SymIntArg &, symInt, kind_ == ArgKind::SymInt)
THUNDER_ACCESSOR(const std::vector<SymIntArg> &, symInts, kind_ == ArgKind::SymInts)
THUNDER_ACCESSOR(const SymBoolArg &, symBool, kind_ == ArgKind::SymBool)
THUNDER_ACCESSOR(const std::vector<SymBoolArg> &, symBools, kind_ == ArgKind::SymBools)
THUNDER_ACCESSOR(const SymFloatArg &, symFloat, kind_ == ArgKind::SymFloat)
THUNDER_ACCESSOR(const std::vector<SymFloatArg> &, symFloats, kind_ == ArgKind::SymFloats)
THUNDER_ACCESSOR(const Device &, device, kind_ == ArgKind::Device)
THUNDER_ACCESSOR(const CustomObjArgument &, customObj, kind_ == ArgKind::CustomObj)
THUNDER_ACCESSOR(const std::string &, operatorName, kind_ == ArgKind::Operator)
THUNDER_ACCESSOR(const ComplexValue &, complexValue, kind_ == ArgKind::Complex)
#undef THUNDER_ACCESSOR

ScalarType Argument::scalarType() const {
  assert(kind_ == ArgKind::ScalarType);
  return ScalarType(std::get<int64_t>(payload_));
}
MemoryFormat Argument::memoryFormat() const {
  assert(kind_ == ArgKind::MemoryFormat);
  return MemoryFormat(std::get<int64_t>(payload_));
}
Layout Argument::layout() const {
  assert(kind_ == ArgKind::Layout);
  return Layout(std::get<int64_t>(payload_));
}
const GraphArgument &Argument::graph() const {
  assert(kind_ == ArgKind::Graph);
  return *std::get<std::shared_ptr<const GraphArgument>>(payload_);
}
const StringToArgument &Argument::stringToArgument() const {
  assert(kind_ == ArgKind::StringToArgument);
  return *std::get<std::shared_ptr<const StringToArgument>>(payload_);
}

std::vector<std::string> Argument::referencedNames() const {
  std::vector<std::string> names;
  switch (kind_) {
  case ArgKind::Tensor:
    names.push_back(tensorName());
    break;
  case ArgKind::Tensors:
    names = tensorNames();
    break;
  case ArgKind::OptionalTensor:
    if (optionalTensor())
      names.push_back(*optionalTensor());
    break;
  case ArgKind::OptionalTensors:
    for (const OptionalTensorName &t : optionalTensors())
      if (t)
        names.push_back(*t);
    break;
  case ArgKind::NestedTensors:
    for (const auto &list : nestedTensors())
      names.insert(names.end(), list.begin(), list.end());
    break;
  case ArgKind::SymInt:
    if (symInt().isName)
      names.push_back(symInt().name);
    break;
  case ArgKind::SymInts:
    for (const SymIntArg &s : symInts())
      if (s.isName)
        names.push_back(s.name);
    break;
  case ArgKind::SymBool:
    if (symBool().isName)
      names.push_back(symBool().name);
    break;
  case ArgKind::SymBools:
    for (const SymBoolArg &s : symBools())
      if (s.isName)
        names.push_back(s.name);
    break;
  case ArgKind::SymFloat:
    if (symFloat().isName)
      names.push_back(symFloat().name);
    break;
  case ArgKind::SymFloats:
    for (const SymFloatArg &s : symFloats())
      if (s.isName)
        names.push_back(s.name);
    break;
  case ArgKind::CustomObj:
    names.push_back(customObj().name);
    break;
  case ArgKind::StringToArgument:
    for (const auto &entry : stringToArgument().entries) {
      std::vector<std::string> inner = entry.second.referencedNames();
      names.insert(names.end(), inner.begin(), inner.end());
    }
    break;
  default:
    break;
  }
  return names;
}

namespace {
template <typename T, typename F>
std::string joinList(const std::vector<T> &items, F format) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i)
      os << ", ";
    if (i == 16) {
      os << "... (" << items.size() << " items)";
      break;
    }
    os << format(items[i]);
  }
  os << ']';
  return os.str();
}
std::string symIntText(const SymIntArg &s) { return s.isName ? "%" + s.name : std::to_string(s.value); }
std::string floatText(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
} // namespace

std::string Argument::toString() const {
  switch (kind_) {
  case ArgKind::None: return "none";
  case ArgKind::Tensor: return "tensor %" + tensorName();
  case ArgKind::Tensors:
    return "tensors " + joinList(tensorNames(), [](const std::string &n) { return "%" + n; });
  case ArgKind::OptionalTensor: return optionalTensor() ? "tensor %" + *optionalTensor() : "none";
  case ArgKind::OptionalTensors:
    return "optional tensors " + joinList(optionalTensors(), [](const OptionalTensorName &n) {
             return n ? "%" + *n : std::string("none");
           });
  case ArgKind::Int: return "int " + std::to_string(intValue());
  case ArgKind::Ints: return "ints " + joinList(ints(), [](int64_t v) { return std::to_string(v); });
  case ArgKind::Float: return "float " + floatText(floatValue());
  case ArgKind::Floats: return "floats " + joinList(floats(), floatText);
  case ArgKind::Bool: return boolValue() ? "bool true" : "bool false";
  case ArgKind::Bools: return "bools " + joinList(bools(), [](bool b) { return b ? "true" : "false"; });
  case ArgKind::String: return "string \"" + stringValue() + "\"";
  case ArgKind::Strings:
    return "strings " + joinList(strings(), [](const std::string &s) { return "\"" + s + "\""; });
  case ArgKind::SymInt: return "symint " + symIntText(symInt());
  case ArgKind::SymInts: return "symints " + joinList(symInts(), symIntText);
  case ArgKind::SymBool:
    return "symbool " + (symBool().isName ? "%" + symBool().name : std::string(symBool().value ? "true" : "false"));
  case ArgKind::SymBools: return "symbools (" + std::to_string(symBools().size()) + ")";
  case ArgKind::SymFloat:
    return "symfloat " + (symFloat().isName ? "%" + symFloat().name : floatText(symFloat().value));
  case ArgKind::SymFloats: return "symfloats (" + std::to_string(symFloats().size()) + ")";
  case ArgKind::ScalarType: return std::string("dtype ") + scalarTypeName(scalarType());
  case ArgKind::MemoryFormat: return std::string("memory format ") + memoryFormatName(memoryFormat());
  case ArgKind::Layout: return std::string("layout ") + layoutName(layout());
  case ArgKind::Device:
    return "device " + device().type + (device().index ? ":" + std::to_string(*device().index) : "");
  case ArgKind::Graph: return "graph " + graph().name;
  case ArgKind::CustomObj: return "custom object %" + customObj().name;
  case ArgKind::Operator: return "operator " + operatorName();
  case ArgKind::Complex:
    return "complex (" + floatText(complexValue().real) + ", " + floatText(complexValue().imag) + ")";
  case ArgKind::NestedTensors: return "nested tensors (" + std::to_string(nestedTensors().size()) + " lists)";
  case ArgKind::IntLists: return "int lists (" + std::to_string(intLists().size()) + " lists)";
  case ArgKind::StringToArgument:
    return "string-to-argument map (" + std::to_string(stringToArgument().entries.size()) + " entries)";
  }
  return "?";
}

namespace {
bool sameDouble(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0 || a == b; }

struct PayloadEquals {
  template <typename T, typename U>
  bool operator()(const T &, const U &) const { return false; }

  bool operator()(std::monostate, std::monostate) const { return true; }
  bool operator()(double a, double b) const { return sameDouble(a, b); }
  bool operator()(const std::vector<double> &a, const std::vector<double> &b) const {
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!sameDouble(a[i], b[i]))
        return false;
    return true;
  }
  bool operator()(const SymIntArg &a, const SymIntArg &b) const {
    return a.isName == b.isName && (a.isName ? a.name == b.name : a.value == b.value);
  }
  bool operator()(const std::vector<SymIntArg> &a, const std::vector<SymIntArg> &b) const { return listEq(a, b); }
  bool operator()(const SymBoolArg &a, const SymBoolArg &b) const {
    return a.isName == b.isName && (a.isName ? a.name == b.name : a.value == b.value);
  }
  bool operator()(const std::vector<SymBoolArg> &a, const std::vector<SymBoolArg> &b) const { return listEq(a, b); }
  bool operator()(const SymFloatArg &a, const SymFloatArg &b) const {
    return a.isName == b.isName && (a.isName ? a.name == b.name : sameDouble(a.value, b.value));
  }
  bool operator()(const std::vector<SymFloatArg> &a, const std::vector<SymFloatArg> &b) const {
    return listEq(a, b);
  }
  bool operator()(const Device &a, const Device &b) const { return a.type == b.type && a.index == b.index; }
  bool operator()(const ComplexValue &a, const ComplexValue &b) const {
    return sameDouble(a.real, b.real) && sameDouble(a.imag, b.imag);
  }
  bool operator()(const CustomObjArgument &a, const CustomObjArgument &b) const {
    return a.name == b.name && a.classFqn == b.classFqn;
  }
  // Subgraphs compare by identity: deep graph equality is not needed by any caller.
  bool operator()(const std::shared_ptr<const GraphArgument> &a, const std::shared_ptr<const GraphArgument> &b) const {
    return a == b;
  }
  bool operator()(const std::shared_ptr<const StringToArgument> &a,
                  const std::shared_ptr<const StringToArgument> &b) const {
    if (!a || !b)
      return a == b;
    return a->entries == b->entries;
  }
  template <typename T>
  bool operator()(const T &a, const T &b) const { return a == b; }

private:
  template <typename T>
  bool listEq(const std::vector<T> &a, const std::vector<T> &b) const {
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!(*this)(a[i], b[i]))
        return false;
    return true;
  }
};
} // namespace

bool operator==(const Argument &a, const Argument &b) {
  return a.kind_ == b.kind_ && std::visit(PayloadEquals{}, a.payload_, b.payload_);
}

} // namespace thunder::pt2
