//===- Argument.h - The Argument union of the export schema -------*- C++ -*-===//
//
// One value passed to or returned from a node: a tensor name, a constant, a symbolic scalar's name, a
// subgraph, ... (`Argument` in export_schema.yaml; PT2_FORMAT.md §4). `kind()` says which variant it is;
// each accessor is only valid for the kinds listed next to it (it asserts, and aborts in release builds
// through std::get, on the wrong kind).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_ARGUMENT_H
#define THUNDER_PT2_ARGUMENT_H

#include "thunder/PT2/DType.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace thunder::pt2 {

struct GraphArgument;
struct StringToArgument;

/// The variants, named after their JSON keys (`as_tensor` -> Tensor).
enum class ArgKind : uint8_t {
  None, Tensor, Tensors, Int, Ints, Float, Floats, String, Strings, SymInt, SymInts, ScalarType,
  MemoryFormat, Layout, Device, Bool, Bools, SymBool, SymBools, Graph, OptionalTensors, CustomObj,
  Operator, SymFloat, SymFloats, OptionalTensor, Complex, NestedTensors, IntLists, StringToArgument,
};
/// The JSON key of a kind: "as_tensor", "as_sym_ints", ...
const char *argKindJsonName(ArgKind kind);

/// `as_sym_int`: the name of a symbolic int defined in the graph (`sym_int_values`), or a constant.
struct SymIntArg {
  bool isName = false;
  std::string name;
  int64_t value = 0;
};
/// `as_sym_bool`: a name in `sym_bool_values`, or a constant.
struct SymBoolArg {
  bool isName = false;
  std::string name;
  bool value = false;
};
/// `as_sym_float`: a name in `sym_float_values`, or a constant.
struct SymFloatArg {
  bool isName = false;
  std::string name;
  double value = 0.0;
};
struct Device {
  std::string type = "cpu"; // "cpu", "cuda", "meta", ...
  std::optional<int64_t> index;
};
struct ComplexValue {
  double real = 0.0;
  double imag = 0.0;
};
/// A TorchBind object. Its payload is a pickle the reader never opens.
struct CustomObjArgument {
  std::string name;
  std::string classFqn;
};

class Argument {
public:
  using OptionalTensorName = std::optional<std::string>; // nullopt = as_none
  using Payload = std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<bool>,
                               std::vector<int64_t>, std::vector<double>, std::vector<std::string>,
                               SymIntArg, std::vector<SymIntArg>, SymBoolArg, std::vector<SymBoolArg>,
                               SymFloatArg, std::vector<SymFloatArg>, Device, ComplexValue,
                               CustomObjArgument, OptionalTensorName, std::vector<OptionalTensorName>,
                               std::vector<std::vector<std::string>>, std::vector<std::vector<int64_t>>,
                               std::shared_ptr<const GraphArgument>,
                               std::shared_ptr<const StringToArgument>>;

  Argument() = default; // as_none

  ArgKind kind() const { return kind_; }
  bool isNone() const { return kind_ == ArgKind::None; }
  /// True for Tensor, Tensors, OptionalTensor, OptionalTensors and NestedTensors.
  bool refersToTensors() const;

  // Accessors; the kinds each accepts are in the comment.
  const std::string &tensorName() const;                       // Tensor
  const std::vector<std::string> &tensorNames() const;         // Tensors
  const OptionalTensorName &optionalTensor() const;            // OptionalTensor
  const std::vector<OptionalTensorName> &optionalTensors() const; // OptionalTensors
  const std::vector<std::vector<std::string>> &nestedTensors() const; // NestedTensors
  int64_t intValue() const;                                    // Int
  const std::vector<int64_t> &ints() const;                    // Ints
  const std::vector<std::vector<int64_t>> &intLists() const;   // IntLists
  double floatValue() const;                                   // Float ("Infinity"/"NaN" decoded)
  const std::vector<double> &floats() const;                   // Floats
  bool boolValue() const;                                      // Bool
  const std::vector<bool> &bools() const;                      // Bools
  const std::string &stringValue() const;                      // String, Operator
  const std::vector<std::string> &strings() const;             // Strings
  const SymIntArg &symInt() const;                             // SymInt
  const std::vector<SymIntArg> &symInts() const;               // SymInts
  const SymBoolArg &symBool() const;                           // SymBool
  const std::vector<SymBoolArg> &symBools() const;             // SymBools
  const SymFloatArg &symFloat() const;                         // SymFloat
  const std::vector<SymFloatArg> &symFloats() const;           // SymFloats
  ScalarType scalarType() const;                               // ScalarType
  MemoryFormat memoryFormat() const;                           // MemoryFormat
  Layout layout() const;                                       // Layout
  const Device &device() const;                                // Device
  const GraphArgument &graph() const;                          // Graph
  const CustomObjArgument &customObj() const;                  // CustomObj
  const std::string &operatorName() const;                     // Operator
  const ComplexValue &complexValue() const;                    // Complex
  const StringToArgument &stringToArgument() const;            // StringToArgument

  /// Every value name this argument refers to (tensors, symbolic scalars, custom objects), in order.
  /// Subgraphs are not entered.
  std::vector<std::string> referencedNames() const;

  /// A short readable form for diagnostics: "tensor %linear", "int 3", "ints [1, 2]", "none".
  std::string toString() const;

  // Construction. `make` does not check that the payload fits the kind: use the named helpers.
  static Argument make(ArgKind kind, Payload payload);
  static Argument none() { return Argument(); }
  static Argument ofTensor(std::string name) { return make(ArgKind::Tensor, std::move(name)); }
  static Argument ofTensors(std::vector<std::string> names) { return make(ArgKind::Tensors, std::move(names)); }
  static Argument ofInt(int64_t v) { return make(ArgKind::Int, v); }
  static Argument ofInts(std::vector<int64_t> v) { return make(ArgKind::Ints, std::move(v)); }
  static Argument ofFloat(double v) { return make(ArgKind::Float, v); }
  static Argument ofFloats(std::vector<double> v) { return make(ArgKind::Floats, std::move(v)); }
  static Argument ofBool(bool v) { return make(ArgKind::Bool, v); }
  static Argument ofBools(std::vector<bool> v) { return make(ArgKind::Bools, std::move(v)); }
  static Argument ofString(std::string v) { return make(ArgKind::String, std::move(v)); }
  static Argument ofStrings(std::vector<std::string> v) { return make(ArgKind::Strings, std::move(v)); }
  static Argument ofScalarType(ScalarType t) { return make(ArgKind::ScalarType, int64_t(t)); }
  static Argument ofMemoryFormat(MemoryFormat f) { return make(ArgKind::MemoryFormat, int64_t(f)); }
  static Argument ofLayout(Layout l) { return make(ArgKind::Layout, int64_t(l)); }
  static Argument ofDevice(Device d) { return make(ArgKind::Device, std::move(d)); }

  const Payload &payload() const { return payload_; }

  friend bool operator==(const Argument &a, const Argument &b);
  friend bool operator!=(const Argument &a, const Argument &b) { return !(a == b); }

private:
  ArgKind kind_ = ArgKind::None;
  Payload payload_;
};

/// `as_string_to_argument`: a string -> Argument map, sorted by key.
struct StringToArgument {
  std::vector<std::pair<std::string, Argument>> entries;
};

} // namespace thunder::pt2

#endif // THUNDER_PT2_ARGUMENT_H
