"""The peers' workloads (../shared/bench/peers.py: GPT-2 124M, Llama 1B, ResNet-50 in bfloat16, the
small MLP in float32), compiled by thunderc and timed against PyTorch on the GPU machine.

Their weights (0.1-2.5 GB) cannot travel to the GPU machine, so the work is split in three:

  there:  python3 bench/peer_workloads.py export DIR [NAME...]
          builds each workload exactly as peers.py does (torch.manual_seed(0), eval, bfloat16 but
          mlp_small), exports it (torch.export, strict=False) to DIR/NAME.pt2 and writes the
          stripped archive DIR/NAME.stripped.pt2 (no weight payloads; scripts/pt2_weights.py strip)
  here:   thunderc DIR/NAME.stripped.pt2 --weights=external -o NAME.so     (no GPU, no weights)
  there:  python3 bench/peer_workloads.py run DIR SO_DIR THUNDER_RUN [--compile] [NAME...]
          rebuilds and exports again (the same seed gives the same weights), extracts the weights
          (scripts/pt2_weights.py extract), runs `thunder-run SO_DIR/NAME.so --weights ...
          --bench 20` on peers.py's inputs, compares with eager's output and times eager (and
          torch.compile with --compile) with peers.py's method: CUDA events, median of 20 after 3
          warm-up calls, TF32 allowed. Prints one JSON line per workload and writes DIR/results.json.
"""
import json, os, statistics, subprocess, sys, time
import torch, torch.nn as nn

here = os.path.dirname(os.path.abspath(__file__))
weights_tool = os.path.join(here, "..", "scripts", "pt2_weights.py")
dev = "cuda"
torch.backends.cuda.matmul.allow_tf32 = True
torch.backends.cudnn.allow_tf32 = True


class LogitsOnly(nn.Module):
    def __init__(self, m):
        super().__init__(); self.m = m

    def forward(self, ids):
        return self.m(input_ids=ids).logits


def workloads():
    """peers.py's workloads: name -> (model maker, input maker)."""
    import transformers as T, torchvision
    g = T.GPT2Config(n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024, use_cache=False,
                     attn_pdrop=0.0, resid_pdrop=0.0, embd_pdrop=0.0)
    l = T.LlamaConfig(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                      num_key_value_heads=8, vocab_size=128256, max_position_embeddings=4096, use_cache=False,
                      tie_word_embeddings=True)
    return {
        "mlp_small": (lambda: nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 10)),
                      lambda: (torch.randn(8, 64),)),
        "gpt2_124m": (lambda: LogitsOnly(T.GPT2LMHeadModel(g)), lambda: (torch.randint(0, 50257, (8, 1024)),)),
        "resnet50": (lambda: torchvision.models.resnet50(), lambda: (torch.randn(64, 3, 224, 224),)),
        "llama_1b": (lambda: LogitsOnly(T.LlamaForCausalLM(l)), lambda: (torch.randint(0, 128256, (4, 2048)),)),
    }


def build(name):
    """(module on the GPU, inputs on the GPU) as peers.py makes them."""
    mk, mkin = workloads()[name]
    torch.manual_seed(0)
    dtype = torch.float32 if name == "mlp_small" else torch.bfloat16
    m = mk().to(dev, dtype).eval()
    args = tuple(a.to(dev, dtype) if a.is_floating_point() else a.to(dev) for a in mkin())
    return m, args


def export(name, out_dir):
    m, args = build(name)
    pt2 = os.path.join(out_dir, name + ".pt2")
    t = time.time()
    with torch.no_grad():
        ep = torch.export.export(m, args, strict=False)
    torch.export.save(ep, pt2)
    subprocess.run([sys.executable, weights_tool, "strip", pt2, os.path.join(out_dir, name + ".stripped.pt2")],
                   check=True)
    return m, args, time.time() - t


def bench(fn, iters=20, warm=3):
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    return statistics.median(ts)


def save_tensors(path, tensors):
    from safetensors.torch import save_file
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, path)


def load_tensors(path):
    from safetensors.torch import load_file
    return load_file(path)


def run(name, out_dir, so_dir, runner, use_compile):
    m, args, export_s = export(name, out_dir)
    rec = {"w": name, "export_s": round(export_s, 1)}
    weights = os.path.join(out_dir, name + ".weights.safetensors")
    subprocess.run([sys.executable, weights_tool, "extract", os.path.join(out_dir, name + ".pt2"), weights],
                   check=True)
    inputs = os.path.join(out_dir, name + ".in.safetensors")
    save_tensors(inputs, {f"input.{i}": a for i, a in enumerate(args)})
    with torch.no_grad():
        ref = m(*args)
        rec["eager_ms"] = round(bench(lambda: m(*args)), 3)
        if use_compile:
            cm = torch.compile(m)
            t = time.time(); cm(*args); torch.cuda.synchronize()
            rec["compile_s"] = round(time.time() - t, 1)
            rec["compile_ms"] = round(bench(lambda: cm(*args)), 3)
            del cm
    so = os.path.join(so_dir, name + ".so")
    saved = os.path.join(out_dir, name + ".out.safetensors")
    p = subprocess.run([runner, so, "--weights", weights, "--inputs", inputs, "--save", saved, "--bench", "20"],
                       capture_output=True, text=True)
    rec["thunder_log"] = (p.stdout + p.stderr)[-600:]
    if p.returncode == 0:
        for line in p.stdout.splitlines():
            if "median" in line:
                rec["thunder_bench"] = line.strip()
        ours = load_tensors(saved)["output.0"].to(dev).float()
        ref = ref.float()
        diff = (ours - ref).abs()
        rec["max_abs"] = diff.max().item()
        rec["ref_max_abs"] = ref.abs().max().item()
        rec["cosine"] = torch.nn.functional.cosine_similarity(ours.flatten(), ref.flatten(), dim=0).item()
        rec["within_3e-2"] = (diff <= 3e-2 + 3e-2 * ref.abs()).float().mean().item()
    else:
        rec["thunder_rc"] = p.returncode
    del m, ref
    torch.cuda.empty_cache()
    return rec


def main():
    mode = sys.argv[1]
    if mode == "export":
        out_dir, names = sys.argv[2], sys.argv[3:] or list(workloads())
        os.makedirs(out_dir, exist_ok=True)
        for name in names:
            _, _, s = export(name, out_dir)
            print(json.dumps({"w": name, "export_s": round(s, 1),
                              "stripped_bytes": os.path.getsize(os.path.join(out_dir, name + ".stripped.pt2"))}),
                  flush=True)
    elif mode == "run":
        out_dir, so_dir, runner = sys.argv[2:5]
        rest = sys.argv[5:]
        use_compile = "--compile" in rest
        names = [n for n in rest if not n.startswith("--")] or list(workloads())
        os.makedirs(out_dir, exist_ok=True)
        results = []
        print(torch.__version__, torch.cuda.get_device_name(), flush=True)
        for name in names:
            results.append(run(name, out_dir, so_dir, runner, use_compile))
            print(json.dumps(results[-1]), flush=True)
            json.dump(results, open(os.path.join(out_dir, "results.json"), "w"), indent=1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
