#!/usr/bin/env python3
"""run_external.py THUNDER_RUN DIR: runs DIR/external.so (y = x * w, w = 2 from external.bin) with thunder-run; checks y."""
import json
import os
import struct
import subprocess
import sys

runner, d = sys.argv[1], sys.argv[2]
x = [1.0, -2.0, 3.5, 0.25]
header = json.dumps({"input.0": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode()
with open(os.path.join(d, "in.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + struct.pack("<4f", *x))
subprocess.run([runner, os.path.join(d, "external.so"), "--inputs",
                os.path.join(d, "in.safetensors"), "--save", os.path.join(d, "out.safetensors")], check=True)
blob = open(os.path.join(d, "out.safetensors"), "rb").read()
(n,) = struct.unpack("<Q", blob[:8])
e = json.loads(blob[8:8 + n])["output.0"]
y = struct.unpack("<4f", blob[8 + n + e["data_offsets"][0]:8 + n + e["data_offsets"][1]])
assert list(y) == [2 * v for v in x], y
print("ok", y)
