#!/usr/bin/env bash
# Every fixture on the CUDA target, in two halves:
#
#   test/gpu/run-all.sh compile [--build DIR] [--out DIR] [--gpu-arch sm_90[,sm_80]] [--ieee]
#                               [--pack FILE.tar.xz] [NAME...]
#       Here (LLVM, thunderc built, no GPU needed): compiles test/fixtures/NAME.pt2 with
#       `thunderc --target=cuda` into OUT/models/NAME.so (training fixtures also with
#       --backward: NAME.backward.so), checks that the PTX assembles (`--emit=ptx` +
#       `ptxas -arch=sm_90`, when ptxas is found) and copies thunder-run, compare.py and
#       this script into OUT (default build/gpu-run), ready to carry to the GPU machine.
#       The fixtures themselves are not copied (the GPU machine has the repository; or
#       pass --with-fixtures to copy the .pt2 and .ref.safetensors files too).
#       --ieee: inference fixtures also as NAME.ieee.so (--fp32-matmul=ieee), judged at the
#       README tolerance only. --pack: OUT as one .tar.xz (the device tool carries 64 MiB
#       with the working tree; the models compress to about a third).
#
#   test/gpu/run-all.sh run [--out DIR] [--fixtures DIR] [--bench N] [--no-torch] [--torch-compile] [NAME...]
#       There (CUDA driver, python3; numpy and torch optional): for every model in
#       OUT/models, `thunder-run --save ... --bench N` on the reference inputs, compares
#       with compare.py at the tolerances of test/fixtures/README.md, times PyTorch eager
#       on the same .pt2 (torch.export.load(...).module() on cuda) when torch is there,
#       and prints a table:
#           fixture  max_abs  max_rel  result  thunder_ms  eager_ms  compile_ms  speedup
#       (eager and torch.compile timed by peer_bench.py; backward rows time forward+backward;
#       compile_ms only with --torch-compile, which adds about a minute per model)
#       result: pass (README tolerance), pass-tf32 (only within the TF32 tolerance, for
#       float32 models whose matmuls run on TF32 tensor cores), FAIL, or a stage that
#       failed (compile / run). The table also goes to OUT/results/summary.tsv; every
#       step's log is in OUT/results/NAME.*.log.
#
# Exit status: 0 when every model ran and passed (pass or pass-tf32), 1 otherwise,
# 2 on bad usage or missing tools.
set -u
set -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
script="$here/$(basename "$0")"

die() { echo "run-all: $*" >&2; exit 2; }
note() { echo "run-all: $*" >&2; }

mode="${1:-}"
[ -n "$mode" ] || die "usage: run-all.sh compile|run [options] [NAME...] (see the header)"
shift

# --- where things are ------------------------------------------------------------
# Run from a checkout (test/gpu/run-all.sh) or from OUT (OUT/run-all.sh).
if [ -d "$here/../fixtures" ] && [ -d "$here/../../tools" ]; then
  repo="$(cd "$here/../.." && pwd)"
else
  repo=""
fi

build=""
out=""
archs="sm_90"
bench=20
use_torch=1
use_compile=0
ieee=0
pack=""
with_fixtures=0
fixtures=""
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="${2:?--build DIR}"; shift 2 ;;
    --out) out="${2:?--out DIR}"; shift 2 ;;
    --gpu-arch) archs="${2:?--gpu-arch LIST}"; shift 2 ;;
    --gpu-arch=*) archs="${1#--gpu-arch=}"; shift ;;
    --bench) bench="${2:?--bench N}"; shift 2 ;;
    --no-torch) use_torch=0; shift ;;
    --torch-compile) use_compile=1; shift ;;
    --ieee) ieee=1; shift ;;
    --pack) pack="${2:?--pack FILE.tar.xz}"; shift 2 ;;
    --with-fixtures) with_fixtures=1; shift ;;
    --fixtures) fixtures="${2:?--fixtures DIR}"; shift 2 ;;
    -h|--help) sed -n '2,28p' "$script"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) names+=("$1"); shift ;;
  esac
done

# --- part 1: compile (here) ----------------------------------------------------------
compile_all() {
  [ -n "$repo" ] || die "compile runs from a checkout (test/gpu/run-all.sh)"
  build="${build:-$repo/build}"
  out="${out:-$build/gpu-run}"
  local thunderc="$build/bin/thunderc" runner="$build/bin/thunder-run"
  local compare="$repo/tools/thunder-run/compare.py"
  [ -x "$thunderc" ] || die "no $thunderc (build thunderc first)"
  [ -x "$runner" ] || die "no $runner (build thunder-run first)"
  [ -f "$compare" ] || die "no $compare"
  local fx="$repo/test/fixtures"
  if [ ${#names[@]} -eq 0 ]; then
    for f in "$fx"/*.pt2; do names+=("$(basename "$f" .pt2)"); done
  fi
  local ptxas=""
  for root in "${CUDA_ROOT:-}" "${CUDA_HOME:-}" "${CUDA_PATH:-}" /usr/local/cuda; do
    if [ -n "$root" ] && [ -x "$root/bin/ptxas" ]; then ptxas="$root/bin/ptxas"; break; fi
  done
  [ -n "$ptxas" ] || ptxas="$(command -v ptxas || true)"
  [ -n "$ptxas" ] || note "ptxas not found: the PTX is not checked (and the .so files embed PTX only)"

  mkdir -p "$out/models" "$out/bin" "$out/logs" || die "cannot create $out"
  rm -f "$out"/models/*.so
  cp "$runner" "$out/bin/thunder-run" && cp "$compare" "$out/compare.py" && cp "$script" "$out/run-all.sh" &&
    cp "$here/peer_bench.py" "$out/peer_bench.py" ||
    die "cannot copy the tools into $out"
  [ -f "$repo/test/fixtures/index.json" ] && cp "$repo/test/fixtures/index.json" "$out/index.json"
  if [ $with_fixtures = 1 ]; then
    mkdir -p "$out/fixtures"
    for n in "${names[@]}"; do cp "$fx/$n.pt2" "$fx/$n.ref.safetensors" "$out/fixtures/"; done
  fi

  local failures=0
  printf "%-28s %-10s %-8s %8s %10s\n" model compile ptxas seconds bytes
  for n in "${names[@]}"; do
    local pt2="$fx/$n.pt2"
    [ -f "$pt2" ] || { note "no fixture $pt2"; failures=$((failures + 1)); continue; }
    local variants=("$n")
    case "$n" in
      *_train) variants+=("$n.backward") ;;
      *) [ $ieee = 1 ] && variants+=("$n.ieee") ;;
    esac
    for v in "${variants[@]}"; do
      local args=("$pt2" --target=cuda)
      [ "$v" = "$n.backward" ] && args+=(--backward)
      [ "$v" = "$n.ieee" ] && args+=(--fp32-matmul=ieee)
      local so="$out/models/$v.so" log="$out/logs/$v.compile.log"
      local t0 t1 status ptx_status="-"
      t0=$(date +%s.%N)
      if "$thunderc" "${args[@]}" "--gpu-arch=$archs" -o "$so" >"$log" 2>&1; then status=ok; else status=FAILED; fi
      t1=$(date +%s.%N)
      if [ "$status" = ok ] && [ -n "$ptxas" ]; then
        local ptx="$out/logs/$v.ptx"
        if "$thunderc" "${args[@]}" --gpu-arch=sm_90 --emit=ptx -o "$ptx" >>"$log" 2>&1 &&
           "$ptxas" -arch=sm_90 "$ptx" -o /dev/null >>"$log" 2>&1; then
          ptx_status=ok
        else
          ptx_status=FAILED
        fi
        rm -f "$ptx"
      fi
      [ "$status" = ok ] && [ "$ptx_status" != FAILED ] || failures=$((failures + 1))
      printf "%-28s %-10s %-8s %8.1f %10s\n" "$v" "$status" "$ptx_status" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$( [ -f "$so" ] && stat -c %s "$so" || echo -)"
      [ "$status" = ok ] || sed 's/^/    | /' "$log" | tail -15
    done
  done
  local size
  size=$(du -sm "$out" | cut -f1)
  echo "run-all: $out holds ${size} MB; carry it to the GPU machine and run: $out/run-all.sh run --out $out"
  [ "$size" -le 40 ] || note "more than 40 MB: carry it in parts (run 'compile' with a subset of names into several --out folders), or --pack it"
  if [ -n "$pack" ]; then
    tar -C "$(dirname "$out")" -cf - "$(basename "$out")" | xz -9 -T0 >"$pack" || die "cannot write $pack"
    note "packed into $pack ($(du -sm "$pack" | cut -f1) MB); there: tar xJf $(basename "$pack") && $(basename "$out")/run-all.sh run --out $(basename "$out")"
  fi
  [ $failures = 0 ]
}

# --- part 2: run (on the GPU machine) ------------------------------------------------
# Tolerances of test/fixtures/README.md; TF32 (float32 matmuls on tensor cores) is
# judged separately.
tolerances() { # NAME -> "rtol atol grad_rtol grad_atol tf32_rtol tf32_atol"
  case "$1" in
    *bf16*) echo "3e-2 3e-2 3e-2 3e-2 3e-2 3e-2" ;;
    *) echo "2e-4 2e-5 1e-3 1e-4 1e-2 1e-3" ;;
  esac
}

# The worst max_abs / max_rel over compare.py's "ok|FAIL key: max_abs A max_rel R" lines.
worst() { # LOG -> "max_abs max_rel"
  awk '/max_abs/ { for (i = 1; i <= NF; i++) { if ($i == "max_abs") a = $(i+1); if ($i == "max_rel") r = $(i+1) }
                   if (a + 0 > A) A = a + 0; if (r + 0 > R) R = r + 0 }
       END { printf "%.2e %.2e\n", A, R }' "$1"
}

peer_ms() { # PT2 REF BACKWARD LOG -> "eager_ms compile_ms" (each "-" when not measured)
  [ $use_torch = 1 ] || { echo "- -"; return; }
  local flags=()
  [ "$3" = 1 ] && flags+=(--backward)
  [ $use_compile = 1 ] && flags+=(--compile)
  local t
  if t=$(timeout 600 python3 "$peer_bench" "$1" "$2" "$bench" "${flags[@]}" 2>"$4" | tail -1) && [ -n "$t" ]; then
    read -r e c <<<"$t"
    echo "${e:--} ${c:--}"
  else
    echo "- -"
  fi
}

run_all() {
  out="${out:-$here}"
  [ -d "$out/models" ] || die "no $out/models (run 'compile' first, or pass --out)"
  local runner="$out/bin/thunder-run" compare="$out/compare.py" peer_bench="$out/peer_bench.py"
  [ -f "$peer_bench" ] || peer_bench="$here/peer_bench.py"
  if ! "$runner" --help >/dev/null 2>&1; then
    if [ -n "$repo" ] && [ -x "$repo/build/bin/thunder-run" ]; then runner="$repo/build/bin/thunder-run"
    else die "$out/bin/thunder-run does not run here (build thunder-run on this machine: cmake -DTHUNDER_BUILD_COMPILER=OFF)"; fi
  fi
  [ -f "$compare" ] || die "no $compare"
  command -v python3 >/dev/null || die "python3 is needed (compare.py)"
  if [ -z "$fixtures" ]; then
    if [ -d "$out/fixtures" ]; then fixtures="$out/fixtures"
    elif [ -n "$repo" ]; then fixtures="$repo/test/fixtures"
    else fixtures="$(pwd)/test/fixtures"; fi
  fi
  [ -d "$fixtures" ] || die "no fixtures directory $fixtures (pass --fixtures DIR)"
  if [ $use_torch = 1 ] && ! python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
    note "torch with CUDA not available: no eager timings"
    use_torch=0
  fi
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | sed 's/^/run-all: GPU: /'

  local res="$out/results"
  mkdir -p "$res"
  local models=()
  if [ ${#names[@]} -gt 0 ]; then
    for n in "${names[@]}"; do models+=("$out/models/$n.so"); done
  else
    for so in "$out"/models/*.so; do [ -e "$so" ] && models+=("$so"); done
  fi
  [ ${#models[@]} -gt 0 ] || die "no models in $out/models"

  local summary="$res/summary.tsv" failures=0
  printf "fixture\tmax_abs\tmax_rel\tresult\tthunder_ms\teager_ms\tcompile_ms\tspeedup\n" >"$summary"
  printf "%-28s %9s %9s %-10s %16s %9s %10s %8s\n" fixture max_abs max_rel result thunder_ms eager_ms compile_ms speedup
  for so in "${models[@]}"; do
    local v; v="$(basename "$so" .so)"
    local name="${v%.backward}" backward=0 strict_only=0
    [ "$v" != "$name" ] && backward=1
    case "$name" in *.ieee) name="${name%.ieee}"; strict_only=1 ;; esac
    local ref="$fixtures/$name.ref.safetensors" pt2="$fixtures/$name.pt2"
    local result="-" abs="-" rel="-" ms="-" ems="-" cms="-" speedup="-"
    if [ ! -f "$so" ]; then
      result="no-model"
    elif [ ! -f "$ref" ]; then
      result="no-ref"
    else
      local saved="$res/$v.out.safetensors" log="$res/$v.run.log" clog="$res/$v.compare.log"
      local args=("$so" --inputs "$ref" --save "$saved" --bench "$bench")
      [ $backward = 1 ] && args+=(--backward)
      if timeout 600 "$runner" "${args[@]}" >"$log" 2>&1; then
        if [ $backward = 1 ]; then
          ms=$(awk '/^backward_median_ms:/ {print $2}' "$log")
          ms="$(awk '/^median_ms:/ {print $2}' "$log")+${ms}"
        else
          ms=$(awk '/^median_ms:/ {print $2}' "$log")
        fi
        read -r rtol atol grtol gatol trtol tatol <<<"$(tolerances "$name")"
        local keys="output" has_buffers
        has_buffers=$(python3 -c 'import json,struct,sys; f=open(sys.argv[1],"rb"); n=struct.unpack("<Q",f.read(8))[0]; print(int(any(k.startswith("buffer.") for k in json.loads(f.read(n)))))' "$ref" 2>/dev/null || echo 0)
        [ "$has_buffers" = 1 ] && keys="output,buffer"
        : >"$clog"
        local strict=0 loose=0
        python3 "$compare" "$saved" "$ref" --keys "$keys" --rtol "$rtol" --atol "$atol" >>"$clog" 2>&1 || strict=1
        if [ $backward = 1 ]; then
          local truth=()
          [ -f "$fixtures/$name.truth.safetensors" ] && truth=(--truth "$fixtures/$name.truth.safetensors")
          python3 "$compare" "$saved" "$ref" --keys grad --rtol "$grtol" --atol "$gatol" "${truth[@]}" >>"$clog" 2>&1 || strict=1
        fi
        if [ $strict = 1 ] && [ $strict_only = 0 ]; then
          python3 "$compare" "$saved" "$ref" --keys "$keys" --rtol "$trtol" --atol "$tatol" >/dev/null 2>&1 || loose=1
          if [ $backward = 1 ]; then
            python3 "$compare" "$saved" "$ref" --keys grad --rtol "$trtol" --atol "$tatol" >/dev/null 2>&1 || loose=1
          fi
        fi
        read -r abs rel <<<"$(worst "$clog")"
        if [ $strict = 0 ]; then result=pass; elif [ $loose = 0 ] && [ $strict_only = 0 ]; then result=pass-tf32; else result=FAIL; fi
        if [ -f "$pt2" ] && [ $strict_only = 0 ]; then
          read -r ems cms <<<"$(peer_ms "$pt2" "$ref" "$backward" "$res/$v.peer.log")"
          local total
          total=$(python3 -c "print(sum(float(x) for x in '$ms'.split('+')))" 2>/dev/null || echo "")
          if [ "$ems" != "-" ] && [ -n "$total" ]; then
            speedup=$(python3 -c "print(f'{float(\"$ems\") / $total:.2f}x')" 2>/dev/null || echo "-")
          fi
        fi
      else
        result="run-failed"
        grep -m3 -i "error" "$log" | sed 's/^/    | /' >&2
      fi
    fi
    case "$result" in pass|pass-tf32) ;; *) failures=$((failures + 1)) ;; esac
    printf "%-28s %9s %9s %-10s %16s %9s %10s %8s\n" "$v" "$abs" "$rel" "$result" "${ms:--}" "$ems" "$cms" "$speedup"
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$v" "$abs" "$rel" "$result" "${ms:--}" "$ems" "$cms" "$speedup" >>"$summary"
  done
  echo "run-all: ${#models[@]} models, $failures not passing; table in $summary, logs in $res"
  [ $failures = 0 ]
}

case "$mode" in
  compile) compile_all ;;
  run) run_all ;;
  *) die "unknown mode '$mode' (compile or run)" ;;
esac
