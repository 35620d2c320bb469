#!/usr/bin/env python3
"""A NumPy interpreter of the thunder dialect, to check imported programs
numerically without the code generator.

    thunder_interp.py MODULE.mlir --pt2 MODEL.pt2 --ref MODEL.ref.safetensors
                      [--rtol R --atol A]

MODULE.mlir is `thunderc MODEL.pt2 --emit=mlir` printed in the generic form
(`thunder-opt --mlir-print-op-generic`). The parameters, buffers and constants
come from the archive (by the `thunder.name` of each argument), the inputs
from the reference file (`input.<i>`); the results are compared with
`output.<i>` and, for mutated buffers, `buffer.<fqn>`. Prints one line per
compared tensor and exits 1 on any mismatch.

The semantics are those of dialects/ThunderOps.td and docs/dialect.md, written
plainly (no speed); bf16 is emulated in float32 with rounding after each op.
"""
import argparse
import json
import math
import re
import struct
import sys
import zipfile

import numpy as np

# ----------------------------------------------------------------------------
# Types

NP = {
    "f64": np.float64, "f32": np.float32, "f16": np.float16, "bf16": np.float32,
    "i64": np.int64, "i32": np.int32, "i16": np.int16, "i8": np.int8, "i1": np.bool_,
}


class TensorType:
    def __init__(self, shape, elem):
        self.shape, self.elem = shape, elem

    @staticmethod
    def parse(text):
        text = text.strip()
        if text == "index" or re.fullmatch(r"i\d+|f\d+|bf16", text):
            return TensorType(None, "index")
        m = re.fullmatch(r"tensor<(.*)>", text)
        if not m:
            raise ValueError(f"unsupported type {text}")
        parts = m.group(1).split("x")
        shape = [None if p == "?" else int(p) for p in parts[:-1]]
        return TensorType(shape, parts[-1])

    @property
    def dtype(self):
        return NP[self.elem]


def round_bf16(a):
    a = np.asarray(a, np.float32)
    bits = a.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(a), a, out)


def fix(value, t):
    """A value in the representation of type t."""
    if t.elem == "index":
        return int(value)
    a = np.asarray(value)
    if t.elem == "bf16":
        return round_bf16(a.astype(np.float32))
    return a.astype(t.dtype, copy=False)


# ----------------------------------------------------------------------------
# Attributes


class AttrParser:
    def __init__(self, text):
        self.s, self.i = text, 0

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \n\t":
            self.i += 1

    def peek(self, tok):
        self.ws()
        return self.s.startswith(tok, self.i)

    def eat(self, tok):
        self.ws()
        if not self.s.startswith(tok, self.i):
            raise ValueError(f"expected {tok!r} at {self.s[self.i:self.i + 40]!r}")
        self.i += len(tok)

    def balanced(self, open_, close):
        depth, start = 0, self.i
        while True:
            c = self.s[self.i]
            if c == '"':
                self.i = self.s.index('"', self.i + 1)
            elif c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return self.s[start:self.i]
            self.i += 1

    def dictionary(self):
        out = {}
        self.eat("{")
        while not self.peek("}"):
            self.ws()
            m = re.compile(r'"[^"]*"|[\w.$-]+').match(self.s, self.i)
            key = m.group(0).strip('"')
            self.i = m.end()
            if self.peek("="):
                self.eat("=")
                out[key] = self.value()
            else:
                out[key] = True
            if self.peek(","):
                self.eat(",")
        self.eat("}")
        return out

    def type_suffix(self):
        if self.peek(":"):
            self.eat(":")
            self.ws()
            m = re.compile(r"tensor<[^>]*>|[\w]+").match(self.s, self.i)
            self.i = m.end()
            return m.group(0)
        return None

    def value(self):
        self.ws()
        s = self.s
        if self.peek("{"):
            return self.dictionary()
        if self.peek("["):
            out = []
            self.eat("[")
            while not self.peek("]"):
                out.append(self.value())
                if self.peek(","):
                    self.eat(",")
            self.eat("]")
            return out
        if self.peek("array<"):
            body = self.balanced("<", ">")
            inner = body[len("array<"):-1]
            _, _, vals = inner.partition(":")
            return [int(v) for v in vals.split(",") if v.strip()]
        if self.peek("dense<"):
            body = self.balanced("<", ">")
            t = self.type_suffix()
            return ("dense", body[len("dense<"):-1], t)
        if self.peek("#"):
            m = re.compile(r"#[\w.]+").match(s, self.i)
            self.i = m.end()
            if self.peek("<"):
                return ("enum", self.balanced("<", ">")[1:-1].split()[-1])
            return ("enum", m.group(0))
        if self.peek('"'):
            end = s.index('"', self.i + 1)
            v = s[self.i + 1:end]
            self.i = end + 1
            return v
        if self.peek("("):
            raw = self.balanced("(", ")")
            if self.peek("->"):  # a function type
                self.eat("->")
                self.ws()
                if self.peek("("):
                    self.balanced("(", ")")
                else:
                    self.i = re.compile(r"tensor<[^>]*>|\w+").match(self.s, self.i).end()
            return ("raw", raw)
        m = re.compile(r"[-+]?(?:0x[0-9A-Fa-f]+|[\d.]+(?:[eE][-+]?\d+)?|inf|nan)|true|false|unit|[\w.]+").match(s, self.i)
        if not m:
            raise ValueError(f"cannot parse attribute at {s[self.i:self.i + 40]!r}")
        self.i = m.end()
        tok = m.group(0)
        t = self.type_suffix()
        if tok in ("true", "false"):
            return ("num", tok == "true", t or "i1")
        if tok == "unit":
            return True
        if t and (t.startswith("f") or t == "bf16"):
            if tok.startswith("0x"):
                return ("num", decode_float_hex(tok, t), t)
            return ("num", float(tok), t)
        if t:
            return ("num", int(tok, 0), t)
        try:
            return ("num", int(tok, 0), "i64")
        except ValueError:
            return ("num", float(tok), "f64")


def decode_float_hex(tok, t):
    bits = int(tok, 16)
    if t == "f32":
        return struct.unpack("<f", struct.pack("<I", bits))[0]
    if t == "f64":
        return struct.unpack("<d", struct.pack("<Q", bits))[0]
    if t == "f16":
        return float(np.array([bits], np.uint16).view(np.float16)[0])
    if t == "bf16":
        return float(np.array([bits << 16], np.uint32).view(np.float32)[0])
    raise ValueError(t)


def dense_value(body, t):
    tt = TensorType.parse(t)
    shape = tt.shape
    body = body.strip()
    if body.startswith('"0x'):
        raw = bytes.fromhex(body[3:-1])
        if tt.elem == "bf16":
            a = np.frombuffer(raw, np.uint16).astype(np.uint32) << 16
            a = a.view(np.float32)
        elif tt.elem == "i1":
            a = np.frombuffer(raw, np.uint8).astype(bool)
        else:
            a = np.frombuffer(raw, tt.dtype)
        count = int(np.prod(shape)) if shape else 1
        if a.size == 1 and count != 1:
            return np.full(shape, a[0], dtype=a.dtype)
        return a.reshape(shape).copy()
    text = body.replace("true", "1").replace("false", "0")
    text = re.sub(r"0x[0-9A-Fa-f]+", lambda m: repr(decode_float_hex(m.group(0), tt.elem)), text)
    text = text.replace("inf", "float('inf')").replace("nan", "float('nan')")
    value = eval(text, {"__builtins__": {"float": float}})
    a = np.array(value, dtype=np.float64 if tt.elem.startswith(("f", "b")) else np.int64)
    if a.ndim == 0 and shape:
        a = np.full(shape, a)
    return fix(a.reshape(shape), tt)


# ----------------------------------------------------------------------------
# Module parsing

OP_RE = re.compile(
    r'^\s*(?:(?P<res>%[\w]+)(?::(?P<n>\d+))?\s*=\s*)?"(?P<name>[\w.]+)"\((?P<ops>[^)]*)\)'
    r'(?P<rest>.*)$')


class Op:
    pass


def split_types(text):
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    out, depth, cur = [], 0, ""
    for c in text:
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur.strip())
    return out


def parse_module(text):
    lines = text.splitlines()
    func_attrs, args, ops = None, [], []
    for line in lines:
        s = line.strip()
        if s.startswith('"func.func"'):
            p = AttrParser(s)
            p.i = s.index("<{") + 1
            func_attrs = p.dictionary()
            continue
        if s.startswith("^bb0("):
            for a in split_types(s[len("^bb0"):s.rindex(")") + 1]):
                name, _, t = a.partition(":")
                args.append((name.strip(), TensorType.parse(t)))
            continue
        m = OP_RE.match(line)
        if not m or m.group("name") in ("builtin.module", "func.func"):
            continue
        op = Op()
        op.name = m.group("name")
        op.results = []
        if m.group("res"):
            n = int(m.group("n") or 1)
            op.results = [m.group("res")] if n == 1 and not m.group("n") else [
                f"{m.group('res')}#{i}" for i in range(n)]
        op.operands = [o.strip() for o in m.group("ops").split(",") if o.strip()]
        rest = m.group("rest")
        op.attrs = {}
        p = AttrParser(rest)
        p.ws()
        if p.peek("<{"):
            p.eat("<")
            op.attrs.update(p.dictionary())
            p.eat(">")
        if p.peek("{"):
            op.attrs.update(p.dictionary())
        p.eat(":")
        sig = rest[p.i:]
        ins, _, outs = sig.rpartition("->")
        op.result_types = [TensorType.parse(t) for t in split_types(outs) if t != "()"]
        ops.append(op)
    return func_attrs, args, ops


# ----------------------------------------------------------------------------
# Op semantics


def convert(x, src, dst):
    if dst.elem == "i1":
        return np.asarray(x != 0)
    if dst.elem.startswith(("i",)) and src.elem.startswith(("f", "b")):
        with np.errstate(invalid="ignore"):
            return fix(np.trunc(x), dst)
    return fix(x, dst)


def int_div(a, b):
    if np.issubdtype(a.dtype, np.integer):
        q = np.abs(a) // np.where(b == 0, 1, np.abs(b))
        return (np.sign(a) * np.sign(b) * q).astype(a.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return a / b


def floor_div(a, b):
    if np.issubdtype(a.dtype, np.integer):
        return np.floor_divide(a, np.where(b == 0, 1, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.floor(a / b)


def remainder(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.issubdtype(a.dtype, np.integer):
            return np.mod(a, np.where(b == 0, 1, b))
        return a - np.floor(a / b) * b


def erfinv(y):
    y = np.asarray(y, np.float64)
    # Giles' single-precision approximation, then two Newton steps.
    w = -np.log((1.0 - y) * (1.0 + y))
    small = w < 5.0
    ws = w - 2.5
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p = c + p * ws
    wl = np.sqrt(np.maximum(w, 5.0)) - 3.0
    q = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        q = c + q * wl
    x = np.where(small, p, q) * y
    erf = np.vectorize(math.erf, otypes=[np.float64])
    for _ in range(2):
        x = x - (erf(x) - y) / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    return x


UNARY = {
    "erfinv": erfinv,
    "exp": np.exp, "exp2": np.exp2, "expm1": np.expm1, "log": np.log, "log2": np.log2,
    "log10": np.log10, "log1p": np.log1p, "sqrt": np.sqrt, "rsqrt": lambda x: 1 / np.sqrt(x),
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "erf": lambda x: np.vectorize(math.erf, otypes=[np.float64])(x),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "floor": np.floor, "ceil": np.ceil,
    "round": np.round, "trunc": np.trunc, "reciprocal": lambda x: 1 / x,
    "neg": np.negative, "abs": np.abs, "sign": np.sign,
    "not": lambda x: np.logical_not(x) if x.dtype == bool else np.invert(x),
}

BINARY = {
    "add": lambda a, b: np.logical_or(a, b) if a.dtype == bool else a + b,
    "sub": np.subtract, "mul": lambda a, b: np.logical_and(a, b) if a.dtype == bool else a * b,
    "div": int_div, "floor_div": floor_div, "remainder": remainder, "fmod": np.fmod,
    "pow": np.power, "max": np.maximum, "min": np.minimum, "atan2": np.arctan2,
    "and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b,
    "shl": np.left_shift, "shr": np.right_shift,
}

COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
           "gt": np.greater, "ge": np.greater_equal}

REDUCE = {"reduce_sum": np.sum, "reduce_prod": np.prod, "reduce_max": np.max,
          "reduce_min": np.min, "reduce_or": np.any, "reduce_and": np.all}


def attr_int(v):
    return v[1] if isinstance(v, tuple) else v


def windows(x, kernel, stride, dilation):
    """Sliding windows over the trailing len(kernel) dims: [..., out..., k...]."""
    n = len(kernel)
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    axes = tuple(range(x.ndim - n, x.ndim))
    v = np.lib.stride_tricks.sliding_window_view(x, span, axis=axes)
    sl = [slice(None)] * (x.ndim - n) + [slice(None, None, s) for s in stride]
    sl += [slice(None, None, d) for d in dilation]
    return v[tuple(sl)]


def pad_trailing(x, low, high, value):
    n = len(low)
    width = [(0, 0)] * (x.ndim - n) + [(max(l, 0), max(h, 0)) for l, h in zip(low, high)]
    x = np.pad(x, width, constant_values=value)
    sl = [slice(None)] * (x.ndim - n)
    for l, h, e in zip(low, high, x.shape[x.ndim - n:]):
        sl.append(slice(-l if l < 0 else 0, e + h if h < 0 else e))
    return x[tuple(sl)]


def convolution(x, w, a):
    stride, lo, hi = a["stride"], a["padding_low"], a["padding_high"]
    dil, lhs, groups = a["dilation"], a["lhs_dilation"], attr_int(a["groups"])
    n = len(stride)
    if any(d != 1 for d in lhs):
        shape = list(x.shape[:2]) + [(e - 1) * d + 1 if e else 0 for e, d in zip(x.shape[2:], lhs)]
        y = np.zeros(shape, x.dtype)
        y[(slice(None), slice(None)) + tuple(slice(None, None, d) for d in lhs)] = x
        x = y
    x = pad_trailing(x, lo, hi, 0)
    k = list(w.shape[2:])
    win = windows(x, k, stride, dil)  # [N, C, out..., k...]
    N, C = x.shape[:2]
    O = w.shape[0]
    cg, og = C // groups, O // groups
    outs = []
    letters = "defghi"[:n]
    for g in range(groups):
        wg = win[:, g * cg:(g + 1) * cg]
        kg = w[g * og:(g + 1) * og]
        eq = f"nc{letters.upper()}{letters},oc{letters}->no{letters.upper()}"
        outs.append(np.einsum(eq, wg.astype(np.float64), kg.astype(np.float64)))
    return np.concatenate(outs, axis=1)


def pool(x, a, kind):
    kernel, stride = a["kernel"], a["stride"]
    lo, hi = a["padding_low"], a["padding_high"]
    dil = a.get("dilation", [1] * len(kernel))
    if kind == "max":
        xp = pad_trailing(x.astype(np.float64), lo, hi, -np.inf)
        return windows(xp, kernel, stride, dil).max(axis=tuple(range(-len(kernel), 0)))
    xp = pad_trailing(x.astype(np.float64), lo, hi, 0.0)
    s = windows(xp, kernel, stride, dil).sum(axis=tuple(range(-len(kernel), 0)))
    if "divisor_override" in a and not isinstance(a["divisor_override"], bool):
        return s / attr_int(a["divisor_override"])
    n = len(kernel)
    clo, chi = a["counted_padding_low"], a["counted_padding_high"]
    # 1 where a position counts: the input and the counted padding.
    ones = np.ones([e + c + c2 for e, c, c2 in zip(x.shape[x.ndim - n:], clo, chi)])
    ones = np.pad(ones, [(l - c, h - c2) for l, h, c, c2 in zip(lo, hi, clo, chi)])
    count = windows(ones, kernel, stride, dil).sum(axis=tuple(range(-n, 0)))
    return s / count


def max_pool_backward(g, x, a):
    kernel, stride = a["kernel"], a["stride"]
    lo, hi = a["padding_low"], a["padding_high"]
    dil = a.get("dilation", [1] * len(kernel))
    n = len(kernel)
    xp = pad_trailing(x.astype(np.float64), lo, hi, -np.inf)
    win = windows(xp, kernel, stride, dil)  # [..., out..., k...]
    lead = x.shape[:x.ndim - n]
    out_shape = win.shape[x.ndim - n:x.ndim]
    flat_win = win.reshape(lead + out_shape + (-1,))
    first = np.argmax(flat_win, axis=-1)  # first maximum
    gp = np.zeros(xp.shape)
    for o in np.ndindex(*out_shape):
        taps = first[(Ellipsis,) + o]
        k = np.stack(np.unravel_index(taps, kernel), -1)  # [..., n]
        for lidx in np.ndindex(*lead):
            pos = tuple(o[i] * stride[i] + k[lidx][i] * dil[i] for i in range(n))
            gp[lidx + pos] += g[lidx + o]
    sl = tuple(slice(None) for _ in lead) + tuple(
        slice(l, l + e) for l, e in zip(lo, x.shape[x.ndim - n:]))
    return gp[sl]


def attention(q, k, v, mask, a):
    scale = a["scale"][1]
    s = np.matmul(q.astype(np.float64), np.swapaxes(k.astype(np.float64), -1, -2)) * scale
    L, S = s.shape[-2:]
    if a.get("is_causal") and a["is_causal"][1]:
        s = np.where(np.tril(np.ones((L, S), bool)), s, -np.inf)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    s = s - s.max(axis=-1, keepdims=True)
    e = np.exp(s)
    return np.matmul(e / e.sum(axis=-1, keepdims=True), v.astype(np.float64))


def run_op(op, vals):
    name = op.name.split(".", 1)[1]
    x = [vals[o] for o in op.operands]
    a = op.attrs
    rt = op.result_types[0] if op.result_types else None
    if op.name == "arith.constant":
        return [a["value"][1]]
    if op.name.startswith("arith."):
        i, j = (int(v) for v in x[:2]) if len(x) >= 2 else (int(x[0]), 0)
        f = {"addi": i + j, "subi": i - j, "muli": i * j,
             "floordivsi": i // j if j else 0, "ceildivsi": -(-i // j) if j else 0,
             "divsi": int(i / j) if j else 0, "remsi": int(math.fmod(i, j)) if j else 0,
             "maxsi": max(i, j), "minsi": min(i, j)}
        if name in f:
            return [f[name]]
        if name in ("index_cast", "index_castui"):
            return [int(x[0])]
        raise NotImplementedError(op.name)
    if op.name == "tensor.dim":
        return [x[0].shape[int(x[1])]]
    if op.name == "tensor.cast":
        return [x[0]]
    if op.name == "tensor.from_elements":
        return [fix(np.array(x[0]), rt)]
    if not op.name.startswith("thunder."):
        raise NotImplementedError(op.name)
    t = [TensorType.parse for _ in ()]
    if name == "constant":
        return [dense_value(a["value"][1], a["value"][2])]
    if name in ("full", "iota"):
        dyn = iter(int(v) for v in x)
        shape = [d if d is not None else next(dyn) for d in rt.shape]
        if name == "full":
            return [fix(np.full(shape, a["value"][1]), rt)]
        d = attr_int(a["dim"])
        ar = np.arange(shape[d]).reshape([-1 if i == d else 1 for i in range(len(shape))])
        return [fix(np.broadcast_to(ar, shape), rt)]
    if name in UNARY:
        with np.errstate(all="ignore"):
            return [fix(UNARY[name](x[0]), rt)]
    if name in BINARY:
        with np.errstate(all="ignore"):
            return [fix(BINARY[name](x[0], x[1]), rt)]
    if name == "compare":
        return [COMPARE[a["direction"][1]](x[0], x[1])]
    if name == "select":
        return [fix(np.where(x[0], x[1], x[2]), rt)]
    if name == "convert":
        src = TensorType(list(x[0].shape), op.in_elem)
        return [convert(x[0], src, rt)]
    if name in REDUCE:
        dims = tuple(a["dims"])
        keep = bool(a.get("keepdim", ("num", False))[1]) if isinstance(a.get("keepdim"), tuple) else False
        acc = x[0].astype(np.float64) if x[0].dtype in (np.float16, np.float32) else x[0]
        return [fix(REDUCE[name](acc, axis=dims, keepdims=keep), rt)]
    if name in ("argmax", "argmin"):
        keep = isinstance(a.get("keepdim"), tuple) and a["keepdim"][1]
        f = np.argmax if name == "argmax" else np.argmin
        return [fix(f(x[0], axis=attr_int(a["dim"]), keepdims=bool(keep)), rt)]
    if name in ("cumsum", "cumprod", "cummax", "cummin"):
        d = attr_int(a["dim"])
        f = {"cumsum": np.cumsum, "cumprod": np.cumprod,
             "cummax": np.maximum.accumulate, "cummin": np.minimum.accumulate}[name]
        return [fix(f(x[0], axis=d), rt)]
    if name == "reshape":
        dyn = iter(int(v) for v in x[1:])
        shape = [d if d is not None else next(dyn) for d in rt.shape]
        return [x[0].reshape(shape)]
    if name == "permute":
        return [np.transpose(x[0], a["perm"])]
    if name == "broadcast_in_dim":
        dyn = iter(int(v) for v in x[1:])
        shape = [d if d is not None else next(dyn) for d in rt.shape]
        inshape = [1] * len(shape)
        for i, d in enumerate(a["dims"]):
            inshape[d] = x[0].shape[i]
        return [np.broadcast_to(x[0].reshape(inshape), shape).copy()]
    if name == "slice":
        return [x[0][tuple(slice(s, l, st) for s, l, st in zip(a["start"], a["limit"], a["step"]))]]
    if name == "concat":
        return [np.concatenate(x, axis=attr_int(a["dim"]))]
    if name == "pad":
        return [pad_trailing(x[0], a["low"], a["high"], x[1].item()) if x[0].ndim else x[0]]
    if name == "reverse":
        return [np.flip(x[0], axis=tuple(a["dims"]))]
    if name == "gather":
        return [np.take_along_axis(x[0], x[1], axis=attr_int(a["dim"]))]
    if name == "index_select":
        return [np.take(x[0], x[1], axis=attr_int(a["dim"]))]
    if name == "index":
        s = attr_int(a["start_dim"])
        return [x[0][(slice(None),) * s + tuple(x[1:])]]
    if name == "index_put":
        s = attr_int(a["start_dim"])
        out = x[0].copy()
        key = (slice(None),) * s + tuple(x[1:-1])
        acc = isinstance(a.get("accumulate"), tuple) and a["accumulate"][1]
        if acc:
            np.add.at(out, key, x[-1])
        else:
            out[key] = x[-1]
        return [out]
    if name == "scatter":
        d = attr_int(a["dim"])
        out = x[0].copy()
        idx, src = x[1], x[2]
        grids = list(np.indices(idx.shape))
        grids[d] = idx
        vals_ = src[tuple(slice(0, e) for e in idx.shape)]
        acc = isinstance(a.get("accumulate"), tuple) and a["accumulate"][1]
        if acc:
            np.add.at(out, tuple(grids), vals_)
        else:
            out[tuple(grids)] = vals_
        return [out]
    if name == "sort":
        d = attr_int(a["dim"])
        desc = isinstance(a.get("descending"), tuple) and a["descending"][1]
        key = -x[0].astype(np.float64) if desc else x[0]
        idx = np.argsort(key, axis=d, kind="stable")
        return [np.take_along_axis(x[0], idx, axis=d), idx.astype(np.int64)]
    if name == "matmul":
        return [fix(np.matmul(x[0].astype(np.float64), x[1].astype(np.float64)), rt)]
    if name == "convolution":
        return [fix(convolution(x[0], x[1], a), rt)]
    if name == "max_pool":
        return [fix(pool(x[0], a, "max"), rt)]
    if name == "avg_pool":
        return [fix(pool(x[0], a, "avg"), rt)]
    if name == "max_pool_backward":
        return [fix(max_pool_backward(x[0], x[1], a), rt)]
    if name == "attention":
        mask = x[3] if len(x) > 3 else None
        return [fix(attention(x[0], x[1], x[2], mask, a), rt)]
    raise NotImplementedError(op.name)


# ----------------------------------------------------------------------------
# Archive weights and safetensors


def read_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    dt = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64,
          "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        b, e = v["data_offsets"]
        raw = data[8 + n + b:8 + n + e]
        if v["dtype"] == "BF16":
            a = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(raw, dt[v["dtype"]])
        out[k] = a.reshape(v["shape"])
    return out


CODES = {7: np.float32, 8: np.float64, 6: np.float16, 13: "bf16", 5: np.int64, 4: np.int32,
         3: np.int16, 2: np.int8, 1: np.uint8, 12: np.bool_}


def read_weights(path):
    z = zipfile.ZipFile(path)
    names = z.namelist()
    root = names[0].split("/")[0]
    out = {}
    for cfg in ("data/weights/model_weights_config.json", "data/constants/model_constants_config.json"):
        full = f"{root}/{cfg}"
        if full not in names:
            continue
        folder = cfg.rsplit("/", 1)[0]
        for fqn, entry in json.loads(z.read(full))["config"].items():
            meta = entry["tensor_meta"]
            raw = z.read(f"{root}/{folder}/{entry['path_name']}")
            code = CODES[meta["dtype"]]
            if code == "bf16":
                flat = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
            else:
                flat = np.frombuffer(raw, code)
            sizes = [s["as_int"] for s in meta["sizes"]]
            strides = [s["as_int"] for s in meta["strides"]]
            off = meta["storage_offset"]["as_int"]
            item = flat.itemsize
            a = np.lib.stride_tricks.as_strided(flat[off:], sizes, [s * item for s in strides])
            out[fqn] = np.array(a)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("module")
    ap.add_argument("--pt2", required=True)
    ap.add_argument("--ref", required=True)
    ap.add_argument("--rtol", type=float, default=2e-4)
    ap.add_argument("--atol", type=float, default=2e-5)
    ap.add_argument("--batch", type=int, default=0,
                    help="run on the first N entries (dim 0) of every input; compare the "
                         "outputs whose dim 0 is the batch by their first N entries")
    args = ap.parse_args()

    func_attrs, fargs, ops = parse_module(open(args.module).read())
    weights = read_weights(args.pt2)
    ref = read_safetensors(args.ref)
    vals = {}
    inputs = 0
    for (name, t), attrs in zip(fargs, func_attrs["arg_attrs"]):
        kind, fqn = attrs["thunder.kind"], attrs["thunder.name"]
        if kind == "input":
            v = ref[f"input.{inputs}"]
            inputs += 1
            if args.batch:
                full_batch = v.shape[0]
                v = v[:args.batch]
        else:
            v = weights[fqn]
        vals[name] = fix(v, t)
    # The element type of each value, for convert.
    elem = {name: t.elem for name, t in fargs}
    results = None
    for op in ops:
        if op.name == "func.return":
            results = [vals[o] for o in op.operands]
            break
        op.in_elem = elem.get(op.operands[0]) if op.operands else None
        try:
            outs = run_op(op, vals)
        except Exception as e:  # noqa: BLE001
            print(f"FAIL {op.name} {op.results}: {type(e).__name__}: {e}")
            return 1
        for r, v, t in zip(op.results, outs, op.result_types):
            if t.shape is not None and list(np.shape(v)) != [
                    s if s is not None else np.shape(v)[i] for i, s in enumerate(t.shape)]:
                print(f"FAIL {op.name} {r}: shape {np.shape(v)} vs type {t.shape}")
                return 1
            vals[r] = v
            elem[r] = t.elem
    ok = True
    outputs = 0
    for v, attrs in zip(results, func_attrs["res_attrs"]):
        kind = attrs["thunder.kind"]
        if kind == "output":
            key = f"output.{outputs}"
            outputs += 1
        else:
            key = f"buffer.{attrs['thunder.name']}"
        if key not in ref:
            print(f"SKIP {key}")
            continue
        want = ref[key].astype(np.float64)
        got = np.asarray(v).astype(np.float64)
        if args.batch:
            if want.ndim == 0 or want.shape[0] != full_batch:
                print(f"SKIP {key} (not batched)")
                continue
            want = want[:args.batch]
        if got.shape != want.shape:
            print(f"FAIL {key}: shape {got.shape} vs reference {want.shape}")
            ok = False
            continue
        err = np.abs(got - want)
        bad = ~(err <= args.atol + args.rtol * np.abs(want)) & ~(np.isnan(got) & np.isnan(want))
        status = "FAIL" if bad.any() else "OK"
        ok &= not bad.any()
        print(f"{status} {key} max_abs_err={float(np.nanmax(err)) if err.size else 0.0:.3g}"
              + (f" mismatches={int(bad.sum())}/{bad.size}" if bad.any() else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
