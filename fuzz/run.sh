#!/usr/bin/env bash
# Builds the .pt2 reader fuzzer with clang-22 (libFuzzer + ASan + UBSan) and runs it for SECONDS
# (default 60), seeded with fuzz/corpus, the small test fixtures, the malformed archives and the model
# JSON of every fixture. Crashes land in $BUILD_DIR/artifacts/; the grown corpus in $BUILD_DIR/corpus/.
#   fuzz/run.sh 600
set -euo pipefail
DURATION=${1:-60}
cd "$(dirname "$0")/.."
CXX=${CXX_FUZZ:-/usr/lib/llvm-22/bin/clang++}
CC=${CC_FUZZ:-/usr/lib/llvm-22/bin/clang}
BUILD=${BUILD_DIR:-build-fuzz}

cmake -G Ninja -S fuzz -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTHUNDER_FUZZ=ON \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" >/dev/null
cmake --build "$BUILD"

CORPUS="$BUILD/corpus"
ARTIFACTS="$BUILD/artifacts"
mkdir -p "$CORPUS" "$ARTIFACTS"
cp fuzz/corpus/* "$CORPUS"/
cp test/malformed/*.pt2 "$CORPUS"/
# Whole archives up to 256 KiB (the big ones only slow each run down), and every model JSON.
find test/fixtures -name '*.pt2' -size -256k -exec cp {} "$CORPUS"/ \;
python3 - "$CORPUS" test/fixtures/*.pt2 <<'PY'
import sys, zipfile, os
corpus = sys.argv[1]
for path in sys.argv[2:]:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith("models/model.json") and z.getinfo(name).file_size <= 256 << 10:
                with open(os.path.join(corpus, os.path.basename(path) + ".model.json"), "wb") as f:
                    f.write(z.read(name))
PY

"$BUILD/pt2-reader-fuzzer" -max_total_time="$DURATION" -max_len=262144 -rss_limit_mb=2048 -timeout=10 \
  -dict=fuzz/pt2.dict -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 "$CORPUS"
