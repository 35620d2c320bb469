#!/usr/bin/env python3
"""Tiny safetensors writer/printer for the codegen tests (standard library only).

    st.py make OUT.safetensors KEY:DTYPE:SHAPE:VALUES ...   e.g. input.0:F32:2x3:1,2,3,4,5,6
    st.py dump IN.safetensors                               one line per tensor, sorted by key
"""
import json
import struct
import sys

FMT = {"F32": "f", "F64": "d", "I64": "q", "I32": "i", "I8": "b", "U8": "B", "BOOL": "?"}


def make(path, specs):
    header, blobs, offset = {}, [], 0
    for spec in specs:
        key, dtype, shape, values = spec.split(":")
        dims = [int(d) for d in shape.split("x")] if shape else []
        vals = [float(v) if dtype in ("F32", "F64") else int(v) for v in values.split(",") if v]
        if dtype == "BF16":
            raw = b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:]
                           for v in map(float, values.split(",")))
        else:
            raw = struct.pack("<%d%s" % (len(vals), FMT[dtype]), *vals)
        header[key] = {"dtype": dtype, "shape": dims, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def dump(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    for key in sorted(k for k in header if k != "__metadata__"):
        e = header[key]
        b, end = e["data_offsets"]
        raw = data[b:end]
        if e["dtype"] == "BF16":
            vals = [struct.unpack("<f", b"\0\0" + raw[i:i + 2])[0] for i in range(0, len(raw), 2)]
        else:
            code = FMT[e["dtype"]]
            vals = struct.unpack("<%d%s" % (len(raw) // struct.calcsize(code), code), raw)
        text = ",".join(("%g" % v) if isinstance(v, float) else str(int(v)) for v in vals)
        print("%s %s %s %s" % (key, e["dtype"], "x".join(map(str, e["shape"])), text))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3:])
    else:
        dump(sys.argv[2])
