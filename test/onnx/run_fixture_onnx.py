#!/usr/bin/env python3
"""A fixture's ONNX export against the fixture's PyTorch reference (CPU target).

    run_fixture_onnx.py --bin BUILD/bin --out DIR NAME...

For each NAME: test/fixtures/NAME.pt2 is loaded with torch.export.load and exported with
torch.onnx.export(dynamo=True) (onnxscript) to DIR/NAME.onnx; thunderc compiles it for the CPU;
thunder-run runs it on NAME.ref.safetensors' inputs; tools/thunder-run/compare.py compares
output.* with the reference at the e2e tolerances (float32 2e-4 / 2e-5, bfloat16 3e-2). A fixture with a
dynamic batch (mlp_dynamic_batch: a dim_param in the ONNX export) also runs at batch 1 and 1000
(test/e2e/dynamic_batch.py, as its .pt2 does). A training fixture (NAME_train) is compiled with --backward
and its gradients of parameters and inputs are compared too (at the e2e gradient tolerance, 1e-3 / 1e-4).
Nothing is committed: the .onnx files are made at test time. Exit 1 if any fixture fails.
"""
import argparse
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def export(name, path):
    import torch
    ep = torch.export.load(os.path.join(REPO, "test", "fixtures", name + ".pt2"))
    program = torch.onnx.export(ep, dynamo=True, verbose=False)
    program.save(path)


def check(name, bin_dir, out):
    onnx_path = os.path.join(out, name + ".onnx")
    so = os.path.join(out, name + ".onnx.so")
    result = os.path.join(out, name + ".onnx.out.safetensors")
    ref = os.path.join(REPO, "test", "fixtures", name + ".ref.safetensors")
    try:
        export(name, onnx_path)
    except Exception as e:  # the exporter's own limits are reported, not hidden
        return f"export: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    train = ["--backward"] if name.endswith("_train") else []
    steps = [
        [os.path.join(bin_dir, "thunderc"), onnx_path, "--target=cpu", "-o", so] + train,
        [os.path.join(bin_dir, "thunder-run"), so, "--inputs", ref, "--save", result] + train,
    ]
    tol = ["--rtol", "3e-2", "--atol", "3e-2"] if "bf16" in name else ["--rtol", "2e-4", "--atol", "2e-5"]
    compare = [sys.executable, os.path.join(REPO, "tools", "thunder-run", "compare.py"), result, ref]
    steps.append(compare + ["--keys", "output"] + tol)
    if train:
        steps.append(compare + ["--backward", "--keys", "grad", "--rtol", "1e-3", "--atol", "1e-4"])
    if name.endswith("dynamic_batch"):
        batches = os.path.join(REPO, "test", "e2e", "dynamic_batch.py")
        for batch in ("1", "1000"):
            batch_in = os.path.join(out, f"{name}.onnx.b{batch}.in.safetensors")
            batch_out = os.path.join(out, f"{name}.onnx.b{batch}.out.safetensors")
            steps += [[sys.executable, batches, "make", ref, batch, batch_in],
                      [os.path.join(bin_dir, "thunder-run"), so, "--inputs", batch_in, "--save", batch_out],
                      [sys.executable, batches, "check", ref, batch, batch_out] + tol]
    for cmd in steps:
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            step = os.path.basename(cmd[1] if cmd[0] == sys.executable else cmd[0])
            return f"{step}: " + (r.stderr.strip() or r.stdout.strip())[-400:]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("names", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    failed = 0
    for name in args.names:
        why = check(name, args.bin, args.out)
        print(f"{'PASS' if why is None else 'FAIL'} {name}" + ("" if why is None else f": {why}"),
              flush=True)
        failed += why is not None
    print(f"onnx fixtures: {len(args.names) - failed} of {len(args.names)} match their reference")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
