#!/usr/bin/env python3
"""The embedding gradient of a GPT-2-sized layer alone: a thunderc .mlir model and its inputs.

    embedding_backward.py mlir DTYPE [TOKENS VOCAB DIM] > M.mlir     (DTYPE: f32, bf16)
    embedding_backward.py inputs DTYPE OUT.safetensors [TOKENS VOCAB DIM]

forward(ids[TOKENS] i64, g[TOKENS, DIM]) = index_put(zeros[VOCAB, DIM], (ids,), g, accumulate=True),
what aten.embedding_dense_backward imports to (defaults: 8192 tokens = B8 x T1024, vocab 50257, 768).
On the GPU machine:
    thunderc M.mlir -o M.so                                   (here)
    embedding_backward.py inputs bf16 in.safetensors && thunder-run M.so --inputs in.safetensors --bench 20
Standard library only (the token ids are uniform, every id appearing about TOKENS/VOCAB times).
"""
import json
import random
import struct
import sys
from array import array

DEFAULT = (8192, 50257, 768)
MLIR = """module {{
  func.func @forward(
      %ids: tensor<{t}xi64> {{thunder.kind = "input", thunder.name = "ids"}},
      %g: tensor<{t}x{d}x{e}> {{thunder.kind = "input", thunder.name = "g"}})
      -> (tensor<{v}x{d}x{e}> {{thunder.kind = "output", thunder.name = "grad_weight"}}) {{
    %zero = arith.constant 0.0 : {e}
    %empty = tensor.empty() : tensor<{v}x{d}x{e}>
    %zeros = linalg.fill ins(%zero : {e}) outs(%empty : tensor<{v}x{d}x{e}>) -> tensor<{v}x{d}x{e}>
    %dw = "thunder.index_put"(%zeros, %ids, %g) <{{accumulate = true, operandSegmentSizes = array<i32: 1, 1, 1>, start_dim = 0 : i64}}>
        : (tensor<{v}x{d}x{e}>, tensor<{t}xi64>, tensor<{t}x{d}x{e}>) -> tensor<{v}x{d}x{e}>
    return %dw : tensor<{v}x{d}x{e}>
  }}
}}
"""


def sizes(args):
    return tuple(int(a) for a in args) if args else DEFAULT


def inputs(dtype, path, t, v, d):
    rng = random.Random(0)
    ids = array("q", (rng.randrange(v) for _ in range(t)))
    values = array("f", (rng.uniform(-1, 1) for _ in range(t * d)))
    if dtype == "bf16":
        words = array("I", values.tobytes())
        g = array("H", (w >> 16 for w in words)).tobytes()
        st = "BF16"
    else:
        g, st = values.tobytes(), "F32"
    header = {"input.0": {"dtype": "I64", "shape": [t], "data_offsets": [0, t * 8]},
              "input.1": {"dtype": st, "shape": [t, d], "data_offsets": [t * 8, t * 8 + len(g)]}}
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + ids.tobytes() + g)


def main(argv):
    if len(argv) >= 2 and argv[0] == "mlir":
        t, v, d = sizes(argv[2:])
        sys.stdout.write(MLIR.format(t=t, v=v, d=d, e=argv[1]))
    elif len(argv) >= 3 and argv[0] == "inputs":
        inputs(argv[1], argv[2], *sizes(argv[3:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
