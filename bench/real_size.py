"""The real-size benchmark (issue: real models on the GPU): the workloads of ../shared/bench/peers.py
(GPT-2 124M B8 x T1024, Llama 1B (16 layers) B4 x T2048, ResNet-50 batch 64, all bf16), inference and
training (forward + backward), PyTorch eager, torch.compile and thunderc timed in the same run on the same GPU.

Their weights (0.25-2.5 GB) do not travel, so the work is split:

  here:   python3 bench/real_size.py export DIR [NAME...]
          builds each workload as peers.py does (torch.manual_seed(0) on the CPU, bfloat16), exports it in eval
          mode (DIR/NAME.pt2) and in train mode (DIR/NAME_train.pt2), and strips both archives of their weight
          payloads (the configs stay: names, dtypes, shapes). Then
            thunderc DIR/NAME.pt2 --weights=external -o DIR/NAME.so
            thunderc DIR/NAME_train.pt2 --weights=external --backward -o DIR/NAME_train.so
  there:  python3 bench/real_size.py run DIR THUNDER_RUN [--no-compile] [NAME...]
          builds each workload again (the same seed gives the same weights), writes its weights file with the
          keys of the stripped archive's signature (param.<fqn>, buffer.<fqn>, constant.<name>), and for
          inference and training times eager, torch.compile (peers.py's method: CUDA events, median after
          warm-up) and thunder-run --bench; compares thunderc's output (and, in training, every parameter's
          gradient) with eager's; records peak device memory (PyTorch's allocator; thunder-run's
          --peak-memory) and TFLOP/s and MFU where peers.py gives the FLOPs. One JSON line per measurement,
          DIR/results.json, and a markdown table at the end.
"""
import json, os, statistics, subprocess, sys, time, zipfile

here = os.path.dirname(os.path.abspath(__file__))
H100_BF16_DENSE_TFLOPS = 989.0


def workloads():
    """name -> (model maker, input maker, training FLOPs per step as peers.py counts them)."""
    import torch, torch.nn as nn, transformers as T, torchvision

    class LogitsOnly(nn.Module):
        def __init__(self, m):
            super().__init__(); self.m = m

        def forward(self, ids):
            return self.m(input_ids=ids).logits

    g = T.GPT2Config(n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024, use_cache=False,
                     attn_pdrop=0.0, resid_pdrop=0.0, embd_pdrop=0.0)
    l = T.LlamaConfig(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                      num_key_value_heads=8, vocab_size=128256, max_position_embeddings=4096, use_cache=False,
                      tie_word_embeddings=True)
    return {
        "gpt2_124m": (lambda: LogitsOnly(T.GPT2LMHeadModel(g)), lambda: (torch.randint(0, 50257, (8, 1024)),),
                      6 * 124e6 * 8 * 1024),
        "llama_1b": (lambda: LogitsOnly(T.LlamaForCausalLM(l)), lambda: (torch.randint(0, 128256, (4, 2048)),),
                     6 * 1.24e9 * 4 * 2048),
        "resnet50": (lambda: torchvision.models.resnet50(), lambda: (torch.randn(64, 3, 224, 224),),
                     3 * 4.1e9 * 64),
    }


def build(name, dev):
    import torch
    mk, mkin, _ = workloads()[name]
    torch.manual_seed(0)
    m = mk().to(dev, torch.bfloat16)
    args = tuple(a.to(dev, torch.bfloat16) if a.is_floating_point() else a.to(dev) for a in mkin())
    return m, args


def export(out_dir, names):
    import torch
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        m, args = build(name, "cpu")
        for train, suffix in ((False, ""), (True, "_train")):
            t = time.time()
            m.train(train)
            ep = torch.export.export(m, args, strict=False)
            full = os.path.join(out_dir, f"{name}{suffix}.full.pt2")
            torch.export.save(ep, full)
            subprocess.run([sys.executable, os.path.join(here, "..", "scripts", "pt2_weights.py"), "strip", full,
                            os.path.join(out_dir, f"{name}{suffix}.pt2")], check=True)
            os.remove(full)
            print(json.dumps({"w": name + suffix, "export_s": round(time.time() - t, 1),
                              "stripped_bytes": os.path.getsize(os.path.join(out_dir, f"{name}{suffix}.pt2"))}),
                  flush=True)
        del m


def signature(pt2):
    """The archive's weight inputs in the weights file's keys: [(key, name)], name an FQN or constant."""
    with zipfile.ZipFile(pt2) as z:
        model = [n for n in z.namelist() if n.endswith("models/model.json")][0]
        specs = json.loads(z.read(model))["graph_module"]["signature"]["input_specs"]
    out = []
    for spec in specs:
        (kind, v), = spec.items()
        if kind == "parameter":
            out.append(("param." + v["parameter_name"], v["parameter_name"]))
        elif kind == "buffer":
            out.append(("buffer." + v["buffer_name"], v["buffer_name"]))
        elif kind == "tensor_constant":
            out.append(("constant." + v["tensor_constant_name"], v["tensor_constant_name"]))
    return out


def write_weights(m, args, pt2, path):
    """The weights file of `pt2` for module `m`: every parameter, buffer and constant of its signature."""
    import torch
    from safetensors.torch import save_file
    state = dict(m.named_parameters(remove_duplicate=False))  # tied weights under every name
    state.update(dict(m.named_buffers(remove_duplicate=False)))
    out, missing = {}, []
    for key, name in signature(pt2):
        if name in state:
            out[key] = state[name]
        else:
            missing.append((key, name))
    if missing:  # lifted tensor constants: only an export knows them
        ep = torch.export.export(m, args, strict=False)
        for key, name in missing:
            out[key] = ep.constants[name]
    save_file({k: v.detach().contiguous() for k, v in out.items()}, path)


def bench(fn, iters, warm=3):
    import torch
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    return statistics.median(ts)


def thunder(runner, so, weights, inputs, saved, backward, iters):
    cmd = [runner, so, "--weights", weights, "--inputs", inputs, "--bench", str(iters), "--peak-memory"]
    if saved:
        cmd += ["--save", saved]
    if backward:
        cmd.append("--backward")
    p = subprocess.run(cmd, capture_output=True, text=True)
    r = {}
    if p.returncode != 0:
        return {"thunder_error": (p.stdout + p.stderr)[-800:]}
    for line in p.stdout.splitlines():
        k, _, v = line.partition(":")
        if k in ("median_ms", "backward_median_ms", "peak_device_mb"):
            r[k] = float(v)
    return r


def compare(ours, ref):
    import torch
    ours, ref = ours.float(), ref.float()
    diff = (ours - ref).abs()
    return {"max_abs": round(diff.max().item(), 4), "ref_max_abs": round(ref.abs().max().item(), 4),
            "cosine": round(torch.nn.functional.cosine_similarity(ours.flatten(), ref.flatten(), dim=0).item(), 6),
            "within_bf16_tol": round((diff <= 3e-2 + 3e-2 * ref.abs()).float().mean().item(), 6)}


def run(out_dir, runner, use_compile, names):
    import torch
    from safetensors.torch import load_file, save_file
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    results = []

    def rec(**kw):
        print(json.dumps(kw), flush=True); results.append(kw)
        json.dump(results, open(os.path.join(out_dir, "results.json"), "w"), indent=1)

    print(torch.__version__, torch.cuda.get_device_name(), flush=True)
    for name in names:
        flops = workloads()[name][2]
        m, args = build(name, "cuda")
        inputs = os.path.join(out_dir, name + ".in.safetensors")
        save_file({f"input.{i}": a.contiguous().cpu() for i, a in enumerate(args)}, inputs)
        for mode, pt2, so in (("infer", f"{name}.pt2", f"{name}.so"), ("train", f"{name}_train.pt2", f"{name}_train.so")):
            train = mode == "train"
            m.train(train)
            weights = os.path.join(out_dir, f"{name}.{mode}.weights.safetensors")
            write_weights(m, args, os.path.join(out_dir, pt2), weights)
            iters = 10 if train else 20
            torch.cuda.reset_peak_memory_stats()
            if not train:
                with torch.no_grad():
                    ref = m(*args)
                    eager = bench(lambda: m(*args), iters)
                    mem = torch.cuda.max_memory_allocated() / 2**20
                    comp = comp_mem = None
                    if use_compile:
                        cm = torch.compile(m); cm(*args)
                        torch.cuda.reset_peak_memory_stats()
                        comp = bench(lambda: cm(*args), iters); comp_mem = torch.cuda.max_memory_allocated() / 2**20
                        del cm
                ins = inputs
            else:
                ct = torch.ones_like(m(*args))
                def step(mod):
                    mod.zero_grad(set_to_none=True)
                    mod(*args).backward(ct)  # = out.float().sum().backward() (peers.py)
                step(m); ref = {n: p.grad.detach().clone() for n, p in m.named_parameters() if p.grad is not None}
                torch.cuda.reset_peak_memory_stats()
                eager = bench(lambda: step(m), iters); mem = torch.cuda.max_memory_allocated() / 2**20
                comp = comp_mem = None
                if use_compile:
                    cm = torch.compile(m); step(cm)
                    torch.cuda.reset_peak_memory_stats()
                    comp = bench(lambda: step(cm), iters); comp_mem = torch.cuda.max_memory_allocated() / 2**20
                    del cm
                ins = os.path.join(out_dir, name + ".train.in.safetensors")
                save_file({**{f"input.{i}": a.contiguous().cpu() for i, a in enumerate(args)},
                           "cotangent.0": ct.contiguous().cpu()}, ins)
                del ct
            m.zero_grad(set_to_none=True)
            torch.cuda.empty_cache()
            saved = os.path.join(out_dir, f"{name}.{mode}.out.safetensors")
            t = thunder(runner, os.path.join(out_dir, so), weights, ins, saved, train, iters)
            r = {"w": name, "mode": mode, "eager_ms": round(eager, 3), "eager_peak_mb": round(mem),
                 "compile_ms": comp and round(comp, 3), "compile_peak_mb": comp_mem and round(comp_mem), **t}
            if "median_ms" in t:
                ours = t["median_ms"] + t.get("backward_median_ms", 0.0)
                r["thunder_ms"] = round(ours, 3)
                r["vs_eager"] = round(eager / ours, 3)
                if comp:
                    r["vs_compile"] = round(comp / ours, 3)
                if train and flops:
                    r["thunder_tflops"] = round(flops / ours / 1e9, 1)
                    r["thunder_mfu"] = round(flops / ours / 1e9 / H100_BF16_DENSE_TFLOPS, 3)
                    if comp:
                        r["compile_mfu"] = round(flops / comp / 1e9 / H100_BF16_DENSE_TFLOPS, 3)
                got = load_file(saved)
                if not train:
                    r.update(compare(got["output.0"].cuda(), ref))
                else:
                    worst = None
                    for n, g in ref.items():
                        key = "grad.param." + n
                        if key in got:
                            c = compare(got[key].cuda(), g)
                            if worst is None or c["cosine"] < worst[1]["cosine"]:
                                worst = (n, c)
                    r["grads_compared"] = sum(("grad.param." + n) in got for n in ref)
                    r["grads_expected"] = len(ref)
                    if worst:
                        r["worst_grad"] = worst[0]; r.update({"grad_" + k: v for k, v in worst[1].items()})
                os.remove(saved)
            rec(**r)
            del ref
            torch.cuda.empty_cache()
        del m
        torch.cuda.empty_cache()
    rows = ["| workload | eager ms | torch.compile ms | thunderc ms | thunderc / compile | thunderc / eager | "
            "peak MB (eager / compile / thunderc) | numerics |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        num = (f"cos {r.get('cosine', r.get('grad_cosine'))}" if "thunder_ms" in r else r.get("thunder_error", "")[:80])
        rows.append(f"| {r['w']} {r['mode']} | {r['eager_ms']} | {r['compile_ms']} | {r.get('thunder_ms')} | "
                    f"{r.get('vs_compile')} | {r.get('vs_eager')} | {r['eager_peak_mb']} / {r['compile_peak_mb']} / "
                    f"{r.get('peak_device_mb')} | {num} |")
    print("\n".join(rows))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mode = sys.argv[1]
    if mode == "export":
        export(sys.argv[2], sys.argv[3:] or list(workloads()))
    elif mode == "run":
        rest = sys.argv[4:]
        run(sys.argv[2], sys.argv[3], "--no-compile" not in rest,
            [n for n in rest if not n.startswith("--")] or list(workloads()))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
