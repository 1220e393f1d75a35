#!/usr/bin/env bash
# Quick start, step 2 of 2: install what is missing, build, and run every test.
#   bash scripts/test.sh            release build: unit, conformance and scenario tests
#   bash scripts/test.sh sanitize   the same under AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
bash scripts/install-deps.sh
bash scripts/build.sh "$kind"
jobs="${ECSIM_JOBS:-$(nproc)}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "build/$kind" --output-on-failure -j "$jobs"
if [ "$kind" = release ] && [ -x build/release/bench/bench_kernel ]; then
  # Benchmarks are not timed gates; this proves they build and run.
  bash scripts/bench-smoke.sh build/release
fi
