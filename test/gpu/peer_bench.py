"""Times PyTorch on one fixture, as ../../bench conventions (and the peers' script) do:
CUDA events around each call, median of N after 3 warm-up calls, TF32 allowed.

    python3 peer_bench.py PT2 REF.safetensors N [--backward] [--compile]

Prints one line: `eager_ms [compile_ms]` (compile_ms: torch.compile(mode default) on the same module).
The exported program is moved to the GPU with torch.export.passes.move_to_device_pass, since
graphs that create tensors (arange, full, masks) name the device they were exported on."""
import json, statistics, struct, sys
import torch
import torch.export.passes  # move_to_device_pass; not imported by `import torch`
try:  # registers its output classes with pytree, without which an HF archive (bert) does not load
    import transformers  # noqa: F401
except ImportError:
    pass

pt2, ref, iters = sys.argv[1], sys.argv[2], int(sys.argv[3])
backward, use_compile = "--backward" in sys.argv, "--compile" in sys.argv
torch.backends.cuda.matmul.allow_tf32 = True
torch.backends.cudnn.allow_tf32 = True

DT = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
      "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
      "U8": torch.uint8, "BOOL": torch.bool}


def load(path, prefix):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    found = {}
    for k, e in header.items():
        if not k.startswith(prefix):
            continue
        a, b = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=DT[e["dtype"]]) if b > a else torch.empty(0, dtype=DT[e["dtype"]])
        found[int(k[len(prefix):])] = t.reshape(e["shape"]).clone().to("cuda")
    return [found[i] for i in sorted(found)]


def median_ms(fn):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); fn(); e.record(); torch.cuda.synchronize()
        ts.append(s.elapsed_time(e))
    return statistics.median(ts)


ep = torch.export.load(pt2)
ep = torch.export.passes.move_to_device_pass(ep, "cuda")
m = ep.module()
args = load(ref, "input.")
cots = load(ref, "cotangent.") if backward else []


def call(mod):
    if not backward:
        with torch.no_grad():
            return mod(*args)
    outs = mod(*args)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    pairs = [(o, c) for o, c in zip(outs, cots) if o.requires_grad]
    torch.autograd.backward([o for o, _ in pairs], [c.to(o.dtype) for o, c in pairs])


times = [f"{median_ms(lambda: call(m)):.4f}"]
if use_compile:
    try:  # a program torch.compile cannot take still has its eager time
        cm = torch.compile(m)
        times.append(f"{median_ms(lambda: call(cm)):.4f}")
    except Exception as e:
        print(f"torch.compile failed: {type(e).__name__}: {str(e)[:300]}", file=sys.stderr)
        times.append("-")
print(" ".join(times))
