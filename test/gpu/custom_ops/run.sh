#!/usr/bin/env bash
# The custom-operator fixture on the CUDA target (docs/custom-ops.md), in two halves:
#
#   test/gpu/custom_ops/run.sh compile [--build DIR] [--out DIR] [--gpu-arch sm_90]
#       Here (thunderc built, nvcc, no GPU needed): builds ops.cu into
#       OUT/libcustom_ops_cuda.so with nvcc, compiles test/fixtures/custom_ops_train.pt2
#       with `thunderc --target=cuda --link` into OUT/custom_ops_train.so (forward) and
#       OUT/custom_ops_train.backward.so (--backward), checks that the PTX assembles
#       (ptxas), and copies thunder-run, compare.py, the reference and this script into OUT
#       (default build/gpu-custom-ops).
#
#   OUT/run.sh run [--out DIR]
#       There (CUDA driver and runtime): runs both models on the reference inputs with
#       thunder-run and compares with PyTorch's reference (forward 2e-4 / 2e-5, gradients
#       1e-3 / 1e-4). The models find libcustom_ops_cuda.so by their rpath, which is OUT
#       as compiled: give the same --out there, or set LD_LIBRARY_PATH=OUT.
# Exit status 0 when everything compiled (compile) or matched (run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${1:?usage: run.sh compile|run [--build DIR] [--out DIR] [--gpu-arch ARCH]}"
shift
repo=""
[ -f "$here/../../fixtures/custom_ops_train.pt2" ] && repo="$(cd "$here/../../.." && pwd)"
build="${repo:+$repo/build}"
out="${repo:+$build/gpu-custom-ops}"
out="${out:-$here}"
arch=sm_90
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --gpu-arch) arch="$2"; shift 2 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ "$mode" = compile ]; then
  [ -n "$repo" ] || { echo "run.sh compile: run it from a checkout" >&2; exit 2; }
  nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  # A soname: the models record it (not this path) and find it by rpath or LD_LIBRARY_PATH.
  "$nvcc" -O2 -shared -Xcompiler -fPIC -Xlinker -soname=libcustom_ops_cuda.so -arch="$arch" -I"$repo/include" \
    -o "$out/libcustom_ops_cuda.so" "$here/ops.cu"
  pt2="$repo/test/fixtures/custom_ops_train.pt2"
  link=(--link "$out/libcustom_ops_cuda.so")
  "$build/bin/thunderc" "$pt2" --target=cuda --gpu-arch="$arch" "${link[@]}" -o "$out/custom_ops_train.so"
  "$build/bin/thunderc" "$pt2" --target=cuda --gpu-arch="$arch" --backward "${link[@]}" \
    -o "$out/custom_ops_train.backward.so"
  "$build/bin/thunderc" "$pt2" --target=cuda --gpu-arch="$arch" --backward --emit=ptx \
    -o "$out/custom_ops_train.backward.ptx"
  if ptxas="$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)" && [ -x "$ptxas" ]; then
    "$ptxas" -arch="$arch" -o /dev/null "$out/custom_ops_train.backward.ptx"
    echo "run.sh: the PTX assembles for $arch"
  fi
  cp "$build/bin/thunder-run" "$repo/tools/thunder-run/compare.py" "$here/run.sh" \
    "$repo/test/fixtures/custom_ops_train.ref.safetensors" "$repo/test/e2e/select_keys.py" "$out/"
  echo "run.sh: ready in $out; on the GPU machine: $out/run.sh run --out $out"
  exit 0
fi

[ "$mode" = run ] || { echo "run.sh: the mode is compile or run" >&2; exit 2; }
cd "$out"
ref=custom_ops_train.ref.safetensors
export LD_LIBRARY_PATH="$out${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
./thunder-run custom_ops_train.so --inputs "$ref" --save fwd.safetensors
python3 select_keys.py fwd.safetensors fwd.output.safetensors output
python3 compare.py fwd.output.safetensors "$ref" --keys output --rtol 2e-4 --atol 2e-5
./thunder-run custom_ops_train.backward.so --inputs "$ref" --save bwd.safetensors --backward
python3 select_keys.py bwd.safetensors bwd.output.safetensors output
python3 compare.py bwd.output.safetensors "$ref" --keys output --rtol 2e-4 --atol 2e-5
python3 select_keys.py bwd.safetensors bwd.grad.safetensors grad
python3 compare.py bwd.grad.safetensors "$ref" --keys grad --rtol 1e-3 --atol 1e-4
echo "run.sh: custom_ops_train passed on $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)"
