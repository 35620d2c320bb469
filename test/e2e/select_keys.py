#!/usr/bin/env python3
"""Copies the tensors of some key families of a safetensors file.

    select_keys.py IN.safetensors OUT.safetensors FAMILY[,FAMILY...]

FAMILY is the part of a key before its first dot (output, grad, buffer).
compare.py compares every key two files share at one tolerance; this lets
run_fixture.sh compare outputs and gradients at their own tolerances.
Standard library only.
"""
import json
import struct
import sys


def main():
    src, dst, families = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
    with open(src, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out, chunks, offset = {}, [], 0
    for key, e in header.items():
        if key == "__metadata__" or key.split(".", 1)[0] not in families:
            continue
        b, end = e["data_offsets"]
        chunks.append(data[b:end])
        out[key] = {"dtype": e["dtype"], "shape": e["shape"],
                    "data_offsets": [offset, offset + end - b]}
        offset += end - b
    text = json.dumps(out).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
