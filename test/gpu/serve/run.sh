#!/usr/bin/env bash
# Several models in one serving binary under load, in two halves (docs/serving.md):
#
#   test/gpu/serve/run.sh compile [--build DIR] [--out DIR] [--target cuda|cpu] [--gpu-arch sm_90] [A B]
#       Here (thunderc built): compiles the fixtures A and B (default cnn gpt2_tiny) with
#       `thunderc --name`, links them into OUT/serve_many (examples/serve_many.cpp, rpath
#       $ORIGIN) and copies their reference files and this script into OUT (default
#       build/gpu-serve).
#   test/gpu/serve/run.sh run [--out DIR]
#       There: the load test (8 threads x 1000 requests, 4 instances per model, every output
#       checked), then 1 and 4 threads x 400 requests each on an instance of their own; prints
#       the throughputs and their ratio, which should be at least 3 on the GPU.
#
# Exit status: 0 when every request succeeded and matched (and, for a CUDA build, the
# 4-thread throughput is at least 3x the 1-thread one), 1 otherwise, 2 on bad usage.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." 2>/dev/null && pwd || true)"
die() { echo "serve: $*" >&2; exit 2; }

mode=${1:-}; [ -n "$mode" ] && shift || die "usage: run.sh compile|run [options]"
build=${root:-.}/build out= target=cuda arch=sm_90 models=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --gpu-arch) arch=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) models+=("$1"); shift ;;
  esac
done
[ ${#models[@]} -eq 0 ] && models=(cnn gpt2_tiny)
[ ${#models[@]} -eq 2 ] || die "two models, please"
out=${out:-${build}/gpu-serve}

if [ "$mode" = compile ]; then
  thunderc=$build/bin/thunderc
  [ -x "$thunderc" ] || die "no $thunderc (build first)"
  mkdir -p "$out"
  : > "$out/models.h"
  for m in "${models[@]}"; do
    # IEEE float32 products on CUDA: the reference check uses the f32 tolerances.
    "$thunderc" "$root/test/fixtures/$m.pt2" --target="$target" --gpu-arch="$arch" --fp32-matmul=ieee --name="$m" -o "$out/lib$m.so"
    "$thunderc" "$root/test/fixtures/$m.pt2" --target="$target" --gpu-arch="$arch" --name="$m" --emit=header -o "$out/$m.h"
    cp "$root/test/fixtures/$m.ref.safetensors" "$out/"
    echo "#include \"$m.h\"" >> "$out/models.h"
  done
  echo "#define THUNDER_SERVE_MODELS(X) X(${models[0]}) X(${models[1]})" >> "$out/models.h"
  printf '%s\n' "${models[@]}" > "$out/models.txt"
  (cd "$out" && c++ -std=c++17 -O2 -pthread -DTHUNDER_SERVE_MODELS_HEADER='"models.h"' -I. \
     -I"$root/include" -I"$root/runtime" "$root/examples/serve_many.cpp" \
     "$root/runtime/safetensors/Safetensors.cpp" -o serve_many "lib${models[0]}.so" "lib${models[1]}.so" \
     -ldl -Wl,-rpath,'$ORIGIN')
  cp "$0" "$out/run.sh"
  echo "serve: $out is ready: $out/run.sh run --out $out"
  exit 0
fi

[ "$mode" = run ] || die "usage: run.sh compile|run [options]"
[ -n "${out:-}" ] || die "--out DIR"
[ -x "$out/serve_many" ] || die "no $out/serve_many (run.sh compile first)"
mapfile -t names < "$out/models.txt"
refs=("$out/${names[0]}.ref.safetensors" "$out/${names[1]}.ref.safetensors")
# THUNDER_SERVE_GDB=1: the load test under cuda-gdb (the GPU machine has no gdb), with a backtrace on a crash
# (it segfaulted once under load on an H100 in session 6, cause not found yet).
if [ -n "${THUNDER_SERVE_GDB:-}" ]; then
  cuda-gdb -batch -ex run -ex bt -ex "info threads" --args \
    "$out/serve_many" --threads 8 --requests 1000 --pool 4 --require-reference "${refs[@]}"
else
  "$out/serve_many" --threads 8 --requests 1000 --pool 4 --require-reference "${refs[@]}"
fi
rate() { "$out/serve_many" --threads "$1" --requests 400 --pool "$1" --require-reference "${refs[@]}" |
           sed -n 's/^total [0-9]* requests, \([0-9.]*\) req\/s.*/\1/p'; }
one=$(rate 1) four=$(rate 4)
echo "throughput: 1 thread $one req/s, 4 threads $four req/s, ratio $(awk -v a="$four" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
if grep -q '_TARGET "cuda"' "$out/${names[0]}.h"; then
  awk -v a="$four" -v b="$one" 'BEGIN { exit !(a >= 3 * b) }' || { echo "serve: FAIL: 4 threads are not 3x one"; exit 1; }
fi
echo "serve: pass"
