#!/usr/bin/env bash
# Everything that waits for a GPU, in two device calls (docs/testing.md, "GPU runs").
# The device tool carries the working tree plus at most ~8 MB of packs a call, so
# the work is split:
#
#   test/gpu/session.sh pack [DIR]       here (thunderc built; PY = python with torch and
#       transformers for the probe's export, default /work/venv/bin/python): compiles and packs
#       into DIR (default .carry/session, git-ignored):
#         call1: bench/scale_probe.sh's layers at the defaults (probe) and with every compile-time
#                opt-in (probeopt: THUNDERC_CUDA_MATMUL_BIAS=1 THUNDERC_CUDA_VECTOR_ELEMENTWISE=1),
#                the attention-bearing fixtures with the opt-ins (fxa), the custom-op fixture
#                (customops);
#         call2: the other fixtures with the opt-ins (fxb), the Python package's CUDA models and
#                the serving load test (pyserve).
#   test/gpu/session.sh call1 [DIR] / call2 [DIR]   there, with DIR's call's packs carried:
#       call1: test/gpu/attention/run.sh (every kernel, the opt-in fwd_pipe and bwd_mma too), the
#              probe with fresh torch peers, runtime switches on the probe (THUNDER_ATTENTION_FWD=
#              pipe, THUNDER_ATTENTION_BWD=mma, THUNDER_ATTENTION_TILES=0), probeopt, fxa with and
#              without the runtime opt-ins, the custom-op fixture;
#       call2: fxb, the Python tests on CUDA, the serving load test.
#       Logs go to $OUT (the device tool brings them back); the tail of each is printed.
# Each opt-in that passes its checks and is faster becomes a default (docs/cuda.md says where).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mode="${1:?usage: session.sh pack|call1|call2 [DIR]}"
dir="${2:-.carry/session}"
OPTIN=(THUNDERC_CUDA_MATMUL_BIAS=1 THUNDERC_CUDA_VECTOR_ELEMENTWISE=1)
ATTENTION_FIXTURES=(gpt2_tiny gpt2_tiny_train llama_tiny_bf16 mlp_train)
OTHER_FIXTURES=(bert_tiny_train cnn_train llama_tiny_train qwen2_tiny_train vit_tiny vit_tiny_train)

# One folder into DIR/NAME.tar.xz (a 128 MiB window finds the fatbins the models share).
pack() { tar -C "$dir" -cf - "$1" | xz -T2 -6 --lzma2=dict=128MiB > "$dir/$1.tar.xz"; rm -rf "${dir:?}/$1"; }
unpack() { [ -d "$dir/$1" ] || xz -dc "$dir/$1.tar.xz" | tar -C "$dir" -xf -; }
log() { local name=$1; shift; echo "=== $name"; "$@" > "$OUT/$name.txt" 2>&1; echo "rc $?"; tail -n 14 "$OUT/$name.txt"; }

case "$mode" in
pack)
  mkdir -p "$dir"
  cd "$repo"
  export PY="${PY:-/work/venv/bin/python}"
  bench/scale_probe.sh compile "$dir/probe" && rm -rf "$dir/probe"
  mkdir -p "$dir/probeopt" && cp "$dir"/probe/*.pt2 "$dir/probeopt/" 2>/dev/null
  env "${OPTIN[@]}" bench/scale_probe.sh compile "$dir/probeopt" && rm -rf "$dir/probeopt"
  env "${OPTIN[@]}" test/gpu/run-all.sh compile --out "$dir/fxa" "${ATTENTION_FIXTURES[@]}" && pack fxa
  env "${OPTIN[@]}" test/gpu/run-all.sh compile --out "$dir/fxb" "${OTHER_FIXTURES[@]}" && pack fxb
  rm -rf build/python-cuda build/gpu-serve
  THUNDER_PYTHON_TARGET=cuda THUNDERC=build/bin/thunderc THUNDER_TEST_OUT=build/python-cuda PYTHONPATH=python \
    .venv-torch/bin/python test/python/test_torch.py --compile-only > /dev/null
  test/gpu/serve/run.sh compile --out build/gpu-serve > /dev/null
  mkdir -p "$dir/pyserve" && cp -r build/python-cuda build/gpu-serve "$dir/pyserve/" && pack pyserve
  test/gpu/custom_ops/run.sh compile --out "$dir/customops" > /dev/null && pack customops
  ls -la "$dir"/*.tar.xz
  echo "call1 carries: $dir/probe.tar.xz $dir/probeopt.tar.xz $dir/fxa.tar.xz $dir/customops.tar.xz"
  echo "call2 carries: $dir/fxb.tar.xz $dir/pyserve.tar.xz"
  ;;
call1)
  cd "$repo"
  nvidia-smi --query-gpu=name --format=csv,noheader
  log attention timeout 120 test/gpu/attention/run.sh
  log probe timeout 240 bench/scale_probe.sh run "$dir/probe"
  P="$dir/probe"
  for n in gpt2_layer llama_layer; do
    for v in THUNDER_ATTENTION_FWD=pipe THUNDER_ATTENTION_BWD=mma THUNDER_ATTENTION_TILES=0; do
      echo "-- $n $v: forward, then forward + backward"
      env $v timeout 30 "$P/thunder-run" "$P/$n.so" --inputs "$P/$n.in.safetensors" --bench 20 | grep median
      env $v timeout 30 "$P/thunder-run" "$P/${n}_train.so" --inputs "$P/$n.in.safetensors" --backward --bench 20 | grep median
    done
  done
  unpack probeopt
  cp "$P"/peers.json "$P"/*.torch.safetensors "$P"/*.in.safetensors "$dir/probeopt/"
  REUSE_PEERS=1 log probeopt timeout 120 bench/scale_probe.sh run "$dir/probeopt"
  unpack fxa
  log fxa timeout 90 "$dir/fxa/run-all.sh" run --out "$dir/fxa" --fixtures test/fixtures --no-torch --bench 3
  THUNDER_ATTENTION_FWD=pipe THUNDER_ATTENTION_BWD=mma \
    log fxa-runtime-optins timeout 90 "$dir/fxa/run-all.sh" run --out "$dir/fxa" --fixtures test/fixtures --no-torch --bench 3
  unpack customops
  LD_LIBRARY_PATH="$dir/customops" log customops timeout 60 "$dir/customops/run.sh" run --out "$dir/customops"
  for p in probe probeopt; do cp "$dir/$p/results.json" "$OUT/$p.results.json" 2>/dev/null; done
  ;;
call2)
  cd "$repo"
  nvidia-smi --query-gpu=name --format=csv,noheader
  unpack fxb
  log fxb timeout 150 "$dir/fxb/run-all.sh" run --out "$dir/fxb" --fixtures test/fixtures --no-torch --bench 3
  unpack pyserve
  mkdir -p build && cp -r "$dir/pyserve/python-cuda" "$dir/pyserve/gpu-serve" build/
  THUNDER_PYTHON_TARGET=cuda THUNDER_PRECOMPILED=1 THUNDER_TEST_OUT=build/python-cuda PYTHONPATH=python \
    PYTHONUNBUFFERED=1 log python timeout 150 python3 test/python/test_torch.py
  log serve timeout 150 build/gpu-serve/run.sh run --out build/gpu-serve
  ;;
*) echo "usage: session.sh pack|call1|call2 [DIR]" >&2; exit 2 ;;
esac
