#!/usr/bin/env bash
# The CMake package from an install prefix: configures examples/cmake-consumer against PREFIX only
# (find_package(Thunderc)), builds it (thunderc_add_model compiles two models: embedded weights; --backward
# with external weights), runs both on the fixtures' inputs and compares with PyTorch's outputs, then checks
# that touching a .pt2 recompiles that model and no other.
#   consumer.sh PREFIX SOURCE_DIR WORK_DIR
set -euo pipefail
prefix=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cp "$src/test/fixtures/mlp_train.pt2" "$work/mlp_train.pt2"   # a copy, to touch
cmake -G Ninja -S "$src/examples/cmake-consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release -DTRAIN_SOURCE="$work/mlp_train.pt2" >"$work/configure.log" \
  || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build"

# Compares "output 0: [...] first values: a b c" with the reference file's output.0.
check() {
  python3 - "$1" "$2" <<'PY'
import json, re, struct, sys
printed, ref = sys.argv[1], sys.argv[2]
m = re.search(r"output 0: \[[^\]]*\] first values:(.*)", open(printed).read())
assert m, f"{printed}: no 'output 0' line"
got = [float(v) for v in m.group(1).split()]
blob = open(ref, "rb").read()
(n,) = struct.unpack("<Q", blob[:8])
entry = json.loads(blob[8:8 + n])["output.0"]
assert entry["dtype"] == "F32"
begin = 8 + n + entry["data_offsets"][0]
want = struct.unpack(f"<{len(got)}f", blob[begin:begin + 4 * len(got)])
bad = [(g, w) for g, w in zip(got, want) if abs(g - w) > 2e-5 + 2e-4 * abs(w)]
assert len(got) == 8 and not bad, f"{printed}: {got} vs {list(want)}"
print(f"{printed}: matches {ref}")
PY
}
"$work/build/serve_mlp" "$src/examples/mlp.ref.safetensors" >"$work/mlp.txt"
check "$work/mlp.txt" "$src/examples/mlp.ref.safetensors"
"$work/build/serve_mlp_train" "$src/test/fixtures/mlp_train.ref.safetensors" \
  "$work/build/thunderc/mlp_train/libmlp_train.weights.safetensors" >"$work/mlp_train.txt"
check "$work/mlp_train.txt" "$src/test/fixtures/mlp_train.ref.safetensors"
grep -q "MLP_TRAIN_HAS_BACKWARD 1" "$work/build/thunderc/mlp_train/mlp_train.h"

touch "$work/mlp_train.pt2"
cmake --build "$work/build" >"$work/rebuild.log"
grep -q "thunderc: mlp_train" "$work/rebuild.log" || { echo "touching the .pt2 did not recompile"; exit 1; }
if grep -q "thunderc: mlp (" "$work/rebuild.log"; then echo "an unchanged model was recompiled"; exit 1; fi
echo "cmake-consumer: ok"
