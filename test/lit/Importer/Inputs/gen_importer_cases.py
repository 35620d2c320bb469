"""Small real torch.export programs for the importer's own tests, with PyTorch references.

Run on a machine with PyTorch 2.11 (the GPU machine): python3 gen_importer_cases.py OUTDIR
For each case NAME it writes (as test/fixtures/gen/gen_op_fixtures.py does):
  imp_NAME.pt2, imp_NAME_core.pt2 (ep.run_decompositions()), imp_NAME.ref.safetensors (input.<i>, output.<i>,
  buffer.<fqn>). The cases cover what the public op archives do not: symbolic sizes (dynamic batch and sequence),
  the rest of the Core ATen operator set, in-place writes into views, grouped-query attention, type promotion.
"""
import collections
import copy
import json
import os
import sys
import traceback

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)
Dim = torch.export.Dim


def R(*s):
    return torch.randn(*s)


class Fn(nn.Module):
    def __init__(self, f, params=None, buffers=None):
        super().__init__()
        self.f = f
        for k, v in (params or {}).items():
            self.register_parameter(k, nn.Parameter(v))
        for k, v in (buffers or {}).items():
            self.register_buffer(k, v)

    def forward(self, *a):
        return self.f(self, *a)


def flatcat(*ts):
    return torch.cat([t.reshape(-1).float() for t in ts])


class Block(nn.Module):
    """A transformer block over [B, S, 32] with dynamic B and S."""

    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(32, 96)
        self.o = nn.Linear(32, 32)
        self.ln = nn.LayerNorm(32)
        self.pos = nn.Embedding(64, 32)

    def forward(self, x):
        b, s, _ = x.shape
        x = x + self.pos(torch.arange(s))
        q, k, v = self.qkv(self.ln(x)).view(b, s, 3, 4, 8).permute(2, 0, 3, 1, 4).unbind(0)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = self.o(a.transpose(1, 2).reshape(b, s, -1))
        y = F.gelu(y + x)
        last = y[:, -1]
        mean = y.mean(1, keepdim=True)
        z = torch.cat([y, mean.expand(-1, s, -1)], dim=1)
        z = F.pad(z, (0, 0, 1, 1))
        return z.softmax(1).sum(-1), last, y.reshape(b * s, 32).sum(0)


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.l = nn.Linear(8, 4)

    def forward(self, x):
        y = F.max_pool2d(F.relu(self.bn(self.c(x))), 2)
        return self.l(F.adaptive_avg_pool2d(y, 1).flatten(1))


class InPlace(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("count", torch.zeros(3))

    def forward(self, x):
        y = x.clone()
        y.add_(1.0)
        y.mul_(2.0)
        y[:, 0] = 0.0
        y[1] = y[1] * 3
        y[:, 2:4].clamp_(-1.0, 1.0)
        z = y.view(-1)
        z[0] = 5.0
        self.count.add_(y[0, :3])
        return y + z.view(4, 6), torch.relu_(x.clone())


class GQA(nn.Module):
    def forward(self, q, k, v, m):
        return flatcat(F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
                       F.scaled_dot_product_attention(q, k, v, attn_mask=m, enable_gqa=True, scale=0.2),
                       F.scaled_dot_product_attention(q[:, :2], k, v, attn_mask=m.float() * 0.5))


def cases():
    yield ("reductions", Fn(lambda m, x: flatcat(x.sum(1), x.mean((0, 2)), x.amax((1, 2)), x.amin(0), x.max(1).values,
        x.min(2).indices, x.prod(1), x.var(1), x.std(2, correction=0), torch.var(x, (0, 1), correction=2), torch.logsumexp(x, (1, 2)),
        x.norm(dim=1), x.norm(p=1, dim=2), torch.linalg.vector_norm(x, ord=3, dim=0), torch.linalg.vector_norm(x, float("inf")),
        x.sum(), x.argmax(1), x.argmin(), x.argmax(2, keepdim=True), (x > 0).any((1, 2)), (x > -3).all(), x.any(),
        torch.count_nonzero(x > 0, dim=1), torch.cumsum(x > 0, 1), x.prod(), torch.var_mean(x, 1)[0], torch.std_mean(x, 2)[1],
        x.to(torch.float16).sum(1).float(), x.to(torch.bfloat16).mean(1).float(), x.median(), x.max(), x.min())),
        (R(3, 4, 5),), "eval")
    yield ("norms", Fn(lambda m, x: flatcat(F.group_norm(x, 2, m.g, m.b), F.instance_norm(x), F.instance_norm(x, weight=m.g, bias=m.b),
        F.layer_norm(x, (5, 6), m.lw, m.lb), F.layer_norm(x, (6,)), F.batch_norm(x, m.rm, m.rv, m.g, m.b, False),
        F.normalize(x, dim=1), F.rms_norm(x, (6,), m.rw), F.rms_norm(x, (5, 6), eps=1e-3), F.local_response_norm(x, 2),
        F.group_norm(x.flatten(2), 4)),
        {"g": R(4), "b": R(4), "lw": R(5, 6), "lb": R(5, 6), "rw": R(6)}), (R(2, 4, 5, 6),), "eval", None,
        {"rm": R(4) * 0.1, "rv": R(4).abs() + 0.5})
    yield ("dynamic_block", Block(), (R(2, 7, 32),), "eval",
        ({0: Dim("batch", min=1, max=32), 1: Dim("seq", min=2, max=64)},))
    yield ("dynamic_conv", ConvNet(), (R(3, 3, 8, 8),), "eval", ({0: Dim("batch", min=1, max=16)},))
    yield ("dynamic_ops", Fn(lambda m, x, y: (flatcat(
        (x.view(x.shape[0], -1, 2).softmax(-1) * x.shape[1]).reshape(x.shape[0], -1).sum(1, keepdim=True) + x.mean()),
        flatcat(torch.cat([x, x * 2], 0).cumsum(0)), flatcat(x[1:, :3], x.new_zeros(x.shape[0], 2) + 1,
        torch.arange(x.shape[0]).float(), x.flip(0), x.transpose(0, 1).contiguous(), x.unsqueeze(1).expand(-1, 3, -1).sum(1),
        torch.full((x.shape[0] * 2,), 3.0), x @ y, (x.shape[0] * x).sum(), torch.ones_like(x).cumsum(0)))),
        (R(5, 8), R(8, 3)), "eval", (({0: Dim("n", min=3, max=64)}, None),))
    yield ("conv_pool", Fn(lambda m, x, v, u: flatcat(F.max_pool3d(v, 2), F.avg_pool3d(v, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        F.adaptive_avg_pool3d(v, (2, 3, 2)), F.adaptive_max_pool1d(u, 3), F.avg_pool2d(x, 3, 1, 1, divisor_override=4),
        F.max_pool2d(x, 3, 2, 1, dilation=2, ceil_mode=True), F.avg_pool2d(x, 2, ceil_mode=True), F.adaptive_avg_pool2d(x, (4, 3)),
        F.adaptive_max_pool2d(x, (3, 5)), F.pad(u, (2, 1), mode="reflect"), F.pad(u, (1, 2), mode="replicate"),
        F.pad(v, (1, 1, 1, 1, 1, 1), mode="replicate"), F.pad(v, (1, 0, 0, 1, 1, 0), mode="reflect"),
        F.conv2d(x, m.w, stride=(2, 1), padding=(0, 2), dilation=(1, 2)), F.conv_transpose2d(x, m.wt, stride=2, groups=2, dilation=2),
        F.conv_transpose3d(v, m.w3, stride=(1, 2, 1), padding=1, output_padding=(0, 1, 0)), F.conv1d(u, m.w1, groups=2, padding="valid"),
        F.conv2d(x[0], m.w, padding="same")),
        {"w": R(3, 4, 2, 3), "wt": R(4, 3, 3, 3), "w3": R(2, 3, 2, 3, 2), "w1": R(4, 2, 3)}),
        (R(2, 4, 7, 9), R(1, 2, 5, 6, 4), R(2, 4, 9)), "eval")
    yield ("indexing2", Fn(lambda m, x, i, j, k: flatcat(x[i, :, j], x[:, i], x[k], x[i[:, None], j % 5], x[..., j],
        x.index_put((i, torch.tensor(1), j), torch.tensor(7.0)), x.index_put((i, torch.tensor([0, 0, 2]), j), torch.ones(3), accumulate=True),
        torch.zeros(4, 5, 6).index_put((k,), x[:2], accumulate=True), torch.take_along_dim(x, k.view(-1, 1, 1).expand(-1, 5, 6), 0),
        x.scatter(2, j.view(1, 1, -1).expand(4, 5, -1), 2.5), x.scatter_reduce(1, i.view(1, -1, 1).expand(4, -1, 6), x[:, :3], "sum", include_self=False),
        x.scatter_reduce(0, k.view(-1, 1, 1).expand(-1, 5, 6), x[:2] * 2, "sum"),
        x.diagonal(0, 1, 2), x.diagonal(-1, 2, 0), torch.diag(x[0]), x.masked_scatter(x > 0.5, torch.arange(120.0).view(4, 5, 6)),
        x.slice_scatter(torch.zeros(4, 2, 6), 1, 1, 5, 2), x.select_scatter(torch.ones(4, 6), 1, 3), x.unfold(2, 3, 2),
        x.roll(3), x.flip((0, 2)), x.tile((2, 1)), x.index_fill(1, i, -1.0), torch.where(x > 0, x, 0.0), torch.where(x > 0, 1.0, x),
        x.new_ones(3).index_add(0, torch.tensor([0, 2, 0]), torch.tensor([1.0, 2.0, 3.0]), alpha=2))),
        (R(4, 5, 6), torch.tensor([2, 0, 3]), torch.tensor([5, 1, 0]), torch.tensor([3, 1])), "eval")
    yield ("promotion", Fn(lambda m, a, b, x, h, s, c: flatcat(a + 1.5, a * b, a / b, a // -3, a % -4, torch.fmod(a, -4), torch.remainder(a, b),
        torch.fmod(x, b), a.float().div(3, rounding_mode="trunc"), a.div(3, rounding_mode="floor"), (a > 0) + 1, (a > 0) & (b > 2),
        a & 6, a | 1, a ^ b, a >> 2, torch.logical_xor(a, b), torch.atan2(a, b), x + s, h * 1.5, (h + x).float(), c + x, c * 2.5,
        a - 2, 3 - a, x.clamp(a.float() - 1, b.float()), torch.clamp(a, min=b), a.to(torch.int8).to(torch.int16), x.mul(3).to(torch.int32),
        x.byte().float(), (x * 100).short(), a ** 2, torch.pow(2, a.clamp(0, 5)), x ** a.clamp(-2, 2), torch.abs(a), -a, a.sign(),
        torch.bitwise_not(a), a.double() / 7, torch.sub(x, a, alpha=2), torch.add(a, b, alpha=3), torch.rsub(x, 1.5, alpha=2))),
        (torch.randint(-20, 20, (3, 5)), torch.randint(1, 20, (3, 5)), R(3, 5).abs() * 5, R(3, 5).half(), torch.tensor(2.5, dtype=torch.float64),
         torch.tensor(3, dtype=torch.int64)), "eval")
    yield ("linalg2", Fn(lambda m, a, b, c, v: flatcat(v @ c, c @ v[:4], a @ b, torch.matmul(a.unsqueeze(1), b.unsqueeze(0)),
        torch.matmul(a, b[0]), torch.addmm(m.bias, a[0], b[0], beta=0.5, alpha=2), torch.baddbmm(a @ b, a, b, beta=0, alpha=0.5),
        torch.addmv(v[:3], a[0], v[:4]), torch.mv(a[1], v[:4]), torch.dot(v, v), torch.outer(v, v[:3]),
        torch.einsum("bij,bjk->bik", a, b), torch.einsum("bij->jb", a), torch.einsum("...ij,jk->...ik", a, b[0]), torch.einsum("i,i->", v, v),
        torch.einsum("bij,bkj->bik", a, a), torch.tensordot(a, b, dims=([2], [1])), F.bilinear(v[:4].unsqueeze(0), v[:3].unsqueeze(0), m.bw),
        torch.cdist(a[0], a[1]), F.linear(a, b[0].t(), m.bias2)),
        {"bias": R(5), "bw": R(2, 4, 3), "bias2": R(5)}),
        (R(2, 3, 4), R(2, 4, 5), R(5, 4), R(5)), "eval")
    yield ("gqa", GQA(), (R(2, 4, 6, 8), R(2, 2, 7, 8), R(2, 2, 7, 8), torch.rand(2, 1, 6, 7) > 0.3), "eval")
    yield ("inplace", InPlace(), (R(4, 6),), "train")
    yield ("upsample2", Fn(lambda m, x, u, v: flatcat(F.interpolate(x, scale_factor=1.5, mode="nearest"),
        F.interpolate(x, scale_factor=(2, 0.5), mode="nearest-exact"), F.interpolate(x, scale_factor=1.7, mode="bilinear"),
        F.interpolate(x, size=(2, 9), mode="bilinear", align_corners=True), F.interpolate(u, scale_factor=2.5, mode="linear"),
        F.interpolate(v, size=(3, 4, 5), mode="trilinear"), F.interpolate(u, size=7), F.interpolate(v, scale_factor=2),
        F.pixel_unshuffle(x, 1), F.pixel_shuffle(torch.cat([x, x], 1), 1))),
        (R(1, 2, 3, 4), R(2, 3, 5), R(1, 2, 2, 3, 4)), "eval")
    yield ("losses2", Fn(lambda m, x, t, y, p: torch.stack([F.cross_entropy(x, t, weight=m.w), F.cross_entropy(x, t, ignore_index=1),
        F.cross_entropy(x, t, label_smoothing=0.1), F.cross_entropy(x, p.softmax(1)), F.cross_entropy(x, p.softmax(1), label_smoothing=0.2),
        F.nll_loss(x.log_softmax(1), t, weight=m.w, ignore_index=3), F.nll_loss(x.log_softmax(1), t, reduction="sum"),
        F.binary_cross_entropy(y.sigmoid(), p.sigmoid()), F.binary_cross_entropy_with_logits(x, p.sigmoid(), pos_weight=m.w.abs()),
        F.kl_div(x.log_softmax(1), y.log_softmax(1), log_target=True, reduction="sum"), F.smooth_l1_loss(x, y, beta=0.5),
        F.huber_loss(x, y, delta=0.3), F.mse_loss(x, y, reduction="sum"), F.l1_loss(x, y, reduction="mean"),
        F.cross_entropy(x.view(2, 2, 5).transpose(1, 2), t.view(2, 2)), F.soft_margin_loss(x, y.sign()),
        F.cross_entropy(x, t, reduction="none").sum()]),
        None, {"w": R(5).abs()}), (R(4, 5), torch.tensor([0, 3, 1, 4]), R(4, 5), R(4, 5)), "eval")
    yield ("misc", Fn(lambda m, x, i: flatcat(torch.diff(x, 2, 1), torch.diff(x > 0, dim=0), torch.tril(x, -1), torch.triu(x, 2),
        torch.cummin(x, 1).values, torch.cummin(x, 1).indices, torch.cummax(x, 0).indices, torch.sort(x, dim=1, stable=True).indices,
        torch.topk(x, 2, 0, largest=False).values, torch.argsort(x, 0, descending=True), torch.kthvalue(x, 2, 1).values,
        torch.nan_to_num(torch.log(x)), torch.isposinf(x / 0), torch.isneginf(-x / 0), F.embedding(i, x, padding_idx=0),
        F.one_hot(i % 3, 3), torch.eye(3, 4), torch.linspace(-1, 2, 7), torch.arange(0, 1, 0.25), torch.arange(10, 0, -3),
        torch.full((2, 2), True), torch.zeros(2, dtype=torch.int32), torch.scalar_tensor(7, dtype=torch.int64),
        x.unsqueeze(0).repeat(2, 1, 1), torch.stack([x, x], -1), x.chunk(3, 1)[2], x.split(2, 0)[1], x.tensor_split(3, 1)[0],
        torch.hstack([x, x]), torch.vstack([x, x]), x.T, x.mT, x.view(2, -1).sum(0), torch.flatten(x), torch.squeeze(x.unsqueeze(1), 1),
        x.new_tensor([1.0, 2.0]), F.hardshrink(x), F.threshold(x, 0.1, 20.0), F.softsign(x), F.prelu(x.view(1, 5, 6), m.a),
        F.rrelu(x, training=False), F.glu(x, 0) if False else F.glu(x[:4], 0), F.logsigmoid(x), torch.special.erfinv(x.clamp(-0.9, 0.9)),
        torch.acosh(x.abs() + 1), torch.expm1(x), x.round(decimals=1), torch.trunc(x * 3), torch.frac(x * 3)),
        {"a": R(5)}), (R(5, 6), torch.tensor([[0, 2, 4], [1, 3, 0]])), "eval")
    yield ("train_ops", nn.Sequential(nn.Linear(6, 8), nn.Dropout(0.0), nn.BatchNorm1d(8, affine=False), nn.GELU(), nn.LayerNorm(8),
        nn.GroupNorm(2, 8), nn.Linear(8, 3)), (R(5, 6),), "train")
    yield ("backward_ops", Fn(backward_ops, {"lw": R(6), "lb": R(6), "gw": R(4), "gb": R(4)}),
        (R(2, 4, 6, 6), R(2, 4, 3, 3), R(6, 2, 3, 2), R(2, 6, 3, 4), torch.tensor([[1, 3, 9], [0, 3, 2]]), R(2, 3, 5),
         R(3, 5, 6)), "eval")
    yield ("coreops", Fn(lambda m, x, g, i, o: flatcat(torch.randperm(5).float() * 0, F.pdist(x), F.pdist(x, p=1),
        F.grid_sample(m.img, g, align_corners=False), F.grid_sample(m.img, g, mode="nearest", padding_mode="border", align_corners=True),
        F.fold(m.cols, (5, 6), (2, 3), dilation=(1, 2), padding=(1, 0), stride=(2, 1)),
        F.embedding_bag(i, m.e, o, mode="sum"), F.embedding_bag(i, m.e, o, mode="mean", padding_idx=2),
        F.embedding_bag(i, m.e, o, mode="sum", per_sample_weights=torch.arange(7.0)),
        F.embedding_bag(i.view(1, 7)[:, :6].reshape(2, 3), m.e, mode="mean"), torch.atan2(x, x.flip(0))),
        None, {"img": R(2, 3, 5, 6), "cols": R(2, 3 * 6, 6), "e": R(10, 4)}),
        (R(4, 3), R(2, 4, 3, 2) * 1.2, torch.tensor([1, 2, 4, 2, 9, 0, 5]), torch.tensor([0, 2, 2, 5])), "eval")
    # The Core ATen overloads no other archive has (docs/status.md), called directly.
    yield ("coreops2", Fn(coreops2, {"w": R(3), "b": R(3)}), (R(2, 3, 5, 6), R(1, 2, 4, 5, 6), R(2, 3, 7),
        torch.randint(-20, 20, (3, 5)), torch.tensor([1, 2, 4, 2, 9, 0, 5]), torch.tensor([0, 2, 2, 5])), "train", None,
        {"e": R(10, 4), "rm": torch.zeros(3), "rv": torch.ones(3)})
    yield ("bf16_block", Fn(lambda m, x: flatcat(F.layer_norm(x, (8,)), F.softmax(x, -1), F.gelu(x) @ m.w, x.sum(0), F.rms_norm(x, (8,)),
        F.scaled_dot_product_attention(x.view(1, 2, 3, 4), x.view(1, 2, 3, 4), x.view(1, 2, 3, 4))),
        {"w": R(8, 4).bfloat16()}), (R(3, 8).bfloat16(),), "eval")


A = torch.ops.aten


def backward_ops(m, x, g4, w, gc, ids, ge, gl):
    mp, idx = F.max_pool2d(x, 2, return_indices=True)
    ln_out, mean, rstd = A.native_layer_norm(gl, [6], m.lw, m.lb, 1e-5)
    gn_out, gmean, grstd = A.native_group_norm(x, m.gw, m.gb, 2, 4, 36, 2, 1e-5)
    return flatcat(
        A.max_pool2d_with_indices_backward(g4, x, [2, 2], [2, 2], [0, 0], [1, 1], False, idx),
        A.avg_pool2d_backward(g4, x, [2, 2], [2, 2], [0, 0], False, True, None),
        A.avg_pool2d_backward(torch.ones(2, 4, 4, 4) * g4.mean(), x, [3, 3], [2, 2], [1, 1], True, False, None),
        A._adaptive_avg_pool2d_backward(g4[:, :, :2], x[:, :, :5, :5]),
        *A.native_layer_norm_backward(ln_out * 0 + gl, gl, [6], mean, rstd, m.lw, m.lb, [True, True, True]),
        *A.native_group_norm_backward(gn_out * 0 + x, x, gmean, grstd, m.gw, 2, 4, 36, 2, [True, True, True]),
        A.embedding_dense_backward(ge, ids, 10, 3, False),
        *A.convolution_backward(gc, x, w, [6], [2, 1], [1, 0], [1, 2], False, [0, 0], 2, [True, True, True]))


def coreops2(m, x, v, u, a, i, o):
    return flatcat(
        A._embedding_bag(m.e, i, o, False, 0, False, None, False)[0],
        A._embedding_bag(m.e, i[:5], o, False, 1, False, None, True)[0],
        A.as_strided(x, [3, 4], [5, 2], 1),
        A.bitwise_xor.Scalar(a, 5),
        A.div.Scalar_mode(x, 0.3, rounding_mode="floor"), A.div.Scalar_mode(a, 4, rounding_mode="trunc"),
        A.fill.Scalar(A.empty_strided([2, 3], [1, 2]), 1.5), A.fill.Scalar(x, -2.0),
        A.native_dropout(x, 0.0, True)[0], A.native_dropout(x, 0.0, True)[1],
        A.rand([3]) * 0,
        A.reflection_pad1d(u, [2, 1]), A.reflection_pad2d(x, [1, 2, 2, 0]), A.reflection_pad3d(v, [1, 1, 0, 2, 1, 0]),
        A.replication_pad2d(x, [2, 1, 0, 3]), A.replication_pad3d(v, [1, 0, 2, 1, 0, 1]),
        A.sub.Scalar(x, 2.5), A.sub.Scalar(x, 1.5, 2),
        A._native_batch_norm_legit(x, m.w, m.b, m.rm, m.rv, True, 0.1, 1e-5)[0],
        A.atan2.out(x, x.flip(0), out=torch.empty_like(x)))


def flat(x):
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for e in x for t in flat(e)]
    return []


def save_case(key, model, args, mode, dyn):
    torch.manual_seed(1)
    m = model.train(mode == "train")
    m_ref = copy.deepcopy(model).train(mode == "train")
    ep = torch.export.export(m, args, dynamic_shapes=dyn, strict=False)
    torch.export.save(ep, f"{OUT}/{key}.pt2")
    try:
        core = ep.run_decompositions()
        torch.export.save(core, f"{OUT}/{key}_core.pt2")
        core_ops = sorted(collections.Counter(str(n.target) for n in core.graph.nodes if n.op == "call_function"))
    except Exception as e:  # noqa: BLE001
        core_ops = ["ERROR " + repr(e)[:300]]
    ref = {f"input.{i}": a.contiguous() for i, a in enumerate(args)}
    with torch.no_grad():
        outs = flat(m_ref(*[a.clone() for a in args]))
    for i, o in enumerate(outs):
        ref[f"output.{i}"] = o.detach().contiguous()
    for n, b in m_ref.named_buffers():
        ref[f"buffer.{n}"] = b.detach().contiguous()
    save_file(ref, f"{OUT}/{key}.ref.safetensors")
    ops = collections.Counter(str(n.target) for n in ep.graph.nodes if n.op == "call_function")
    return {"mode": mode, "ops": dict(ops), "core_ops": core_ops,
            "inputs": [[list(a.shape), str(a.dtype)] for a in args], "outputs": [[list(o.shape), str(o.dtype)] for o in outs]}


def main():
    index = {}
    only = set(sys.argv[2:])
    for case in cases():
        name, model, args, mode = case[:4]
        dyn = case[4] if len(case) > 4 else None
        if len(case) > 5:
            for k, v in case[5].items():
                model.register_buffer(k, v)
        key = "imp_" + name
        if only and name not in only:
            continue
        try:
            index[key] = save_case(key, model, args, mode, dyn)
            print("ok", key, flush=True)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            index[key] = {"error": repr(e)[:1000]}
            print("FAILED", key, repr(e)[:300], flush=True)
    json.dump({"torch": torch.__version__, "cases": index}, open(f"{OUT}/imp_index.json", "w"), indent=1)


main()
