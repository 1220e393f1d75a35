"""scripts/bench-compare.py, the benchmark regression guard, on synthetic Google Benchmark JSON."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

SOURCE_DIR = Path(os.environ.get("ECSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def load_script():
    spec = importlib.util.spec_from_file_location("bench_compare",
                                                  SOURCE_DIR / "scripts" / "bench-compare.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_compare"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bc = load_script()


def result(benchmarks: Dict[str, List[float]], *, unit: str = "ns",
           counters: Optional[Dict[str, Dict[str, List[float]]]] = None,
           aggregates_only: bool = False, errors: Optional[Dict[str, str]] = None,
           deterministic: str = "") -> dict:
    """A Google Benchmark JSON document: per benchmark its CPU times, one per repetition, with
    the aggregates Google Benchmark adds (or only those); `deterministic` is the context entry
    naming the counters that must not change."""
    entries = []
    for name, times in benchmarks.items():
        reps = len(times)
        if errors and name in errors:
            entries.append({"name": name, "run_name": name, "run_type": "iteration",
                            "repetitions": 1, "repetition_index": 0, "iterations": 0,
                            "real_time": 0, "cpu_time": 0, "time_unit": unit,
                            "error_occurred": True, "error_message": errors[name]})
            continue
        for k, t in enumerate(times):
            entry = {"name": name, "run_name": name, "run_type": "iteration",
                     "repetitions": reps, "repetition_index": k, "threads": 1,
                     "iterations": 1000, "real_time": t * 1.5, "cpu_time": t, "time_unit": unit,
                     "items_per_second": 1e9 / t}
            for counter, values in (counters or {}).get(name, {}).items():
                entry[counter] = values[k]
            if not aggregates_only:
                entries.append(entry)
        if reps > 1:
            mean = sum(times) / reps
            ordered = sorted(times)
            median = (ordered[(reps - 1) // 2] + ordered[reps // 2]) / 2
            stddev = (sum((t - mean) ** 2 for t in times) / (reps - 1)) ** 0.5
            for aggregate, value in (("mean", mean), ("median", median), ("stddev", stddev),
                                     ("cv", stddev / mean)):
                entries.append({"name": f"{name}_{aggregate}", "run_name": name,
                                "run_type": "aggregate", "repetitions": reps,
                                "aggregate_name": aggregate, "iterations": reps,
                                "real_time": value * 1.5, "cpu_time": value, "time_unit": unit})
    context = {"executable": "bench_fake", "num_cpus": 2}
    if deterministic:
        context["deterministic_counters"] = deterministic
    return {"context": context, "benchmarks": entries}


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document))
    return path


def compare(tmp_path: Path, base: dict, new: dict, *extra: str):
    b = write(tmp_path / "base.json", base)
    n = write(tmp_path / "new.json", new)
    return bc.main([str(n), "--baseline", str(b), *extra])


QUIET = [100.0, 101.0, 99.0, 100.5, 99.5]


def test_equal_results_pass(tmp_path: Path, capsys) -> None:
    doc = result({"Place/0/100": QUIET, "Place/0/1000": [200.0] * 5})
    assert compare(tmp_path, doc, doc) == 0
    out = capsys.readouterr().out
    assert "Place/0/100" in out and "REGRESSION" not in out
    assert "2 compared" in out and out.rstrip().endswith(": ok")


def test_slower_beyond_noise_is_a_regression(tmp_path: Path, capsys) -> None:
    base = result({"Place/0/100": QUIET, "Place/0/1000": [200.0] * 5})
    new = result({"Place/0/100": [x * 1.3 for x in QUIET], "Place/0/1000": [201.0] * 5})
    assert compare(tmp_path, base, new) == 1
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("Place/0/100 "))
    assert "REGRESSION" in line and "+30.0%" in line and "±10.0%" in line
    assert "1 regressed" in out and "FAIL" in out
    # Report-only (what CI's smoke check uses) shows it without failing.
    assert compare(tmp_path, base, new, "--report-only") == 0
    assert "REGRESSION" in capsys.readouterr().out


def test_faster_is_reported_and_passes(tmp_path: Path, capsys) -> None:
    base = result({"Burst": [150.0, 151.0, 149.0]}, unit="ms")
    new = result({"Burst": [105.0, 104.0, 106.0]}, unit="ms")
    assert compare(tmp_path, base, new) == 0
    out = capsys.readouterr().out
    assert "faster" in out and "-30.0%" in out and "150 ms" in out


def test_noise_widens_the_threshold(tmp_path: Path, capsys) -> None:
    noisy = [80.0, 90.0, 100.0, 110.0, 120.0]  # 1.4826 MAD / median = 14.8 %
    slower = result({"Place/3/5000": [118.0, 117.0, 118.0, 119.0, 118.0]})
    assert compare(tmp_path, result({"Place/3/5000": noisy}), slower) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("Place/3/5000"))
    assert line.split()[-1] == "ok" and "+18.0%" in line
    threshold = float(line.split("±")[1].split("%")[0])
    assert threshold == pytest.approx(300 * 1.4826 * 10 / 100, abs=0.2)
    # The same slowdown against a quiet baseline is a regression.
    assert compare(tmp_path, result({"Place/3/5000": [100.0] * 5}), slower) == 1
    # --min-threshold and --noise-k are the knobs.
    assert compare(tmp_path, result({"Place/3/5000": noisy}), slower, "--noise-k", "1") == 1
    assert compare(tmp_path, result({"Place/3/5000": [100.0] * 5}), slower,
                   "--min-threshold", "0.25") == 0


def test_a_missing_benchmark_fails_unless_filtered_out(tmp_path: Path, capsys) -> None:
    base = result({"Place/0/100": QUIET, "Burst/5000": [150.0] * 3})
    new = result({"Place/0/100": QUIET, "Place/9/100": [300.0] * 5})
    assert compare(tmp_path, base, new) == 1
    out = capsys.readouterr().out
    assert "MISSING" in out and "1 missing" in out
    assert "Place/9/100" in out and "1 new" in out  # new benchmarks are listed, not failures
    # Even report-only fails: the benchmark did not run as recorded.
    assert compare(tmp_path, base, new, "--report-only") == 1
    # A filter says which baseline entries the new result should have.
    assert compare(tmp_path, base, new, "--filter", "^Place/") == 0


def test_declared_deterministic_counters_must_not_change(tmp_path: Path, capsys) -> None:
    name = "Quality/churn/binpack-memory"
    declared = "instances_used,failures"

    def doc(instances_used: float, p99: float, declare: bool = True) -> dict:
        return result({name: QUIET},
                      counters={name: {"instances_used": [instances_used] * 5,
                                       "p99_ms": [p99] * 5,
                                       "us_per_placement": [0.5, 0.6, 0.4, 0.5, 0.55]}},
                      deterministic=declared if declare else "")

    # Undeclared counters may change, even when equal in every repetition (p99_ms depends on
    # the iteration count).
    assert compare(tmp_path, doc(22, 258.5), doc(22, 250.3)) == 0
    assert compare(tmp_path, doc(22, 258.5), doc(23, 258.5)) == 1
    out = capsys.readouterr().out
    assert "instances_used 22 -> 23" in out and "p99_ms" not in out
    assert compare(tmp_path, doc(22, 258.5), doc(23, 258.5), "--report-only") == 0
    # A baseline recorded before the declaration: the new result's declaration counts.
    assert compare(tmp_path, doc(22, 258.5, declare=False), doc(23, 258.5)) == 1
    assert compare(tmp_path, doc(22, 258.5, declare=False), doc(23, 258.5, declare=False)) == 0


def test_aggregates_only_units_and_real_time(tmp_path: Path, capsys) -> None:
    base = result({"BM_Hold/1000": [50.0, 52.0, 48.0, 50.0, 51.0]}, unit="us",
                  aggregates_only=True)
    new = result({"BM_Hold/1000": [50000.0, 50500.0, 49500.0]}, unit="ns")
    assert compare(tmp_path, base, new) == 0
    assert "50 us" in capsys.readouterr().out
    # CPU time by default; --metric auto uses real time for UseRealTime() benchmarks.
    assert bc.pick_metric("Burst/5000/100000/real_time", "cpu_time") == "cpu_time"
    assert bc.pick_metric("Burst/5000/100000/real_time", "auto") == "real_time"
    assert bc.pick_metric("Place/0/100", "auto") == "cpu_time"


def test_errors_and_bad_input(tmp_path: Path, capsys) -> None:
    base = result({"BM_FullPath/16": QUIET})
    broken = result({"BM_FullPath/16": QUIET}, errors={"BM_FullPath/16": "requests not conserved"})
    assert compare(tmp_path, base, broken, "--report-only") == 1
    assert "ERROR (requests not conserved)" in capsys.readouterr().out
    (tmp_path / "junk.json").write_text("{not json")
    assert bc.main([str(tmp_path / "junk.json"), "--baseline",
                    str(write(tmp_path / "b.json", base))]) == 2
    assert bc.main([str(tmp_path / "absent.json")]) == 2


def fake_bench(tmp_path: Path, document, status: int = 0) -> Path:
    """An executable that writes `document` (or, on its n-th run, the n-th of a list of them)
    where --benchmark_out says, as Google Benchmark does, and keeps its arguments in args.txt."""
    documents = document if isinstance(document, list) else [document]
    paths = [str(write(tmp_path / f"fake-output-{k}.json", d)) for k, d in enumerate(documents)]
    exe = tmp_path / "bench_fake"
    exe.write_text(f"""#!{sys.executable}
import os, shutil, sys
args = sys.argv[1:]
count = {str(tmp_path / 'runs.txt')!r}
n = int(open(count).read()) if os.path.exists(count) else 0
open(count, 'w').write(str(n + 1))
with open({str(tmp_path / 'args.txt')!r}, 'a') as f:
    f.write(' '.join(args) + '\\n')
out = next(a.split('=', 1)[1] for a in args if a.startswith('--benchmark_out='))
paths = {paths!r}
shutil.copy(paths[min(n, len(paths) - 1)], out)
sys.exit({status})
""")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    for leftover in ("runs.txt", "args.txt"):
        (tmp_path / leftover).unlink(missing_ok=True)
    return exe


def runs(tmp_path: Path) -> List[str]:
    return (tmp_path / "args.txt").read_text().splitlines()


def test_quick_runs_the_executable_and_reports_only(tmp_path: Path, capsys) -> None:
    base = write(tmp_path / "baseline.json", result({"Place/0/100": QUIET}))
    slow = fake_bench(tmp_path, result({"Place/0/100": [500.0]}))
    assert bc.main([str(slow), "--quick", "--baseline", str(base)]) == 0
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "report only" in out
    assert len(runs(tmp_path)) == 1  # report-only: no confirmation run
    assert "--benchmark_min_time=0.001" in runs(tmp_path)[0]
    assert "--benchmark_repetitions" not in runs(tmp_path)[0]
    # A benchmark that does not run fails the smoke check.
    crashing = fake_bench(tmp_path, result({"Place/0/100": QUIET}), status=3)
    assert bc.main([str(crashing), "--quick", "--baseline", str(base)]) == 1


def test_running_confirms_a_regression_before_reporting_it(tmp_path: Path, capsys) -> None:
    base = write(tmp_path / "baseline.json",
                 result({"Place/0/100": QUIET, "Quality/churn/spread-az,binpack-memory": QUIET}))
    slow = result({"Place/0/100": [x * 1.5 for x in QUIET],
                   "Quality/churn/spread-az,binpack-memory": QUIET})
    # Slow twice: a regression, after five repetitions and one confirmation of the slow one.
    persistent = fake_bench(tmp_path, slow)
    assert bc.main([str(persistent), "--baseline", str(base)]) == 1
    assert "REGRESSION" in capsys.readouterr().out
    first, second = runs(tmp_path)
    assert "--benchmark_repetitions=5" in first and "--benchmark_filter" not in first
    assert "--benchmark_filter=^(Place/0/100)$" in second
    # Slow once, then as fast as the baseline: a neighbour's load, not a regression.
    transient = fake_bench(tmp_path, [slow, result({"Place/0/100": QUIET})])
    assert bc.main([str(transient), "--baseline", str(base)]) == 0
    assert "REGRESSION" not in capsys.readouterr().out
    transient = fake_bench(tmp_path, [slow, result({"Place/0/100": QUIET})])
    assert bc.main([str(transient), "--baseline", str(base), "--confirm", "0"]) == 1
    assert len(runs(tmp_path)) == 1
    assert bc.ere_escape("a.b(c)+d,e-f") == r"a\.b\(c\)\+d,e-f"


def test_record_writes_a_baseline_without_the_host_name(tmp_path: Path) -> None:
    doc = result({"Place/0/100": QUIET})
    doc["context"]["host_name"] = "secret-host"
    exe = fake_bench(tmp_path, doc)
    target = tmp_path / "baseline" / "bench_fake.json"
    assert bc.main([str(exe), "--record", "--baseline", str(target)]) == 0
    recorded = json.loads(target.read_text())
    assert "host_name" not in recorded["context"]
    assert recorded["context"]["ecsim_command"].startswith("scripts/bench-compare.py --record")
    # The repetitions are kept, the aggregates (recomputed from them) are not.
    assert [e["repetition_index"] for e in recorded["benchmarks"]] == [0, 1, 2, 3, 4]
    assert bc.main([str(write(tmp_path / "same.json", doc)), "--baseline", str(target)]) == 0


def test_the_committed_baselines_can_be_read() -> None:
    baselines = sorted((SOURCE_DIR / "bench" / "baseline").glob("bench_*.json"))
    assert {p.stem for p in baselines} >= {"bench_kernel", "bench_load_balancer",
                                           "bench_placement", "bench_placement_quality"}
    for path in baselines:
        benches, context = bc.load_result(path)
        assert benches and "host_name" not in context, path
        assert all(len(b.samples) == 5 for b in benches.values()), path
    _, context = bc.load_result(SOURCE_DIR / "bench" / "baseline" / "bench_placement_quality.json")
    assert "instances_used" in bc.deterministic_counters(context)
