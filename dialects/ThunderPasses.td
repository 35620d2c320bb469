//===- ThunderPasses.td - thunder transforms and conversions -*- tablegen -*-===//
//
// The passes that take the thunder dialect down to linalg/tensor/arith/math on
// tensors. docs/lowering.md describes each; every pass has lit tests under
// test/lit/Transforms and test/lit/Conversion. Generated into
// build/include/thunder/Transforms/Passes.h.inc (`-name Thunder`).
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_PASSES_TD
#define THUNDER_PASSES_TD

include "mlir/Pass/PassBase.td"

def ThunderDecompose : Pass<"thunder-decompose"> {
  let summary = "Expand composite thunder ops into primitive thunder ops";
  let description = [{
    Rewrites `thunder.attention` as `softmax(q @ k^T * scale + mask) @ v`
    with thunder primitives: `permute` of the key, `matmul`, a scale `mul`,
    the mask (boolean: `select` with -inf; float: `add`), the causal mask
    (`iota`/`compare`/`select`), a max-subtracted softmax whose fully masked
    rows are 0 (PyTorch's `_safe_softmax`), and a second `matmul`. f16/bf16
    attention is computed in f32 and rounded once at the end.

    With `keep-attention`, `thunder.attention` is left whole for targets
    that call a fused kernel.
  }];
  let options = [
    Option<"keepAttention", "keep-attention", "bool", /*default=*/"false",
           "Leave thunder.attention whole (the target has a fused kernel)">,
  ];
  let dependentDialects = ["::thunder::ThunderDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertThunderToLinalg : Pass<"convert-thunder-to-linalg"> {
  let summary = "Lower thunder ops to linalg, tensor, arith, math and scf";
  let description = [{
    Every thunder op becomes linalg named ops or `linalg.generic` on tensors,
    `tensor` shape ops, and `arith`/`math` scalar code (`scf.for` for the
    scatters `index_put` and `scatter`). The result bufferizes with
    one-shot-bufferize. Dynamic dimensions are read with `tensor.dim` or
    taken from the size operands of the thunder op. f16/bf16 reductions,
    matmuls, convolutions and average pools accumulate in f32.

    `thunder.attention` must be decomposed first (`thunder-decompose`);
    with `keep-attention` it stays legal and is left for the target.
  }];
  let options = [
    Option<"keepAttention", "keep-attention", "bool", /*default=*/"false",
           "Leave thunder.attention in the output (for a fused kernel)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def ThunderFuseElementwise : Pass<"thunder-fuse-elementwise"> {
  let summary = "Elementwise linalg fusion that also duplicates cheap producers";
  let description = [{
    Producer/consumer fusion of `linalg.generic` ops on tensors, as upstream
    `linalg-fuse-elementwise-ops` (with its reshape propagation and
    canonicalizations), but a producer is fused not only into its single use:
    one whose body is cheap (no `math` op, at most `max-duplicated-ops` other
    payload ops, only parallel loops) is fused into every consumer, so a
    splat, a broadcast or a scale-and-mask used twice is recomputed in
    registers instead of written to memory and read back. In a real-width
    attention those were 400 MB tensors each (attention's -inf splat and
    row-max broadcast, B x H x L x S f32). Eight ops cover a LayerNorm's
    input when it is a bias + residual add that both statistics and the
    normalisation read (recomputed from three bf16 tensors instead of one f32
    tensor written and read twice). Consumers of a keepdim reduction read it
    without its unit dimensions, so that what feeds a second reduction
    (LayerNorm's (x - mean)^2) fuses into it; powf by a small integer
    becomes multiplications.
  }];
  let options = [
    Option<"maxDuplicatedOps", "max-duplicated-ops", "unsigned", /*default=*/"8",
           "Payload ops a producer with several uses may have and still be fused">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

def ThunderAutocast : Pass<"thunder-autocast"> {
  let summary = "Matrix products, convolutions and attention in bf16/f16 (torch.autocast)";
  let description = [{
    What `torch.autocast(device, dtype)` does to a float32 program, applied to
    the imported forward before autodiff: every float32 `thunder.matmul`,
    `thunder.convolution` and `thunder.attention` reads its operands rounded
    to `dtype` (tensor cores). A matrix product returns its float32
    accumulator (a widened `thunder.matmul`), a convolution and an attention
    their `dtype` result widened back to float32; everything else (norms,
    softmax, reductions, losses, parameters, gradients) stays float32. Autodiff
    then differentiates through the conversions: parameter gradients are
    float32, the products' gradients run in `dtype` as under autocast.
  }];
  let options = [
    Option<"dtype", "dtype", "std::string", /*default=*/"\"bf16\"",
           "bf16 or f16">,
  ];
  let dependentDialects = ["::thunder::ThunderDialect"];
}

#endif // THUNDER_PASSES_TD
