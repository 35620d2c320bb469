#!/usr/bin/env bash
# The libFuzzer targets of the .pt2 reader, the importer and the ONNX importer (fuzz/README.md).
#
#   fuzz/run.sh [SECONDS [JOBS]]   build (build-fuzz/), then fuzz both targets side by side for SECONDS
#                                  (default 60) with JOBS workers in all (default nproc); results in
#                                  build-fuzz/results/
#   fuzz/run.sh build              only build the two fuzzers
#   fuzz/run.sh package [DIR]      build, then pack the fuzzers, libzip (and what it needs), the seeds,
#                                  the dictionaries and this script into DIR (default build-fuzz/carry,
#                                  about 15 MB): a folder that runs on a machine without LLVM
#   DIR/run.sh [SECONDS [JOBS]]    in a packaged folder: fuzz from it; results under $OUT (else
#                                  DIR/results): summary.txt, one log per fuzzer, results.tar.gz
#   fuzz/run.sh replay             every seed and test/fuzz-corpus input once through both fuzzers (no
#                                  fuzzing; exit status 1 on any crash): the sanitizer job's regression check
#   fuzz/run.sh keep RESULTS...    add what runs found (RESULTS folders or results.tar.gz files) to
#                                  test/fuzz-corpus/<fuzzer>: minimized (-merge=1), files <= 32 KiB,
#                                  at most 1 MiB per fuzzer
#
# Environment: FUZZERS ("reader importer onnx"), BUILD_DIR (build-fuzz), RESULTS (the results folder),
# CXX_FUZZ / CC_FUZZ (clang-22). With more than one worker per fuzzer libFuzzer's -fork mode runs them
# (a crash, timeout or OOM is saved and fuzzing goes on). The summary gives each fuzzer's executions
# (summed over its workers), its corpus, the inputs that added coverage beyond the seeds ("new", kept
# in results/new/<fuzzer>) and the crashes (results/crashes/<fuzzer>).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
FUZZERS=${FUZZERS:-reader importer onnx}
FLAGS=(-max_len=262144 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1)

if [ -f "$HERE/payload.tar.gz" ]; then
  # A packaged folder: unpack the binaries, libraries and seeds once, next to the results.
  PACKAGED=1
  WORK=${TMPDIR:-/tmp}/thunder-fuzz
  if [ ! -x "$WORK/bin/importer-fuzzer" ] || [ "$HERE/payload.tar.gz" -nt "$WORK/bin/importer-fuzzer" ]; then
    rm -rf "$WORK" && mkdir -p "$WORK" && tar -xzf "$HERE/payload.tar.gz" -C "$WORK"
  fi
  BIN=$WORK/bin
  SEEDS=$WORK/seeds
  DICTS=$HERE
  export LD_LIBRARY_PATH="$WORK/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  PACKAGED=0
  ROOT=$(cd "$HERE/.." && pwd)
  cd "$ROOT"
  BUILD=$(realpath -m "${BUILD_DIR:-build-fuzz}")
  BIN=$BUILD
  SEEDS=$BUILD/seeds
  DICTS=$ROOT/fuzz
fi

binary() {
  case $1 in
    reader) echo "$BIN/pt2-reader-fuzzer" ;;
    importer) echo "$BIN/importer-fuzzer" ;;
    onnx) echo "$BIN/onnx-fuzzer" ;;
    *) echo "run.sh: unknown fuzzer '$1' (reader, importer, onnx)" >&2; exit 2 ;;
  esac
}
dict() { case $1 in reader) echo "$DICTS/pt2.dict" ;; onnx) echo "$DICTS/onnx.dict" ;; *) echo "$DICTS/importer.dict" ;; esac; }
# The seed folders of a fuzzer: the shared ones (.pt2 material) and its own.
seeds() { if [ "$1" = onnx ]; then echo "$SEEDS/onnx"; else echo "$SEEDS/shared" "$SEEDS/$1"; fi; }

build() {
  [ "$PACKAGED" = 0 ] || { echo "run.sh: a packaged folder cannot build" >&2; exit 2; }
  if [ ! -f "$BUILD/build.ninja" ] || ! grep -q onnx-fuzzer "$BUILD/build.ninja"; then
    cmake -G Ninja -S fuzz -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTHUNDER_FUZZ=ON \
      -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-/usr/lib/llvm-22/bin/clang++}" \
      -DCMAKE_C_COMPILER="${CC_FUZZ:-/usr/lib/llvm-22/bin/clang}" \
      -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
  fi
  cmake --build "$BUILD" --target pt2-reader-fuzzer importer-fuzzer onnx-fuzzer
}

# shared: the malformed archives, the fixtures up to 256 KiB (-max_len) and every fixture's model JSON;
# reader: the hand-written seeds of fuzz/corpus; and per fuzzer what earlier runs found (test/fuzz-corpus).
make_seeds() {
  rm -rf "$SEEDS"
  mkdir -p "$SEEDS/shared" "$SEEDS/reader" "$SEEDS/importer" "$SEEDS/onnx"
  cp test/malformed/*.pt2 "$SEEDS/shared/"
  find test/fixtures -name '*.pt2' -size -256k -exec cp {} "$SEEDS/shared/" \;
  python3 - "$SEEDS/shared" test/fixtures/*.pt2 test/fixtures/ops/*.pt2 <<'PY'
import os, sys, zipfile
for path in sys.argv[2:]:
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename.endswith("models/model.json") and info.file_size <= 256 << 10:
                with open(os.path.join(sys.argv[1], os.path.basename(path) + ".model.json"), "wb") as f:
                    f.write(z.read(info))
PY
  cp fuzz/corpus/* "$SEEDS/reader/"
  # onnx: the lit tests' models and ONNX's backend node-test models up to 16 KiB (from the onnx package
  # of .venv-torch, when there).
  cp test/lit/ONNX/Inputs/*.onnx test/lit/ONNX/Inputs/fuzz/*.onnx "$SEEDS/onnx/"
  local nodes
  if nodes=$("${ONNX_PYTHON:-.venv-torch/bin/python}" -c 'import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), "backend/test/data/node"))' 2>/dev/null); then
    for f in "$nodes"/*/model.onnx; do
      [ "$(stat -c %s "$f")" -gt 16384 ] || cp "$f" "$SEEDS/onnx/$(basename "$(dirname "$f")").onnx"
    done
  fi
  local f
  for f in reader importer onnx; do
    if [ -d "test/fuzz-corpus/$f" ]; then find "test/fuzz-corpus/$f" -type f -exec cp {} "$SEEDS/$f/" \;; fi
  done
}

# fuzz SECONDS JOBS: runs $FUZZERS side by side, the JOBS workers shared out, into $RESULTS.
fuzz() {
  local seconds=$1 jobs=$2 fuzzers=($FUZZERS) pids=() status=0 f p
  local share=$((jobs / ${#fuzzers[@]}))
  [ "$share" -ge 1 ] || share=1
  mkdir -p "$RESULTS"
  for f in "${fuzzers[@]}"; do
    local corpus=$RESULTS/corpus/$f crashes=$RESULTS/crashes/$f mode=()
    mkdir -p "$corpus" "$crashes"
    [ "$share" -gt 1 ] && mode=(-fork="$share" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    echo "== $f: ${seconds}s, $share worker(s)"
    # New inputs go to the first folder; the seeds are read from the others.
    "$(binary "$f")" "${mode[@]}" "${FLAGS[@]}" -max_total_time="$seconds" -dict="$(dict "$f")" \
      -artifact_prefix="$crashes/" "$corpus" $(seeds "$f") >"$RESULTS/$f.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || status=1; done
  for f in "${fuzzers[@]}"; do new_inputs "$f"; done
  summary "${fuzzers[@]}" | tee "$RESULTS/summary.txt"
  return $status
}

# results/new/<fuzzer>: the inputs up to 64 KiB that add coverage beyond the seeds (the seeds merged
# into an empty folder first, then the corpus; what the second merge adds is new).
new_inputs() {
  local f=$1 base=$RESULTS/merge-$1 new=$RESULTS/new/$1
  rm -rf "$base" "$new"
  mkdir -p "$base" "$new"
  "$(binary "$f")" -merge=1 "${FLAGS[@]}" "$base" $(seeds "$f") >"$RESULTS/$f.merge.log" 2>&1 || true
  ls "$base" >"$base.seeds"
  "$(binary "$f")" -merge=1 "${FLAGS[@]}" "$base" "$RESULTS/corpus/$f" >>"$RESULTS/$f.merge.log" 2>&1 || true
  # (Inputs over 64 KiB, mostly mutated fixtures, are left out.)
  ls "$base" | grep -vxF -f "$base.seeds" | while read -r n; do
    [ "$(stat -c %s "$base/$n")" -gt 65536 ] || cp "$base/$n" "$new/"
  done || true
  rm -rf "$base" "$base.seeds"
}

# Executions: the last "#N" line of the log (in -fork mode the parent's, summed over its workers).
summary() {
  local f
  for f in "$@"; do
    local log=$RESULTS/$f.log execs corp
    execs=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    corp=$(grep -aoE 'corp: [0-9]+(/[0-9]+[a-zA-Z]*)?' "$log" | tail -1 | cut -d' ' -f2)
    printf '%s: executions %s, corpus %s inputs (libFuzzer: %s), new beyond the seeds %s inputs (%s), crashes/timeouts/ooms %s\n' \
      "$f" "${execs:-0}" "$(find "$RESULTS/corpus/$f" -type f | wc -l)" "${corp:-?}" \
      "$(find "$RESULTS/new/$f" -type f | wc -l)" "$(du -sh "$RESULTS/new/$f" | cut -f1)" \
      "$(find "$RESULTS/crashes/$f" -type f | wc -l)"
  done
}

package() {
  local dir=${1:-$BUILD/carry} stage=$BUILD/carry-stage b so
  build
  make_seeds
  rm -rf "$dir" "$stage"
  mkdir -p "$dir" "$stage/bin" "$stage/lib"
  # Line tables go; symbols stay (reports name functions even where no symbolizer is installed).
  for b in pt2-reader-fuzzer importer-fuzzer onnx-fuzzer; do
    /usr/lib/llvm-22/bin/llvm-objcopy --strip-debug "$BUILD/$b" "$stage/bin/$b"
  done
  # Debian has no static libzip: it travels, with what it needs beyond glibc.
  ldd "$stage/bin/importer-fuzzer" "$stage/bin/pt2-reader-fuzzer" "$stage/bin/onnx-fuzzer" | awk '/=> \// {print $3}' | sort -u |
    while read -r so; do
      case $(basename "$so") in
        libc.so* | libm.so* | libresolv.so* | libpthread.so* | libdl.so* | librt.so* | ld-linux*) ;;
        libstdc++* | libgcc_s*) ;;
        *) cp -L "$so" "$stage/lib/" ;;
      esac
    done
  cp -r "$SEEDS" "$stage/seeds"
  tar -czf "$dir/payload.tar.gz" -C "$stage" bin lib seeds
  cp fuzz/pt2.dict fuzz/importer.dict fuzz/onnx.dict fuzz/run.sh "$dir/"
  echo "packaged into $dir ($(du -sh "$dir" | cut -f1)); there: $dir/run.sh SECONDS JOBS"
  ls -la "$stage/bin" "$stage/lib" "$dir"
  rm -rf "$stage"
}

replay() {
  build
  make_seeds
  local f status=0 log
  for f in $FUZZERS; do
    log=$BUILD/replay-$f.log
    # Every seed once (-runs=0), then (importer) the fixtures above -max_len, which -runs=0 skips.
    local inputs=($(find $(seeds "$f") -type f))
    [ "$f" = importer ] && inputs+=($(find test/fixtures -name '*.pt2' -size +255k))
    echo "== $f: ${#inputs[@]} inputs"
    if ! "$(binary "$f")" "${FLAGS[@]}" "${inputs[@]}" >"$log" 2>&1; then
      status=1
      tail -60 "$log"
    fi
    echo "$(grep -ac '^Executed ' "$log") executed"
  done
  return $status
}

keep() {
  [ $# -gt 0 ] || { echo "usage: fuzz/run.sh keep RESULTS_DIR_OR_TARBALL..." >&2; exit 2; }
  build
  local tmp f src
  tmp=$(mktemp -d)
  for src in "$@"; do # each to $tmp/<i>/new/<fuzzer>
    local d=$tmp/$(ls "$tmp" | wc -l)
    mkdir -p "$d"
    if [ -f "$src" ]; then tar -xzf "$src" -C "$d"; else cp -r "$src/new" "$d/"; fi
  done
  for f in $FUZZERS; do
    local dest=test/fuzz-corpus/$f in=$tmp/in-$f before
    mkdir -p "$dest" "$in"
    find "$tmp" -path "*/new/$f/*" -type f -size -33k -exec cp {} "$in/" \;
    before=$(ls "$dest" | wc -l)
    "$(binary "$f")" -merge=1 "${FLAGS[@]}" "$dest" "$in" >"$tmp/merge-$f.log" 2>&1
    # The cap: drop the largest files until the folder fits in 1 MiB.
    while [ "$(du -sb "$dest" | cut -f1)" -gt $((1 << 20)) ]; do
      rm -f "$dest/$(ls -S "$dest" | head -1)"
    done
    echo "$f: $dest has $(ls "$dest" | wc -l) inputs (had $before), $(du -sh "$dest" | cut -f1)"
  done
  rm -rf "$tmp"
}

case ${1:-} in
  build) build ;;
  package) shift; package "$@" ;;
  replay) replay ;;
  keep) shift; keep "$@" ;;
  *)
    seconds=${1:-60}
    jobs=${2:-$(nproc)}
    if [ "$PACKAGED" = 1 ]; then
      RESULTS=${RESULTS:-${OUT:-$HERE/results}}
      status=0
      fuzz "$seconds" "$jobs" || status=$?
      # Few files come back from a device run: what was found goes in one archive (the grown corpus,
      # mostly mutated seeds, stays behind).
      (cd "$RESULTS" && tar -czf results.tar.gz new crashes && rm -rf corpus new crashes)
      exit $status
    fi
    RESULTS=${RESULTS:-$BUILD/results}
    build
    make_seeds
    fuzz "$seconds" "$jobs"
    ;;
esac
