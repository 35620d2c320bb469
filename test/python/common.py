"""What the Python package's tests share: where things are (set by ctest, test/python/CMakeLists.txt), the
fixtures compiled once per run, and the fixtures' tolerances (test/fixtures/README.md)."""

import os
import sys

FIXTURES = os.environ.get("THUNDER_FIXTURES", os.path.join(os.path.dirname(__file__), "..", "fixtures"))
OUT = os.environ.get("THUNDER_TEST_OUT", "/tmp/thunderc-python-tests")

# relative, absolute
FORWARD_TOL = (2e-4, 2e-5)
GRAD_TOL = (1e-3, 1e-4)


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


def compiled(name: str, **options) -> str:
    """FIXTURES/name.pt2 compiled for the CPU target with thunderc.compile into OUT (a name per option set)."""
    import thunderc

    os.makedirs(OUT, exist_ok=True)
    suffix = "".join(f"-{k}" if v is True else f"-{v}" for k, v in sorted(options.items()) if v not in (None, False))
    out = os.path.join(OUT, f"{name}{suffix}.so")
    thunderc.compile(fixture(name + ".pt2"), out, target="cpu", **options)
    return out


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
