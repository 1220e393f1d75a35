"""ecsim.run and ecsim.validate: inputs, results, errors, outputs, and the GIL."""

from __future__ import annotations

import csv
import json
import math
import pickle
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import ecsim
from conftest import long_scenario


def test_run_takes_a_dict_json_text_or_a_path(source_dir: Path) -> None:
    path = source_dir / "scenarios" / "default.json"
    text = path.read_text()
    by_path = ecsim.run(path)
    assert ecsim.run(str(path)).summary == by_path.summary
    assert ecsim.run(text).summary == by_path.summary
    assert ecsim.run(json.loads(text)).summary == by_path.summary
    assert ecsim.run(text.encode()).summary == by_path.summary
    assert by_path.summary["scenario"] == "default"
    assert by_path.seed == 42 == by_path.summary["seed"]
    assert by_path.events_processed == by_path.summary["eventsProcessed"]


def test_seed_overrides_the_scenarios(source_dir: Path) -> None:
    result = ecsim.run(source_dir / "scenarios" / "default.json", seed=7)
    assert result.seed == 7 and result.summary["seed"] == 7
    again = ecsim.run(source_dir / "scenarios" / "default.json", seed=7)
    assert again.events == result.events  # reproducible


def test_events_are_dicts_in_time_order(source_dir: Path) -> None:
    result = ecsim.run(source_dir / "scenarios" / "default.json")
    events = result.events
    assert len(events) == len(result.events_jsonl.splitlines()) > 0
    assert all(set(e) == {"t", "detail-type", "detail"} for e in events)
    times = [e["t"] for e in events]
    assert times == sorted(times)
    assert any(e["detail-type"] == "ECS Task State Change" for e in events)
    assert ecsim.run(source_dir / "scenarios" / "default.json", events=False).events == []


def test_metrics_are_numpy_arrays_matching_metrics_csv(source_dir: Path, tmp_path: Path) -> None:
    result = ecsim.run(source_dir / "scenarios" / "default.json", out=tmp_path / "out")
    m = result.metrics
    assert list(m)[:3] == ["t", "entityType", "entity"]
    n = len(m["t"])
    assert n > 0 and all(len(column) == n for column in m.values())
    assert m["t"].dtype == np.float64
    assert set(m["entityType"]) <= {"cluster", "instance", "group"}
    with open(tmp_path / "out" / "metrics.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header == ["t", "entityType", "entity"] + list(m)[3:]
    assert len(body) == n
    for k, name in enumerate(header):
        for r, row in enumerate(body):
            if name in ("entityType", "entity"):
                assert m[name][r] == row[k]
            elif row[k] == "":
                assert math.isnan(m[name][r])
            else:
                assert m[name][r] == pytest.approx(float(row[k]), rel=1e-5, abs=1e-4)


OUTPUT_FILES = ["events.jsonl", "metrics.csv", "report.html", "summary.json", "trace.json"]


def test_out_writes_what_ecsim_run_writes(source_dir: Path, tmp_path: Path, cli) -> None:
    """out= writes the five files of `ecsim run --out`, through the same library function: the
    same bytes for the same scenario and seed (a load-balanced one, so every file has content)."""
    scenario = source_dir / "scenarios" / "tutorial-walkthrough.json"
    result = ecsim.run(scenario, seed=5, out=tmp_path / "py")
    names = sorted(p.name for p in (tmp_path / "py").iterdir())
    assert names == OUTPUT_FILES  # and no staging folder left behind
    py = {name: (tmp_path / "py" / name).read_bytes() for name in names}
    assert py["events.jsonl"].decode() == result.events_jsonl
    assert json.loads(py["summary.json"]) == result.summary and result.summary["seed"] == 5
    assert py["report.html"].startswith(b"<!DOCTYPE html>")
    assert json.loads(py["trace.json"])["traceEvents"]
    if cli is None:
        pytest.skip("ECSIM_CLI not set")
    subprocess.run([cli, "run", str(scenario), "--seed", "5", "--out", str(tmp_path / "cli"),
                    "--quiet"], check=True, timeout=60)
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == OUTPUT_FILES
    for name in OUTPUT_FILES:
        assert py[name] == (tmp_path / "cli" / name).read_bytes(), name


def test_out_without_keeping_events_still_writes_them(source_dir: Path, tmp_path: Path) -> None:
    scenario = source_dir / "scenarios" / "default.json"
    kept = ecsim.run(scenario, out=tmp_path / "a")
    dropped = ecsim.run(scenario, out=tmp_path / "b", events=False)
    assert dropped.events == [] and dropped.events_jsonl == ""
    assert dropped.summary == kept.summary
    assert dropped.events_processed == kept.events_processed == kept.summary["eventsProcessed"]
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "b" / "events.jsonl").read_text() == kept.events_jsonl


def test_out_leaves_nothing_when_the_run_cannot_be_written(source_dir: Path,
                                                           tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        ecsim.run(source_dir / "scenarios" / "default.json", out=blocker / "out")
    assert blocker.read_text() == "not a folder"
    # An invalid scenario fails before any output folder is made.
    with pytest.raises(ecsim.ScenarioError):
        ecsim.run({"name": "x", "duraton": "5m"}, out=tmp_path / "new" / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_to_pandas() -> None:
    pd = pytest.importorskip("pandas")
    result = ecsim.run(ecsim_default())
    metrics = result.to_pandas()
    assert isinstance(metrics, pd.DataFrame)
    assert list(metrics.columns) == list(result.metrics)
    assert len(metrics) == len(result.metrics["t"])
    events = result.to_pandas("events")
    assert len(events) == len(result.events)
    assert "detail.lastStatus" in events.columns
    summary = result.to_pandas("summary")
    assert summary.loc[0, "tasks.started"] == result.summary["tasks"]["started"]
    with pytest.raises(ValueError):
        result.to_pandas("nothing")


def ecsim_default() -> dict:
    return json.loads((Path(__file__).resolve().parents[2] / "scenarios" / "default.json")
                      .read_text())


def test_scenario_error_carries_json_pointers() -> None:
    bad = {"name": "x", "duraton": "5m", "seed": -3}
    with pytest.raises(ecsim.ScenarioError) as caught:
        ecsim.run(bad)
    error = caught.value
    assert isinstance(error, ValueError)
    pointers = [p for p, _ in error.problems]
    assert "/duraton" in pointers and "/seed" in pointers
    assert error.pointer in pointers
    assert any('did you mean "duration"' in m for _, m in error.problems)
    text = str(error)
    assert text.splitlines()[0].startswith("/")
    assert len(text.splitlines()) == len(error.problems)
    assert type(error).__module__ == "ecsim" and type(error).__name__ == "ScenarioError"
    copy = pickle.loads(pickle.dumps(error))  # crosses process pools and Dask intact
    assert isinstance(copy, ecsim.ScenarioError) and copy.problems == error.problems


def test_scenario_errors_for_text_and_paths(tmp_path: Path) -> None:
    with pytest.raises(ecsim.ScenarioError) as caught:
        ecsim.run('{"name": "x",, }')
    assert "line 1" in str(caught.value)
    with pytest.raises(ecsim.ScenarioError) as caught:
        ecsim.run(tmp_path / "missing.json")
    assert "no such file" in str(caught.value)
    with pytest.raises(TypeError):
        ecsim.run(42)  # type: ignore[arg-type]


def test_validate(source_dir: Path) -> None:
    assert ecsim.validate(source_dir / "scenarios" / "default.json") == "default"
    with pytest.raises(ecsim.ScenarioError) as caught:
        ecsim.validate({"cluster": {"containerInstances": [{"instanceType": "m5.huge",
                                                            "availabilityZone": "a"}]}})
    assert "/cluster/containerInstances/0/instanceType" in [p for p, _ in caught.value.problems]


def test_instance_types_catalog() -> None:
    types = {t["name"]: t for t in ecsim.instance_types()}
    assert types["m5.large"]["vcpu"] == 2
    assert types["m5.large"]["pricePerHourUSD"] > 0
    assert types["m4.large"]["registeredMemoryMiB"] == 7985


def test_the_gil_is_released_while_a_run_works() -> None:
    """Another Python thread keeps running during run(): with the GIL held it could not run at all
    between the call's start and end. No timing ratio is asserted, only that the other thread
    made progress in the middle of the call."""
    scenario = json.dumps(long_scenario())
    ticks = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        time.sleep(0.02)
        start = time.perf_counter()
        result = ecsim.run(scenario, events=False)
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert result.summary["tasks"]["started"] > 40000
    middle = [t for t in ticks if start + 0.25 * (end - start) < t < start + 0.75 * (end - start)]
    assert end - start > 0.02, "the run was too short to tell"
    assert len(middle) >= 3, f"{len(middle)} ticks in the middle of a {end - start:.3f} s run"


def test_the_gil_is_released_while_a_run_writes_its_outputs(tmp_path: Path) -> None:
    """As above, with out=: the run and the five files it writes go on without the GIL."""
    scenario = json.dumps(long_scenario(3000))
    ticks = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        time.sleep(0.02)
        start = time.perf_counter()
        ecsim.run(scenario, events=False, out=tmp_path / "out")
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == OUTPUT_FILES
    middle = [t for t in ticks if start + 0.25 * (end - start) < t < start + 0.75 * (end - start)]
    assert end - start > 0.02, "the run was too short to tell"
    assert len(middle) >= 3, f"{len(middle)} ticks in the middle of a {end - start:.3f} s run"


def test_runs_in_threads_give_the_same_results_as_one_after_another(source_dir: Path) -> None:
    scenario = source_dir / "scenarios" / "default.json"
    expected = [ecsim.run(scenario, seed=s).summary for s in range(8)]
    results = [None] * 8

    def work(s: int) -> None:
        results[s] = ecsim.run(scenario, seed=s).summary

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == expected
