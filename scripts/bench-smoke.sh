#!/usr/bin/env bash
# Runs every benchmark's quick set through scripts/bench-compare.py in report-only mode (--quick):
# each must build, run and report no error, and each prints its table against the committed
# baseline in bench/baseline/. One short run's timings are not comparable, so this is never a timed
# gate; compare with repetitions for that (docs/performance.md, "Benchmark regression guard").
#   bash scripts/bench-smoke.sh [build dir]     (ECSIM_BENCH_SMOKE_FILTER narrows every benchmark)
set -euo pipefail
build="${1:-build/release}"
compare="$(dirname "$0")/bench-compare.py"
python="${PYTHON:-python3}"
status=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "bench smoke: $(basename "$b")"
  args=(--quick --quiet)
  if [ -n "${ECSIM_BENCH_SMOKE_FILTER:-}" ]; then args+=(--filter "$ECSIM_BENCH_SMOKE_FILTER"); fi
  "$python" "$compare" "${args[@]}" "$b" || status=1
done
if [ "$status" -ne 0 ]; then
  echo "bench smoke: a benchmark failed to run (see above)" >&2
  exit 1
fi
echo "bench smoke: all benchmarks ran"
