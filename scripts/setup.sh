#!/usr/bin/env bash
# Installs everything thunderc needs from Debian's packages (and PyPI for the test tier). Idempotent.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
PKGS=(cmake ninja-build ccache g++ pkg-config
      llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
      libclang-rt-22-dev libzip-dev nlohmann-json3-dev libcli11-dev libfmt-dev libdlpack-dev libgtest-dev
      openmpi-bin libopenmpi-dev libprotobuf-dev protobuf-compiler)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The test tier compares outputs with numpy (reads safetensors by itself, no torch needed).
python3 -c "import numpy" 2>/dev/null || python3 -m pip install -q "numpy==2.1.3"
# The Python tier (CI): .venv-torch, made once and then reused, with the pinned CPU-usable torch that
# test/python needs (PyPI's wheel: its CUDA libraries come along and stay unused on CPU) and wheel, with which
# `pip install ./python` builds offline. THUNDER_SETUP_TORCH=1 adds what the export tier needs: torchvision and
# transformers for the model-zoo sweep (test/zoo), bench/real_size.py export and scale_probe.py export.
venv="$(cd "$(dirname "$0")/.." && pwd)/.venv-torch"
if ! "$venv/bin/python" -c 'import torch, numpy, wheel; assert torch.__version__.split("+")[0] == "2.11.0"' 2>/dev/null; then
  dpkg -s python3-venv >/dev/null 2>&1 || $SUDO apt-get install -y -qq --no-install-recommends python3-venv
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  echo "setup: installing torch 2.11.0 into $venv (once)"
  "$venv/bin/pip" install -q "torch==2.11.0" "numpy==2.1.3" "wheel==0.45.1"
fi
# ONNX input (docs/onnx.md): onnx.proto and the backend node tests come from the pinned onnx package
# (1.23 no longer ships the node tests); onnxscript is what torch.onnx.export(dynamo=True) needs.
if ! "$venv/bin/python" -c 'import onnx, onnxscript; assert onnx.__version__ == "1.22.0"' 2>/dev/null; then
  "$venv/bin/pip" install -q "onnx==1.22.0" "onnxscript==0.7.2"
fi
if [ "${THUNDER_SETUP_TORCH:-0}" = 1 ] && ! "$venv/bin/python" -c 'import torchvision, transformers, safetensors' 2>/dev/null; then
  "$venv/bin/pip" install -q "torch==2.11.0" "torchvision==0.26.0" "transformers==5.17.0" safetensors "numpy==2.1.3"
fi
