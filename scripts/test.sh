#!/usr/bin/env bash
# Sets up (Debian packages), builds, and runs every test: unit tests (GoogleTest), lit/FileCheck tests
# (dialect, passes, importer, codegen, end-to-end fixtures on the CPU target). ctest's summary is the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" "$@"
