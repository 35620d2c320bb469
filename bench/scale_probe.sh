#!/usr/bin/env bash
# Real-width single transformer layers (../shared/bench/scale_probe.py: a GPT-2 124M layer at B8 x T1024,
# a Llama-3.2-1B layer at B4 x T2048, bf16), thunderc against PyTorch eager and torch.compile in the same
# run on the same GPU. The quickest real-size check after a kernel change.
#
#   bench/scale_probe.sh compile [OUT]     here (thunderc built; PY = a python with torch 2.11 and
#       transformers, default python3): exports the layers with scale_probe.py (their weights are a tiled
#       pattern), compiles NAME.pt2 -> NAME.so and NAME_train.pt2 --backward -> NAME_train.so, and packs
#       them with thunder-run, compare.py, scale_probe.py and this script into OUT.tar.xz (xz with a
#       128 MiB window finds the pattern: the packed file is a few MiB). OUT defaults to .carry/probe.
#       THUNDERC_FLAGS adds flags to every compile; each compile prints its time and peak RSS.
#
#   bench/scale_probe.sh run [OUT]         there (the device tool, carrying OUT.tar.xz): unpacks it,
#       times eager and torch.compile with scale_probe.py (forward and fwd+bwd, median of 30 CUDA-event
#       timings; REUSE_PEERS=1 with peers.json and the torch outputs already in OUT skips that), times thunder-run --bench 30 (forward; forward + backward), compares thunderc's
#       forward output with PyTorch's (bf16 tolerance) and prints one table; OUT/results.json has it all.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${1:?usage: scale_probe.sh compile|run [OUT]}"
out="${2:-.carry/probe}"
names=(gpt2_layer llama_layer)

if [ "$mode" = compile ]; then
  repo="$(cd "$here/.." && pwd)"
  thunderc="${THUNDERC:-$repo/build/bin/thunderc}"
  py="${PY:-python3}"
  mkdir -p "$out"
  if [ ! -f "$out/llama_layer_train.pt2" ]; then
    "$py" "$repo/../shared/bench/scale_probe.py" export "$out"
  fi
  for n in "${names[@]}"; do
    for v in "$n" "${n}_train"; do
      flags=(${THUNDERC_FLAGS:-})
      [ "$v" = "${n}_train" ] && flags+=(--backward)
      /usr/bin/time -f "compile $v: %e s, peak RSS %M KiB" "$thunderc" "$out/$v.pt2" "${flags[@]}" -o "$out/$v.so"
    done
  done
  cp "$repo/build/bin/thunder-run" "$repo/tools/thunder-run/compare.py" "$repo/../shared/bench/scale_probe.py" \
     "$here/scale_probe.sh" "$out/"
  # The inputs are random (incompressible): run makes them again there.
  tar -C "$(dirname "$out")" --exclude='*.pt2' --exclude='*.in.safetensors' -cf - "$(basename "$out")" | xz -T2 -6 --lzma2=dict=128MiB > "$out.tar.xz"
  ls -la "$out.tar.xz"
  exit 0
fi

[ "$mode" = run ] || { echo "usage: scale_probe.sh compile|run [OUT]" >&2; exit 2; }
if [ -f "$out.tar.xz" ] && [ ! -f "$out/thunder-run" ]; then
  mkdir -p "$(dirname "$out")" && xz -dc "$out.tar.xz" | tar -C "$(dirname "$out")" -xf -
fi
cd "$out"
python3 - <<'PY'
import os, torch
from safetensors.torch import save_file
g = torch.Generator().manual_seed(0)
for n, (b, l) in (("gpt2_layer", (8, 1024)), ("llama_layer", (4, 2048))):
    if not os.path.exists(f"{n}.in.safetensors"):
        save_file({"input.0": torch.randint(0, 512, (b, l), generator=g),
                   "cotangent.0": torch.randn(b, l, 512, generator=g).to(torch.bfloat16)}, f"{n}.in.safetensors")
PY
# REUSE_PEERS=1 keeps an earlier peers.json and *.torch.safetensors (a second thunderc build, same GPU).
if [ -z "${REUSE_PEERS:-}" ] || [ ! -f peers.json ]; then
  python3 scale_probe.py bench . 2>&1 | grep -v Warning || true
fi
for n in "${names[@]}"; do
  ./thunder-run "$n.so" --inputs "$n.in.safetensors" --save "$n.thunder.safetensors" --bench 30 --peak-memory > "$n.fwd.txt"
  ./thunder-run "${n}_train.so" --inputs "$n.in.safetensors" --backward --bench 30 --peak-memory > "$n.train.txt"
  THUNDER_PROFILE=1 ./thunder-run "$n.so" --inputs "$n.in.safetensors" --bench 2 --warmup 1 > /dev/null 2> "$n.fwd.profile.txt"
  THUNDER_PROFILE=1 ./thunder-run "${n}_train.so" --inputs "$n.in.safetensors" --backward --bench 2 --warmup 1 \
    > /dev/null 2> "$n.train.profile.txt"
  python3 compare.py "$n.thunder.safetensors" "$n.torch.safetensors" --rtol 2e-2 --atol 2e-2 --keys output \
    > "$n.compare.txt" 2>&1 && echo pass > "$n.result.txt" || echo FAIL > "$n.result.txt"
done
python3 - <<'EOF'
import json
peers = json.load(open("peers.json"))
def ms(path, key):
    for line in open(path):
        if line.startswith(key + ":"): return float(line.split()[1])
rows, res = [], {"gpu": peers["gpu"]}
for n in ("gpt2_layer", "llama_layer"):
    p = peers[n]
    f = ms(f"{n}.fwd.txt", "median_ms"); tf = ms(f"{n}.train.txt", "median_ms"); tb = ms(f"{n}.train.txt", "backward_median_ms")
    r = dict(p, thunder_fwd_ms=f, thunder_train_fwd_ms=tf, thunder_bwd_ms=tb, thunder_fwdbwd_ms=tf + tb,
             thunder_fwd_peak_mb=ms(f"{n}.fwd.txt", "peak_device_mb"),
             thunder_train_peak_mb=ms(f"{n}.train.txt", "peak_device_mb"),
             numerics=open(f"{n}.result.txt").read().strip(), compare=open(f"{n}.compare.txt").read().strip()[-300:])
    res[n] = r
    rows.append(f"| {n} forward | {p['eager_fwd_ms']:.2f} | {p['compile_fwd_ms']:.2f} | {f:.2f} | "
                f"{p['compile_fwd_ms'] / f:.2f}x | {r['numerics']} |")
    rows.append(f"| {n} fwd+bwd | {p['eager_fwdbwd_ms']:.2f} | {p['compile_fwdbwd_ms']:.2f} | {tf:.2f}+{tb:.2f} | "
                f"{p['compile_fwdbwd_ms'] / (tf + tb):.2f}x | |")
print(f"GPU: {peers['gpu']}, torch {peers['torch']}")
print("| layer | eager ms | torch.compile ms | thunderc ms | torch.compile / thunderc | numerics |")
print("| --- | --- | --- | --- | --- | --- |")
print("\n".join(rows))
json.dump(res, open("results.json", "w"), indent=1)
EOF
for n in "${names[@]}"; do
  for v in fwd train; do echo "== $n $v (THUNDER_PROFILE=1)"; head -n 14 "$n.$v.profile.txt"; done
done
