#!/usr/bin/env python3
"""Compares thunder-run's output with a reference safetensors file.

    compare.py OUT.safetensors REF.safetensors [--rtol R] [--atol A] [--atol-of-max F]
               [--backward] [--keys output,grad,buffer]

For every key present in both files (of the families --keys names, when given), prints the max absolute and relative
error and fails if any element violates |out - ref| <= atol + rtol * |ref|
(NaNs must match NaNs, infinities must match exactly; shapes must agree).
Keys expected from REF: output.* always; grad.* and buffer.* with --backward;
a missing one is a failure. --keys names the families to compare and require:
the others are skipped (a gradient is not judged at the outputs' tolerance). input.* and cotangent.*
are never compared. Exit status 0 when everything passes, 1 otherwise, 2 on
bad usage or unreadable files.

Needs only python3; uses numpy when it is installed (bf16 is widened to f32 by
shifting its bits).
"""
import argparse
import json
import math
import struct
import sys

try:
    import numpy as np
except ImportError:  # pragma: no cover - exercised where numpy is absent
    np = None

_FORMATS = {  # dtype: (struct code, size)
    "F64": ("d", 8), "F32": ("f", 4), "F16": ("e", 2), "BF16": (None, 2),
    "I64": ("q", 8), "I32": ("i", 4), "I16": ("h", 2), "I8": ("b", 1),
    "U8": ("B", 1), "BOOL": ("?", 1),
}
_NP = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
       "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    """Returns {name: (dtype, shape, values)}; values is a flat list or a numpy array (float64)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: too short to be a safetensors file")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        raise ValueError(f"{path}: bad header length {n}")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dtype, shape = e["dtype"], list(e["shape"])
        begin, end = e["data_offsets"]
        if dtype not in _FORMATS:
            raise ValueError(f"{path}: {name} has unsupported dtype {dtype}")
        raw = data[begin:end]
        count = 1
        for d in shape:
            count *= d
        size = _FORMATS[dtype][1]
        if len(raw) != count * size:
            raise ValueError(f"{path}: {name} has {len(raw)} bytes, its shape needs {count * size}")
        out[name] = (dtype, shape, _decode(dtype, raw, count))
    return out


def _decode(dtype, raw, count):
    if np is not None:
        if dtype == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            return bits.view(np.float32).astype(np.float64)
        return np.frombuffer(raw, dtype=_NP[dtype]).astype(np.float64)
    if dtype == "BF16":
        halves = struct.unpack(f"<{count}H", raw)
        return [struct.unpack("<f", struct.pack("<I", h << 16))[0] for h in halves]
    code = _FORMATS[dtype][0]
    return [float(v) for v in struct.unpack(f"<{count}{code}", raw)]


def _errors(a, b, rtol, atol):
    """(max_abs, max_rel, n_bad) over elements."""
    if np is not None:
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if a.size == 0:
            return 0.0, 0.0, 0
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        inf_mismatch = (np.isinf(a) | np.isinf(b)) & ~(nan_a | nan_b) & (a != b)
        finite = ~(nan_a | nan_b | np.isinf(a) | np.isinf(b))
        diff = np.abs(a - b)
        diff[~finite] = 0.0
        rel = diff / np.maximum(np.abs(b), 1e-30)
        bad = int(np.count_nonzero(nan_a != nan_b) + np.count_nonzero(inf_mismatch) +
                  np.count_nonzero(finite & (diff > atol + rtol * np.abs(b))))
        return float(diff.max()), float(rel[finite].max()) if finite.any() else 0.0, bad
    max_abs = max_rel = 0.0
    bad = 0
    for x, y in zip(a, b):
        if math.isnan(x) or math.isnan(y):
            bad += math.isnan(x) != math.isnan(y)
            continue
        if math.isinf(x) or math.isinf(y):
            bad += x != y
            continue
        d = abs(x - y)
        max_abs = max(max_abs, d)
        max_rel = max(max_rel, d / max(abs(y), 1e-30))
        bad += d > atol + rtol * abs(y)
    return max_abs, max_rel, bad


def _truth_for(truth, name, ref_values):
    """The float64 truth of `name` as a dense array, or None. A truth file holds, per key,
    `truth.index.<key>` (flat element indices, I64) and `truth.value.<key>` (F64): only the
    elements where the float32 reference is measurably off the truth; elsewhere the
    reference is the truth."""
    idx, val = truth.get(f"truth.index.{name}"), truth.get(f"truth.value.{name}")
    if idx is None or val is None or np is None:
        return None
    t = np.array(ref_values, dtype=np.float64)
    t[np.asarray(idx[2], dtype=np.int64)] = val[2]
    return t


def _closer_to_truth(a, b, t, rtol, atol):
    """(n_bad, n_forgiven): elements out of tolerance against the reference b are forgiven
    when |a - t| <= |b - t| + atol, t being the float64 truth."""
    a, b, t = (np.asarray(x, dtype=np.float64) for x in (a, b, t))
    out = np.abs(a - b) > atol + rtol * np.abs(b)
    out |= np.isnan(a) != np.isnan(b)
    closer = np.abs(a - t) <= np.abs(b - t) + atol
    forgiven = out & closer & np.isfinite(a)
    return int(np.count_nonzero(out & ~forgiven)), int(np.count_nonzero(forgiven))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("ref")
    p.add_argument("--rtol", type=float, default=2e-4)
    p.add_argument("--atol", type=float, default=2e-5)
    p.add_argument("--backward", action="store_true",
                   help="also require grad.* and buffer.* keys of REF")
    p.add_argument("--truth", default=None,
                   help="float64 truth (test/fixtures/gen/gen_f64_truth.py): an element out of "
                        "tolerance passes when it is at least as close to the truth as REF is "
                        "(REF's own float32 rounding), within atol")
    p.add_argument("--atol-of-max", type=float, default=0.0,
                   help="adds this fraction of the tensor's largest |REF| to atol, per tensor: for "
                        "reduced-precision programs (--autocast) whose gradients are off by a fraction of "
                        "their scale, as PyTorch's own autocast is")
    p.add_argument("--keys", default=None,
                   help="comma-separated key families to compare (and require): output,grad,buffer; "
                        "others are skipped, so that each family is judged at its own tolerance")
    args = p.parse_args(argv)
    try:
        out = read_safetensors(args.out)
        ref = read_safetensors(args.ref)
        truth = read_safetensors(args.truth) if args.truth else {}
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    families = {"output"}
    if args.backward:
        families |= {"grad", "buffer"}
    if args.keys:
        families = {k.strip() for k in args.keys.split(",") if k.strip()}
    failed = False
    for name in sorted(ref):
        family = name.split(".", 1)[0]
        if family in ("input", "cotangent") or (args.keys and family not in families):
            continue
        if name not in out:
            if family in families:
                print(f"MISSING {name}")
                failed = True
            continue
        rd, rs, rv = ref[name]
        od, os_, ov = out[name]
        if rs != os_:
            print(f"FAIL {name}: shape {os_} != reference {rs}")
            failed = True
            continue
        atol = args.atol
        if args.atol_of_max:
            finite = [abs(x) for x in (rv.ravel().tolist() if hasattr(rv, "ravel") else rv)
                      if math.isfinite(x)]
            atol += args.atol_of_max * (max(finite) if finite else 0.0)
        max_abs, max_rel, bad = _errors(ov, rv, args.rtol, atol)
        forgiven = 0
        t = _truth_for(truth, name, rv) if bad else None
        if t is not None:
            bad, forgiven = _closer_to_truth(ov, rv, t, args.rtol, atol)
        status = "ok  " if bad == 0 else "FAIL"
        note = "" if od == rd else f" (dtype {od} vs reference {rd})"
        print(f"{status} {name}: max_abs {max_abs:.3e} max_rel {max_rel:.3e}"
              f"{'' if bad == 0 else f' ({bad} elements out of tolerance)'}"
              f"{f' ({forgiven} elements off the reference but as close to the float64 truth)' if forgiven else ''}"
              f"{note}")
        failed |= bad != 0
    print("FAILED" if failed else "PASSED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
