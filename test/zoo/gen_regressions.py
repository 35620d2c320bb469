#!/usr/bin/env python3
"""Regression fixtures from the model-zoo sweep, small enough to commit (test/fixtures/zoo_*.pt2 and
.ref.safetensors, keys as in test/fixtures/README.md), for programs that the compiler failed on before a fix:

    .venv-torch/bin/python test/zoo/gen_regressions.py OUTDIR [NAME...]

- zoo_bert_dynamic: the sweep's bert in mode dynamic (batch and sequence symbolic; reference at 3 x 11).
- zoo_weight_norm, zoo_weight_norm_train: nn.utils.weight_norm on a grouped Conv1d over time, as the positional
  convolution of wav2vec2 / HuBERT (aten._weight_norm), eval and train (gradients of original0 and original1, g and v).
- zoo_repeat_interleave, zoo_repeat_interleave_train: repeat_interleave with an integer count along the last
  dimension (GPT-J's interleaved rotary sin/cos) and of the flattened tensor (dim None).
- zoo_empty_slice, zoo_empty_slice_train: x[..., n:] of size n (Phi-3's rotary split when the whole head rotates)
  concatenated back; train: its gradient (the empty slice's VJP).
- zoo_moe, zoo_moe_train: a mixture-of-experts layer routed as transformers' Mixtral / Qwen2-MoE experts are on the
  CPU: top-1 expert per token, tokens sorted by expert, torch.histc of the expert ids, their cumulative sum as the
  offsets of transformers' grouped_mm_fallback custom op (aten._grouped_mm's semantics), unsorted; train: the
  gradients of the experts' weights and of the input through it.
- zoo_search, zoo_search_train: torch.searchsorted (a 1-D and a batched sequence, left and right sides), torch.bucketize
  (boundaries against a 3-D input, right=True, out_int32) and torch.logcumsumexp; train: logcumsumexp's gradient.
- zoo_scatter_reduce, zoo_scatter_reduce_train: scatter_reduce with amax, amin, prod and mean, with and without
  include_self, along dim 0 (message passing: [edges, features] into [nodes, features]) and dim 1, float and int64;
  train: the gradients into self and src.
- zoo_global_pool_dynamic: a small CNN exported with dynamic batch, height and width whose head pools globally
  (adaptive_avg_pool2d and adaptive_max_pool2d to 1 x 1); the reference is at 3 x 3 x 13 x 11.
"""
import os
import shutil
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sweep  # noqa: E402


class WeightNormConv(nn.Module):
    def __init__(self):
        super().__init__()
        conv = nn.Conv1d(16, 16, kernel_size=5, padding=2, groups=4)
        self.conv = nn.utils.parametrizations.weight_norm(conv, name="weight", dim=2)

    def forward(self, x):  # (batch, time, channels), like wav2vec2's hidden states
        return torch.nn.functional.gelu(self.conv(x.transpose(1, 2))).transpose(1, 2)


class EmptySlice(nn.Module):
    def forward(self, x):
        rot, rest = x[..., :16], x[..., 16:]
        return torch.cat((rot.sin(), rest), dim=-1) * 2


class RepeatInterleave(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(8, 8)

    def forward(self, x):
        y = self.lin(x)
        z = torch.repeat_interleave(y, 2, dim=-1) * torch.repeat_interleave(x, 2, dim=2)
        return z, torch.repeat_interleave(y, 3).sum()


class MoE(nn.Module):
    def __init__(self, experts=4, dim=8, hidden=12):
        super().__init__()
        import transformers.integrations.moe  # noqa: F401  (registers torch.ops.transformers.grouped_mm_fallback)
        self.router = nn.Linear(dim, experts, bias=False)
        self.up = nn.Parameter(torch.randn(experts, dim, hidden) * 0.3)
        self.down = nn.Parameter(torch.randn(experts, hidden, dim) * 0.3)
        self.experts = experts

    def forward(self, x):  # (tokens, dim)
        ids = self.router(x).argmax(-1)
        order = torch.argsort(ids, stable=True)
        counts = torch.histc(ids.float(), bins=self.experts, min=0, max=self.experts - 1)
        offs = torch.cumsum(counts, 0).to(torch.int32)
        h = torch.ops.transformers.grouped_mm_fallback(x[order], self.up, offs)
        y = torch.ops.transformers.grouped_mm_fallback(torch.relu(h), self.down, offs)
        return torch.empty_like(y).index_copy(0, order, y), counts


class Search(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(6, 6)
        self.register_buffer("edges", torch.linspace(-1.5, 1.5, 7))

    def forward(self, x, seq):  # x (2, 3, 6), seq (2, 5) sorted along the last dim
        y = self.lin(x)
        flat = y.reshape(2, -1)
        left = torch.searchsorted(self.edges, y)
        right = torch.searchsorted(seq, flat, side="right")
        buckets = torch.bucketize(y, self.edges, right=True, out_int32=True)
        return torch.logcumsumexp(y, dim=-1), left, right, buckets


class ScatterReduce(nn.Module):
    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(1)
        self.register_buffer("edges", torch.randint(0, 5, (9, 3), generator=g))  # 9 messages into 5 nodes
        self.register_buffer("cols", torch.randint(0, 4, (3, 6), generator=g))
        self.lin = nn.Linear(3, 3)

    def forward(self, nodes, msgs, wide):  # (5, 3), (9, 3), (3, 4)
        m = self.lin(msgs)
        outs = [nodes.scatter_reduce(0, self.edges, m, reduce=r, include_self=inc)
                for r in ("amax", "amin", "prod", "mean") for inc in (True, False)]
        outs.append(wide.scatter_reduce(1, self.cols, m[:3, :].repeat(1, 2), reduce="amax", include_self=False))
        ints = (nodes * 10).long().scatter_reduce(0, self.edges, (m * 10).long(), reduce="amin")
        return torch.stack(outs[:8]), outs[8], ints


class GlobalPool(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.head = nn.Linear(16, 4)

    def forward(self, x):  # (batch, 3, h, w)
        y = torch.relu(self.conv(x))
        avg = nn.functional.adaptive_avg_pool2d(y, 1).flatten(1)
        mx = nn.functional.adaptive_max_pool2d(y, (1, 1)).flatten(1)
        return self.head(torch.cat([avg, mx], dim=1))


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or ["zoo_bert_dynamic", "zoo_weight_norm", "zoo_repeat_interleave", "zoo_empty_slice"]
    os.makedirs(out, exist_ok=True)
    sweep.model("weight_norm")(lambda: (WeightNormConv(), (torch.randn(2, 12, 16),)))
    sweep.model("repeat_interleave")(lambda: (RepeatInterleave(), (torch.randn(2, 3, 8),)))
    sweep.model("empty_slice")(lambda: (EmptySlice(), (torch.randn(2, 4, 3, 16),)))
    sweep.model("moe")(lambda: (MoE(), (torch.randn(16, 8),)))
    sweep.model("scatter_reduce")(lambda: (ScatterReduce(), (torch.randn(5, 3), torch.randn(9, 3), torch.randn(3, 4))))
    sweep.model("global_pool", modes=(), dynamic="batch+spatial")(lambda: (GlobalPool(), (torch.randn(2, 3, 8, 8),)))
    sweep.model("search")(lambda: (Search(), (torch.randn(2, 3, 6), torch.sort(torch.randn(2, 5), dim=-1).values)))
    cases = {"zoo_bert_dynamic": [("bert", "dynamic", "zoo_bert_dynamic")],
             "zoo_weight_norm": [("weight_norm", "eval", "zoo_weight_norm"),
                                 ("weight_norm", "train", "zoo_weight_norm_train")],
             "zoo_repeat_interleave": [("repeat_interleave", "eval", "zoo_repeat_interleave"),
                                       ("repeat_interleave", "train", "zoo_repeat_interleave_train")],
             "zoo_empty_slice": [("empty_slice", "eval", "zoo_empty_slice"),
                                 ("empty_slice", "train", "zoo_empty_slice_train")],
             "zoo_moe": [("moe", "eval", "zoo_moe"), ("moe", "train", "zoo_moe_train")],
             "zoo_search": [("search", "eval", "zoo_search"), ("search", "train", "zoo_search_train")],
             "zoo_global_pool_dynamic": [("global_pool", "dynamic", "zoo_global_pool_dynamic")],
             "zoo_scatter_reduce": [("scatter_reduce", "eval", "zoo_scatter_reduce"),
                                    ("scatter_reduce", "train", "zoo_scatter_reduce_train")]}
    for n in names:
        for model, mode, key in cases[n]:
            stem, _ = sweep.export_case(model, mode, out, 300)
            shutil.move(stem + ".pt2", os.path.join(out, key + ".pt2"))
            shutil.move(stem + ".ref.safetensors", os.path.join(out, key + ".ref.safetensors"))
            print(key, os.path.getsize(os.path.join(out, key + ".pt2")), "bytes")


if __name__ == "__main__":
    main()
