#!/usr/bin/env python3
"""Writes the small ONNX models of test/lit/ONNX (committed; rerun after changing one):

    gen_onnx_cases.py OUTDIR

Needs the onnx package (scripts/setup.sh puts onnx 1.22.0 in .venv-torch).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, outputs, inits=(), opset=18, name="case"):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="gen_onnx_cases", producer_version="1.0")
    m.ir_version = 8
    return m


def main(out):
    os.makedirs(out, exist_ok=True)
    f32 = TensorProto.FLOAT
    w = numpy_helper.from_array(np.arange(4, dtype=np.float32), "w")
    # A dynamic batch (dim_param) and a weight.
    onnx.save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add0")],
                    [helper.make_tensor_value_info("x", f32, ["batch", 4])],
                    [helper.make_tensor_value_info("y", f32, ["batch", 4])], [w]),
              os.path.join(out, "dynamic_add.onnx"))
    # An op_type nobody converts.
    onnx.save(model([helper.make_node("Foo", ["x"], ["y"], name="my_node")],
                    [helper.make_tensor_value_info("x", f32, [2])],
                    [helper.make_tensor_value_info("y", f32, [2])]),
              os.path.join(out, "unsupported.onnx"))
    # Opset 6: older than any converter knows.
    onnx.save(model([helper.make_node("Relu", ["x"], ["y"])],
                    [helper.make_tensor_value_info("x", f32, [2])],
                    [helper.make_tensor_value_info("y", f32, [2])], opset=6),
              os.path.join(out, "opset6.onnx"))
    # Opset 11: read, but Softmax meant something else then (2-D coercion).
    onnx.save(model([helper.make_node("Softmax", ["x"], ["y"], name="softmax0")],
                    [helper.make_tensor_value_info("x", f32, [2, 3])],
                    [helper.make_tensor_value_info("y", f32, [2, 3])], opset=11),
              os.path.join(out, "softmax_opset11.onnx"))
    # An unsigned input: stored as i8, uint8 in the ABI; compared unsigned.
    onnx.save(model([helper.make_node("Less", ["x", "z"], ["y"], name="less0")],
                    [helper.make_tensor_value_info("x", TensorProto.UINT8, [2]),
                     helper.make_tensor_value_info("z", TensorProto.UINT8, [2])],
                    [helper.make_tensor_value_info("y", TensorProto.BOOL, [2])]),
              os.path.join(out, "uint8.onnx"))
    # A string input (refused).
    onnx.save(model([helper.make_node("Identity", ["x"], ["y"])],
                    [helper.make_tensor_value_info("x", TensorProto.STRING, [2])],
                    [helper.make_tensor_value_info("y", TensorProto.STRING, [2])]),
              os.path.join(out, "string.onnx"))
    # A shape operand only known at run time.
    onnx.save(model([helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape0")],
                    [helper.make_tensor_value_info("x", f32, [2, 3]),
                     helper.make_tensor_value_info("s", TensorProto.INT64, [2])],
                    [helper.make_tensor_value_info("y", f32, [3, 2])]),
              os.path.join(out, "runtime_shape.onnx"))
    # Weights in an external data file, and one pointing outside the model's folder.
    for case, location in (("external", "external.bin"), ("external_escape", "../escape.bin")):
        t = numpy_helper.from_array(np.full((4,), 2.0, dtype=np.float32), "w")
        t.ClearField("raw_data")
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", "0"), ("length", "16")):
            t.external_data.add(key=k, value=v)
        onnx.save(model([helper.make_node("Mul", ["x", "w"], ["y"], name="mul0")],
                        [helper.make_tensor_value_info("x", f32, [4])],
                        [helper.make_tensor_value_info("y", f32, [4])], [t]),
                  os.path.join(out, case + ".onnx"))
    with open(os.path.join(out, "external.bin"), "wb") as f:
        f.write(np.full((4,), 2.0, dtype=np.float32).tobytes())


if __name__ == "__main__":
    main(sys.argv[1])
