#!/usr/bin/env bash
# Runs every benchmark briefly, to prove the benchmarks build and run (not a timed gate).
set -euo pipefail
build="${1:-build/release}"
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "bench smoke: $(basename "$b")"
  "$b" --benchmark_min_time=0.001 --benchmark_filter="${ECSIM_BENCH_SMOKE_FILTER:-.}" >/dev/null
done
echo "bench smoke: all benchmarks ran"
