"""thunderc from Python: load compiled models (``MODEL.so``) and compile exported programs.

- :func:`load` (needs torch): a ``torch.nn.Module`` over the model's C ABI, backward through ``torch.autograd``,
  weights as trainable ``nn.Parameter`` s;
- :func:`compile`: runs the ``thunderc`` command line on an ``ExportedProgram`` or a ``.pt2`` file;
- :mod:`thunderc.runtime` (no torch needed): the C ABI over DLPack, for numpy arrays and any DLPack producer.

Tensors cross through DLPack without copies; failing calls raise :class:`ThunderError` with the runtime's
message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import runtime
from ._compile import CompileError, compile
from .runtime import ThunderError, describe

if TYPE_CHECKING:
    from ._module import CompiledModule, load

__all__ = ["load", "compile", "describe", "runtime", "ThunderError", "CompileError", "CompiledModule"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # torch is imported only when the torch layer is used: thunderc.runtime works without it.
    if name in ("load", "CompiledModule"):
        try:
            from . import _module
        except ImportError as e:
            if e.name != "torch":
                raise
            raise ImportError("thunderc.load needs torch (pip install torch); thunderc.runtime works without it",
                              name="torch") from None

        return getattr(_module, name)
    raise AttributeError(f"module 'thunderc' has no attribute '{name}'")
