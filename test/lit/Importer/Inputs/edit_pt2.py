#!/usr/bin/env python3
"""Makes a broken .pt2 from a good one by editing its models/model.json.

    edit_pt2.py IN.pt2 OUT.pt2 CASE
    edit_pt2.py IN.pt2 OUT.pt2 set-arg TARGET_SUFFIX NAME ARGUMENT_JSON

CASE names the edit (see EDITS below); set-arg replaces one argument of the
first node whose target ends with TARGET_SUFFIX (the fuzzers' regressions:
'set-arg aten.conv2d.default stride {"as_ints": [0, 1]}'). Every other entry is copied unchanged,
so the result is a real torch.export archive except for the one defect the
importer must report.
"""
import json
import sys
import zipfile


def nodes(program):
    return program["graph_module"]["graph"]["nodes"]


def find_node(program, target_suffix):
    for node in nodes(program):
        if node["target"].endswith(target_suffix):
            return node
    raise SystemExit(f"no node with target *{target_suffix}")


def unsupported_op(program):
    # mlp: the GELU node becomes an operator nobody implements.
    find_node(program, "aten.gelu.default")["target"] = "torch.ops.aten.foo.default"


def bad_dtype(program):
    # The user input becomes complex64 (schema code 10).
    graph = program["graph_module"]["graph"]
    name = graph["inputs"][-1]["as_tensor"]["name"]
    graph["tensor_values"][name]["dtype"] = 10


def shape_mismatch(program):
    # The first linear's result claims one column less than it has.
    graph = program["graph_module"]["graph"]
    node = find_node(program, "aten.linear.default")
    name = node["outputs"][0]["as_tensor"]["name"]
    graph["tensor_values"][name]["sizes"][-1]["as_int"] -= 1


def int_output(program):
    # The program returns an int instead of its tensor.
    graph = program["graph_module"]["graph"]
    graph["outputs"] = [{"as_int": 3}]
    program["graph_module"]["signature"]["output_specs"] = [
        {"user_output": {"arg": {"as_int": 3}}}]


def dropout_train(program):
    # A training-mode dropout with p = 0.1.
    for node in nodes(program):
        if node["target"].endswith("aten.dropout.default"):
            for arg in node["inputs"]:
                if arg["name"] == "p":
                    arg["arg"] = {"as_float": 0.1}
            return
    raise SystemExit("no dropout node")


def huge_input(program):
    # The user input's first size becomes 2**61: its byte size overflows int64.
    graph = program["graph_module"]["graph"]
    name = graph["inputs"][-1]["as_tensor"]["name"]
    graph["tensor_values"][name]["sizes"][0] = {"as_int": 2**61}


def set_arg(program, target_suffix, name, value):
    for arg in find_node(program, target_suffix)["inputs"]:
        if arg["name"] == name:
            arg["arg"] = json.loads(value)
            return
    raise SystemExit(f"no argument {name} of *{target_suffix}")


EDITS = {
    "unsupported-op": unsupported_op,
    "bad-dtype": bad_dtype,
    "shape-mismatch": shape_mismatch,
    "int-output": int_output,
    "dropout-train": dropout_train,
    "huge-input": huge_input,
    "set-arg": set_arg,
}


def main():
    src, dst, case, *extra = sys.argv[1:]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("models/model.json"):
                program = json.loads(data)
                EDITS[case](program, *extra)
                data = json.dumps(program).encode()
            zout.writestr(info, data)


if __name__ == "__main__":
    main()
