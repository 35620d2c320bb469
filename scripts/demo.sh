#!/usr/bin/env bash
# The main job: set up, build, compile the shipped example model (examples/mlp.pt2, written by PyTorch 2.11)
# for the CPU target, run it with thunder-run on the shipped inputs and compare with PyTorch's outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
B=${BUILD_DIR:-build}
OUT=$B/demo; mkdir -p "$OUT"
TARGET=${TARGET:-cpu}
set -x
"$B/bin/thunderc" examples/mlp.pt2 --target="$TARGET" -o "$OUT/mlp.so"
"$B/bin/thunderc" examples/mlp.pt2 --target="$TARGET" --emit=header -o "$OUT/mlp.h"
"$B/bin/thunder-run" "$OUT/mlp.so" --inputs examples/mlp.ref.safetensors --save "$OUT/mlp.out.safetensors" --bench 100
python3 tools/thunder-run/compare.py "$OUT/mlp.out.safetensors" examples/mlp.ref.safetensors --rtol 2e-4 --atol 2e-5
