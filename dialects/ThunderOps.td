//===- ThunderOps.td - thunder dialect operations ---------*- tablegen -*-===//
//
// Op families: creation, elementwise (unary, binary, compare, select, convert),
// reductions and scans, data movement, indexing, linear algebra, convolution
// and pooling, attention. docs/dialect.md explains the conventions; every op
// has a round-trip test in test/lit/Dialect/Thunder.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_OPS_TD
#define THUNDER_OPS_TD

include "ThunderBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"

//===----------------------------------------------------------------------===//
// Creation
//===----------------------------------------------------------------------===//

def Thunder_ConstantOp : Thunder_Op<"constant", [Pure, ConstantLike,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant tensor";
  let description = [{
    ```mlir
    %0 = thunder.constant dense<1.0> : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Thunder_FullOp : Thunder_Op<"full", [Pure]> {
  let summary = "a tensor filled with one value, of a possibly dynamic shape";
  let description = [{
    `sizes` gives the extent of each dynamic dimension of the result, in order.
    ```mlir
    %0 = thunder.full %n {value = 0.0 : f32} : tensor<?x4xf32>
    ```
  }];
  let arguments = (ins Variadic<Index>:$sizes, TypedAttrInterface:$value);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "($sizes^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Thunder_IotaOp : Thunder_Op<"iota", [Pure]> {
  let summary = "the index along one dimension, as a tensor";
  let description = [{
    `result[i0, ..., in] = i_dim` converted to the element type.
    ```mlir
    %0 = thunder.iota {dim = 0 : i64} : tensor<5xi64>
    ```
  }];
  let arguments = (ins Variadic<Index>:$sizes, I64Attr:$dim);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "($sizes^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Thunder_UnaryOp<string mnemonic, Type T, list<Trait> traits = []>
    : Thunder_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
        SameOperandsAndResultType])> {
  let summary = "elementwise " # mnemonic;
  let arguments = (ins T:$operand);
  let results = (outs T:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
}

// Floating-point functions.
foreach name = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
                "sqrt", "rsqrt", "sin", "cos", "tan", "asin", "acos", "atan",
                "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf",
                "erfinv", "sigmoid", "floor", "ceil", "round", "trunc",
                "reciprocal"] in
  def Thunder_ # !toupper(!substr(name, 0, 1)) # !substr(name, 1) # Op
      : Thunder_UnaryOp<name, Thunder_FloatTensor>;

// Defined on every numeric type.
def Thunder_NegOp : Thunder_UnaryOp<"neg", Thunder_Tensor>;
def Thunder_AbsOp : Thunder_UnaryOp<"abs", Thunder_Tensor>;
def Thunder_SignOp : Thunder_UnaryOp<"sign", Thunder_Tensor>;
// Bitwise not on integers, logical not on i1.
def Thunder_NotOp : Thunder_UnaryOp<"not", Thunder_IntTensor>;

class Thunder_BinaryOp<string mnemonic, Type T, list<Trait> traits = []>
    : Thunder_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
        SameOperandsAndResultType])> {
  let summary = "elementwise " # mnemonic;
  let arguments = (ins T:$lhs, T:$rhs);
  let results = (outs T:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Thunder_AddOp : Thunder_BinaryOp<"add", Thunder_Tensor, [Commutative]>;
def Thunder_SubOp : Thunder_BinaryOp<"sub", Thunder_Tensor>;
def Thunder_MulOp : Thunder_BinaryOp<"mul", Thunder_Tensor, [Commutative]>;
// True division on floats; C (truncating) division on integers.
def Thunder_DivOp : Thunder_BinaryOp<"div", Thunder_Tensor>;
// Division rounding towards negative infinity (torch floor_divide, `//`).
def Thunder_FloorDivOp : Thunder_BinaryOp<"floor_div", Thunder_Tensor>;
// Remainder with the sign of the divisor (torch.remainder, Python `%`).
def Thunder_RemainderOp : Thunder_BinaryOp<"remainder", Thunder_Tensor>;
// Remainder with the sign of the dividend (torch.fmod, C fmod).
def Thunder_FmodOp : Thunder_BinaryOp<"fmod", Thunder_Tensor>;
def Thunder_PowOp : Thunder_BinaryOp<"pow", Thunder_Tensor>;
// NaN-propagating maximum and minimum, as torch.maximum/minimum.
def Thunder_MaxOp : Thunder_BinaryOp<"max", Thunder_Tensor, [Commutative]>;
def Thunder_MinOp : Thunder_BinaryOp<"min", Thunder_Tensor, [Commutative]>;
def Thunder_Atan2Op : Thunder_BinaryOp<"atan2", Thunder_FloatTensor>;
// Bitwise on integers, logical on i1.
def Thunder_AndOp : Thunder_BinaryOp<"and", Thunder_IntTensor, [Commutative]>;
def Thunder_OrOp : Thunder_BinaryOp<"or", Thunder_IntTensor, [Commutative]>;
def Thunder_XorOp : Thunder_BinaryOp<"xor", Thunder_IntTensor, [Commutative]>;
def Thunder_ShiftLeftOp : Thunder_BinaryOp<"shl", Thunder_IntTensor>;
// Arithmetic shift right.
def Thunder_ShiftRightOp : Thunder_BinaryOp<"shr", Thunder_IntTensor>;

def Thunder_CompareOp : Thunder_Op<"compare", [Pure, Elementwise,
    SameTypeOperands, SameOperandsAndResultShape,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "elementwise comparison, giving an i1 tensor";
  let description = [{
    ```mlir
    %0 = thunder.compare lt, %a, %b : tensor<4xf32>
    ```
  }];
  let arguments = (ins Thunder_CompareDirectionAttr:$direction,
                       Thunder_Tensor:$lhs, Thunder_Tensor:$rhs);
  let results = (outs Thunder_BoolTensor:$result);
  let assemblyFormat = "$direction `,` $lhs `,` $rhs attr-dict `:` type($lhs)";
}

def Thunder_SelectOp : Thunder_Op<"select", [Pure, Elementwise,
    AllTypesMatch<["on_true", "on_false", "result"]>,
    AllShapesMatch<["condition", "on_true"]>]> {
  let summary = "elementwise choice between two tensors (torch.where)";
  let arguments = (ins Thunder_BoolTensor:$condition, Thunder_Tensor:$on_true,
                       Thunder_Tensor:$on_false);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` type($condition) `,` type($result)
  }];
}

def Thunder_ConvertOp : Thunder_Op<"convert", [Pure, Elementwise,
    SameOperandsAndResultShape]> {
  let summary = "element type conversion with PyTorch's rules";
  let description = [{
    Float to integer truncates towards zero; anything to i1 is `!= 0`; i1 to
    a number is 0 or 1; integer widening is signed.
  }];
  let arguments = (ins Thunder_Tensor:$operand);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasFolder = 1;
}

def Thunder_BitcastOp : Thunder_Op<"bitcast", [Pure, Elementwise,
    SameOperandsAndResultShape]> {
  let summary = "reinterprets each element's bits as another type of the same width";
  let description = [{
    `arith.bitcast` per element (ONNX BitCast, torch.Tensor.view(dtype) of equal
    widths): f32 <-> i32, f64 <-> i64, i16 <-> f16, ...; i1 is refused.
  }];
  let arguments = (ins Thunder_Tensor:$operand);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and scans
//===----------------------------------------------------------------------===//

class Thunder_ReduceOp<string mnemonic, Type T>
    : Thunder_Op<mnemonic, [Pure]> {
  let summary = "reduction over `dims` (" # mnemonic # ")";
  let description = [{
    Reduces the dimensions listed in `dims` (sorted, unique); with `keepdim`
    they stay as extent 1, else they are dropped.
  }];
  let arguments = (ins T:$operand, DenseI64ArrayAttr:$dims,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs T:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

def Thunder_ReduceSumOp : Thunder_ReduceOp<"reduce_sum", Thunder_Tensor>;
def Thunder_ReduceProdOp : Thunder_ReduceOp<"reduce_prod", Thunder_Tensor>;
def Thunder_ReduceMaxOp : Thunder_ReduceOp<"reduce_max", Thunder_Tensor>;
def Thunder_ReduceMinOp : Thunder_ReduceOp<"reduce_min", Thunder_Tensor>;
// On i1: any / all.
def Thunder_ReduceOrOp : Thunder_ReduceOp<"reduce_or", Thunder_IntTensor>;
def Thunder_ReduceAndOp : Thunder_ReduceOp<"reduce_and", Thunder_IntTensor>;

class Thunder_ArgReduceOp<string mnemonic> : Thunder_Op<mnemonic, [Pure]> {
  let summary = "index of the first extreme value along `dim` (" # mnemonic # ")";
  let arguments = (ins Thunder_Tensor:$operand, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdim);
  let results = (outs Thunder_IndexTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}
def Thunder_ArgMaxOp : Thunder_ArgReduceOp<"argmax">;
def Thunder_ArgMinOp : Thunder_ArgReduceOp<"argmin">;

class Thunder_ScanOp<string mnemonic> : Thunder_Op<mnemonic, [Pure,
    SameOperandsAndResultType]> {
  let summary = "inclusive scan along `dim` (" # mnemonic # ")";
  let arguments = (ins Thunder_Tensor:$operand, I64Attr:$dim);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
  let hasVerifier = 1;
}
def Thunder_CumSumOp : Thunder_ScanOp<"cumsum">;
def Thunder_CumProdOp : Thunder_ScanOp<"cumprod">;
def Thunder_CumMaxOp : Thunder_ScanOp<"cummax">;
def Thunder_CumMinOp : Thunder_ScanOp<"cummin">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Thunder_ReshapeOp : Thunder_Op<"reshape", [Pure]> {
  let summary = "the same elements in row-major order, in a new shape";
  let description = [{
    `sizes` gives the extents of the dynamic dimensions of the result.
    ```mlir
    %1 = thunder.reshape %0 : tensor<2x3xf32> -> tensor<6xf32>
    %3 = thunder.reshape %2, %n : tensor<?x3xf32> -> tensor<?xf32>
    ```
  }];
  let arguments = (ins Thunder_Tensor:$operand, Variadic<Index>:$sizes);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $operand (`,` $sizes^)? attr-dict `:` type($operand) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Thunder_PermuteOp : Thunder_Op<"permute", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "dimension permutation: result dim i is operand dim perm[i]";
  let arguments = (ins Thunder_Tensor:$operand, DenseI64ArrayAttr:$perm);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Thunder_BroadcastInDimOp : Thunder_Op<"broadcast_in_dim", [Pure]> {
  let summary = "broadcast: operand dim i becomes result dim dims[i]";
  let description = [{
    Each operand dimension has extent 1 or the extent of its result dimension.
    `sizes` gives the extents of the dynamic dimensions of the result.
    ```mlir
    %1 = thunder.broadcast_in_dim %0 {dims = array<i64: 1>} : tensor<3xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Thunder_Tensor:$operand, Variadic<Index>:$sizes,
                       DenseI64ArrayAttr:$dims);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $operand (`,` $sizes^)? attr-dict `:` type($operand) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Thunder_SliceOp : Thunder_Op<"slice", [Pure]> {
  let summary = "a strided slice [start, limit) with step, per dimension";
  let description = [{
    Static starts, limits and steps (steps > 0). A limit past the end (as
    PyTorch's `9223372036854775807`) is clamped to the extent, which makes
    slicing a dynamic dimension whole possible.
  }];
  let arguments = (ins Thunder_Tensor:$operand, DenseI64ArrayAttr:$start,
                       DenseI64ArrayAttr:$limit, DenseI64ArrayAttr:$step);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Thunder_ConcatOp : Thunder_Op<"concat", [Pure, SameOperandsElementType]> {
  let summary = "concatenation along `dim`";
  let arguments = (ins Variadic<Thunder_Tensor>:$inputs, I64Attr:$dim);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, $result)";
  let hasVerifier = 1;
}

def Thunder_PadOp : Thunder_Op<"pad", [Pure]> {
  let summary = "constant padding, low and high per dimension";
  let description = [{
    Pads with the scalar `padding_value` (a rank-0 tensor of the element
    type). Negative amounts remove elements.
  }];
  let arguments = (ins Thunder_Tensor:$operand, Thunder_Tensor:$padding_value,
                       DenseI64ArrayAttr:$low, DenseI64ArrayAttr:$high);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $operand `,` $padding_value attr-dict `:` type($operand) `,` type($padding_value) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Thunder_ReverseOp : Thunder_Op<"reverse", [Pure, SameOperandsAndResultType]> {
  let summary = "reverse the order of elements along `dims` (torch.flip)";
  let arguments = (ins Thunder_Tensor:$operand, DenseI64ArrayAttr:$dims);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

def Thunder_GatherOp : Thunder_Op<"gather", [Pure]> {
  let summary = "torch.gather: result[i][j] = operand[i][index[i][j]] along `dim`";
  let arguments = (ins Thunder_Tensor:$operand, Thunder_IndexTensor:$index,
                       I64Attr:$dim);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $operand `[` $index `]` attr-dict `:` type($operand) `,` type($index) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Thunder_IndexSelectOp : Thunder_Op<"index_select", [Pure]> {
  let summary = "select entries of `dim` by a 1-D index tensor";
  let arguments = (ins Thunder_Tensor:$operand, Thunder_IndexTensor:$index,
                       I64Attr:$dim);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $operand `[` $index `]` attr-dict `:` type($operand) `,` type($index) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Thunder_IndexOp : Thunder_Op<"index", [Pure]> {
  let summary = "advanced indexing of consecutive dimensions";
  let description = [{
    The k index tensors (one shape B) index operand dimensions
    `start_dim .. start_dim+k-1`; the result has shape
    `operand[:start_dim] + B + operand[start_dim+k:]`. Negative indices count
    from the end.
  }];
  let arguments = (ins Thunder_Tensor:$operand,
                       Variadic<Thunder_IndexTensor>:$indices, I64Attr:$start_dim);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $operand `[` $indices `]` attr-dict `:` type($operand) `,` type($indices) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Thunder_IndexPutOp : Thunder_Op<"index_put", [Pure]> {
  let summary = "write (or accumulate) values at advanced-index positions";
  let description = [{
    The inverse of `thunder.index` with the same index convention: `values`
    has the shape of the corresponding `thunder.index` result. With
    `accumulate`, repeated positions add up.
  }];
  let arguments = (ins Thunder_Tensor:$operand,
                       Variadic<Thunder_IndexTensor>:$indices,
                       Thunder_Tensor:$values, I64Attr:$start_dim,
                       DefaultValuedAttr<BoolAttr, "false">:$accumulate);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $operand `[` $indices `]` `,` $values attr-dict `:` type($operand) `,` `(` type($indices) `)` `,` type($values) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Thunder_ScatterOp : Thunder_Op<"scatter", [Pure]> {
  let summary = "torch.scatter / scatter_add along `dim`";
  let description = [{
    `result = operand`, then for every position p of `index`:
    `result[p with p[dim] = index[p]] = src[p]` (or `+=` with `accumulate`).
  }];
  let arguments = (ins Thunder_Tensor:$operand, Thunder_IndexTensor:$index,
                       Thunder_Tensor:$src, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$accumulate);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $operand `[` $index `]` `,` $src attr-dict `:` type($operand) `,` type($index) `,` type($src) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Thunder_SortOp : Thunder_Op<"sort", [Pure]> {
  let summary = "stable sort along `dim`, giving values and indices";
  let arguments = (ins Thunder_Tensor:$operand, I64Attr:$dim,
                       DefaultValuedAttr<BoolAttr, "false">:$descending);
  let results = (outs Thunder_Tensor:$values, Thunder_IndexTensor:$indices);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` type($values) `,` type($indices)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra, convolution, pooling, attention
//===----------------------------------------------------------------------===//

def Thunder_MatmulOp : Thunder_Op<"matmul", [Pure, SameOperandsElementType]> {
  let summary = "batched matrix product [..., M, K] x [..., K, N] -> [..., M, N]";
  let description = [{
    Both operands have rank >= 2 and the same batch dimensions (the importer
    broadcasts them first). The result has the operands' element type, or f32
    for f16/bf16 operands: the float32 accumulator returned as it is (mixed
    precision, as a tensor-core GEMM produces it; the attention decomposition
    uses it for the scores).
  }];
  let arguments = (ins Thunder_Tensor:$lhs, Thunder_Tensor:$rhs);
  let results = (outs Thunder_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Thunder_ConvolutionOp : Thunder_Op<"convolution", [Pure, SameOperandsElementType]> {
  let summary = "N-d grouped convolution (cross-correlation), NC... layout";
  let description = [{
    input `[N, C, *S]`, weight `[O, C/groups, *K]`, result `[N, O, *S']`.
    `lhs_dilation` inserts `d-1` zeros between input elements (it expresses
    transposed convolution); `padding_low/high` pad the (dilated) input;
    `stride` and `dilation` apply to the window. Bias is a separate add.
  }];
  let arguments = (ins Thunder_FloatTensor:$input, Thunder_FloatTensor:$weight,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding_low,
                       DenseI64ArrayAttr:$padding_high, DenseI64ArrayAttr:$dilation,
                       DenseI64ArrayAttr:$lhs_dilation, I64Attr:$groups);
  let results = (outs Thunder_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight) `->` type($result)
  }];
  let hasVerifier = 1;
}

class Thunder_PoolOp<string mnemonic, string what> : Thunder_Op<mnemonic, [Pure,
    SameOperandsElementType]> {
  let summary = what # " over windows of the trailing spatial dimensions";
  let description = [{
    The last `kernel.size()` dimensions are pooled. `padding_low/high` pad the
    input (with -inf for max; excluded from the count of an average unless
    `count_include_pad`; PyTorch's ceil_mode is extra high padding).
  }];
  let results = (outs Thunder_FloatTensor:$result);
  let hasVerifier = 1;
}

def Thunder_MaxPoolOp : Thunder_PoolOp<"max_pool", "maximum"> {
  let arguments = (ins Thunder_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding_low,
                       DenseI64ArrayAttr:$padding_high, DenseI64ArrayAttr:$dilation);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Thunder_AvgPoolOp : Thunder_PoolOp<"avg_pool", "average"> {
  let arguments = (ins Thunder_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding_low,
                       DenseI64ArrayAttr:$padding_high,
                       // Padding that counts in the divisor (PyTorch's
                       // count_include_pad covers the user's padding but never
                       // the extra padding of ceil_mode).
                       DenseI64ArrayAttr:$counted_padding_low,
                       DenseI64ArrayAttr:$counted_padding_high,
                       OptionalAttr<I64Attr>:$divisor_override);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Thunder_MaxPoolBackwardOp : Thunder_PoolOp<"max_pool_backward",
    "gradient of a maximum"> {
  let description = [{
    Routes each element of `grad_output` to the first position of the maximum
    of its window in `input` (attributes as `thunder.max_pool`); the result has
    the shape of `input`.
  }];
  let arguments = (ins Thunder_FloatTensor:$grad_output, Thunder_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding_low, DenseI64ArrayAttr:$padding_high,
                       DenseI64ArrayAttr:$dilation);
  let assemblyFormat = [{
    $grad_output `,` $input attr-dict `:` type($grad_output) `,` type($input) `->` type($result)
  }];
}

def Thunder_AttentionOp : Thunder_Op<"attention", [Pure]> {
  let summary = "scaled dot-product attention (kept whole for fused kernels)";
  let description = [{
    softmax(q @ k^T * scale + mask) @ v over `[..., L, E]` queries, `[..., S, E]`
    keys and `[..., S, Ev]` values (same batch dimensions). `mask` is optional:
    additive (float) or boolean (true = attend). With `is_causal`, position i
    attends to j <= i. `thunder-decompose` expands it for targets without a
    fused kernel.
  }];
  let arguments = (ins Thunder_FloatTensor:$query, Thunder_FloatTensor:$key,
                       Thunder_FloatTensor:$value, Optional<Thunder_Tensor>:$mask,
                       F64Attr:$scale, DefaultValuedAttr<BoolAttr, "false">:$is_causal);
  let results = (outs Thunder_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^ `:` type($mask))? attr-dict `:` type($query) `,` type($key) `,` type($value) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Thunder_AttentionGradOp : Thunder_Op<"attention_grad", [Pure]> {
  let summary = "the gradients of thunder.attention w.r.t. query, key and value";
  let description = [{
    For `thunder.attention` with the same operands and attributes, and
    `grad_output` the gradient of its result: `(dq, dk, dv)`, typed like
    query, key and value. What the VJP rule of `thunder.attention` emits when
    the mask (if any) needs no gradient; `thunder-decompose` expands it into
    the recompute formula (P = softmax(...), dV = P^T dO, dS = P * (dP -
    rowsum(dP * P)), dQ = dS K scale, dK = dS^T Q scale), the CUDA target
    calls its fused backward kernel instead.
  }];
  let arguments = (ins Thunder_FloatTensor:$query, Thunder_FloatTensor:$key,
                       Thunder_FloatTensor:$value, Optional<Thunder_Tensor>:$mask,
                       Thunder_FloatTensor:$grad_output,
                       F64Attr:$scale, DefaultValuedAttr<BoolAttr, "false">:$is_causal);
  let results = (outs Thunder_FloatTensor:$grad_query, Thunder_FloatTensor:$grad_key,
                      Thunder_FloatTensor:$grad_value);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^ `:` type($mask))? `grad` $grad_output attr-dict `:` type($query) `,` type($key) `,` type($value) `,` type($grad_output) `->` type(results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused kernels of a target (destination style, on tensors or buffers)
//===----------------------------------------------------------------------===//

def Thunder_TensorOrBuffer : AnyTypeOf<[AnyRankedTensor, AnyMemRef]>;

class Thunder_FusedAttentionBase<string mnemonic, string what> : Thunder_Op<mnemonic, [
    AttrSizedOperandSegments, DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = what;
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getOutputsMutable(); }
  }];
  let hasVerifier = 1;
}

def Thunder_FusedAttentionOp : Thunder_FusedAttentionBase<"fused_attention",
    "scaled dot-product attention as one fused kernel (destination style)"> {
  let description = [{
    `outputs[0] = softmax(q @ k^T * scale + mask) @ v` over rank-4 operands:
    query `[B, H, L, E]`, key and value `[B, Hkv, S, E]` where Hkv divides H
    (query head h reads KV head h / (H / Hkv): grouped-query attention
    without repeated keys), output `[B, H, L, E]`. `mask` (optional,
    broadcastable to `[B, H, L, S]`): additive float or boolean (true =
    attend). With `is_causal`, position i attends to j <= i. On tensors it
    has one result tied to the output; on buffers none. The CUDA target
    creates it from `thunder.attention` (thunder-cuda-fuse-attention) and
    calls `thunder_cuda_attention_fwd` for it after bufferization.
    ```mlir
    %o = thunder.fused_attention ins(%q, %k, %v : tensor<2x8x64x64xbf16>, tensor<2x2x64x64xbf16>, tensor<2x2x64x64xbf16>)
           outs(%init : tensor<2x8x64x64xbf16>) {is_causal = true, scale = 1.250000e-01 : f64} -> tensor<2x8x64x64xbf16>
    ```
  }];
  let arguments = (ins Thunder_TensorOrBuffer:$query, Thunder_TensorOrBuffer:$key,
                       Thunder_TensorOrBuffer:$value, Optional<Thunder_TensorOrBuffer>:$mask,
                       Variadic<Thunder_TensorOrBuffer>:$outputs,
                       F64Attr:$scale, DefaultValuedAttr<BoolAttr, "false">:$is_causal);
  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value (`mask` $mask^)? `:` type($query) `,` type($key) `,` type($value) (`,` type($mask)^)? `)`
    `outs` `(` $outputs `:` type($outputs) `)` attr-dict (`->` type($results)^)?
  }];
}

def Thunder_FusedAttentionGradOp : Thunder_FusedAttentionBase<"fused_attention_grad",
    "the gradients of scaled dot-product attention as one fused kernel (destination style)"> {
  let description = [{
    `outputs = (dq, dk, dv)`, the gradients of `thunder.fused_attention` with
    the same operands and attributes for the output gradient `grad_output`
    (`[B, H, L, E]`); dq is typed like query, dk and dv like key and value
    (with GQA, dk and dv sum over the query heads of a KV head). The CUDA
    target calls `thunder_cuda_attention_bwd` for it.
  }];
  let arguments = (ins Thunder_TensorOrBuffer:$query, Thunder_TensorOrBuffer:$key,
                       Thunder_TensorOrBuffer:$value, Optional<Thunder_TensorOrBuffer>:$mask,
                       Thunder_TensorOrBuffer:$grad_output,
                       Variadic<Thunder_TensorOrBuffer>:$outputs,
                       F64Attr:$scale, DefaultValuedAttr<BoolAttr, "false">:$is_causal);
  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value (`mask` $mask^)? `grad` $grad_output `:` type($query) `,` type($key) `,` type($value) (`,` type($mask)^)? `,` type($grad_output) `)`
    `outs` `(` $outputs `:` type($outputs) `)` attr-dict (`->` type($results)^)?
  }];
}

//===----------------------------------------------------------------------===//
// User operators (torch.library; docs/custom-ops.md)
//===----------------------------------------------------------------------===//

def Thunder_CustomCallOp : Thunder_Op<"custom_call", [
    AttrSizedOperandSegments, DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "a call of a user operator's C function (thunder_custom_op_fn)";
  let description = [{
    Calls `callee` (`thunder_custom_NS_NAME`, or its `_backward`, a
    `thunder_custom_op_fn` of thunder.h that `thunderc --link` provides) with
    `inputs` as DLTensors and `scalars` (i64, f64 or bool attributes) as
    `thunder_scalar`s, in order. `op_name` is the user's `NS::NAME`, for
    messages. Two forms:
    - on tensors (the importer's, value semantics): `results` are new tensors
      of the archive's shapes; `sizes` gives the extent of each dynamic
      dimension of the results, in order (like `thunder.full`);
    - on buffers (after bufferization): the results are written into
      `outputs`, and there are no sizes and no results.
    After bufferization `thunder-custom-calls` makes it a call of the
    runtime's `thunder_custom_call` (compiler_abi.h), which builds the
    DLTensors on the model's device and passes the call's stream.
    ```mlir
    %y:2 = thunder.custom_call @thunder_custom_mylib_mix(%a, %b) sizes(%n)
             {op_name = "mylib::mix", scalars = [3, 5.000000e-01 : f64, true]}
             : (tensor<?x8xf32>, tensor<8xf32>) -> (tensor<?x8xf32>, tensor<8xf32>)
    thunder.custom_call @thunder_custom_mylib_mix(%a, %b) outs(%o0, %o1 : memref<4x8xf32>, memref<8xf32>)
             {op_name = "mylib::mix"} : (memref<4x8xf32>, memref<8xf32>) -> ()
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, StrAttr:$op_name,
                       Variadic<Thunder_TensorOrBuffer>:$inputs, Variadic<Index>:$sizes,
                       Variadic<AnyMemRef>:$outputs,
                       DefaultValuedAttr<ArrayAttr, "{}">:$scalars);
  let results = (outs Variadic<Thunder_Tensor>:$results);
  let assemblyFormat = [{
    $callee `(` $inputs `)` (`sizes` `(` $sizes^ `)`)? (`outs` `(` $outputs^ `:` type($outputs) `)`)?
    attr-dict `:` functional-type($inputs, $results)
  }];
  let extraClassDeclaration = [{
    /// Whether this is the form on buffers.
    bool onBuffers() { return getNumResults() == 0 && !getOutputs().empty(); }
  }];
  let hasVerifier = 1;
}

#endif // THUNDER_OPS_TD
