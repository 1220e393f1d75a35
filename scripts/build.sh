#!/usr/bin/env bash
# Configures and builds one build type into build/<type>:
#   bash scripts/build.sh [release|debug|sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
jobs="${ECSIM_JOBS:-$(nproc)}"
case "$kind" in
  release)  args=(-DCMAKE_BUILD_TYPE=Release) ;;
  debug)    args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  sanitize) args=(-DCMAKE_BUILD_TYPE=Debug -DECSIM_SANITIZE=ON -DECSIM_BUILD_BENCH=OFF) ;;
  *) echo "build.sh: unknown build type '$kind' (release, debug or sanitize)" >&2; exit 2 ;;
esac
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "build/$kind/CMakeCache.txt" ]; then
  cmake -S . -B "build/$kind" "${generator[@]}" "${args[@]}" -DPython_EXECUTABLE=/usr/bin/python3
fi
cmake --build "build/$kind" -j "$jobs"
