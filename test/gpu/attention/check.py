#!/usr/bin/env python3
"""Checks the fused attention kernels against torch's SDPA and times them.

On the GPU machine: run.sh builds harness.so (g++, -lcuda) and runs this with
the fatbin the runtime embeds. Forward: O against SDPA in float32 from the same
(rounded) inputs; backward: dQ, dK, dV against autograd of that. Errors are
max |ours - ref| / max |ref|.
"""
import ctypes
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

lib = ctypes.CDLL(sys.argv[1])
torch.zeros(1, device="cuda")  # torch's (primary) context current on this thread
assert lib.h_init(sys.argv[2].encode()) == 0, "cannot load the fatbin"

PTRS = ["q", "k", "v", "o", "lse", "mask", "dO", "dq", "dk", "dv", "dqAcc", "dkAcc", "dvAcc", "delta"]
INTS = ["B", "H", "Hkv", "L", "S", "D", "qB", "qH", "qL", "kB", "kH", "kS", "vB", "vH", "vS",
        "oB", "oH", "oL", "dOB", "dOH", "dOL", "dqB", "dqH", "dqL", "dkB", "dkH", "dkS",
        "dvB", "dvH", "dvS", "mB", "mH", "mL", "mS"]


class Params(ctypes.Structure):
    _fields_ = ([(n, ctypes.c_void_p) for n in PTRS] + [(n, ctypes.c_int64) for n in INTS] +
                [("scale", ctypes.c_float), ("causal", ctypes.c_int), ("maskKind", ctypes.c_int),
                 ("vec", ctypes.c_int), ("tiles", ctypes.c_void_p), ("tilesL", ctypes.c_int64),
                 ("tilesS", ctypes.c_int64)])


assert ctypes.sizeof(Params) == lib.h_sizeof_params(), "Params layout differs"
DT = {torch.float32: 0, torch.float16: 1, torch.bfloat16: 2}
MK = {None: 0, torch.float32: 1, torch.float16: 2, torch.bfloat16: 3, torch.bool: 4}


def setp(p, name, t, dims):
    setattr(p, name, t.data_ptr())
    for d, s in zip(dims, t.stride()[:3]):
        setattr(p, d, s)


def params(q, k, v, o, lse, mask, scale, causal, dO=None, dq=None, dk=None, dv=None):
    p = Params()
    B, H, L, D = q.shape
    p.B, p.H, p.Hkv, p.L, p.S, p.D = B, H, k.shape[1], L, k.shape[2], D
    setp(p, "q", q, ["qB", "qH", "qL"])
    setp(p, "k", k, ["kB", "kH", "kS"])
    setp(p, "v", v, ["vB", "vH", "vS"])
    if o is not None:
        setp(p, "o", o, ["oB", "oH", "oL"])
    if lse is not None:
        p.lse = lse.data_ptr()
    if dO is not None:
        setp(p, "dO", dO, ["dOB", "dOH", "dOL"])
        setp(p, "dq", dq, ["dqB", "dqH", "dqL"])
        setp(p, "dk", dk, ["dkB", "dkH", "dkS"])
        setp(p, "dv", dv, ["dvB", "dvH", "dvS"])
    p.maskKind = MK[None if mask is None else mask.dtype]
    if mask is not None:
        m = mask.expand(B, H, L, k.shape[2]) if mask.dim() == 4 else mask.expand(B, H, L, k.shape[2])
        p.mask = mask.data_ptr()
        p.mB, p.mH, p.mL, p.mS = m.stride()
        if mask.dtype == torch.bool:
            assert mask.element_size() == 1
    p.scale = scale
    p.causal = int(causal)
    return p


def make(B, H, Hkv, L, S, D, dtype, strided, mask_kind, dev="cuda"):
    g = torch.Generator(device=dev).manual_seed(B * 1000 + L + D)
    def rnd(*shape):
        return torch.randn(*shape, device=dev, generator=g, dtype=torch.float32).to(dtype)
    if strided:  # [B, L, H, D] storage viewed as [B, H, L, D], as after a permute
        q = rnd(B, L, H, D).transpose(1, 2)
        k = rnd(B, S, Hkv, D).transpose(1, 2)
        v = rnd(B, S, Hkv, D).transpose(1, 2)
    else:
        q, k, v = rnd(B, H, L, D), rnd(B, Hkv, S, D), rnd(B, Hkv, S, D)
    mask = None
    if mask_kind == "float":
        mask = rnd(1, 1, L, S).float() * 2
        mask = mask.to(dtype if dtype != torch.float32 else torch.float32)
    elif mask_kind == "causal_pad":  # what HF models pass: a causal mask as a tensor, and padding
        mask = torch.ones(L, S, device=dev, dtype=torch.bool).tril().expand(B, 1, L, S).clone()
        mask[-1, :, :, S - 70:] = False  # the last sequence's last 70 keys are padding
        mask[-1, :, -3:, :] = False  # ... and its last 3 queries see nothing
    elif mask_kind == "bool":
        mask = torch.rand(B, 1, L, S, device=dev, generator=g) > 0.3
        mask[:, :, 5, :] = False  # a fully masked row
    return q, k, v, mask


def reference(q, k, v, mask, scale, causal):
    qf, kf, vf = (t.detach().double().requires_grad_() for t in (q, k, v))
    G = q.shape[1] // k.shape[1]
    kr, vr = kf.repeat_interleave(G, 1), vf.repeat_interleave(G, 1)
    s = (qf @ kr.transpose(-1, -2)) * scale
    L, S = s.shape[-2:]
    if mask is not None:
        s = s.masked_fill(~mask, -math.inf) if mask.dtype == torch.bool else s + mask.double()
    if causal:
        s = s.masked_fill(~torch.ones(L, S, dtype=torch.bool, device=q.device).tril(), -math.inf)
    pmax = s.amax(-1, keepdim=True)
    pmax = torch.where(pmax == -math.inf, torch.zeros_like(pmax), pmax)
    e = (s - pmax).exp()
    z = e.sum(-1, keepdim=True)
    pr = e / torch.where(z == 0, torch.ones_like(z), z)
    o = pr @ vr
    lse = (z.log() + pmax).squeeze(-1)
    return qf, kf, vf, o, lse


def err(a, b):
    a, b = a.double(), b.double()
    m = b.abs().max().item()
    return (a - b).abs().max().item() / (m if m > 0 else 1.0)


TOL = {torch.float32: 2e-4, torch.float16: 1e-2, torch.bfloat16: 3e-2}
cases = [
    # B, H, Hkv, L, S, D, dtype, causal, strided, mask
    (2, 4, 4, 200, 200, 64, torch.bfloat16, False, False, None),
    (2, 4, 4, 200, 200, 64, torch.bfloat16, True, True, None),
    (2, 8, 2, 150, 130, 128, torch.float16, False, False, None),
    (2, 8, 2, 256, 256, 128, torch.bfloat16, True, True, None),
    (1, 32, 8, 300, 300, 64, torch.bfloat16, True, False, None),
    (2, 4, 4, 100, 120, 64, torch.bfloat16, False, False, "float"),
    (2, 4, 4, 100, 100, 128, torch.float16, False, True, "bool"),
    (2, 4, 4, 100, 100, 64, torch.float16, True, False, "bool"),
    (2, 4, 2, 300, 300, 64, torch.bfloat16, False, False, "causal_pad"),
    (2, 4, 4, 200, 200, 128, torch.float16, False, True, "causal_pad"),
    (2, 4, 2, 70, 70, 80, torch.bfloat16, True, False, None),
    (2, 4, 2, 70, 90, 96, torch.float16, False, True, "float"),
    (2, 4, 4, 70, 90, 64, torch.float32, False, False, None),
    (2, 4, 2, 65, 65, 32, torch.float32, True, True, "bool"),
    (2, 4, 4, 33, 47, 64, torch.float32, False, False, "float"),
]
failures = 0
print("case | fwd O | lse | dQ | dK | dV | bwd_mma dQ | dK | dV | fwd_pipe O | lse | ok")
for B, H, Hkv, L, S, D, dtype, causal, strided, mk in cases:
    q, k, v, mask = make(B, H, Hkv, L, S, D, dtype, strided, mk)
    scale = 1.0 / math.sqrt(D)
    o = torch.empty(B, L, H, D, device="cuda", dtype=dtype).transpose(1, 2) if strided else \
        torch.empty(B, H, L, D, device="cuda", dtype=dtype)
    lse = torch.empty(B, H, L, device="cuda", dtype=torch.float32)
    p = params(q, k, v, o, lse, mask, scale, causal)
    rc = lib.h_fwd(DT[dtype], ctypes.byref(p))
    torch.cuda.synchronize()
    qf, kf, vf, oref, lseref = reference(q, k, v, mask, scale, causal)
    dO = torch.randn_like(o.float()).to(dtype)
    oref.backward(dO.double())
    dq, dk, dv = torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)
    pb = params(q, k, v, None, None, mask, scale, causal, dO, dq, dk, dv)
    rcb = lib.h_bwd(DT[dtype], ctypes.byref(pb))
    torch.cuda.synchronize()
    # the pipelined forward (opt-in) on the same problem
    os.environ["THUNDER_ATTENTION_FWD"] = "pipe"
    o2 = torch.empty_like(o)
    lse2 = torch.empty_like(lse)
    rc2 = lib.h_fwd(DT[dtype], ctypes.byref(params(q, k, v, o2, lse2, mask, scale, causal)))
    torch.cuda.synchronize()
    del os.environ["THUNDER_ATTENTION_FWD"]
    # the register backward (opt-in) on the same problem: its gradients against the reference too
    os.environ["THUNDER_ATTENTION_BWD"] = "mma"
    dq2, dk2, dv2 = torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)
    pb2 = params(q, k, v, None, None, mask, scale, causal, dO, dq2, dk2, dv2)
    rcb2 = lib.h_bwd(DT[dtype], ctypes.byref(pb2))
    torch.cuda.synchronize()
    del os.environ["THUNDER_ATTENTION_BWD"]
    finite = torch.isfinite(lseref)
    e = [err(o, oref), err(lse[finite], lseref[finite]), err(dq, qf.grad), err(dk, kf.grad),
         err(dv, vf.grad), err(dq2, qf.grad), err(dk2, kf.grad), err(dv2, vf.grad),
         err(o2, oref), err(lse2[finite], lseref[finite])]
    lse_inf_ok = bool((lse[~finite] == -math.inf).all())
    ok = rc == 0 and rc2 == 0 and rcb == 0 and rcb2 == 0 and all(x < TOL[dtype] for x in e) and lse_inf_ok
    failures += not ok
    name = f"B{B} H{H}/{Hkv} L{L} S{S} D{D} {str(dtype)[6:]} causal={int(causal)} strided={int(strided)} mask={mk}"
    print(f"{name} | " + " | ".join(f"{x:.2e}" for x in e) + f" | {'ok' if ok else 'FAIL rc=%d/%d/%d' % (rc, rcb, rcb2)}")

# Timing against torch's SDPA (bf16, causal).
def bench(fn, iters=20):
    fn()
    torch.cuda.synchronize()
    t0 = torch.cuda.Event(enable_timing=True)
    t1 = torch.cuda.Event(enable_timing=True)
    t0.record()
    for _ in range(iters):
        fn()
    t1.record()
    torch.cuda.synchronize()
    return t0.elapsed_time(t1) / iters

print("\ntimes (ms) | ours fwd (wmma fwd) [pipe fwd] | ours bwd_mma incl. fwd recompute (bwd_tc) | torch fwd | torch fwd+bwd | backend")
for name, (B, H, Hkv, T, D) in {"gpt2": (8, 12, 12, 1024, 64), "gpt2-boolmask": (8, 12, 12, 1024, 64),
                                "llama1b": (4, 32, 8, 2048, 64), "d128": (4, 16, 16, 2048, 128)}.items():
    dtype = torch.bfloat16
    # -boolmask: the causal mask as a [B, 1, T, T] tensor (as HF models pass it), not the flag
    tensor_mask = name.endswith("-boolmask")
    q, k, v, mask = make(B, H, Hkv, T, T, D, dtype, True, "causal_pad" if tensor_mask else None)
    if tensor_mask:
        mask = torch.ones(T, T, device="cuda", dtype=torch.bool).tril().expand(B, 1, T, T).clone()
    scale = 1.0 / math.sqrt(D)
    o = torch.empty(B, T, H, D, device="cuda", dtype=dtype).transpose(1, 2)
    lse = torch.empty(B, H, T, device="cuda", dtype=torch.float32)
    p = params(q, k, v, o, lse, mask, scale, not tensor_mask)
    dO = torch.randn_like(o)
    dq, dk, dv = torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)
    pb = params(q, k, v, None, None, mask, scale, not tensor_mask, dO, dq, dk, dv)
    ours_f = bench(lambda: lib.h_fwd(2, ctypes.byref(p)))
    os.environ["THUNDER_ATTENTION_FWD"] = "wmma"  # the shared-memory forward, for comparison
    wmma_f = bench(lambda: lib.h_fwd(2, ctypes.byref(p)))
    os.environ["THUNDER_ATTENTION_FWD"] = "pipe"
    pipe_f = bench(lambda: lib.h_fwd(2, ctypes.byref(p)))
    del os.environ["THUNDER_ATTENTION_FWD"]
    wmma_b = bench(lambda: lib.h_bwd(2, ctypes.byref(pb)))
    os.environ["THUNDER_ATTENTION_BWD"] = "mma"
    ours_b = bench(lambda: lib.h_bwd(2, ctypes.byref(pb)))
    del os.environ["THUNDER_ATTENTION_BWD"]
    qa, ka, va = (t.detach().requires_grad_() for t in (q, k, v))
    res = []
    from torch.nn.attention import SDPBackend, sdpa_kernel
    for be in [SDPBackend.FLASH_ATTENTION, SDPBackend.CUDNN_ATTENTION, None]:
        try:
            kk, vv = ka, va
            if Hkv != H:
                kk, vv = ka.repeat_interleave(H // Hkv, 1), va.repeat_interleave(H // Hkv, 1)
            def f():
                return F.scaled_dot_product_attention(qa, kk, vv, is_causal=True)
            def fb():
                out = F.scaled_dot_product_attention(qa, kk, vv, is_causal=True)
                out.backward(dO)
            if be is not None:
                with sdpa_kernel([be]):
                    tf, tb = bench(f), bench(fb)
            else:
                tf, tb = bench(f), bench(fb)
            res.append((str(be), tf, tb))
        except Exception as ex:  # a backend that does not take this case
            res.append((str(be), float("nan"), float("nan")))
    for be, tf, tb in res:
        print(f"{name} B{B} H{H}/{Hkv} T{T} D{D} | {ours_f:.3f} ({wmma_f:.3f}) [{pipe_f:.3f}] | {ours_b:.3f} ({wmma_b:.3f}) | {tf:.3f} | {tb:.3f} | {be}")
print("FAILURES", failures)
