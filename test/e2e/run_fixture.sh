#!/usr/bin/env bash
# End-to-end check of one fixture on the CPU target:
#   run_fixture.sh NAME [--backward] [--weights=external] [--mesh=dp:N [--shard-params]] [--link=LIB]...
# compiles test/fixtures/NAME.pt2 with `thunderc --target=cpu`, runs thunder-run on
# NAME.ref.safetensors and compares with tools/thunder-run/compare.py at the
# tolerances of test/fixtures/README.md:
#   float32: outputs (and buffers) 2e-4 / 2e-5, gradients 1e-3 / 1e-4; bfloat16: 3e-2 / 3e-2.
# Training fixtures without --backward: outputs and buffers (forward mode).
# mlp_dynamic_batch also runs at batch 1 and 1000 (dynamic_batch.py).
# --weights=external: compiles with --weights=external (the weights go to
# NAME.external.weights.safetensors beside the .so) and runs with thunder-run
# --weights; besides the reference check, the results must equal byte for byte
# those of the embedded build when its run (the test's previous RUN line) left them.
# --link=LIB: passed to thunderc (the functions of the fixture's custom operators,
# docs/custom-ops.md).
# --mesh=...: compiles the partitioned program (docs/sharding.md) and runs it under
# `mpirun --oversubscribe -np RANKS`; rank 0's gathered results must match the same
# single-process reference.
# Compile time and peak memory (/usr/bin/time -v) go to OUT/NAME[.backward].stats,
# which update_compile_times.sh gathers into compile-times.md.
# Environment: THUNDER_BUILD_DIR (default <repo>/build), THUNDER_E2E_OUT (default
# $THUNDER_BUILD_DIR/test/e2e-out).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${THUNDER_BUILD_DIR:-$repo/build}"
out="${THUNDER_E2E_OUT:-$build/test/e2e-out}"
name="${1:?usage: run_fixture.sh NAME [--backward] [--weights=external]}"
backward=0
external=0
mesh_args=()
link_args=()
ranks=1
for arg in "${@:2}"; do
  case "$arg" in
    --backward) backward=1 ;;
    --weights=external) external=1 ;;
    --mesh=*)
      mesh_args+=("$arg")
      for axis in $(echo "${arg#--mesh=}" | tr ',' ' '); do ranks=$((ranks * ${axis#*:})); done ;;
    --shard-params) mesh_args+=("$arg") ;;
    --link=*) link_args+=("$arg") ;;
    *) echo "run_fixture: unknown argument $arg" >&2; exit 2 ;;
  esac
done

fixtures="$repo/test/fixtures"
thunderc="$build/bin/thunderc"
runner="$build/bin/thunder-run"
compare="$repo/tools/thunder-run/compare.py"
pt2="$fixtures/$name.pt2"
ref="$fixtures/$name.ref.safetensors"
for f in "$thunderc" "$runner" "$compare" "$pt2" "$ref"; do
  [ -e "$f" ] || { echo "run_fixture: missing $f" >&2; exit 2; }
done
mkdir -p "$out"

tag="$name"; [ $backward = 1 ] && tag="$name.backward"
embedded_result="$out/$tag.out.safetensors"
[ $external = 1 ] && tag="$tag.external"
[ ${#mesh_args[@]} -gt 0 ] && tag="$tag.$(printf '%s' "${mesh_args[*]}" | sed 's/--//g; s/[:=]/-/g; s/ /./g')"
so="$out/$tag.so"
weights="$out/$tag.weights.safetensors"
stats="$out/$tag.stats"
rm -f "$so" "$stats" "$weights"

# Tolerances.
ftol=(--rtol 2e-4 --atol 2e-5)
gtol=(--rtol 1e-3 --atol 1e-4)
case "$name" in
  *bf16*) ftol=(--rtol 3e-2 --atol 3e-2); gtol=(--rtol 3e-2 --atol 3e-2) ;;
esac

compile_args=(--target=cpu "$pt2" -o "$so")
[ $backward = 1 ] && compile_args+=(--backward)
[ $external = 1 ] && compile_args+=(--weights=external)
compile_args+=("${mesh_args[@]}" "${link_args[@]}")
launcher=()
[ ${#mesh_args[@]} -gt 0 ] && launcher=(mpirun --oversubscribe --allow-run-as-root -np "$ranks")
echo "== compile: thunderc ${compile_args[*]}"
timelog="$out/$tag.time"
set +e
/usr/bin/time -v -o "$timelog" "$thunderc" "${compile_args[@]}"
rc=$?
set -e
seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$timelog" |
          awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$timelog")
status=pass
[ $rc = 0 ] || status="compile failed ($rc)"
echo "$tag $seconds $peak_kb" > "$stats"
if [ $rc != 0 ]; then
  echo "$status" >> "$stats"
  echo "run_fixture: $name: thunderc failed with status $rc" >&2
  exit 1
fi
echo "   compiled in ${seconds}s, peak RSS ${peak_kb} kB, $(stat -c %s "$so") bytes"
if [ $external = 1 ]; then
  [ -f "$weights" ] || { echo "run_fixture: thunderc wrote no $weights" >&2; exit 1; }
  echo "   weights: $(stat -c %s "$weights") bytes in $weights"
fi

run_and_compare() { # inputs.safetensors result.safetensors
  local run_args=("$so" --inputs "$1" --save "$2")
  [ $backward = 1 ] && run_args+=(--backward)
  [ $external = 1 ] && run_args+=(--weights "$weights")
  echo "== run: ${launcher[*]} thunder-run ${run_args[*]}"
  "${launcher[@]}" "$runner" "${run_args[@]}"
}

result="$out/$tag.out.safetensors"
if ! run_and_compare "$ref" "$result"; then
  echo "run failed" >> "$stats"; exit 1
fi
# compare.py compares every key the files share at one tolerance: compare each
# family (outputs, gradients, buffers) on its own copy, at its tolerance.
compare_family() { # family tolerance...
  local family="$1"; shift
  local part="$out/$tag.$family.safetensors"
  python3 "$here/select_keys.py" "$result" "$part" "$family"
  echo "== compare ${family}s"
  python3 "$compare" "$part" "$ref" --keys "$family" "$@"
}
has_key() { # family: whether the reference has keys of that family
  python3 -c 'import json,struct,sys; f=open(sys.argv[1],"rb"); n=struct.unpack("<Q",f.read(8))[0]; print(int(any(k.startswith(sys.argv[2]+".") for k in json.loads(f.read(n)))))' "$ref" "$1"
}
fail=0
compare_family output "${ftol[@]}" || fail=1
if [ $backward = 1 ]; then
  # The float64 truth (gen_f64_truth.py), where the float32 reference itself is off.
  truth=()
  [ -f "$fixtures/$name.truth.safetensors" ] && truth=(--truth "$fixtures/$name.truth.safetensors")
  compare_family grad "${gtol[@]}" "${truth[@]}" || fail=1
fi
if [ "$(has_key buffer)" = 1 ]; then
  compare_family buffer "${ftol[@]}" || fail=1
fi

if [ "$name" = mlp_dynamic_batch ]; then
  for batch in 1 1000; do
    in="$out/$tag.batch$batch.in.safetensors"
    res="$out/$tag.batch$batch.out.safetensors"
    python3 "$here/dynamic_batch.py" make "$ref" "$batch" "$in"
    if ! run_and_compare "$in" "$res"; then fail=1; continue; fi
    echo "== check batch $batch"
    python3 "$here/dynamic_batch.py" check "$ref" "$batch" "$res" "${ftol[@]}" || fail=1
  done
fi
if [ $external = 1 ]; then
  if [ -f "$embedded_result" ]; then
    echo "== same results as the embedded build: cmp $result $embedded_result"
    cmp "$result" "$embedded_result" || fail=1
  else
    echo "== no results of the embedded build ($embedded_result) to compare with"
  fi
fi
[ $fail = 0 ] || { echo "numerics failed" >> "$stats"; exit 1; }
echo "pass" >> "$stats"
echo "== $tag: pass"
