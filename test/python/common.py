"""What the Python package's tests share: where things are (set by ctest, test/python/CMakeLists.txt), the
fixtures compiled once per run, and the fixtures' tolerances (test/fixtures/README.md)."""

import os
import sys

FIXTURES = os.environ.get("THUNDER_FIXTURES", os.path.join(os.path.dirname(__file__), "..", "fixtures"))
OUT = os.environ.get("THUNDER_TEST_OUT", "/tmp/thunderc-python-tests")
# The GPU machine has no thunderc: compile here with THUNDER_PYTHON_TARGET=cuda and --compile-only, run there
# with THUNDER_PRECOMPILED=1 (docs/python.md, "On the GPU machine").
TARGET = os.environ.get("THUNDER_PYTHON_TARGET", "cpu")
DEVICE = "cuda" if TARGET == "cuda" else "cpu"
PRECOMPILED = os.environ.get("THUNDER_PRECOMPILED") == "1"

# relative, absolute
FORWARD_TOL = (2e-4, 2e-5)
GRAD_TOL = (1e-3, 1e-4)


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


def compile_model(program, out: str, **options) -> str:
    """thunderc.compile for TARGET (CUDA: full float32 products, as the references), or with PRECOMPILED the
    file an earlier --compile-only run left."""
    import thunderc

    if PRECOMPILED:
        if not os.path.isfile(out):
            raise FileNotFoundError(f"{out}: not compiled; run this test with --compile-only where thunderc is")
        return out
    os.makedirs(OUT, exist_ok=True)
    extra = ["--fp32-matmul=ieee"] if TARGET == "cuda" else []
    thunderc.compile(program, out, target=TARGET, extra_args=extra, **options)
    return out


def compiled(name: str, **options) -> str:
    """FIXTURES/name.pt2 compiled into OUT (a file name per option set)."""
    suffix = "".join(f"-{k}" if v is True else f"-{v}" for k, v in sorted(options.items()) if v not in (None, False))
    return compile_model(fixture(name + ".pt2"), os.path.join(OUT, f"{name}{suffix}.so"), **options)


def close(actual, expected, tol) -> str:
    """'' when every element is within rtol*|expected| + atol, else a description of the worst one (numpy)."""
    import numpy as np

    rtol, atol = tol
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return f"shape {a.shape} != {e.shape}"
    excess = np.abs(a - e) - (atol + rtol * np.abs(e))
    if a.size == 0 or excess.max() <= 0:
        return ""
    i = np.unravel_index(int(np.argmax(excess)), a.shape)
    return f"at {i}: {a[i]} vs {e[i]} (tolerance {rtol}/{atol})"


def main(module_name: str) -> None:
    import unittest

    result = unittest.main(module=module_name, verbosity=2, exit=False).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
