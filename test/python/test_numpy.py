"""thunderc.runtime without torch: numpy arrays in, DLPack results out, on fixtures compiled by thunderc.compile
and checked against PyTorch's reference files; caller-owned weights read at every call; errors as exceptions."""

import os
import sys

sys.modules["torch"] = None  # any import of torch now fails: this tier must work without it
sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

import unittest  # noqa: E402

import numpy as np  # noqa: E402

import thunderc  # noqa: E402
from thunderc import runtime, safetensors  # noqa: E402


def reference(name):
    return {k: v.numpy() for k, v in safetensors.read(common.fixture(name + ".ref.safetensors")).items()}


class NumpyRuntime(unittest.TestCase):
    def assertClose(self, actual, expected, tol, what):
        self.assertEqual(common.close(actual, expected, tol), "", what)

    def test_dynamic_batch(self):
        path = common.compiled("mlp_dynamic_batch")
        info = thunderc.describe(path)
        self.assertEqual(info.target, "cpu")
        (x,) = info.inputs
        self.assertIsNone(x.shape[0])
        self.assertEqual((x.dim_min[0], x.dim_max[0]), (1, 4096))
        ref = reference("mlp_dynamic_batch")
        m = runtime.Model(path)
        (y,) = m.forward(ref["input.0"])
        self.assertEqual((y.shape, y.dtype), (ref["output.0"].shape, "float32"))
        self.assertClose(y.numpy(), ref["output.0"], common.FORWARD_TOL, "output")
        # Another batch size; a read-only array crosses through DLPack 1.0.
        three = ref["input.0"][:3].copy()
        three.flags.writeable = False
        (y3,) = m.forward(three)
        self.assertClose(np.from_dlpack(y3), ref["output.0"][:3], common.FORWARD_TOL, "batch of 3")
        with self.assertRaisesRegex(BufferError, "already handed over"):
            np.from_dlpack(y3)
        with self.assertRaisesRegex(runtime.ThunderError, "input 0") as e:
            m.forward(np.zeros((0, 64), np.float32))
        self.assertEqual(e.exception.status, runtime.ERR_SHAPE)

    def test_backward_with_caller_owned_weights(self):
        path = common.compiled("mlp_train", backward=True, weights="external")
        ref = reference("mlp_train")
        with runtime.Model(path) as m:  # the weights file thunderc wrote beside the .so
            self.assertTrue(m.info.has_backward and m.info.weights_external)
            (y,) = m.forward(ref["input.0"])
            self.assertClose(y.numpy(), ref["output.0"], common.FORWARD_TOL, "output")
            grad_params, grad_inputs = m.backward([ref["cotangent.0"]])
            self.assertClose(grad_inputs[0].numpy(), ref["grad.input.0"], common.GRAD_TOL, "grad.input.0")
            for p, g in zip(m.info.params, grad_params):
                self.assertClose(g.numpy(), ref["grad.param." + p.name], common.GRAD_TOL, p.name)

        # Parameters as the caller's arrays: borrowed, so an in-place update changes the next forward.
        weights = {k: v.numpy() for k, v in safetensors.read(runtime.default_weights_path(path)).items()}
        params = [weights["param." + p.name].copy() for p in runtime.describe(path).params]
        m = runtime.Model(path, params=params)
        (y0,) = m.forward(ref["input.0"])
        y0 = y0.numpy().copy()
        self.assertClose(y0, ref["output.0"], common.FORWARD_TOL, "output with caller weights")
        params[-1] += 1.0  # the last parameter is the output layer's bias
        (y1,) = m.forward(ref["input.0"])
        self.assertClose(y1.numpy(), y0 + 1.0, common.FORWARD_TOL, "output after an in-place update")

    def test_errors(self):
        path = common.compiled("mlp_train", backward=True, weights="external")
        with self.assertRaisesRegex(runtime.ThunderError, r"weights file .*nothing.safetensors") as e:
            runtime.Model(path, weights=os.path.join(common.OUT, "nothing.safetensors"))
        self.assertEqual(e.exception.status, runtime.ERR_FILE)
        with self.assertRaisesRegex(ValueError, "1 parameters given; the model declares 4"):
            runtime.Model(path, params=[np.zeros(3, np.float32)])
        m = runtime.Model(path)
        with self.assertRaisesRegex(runtime.ThunderError, "backward needs a successful forward") as e:
            m.backward([np.zeros((8, 10), np.float32)])
        self.assertEqual(e.exception.status, runtime.ERR_STATE)
        with self.assertRaisesRegex(TypeError, "input 0: expected a tensor that supports DLPack"):
            m.forward([[1.0]])
        with self.assertRaisesRegex(runtime.ThunderError, "expected dtype float32, got float64"):
            m.forward(np.zeros((8, 64)))
        with self.assertRaisesRegex(runtime.ThunderError, "not a thunderc model|cannot load"):
            runtime.Library(common.fixture("mlp.pt2"))
        self.assertNotIn("torch", [k for k, v in sys.modules.items() if v is not None])


if __name__ == "__main__":
    common.main(__name__)
