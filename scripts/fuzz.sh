#!/usr/bin/env bash
# Fuzzes scenario loading, validation and short runs with libFuzzer for a bounded time:
#   bash scripts/fuzz.sh [seconds] [libFuzzer flags...]
#                                      default 120 s; builds fuzz/ with clang++ into build/fuzz
# Fails (exit 1) on any crash, sanitizer report, leak, uncaught exception or hang; the input is
# saved in build/fuzz/artifacts/ and the command to replay it is printed. See docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
shift $(( $# > 0 ? 1 : 0 ))
jobs="${ECSIM_JOBS:-$(nproc)}"
build=build/fuzz

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: clang++ is missing (bash scripts/install-deps.sh installs clang and libFuzzer)" >&2
  exit 1
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
  command -v ninja >/dev/null 2>&1 && args+=(-G Ninja)
  command -v ccache >/dev/null 2>&1 && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CXX=clang++ cmake -S fuzz -B "$build" "${args[@]}"
fi
cmake --build "$build" -j "$jobs" --target fuzz_scenario

# The working corpus (first folder: new inputs go there, kept between runs), then the seeds,
# read only: every example scenario and every saved regression input.
mkdir -p "$build/corpus" "$build/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
"$build/fuzz_scenario" "$build/corpus" scenarios tests/fuzz_regressions \
  -dict=fuzz/scenario.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=16384 -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: the fuzzer found a problem (exit $status); the input is in $build/artifacts/." >&2
  echo "fuzz.sh: replay it with $build/fuzz_scenario $build/artifacts/<file>; once fixed, save" >&2
  echo "fuzz.sh: it under tests/fuzz_regressions/ (tests/test_fuzz_regressions.cpp replays it)" >&2
  exit 1
fi
echo "fuzz.sh: no problem found in ${seconds} s"
