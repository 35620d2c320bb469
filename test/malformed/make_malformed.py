#!/usr/bin/env python3
"""Writes the malformed .pt2 archives (and a few unusual but valid ones) under test/malformed/.

Every archive is derived from test/fixtures/mlp.pt2, shrunk first (Linear 4->8, GELU, Linear 8->2 on a
batch of 8) so that each file stays a few kilobytes. PT2MalformedTest.cpp checks that the reader refuses
each `<case>.pt2` with the message it expects, and that the `valid_*.pt2` archives load with the right
values. Python standard library only; run it from anywhere:

    python3 test/malformed/make_malformed.py
"""

import copy
import io
import json
import os
import struct
import sys
import warnings
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "fixtures", "mlp.pt2")
ROOT = "mlp"
MODEL = f"{ROOT}/models/model.json"
WEIGHTS_CONFIG = f"{ROOT}/data/weights/model_weights_config.json"
CONSTANTS_CONFIG = f"{ROOT}/data/constants/model_constants_config.json"

# The shrink: every dimension of these sizes becomes the smaller one.
SHRINK = {64: 4, 128: 8, 10: 2}


class Archive:
    """Entries in order, each with its bytes and compression; writes a zip like torch.export.save does."""

    def __init__(self, entries):
        self.entries = list(entries)  # [(name, bytes, compress_type)]

    def copy(self):
        return Archive(list(self.entries))

    def names(self):
        return [name for name, _, _ in self.entries]

    def get(self, name):
        for entry_name, data, _ in self.entries:
            if entry_name == name:
                return data
        raise KeyError(name)

    def set(self, name, data, compress=zipfile.ZIP_STORED):
        for i, (entry_name, _, _) in enumerate(self.entries):
            if entry_name == name:
                self.entries[i] = (name, data, compress)
                return
        self.entries.append((name, data, compress))

    def remove(self, name):
        before = len(self.entries)
        self.entries = [e for e in self.entries if e[0] != name]
        assert len(self.entries) < before, name

    def rename(self, old, new):
        self.entries = [(new if n == old else n, d, c) for n, d, c in self.entries]

    def json(self, name):
        return json.loads(self.get(name))

    def set_json(self, name, obj):
        self.set(name, json.dumps(obj).encode())

    def to_bytes(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for name, data, compress in self.entries:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = compress
                z.writestr(info, data)
        return buffer.getvalue()


def contiguous_strides(sizes):
    strides, running = [], 1
    for size in reversed(sizes):
        strides.insert(0, running)
        running *= size
    return strides


def shrink_meta(meta):
    sizes = [SHRINK.get(s["as_int"], s["as_int"]) for s in meta["sizes"]]
    meta["sizes"] = [{"as_int": s} for s in sizes]
    meta["strides"] = [{"as_int": s} for s in contiguous_strides(sizes)]


def numel(meta):
    n = 1
    for s in meta["sizes"]:
        n *= s["as_int"]
    return n


def small_mlp():
    """mlp.pt2 with every tensor shrunk, the sample inputs pickle dropped and stack traces cut short."""
    with zipfile.ZipFile(SOURCE) as z:
        archive = Archive((i.filename, z.read(i.filename), zipfile.ZIP_STORED) for i in z.infolist())
    archive.remove(f"{ROOT}/data/sample_inputs/model.pt")
    model = archive.json(MODEL)
    graph = model["graph_module"]["graph"]
    for meta in graph["tensor_values"].values():
        shrink_meta(meta)
    for node in graph["nodes"]:
        trace = node["metadata"].get("stack_trace", "")
        node["metadata"]["stack_trace"] = trace[trace.rfind("  File") + 2:] if "  File" in trace else trace
    archive.set_json(MODEL, model)
    config = archive.json(WEIGHTS_CONFIG)
    for entry in config["config"].values():
        shrink_meta(entry["tensor_meta"])
        path = f"{ROOT}/data/weights/{entry['path_name']}"
        # Deterministic values: element i of weight_k is k + i / 100.
        k = int(entry["path_name"].split("_")[1])
        values = [k + i / 100 for i in range(numel(entry["tensor_meta"]))]
        archive.set(path, struct.pack(f"<{len(values)}f", *values))
    archive.set_json(WEIGHTS_CONFIG, config)
    return archive


def edit_json(archive, name, edit):
    obj = archive.json(name)
    edit(obj)
    archive.set_json(name, obj)
    return archive


def edit_model(base, edit):
    return edit_json(base.copy(), MODEL, edit)


def edit_weights_config(base, edit):
    return edit_json(base.copy(), WEIGHTS_CONFIG, edit)


def graph_of(model):
    return model["graph_module"]["graph"]


def nested_lists(depth):
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


def patch_zip_bytes(data, offset, replacement):
    return data[:offset] + replacement + data[offset + len(replacement):]


def malformed_cases(base):
    """name -> archive bytes, each refused by the reader (the expected messages are in the C++ test)."""
    cases = {}

    def add(name, archive_or_bytes):
        cases[name] = archive_or_bytes if isinstance(archive_or_bytes, bytes) else archive_or_bytes.to_bytes()

    base_bytes = base.to_bytes()

    # --- The container ---
    add("not_a_zip", b"this is not a zip archive\n" * 8)
    add("truncated", base_bytes[: len(base_bytes) // 2])
    add("truncated_middle", base_bytes[:200] + base_bytes[264:])
    add("empty_zip", Archive([]))
    # One byte of weight_0's data flipped: the CRC no longer matches.
    weight0 = base.get(f"{ROOT}/data/weights/weight_0")
    at = base_bytes.find(weight0)
    add("corrupt_weight_crc", patch_zip_bytes(base_bytes, at + 5, bytes([base_bytes[at + 5] ^ 0xFF])))
    # model.json padded with 20 MB of JSON whitespace, deflated: ratio ~1000.
    bomb = base.copy()
    bomb.set(MODEL, base.get(MODEL) + b" " * (20 << 20), zipfile.ZIP_DEFLATED)
    add("decompression_bomb", bomb)
    dotdot = base.copy()
    dotdot.set(f"{ROOT}/../evil", b"x")
    add("dotdot_entry", dotdot)
    absolute = base.copy()
    absolute.set("/etc/evil", b"x")
    add("absolute_entry", absolute)
    duplicate = base.copy()
    warnings.filterwarnings("ignore", "Duplicate name", UserWarning)  # the duplicate is the point
    duplicate.entries.append((f"{ROOT}/byteorder", b"big", zipfile.ZIP_STORED))
    add("duplicate_entry", duplicate)

    # --- Archive records ---
    missing_format = base.copy()
    missing_format.remove(f"{ROOT}/archive_format")
    add("missing_archive_format", missing_format)
    bad_format = base.copy()
    bad_format.set(f"{ROOT}/archive_format", b"zip")
    add("bad_archive_format", bad_format)
    bad_version = base.copy()
    bad_version.set(f"{ROOT}/archive_version", b"1")
    add("bad_archive_version", bad_version)
    bad_order = base.copy()
    bad_order.set(f"{ROOT}/byteorder", b"middle")
    add("bad_byteorder", bad_order)
    no_model = base.copy()
    no_model.remove(MODEL)
    add("missing_model_json", no_model)

    # --- JSON text ---
    invalid = base.copy()
    invalid.set(MODEL, base.get(MODEL)[:-40])
    add("invalid_json", invalid)
    add("deep_json", edit_model(base, lambda m: m.__setitem__("extra", nested_lists(300))))
    bad_utf8 = base.copy()
    bad_utf8.set(MODEL, base.get(MODEL).replace(b'"stack_trace": "', b'"stack_trace": "\xff\xfe', 1))
    add("bad_utf8", bad_utf8)

    # --- Schema content ---
    def set_dtype(m):
        graph_of(m)["tensor_values"]["input"]["dtype"] = 99
    add("unknown_dtype", edit_model(base, set_dtype))

    def negative_size(m):
        graph_of(m)["tensor_values"]["linear"]["sizes"][0] = {"as_int": -8}
    add("negative_size", edit_model(base, negative_size))

    def negative_offset(m):
        graph_of(m)["tensor_values"]["linear"]["storage_offset"] = {"as_int": -1}
    add("negative_storage_offset", edit_model(base, negative_offset))

    def strides_mismatch(m):
        graph_of(m)["tensor_values"]["gelu"]["strides"].append({"as_int": 1})
    add("sizes_strides_mismatch", edit_model(base, strides_mismatch))

    def int_out_of_range(m):
        graph_of(m)["tensor_values"]["input"]["sizes"][1] = {"as_int": 9223372036854775808}
    add("int_out_of_range", edit_model(base, int_out_of_range))

    def bad_expr(m):
        graph_of(m)["tensor_values"]["input"]["sizes"][0] = {
            "as_expr": {"expr_str": "Symbol('s0', integer=True", "hint": {"as_int": 8}}}
    add("bad_sym_expr", edit_model(base, bad_expr))

    def schema_7(m):
        m["schema_version"] = {"major": 7, "minor": 3}
    add("schema_major_7", edit_model(base, schema_7))

    def unknown_variant(m):
        graph_of(m)["nodes"][1]["inputs"][0]["arg"] = {"as_banana": 1}
    add("unknown_argument_variant", edit_model(base, unknown_variant))

    def two_variants(m):
        graph_of(m)["nodes"][1]["inputs"][0]["arg"] = {"as_tensor": {"name": "linear"}, "as_int": 1}
    add("two_variants", edit_model(base, two_variants))

    def bad_float(m):
        graph_of(m)["nodes"][1]["inputs"].append({"name": "x", "arg": {"as_float": "Banana"}, "kind": 2})
    add("bad_float_string", edit_model(base, bad_float))

    def missing_target(m):
        del graph_of(m)["nodes"][1]["target"]
    add("missing_field", edit_model(base, missing_target))

    # --- Graph structure ---
    def swap_nodes(m):
        nodes = graph_of(m)["nodes"]
        nodes[0], nodes[1] = nodes[1], nodes[0]
    add("use_before_def", edit_model(base, swap_nodes))

    def undefined(m):
        graph_of(m)["nodes"][1]["inputs"][0]["arg"] = {"as_tensor": {"name": "nonexistent"}}
    add("undefined_value", edit_model(base, undefined))

    def duplicate_def(m):
        graph = graph_of(m)
        graph["nodes"][1]["outputs"] = [{"as_tensor": {"name": "linear"}}]
    add("duplicate_definition", edit_model(base, duplicate_def))

    def drop_meta(m):
        del graph_of(m)["tensor_values"]["gelu"]
    add("missing_tensor_meta", edit_model(base, drop_meta))

    def drop_input_spec(m):
        m["graph_module"]["signature"]["input_specs"].pop(0)
    add("input_spec_count", edit_model(base, drop_input_spec))

    def wrong_bias_shape(m):
        graph_of(m)["tensor_values"]["p_0_bias"]["sizes"] = [{"as_int": 4}]
    add("weight_meta_mismatch", edit_model(base, wrong_bias_shape))

    # --- Payloads ---
    def huge(c):
        c["config"]["0.bias"]["tensor_meta"]["sizes"] = [{"as_int": 1 << 62}, {"as_int": 1 << 62}]
        c["config"]["0.bias"]["tensor_meta"]["strides"] = [{"as_int": 1}, {"as_int": 1}]
    add("huge_numel", edit_weights_config(base, huge))

    def far_stride(c):
        c["config"]["0.bias"]["tensor_meta"]["strides"] = [{"as_int": 1 << 62}]
    add("stride_overflow", edit_weights_config(base, far_stride))

    def symbolic_weight(c):
        c["config"]["0.bias"]["tensor_meta"]["sizes"] = [
            {"as_expr": {"expr_str": "Symbol('s0', positive=True, integer=True)", "hint": {"as_int": 8}}}]
    add("symbolic_weight", edit_weights_config(base, symbolic_weight))

    def pickled(c):
        c["config"]["0.bias"]["use_pickle"] = True
        c["config"]["0.bias"]["tensor_meta"] = None
    add("pickled_weight", edit_weights_config(base, pickled))

    def unsafe_path(c):
        c["config"]["0.bias"]["path_name"] = "../weights/weight_1"
    add("unsafe_path_name", edit_weights_config(base, unsafe_path))

    def drop_param(c):
        del c["config"]["2.bias"]
    add("parameter_not_in_config", edit_weights_config(base, drop_param))

    missing_weight = base.copy()
    missing_weight.remove(f"{ROOT}/data/weights/weight_3")
    add("missing_weight_file", missing_weight)
    short_weight = base.copy()
    short_weight.set(f"{ROOT}/data/weights/weight_1", base.get(f"{ROOT}/data/weights/weight_1")[:10])
    add("short_weight_file", short_weight)
    no_config = base.copy()
    no_config.remove(WEIGHTS_CONFIG)
    add("missing_weights_config", no_config)

    # --- Older layouts with pickled weights ---
    legacy = Archive([
        ("version", b"8.17", zipfile.ZIP_STORED),
        ("serialized_exported_program.json", base.get(MODEL), zipfile.ZIP_STORED),
        ("serialized_state_dict.pt", b"PK-not-really-a-pickle", zipfile.ZIP_STORED),
        ("serialized_constants.pt", b"PK-not-really-a-pickle", zipfile.ZIP_STORED),
    ])
    add("legacy_with_weights", legacy)
    pt28 = base.copy()
    pt28.remove(WEIGHTS_CONFIG)
    for k in range(4):
        pt28.remove(f"{ROOT}/data/weights/weight_{k}")
    pt28.set(f"{ROOT}/data/weights/model.pt", b"\x80\x02not-really-a-pickle")
    add("pt28_pickled_weights", pt28)
    return cases


def without_parameters(model):
    """The program with its parameters turned into user inputs: it needs no weights."""
    model = copy.deepcopy(model)
    specs = model["graph_module"]["signature"]["input_specs"]
    for i, spec in enumerate(specs):
        if "parameter" in spec:
            specs[i] = {"user_input": {"arg": {"as_tensor": spec["parameter"]["arg"]}}}
    return model


def valid_cases(base):
    """name -> archive bytes of archives that must load (PT2MalformedTest.cpp checks their contents)."""
    cases = {"valid_small_mlp": base.to_bytes()}

    # Big-endian weights: same values as valid_small_mlp once read.
    big = base.copy()
    big.set(f"{ROOT}/byteorder", b"big")
    for k in range(4):
        name = f"{ROOT}/data/weights/weight_{k}"
        data = base.get(name)
        values = struct.unpack(f"<{len(data) // 4}f", data)
        big.set(name, struct.pack(f">{len(values)}f", *values))
    cases["valid_big_endian"] = big.to_bytes()

    # 0.weight [8, 4] stored transposed (strides [1, 8]); 0.bias [8] at storage offset 3.
    strided = base.copy()
    config = strided.json(WEIGHTS_CONFIG)
    w_name = f"{ROOT}/data/weights/weight_0"
    w = struct.unpack("<32f", base.get(w_name))
    transposed = [w[r * 4 + c] for c in range(4) for r in range(8)]
    strided.set(w_name, struct.pack("<32f", *transposed))
    config["config"]["0.weight"]["tensor_meta"]["strides"] = [{"as_int": 1}, {"as_int": 8}]
    b_name = f"{ROOT}/data/weights/weight_1"
    strided.set(b_name, struct.pack("<3f", -1.0, -2.0, -3.0) + base.get(b_name) + struct.pack("<f", -4.0))
    config["config"]["0.bias"]["tensor_meta"]["storage_offset"] = {"as_int": 3}
    strided.set_json(WEIGHTS_CONFIG, config)
    cases["valid_strided_view"] = strided.to_bytes()

    # Early PyTorch 2.8: no root folder.
    no_root = Archive((n[len(ROOT) + 1:], d, c) for n, d, c in base.entries)
    cases["valid_no_root_folder"] = no_root.to_bytes()

    # Two models in one archive; the second one is called "other".
    two = base.copy()
    two.set(f"{ROOT}/models/other.json", base.get(MODEL))
    two.set(f"{ROOT}/data/weights/other_weights_config.json", base.get(WEIGHTS_CONFIG))
    two.set(f"{ROOT}/data/constants/other_constants_config.json", base.get(CONSTANTS_CONFIG))
    cases["valid_two_models"] = two.to_bytes()

    # Every entry deflated (torch stores them, but a re-zipped archive is still fine).
    deflated = Archive((n, d, zipfile.ZIP_DEFLATED) for n, d, _ in base.entries)
    cases["valid_deflated"] = deflated.to_bytes()

    # Legacy (PyTorch <= 2.7) layout with a program that needs no weights.
    legacy = Archive([
        ("version", b"8.17", zipfile.ZIP_STORED),
        ("serialized_exported_program.json", json.dumps(without_parameters(base.json(MODEL))).encode(),
         zipfile.ZIP_STORED),
    ])
    cases["valid_legacy_no_weights"] = legacy.to_bytes()
    return cases


def main():
    base = small_mlp()
    cases = {**malformed_cases(base), **valid_cases(base)}
    for stale in os.listdir(HERE):
        if stale.endswith(".pt2") and stale[:-4] not in cases:
            os.remove(os.path.join(HERE, stale))
    for name, data in sorted(cases.items()):
        with open(os.path.join(HERE, name + ".pt2"), "wb") as f:
            f.write(data)
    print(f"wrote {len(cases)} archives to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
