#!/usr/bin/env bash
# Sets up (Debian packages), builds, and runs every test:
#  1. the sanitizer slice: the .pt2 reader, the runtime and their tests built with ASan+UBSan (no MLIR needed),
#     the runtime's tests and the multi-model load test with TSan, then the reader and importer fuzzers
#     (clang-22, ASan+UBSan) replaying every fixture, malformed archive and test/fuzz-corpus input;
#  2. the full build: unit tests (GoogleTest), lit/FileCheck tests (dialect, passes, importer, codegen, CUDA
#     codegen without a GPU) and the end-to-end fixtures on the CPU target (compile, run, compare with PyTorch).
# ctest's summary of the full build is the last line. THUNDER_SKIP_SANITIZE=1 skips step 1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache} CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
if [ "${THUNDER_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== sanitizer build (ASan + UBSan): reader, runtime, their tests"
  BUILD_DIR=build-san scripts/build.sh -DTHUNDER_BUILD_COMPILER=OFF -DTHUNDER_SANITIZE=ON
  (cd build-san && ASAN_OPTIONS=detect_odr_violation=0 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j"$(nproc)")
  echo "== sanitizer build (TSan): the runtime's tests and the load test of several models under 8 threads"
  cmake -G Ninja -S . -B build-tsan -DCMAKE_BUILD_TYPE=Release -DTHUNDER_BUILD_COMPILER=OFF \
    -DTHUNDER_SANITIZE_THREAD=ON -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
  cmake --build build-tsan -j"$(nproc)" --target thunder-runtime-tests thunder-serve-many-affine thunder-run
  (cd build-tsan && TSAN_OPTIONS=halt_on_error=1 \
     ctest --output-on-failure -j"$(nproc)" -R '^(thunder-runtime-tests|thunder-serve-many-.*)$')
  echo "== sanitizer build (libFuzzer + ASan + UBSan): reader and importer on every seed, no fuzzing"
  BUILD_DIR=build-fuzz fuzz/run.sh replay
fi
echo "== full build and tests"
scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" "$@"
