"""DLPack structures and capsules through ctypes (no compiled extension).

The model's C ABI takes ``DLTensor*`` and returns ``DLManagedTensor*`` (DLPack 0.6 layout, which DLPack 1.x
keeps for ``DLTensor``). Objects cross into Python as PyCapsules, the protocol numpy, torch and cupy share:

- ``borrow(obj)`` asks any ``__dlpack__`` producer for a capsule and returns the ``DLTensor*`` inside it; the
  capsule is not consumed, so the producer's own destructor releases it once the caller drops it;
- ``export(managed)`` wraps a runtime-owned ``DLManagedTensor*`` in a ``"dltensor"`` capsule whose destructor
  calls the tensor's deleter unless a consumer took it (renamed it ``"used_dltensor"``).
"""

from __future__ import annotations

import ctypes
from typing import Any, Tuple

# --- structures (dlpack.h) --------------------------------------------------------------------------------

KDL_CPU = 1
KDL_CUDA = 2
KDL_CUDA_HOST = 3
KDL_CUDA_MANAGED = 13

KDL_INT = 0
KDL_UINT = 1
KDL_FLOAT = 2
KDL_BFLOAT = 4
KDL_BOOL = 6  # THUNDER_DL_BOOL: DLPack 0.6 has no kDLBool; later versions define it as 6


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


Deleter = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class DLManagedTensor(ctypes.Structure):
    _fields_ = [("dl_tensor", DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", Deleter)]


class DLPackVersion(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32)]


class DLManagedTensorVersioned(ctypes.Structure):
    _fields_ = [
        ("version", DLPackVersion),
        ("manager_ctx", ctypes.c_void_p),
        ("deleter", Deleter),
        ("flags", ctypes.c_uint64),
        ("dl_tensor", DLTensor),
    ]


# --- dtypes -----------------------------------------------------------------------------------------------

_DTYPE_NAMES = {
    (KDL_FLOAT, 16): "float16",
    (KDL_FLOAT, 32): "float32",
    (KDL_FLOAT, 64): "float64",
    (KDL_BFLOAT, 16): "bfloat16",
    (KDL_INT, 8): "int8",
    (KDL_INT, 16): "int16",
    (KDL_INT, 32): "int32",
    (KDL_INT, 64): "int64",
    (KDL_UINT, 8): "uint8",
    (KDL_UINT, 16): "uint16",
    (KDL_UINT, 32): "uint32",
    (KDL_UINT, 64): "uint64",
    (KDL_BOOL, 8): "bool",
}


def dtype_name(dtype: DLDataType) -> str:
    """The numpy/torch spelling of a DLPack dtype ("float32", "bfloat16", "bool")."""
    name = _DTYPE_NAMES.get((dtype.code, dtype.bits))
    if name is None or dtype.lanes != 1:
        return f"dlpack(code={dtype.code}, bits={dtype.bits}, lanes={dtype.lanes})"
    return name


# --- capsules ---------------------------------------------------------------------------------------------

# Called with raw pointers: a capsule destructor runs while the capsule is being freed, so it must not be
# turned back into a Python object.
_api = ctypes.pythonapi
_capsule_is_valid = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_IsValid", _api))
_capsule_get_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", _api))
_CapsuleDestructor = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_capsule_new = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.c_void_p, _CapsuleDestructor)(
    ("PyCapsule_New", _api))
_py_is_valid = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object, ctypes.c_char_p)(("PyCapsule_IsValid", _api))
_py_get_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", _api))

# The capsule keeps a pointer to its name: a buffer that lives as long as the module.
_DLTENSOR_NAME = ctypes.create_string_buffer(b"dltensor")


def call_deleter(managed: int) -> None:
    """Releases a runtime-owned DLManagedTensor*."""
    m = DLManagedTensor.from_address(managed)
    if m.deleter:
        m.deleter(managed)


@_CapsuleDestructor
def _destroy_capsule(capsule: int) -> None:
    # A consumer that took the tensor renamed the capsule and owns it now.
    if _capsule_is_valid(capsule, b"dltensor"):
        managed = _capsule_get_pointer(capsule, b"dltensor")
        if managed:
            call_deleter(managed)


def export(managed: int) -> Any:
    """A ``"dltensor"`` capsule that owns ``managed`` (a DLManagedTensor*)."""
    return _capsule_new(managed, ctypes.addressof(_DLTENSOR_NAME), _destroy_capsule)


def borrow(obj: Any) -> Tuple[int, Any]:
    """The ``DLTensor*`` of a ``__dlpack__`` producer, and the capsule that keeps it alive.

    The pointer is valid while the returned capsule is referenced. Read-only numpy arrays need DLPack 1.0
    (``max_version``), which numpy 2 and torch provide; older producers are asked for the 0.x capsule.
    """
    if not hasattr(obj, "__dlpack__"):
        raise TypeError(
            f"expected a tensor that supports DLPack (numpy.ndarray, torch.Tensor, ...), got {type(obj).__name__}")
    try:
        capsule = obj.__dlpack__(max_version=(1, 0))
    except TypeError:
        capsule = obj.__dlpack__()
    if _py_is_valid(capsule, b"dltensor_versioned"):
        managed = _py_get_pointer(capsule, b"dltensor_versioned")
        return managed + DLManagedTensorVersioned.dl_tensor.offset, capsule
    if _py_is_valid(capsule, b"dltensor"):
        return _py_get_pointer(capsule, b"dltensor") + DLManagedTensor.dl_tensor.offset, capsule
    raise TypeError(f"{type(obj).__name__}.__dlpack__() returned something that is not an unused DLPack capsule")
