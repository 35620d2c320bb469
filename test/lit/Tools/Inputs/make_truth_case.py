"""Writes OUT/{ours,ref,truth}.safetensors for compare-truth.test: four gradient elements;
element 1 is off the reference but closer to the truth than the reference (forgiven),
element 2 is off the reference and farther from the truth (a real failure when asked)."""
import json, struct, sys

out = sys.argv[1]
cases = {
    # ours, ref, truth
    "ours": [1.0, 0.0170, 2.0, 5.0],
    "ref": [1.0, 0.0175, 2.0, 5.0],
}
# The truth file is sparse: only element 1, where the reference is off the truth.
truth = {"truth.index.grad.param.w": ("I64", "q", [1]), "truth.value.grad.param.w": ("F64", "d", [0.0171])}
bad = "--bad" in sys.argv
if bad:
    cases["ours"][2] = 2.5  # far from both


def write(path, tensors):
    header, raw = {}, b""
    for name, (dtype, code, values) in tensors.items():
        blob = struct.pack(f"<{len(values)}{code}", *values)
        header[name] = {"dtype": dtype, "shape": [len(values)], "data_offsets": [len(raw), len(raw) + len(blob)]}
        raw += blob
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + raw)


for k, v in cases.items():
    write(f"{out}.{k}.safetensors", {"grad.param.w": ("F32", "f", v)})
write(f"{out}.truth.safetensors", truth)
