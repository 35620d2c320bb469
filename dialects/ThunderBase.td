//===- ThunderBase.td - the thunder tensor dialect --------*- tablegen -*-===//
//
// The `thunder` dialect: ATen-level tensor ops with value semantics on builtin
// ranked tensor types. The importer maps every PyTorch operator onto these ops
// (composite ATen ops become short sequences of them), autodiff differentiates
// them, and the lowering turns them into linalg/tensor/arith/math.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_BASE_TD
#define THUNDER_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Thunder_Dialect : Dialect {
  let name = "thunder";
  let summary = "ATen-level tensor operations with value semantics";
  let description = [{
    Ops on builtin ranked tensors (f64, f32, f16, bf16, signless integers, i1
    for bool; dynamic dimensions allowed). Elementwise ops take operands of one
    shape: broadcasting and type promotion are explicit (`broadcast_in_dim`,
    `convert`), so every op has one meaning. Ops whose result has dynamic
    dimensions take the sizes of those dimensions as `index` operands, in the
    style of `tensor.empty`.
  }];
  let cppNamespace = "::thunder";
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class Thunder_Op<string mnemonic, list<Trait> traits = []>
    : Op<Thunder_Dialect, mnemonic, traits>;

def Thunder_CompareDirection : I32EnumAttr<"CompareDirection",
    "comparison of two tensors", [
      I32EnumAttrCase<"EQ", 0, "eq">, I32EnumAttrCase<"NE", 1, "ne">,
      I32EnumAttrCase<"LT", 2, "lt">, I32EnumAttrCase<"LE", 3, "le">,
      I32EnumAttrCase<"GT", 4, "gt">, I32EnumAttrCase<"GE", 5, "ge">]> {
  let cppNamespace = "::thunder";
  let genSpecializedAttr = 0;
}
def Thunder_CompareDirectionAttr
    : EnumAttr<Thunder_Dialect, Thunder_CompareDirection, "direction">;

// Tensors the dialect accepts.
def Thunder_ElementType : AnyTypeOf<[AnyFloat, AnySignlessInteger]>;
def Thunder_Tensor : RankedTensorOf<[Thunder_ElementType]>;
def Thunder_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Thunder_IntTensor : RankedTensorOf<[AnySignlessInteger]>;
def Thunder_IndexTensor : RankedTensorOf<[I32, I64]>;
def Thunder_BoolTensor : RankedTensorOf<[I1]>;

#endif // THUNDER_BASE_TD
