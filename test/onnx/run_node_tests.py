#!/usr/bin/env python3
"""Runs ONNX's backend node tests through thunderc (CPU) and thunder-run.

    run_node_tests.py --bin BUILD/bin [--xfail node-xfail.txt] [--subset node-subset.txt]
                      [--filter REGEX] [--jobs N] [--report OUT.tsv] [--write-xfail PATH]

Each test of onnx/backend/test/data/node (the `onnx` package, 1.22.0) is a model.onnx and
test_data_set_*/{input,output}_*.pb. For every data set: the model is compiled with
`thunderc --target=cpu`, the inputs are written as safetensors (input.<i>), `thunder-run`
runs it, and output.<i> is compared with output_<i>.pb (|out - ref| <= atol + rtol |ref|,
NaN where NaN, the dtype and shape equal).

thunderc compiles shapes ahead of time, so a shape operand (Reshape's shape, Slice's starts,
Resize's scales, the axes of Squeeze, ...) must be a constant. The node tests pass those as
graph inputs; when thunderc's error says that such an operand is not known ("input 1 ('shape',
value 's') must be known at compile time"), the runner folds the graph inputs that value is
computed from into initializers holding the data set's values and compiles again. Every other input stays an input
of the compiled model. docs/onnx.md says so.

Only tests of the standard domain count (ai.onnx.ml and preview domains are reported apart).
Expected failures are listed with their reasons in the xfail file (`test_name: reason`). The
exit status is 1 when a test that is not listed fails or a listed one passes, else 0.
"""
import argparse
import concurrent.futures
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

import ml_dtypes
import numpy as np
import onnx
from onnx import numpy_helper

NODE_DIR = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
RTOL, ATOL = 1e-3, 1e-5
SAFETENSORS_DTYPES = {
    np.dtype("float64"): "F64", np.dtype("float32"): "F32", np.dtype("float16"): "F16",
    np.dtype("int64"): "I64", np.dtype("int32"): "I32", np.dtype("int16"): "I16",
    np.dtype("int8"): "I8", np.dtype("uint8"): "U8", np.dtype("bool"): "BOOL",
}
SAFETENSORS_DTYPES.update({
    np.dtype("uint16"): "U16", np.dtype("uint32"): "U32", np.dtype("uint64"): "U64",
    # ml_dtypes' types, one byte per element (thunder-run's names beyond safetensors' own)
    np.dtype(ml_dtypes.float8_e4m3fn): "F8_E4M3", np.dtype(ml_dtypes.float8_e4m3fnuz): "F8_E4M3FNUZ",
    np.dtype(ml_dtypes.float8_e5m2): "F8_E5M2", np.dtype(ml_dtypes.float8_e5m2fnuz): "F8_E5M2FNUZ",
    np.dtype(ml_dtypes.float8_e8m0fnu): "F8_E8M0", np.dtype(ml_dtypes.float4_e2m1fn): "F4",
})
# 4- and 2-bit integers: one byte per element, sign- or zero-extended.
SUB_BYTE_INTS = {np.dtype(ml_dtypes.int4): ("I4", np.int8), np.dtype(ml_dtypes.uint4): ("U4", np.uint8),
                 np.dtype(ml_dtypes.int2): ("I2", np.int8), np.dtype(ml_dtypes.uint2): ("U2", np.uint8)}
NUMPY_OF = {v: k for k, v in SAFETENSORS_DTYPES.items()}
NUMPY_OF.update({name: dt for dt, (name, _) in SUB_BYTE_INTS.items()})


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.array(a, order="C", copy=True)  # (ascontiguousarray makes 0-d arrays 1-d)
        if a.dtype.name == "bfloat16":  # ml_dtypes' type: the bits as they are
            dtype, raw = "BF16", a.tobytes()
        elif a.dtype in SUB_BYTE_INTS:
            dtype, byte = SUB_BYTE_INTS[a.dtype]
            raw = a.astype(byte).tobytes()
        elif a.dtype in SAFETENSORS_DTYPES:
            dtype, raw = SAFETENSORS_DTYPES[a.dtype], a.astype(a.dtype.newbyteorder("<")).tobytes()
        else:
            raise ValueError(f"input {name} has dtype {a.dtype}, which thunder-run does not read")
        header[name] = {"dtype": dtype, "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out, dtypes = {}, {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dtypes[name] = e["dtype"]
        begin, end = e["data_offsets"]
        if e["dtype"] == "BF16":
            bits = np.frombuffer(data[begin:end], "<u2").astype(np.uint32) << 16
            out[name] = bits.view(np.float32).reshape(e["shape"])
        elif e["dtype"] in ("I4", "U4", "I2", "U2"):
            byte = np.int8 if e["dtype"][0] == "I" else np.uint8
            out[name] = np.frombuffer(data[begin:end], byte).astype(NUMPY_OF[e["dtype"]]).reshape(e["shape"])
        else:
            out[name] = np.frombuffer(data[begin:end], NUMPY_OF[e["dtype"]]).reshape(e["shape"])
    return out, dtypes


def load_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def standard_domain(model):
    return all(n.domain in ("", "ai.onnx") for n in model.graph.node)


MUST_BE_CONSTANT = re.compile(r"value '([^']+)'\) must be known at compile time")


def all_nodes(graph):
    """The graph's nodes and those of its subgraphs (If branches), which read outer values by name."""
    for n in graph.node:
        yield n
        for a in n.attribute:
            for g in ([a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)):
                yield from all_nodes(g)


def source_inputs(model, value):
    """The graph inputs that `value` is computed from."""
    producers = {o: n for n in all_nodes(model.graph) for o in n.output}
    inputs = {vi.name for vi in model.graph.input}
    found, todo, seen = set(), [value], set()
    while todo:
        v = todo.pop()
        if v in seen:
            continue
        seen.add(v)
        if v in inputs:
            found.add(v)
        elif v in producers:
            todo.extend(i for i in producers[v].input if i)
    return found


def freeze_inputs(model, inputs, names):
    """The model with the inputs `names` replaced by initializers of their values."""
    frozen = onnx.ModelProto()
    frozen.CopyFrom(model)
    keep, values = [], {}
    for vi, a in zip(model.graph.input, inputs):
        if vi.name in names:
            frozen.graph.initializer.append(numpy_helper.from_array(a, vi.name))
            continue
        keep.append(vi)
        values[vi.name] = a
    del frozen.graph.input[:]
    frozen.graph.input.extend(keep)
    return frozen, [values[vi.name] for vi in keep]


def compare(name, out, ref, out_dtype):
    if ref.dtype.name == "bfloat16":  # read back widened to float32
        if out_dtype != "BF16":
            return f"{name}: dtype {out_dtype}, expected BF16"
        ref, out = ref.astype(np.float32), out.astype(np.float32)
    if out.shape != ref.shape:
        return f"{name}: shape {list(out.shape)}, expected {list(ref.shape)}"
    if ref.dtype in SUB_BYTE_INTS:  # compared as the bytes they are stored in
        if out.dtype != ref.dtype:
            return f"{name}: dtype {out.dtype}, expected {ref.dtype}"
        byte = SUB_BYTE_INTS[ref.dtype][1]
        ref, out = ref.astype(byte), out.astype(byte)
    if ref.dtype.kind in "iub":
        if out.dtype != ref.dtype:
            return f"{name}: dtype {out.dtype}, expected {ref.dtype}"
        bad = np.count_nonzero(out.astype(np.int64) != ref.astype(np.int64))
        return f"{name}: {bad} of {ref.size} elements differ" if bad else None
    if out.dtype != ref.dtype:
        return f"{name}: dtype {out.dtype}, expected {ref.dtype}"
    o, r = out.astype(np.float64), ref.astype(np.float64)
    nan = np.isnan(r)
    if np.any(np.isnan(o) != nan):
        return f"{name}: NaN where the reference has none (or the reverse)"
    o, r = o[~nan], r[~nan]
    inf = np.isinf(r)
    if np.any(o[inf] != r[inf]):
        return f"{name}: infinities differ"
    o, r = o[~inf], r[~inf]
    tol = ATOL + RTOL * np.abs(r)
    if ref.dtype == np.float16 or out_dtype == "BF16":
        tol = 1e-3 + 1e-2 * np.abs(r)
    err = np.abs(o - r)
    bad = np.count_nonzero(~(err <= tol))
    if bad:
        return f"{name}: {bad} of {ref.size} elements off (max abs error {float(np.nanmax(err)):.3g})"
    return None


def run_test(test, bin_dir, scratch):
    """Returns (test, status, detail); status: pass, fail."""
    folder = os.path.join(NODE_DIR, test)
    model = onnx.load(os.path.join(folder, "model.onnx"))
    sets = sorted(d for d in os.listdir(folder) if d.startswith("test_data_set_"))
    work = tempfile.mkdtemp(prefix=test + ".", dir=scratch)
    for s in sets:
        ds = os.path.join(folder, s)
        def pbs(kind):
            return sorted((f for f in os.listdir(ds) if f.startswith(kind + "_")),
                          key=lambda f: int(re.findall(r"\d+", f)[0]))
        try:
            inputs = [load_pb(os.path.join(ds, f)) for f in pbs("input")]
            refs = [load_pb(os.path.join(ds, f)) for f in pbs("output")]
        except Exception as e:  # sequences, optionals: not tensors; say what thunderc says of the model
            path = os.path.join(folder, "model.onnx")
            r = subprocess.run([os.path.join(bin_dir, "thunderc"), path, "--target=cpu",
                                "--emit=mlir", "-o", os.devnull], capture_output=True, text=True, timeout=300)
            lines = [l for l in r.stderr.splitlines() if l.startswith("error")]
            if r.returncode != 0 and lines:
                return test, "fail", "compile: " + lines[0].replace(path, "model.onnx")
            return test, "fail", f"data: {type(e).__name__}: {e}"
        model_path = os.path.join(work, "model.onnx")
        so = os.path.join(work, "model.so")
        constant = set()
        while True:  # fold the inputs thunderc needs at compile time, as it names them
            frozen, run_inputs = freeze_inputs(model, inputs, constant)
            onnx.save(frozen, model_path)
            r = subprocess.run([os.path.join(bin_dir, "thunderc"), model_path, "--target=cpu", "-o", so],
                               capture_output=True, text=True, timeout=300)
            wanted = MUST_BE_CONSTANT.search(r.stderr)
            sources = source_inputs(model, wanted.group(1)) - constant if wanted else set()
            if r.returncode == 0 or not sources:
                break
            constant |= sources
        if r.returncode != 0:
            lines = [l for l in r.stderr.splitlines() if l.startswith("error")]
            msg = (lines[0] if lines else r.stderr.strip()[-300:]).replace(model_path, "model.onnx")
            return test, "fail", "compile: " + msg
        try:
            write_safetensors(os.path.join(work, "in.safetensors"),
                              {f"input.{i}": a for i, a in enumerate(run_inputs)})
        except ValueError as e:
            return test, "fail", f"inputs: {e}"
        out_path = os.path.join(work, "out.safetensors")
        r = subprocess.run([os.path.join(bin_dir, "thunder-run"), so, "--inputs",
                            os.path.join(work, "in.safetensors"), "--save", out_path],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            return test, "fail", "run: " + (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        outs, out_dtypes = read_safetensors(out_path)
        for i, ref in enumerate(refs):
            out = outs.get(f"output.{i}")
            if out is None:
                return test, "fail", f"output.{i} missing"
            why = compare(f"{s}/output.{i}", out, ref, out_dtypes[f"output.{i}"])
            if why:
                return test, "fail", "mismatch: " + why
    return test, "pass", ""


def read_list(path):
    entries = {}
    if path and os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(":")
                entries[name.strip()] = reason.strip()
    return entries


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="folder with thunderc and thunder-run")
    ap.add_argument("--xfail", help="expected failures: 'test_name: reason' lines")
    ap.add_argument("--subset", help="run only the tests listed in this file (one a line)")
    ap.add_argument("--filter", help="run only the tests whose name matches this regex")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--report", help="write 'test<TAB>status<TAB>detail' lines here")
    ap.add_argument("--write-xfail", help="write the failures as an xfail file here")
    ap.add_argument("--write-index", help="write every standard-domain test with its op_types here "
                                          "(test/onnx/node-tests.txt, for scripts/gen_status.py)")
    ap.add_argument("--scratch", default=None, help="folder for the compiled models")
    args = ap.parse_args()

    all_tests = sorted(t for t in os.listdir(NODE_DIR)
                       if os.path.exists(os.path.join(NODE_DIR, t, "model.onnx")))
    tests, other_domain, op_types = [], [], {}
    for t in all_tests:
        m = onnx.load(os.path.join(NODE_DIR, t, "model.onnx"), load_external_data=False)
        (tests if standard_domain(m) else other_domain).append(t)
        op_types[t] = sorted({n.op_type for n in m.graph.node})
    if args.write_index:
        with open(args.write_index, "w") as f:
            f.write("# ONNX backend node tests of the standard domain (onnx 1.22.0) and the op_types of each\n")
            for t in tests:
                f.write(f"{t}\t{','.join(op_types[t])}\n")
    if args.subset:
        wanted = set(read_list(args.subset)) | {l.strip() for l in open(args.subset)
                                                if l.strip() and not l.startswith("#")}
        tests = [t for t in tests if t in wanted]
    if args.filter:
        tests = [t for t in tests if re.search(args.filter, t)]
    xfail = read_list(args.xfail)

    scratch = tempfile.mkdtemp(prefix="onnx-node-", dir=args.scratch)
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_test, t, args.bin, scratch) for t in tests]
        for f in concurrent.futures.as_completed(futures):
            try:
                results.append(f.result())
            except Exception as e:  # a harness problem is a failure of that test, with why
                results.append((tests[futures.index(f)], "fail", f"harness: {type(e).__name__}: {e}"))
    subprocess.run(["rm", "-rf", scratch])
    results.sort()

    passed = sum(1 for _, s, _ in results if s == "pass")
    unexpected = [(t, d) for t, s, d in results if s == "fail" and t not in xfail]
    xpass = [t for t, s, _ in results if s == "pass" and t in xfail]
    if args.report:
        with open(args.report, "w") as f:
            for t, s, d in results:
                f.write(f"{t}\t{s}\t{d}\n")
    if args.write_xfail:
        with open(args.write_xfail, "w") as f:
            f.write("# ONNX backend node tests thunderc fails on CPU, with why (test/onnx/run_node_tests.py)\n")
            for t, s, d in results:
                if s == "fail":
                    f.write(f"{t}: {d}\n")
    for t, d in unexpected:
        print(f"FAIL {t}: {d}")
    for t in xpass:
        print(f"XPASS {t}: listed in the xfail file but passes; remove it")
    print(f"onnx node tests: {passed} of {len(results)} standard-domain tests pass "
          f"({100.0 * passed / max(len(results), 1):.1f}%); {len(other_domain)} tests of other "
          f"domains not run; {len(unexpected)} unexpected failures, {len(xpass)} unexpected passes")
    return 1 if unexpected or xpass else 0


if __name__ == "__main__":
    sys.exit(main())
