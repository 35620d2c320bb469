#!/usr/bin/env python3
"""Writes inputs and the expected results of the test model models/affine.c:

    in.safetensors         input.0, cotangent.0, cotangent.1
    ref.safetensors        output.*, grad.*, buffer.* (the keys of shared/fixtures)
    wrong.safetensors      ref with one output value changed (compare.py must fail)
    ref_extra.safetensors  ref plus a key thunder-run does not write (compare.py must fail)
    cuda_in.safetensors    inputs of models/cuda_mlp.c
    serve_affine.safetensors, serve_affine3.safetensors
                           input.0 and output.* of affine and affine3 (3 * y), for
                           examples/serve_many.cpp

Computed with numpy when present, else plain Python; all values are dyadic so
float32 results are exact either way.
"""
import json
import os
import struct
import sys

W = [1.0, 2.0, 3.0, 4.0]
B = [0.5, -0.5, 0.25, -0.25]
N = 5


def write(path, tensors):
    header, blobs, off = {}, [], 0
    for name, (dtype, shape, values) in sorted(tensors.items()):
        code = {"F32": "f", "I64": "q"}[dtype]
        raw = struct.pack(f"<{len(values)}{code}", *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    x = [[(i * 4 + j) / 8.0 - 1.0 for j in range(4)] for i in range(N)]
    g0 = [[((i + 2 * j) % 5) / 4.0 - 0.5 for j in range(4)] for i in range(N)]
    g1 = [(i % 3) / 2.0 for i in range(N)]
    y = [[x[i][j] * W[j] + B[j] for j in range(4)] for i in range(N)]
    rowsum = [sum(r) for r in y]
    dy = [[g0[i][j] + g1[i] for j in range(4)] for i in range(N)]
    dw = [sum(dy[i][j] * x[i][j] for i in range(N)) for j in range(4)]
    db = [sum(dy[i][j] for i in range(N)) for j in range(4)]
    dx = [[dy[i][j] * W[j] for j in range(4)] for i in range(N)]
    flat = lambda m: [v for r in m for v in r]
    write(os.path.join(d, "in.safetensors"), {
        "input.0": ("F32", [N, 4], flat(x)),
        "cotangent.0": ("F32", [N, 4], flat(g0)),
        "cotangent.1": ("F32", [N], g1),
    })
    ref = {
        "output.0": ("F32", [N, 4], flat(y)),
        "output.1": ("F32", [N], rowsum),
        "buffer.counter": ("I64", [], [42]),
        "grad.param.lin.weight": ("F32", [4], dw),
        "grad.param.lin.bias": ("F32", [4], db),
        "grad.input.0": ("F32", [N, 4], flat(dx)),
    }
    write(os.path.join(d, "ref.safetensors"), ref)
    wrong = dict(ref)
    vals = list(wrong["output.1"][2])
    vals[2] += 0.01
    wrong["output.1"] = ("F32", [N], vals)
    write(os.path.join(d, "wrong.safetensors"), wrong)
    extra = dict(ref)
    extra["grad.param.not_there"] = ("F32", [1], [0.0])
    write(os.path.join(d, "ref_extra.safetensors"), extra)
    for scale, name in ((1, "serve_affine"), (3, "serve_affine3")):
        write(os.path.join(d, name + ".safetensors"), {
            "input.0": ("F32", [N, 4], flat(x)),
            "output.0": ("F32", [N, 4], [scale * v for v in flat(y)]),
            "output.1": ("F32", [N], [scale * v for v in rowsum]),
        })
    # Inputs of the CUDA test model (models/cuda_mlp.c).
    n = 16
    write(os.path.join(d, "cuda_in.safetensors"), {
        "input.0": ("F32", [n, 8], [(i % 13) / 8.0 - 0.75 for i in range(n * 8)]),
        "cotangent.0": ("F32", [n, 16], [(i % 9) / 4.0 - 1.0 for i in range(n * 16)]),
    })


if __name__ == "__main__":
    main()
