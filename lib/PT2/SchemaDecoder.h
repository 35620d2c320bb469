//===- SchemaDecoder.h - export_schema.yaml structs from JSON --------*- C++ -*-===//
//
// Decoders from nlohmann::json to the public structs, one per schema type. They throw json::DecodeError
// (see JsonAccess.h); parseExportedProgram and the archive reader turn it into an Error.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PT2_LIB_SCHEMADECODER_H
#define THUNDER_PT2_LIB_SCHEMADECODER_H

#include "JsonAccess.h"

#include "thunder/PT2/ExportedProgram.h"
#include "thunder/PT2/Limits.h"

namespace thunder::pt2::json {

ScalarType decodeScalarType(const Json &j);
Device decodeDevice(const Json &j);
Argument decodeArgument(const Json &j, const ReadLimits &limits);
SymInt decodeSymInt(const Json &j, const ReadLimits &limits);
SymBool decodeSymBool(const Json &j, const ReadLimits &limits);
SymFloat decodeSymFloat(const Json &j, const ReadLimits &limits);
TensorMeta decodeTensorMeta(const Json &j, const ReadLimits &limits);
Node decodeNode(const Json &j, const ReadLimits &limits);
Graph decodeGraph(const Json &j, const ReadLimits &limits);
GraphSignature decodeSignature(const Json &j, const ReadLimits &limits);
ExportedProgram decodeExportedProgram(const Json &j, const ReadLimits &limits);

} // namespace thunder::pt2::json

#endif // THUNDER_PT2_LIB_SCHEMADECODER_H
