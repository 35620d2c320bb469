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


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or ["zoo_bert_dynamic", "zoo_weight_norm", "zoo_repeat_interleave", "zoo_empty_slice"]
    os.makedirs(out, exist_ok=True)
    sweep.model("weight_norm")(lambda: (WeightNormConv(), (torch.randn(2, 12, 16),)))
    sweep.model("repeat_interleave")(lambda: (RepeatInterleave(), (torch.randn(2, 3, 8),)))
    sweep.model("empty_slice")(lambda: (EmptySlice(), (torch.randn(2, 4, 3, 16),)))
    cases = {"zoo_bert_dynamic": [("bert", "dynamic", "zoo_bert_dynamic")],
             "zoo_weight_norm": [("weight_norm", "eval", "zoo_weight_norm"),
                                 ("weight_norm", "train", "zoo_weight_norm_train")],
             "zoo_repeat_interleave": [("repeat_interleave", "eval", "zoo_repeat_interleave"),
                                       ("repeat_interleave", "train", "zoo_repeat_interleave_train")],
             "zoo_empty_slice": [("empty_slice", "eval", "zoo_empty_slice"),
                                 ("empty_slice", "train", "zoo_empty_slice_train")]}
    for n in names:
        for model, mode, key in cases[n]:
            stem, _ = sweep.export_case(model, mode, out, 300)
            shutil.move(stem + ".pt2", os.path.join(out, key + ".pt2"))
            shutil.move(stem + ".ref.safetensors", os.path.join(out, key + ".ref.safetensors"))
            print(key, os.path.getsize(os.path.join(out, key + ".pt2")), "bytes")


if __name__ == "__main__":
    main()
