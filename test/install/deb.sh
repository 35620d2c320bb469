#!/usr/bin/env bash
# The Debian package: cpack -G DEB from BUILD_DIR, its dependencies (installed packages of this machine, no
# -dev ones), then unpacked into a clean root (dpkg -x, no system change): that root's thunderc compiles a
# fixture with --backward and external weights, its thunder-run runs it, compare.py checks it against PyTorch,
# and examples/cmake-consumer is built against the root's /usr. Nothing from BUILD_DIR is used after cpack.
#   deb.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log") \
  || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/pkg/thunderc_*.deb)
echo "package: $deb ($(du -h "$deb" | cut -f1))"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
IFS=',' read -ra deps <<<"$depends"
for dep in "${deps[@]}"; do
  name=$(echo "$dep" | sed 's/|.*//; s/(.*//' | xargs)
  case "$name" in *-dev) echo "the package depends on a -dev package: $name"; exit 1 ;; esac
  dpkg-query -W "$name" >/dev/null || { echo "dependency $name is not a package of this machine"; exit 1; }
done

root="$work/root"
dpkg -x "$deb" "$root"
for f in usr/bin/thunderc usr/bin/thunder-run usr/lib/libthunder_runtime.a usr/include/thunder/runtime/thunder.h \
         usr/lib/cmake/Thunderc/ThundercConfig.cmake; do
  [ -e "$root/$f" ] || { echo "the package lacks /$f"; exit 1; }
done
if grep -rIl "$build" "$root"; then echo "the package names the build tree"; exit 1; fi

# A clean environment: only the root's tools and the system.
run() { env -i PATH=/usr/bin:/bin HOME="$work" "$@"; }
fixture="$src/test/fixtures/mlp_train"
run "$root/usr/bin/thunderc" "$fixture.pt2" --target=cpu --backward --weights=external -o "$work/model.so"
run "$root/usr/bin/thunder-run" "$work/model.so" --weights "$work/model.weights.safetensors" \
  --inputs "$fixture.ref.safetensors" --backward --save "$work/out.safetensors"
run python3 "$src/tools/thunder-run/compare.py" "$work/out.safetensors" "$fixture.ref.safetensors" --keys output
run python3 "$src/tools/thunder-run/compare.py" "$work/out.safetensors" "$fixture.ref.safetensors" --backward \
  --keys grad --rtol 1e-3 --atol 1e-4

"$src/test/install/consumer.sh" "$root/usr" "$src" "$work/consumer"
echo "deb-install: ok"
