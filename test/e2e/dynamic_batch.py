#!/usr/bin/env python3
"""Inputs of another batch size for a dynamic-batch fixture, and their check.

    dynamic_batch.py make  REF.safetensors BATCH IN.safetensors
    dynamic_batch.py check REF.safetensors BATCH OUT.safetensors [--rtol R] [--atol A]

`make` writes input.<i> of batch BATCH (dimension 0): the reference rows,
repeated cyclically (so every batch row is a reference row). `check` verifies
that output.<i> has batch BATCH and the reference's other dimensions, and that
row r equals reference row r % 8 within tolerance. Standard library only.
"""
import argparse
import json
import struct
import sys

SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
         "I8": 1, "U8": 1, "BOOL": 1}


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out = {}
    for k, e in header.items():
        if k == "__metadata__":
            continue
        b, end = e["data_offsets"]
        out[k] = (e["dtype"], e["shape"], data[b:end])
    return out


def write(path, tensors):
    header, offset, chunks = {}, 0, []
    for k, (dtype, shape, raw) in tensors.items():
        header[k] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def rows(dtype, shape, raw):
    row = len(raw) // shape[0] if shape[0] else 0
    return [raw[i * row:(i + 1) * row] for i in range(shape[0])]


def floats(dtype, raw):
    if dtype == "F32":
        return struct.unpack(f"<{len(raw) // 4}f", raw)
    if dtype == "F64":
        return struct.unpack(f"<{len(raw) // 8}d", raw)
    if dtype == "BF16":
        return [struct.unpack("<f", struct.pack("<I", h << 16))[0]
                for h in struct.unpack(f"<{len(raw) // 2}H", raw)]
    raise SystemExit(f"unsupported dtype {dtype}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["make", "check"])
    p.add_argument("ref")
    p.add_argument("batch", type=int)
    p.add_argument("path")
    p.add_argument("--rtol", type=float, default=2e-4)
    p.add_argument("--atol", type=float, default=2e-5)
    a = p.parse_args()
    ref = read(a.ref)
    if a.mode == "make":
        ins = {}
        for k, (dtype, shape, raw) in ref.items():
            if not k.startswith("input."):
                continue
            r = rows(dtype, shape, raw)
            ins[k] = (dtype, [a.batch] + shape[1:], b"".join(r[i % len(r)] for i in range(a.batch)))
        write(a.path, ins)
        return 0
    got = read(a.path)
    ok = True
    for k, (dtype, shape, raw) in ref.items():
        if not k.startswith("output."):
            continue
        if k not in got:
            print(f"{k}: missing"); ok = False; continue
        gdtype, gshape, graw = got[k]
        want = [a.batch] + shape[1:]
        if gdtype != dtype or gshape != want:
            print(f"{k}: got {gdtype}{gshape}, expected {dtype}{want}"); ok = False; continue
        rr, gr = rows(dtype, shape, raw), rows(gdtype, gshape, graw)
        worst = 0.0
        for i, g in enumerate(gr):
            for x, y in zip(floats(dtype, g), floats(dtype, rr[i % len(rr)])):
                err = abs(x - y)
                worst = max(worst, err)
                if not err <= a.atol + a.rtol * abs(y):
                    ok = False
        print(f"{k}: batch {a.batch}, shape {gshape}, max abs error vs reference rows {worst:.3g}"
              f" {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
