//===- Passes.td - the CUDA target's passes ----------------------*- tablegen -*-===//
//
// The passes between linalg (on tensors, then on memrefs after the shared
// bufferization) and the LLVM dialect with kernels in `gpu.binary` ops. Each
// is runnable alone from thunder-opt; tests in test/lit/CUDA. docs/cuda.md
// shows where each runs in `thunder-cuda-lowering`.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_CUDA_PASSES_TD
#define THUNDER_TARGET_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def CUDAExtractMatmulOperands : Pass<"thunder-cuda-extract-matmul-operands"> {
  let summary = "moves elementwise work fused into a matrix product back into its own generic";
  let description = [{
    On tensors, before bufferization. A reduction `linalg.generic` whose
    payload is `acc + f(...) * g(...)`, where f and g are elementwise
    computations of the inputs (what elementwise fusion makes of a LayerNorm
    feeding a Linear layer), becomes elementwise generics computing f and g
    over the loops they use, and a plain contraction of their results (the
    extension to the accumulator type stays in the product). The
    contraction can then be a library call; f and g are computed once per
    element instead of once per output column.

    With `convolutions`, the input side of a convolution (Convolution.h:
    the generic thunder.convolution lowers to) is computed over the input's
    own space (n, [g], c, spatial) rather than over the loops it uses, so
    that the result is a plain convolution again (for
    `thunder-cuda-convolution-calls`).
  }];
  let options = [
    Option<"convolutions", "convolutions", "bool", /*default=*/"true",
           "take the input side of a convolution out over the input's own space">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def CUDAFoldMatmulOperands : Pass<"thunder-cuda-fold-matmul-operands"> {
  let summary = "folds transposes and broadcasts of matmul operands into their indexing maps";
  let description = [{
    On tensors, before bufferization. A contraction (`linalg.matmul`,
    `linalg.batch_matmul`, a contraction `linalg.generic`) whose input is the
    result of a pure data movement (`linalg.transpose`, `linalg.broadcast`, or
    a `linalg.generic` that only yields its input through a projected
    permutation) becomes a `linalg.generic` that reads the movement's input
    through the composed map: cuBLASLt then gets a transpose flag or a zero
    batch stride instead of a copy.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CUDANarrowMatmulResults : Pass<"thunder-cuda-narrow-matmul-results"> {
  let summary = "bf16/f16 products whose f32 result is only read rounded store the narrow type";
  let description = [{
    On tensors, before bufferization. A contraction of bf16 (f16) operands
    into a zero-filled f32 result whose every use is a `linalg.generic` input
    only read through `arith.truncf` to bf16 (f16) becomes a contraction with
    a bf16 (f16) result, and those consumers read it directly. cuBLASLt
    accumulates in f32 and rounds once, as the truncation did: the same
    values, half the bytes, no f32 temporary.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def CUDAMatmulBias : Pass<"thunder-cuda-matmul-bias"> {
  let summary = "a bias vector added to a product becomes the product's initial value";
  let description = [{
    On tensors, before bufferization. `linalg.generic` adding a rank-1 bias
    (indexed by the last loop) to the only use of a zero-started contraction
    (acc + a * b) of the same element type: the contraction starts from
    `linalg.broadcast` of the bias instead and the add goes.
    thunder-cuda-library-calls passes such a broadcast to cuBLASLt's bias
    epilogue.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CUDAFoldAttentionPermutes : Pass<"thunder-cuda-fold-attention-permutes"> {
  let summary = "fused attention reads and writes permuted views instead of transposed copies";
  let description = [{
    On buffers, after bufferization and before the memory plan. An input of
    `thunder.fused_attention` (`_grad`) that a `linalg.transpose` copies into
    a fresh buffer read by nothing else becomes a `memref.transpose` view of
    the copy's source; an output read by nothing but a `linalg.transpose`
    into another buffer is written into a `memref.transpose` view of that
    buffer. The runtime's kernels take any strides but the last dim's. Only
    when no op in between writes the source (touches the destination).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def CUDAFuseAttention : Pass<"thunder-cuda-fuse-attention"> {
  let summary = "thunder.attention / attention_grad -> the fused, destination-style ops";
  let description = [{
    On thunder ops, before the thunder -> linalg lowering. A
    `thunder.attention` (or `thunder.attention_grad`) the runtime's fused
    kernels take becomes `thunder.fused_attention` (`_grad`) writing into
    `tensor.empty` outputs: rank 4 `[B, H, L, E]`, f32/f16/bf16, head dim
    (static) at most 128, value head dim equal to the query's, mask absent,
    float (f32/f16/bf16) or boolean. Keys and values repeated over a group of
    query heads (`broadcast_in_dim` [B, Hkv, S, E] -> [B, Hkv, G, S, E] then
    `reshape` to [B, Hkv*G, S, E], what GQA models do) are read unrepeated.
    Everything else stays for thunder-decompose. `attention_grad` only with
    `backward` (thunderc sets it; THUNDERC_CUDA_FUSED_ATTENTION_BACKWARD=0
    keeps the decomposed gradient; see docs/cuda.md).
  }];
  let options = [
    Option<"backward", "backward", "bool", /*default=*/"false",
           "Also fuse thunder.attention_grad (the fused backward kernels)">,
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def CUDAAttentionCalls : Pass<"thunder-cuda-attention-calls", "mlir::ModuleOp"> {
  let summary = "fused attention ops on memrefs -> thunder_cuda_attention_fwd/_bwd calls";
  let description = [{
    After bufferization. `thunder.fused_attention` becomes `func.call
    @thunder_cuda_attention_fwd` and `thunder.fused_attention_grad` `func.call
    @thunder_cuda_attention_bwd` (compiler_abi.h) on the operands' device
    pointers (aligned pointer + offset) with the sizes and the strides of the
    three leading dims from the memref metadata (the last dim must have unit
    stride: otherwise the operand is copied first); a mask is addressed
    through [B, H, L, S] strides, 0 on the dims it broadcasts.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def CUDALibraryCalls : Pass<"thunder-cuda-library-calls", "mlir::ModuleOp"> {
  let summary = "replaces matrix products on memrefs by calls of thunder_cuda_matmul";
  let description = [{
    After bufferization. Every contraction with one m, one n, one k and at
    most one batch loop (which A or B may lack: batch stride 0) whose element
    type is f32, f16, bf16 or f64, and whose operands have a unit stride on
    one of their two matrix dimensions (the other is the leading dimension;
    which one decides the transpose flag), becomes a `func.call
    @thunder_cuda_matmul` (runtime, cuBLASLt;
    include/thunder/runtime/compiler_abi.h) on the operands' device pointers.
    A `linalg.fill` of zero of the result just before it is dropped (beta =
    0). f16/bf16 operands with an f32 result go through a temporary of the
    operand type and an extension. Everything else is left for the generated
    kernels.
  }];
  let options = [
    Option<"tf32", "tf32", "bool", /*default=*/"true",
           "float32 products on TF32 tensor cores (false: full float32)">,
  ];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect"];
}

def CUDAConvolutionCalls : Pass<"thunder-cuda-convolution-calls", "mlir::ModuleOp"> {
  let summary = "calls thunder_cuda_conv (cuDNN) before each convolution, which stays as the fallback";
  let description = [{
    After bufferization. Every convolution generic (Convolution.h) of f32,
    f16, bf16 or f64 with a zero-filled result becomes

      %r = func.call @thunder_cuda_conv(dtype, spatial dims, n, c, k, groups,
             in..., win..., out..., pad..., stride..., dilation..., x, w, y) : i32
      scf.if (%r == 0) { [pad] ; fill ; the generic }

    so that the generated kernel runs only where cuDNN is absent or cannot
    run the configuration (runtime, include/thunder/runtime/compiler_abi.h).
    The zero padding that the lowering materialises (a zero-filled buffer
    and a copy into its interior) is passed as cuDNN's padding and moves
    into the fallback branch when the unpadded buffer is provably intact at
    the convolution; otherwise cuDNN reads the padded buffer. Operands that
    are not contiguous are copied; a result of another type than the
    operands (f16/bf16 accumulated in f32) or not contiguous is computed
    into a temporary and written back (`scf.if (%r != 0) { widen } else
    { fallback }`). Dilated inputs
    (lhs_dilation, transposed convolutions) go to cuDNN as the dilated
    buffer the lowering materialises.
  }];
  let options = [
    Option<"tf32", "tf32", "bool", /*default=*/"true",
           "float32 convolutions may use TF32 tensor cores (false: full float32)">,
    Option<"minMacs", "min-macs", "int64_t", /*default=*/"50000000",
           "convolutions with fewer multiply-adds (static shapes) stay generated "
           "kernels: measured on the H100, cuDNN's per-call cost made "
           "mobilenet_v3_small (52 small convolutions) 3.5x slower">,
  ];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect"];
}

def CUDALegalizeHostAccesses : Pass<"thunder-cuda-legalize-host-accesses", "mlir::ModuleOp"> {
  let summary = "makes host code touch device buffers only through kernels";
  let description = [{
    After bufferization, before `thunder-cuda-map-to-gpu`: every `memref.copy`
    becomes a `linalg.copy` (a kernel), and every host use of a constant
    (`memref.get_global`) other than as an operand of a linalg op (which
    `thunder-cuda-map-to-gpu` moves into the kernel, where the constant is a
    device global of the cubin) reads a device copy made by a `linalg.copy`.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::memref::MemRefDialect"];
}

def CUDAMapToGPU : Pass<"thunder-cuda-map-to-gpu", "mlir::ModuleOp"> {
  let summary = "maps linalg ops on memrefs to gpu.launch kernels";
  let description = [{
    Each linalg op of a host function becomes one `gpu.launch` (named
    `<function>_<n>_<node>` in module `@thunder_kernels`):
    - all-parallel ops: one thread per iteration point, 256 threads per block,
      the iteration space linearised with the innermost loop fastest
      (consecutive threads write consecutive elements);
    - reductions whose innermost loop is a reduction and whose combiners are
      recognised (add, mul, min, max, and, or, xor): one block per output
      element; the threads stride over the reduced elements (coalesced),
      accumulate privately (f32 for f16/bf16) and combine with
      `gpu.all_reduce` (warp shuffles, then shared memory across warps);
    - reductions whose innermost loop is parallel, with few outputs for a
      long reduction and combiners that have an atomic (add, min, max on
      f32/f64/i32/i64): threads over the outputs, blockIdx.y over chunks of
      the reduction; each thread combines its chunk privately and merges it
      into the output (which holds the initial value) with one
      `memref.atomic_rmw`;
    - other reductions (innermost loop parallel, short or unrecognised
      reductions): one thread per output element with a sequential loop.
    Host code left touching device memory becomes one kernel per top-level
    op: a loop nest of independent writes (the scatter loops of index_put /
    scatter) one thread per iteration, its read-modify-write an atomic
    (`memref.atomic_rmw`); anything else a single thread.
    Constants that the op reads (`memref.get_global`) are cloned into the
    kernel.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "threads per block of elementwise kernels">,
    Option<"reductionBlockSize", "reduction-block-size", "int64_t", /*default=*/"256",
           "largest block of a cooperative (block per row) reduction">,
    Option<"minCooperativeReduction", "min-cooperative-reduction", "int64_t",
           /*default=*/"32",
           "statically shorter reductions use one thread per output">,
    Option<"parallelScatters", "parallel-scatters", "bool", /*default=*/"true",
           "loop nests of independent writes run one thread per iteration "
           "(atomic adds); false: one thread (in order, deterministic)">,
    Option<"vectorBytes", "vector-bytes", "int64_t", /*default=*/"0",
           "elementwise kernels whose innermost loop walks unit-stride dims take V "
           "consecutive points a thread, moving up to this many bytes per access "
           "(a scalar kernel runs instead when the operands are not aligned at run "
           "time); 0: one point a thread">,
    Option<"warpReductions", "warp-reductions", "bool", /*default=*/"true",
           "Many short rows (at most 2048 long, at least 512 rows, 32-bit partials) reduce one warp per row, eight rows to a block, combined with xor shuffles">,
    Option<"splitReductions", "split-reductions", "bool", /*default=*/"true",
           "long reductions whose innermost loop is parallel are split over "
           "blocks merged with atomics; false: one thread per output (in "
           "order, deterministic)">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::affine::AffineDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect", "mlir::vector::VectorDialect"];
}

def CUDADeviceBuffers : Pass<"thunder-cuda-device-buffers", "mlir::ModuleOp"> {
  let summary = "allocates host-side buffers on the device, on the caller's stream";
  let description = [{
    After `thunder-cuda-map-to-gpu`, in host functions: `memref.alloc` /
    `memref.dealloc` become `gpu.alloc` / `gpu.dealloc` (mgpuMemAlloc /
    mgpuMemFree: stream-ordered), and every gpu op (launches, allocations)
    becomes async with the token of one `gpu.wait async` at the function
    entry (mgpuStreamCreate, which is the caller's stream inside a thunder
    call), so that everything is ordered on that stream and nothing
    synchronises. Host reads or writes of device memory that remain are
    errors.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def CUDADedupKernels : Pass<"thunder-cuda-dedup-kernels", "mlir::ModuleOp"> {
  let summary = "one gpu.func for each group of structurally equal kernels";
  let description = [{
    After gpu-kernel-outlining. Kernels of a gpu.module that are the same
    function under different names (every layer of a deep model) become one:
    the first is kept, launches of the others launch it, the others are
    erased. NVPTX and ptxas compile each distinct kernel once.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def CUDAAssemble : Pass<"thunder-cuda-assemble", "mlir::ModuleOp"> {
  let summary = "turns the PTX of each gpu.binary into a fatbin (ptxas, fatbinary)";
  let description = [{
    After `gpu-module-to-binary{format=isa}` with one NVVM target per
    architecture. When `ptxas` and `fatbinary` are found (the `toolkit`
    option, else $CUDA_ROOT, $CUDA_HOME, $CUDA_PATH, /usr/local/cuda, $PATH),
    each architecture's PTX is assembled to a cubin and the cubins plus the
    PTX of the lowest architecture (for the driver's JIT on newer GPUs) go into
    one fatbin, the only object left. Without the toolkit the PTX of the
    lowest architecture stays, alone (loaded with the driver's JIT).
  }];
  let options = [
    Option<"toolkit", "toolkit", "std::string", /*default=*/"\"\"",
           "CUDA toolkit directory (default: searched)">,
    Option<"ptxOnly", "ptx-only", "bool", /*default=*/"false",
           "keep the PTX of the lowest architecture only, even with a toolkit">,
    Option<"optLevel", "O", "int", /*default=*/"3", "ptxas optimisation level">,
  ];
}

#endif
