//===- Passes.td - code generation passes shared by the targets -*- tablegen -*-===//
//
// Passes between linalg-on-tensors and LLVM that the CPU and CUDA targets
// share: the host ABI of entry points (caller-owned, distinct result buffers;
// read-only arguments), the static memory plan, and small legalisations.
// Each is runnable alone from thunder-opt; tests in test/lit/Codegen.
//
//===----------------------------------------------------------------------===//
#ifndef THUNDER_TARGET_PASSES_TD
#define THUNDER_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrepareHostABI : Pass<"thunder-prepare-host-abi", "mlir::ModuleOp"> {
  let summary = "marks entry-point arguments read-only and requests C interfaces";
  let description = [{
    Before one-shot bufferization: every argument of a public function (an
    entry point) gets `bufferization.writable = false`, since parameters and
    constants live in read-only memory and inputs belong to the caller, so
    bufferization copies before writing into them. Public functions with a
    body get `llvm.emit_c_interface` (their `_mlir_ciface_` wrapper is what the
    host code calls); declarations (libm, runtime functions) do not.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def FreshResults : Pass<"thunder-fresh-results", "mlir::ModuleOp"> {
  let summary = "makes every entry-point result a distinct, newly allocated buffer";
  let description = [{
    After one-shot bufferization (function boundaries, identity layouts) and
    before the ownership-based deallocation pipeline. The model ABI hands every
    result buffer to the caller, who frees it: a result must therefore be (a
    view of) a `memref.alloc` of this function that no other result shares.
    Results that are arguments, globals (constants), views of those, values of
    unknown origin, or that share an allocation with an earlier result are
    replaced by a `bufferization.clone`. Allocations that are returned get the
    alignment of the plan (64 bytes).
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect"];
}

def PlanMemory : Pass<"thunder-plan-memory", "mlir::func::FuncOp"> {
  let summary = "places the temporaries of a function in one arena with liveness-based reuse";
  let description = [{
    After the deallocation pipeline lowered `bufferization.dealloc`s (so that
    every temporary is a `memref.alloc` with a matching `memref.dealloc` in the
    same block). Every static-shaped temporary that is not returned and whose
    alloc and dealloc are in the function's entry block is given an offset in
    one arena (first fit by size, reusing space once a temporary's last
    dealloc is passed): the allocs become `memref.view`s of one `memref.alloc`
    made at the function entry and freed before the return, the deallocs are
    erased. Dynamic-shaped temporaries keep their own allocation.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "byte alignment of every temporary inside the arena">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def LegalizeCopies : Pass<"thunder-legalize-copies", "mlir::ModuleOp"> {
  let summary = "turns strided memref.copy into linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between non-contiguous
    memrefs to a call of `memrefCopy` from MLIR's C runner utilities, which a
    MODEL.so does not link. Such copies become `linalg.copy` (loops); copies of
    identity-layout memrefs stay (they lower to `llvm.memcpy`).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ExpandDynamicReshapes : Pass<"thunder-expand-dynamic-reshapes", "mlir::ModuleOp"> {
  let summary = "turns memref.expand_shape with several dynamic sizes in one group into a reinterpret_cast";
  let description = [{
    Before `expand-strided-metadata` (both targets). That pass (LLVM 22)
    recomputes the sizes of an `expand_shape` from its source and supports at
    most one dynamic size per reassociation group; with two (a `?` dimension
    expanded into `?x?`: batch and sequence of a program exported with both
    dynamic) it builds a `memref.reinterpret_cast` from a null size and
    crashes. Such an `expand_shape` becomes `memref.extract_strided_metadata`
    of its source and a `memref.reinterpret_cast` to the result type, whose
    sizes are the op's `output_shape` and whose strides are the products of
    the inner sizes of each group times the source dimension's stride.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

def InterchangeLoops : Pass<"thunder-interchange-loops", "mlir::func::FuncOp"> {
  let summary = "puts a parallel loop with contiguous accesses innermost in reductions";
  let description = [{
    CPU target, on linalg ops on buffers before they become loops. The
    loops of a linalg op nest in iterator order, so a matmul runs
    `for i, j: for k: C[i,j] += A[i,k] * B[k,j]`: a strided walk over B and
    no vectorisable inner loop. Where the innermost loop is a reduction and a
    parallel dimension `d` occurs only in the last index of every operand
    (contiguous or invariant: B[k,j], C[i,j], A[i,k] for j) and in the last
    index of the outputs, `d` becomes the innermost loop
    (`i, k, j` for matmul; the output width for convolutions), which LLVM's
    loop vectoriser turns into vector FMAs. Named ops are generalised first.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def OutlineKernels : Pass<"thunder-outline-kernels", "mlir::ModuleOp"> {
  let summary = "moves every linalg op on buffers into a function of its own";
  let description = [{
    CPU target, after bufferization: each linalg op on memrefs becomes a call
    of a private function `thunder_kernel_<n>_<op>` that holds it (captured
    constants are cloned in, other captured values become arguments).
    Structurally identical kernels (same body, types and constants) share one
    function. LLVM then optimises many small functions instead of one huge
    entry point, which keeps compile time linear in the model size; the host
    code marks the kernels `noinline`.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def CustomCalls : Pass<"thunder-custom-calls", "mlir::ModuleOp"> {
  let summary = "turns thunder.custom_call on buffers into calls of the runtime's thunder_custom_call";
  let description = [{
    Every target, after bufferization (and the memory plan, which sees the op
    read its inputs and write its outputs): a user operator's call
    (docs/custom-ops.md) becomes
    `func.call @thunder_custom_call(fn, what, table, #inputs, #outputs, #scalars)`
    (compiler_abi.h), where `fn` is the address of the user's function,
    `what` a string naming the operator for messages, and `table` a stack
    array of 64-bit words describing the tensors (data pointer, DLDataType,
    rank, sizes) and the scalars. The runtime builds the DLTensors on the
    model's device and passes the call's stream. An operand that is not
    compact row-major is copied into a new buffer first (an output: written
    there, then copied back).
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

#endif

def ExpandFloat8Casts : Pass<"thunder-expand-float8-casts", "mlir::func::FuncOp"> {
  let summary = "expands arith.extf/truncf of 8-bit floats into integer arithmetic";
  let description = [{
    LLVM has no 8-bit float types: the LLVM type converter stores them as i8,
    and `arith.extf`/`arith.truncf` to or from them have no lowering. This
    pass rewrites them on scalars (after the loops exist) into integer
    operations on the f32 bits, from the type's semantics (precision, minimum
    exponent, how it encodes NaN and infinity), so it serves f8E4M3FN,
    f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ and kin alike: truncation rounds to nearest
    even, subnormals included; a value past the largest finite one becomes
    infinity where the type has one, else NaN (saturation is the front end's
    clamp). f8E8M0FNU and f4E2M1FN are left to `arith-expand`. Conversions
    to or from other widths go through f32.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect"];
}
