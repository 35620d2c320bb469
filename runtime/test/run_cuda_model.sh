#!/bin/sh
# thunder-run on the CUDA test model: with a GPU it must succeed; without one it
# must exit 1 with "error: ... no CUDA device: <reason>" (never crash).
run=$1 model=$2 dir=$3
out=$("$run" "$model" --inputs "$dir/cuda_in.safetensors" --backward --save "$dir/cuda_out.safetensors" 2>&1)
rc=$?
echo "$out"
if [ $rc -eq 0 ]; then
  echo "ran on a GPU"
  exit 0
fi
if [ $rc -eq 1 ] && echo "$out" | grep -q "^error: .*no CUDA device: "; then
  echo "no GPU here: reported cleanly"
  exit 0
fi
echo "unexpected exit status $rc"
exit 1
