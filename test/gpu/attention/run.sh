#!/usr/bin/env bash
# On the GPU machine, from the repository root: test/gpu/attention/run.sh FATBIN
# (FATBIN: build/runtime/attention.fatbin, carried from a build here, or built
# there with nvcc when absent).
set -euo pipefail
FATBIN=${1:-build/runtime/attention.fatbin}
OUTDIR=${OUT:-/tmp}
if [ ! -f "$FATBIN" ]; then
  FATBIN=$OUTDIR/attention.fatbin
  /usr/local/cuda/bin/nvcc -O3 -std=c++17 -gencode arch=compute_90,code=sm_90 -fatbin \
    -o "$FATBIN" runtime/cuda/attention/Attention.cu
fi
g++ -std=c++17 -O2 -shared -fPIC -Iruntime -I/usr/local/cuda/include test/gpu/attention/harness.cpp \
  -o "$OUTDIR/harness.so" -L/usr/local/cuda/lib64/stubs -lcuda
python3 test/gpu/attention/check.py "$OUTDIR/harness.so" "$FATBIN"
