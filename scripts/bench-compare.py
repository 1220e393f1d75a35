#!/usr/bin/env python3
"""Benchmark regression guard: compare a Google Benchmark result with a committed baseline.

NEW is a Google Benchmark JSON file (``--benchmark_out=x.json --benchmark_out_format=json``) or a
benchmark executable, which this script then runs with JSON output. The baseline defaults to
``bench/baseline/<executable name>.json``. Per benchmark the medians of the repetitions (CPU
time by default: the machine is shared) are compared; a benchmark has regressed when

    new median / baseline median - 1  >  max(--min-threshold, --noise-k * noise)

where noise is the relative spread of the two sides combined, sqrt(s_base^2 + s_new^2), and s is
1.4826 * MAD / median over the repetitions (the robust stand-in for stddev / mean), or the
``stddev`` aggregate / ``median`` aggregate when only aggregates were kept. A benchmark of the
baseline missing from NEW is a failure too (renamed or removed: record the baseline again). When
the script ran the executable itself, it runs the regressed benchmarks once more (--confirm) and
reports only the regressions that the second run shows too: the spread within one run does not
see a neighbour's build starting between the baseline and now.
Counters that the benchmark declares deterministic (a comma-separated list in the context entry
"deterministic_counters", which bench_placement_quality sets for its placement-quality figures)
must stay equal: a change is listed and fails. Other counters, which may depend on the iteration
count or the timing, are not compared.

    scripts/bench-compare.py build/release/bench/bench_placement            # run 5 reps, compare
    scripts/bench-compare.py new.json --baseline bench/baseline/bench_placement.json
    scripts/bench-compare.py --quick build/release/bench/bench_kernel        # CI smoke check
    scripts/bench-compare.py --record build/release/bench/bench_placement    # write the baseline

--quick runs the quick set (a filter per executable, below) once with a tiny minimum time, and
only reports: timings from it are not comparable, so it fails only when the benchmark does not
run, reports an error, or is missing. --report-only prints the same table and never fails on
timing or counters. Exit status: 0 no regression, 1 regression / missing / changed counter /
benchmark error, 2 bad usage or unreadable input. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parent.parent
BASELINE_DIR = REPO / "bench" / "baseline"

# Nanoseconds per Google Benchmark time unit.
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# Keys of a benchmark entry that are not user counters.
STANDARD_KEYS = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
    "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit",
    "aggregate_name", "aggregate_unit", "label", "error_occurred", "error_message",
    "items_per_second", "bytes_per_second", "big_o", "rms_rms", "complexity_n", "skipped",
}

# --quick: what each executable runs (a --benchmark_filter regex). Executables not listed run
# everything. The load balancer's large target counts spend tens of seconds warming up.
QUICK_FILTERS = {
    "bench_load_balancer": r"/(1|16)$|InFlight",
}
QUICK_MIN_TIME = "0.001"

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

EXAMPLES = """examples:
  scripts/bench-compare.py build/release/bench/bench_placement          # 5 repetitions, compare
  scripts/bench-compare.py new.json --baseline bench/baseline/bench_placement.json
  scripts/bench-compare.py --quick build/release/bench/bench_kernel      # CI smoke, report only
  scripts/bench-compare.py --record build/release/bench/bench_placement  # write the baseline

exit status: 0 no regression, 1 regression / missing / changed counter / error, 2 bad usage"""


class InputError(Exception):
    """An input that cannot be read or understood (exit status 2)."""


# ---- reading results ------------------------------------------------------------------------

@dataclass
class Bench:
    """One benchmark of one result file: its samples in nanoseconds and its counters."""

    name: str
    metric: str = "cpu_time"
    samples: List[float] = field(default_factory=list)  # one per repetition
    aggregates: Dict[str, float] = field(default_factory=dict)  # median, stddev ... in ns
    counters: Dict[str, List[float]] = field(default_factory=dict)  # one value per repetition
    error: Optional[str] = None

    def median(self) -> Optional[float]:
        if self.samples:
            return statistics.median(self.samples)
        return self.aggregates.get("median", self.aggregates.get("mean"))

    def relative_spread(self) -> float:
        """1.4826 MAD / median of the repetitions (or stddev / median of the aggregates)."""
        median = self.median()
        if not median:
            return 0.0
        if len(self.samples) >= 3:
            mad = statistics.median(abs(s - median) for s in self.samples)
            return 1.4826 * mad / median
        if "stddev" in self.aggregates:
            return self.aggregates["stddev"] / median
        if len(self.samples) == 2:
            return abs(self.samples[0] - self.samples[1]) / 2 / median
        return 0.0


def pick_metric(run_name: str, metric: str) -> str:
    """auto: real time for benchmarks registered with UseRealTime(), CPU time otherwise."""
    if metric != "auto":
        return metric
    return "real_time" if run_name.endswith("/real_time") else "cpu_time"


def load_result(path: Path, metric: str = "cpu_time") -> Tuple[Dict[str, Bench], dict]:
    """The benchmarks of a Google Benchmark JSON file by run name, in file order, and its
    context."""
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("benchmarks"), list):
        raise InputError(f"{path}: not a Google Benchmark JSON result (no \"benchmarks\" list)")
    benches: Dict[str, Bench] = {}
    for entry in document["benchmarks"]:
        run_name = entry.get("run_name", entry.get("name"))
        if not isinstance(run_name, str):
            raise InputError(f"{path}: a benchmark entry without a name")
        bench = benches.get(run_name)
        if bench is None:
            bench = benches[run_name] = Bench(run_name, pick_metric(run_name, metric))
        if entry.get("error_occurred"):
            bench.error = str(entry.get("error_message", "error"))
            continue
        scale = UNIT_NS.get(entry.get("time_unit", "ns"), 1.0)
        value = entry.get(bench.metric)
        if entry.get("run_type", "iteration") == "aggregate":
            name = entry.get("aggregate_name", "")
            if name in ("mean", "median", "stddev") and isinstance(value, (int, float)):
                bench.aggregates[name] = float(value) * scale
            continue
        if not isinstance(value, (int, float)):
            raise InputError(f"{path}: {run_name} has no {bench.metric}")
        bench.samples.append(float(value) * scale)
        for key, counter in entry.items():
            if key not in STANDARD_KEYS and isinstance(counter, (int, float)):
                bench.counters.setdefault(key, []).append(float(counter))
    return benches, document.get("context", {})


# ---- comparing ------------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    status: str  # ok, REGRESSION, faster, MISSING, new, ERROR
    base: Optional[float] = None
    new: Optional[float] = None
    change: Optional[float] = None  # new / base - 1
    threshold: Optional[float] = None
    note: str = ""


@dataclass
class CounterChange:
    name: str
    counter: str
    base: float
    new: Optional[float]


@dataclass
class Comparison:
    rows: List[Row]
    counter_changes: List[CounterChange]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def deterministic_counters(context: dict) -> List[str]:
    """The counters a result's context declares deterministic ("deterministic_counters")."""
    names = context.get("deterministic_counters", "")
    return [n.strip() for n in names.split(",") if n.strip()] if isinstance(names, str) else []


def compare(baseline: Dict[str, Bench], new: Dict[str, Bench], *, min_threshold: float = 0.10,
            noise_k: float = 3.0, expected: Optional[re.Pattern] = None,
            counters: Sequence[str] = ()) -> Comparison:
    """Compares medians per benchmark, and the deterministic `counters` by value. `expected`
    limits which baseline benchmarks NEW must have (the filter NEW was run with)."""
    rows: List[Row] = []
    changes: List[CounterChange] = []
    for name, base in baseline.items():
        if expected is not None and not expected.search(name):
            continue
        got = new.get(name)
        if got is None:
            rows.append(Row(name, "MISSING", base=base.median(), note="not in the new result"))
            continue
        if got.error is not None:
            rows.append(Row(name, "ERROR", base=base.median(), note=got.error))
            continue
        b, n = base.median(), got.median()
        if not b or n is None:
            rows.append(Row(name, "ERROR", base=b, new=n, note="no timing"))
            continue
        noise = math.hypot(base.relative_spread(), got.relative_spread())
        threshold = max(min_threshold, noise_k * noise)
        change = n / b - 1.0
        status = "REGRESSION" if change > threshold else "faster" if change < -threshold else "ok"
        rows.append(Row(name, status, b, n, change, threshold))
        for counter in counters:
            if counter not in base.counters:
                continue
            value = statistics.median(base.counters[counter])
            values = got.counters.get(counter)
            now = statistics.median(values) if values else None
            if now is None or not math.isclose(now, value, rel_tol=1e-9, abs_tol=1e-12):
                changes.append(CounterChange(name, counter, value, now))
    for name, got in new.items():
        if name not in baseline:
            rows.append(Row(name, "ERROR" if got.error else "new", new=got.median(),
                            note=got.error or "not in the baseline"))
    return Comparison(rows, changes)


# ---- printing -------------------------------------------------------------------------------

def format_time(ns: Optional[float]) -> str:
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def format_table(comparison: Comparison, markdown: bool = False) -> str:
    header = ["benchmark", "baseline", "new", "change", "threshold", "status"]
    body = []
    for r in comparison.rows:
        body.append([
            r.name,
            format_time(r.base),
            format_time(r.new),
            "-" if r.change is None else f"{r.change * 100:+.1f}%",
            "-" if r.threshold is None else f"±{r.threshold * 100:.1f}%",
            r.status + (f" ({r.note})" if r.note and r.status not in ("ok", "new") else ""),
        ])
    lines = []
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---|---:|---:|---:|---:|---|")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
    else:
        widths = [max(len(row[c]) for row in [header] + body) for c in range(len(header))]
        right = {1, 2, 3, 4}

        def line(cells: Sequence[str]) -> str:
            return "  ".join(cell.rjust(widths[c]) if c in right else cell.ljust(widths[c])
                             for c, cell in enumerate(cells)).rstrip()

        lines.append(line(header))
        lines.append(line(["-" * w for w in widths]))
        lines += [line(cells) for cells in body]
    if comparison.counter_changes:
        lines.append("")
        lines.append("Deterministic counters that changed:")
        for c in comparison.counter_changes:
            now = "missing" if c.new is None else f"{c.new:g}"
            lines.append(f"  {c.name}: {c.counter} {c.base:g} -> {now}")
    return "\n".join(lines)


def summary_line(comparison: Comparison) -> str:
    parts = [f"{sum(1 for r in comparison.rows if r.change is not None)} compared"]
    for status, word in (("REGRESSION", "regressed"), ("faster", "faster"),
                         ("MISSING", "missing"), ("ERROR", "errors"), ("new", "new")):
        if comparison.count(status):
            parts.append(f"{comparison.count(status)} {word}")
    if comparison.counter_changes:
        parts.append(f"{len(comparison.counter_changes)} counters changed")
    return ", ".join(parts)


def exit_status(comparison: Comparison, report_only: bool) -> int:
    """Errors and missing benchmarks always fail (the benchmark did not build or run as
    recorded); timings and counters fail unless report_only."""
    if comparison.count("ERROR") or comparison.count("MISSING"):
        return EXIT_FAIL
    if report_only:
        return EXIT_OK
    if comparison.count("REGRESSION") or comparison.counter_changes:
        return EXIT_FAIL
    return EXIT_OK


# ---- running --------------------------------------------------------------------------------

def run_benchmark(executable: Path, out: Path, *, bench_filter: Optional[str],
                  repetitions: int, min_time: Optional[str], quiet: bool = False) -> None:
    command = [str(executable), f"--benchmark_out={out}", "--benchmark_out_format=json"]
    if bench_filter:
        command.append(f"--benchmark_filter={bench_filter}")
    if repetitions > 1:
        command.append(f"--benchmark_repetitions={repetitions}")
    if min_time:
        command.append(f"--benchmark_min_time={min_time}")
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    # The console table goes to stderr, so that stdout carries only this script's report; with
    # quiet, only if the benchmark fails.
    to_stderr = not quiet
    try:
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr is not a file (captured)
        to_stderr = False
    try:
        completed = subprocess.run(command, stdout=sys.stderr if to_stderr else subprocess.PIPE,
                                   stderr=None if to_stderr else subprocess.STDOUT,
                                   text=True, check=False)
    except OSError as error:
        raise InputError(f"cannot run {executable}: {error}") from error
    if not to_stderr and (not quiet or completed.returncode != 0):
        sys.stderr.write(completed.stdout)
    if completed.returncode != 0:
        raise InputError(f"{executable.name} exited with status {completed.returncode}")


def write_baseline(result: Path, path: Path, command: str) -> None:
    """Writes a fresh result as a baseline: the repetitions without the aggregates (this script
    recomputes medians and spreads from them), one benchmark entry per line, the machine's
    description without its host name, and the command that made it."""
    with open(result, encoding="utf-8") as f:
        document = json.load(f)
    context = document.get("context", {})
    context.pop("host_name", None)
    context["executable"] = Path(context.get("executable", "")).name
    context["ecsim_command"] = command
    entries = [e for e in document.get("benchmarks", []) if e.get("run_type") != "aggregate"]
    with open(path, "w", encoding="utf-8") as f:
        f.write('{\n"context": ' + json.dumps(context, indent=1) + ',\n"benchmarks": [\n')
        f.write(",\n".join(json.dumps(e) for e in entries))
        f.write("\n]\n}\n")


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Compare a Google Benchmark result with its baseline (medians, noise-aware).",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES)
    p.add_argument("new", help="a Google Benchmark JSON file, or a benchmark executable to run")
    p.add_argument("--baseline", type=Path,
                   help="baseline JSON (default: bench/baseline/<executable name>.json)")
    p.add_argument("--quick", action="store_true",
                   help="CI smoke check: run the quick set once, briefly; report only")
    p.add_argument("--report-only", action="store_true",
                   help="never fail on timing or counters (errors and missing still fail)")
    p.add_argument("--record", action="store_true",
                   help="run the executable and write its result as the baseline")
    p.add_argument("--filter", help="--benchmark_filter regex; only matching baseline entries "
                                    "are expected")
    p.add_argument("--repetitions", type=int, default=5,
                   help="repetitions when running (default 5; --quick: 1)")
    p.add_argument("--min-time", help="--benchmark_min_time when running (seconds)")
    p.add_argument("--metric", choices=["cpu_time", "real_time", "auto"], default="cpu_time",
                   help="cpu_time (default: the machine is shared, and wall time mostly measures "
                        "the neighbours), real_time, or auto: real_time for UseRealTime() "
                        "benchmarks")
    p.add_argument("--min-threshold", type=float, default=0.10,
                   help="smallest relative slowdown counted as a regression (default 0.10)")
    p.add_argument("--noise-k", type=float, default=3.0,
                   help="threshold in units of the combined relative spread (default 3)")
    p.add_argument("--confirm", type=int, default=1,
                   help="when running: rerun regressed benchmarks this many times and keep only "
                        "regressions every run shows (default 1; 0: no rerun)")
    p.add_argument("--out", type=Path, help="also keep the new result's JSON here")
    p.add_argument("--markdown", action="store_true", help="print the table as markdown")
    p.add_argument("--quiet", action="store_true",
                   help="do not show the benchmark's own output unless it fails")
    args = p.parse_args(argv)
    if args.repetitions < 1:
        p.error("--repetitions must be at least 1")
    return args


def ere_escape(text: str) -> str:
    """`text` as a literal in a POSIX extended regex (Google Benchmark's filter syntax)."""
    return re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", text)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    new_path = Path(args.new)
    is_json = new_path.suffix == ".json" or not os.access(new_path, os.X_OK)
    name = new_path.stem if is_json else new_path.name
    if not new_path.exists():
        print(f"bench-compare: {new_path} does not exist", file=sys.stderr)
        return EXIT_USAGE
    if (args.quick or args.record) and is_json:
        print("bench-compare: --quick and --record need an executable to run", file=sys.stderr)
        return EXIT_USAGE
    bench_filter = args.filter
    if args.quick and bench_filter is None:
        bench_filter = QUICK_FILTERS.get(name)
    repetitions = 1 if args.quick else args.repetitions
    min_time = QUICK_MIN_TIME if args.quick and args.min_time is None else args.min_time
    baseline_path = args.baseline or BASELINE_DIR / f"{name}.json"
    report_only = args.report_only or args.quick
    expected = re.compile(bench_filter) if bench_filter else None

    def run(out: Path, run_filter: Optional[str]) -> Tuple[Dict[str, Bench], dict]:
        run_benchmark(new_path.resolve(), out, bench_filter=run_filter, repetitions=repetitions,
                      min_time=min_time, quiet=args.quiet)
        if run_filter and (not out.exists() or out.stat().st_size == 0):
            return {}, {}  # Google Benchmark writes nothing when the filter matches nothing
        return load_result(out, args.metric)

    try:
        with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
            if is_json:
                new, new_context = load_result(new_path, args.metric)
            elif args.record:
                # Into a scratch file first: a failed run leaves the old baseline as it was.
                target = args.baseline or baseline_path
                target.parent.mkdir(parents=True, exist_ok=True)
                scratch = Path(tmp) / f"{name}.json"
                run_benchmark(new_path.resolve(), scratch, bench_filter=bench_filter,
                              repetitions=repetitions, min_time=min_time, quiet=args.quiet)
                command = f"scripts/bench-compare.py --record {name}" + \
                    (f" --repetitions {repetitions}" if repetitions != 5 else "") + \
                    (f" --min-time {min_time}" if min_time else "") + \
                    (f" --filter '{bench_filter}'" if bench_filter else "")
                write_baseline(scratch, target, command)
                print(f"bench-compare: baseline written to {target}")
                return EXIT_OK
            else:
                new, new_context = run(args.out or Path(tmp) / f"{name}.json", bench_filter)
            if not baseline_path.exists():
                print(f"bench-compare: no baseline {baseline_path}; nothing to compare "
                      f"({len(new)} benchmarks ran)")
                errors = [b for b in new.values() if b.error]
                for b in errors:
                    print(f"  {b.name}: ERROR ({b.error})")
                return EXIT_FAIL if errors else EXIT_OK
            baseline, context = load_result(baseline_path, args.metric)
            # As the baseline's benchmark declared them, or the new one's (a baseline recorded
            # before the declaration).
            counters = sorted(set(deterministic_counters(context)) |
                              set(deterministic_counters(new_context)))
            comparison = compare(baseline, new, min_threshold=args.min_threshold,
                                 noise_k=args.noise_k, expected=expected, counters=counters)
            # A slowdown seen once may be a neighbour's build: run those benchmarks again and keep
            # the regression only if the second run shows it too.
            regressed = [r.name for r in comparison.rows if r.status == "REGRESSION"]
            for attempt in range(args.confirm if not (is_json or report_only) else 0):
                if not regressed:
                    break
                print(f"bench-compare: {len(regressed)} regressed; running them again to confirm",
                      file=sys.stderr)
                again, _ = run(Path(tmp) / f"confirm{attempt}.json",
                               "^(" + "|".join(ere_escape(n) for n in regressed) + ")$")
                new.update({n: again[n] for n in regressed if n in again})
                comparison = compare(baseline, new, min_threshold=args.min_threshold,
                                     noise_k=args.noise_k, expected=expected, counters=counters)
                regressed = [r.name for r in comparison.rows if r.status == "REGRESSION"]
    except InputError as error:
        print(f"bench-compare: {error}", file=sys.stderr)
        return EXIT_USAGE if is_json else EXIT_FAIL

    title = f"{name}: {new_path} against {baseline_path}"
    if args.quick:
        title += " (quick: one short run, timings are not comparable; report only)"
    print(title)
    print(format_table(comparison, args.markdown))
    status = exit_status(comparison, report_only)
    verdict = "FAIL" if status else "ok (report only)" if report_only else "ok"
    print(f"{name}: {summary_line(comparison)}: {verdict}")
    return status


if __name__ == "__main__":
    sys.exit(main())
