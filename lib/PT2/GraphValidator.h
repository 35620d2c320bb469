//===- GraphValidator.h - Def-before-use and signature checks -------*- C++ -*-===//
#ifndef THUNDER_PT2_LIB_GRAPHVALIDATOR_H
#define THUNDER_PT2_LIB_GRAPHVALIDATOR_H

#include "thunder/PT2/ExportedProgram.h"

#include <optional>
#include <string>

namespace thunder::pt2 {

/// Checks one graph and its subgraphs: each value name defined once (graph input or node output),
/// defined before any node uses it, graph outputs defined, every tensor with a TensorMeta. Returns the
/// first problem, naming the node, or nullopt.
std::optional<std::string> validateGraph(const Graph &graph, const std::string &where);

/// validateGraph on the top graph, plus: one input spec per graph input and one output spec per graph
/// output, naming the same values.
std::optional<std::string> validateProgram(const ExportedProgram &program);

} // namespace thunder::pt2

#endif // THUNDER_PT2_LIB_GRAPHVALIDATOR_H
