"""``thunderc.compile``: runs the thunderc command line on an ExportedProgram or a .pt2 file."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Optional, Sequence, Union

PathLike = Union[str, "os.PathLike[str]"]


class CompileError(RuntimeError):
    """thunderc refused the program or the options. ``returncode`` is its exit status (1: the program, 2: the
    command line), ``stderr`` its diagnostics (``error: ...`` naming the node and source line)."""

    def __init__(self, message: str, returncode: int, stderr: str):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


def find_thunderc(thunderc: Optional[PathLike] = None) -> str:
    """The thunderc executable: ``thunderc`` if given, else ``$THUNDERC``, else ``thunderc`` on ``PATH``."""
    candidate = os.fspath(thunderc) if thunderc is not None else os.environ.get("THUNDERC") or shutil.which("thunderc")
    if not candidate:
        raise FileNotFoundError("cannot find thunderc: put it on PATH (cmake --install puts it in PREFIX/bin), "
                                "set THUNDERC, or pass thunderc=")
    if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        raise FileNotFoundError(f"thunderc '{candidate}' is not an executable file")
    return candidate


def compile(program: Any, output: PathLike, *, target: str = "cuda", backward: bool = False,
            weights: str = "embedded", gpu_archs: Optional[Sequence[str]] = None, opt_level: Optional[int] = None,
            autocast: Optional[str] = None, extra_args: Sequence[str] = (), thunderc: Optional[PathLike] = None,
            verbose: bool = False) -> Path:
    """Compiles ``program`` into the shared library ``output`` with the thunderc CLI; returns ``output``.

    Args:
        program: a ``torch.export.ExportedProgram`` (saved to a temporary .pt2 first) or the path of a
            ``.pt2`` archive.
        output: the ``MODEL.so`` to write (atomically: a failed compile leaves nothing behind).
        target: ``"cuda"`` (the CLI's default) or ``"cpu"``.
        backward: also emit the backward entry point (``--backward``), for training through autograd.
        weights: ``"embedded"`` (default) or ``"external"``: no weights inside, ``MODEL.weights.safetensors``
            written beside ``output`` (``thunderc.load`` binds them as trainable ``nn.Parameter`` s).
        gpu_archs: CUDA architectures (``["sm_80", "sm_90"]``); default the CLI's (sm_90).
        opt_level: 0..3 (``-O``); default the CLI's (2).
        autocast: ``"bf16"`` or ``"f16"``: the float32 program's products in that type.
        extra_args: more command-line options, passed as they are.
        thunderc: the executable (see :func:`find_thunderc`).
        verbose: let thunderc print its stages on stderr (``-v``).

    Raises:
        CompileError: thunderc exited with an error; the message holds its diagnostics.
    """
    exe = find_thunderc(thunderc)
    output = Path(output)
    args = [exe, "", "-o", str(output), f"--target={target}"]
    if backward:
        args.append("--backward")
    if weights != "embedded":
        args.append(f"--weights={weights}")
    if gpu_archs:
        args.append("--gpu-arch=" + ",".join(gpu_archs))
    if opt_level is not None:
        args.append(f"-O{int(opt_level)}")
    if autocast:
        args.append(f"--autocast={autocast}")
    if verbose:
        args.append("-v")
    args.extend(extra_args)
    with tempfile.TemporaryDirectory(prefix="thunderc-") as tmp:
        if isinstance(program, (str, os.PathLike)):
            args[1] = os.fspath(program)
        else:
            import torch

            if not isinstance(program, torch.export.ExportedProgram):
                raise TypeError("program must be a torch.export.ExportedProgram or the path of a .pt2 archive, "
                                f"not {type(program).__name__}")
            args[1] = os.path.join(tmp, "program.pt2")
            torch.export.save(program, args[1])
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=None if verbose else subprocess.PIPE,
                              text=True)
    if done.returncode != 0:
        stderr = done.stderr or ""
        raise CompileError(f"thunderc failed (exit status {done.returncode}):\n{stderr.rstrip()}",
                           done.returncode, stderr)
    return output
