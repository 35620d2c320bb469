"""Writes OUT/{ours,ref,truth}.safetensors for compare-truth.test: four gradient elements;
element 1 is off the reference but closer to the truth than the reference (forgiven),
element 2 is off the reference and farther from the truth (a real failure when asked)."""
import json, struct, sys

out = sys.argv[1]
cases = {
    # ours, ref, truth
    "ours": [1.0, 0.0170, 2.0, 5.0],
    "ref": [1.0, 0.0175, 2.0, 5.0],
    "truth": [1.0, 0.0171, 2.0, 5.0],
}
bad = "--bad" in sys.argv
if bad:
    cases["ours"][2] = 2.5  # far from both


def write(path, values):
    raw = struct.pack(f"<{len(values)}f", *values)
    h = json.dumps({"grad.param.w": {"dtype": "F32", "shape": [len(values)],
                                     "data_offsets": [0, len(raw)]}}).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + raw)


for k, v in cases.items():
    write(f"{out}.{k}.safetensors", v)
