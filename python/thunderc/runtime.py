"""The model's C ABI (``include/thunder/runtime/thunder.h``) from Python, with tensors as DLPack objects.

Needs neither torch nor numpy: inputs are anything with ``__dlpack__`` (numpy arrays, torch tensors, cupy
arrays), results are :class:`Tensor` objects that any DLPack consumer takes without a copy
(``numpy.from_dlpack(t)``, ``torch.from_dlpack(t)``)::

    from thunderc import runtime
    m = runtime.Model("model.so")                 # --weights=external: runtime.Model("model.so", weights=...)
    (y,) = m.forward(x)                           # x: a numpy array on the CPU target
    y = y.numpy()

Every failing call raises :class:`ThunderError` with the runtime's message.
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _dlpack
from ._dlpack import DLDevice, DLManagedTensor

__all__ = ["ThunderError", "Library", "Model", "Tensor", "TensorInfo", "ModelInfo", "describe"]

PathLike = Union[str, "os.PathLike[str]"]

# thunder_status
OK = 0
ERR_INVALID_ARGUMENT = 1
ERR_SHAPE = 2
ERR_DTYPE = 3
ERR_DEVICE = 4
ERR_NO_CUDA = 5
ERR_CUDA = 6
ERR_OUT_OF_MEMORY = 7
ERR_NOT_SUPPORTED = 8
ERR_STATE = 9
ERR_INTERNAL = 10
ERR_FILE = 11

ABI_VERSION = 1


class ThunderError(RuntimeError):
    """A call into the model failed. ``status`` is the ``thunder_status`` code, ``str(e)`` the runtime's message."""

    def __init__(self, message: str, status: int = ERR_INTERNAL):
        super().__init__(message)
        self.status = status


class _TensorInfo(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", _dlpack.DLDataType),
        ("ndim", ctypes.c_int32),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("dim_names", ctypes.POINTER(ctypes.c_char_p)),
        ("dim_min", ctypes.POINTER(ctypes.c_int64)),
        ("dim_max", ctypes.POINTER(ctypes.c_int64)),
        ("has_grad", ctypes.c_int32),
        ("mutated", ctypes.c_int32),
    ]


@dataclass(frozen=True)
class TensorInfo:
    """One input, output, parameter, buffer or constant as the model declares it.

    ``shape`` has ``None`` where a dimension is symbolic; ``dim_names`` the symbol (``"s0"``, ``"2*s0"``) there;
    ``dim_min``/``dim_max`` the allowed sizes (``dim_max`` ``None``: unbounded).
    """

    name: str
    dtype: str
    shape: Tuple[Optional[int], ...]
    dim_names: Tuple[Optional[str], ...]
    dim_min: Tuple[int, ...]
    dim_max: Tuple[Optional[int], ...]
    has_grad: bool
    mutated: bool


@dataclass(frozen=True)
class ModelInfo:
    """What a compiled model declares; ``target`` is ``"cpu"`` or ``"cuda"``."""

    name: str
    target: str
    has_backward: bool
    weights_external: bool
    inputs: Tuple[TensorInfo, ...]
    outputs: Tuple[TensorInfo, ...]
    params: Tuple[TensorInfo, ...]
    buffers: Tuple[TensorInfo, ...]
    constants: Tuple[TensorInfo, ...]
    symbols: Tuple[Tuple[str, int, Optional[int]], ...]


_P = ctypes.c_void_p
_SIGNATURES = {
    # name: (restype, argtypes)
    "thunder_abi_version": (ctypes.c_int, []),
    "thunder_status_string": (ctypes.c_char_p, [ctypes.c_int]),
    "thunder_model_create": (ctypes.c_int, [ctypes.POINTER(_P)]),
    "thunder_model_create_from_file": (ctypes.c_int, [ctypes.POINTER(_P), ctypes.c_char_p]),
    "thunder_model_create_with_tensors": (
        ctypes.c_int, [ctypes.POINTER(_P), _P, ctypes.c_size_t, _P, ctypes.c_size_t, _P, ctypes.c_size_t]),
    "thunder_model_destroy": (None, [_P]),
    "thunder_last_error": (ctypes.c_char_p, [_P]),
    "thunder_model_name": (ctypes.c_char_p, [_P]),
    "thunder_target": (ctypes.c_char_p, [_P]),
    "thunder_has_backward": (ctypes.c_int, [_P]),
    "thunder_weights_external": (ctypes.c_int, [_P]),
    "thunder_num_inputs": (ctypes.c_size_t, [_P]),
    "thunder_num_outputs": (ctypes.c_size_t, [_P]),
    "thunder_num_params": (ctypes.c_size_t, [_P]),
    "thunder_num_buffers": (ctypes.c_size_t, [_P]),
    "thunder_num_constants": (ctypes.c_size_t, [_P]),
    "thunder_num_symbols": (ctypes.c_size_t, [_P]),
    "thunder_input_info": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(_TensorInfo)]),
    "thunder_output_info": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(_TensorInfo)]),
    "thunder_param_info": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(_TensorInfo)]),
    "thunder_buffer_info": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(_TensorInfo)]),
    "thunder_constant_info": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(_TensorInfo)]),
    "thunder_symbol_info": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p),
                                           ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)]),
    "thunder_forward": (ctypes.c_int, [_P, _P, ctypes.c_size_t, _P, ctypes.c_size_t, _P]),
    "thunder_backward": (ctypes.c_int, [_P, _P, ctypes.c_size_t, _P, ctypes.c_size_t, _P, ctypes.c_size_t, _P]),
    "thunder_release_saved": (ctypes.c_int, [_P]),
    "thunder_get_buffer": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(_P)]),
    "thunder_set_buffer": (ctypes.c_int, [_P, ctypes.c_size_t, _P]),
    "thunder_model_set_device": (ctypes.c_int, [_P, ctypes.c_int]),
    "thunder_model_device": (DLDevice, [_P]),
    "thunder_synchronize": (ctypes.c_int, [_P, _P]),
}

_libraries: Dict[str, "Library"] = {}
_libraries_lock = threading.Lock()


class Library:
    """A loaded ``MODEL.so``. One per file and process (:meth:`open`); instances are :class:`Model`."""

    def __init__(self, path: PathLike):
        self.path = os.path.abspath(os.fspath(path))
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"no compiled model at {self.path}")
        try:
            # RTLD_LOCAL: each model's thunder_* symbols stay its own (several models in one process).
            self._lib = ctypes.CDLL(self.path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
        except OSError as e:
            raise ThunderError(f"cannot load {self.path}: {e}", ERR_FILE) from None
        missing = []
        for name, (restype, argtypes) in _SIGNATURES.items():
            try:
                fn = getattr(self._lib, name)
            except AttributeError:
                missing.append(name)
                continue
            fn.restype = restype
            fn.argtypes = argtypes
        if missing:
            raise ThunderError(f"{self.path} is not a thunderc model, or one built by an older thunderc "
                               f"(missing {', '.join(missing)}): recompile it", ERR_NOT_SUPPORTED)
        version = self._lib.thunder_abi_version()
        if version != ABI_VERSION:
            raise ThunderError(f"{self.path} has C ABI version {version}; this package speaks {ABI_VERSION}",
                               ERR_NOT_SUPPORTED)
        self._info: Optional[ModelInfo] = None

    @classmethod
    def open(cls, path: PathLike) -> "Library":
        """The library of ``path``, loaded once per process."""
        key = os.path.realpath(os.fspath(path))
        with _libraries_lock:
            lib = _libraries.get(key)
            if lib is None:
                lib = _libraries[key] = cls(path)
            return lib

    def status_string(self, status: int) -> str:
        return self._lib.thunder_status_string(status).decode()

    @property
    def info(self) -> ModelInfo:
        """The model's declaration (read from an instance that only describes it)."""
        if self._info is None:
            handle = _P()
            self._check_create(self._lib.thunder_model_create(ctypes.byref(handle)), "thunder_model_create")
            try:
                self._info = _read_info(self._lib, handle)
            finally:
                self._lib.thunder_model_destroy(handle)
        return self._info

    def _check_create(self, status: int, what: str) -> None:
        if status != OK:
            message = (self._lib.thunder_last_error(None) or b"").decode(errors="replace")
            raise ThunderError(f"{what} failed ({self.status_string(status)}): {message}", status)


def _info_of(fn, handle, i: int) -> TensorInfo:
    raw = _TensorInfo()
    if fn(handle, i, ctypes.byref(raw)) != OK:
        raise ThunderError(f"cannot read the declaration of tensor {i}", ERR_INTERNAL)
    n = raw.ndim
    shape = tuple(None if raw.shape[d] < 0 else int(raw.shape[d]) for d in range(n))
    names = tuple(raw.dim_names[d].decode() if raw.dim_names and raw.dim_names[d] else None for d in range(n))
    dmin = tuple(int(raw.dim_min[d]) for d in range(n)) if raw.dim_min else tuple(s or 0 for s in shape)
    dmax = tuple(None if raw.dim_max[d] < 0 else int(raw.dim_max[d]) for d in range(n)) if raw.dim_max else shape
    return TensorInfo(raw.name.decode(), _dlpack.dtype_name(raw.dtype), shape, names, dmin, dmax,
                      bool(raw.has_grad), bool(raw.mutated))


def _read_info(lib, handle) -> ModelInfo:
    def many(count, fn):
        return tuple(_info_of(fn, handle, i) for i in range(count(handle)))

    symbols = []
    for i in range(lib.thunder_num_symbols(handle)):
        name, lo, hi = ctypes.c_char_p(), ctypes.c_int64(), ctypes.c_int64()
        lib.thunder_symbol_info(handle, i, ctypes.byref(name), ctypes.byref(lo), ctypes.byref(hi))
        symbols.append((name.value.decode(), lo.value, None if hi.value < 0 else hi.value))
    return ModelInfo(
        name=lib.thunder_model_name(handle).decode(),
        target=lib.thunder_target(handle).decode(),
        has_backward=bool(lib.thunder_has_backward(handle)),
        weights_external=bool(lib.thunder_weights_external(handle)),
        inputs=many(lib.thunder_num_inputs, lib.thunder_input_info),
        outputs=many(lib.thunder_num_outputs, lib.thunder_output_info),
        params=many(lib.thunder_num_params, lib.thunder_param_info),
        buffers=many(lib.thunder_num_buffers, lib.thunder_buffer_info),
        constants=many(lib.thunder_num_constants, lib.thunder_constant_info),
        symbols=tuple(symbols),
    )


def describe(path: PathLike) -> ModelInfo:
    """The inputs, outputs, parameters, buffers and symbols that the model at ``path`` declares."""
    return Library.open(path).info


class Tensor:
    """A tensor the runtime allocated (an output or a gradient), owned until a DLPack consumer takes it.

    ``numpy.from_dlpack(t)`` and ``torch.from_dlpack(t)`` take it without a copy, once; :meth:`numpy` does the
    first. Dropping it unconsumed frees it.
    """

    __slots__ = ("_managed", "shape", "dtype", "device", "_array")

    def __init__(self, managed: int):
        self._managed: Optional[int] = managed
        self._array: Any = None
        dl = DLManagedTensor.from_address(managed).dl_tensor
        self.shape: Tuple[int, ...] = tuple(int(dl.shape[d]) for d in range(dl.ndim))
        self.dtype: str = _dlpack.dtype_name(dl.dtype)
        self.device: Tuple[int, int] = (int(dl.device.device_type), int(dl.device.device_id))

    def __dlpack__(self, *, stream: Any = None, max_version: Any = None, dl_device: Any = None,
                   copy: Optional[bool] = None) -> Any:
        """A DLPack 0.x capsule that hands this tensor over (the producer side of the protocol).

        The runtime's results are ready when the call that made them returns on the CPU target, and on the
        call's stream on the CUDA target: call the model on the consumer's stream (torch's current stream is
        what ``thunderc.load`` uses), so ``stream`` needs no synchronisation here.
        """
        if dl_device is not None and tuple(dl_device) != self.device:
            raise BufferError(f"this tensor is on DLPack device {self.device}, not {tuple(dl_device)}")
        if copy:
            raise BufferError("thunderc results are handed over without a copy (copy=True is not supported)")
        managed = self._take()
        return _dlpack.export(managed)

    def __dlpack_device__(self) -> Tuple[int, int]:
        return self.device

    def numpy(self):
        """As a numpy array sharing this tensor's memory (CPU only; the first call takes the tensor)."""
        import numpy as np

        if self._array is None:
            if self.device[0] not in (_dlpack.KDL_CPU, _dlpack.KDL_CUDA_HOST):
                raise BufferError("numpy reads host memory only; this tensor is on the GPU")
            self._array = np.from_dlpack(self)
        return self._array

    def _take(self) -> int:
        if self._managed is None:
            raise BufferError("this thunderc Tensor was already handed over through DLPack")
        managed, self._managed = self._managed, None
        return managed

    def _dl_tensor(self) -> int:
        if self._managed is None:
            raise BufferError("this thunderc Tensor was already handed over through DLPack")
        return self._managed + DLManagedTensor.dl_tensor.offset

    def __reduce__(self):
        raise TypeError("a thunderc Tensor cannot be copied or pickled: hand it to numpy or torch first "
                        "(numpy.from_dlpack, torch.from_dlpack)")

    def __del__(self):
        if getattr(self, "_managed", None):
            _dlpack.call_deleter(self._managed)
            self._managed = None

    def __repr__(self) -> str:
        return f"thunderc.runtime.Tensor(shape={self.shape}, dtype={self.dtype}, device={self.device})"


def _pointers(tensors: Sequence[Any], keep: List[Any], what: str) -> Any:
    """A DLTensor* array for the C ABI; ``keep`` receives what keeps each pointer valid. None entries stay NULL."""
    array = (_P * max(len(tensors), 1))()
    for i, t in enumerate(tensors):
        if t is None:
            continue
        if isinstance(t, Tensor):
            array[i] = t._dl_tensor()
            keep.append(t)
            continue
        try:
            ptr, capsule = _dlpack.borrow(t)
        except (TypeError, BufferError) as e:
            raise TypeError(f"{what} {i}: {e}") from None
        array[i] = ptr
        keep.append(capsule)
    return array


def _stream_pointer(stream: Any) -> Optional[int]:
    if stream is None:
        return None
    if hasattr(stream, "cuda_stream"):  # torch.cuda.Stream
        return int(stream.cuda_stream) or None
    return int(stream) or None


class Model:
    """One instance of a compiled model: its weights, its buffers, what forward saved for backward.

    ``weights`` selects where parameters, buffers and constants come from:

    - ``None``: embedded in the .so; for a model compiled with ``--weights=external``, the
      ``MODEL.weights.safetensors`` file thunderc wrote beside it;
    - a path: a safetensors file with keys ``param.<fqn>``, ``buffer.<fqn>``, ``constant.<name>``;

    or give the tensors (DLPack objects in the model's declared order, see :attr:`info`): ``params``,
    ``buffers``, ``constants``. Parameters and constants are borrowed, not copied: the model reads their
    current contents at every call (an optimizer may update parameters in place between calls), and this
    object keeps them alive. ``device_id`` binds a CUDA-target instance to that GPU.

    One instance is not thread-safe; make one per thread.
    """

    def __init__(self, model: Union[PathLike, Library], *, weights: Optional[PathLike] = None,
                 params: Optional[Sequence[Any]] = None, buffers: Optional[Sequence[Any]] = None,
                 constants: Optional[Sequence[Any]] = None, device_id: Optional[int] = None):
        self.library = model if isinstance(model, Library) else Library.open(model)
        self._lib = self.library._lib
        self._handle = _P()
        self._borrowed: List[Any] = []
        info = self.library.info
        handle = ctypes.byref(self._handle)
        tensors_given = params is not None or buffers is not None or constants is not None
        if weights is not None and tensors_given:
            raise ValueError("give either weights= (a file) or params=/buffers=/constants=, not both")
        if tensors_given:
            arrays = []
            for given, declared, what in ((params, info.params, "parameter"), (buffers, info.buffers, "buffer"),
                                          (constants, info.constants, "constant")):
                given = list(given or [])
                if given and len(given) != len(declared):
                    raise ValueError(f"{len(given)} {what}s given; the model declares {len(declared)}")
                arrays.append((_pointers(given, self._borrowed, what), len(given)))
            status = self._lib.thunder_model_create_with_tensors(
                handle, arrays[0][0], arrays[0][1], arrays[1][0], arrays[1][1], arrays[2][0], arrays[2][1])
            self.library._check_create(status, "thunder_model_create_with_tensors")
        else:
            if weights is None and info.weights_external:
                weights = default_weights_path(self.library.path)
                if not os.path.isfile(weights):
                    raise ThunderError(
                        f"{self.library.path} was compiled with --weights=external and {weights} does not exist: "
                        f"give weights= (a safetensors file) or the tensors", ERR_FILE)
            if weights is None:
                self.library._check_create(self._lib.thunder_model_create(handle), "thunder_model_create")
            else:
                status = self._lib.thunder_model_create_from_file(handle, os.fsencode(os.fspath(weights)))
                self.library._check_create(status, "thunder_model_create_from_file")
        if device_id is not None:
            self.set_device(device_id)

    # --- declaration ---------------------------------------------------------------------------------------

    @property
    def info(self) -> ModelInfo:
        return self.library.info

    @property
    def target(self) -> str:
        return self.library.info.target

    @property
    def device(self) -> Tuple[int, int]:
        """The instance's DLPack device: ``(1, 0)`` on the CPU target, ``(2, id)`` on CUDA (id -1 while unbound)."""
        d = self._lib.thunder_model_device(self._live())
        return (d.device_type, d.device_id)

    # --- calls ---------------------------------------------------------------------------------------------

    def forward(self, *inputs: Any, stream: Any = None) -> List[Tensor]:
        """Runs the forward program on ``inputs`` (DLPack objects, the declared dtypes, compact row-major, on the
        model's device); returns the outputs. ``stream``: CUDA target, a ``cudaStream_t`` (int) or a
        ``torch.cuda.Stream``; ``None`` is the legacy default stream."""
        handle = self._live()
        n_out = len(self.library.info.outputs)
        keep: List[Any] = []
        ins = _pointers(inputs, keep, "input")
        outs = (_P * max(n_out, 1))()
        status = self._lib.thunder_forward(handle, ins, len(inputs), outs, n_out, _stream_pointer(stream))
        self._check(status, "forward")
        return [Tensor(outs[i]) for i in range(n_out)]

    def backward(self, cotangents: Sequence[Any], *, params: bool = True, inputs: bool = True,
                 stream: Any = None) -> Tuple[List[Optional[Tensor]], List[Optional[Tensor]]]:
        """Gradients of ``sum(output_k * cotangents[k])`` from what the last forward saved.

        ``cotangents``: one per output (``None`` = zeros). Returns ``(grad_params, grad_inputs)``, one entry
        per parameter and per input, ``None`` where the model has no gradient; ``params=False`` /
        ``inputs=False`` skip computing that side (an empty list)."""
        handle = self._live()
        info = self.library.info
        keep: List[Any] = []
        cots = _pointers(list(cotangents), keep, "cotangent")
        n_params = len(info.params) if params else 0
        n_inputs = len(info.inputs) if inputs else 0
        gp = (_P * max(n_params, 1))()
        gi = (_P * max(n_inputs, 1))()
        status = self._lib.thunder_backward(handle, cots, len(cotangents), gp if n_params else None, n_params,
                                            gi if n_inputs else None, n_inputs, _stream_pointer(stream))
        self._check(status, "backward")
        return ([Tensor(gp[i]) if gp[i] else None for i in range(n_params)],
                [Tensor(gi[i]) if gi[i] else None for i in range(n_inputs)])

    def release_saved(self) -> None:
        """Frees what forward saved for backward."""
        self._check(self._lib.thunder_release_saved(self._live()), "release_saved")

    def get_buffer(self, buffer: Union[int, str]) -> Tensor:
        """A copy of a buffer's current value (after the mutations of past forwards)."""
        i = self._buffer_index(buffer)
        out = _P()
        self._check(self._lib.thunder_get_buffer(self._live(), i, ctypes.byref(out)), "get_buffer")
        return Tensor(out.value)

    def set_buffer(self, buffer: Union[int, str], value: Any) -> None:
        """Overwrites a buffer with a copy of ``value``."""
        i = self._buffer_index(buffer)
        keep: List[Any] = []
        ptr = _pointers([value], keep, "buffer")
        self._check(self._lib.thunder_set_buffer(self._live(), i, ptr[0]), "set_buffer")

    def set_device(self, device_id: int) -> None:
        """Binds a CUDA-target instance to GPU ``device_id`` and uploads its weights (CPU target: 0 only)."""
        self._check(self._lib.thunder_model_set_device(self._live(), int(device_id)), "set_device")

    def synchronize(self, stream: Any = None) -> None:
        """Waits for the work this model queued on ``stream`` (no-op on the CPU target)."""
        self._check(self._lib.thunder_synchronize(self._live(), _stream_pointer(stream)), "synchronize")

    def close(self) -> None:
        """Destroys the instance now (results already returned stay valid)."""
        if self._handle:
            self._lib.thunder_model_destroy(self._handle)
            self._handle = _P()
        self._borrowed = []

    def __reduce__(self):
        # A copy would share the C instance and destroy it twice.
        raise TypeError("a thunderc model instance cannot be copied or pickled: create another Model")

    def __enter__(self) -> "Model":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None):
            self.close()

    # --- helpers -------------------------------------------------------------------------------------------

    def _live(self) -> _P:
        if not self._handle:
            raise ThunderError("this model instance was closed", ERR_STATE)
        return self._handle

    def _check(self, status: int, what: str) -> None:
        if status != OK:
            message = (self._lib.thunder_last_error(self._handle) or b"").decode(errors="replace")
            raise ThunderError(f"{what} failed ({self.library.status_string(status)}): {message}", status)

    def _buffer_index(self, buffer: Union[int, str]) -> int:
        if isinstance(buffer, int):
            return buffer
        for i, b in enumerate(self.library.info.buffers):
            if b.name == buffer:
                return i
        raise KeyError(f"the model has no buffer '{buffer}'")


def default_weights_path(model_path: PathLike) -> str:
    """Where ``thunderc --weights=external -o MODEL.so`` writes the weights: ``MODEL.weights.safetensors``."""
    path = os.fspath(model_path)
    stem = path[:-3] if path.endswith(".so") else path
    return stem + ".weights.safetensors"
