#!/usr/bin/env python3
"""The weights of a .pt2 archive, apart from its program (thunderc --weights=external).

  pt2_weights.py strip IN.pt2 OUT.pt2          IN without weight payloads: every storage entry
                                               under data/weights/ and data/constants/, and the
                                               sample inputs, is left out (the payload configs
                                               stay, so tied weights are still known). thunderc --weights=external
                                               compiles OUT and writes no weights file.
  pt2_weights.py extract IN.pt2 OUT.safetensors
                                               the weights file thunderc --weights=external
                                               writes beside MODEL.so: param.<fqn>,
                                               buffer.<fqn>, constant.<name>, row-major.

Standard library only (numpy, where installed, for views that are not contiguous). Archives of
PyTorch >= 2.9 (docs/pt2-reader.md), little-endian, one model.
"""
import json
import os
import struct
import sys
import tempfile
import zipfile

# export schema ScalarType code -> (safetensors dtype, bytes per element)
DTYPES = {1: ("U8", 1), 2: ("I8", 1), 3: ("I16", 2), 4: ("I32", 4), 5: ("I64", 8), 6: ("F16", 2),
          7: ("F32", 4), 8: ("F64", 8), 12: ("BOOL", 1), 13: ("BF16", 2)}


def temporary_beside(path):
    """A temporary file in path's folder (renamed over it at the end), with the usual permissions."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    return fd, tmp


def root_of(names):
    first = names[0].split("/")
    return first[0] + "/" if len(first) > 1 else ""


def is_payload(name, root):
    # Sample inputs (torch.export's example arguments) are data too, and thunderc never reads them.
    if name.startswith(root + "data/sample_inputs/"):
        return True
    for folder in ("data/weights/", "data/constants/"):
        if name.startswith(root + folder) and not name.endswith("_config.json"):
            return True
    return False


def strip(src, dst):
    with zipfile.ZipFile(src) as zin:
        root = root_of(zin.namelist())
        fd, tmp = temporary_beside(dst)
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w") as zout:
                for info in zin.infolist():
                    if not is_payload(info.filename, root):
                        zout.writestr(info, zin.read(info.filename))
            os.replace(tmp, dst)
        except BaseException:
            os.unlink(tmp)
            raise


def as_int(v):
    return v["as_int"] if isinstance(v, dict) else int(v)


def tensor_bytes(z, folder, entry):
    """Row-major bytes of one config entry (an as_strided view of its storage)."""
    meta = entry["tensor_meta"]
    st, item = DTYPES[meta["dtype"]]
    sizes = [as_int(s) for s in meta["sizes"]]
    strides = [as_int(s) for s in meta["strides"]]
    offset = as_int(meta["storage_offset"])
    storage = z.read(folder + entry["path_name"])
    numel = 1
    for s in sizes:
        numel *= s
    expect, contiguous = 1, True
    for size, stride in reversed(list(zip(sizes, strides))):
        if size != 1 and stride != expect:
            contiguous = False
        expect *= size
    if contiguous or numel == 0:
        return st, sizes, storage[offset * item:(offset + numel) * item]
    try:
        import numpy as np
        flat = np.frombuffer(storage, dtype=np.uint8).reshape(-1, item)
        view = np.lib.stride_tricks.as_strided(flat[offset:], shape=sizes + [item],
                                               strides=[s * item for s in strides] + [1])
        return st, sizes, np.ascontiguousarray(view).tobytes()
    except ImportError:
        out = bytearray()
        index = [0] * len(sizes)
        for _ in range(numel):
            at = offset + sum(i * s for i, s in zip(index, strides))
            out += storage[at * item:(at + 1) * item]
            for d in reversed(range(len(sizes))):
                index[d] += 1
                if index[d] < sizes[d]:
                    break
                index[d] = 0
        return st, sizes, bytes(out)


def extract(src, dst):
    with zipfile.ZipFile(src) as z:
        names = z.namelist()
        root = root_of(names)
        models = [n for n in names if n.startswith(root + "models/") and n.endswith(".json")]
        if len(models) != 1:
            sys.exit(f"{src}: expected one model, found {len(models)}")
        model = os.path.basename(models[0])[:-len(".json")]
        program = json.loads(z.read(models[0]))
        configs = {}
        for folder, kind in (("data/weights/", "weights"), ("data/constants/", "constants")):
            name = f"{root}{folder}{model}_{kind}_config.json"
            if name in names:
                for fqn, entry in json.loads(z.read(name))["config"].items():
                    configs[fqn] = (root + folder, entry)
        tensors = {}
        for spec in program["graph_module"]["signature"]["input_specs"]:
            (kind, body), = spec.items()
            if kind == "parameter":
                key, fqn = "param." + body["parameter_name"], body["parameter_name"]
            elif kind == "buffer":
                key, fqn = "buffer." + body["buffer_name"], body["buffer_name"]
            elif kind == "tensor_constant":
                key, fqn = "constant." + body["tensor_constant_name"], body["tensor_constant_name"]
            else:
                continue
            if fqn not in configs:
                sys.exit(f"{src}: no payload for {key}")
            folder, entry = configs[fqn]
            tensors[key] = tensor_bytes(z, folder, entry)
    header, cursor = {}, 0
    for key, (st, sizes, data) in tensors.items():
        header[key] = {"dtype": st, "shape": sizes, "data_offsets": [cursor, cursor + len(data)]}
        cursor += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    fd, tmp = temporary_beside(dst)
    with os.fdopen(fd, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for st, sizes, data in tensors.values():
            f.write(data)
    os.replace(tmp, dst)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("strip", "extract"):
        sys.exit(__doc__)
    (strip if sys.argv[1] == "strip" else extract)(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
