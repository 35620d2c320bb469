"""thunderc.load: compiled fixtures as torch.nn.Modules, checked against PyTorch's reference files; gradients
through torch.autograd; torch.optim training the bound nn.Parameters; the runtime's errors as exceptions."""

import copy
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

try:
    import torch
except ImportError:
    # CI installs torch (scripts/setup.sh, .venv-torch): its absence is a broken setup, not a reason to skip.
    sys.exit("error: torch is not importable from " + sys.executable + ": run scripts/setup.sh (it makes "
             ".venv-torch) or configure with -DTHUNDER_TORCH_PYTHON=<a python with torch 2.11>")

import unittest  # noqa: E402

import thunderc  # noqa: E402
from thunderc import safetensors  # noqa: E402


DEVICE = torch.device(common.DEVICE)


def reference(name):
    """The fixture's reference tensors, on the device the models run on."""
    file = safetensors.read(common.fixture(name + ".ref.safetensors"))
    return {k: v.torch().to(DEVICE) for k, v in file.items()}


def compiled_models():
    """Every model these tests load; --compile-only makes them (for the GPU machine, which has no thunderc)."""
    return [common.compiled("mlp"), common.compiled("gpt2_tiny", weights="external"),
            common.compiled("cnn_train", backward=True, weights="external"),
            common.compiled("mlp_train", backward=True, weights="external"), exported_model()[1]]


def exported_model():
    """A small eager module (the same weights on every run) and its export compiled with a backward."""
    torch.manual_seed(0)
    eager = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.Tanh(), torch.nn.Linear(32, 4))
    x = torch.randn(5, 16)
    path = os.path.join(common.OUT, "exported.so")
    program = None if common.PRECOMPILED else torch.export.export(eager, (x,))
    common.compile_model(program, path, backward=True, weights="external")
    return eager, path, x


class TorchModule(unittest.TestCase):
    def assertClose(self, actual, expected, tol, what):
        message = common.close(actual.detach().cpu().double().numpy(), expected.detach().cpu().double().numpy(),
                               tol)
        self.assertEqual(message, "", what)

    def test_forward_embedded_weights(self):
        m = thunderc.load(common.compiled("mlp"))
        ref = reference("mlp")
        self.assertIsInstance(m, torch.nn.Module)
        self.assertEqual(list(m.parameters()), [])  # embedded weights stay inside the .so
        y = m(ref["input.0"])
        self.assertFalse(y.requires_grad)
        self.assertClose(y, ref["output.0"], common.FORWARD_TOL, "mlp output")

    def test_forward_external_weights(self):
        # Integer inputs (token ids), weights from the file beside the .so, named as the exported state_dict.
        m = thunderc.load(common.compiled("gpt2_tiny", weights="external"))
        ref = reference("gpt2_tiny")
        names = [n for n, _ in m.named_parameters()]
        self.assertIn("m.transformer.h.0.attn.c_attn.weight", names)
        self.assertTrue(all(not p.requires_grad for p in m.parameters()))  # no --backward: nothing to train
        self.assertClose(m(ref["input.0"]), ref["output.0"], common.FORWARD_TOL, "gpt2_tiny logits")

    def test_backward_gradients_and_buffers(self):
        m = thunderc.load(common.compiled("cnn_train", backward=True, weights="external"))
        ref = reference("cnn_train")
        x = ref["input.0"].clone().requires_grad_(True)
        y = m(x)
        self.assertTrue(y.requires_grad)
        self.assertClose(y, ref["output.0"], common.FORWARD_TOL, "cnn_train output")
        # BatchNorm's running statistics: mutated by the forward, mirrored into the module's buffers.
        buffers = dict(m.named_buffers())
        for key, expected in ref.items():
            if key.startswith("buffer."):
                self.assertClose(buffers[key[len("buffer."):]], expected, common.FORWARD_TOL, key)
        y.backward(ref["cotangent.0"])
        self.assertClose(x.grad, ref["grad.input.0"], common.GRAD_TOL, "grad.input.0")
        params = dict(m.named_parameters())
        grads = {k[len("grad.param."):]: v for k, v in ref.items() if k.startswith("grad.param.")}
        self.assertEqual(sorted(params), sorted(grads))
        for name, expected in grads.items():
            self.assertClose(params[name].grad, expected, common.GRAD_TOL, "grad.param." + name)

    def test_optimizer_steps_lower_the_loss(self):
        m = thunderc.load(common.compiled("cnn_train", backward=True, weights="external"))
        ref = reference("cnn_train")
        x, target = ref["input.0"], torch.zeros_like(ref["output.0"])
        before = {n: p.detach().clone() for n, p in m.named_parameters()}
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(m(x), target)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        with torch.no_grad():
            losses.append(torch.nn.functional.mse_loss(m(x), target).item())
        self.assertTrue(all(b < a for a, b in zip(losses, losses[1:])), f"losses {losses}")
        moved = [n for n, p in m.named_parameters() if not torch.equal(p.detach(), before[n])]
        self.assertEqual(sorted(moved), sorted(before))

    def test_weights_changed_from_python(self):
        m = thunderc.load(common.compiled("cnn_train", backward=True, weights="external"))
        x = reference("cnn_train")["input.0"]
        y0 = m(x).detach()
        # A parameter whose storage is replaced: the instance is rebuilt over the new tensor.
        bias = m.get_parameter("8.bias")
        bias.data = bias.data + 1.0
        self.assertClose(m(x), y0 + 1.0, common.FORWARD_TOL, "after replacing 8.bias")
        # A buffer written from Python reaches the instance before the next call: with momentum 0.1 the
        # forward makes it 0.9 * value + 0.1 * batch mean.
        running_mean = m.get_buffer("1.running_mean")
        after = []
        for value in (5.0, 0.0):
            with torch.no_grad():
                running_mean.fill_(value)
            m(x)
            after.append(running_mean.clone())
        self.assertClose(after[0] - after[1], torch.full_like(after[0], 4.5), common.FORWARD_TOL, "buffer push")

    def test_deepcopy_is_an_independent_instance(self):
        m = thunderc.load(common.compiled("cnn_train", backward=True, weights="external"))
        x = reference("cnn_train")["input.0"]
        twin = copy.deepcopy(m)
        self.assertClose(twin(x), m(x), common.FORWARD_TOL, "copy")
        with torch.no_grad():
            twin.get_parameter("8.bias").add_(1.0)
        self.assertClose(twin(x), m(x) + 1.0, common.FORWARD_TOL, "copy after an update of its own")
        with self.assertRaisesRegex(TypeError, "cannot be copied"):
            copy.copy(m._thunder_model)

    def test_exported_program_matches_eager(self):
        # thunderc.compile on an ExportedProgram, trained weights bound from the eager module's state_dict.
        eager, path, x = exported_model()
        eager, x = eager.to(DEVICE), x.to(DEVICE)
        m = thunderc.load(path, weights=eager.state_dict())
        xe = x.clone().requires_grad_(True)
        xm = x.clone().requires_grad_(True)
        ye, ym = eager(xe), m(xm)
        self.assertClose(ym, ye, common.FORWARD_TOL, "output")
        g = torch.randn_like(ye)
        ye.backward(g)
        ym.backward(g)
        self.assertClose(xm.grad, xe.grad, common.GRAD_TOL, "input gradient")
        expected = dict(eager.named_parameters())
        self.assertEqual(sorted(expected), sorted(n for n, _ in m.named_parameters()))
        for name, p in m.named_parameters():
            self.assertClose(p.grad, expected[name].grad, common.GRAD_TOL, name)
        # load_state_dict writes the bound parameters in place: the model reads the new values.
        with torch.no_grad():
            for p in eager.parameters():
                p.mul_(0.5)
        m.load_state_dict(eager.state_dict())
        self.assertClose(m(x), eager(x), common.FORWARD_TOL, "after load_state_dict")

    def test_runtime_errors_are_exceptions(self):
        m = thunderc.load(common.compiled("cnn_train", backward=True, weights="external"))
        x = reference("cnn_train")["input.0"]
        with self.assertRaisesRegex(thunderc.ThunderError, r"input 0 .*expected shape \[4, 3, 32, 32\]") as e:
            m(x[:1])
        self.assertEqual(e.exception.status, thunderc.runtime.ERR_SHAPE)
        with self.assertRaisesRegex(thunderc.ThunderError, "expected dtype float32, got float64"):
            m(x.double())
        with self.assertRaisesRegex(TypeError, "takes 1 inputs"):
            m(x, x)
        # The model keeps one forward's saved values: a backward of an older forward is refused, not wrong.
        first = m(x.clone().requires_grad_(True)).sum()
        m(x.clone().requires_grad_(True))
        with self.assertRaisesRegex(thunderc.ThunderError, "no longer this module's latest") as e:
            first.backward()
        self.assertEqual(e.exception.status, thunderc.runtime.ERR_STATE)
        other = "cpu" if common.DEVICE == "cuda" else "cuda"
        with self.assertRaisesRegex(thunderc.ThunderError, f"runs on {common.DEVICE}, not {other}"):
            thunderc.load(common.compiled("mlp"), device=other)
        with self.assertRaises(FileNotFoundError):
            thunderc.load(os.path.join(common.OUT, "missing.so"))
        with self.assertRaisesRegex(thunderc.ThunderError, "has no 'param.0.bias'"):
            thunderc.load(common.compiled("mlp_train", backward=True, weights="external"),
                          weights={"0.weight": torch.zeros(128, 64)})

    @unittest.skipIf(common.PRECOMPILED, "needs thunderc, which runs where the models were compiled")
    def test_compile_errors_are_exceptions(self):
        bad = os.path.join(common.OUT, "not-an-archive.pt2")
        with open(bad, "wb") as f:
            f.write(b"this is not a zip archive")
        with self.assertRaisesRegex(thunderc.CompileError, "error: .*not-an-archive.pt2") as e:
            thunderc.compile(bad, os.path.join(common.OUT, "bad.so"), target="cpu")
        self.assertEqual(e.exception.returncode, 1)
        self.assertFalse(os.path.exists(os.path.join(common.OUT, "bad.so")))


if __name__ == "__main__":
    if sys.argv[1:] == ["--compile-only"]:
        print("\n".join(compiled_models()))
        sys.exit(0)
    common.main(__name__)
