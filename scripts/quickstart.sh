#!/usr/bin/env bash
# Quick start, step 1 of 2: install what is missing, build, and run the built-in default scenario.
#   bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
out="$PWD/out/default"
./build/release/ecsim run --out "$out"
echo
echo "Done. The run's outputs are in $out/ :"
ls -1 "$out"
echo "Next: ./build/release/ecsim run scenarios/<name>.json --out out/<name>   (see README.md)"
