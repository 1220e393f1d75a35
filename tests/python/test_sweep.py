"""ecsim.sweep: the same results table in every mode, resume, errors by JSON Pointer."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import ecsim


@pytest.fixture
def tiebreak(source_dir: Path) -> Path:
    return source_dir / "sweeps" / "default-tiebreak.json"


def test_serial_processes_and_threads_give_identical_tables(tiebreak: Path) -> None:
    serial = ecsim.sweep(tiebreak, jobs=1)
    threads = ecsim.sweep(tiebreak, jobs=2, mode="threads")
    processes = ecsim.sweep(tiebreak, jobs=2, mode="processes", timeout=120)
    chunked = ecsim.sweep(tiebreak, jobs=2, mode="processes", chunksize=3, timeout=120)
    assert len(serial) == 8 and serial.ran == 8 and serial.reused == 0
    assert serial.csv == threads.csv == processes.csv == chunked.csv
    assert serial.rows == threads.rows == processes.rows


def test_python_and_cli_write_the_same_results_csv(tiebreak: Path, tmp_path: Path, cli) -> None:
    result = ecsim.sweep(tiebreak, jobs=2, mode="threads", out=tmp_path / "py")
    assert (tmp_path / "py" / "results.csv").read_text() == result.csv
    if cli is None:
        pytest.skip("ECSIM_CLI not set")
    subprocess.run([cli, "sweep", str(tiebreak), "--jobs", "2", "--out", str(tmp_path / "cli"),
                    "--quiet"], check=True, timeout=120)
    assert (tmp_path / "cli" / "results.csv").read_bytes() == \
        (tmp_path / "py" / "results.csv").read_bytes()


def test_rows_columns_and_pandas(tiebreak: Path) -> None:
    result = ecsim.sweep(tiebreak, jobs=1)
    assert result.columns[:7] == ["run", "variant", "replication", "seed", "hash", "tieBreak",
                                  "zoneAInstances"]
    assert "tasks.started" in result.columns
    assert [r["seed"] for r in result.rows] == [42, 43] * 4  # common random numbers
    assert [r["tieBreak"] for r in result.rows] == ["random"] * 4 + ["lowestId"] * 4
    started = result.column("tasks.started")
    assert started.dtype.kind == "f" and len(started) == 8
    pd = pytest.importorskip("pandas")
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == result.columns and len(frame) == 8


def test_resume_reuses_finished_runs_and_ignores_temporary_files(tiebreak: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    first = ecsim.sweep(tiebreak, jobs=2, mode="threads", out=out)
    runs = sorted((out / "runs").glob("*.json"))
    assert len(runs) == 8 and first.ran == 8
    again = ecsim.sweep(tiebreak, jobs=2, mode="threads", out=out)
    assert (again.ran, again.reused) == (0, 8)
    assert again.csv == first.csv

    # A run lost mid-write: its record gone, half of it left in a temporary file.
    victim = runs[0]
    record = victim.read_text()
    victim.unlink()
    temp = victim.with_name("." + victim.name + ".tmp-12345-0")
    temp.write_text(record[: len(record) // 2])
    seen = []
    resumed = ecsim.sweep(tiebreak, jobs=1, out=out, progress=lambda d, t: seen.append((d, t)))
    assert (resumed.ran, resumed.reused) == (1, 7)
    assert resumed.csv == first.csv
    assert victim.read_text() == record
    assert seen[-1] == (8, 8)


def test_sweeps_from_dicts_and_text_resolve_the_base_against_base_dir(source_dir: Path) -> None:
    spec = {
        "name": "inline",
        "base": "scenarios/default.json",
        "vary": [{"pointer": "/placement/tieBreak", "values": ["random", "lowestId"]}],
        "replications": 2,
        "seed": 100,
    }
    result = ecsim.sweep(spec, jobs=1, base_dir=source_dir)
    assert [r["seed"] for r in result.rows] == [100, 101, 100, 101]
    assert result.columns[5] == "/placement/tieBreak"  # an unnamed axis is named by its pointer
    as_text = ecsim.sweep(json.dumps(spec), jobs=1, base_dir=source_dir)
    assert as_text.csv == result.csv
    inline = dict(spec, base=json.loads((source_dir / "scenarios" / "default.json").read_text()))
    assert ecsim.sweep(inline, jobs=1).csv == result.csv

    plan = ecsim.sweep_plan(spec, base_dir=source_dir)
    assert [(r["variant"], r["replication"], r["seed"]) for r in plan] == \
        [(0, 0, 100), (0, 1, 101), (1, 0, 100), (1, 1, 101)]
    assert plan[2]["values"] == ["lowestId"]
    assert [r["hash"] for r in plan] == [r["hash"] for r in result.rows]


def test_sweep_errors_name_the_json_pointer(source_dir: Path) -> None:
    spec = {
        "base": str(source_dir / "scenarios" / "default.json"),
        "vary": [{"pointer": "/cluster/containerInstances/7/count", "values": [1]},
                 {"pointer": "/cluster/containerInstances/0/instanceType",
                  "values": ["m5.large", "m5.huge"]}],
        "replicatons": 2,
    }
    with pytest.raises(ecsim.ScenarioError) as caught:
        ecsim.sweep(spec, jobs=1)
    pointers = [p for p, _ in caught.value.problems]
    assert "/vary/0/pointer" in pointers and "/replicatons" in pointers
    del spec["replicatons"]
    spec["vary"].pop(0)
    with pytest.raises(ecsim.ScenarioError) as caught:
        ecsim.sweep(spec, jobs=1)
    assert caught.value.pointer == "/vary/0/values/1"
    assert "m5.huge" in str(caught.value)
    with pytest.raises(ValueError):
        ecsim.sweep(spec, mode="fibers")
