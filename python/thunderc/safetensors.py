"""A small safetensors reader (weights files, reference files), so that the package needs no other one.

Format: an 8-byte little-endian header length, a JSON header ``{key: {"dtype", "shape", "data_offsets"}}``
(plus an optional ``__metadata__``), then the raw little-endian bytes.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from typing import Dict, Tuple, Union

# safetensors dtype -> numpy/torch spelling
DTYPES = {
    "F16": "float16", "F32": "float32", "F64": "float64", "BF16": "bfloat16",
    "I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64",
    "U8": "uint8", "U16": "uint16", "U32": "uint32", "U64": "uint64", "BOOL": "bool",
}


@dataclass(frozen=True)
class RawTensor:
    """One tensor of a file: its dtype ("float32"), shape and a writable copy of its bytes."""

    dtype: str
    shape: Tuple[int, ...]
    data: bytearray

    def numpy(self):
        """As a numpy array that owns its bytes (bfloat16 has no numpy dtype: refused)."""
        import numpy as np

        if self.dtype == "bfloat16":
            raise TypeError("numpy has no bfloat16: read this tensor with torch (thunderc.load does)")
        return np.frombuffer(self.data, dtype=self.dtype).reshape(self.shape)

    def torch(self):
        """As a torch tensor that owns its bytes."""
        import torch

        dtype = getattr(torch, self.dtype)
        if not self.data:
            return torch.empty(self.shape, dtype=dtype)
        return torch.frombuffer(self.data, dtype=dtype).reshape(self.shape)


def read(path: Union[str, os.PathLike]) -> Dict[str, RawTensor]:
    """Every tensor of a safetensors file, by key. Raises ValueError naming the file when it is malformed."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{os.fspath(path)}: not a safetensors file (shorter than its header length)")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"{os.fspath(path)}: not a safetensors file (header of {n} bytes past the end)")
    try:
        header = json.loads(blob[8:8 + n])
    except ValueError as e:
        raise ValueError(f"{os.fspath(path)}: not a safetensors file ({e})") from None
    body = memoryview(blob)[8 + n:]
    out: Dict[str, RawTensor] = {}
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = DTYPES.get(entry["dtype"])
        if dtype is None:
            raise ValueError(f"{os.fspath(path)}: tensor '{key}' has the unsupported dtype {entry['dtype']}")
        if end > len(body) or begin > end:
            raise ValueError(f"{os.fspath(path)}: tensor '{key}' lies past the end of the file (truncated?)")
        out[key] = RawTensor(dtype, tuple(entry["shape"]), bytearray(body[begin:end]))
    return out
