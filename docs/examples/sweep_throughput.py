#!/usr/bin/env python3
"""Measures sweep throughput (runs per second) for docs/performance.md, "Sweeps".

Two sweeps: sweeps/batch-capacity.json (675 short runs, about 1 ms of simulation each) and a
generated sweep of 24 long runs (a day of RunTask waves every 30 s, tens of thousands of events
each). Each is run by `ecsim sweep --jobs 1` and `--jobs 2` (the CLI, writing its output folder),
by ecsim.sweep in this process (jobs=1), on 2 threads and on 2 processes, and on a Dask LocalCluster
with two worker processes of one thread each. Wall time includes loading and expanding the sweep.
Every measurement starts from an empty output folder and is repeated; the best is reported.

  PYTHONPATH=build/release/python /usr/bin/python3 docs/examples/sweep_throughput.py \
      --cli build/release/ecsim
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

import ecsim

ROOT = Path(__file__).resolve().parents[2]


def long_sweep() -> Dict:
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    base = {
        "name": "throughput-long", "seed": 1, "duration": "1d", "metricsPeriod": "5m",
        "cluster": {"availabilityZones": zones, "containerInstances": [
            {"instanceType": "m5.xlarge", "availabilityZone": z, "count": 10} for z in zones]},
        "taskDefinitions": [{"family": "job", "containerDefinitions": [
            {"name": "work", "image": "example/job", "cpu": 256, "memory": 512,
             "essential": True, "ecsim": {"imageSizeMiB": 50, "exitAfter": "3m"}}]}],
        "timeline": [{"at": f"{s}s", "action": "RunTask",
                      "input": {"taskDefinition": "job", "count": 10}}
                     for s in range(30, 86400 - 600, 30)],
    }
    return {"name": "throughput-long", "base": base,
            "vary": [{"name": "perZone", "pointers": [f"/cluster/containerInstances/{i}/count"
                                                      for i in range(3)], "values": [9, 10]}],
            "replications": 12}


def best_of(repeats: int, fn: Callable[[], int]) -> float:
    """Runs/s of the fastest of `repeats` calls; fn returns the number of runs it made."""
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        runs = fn()
        best = max(best, runs / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=str(ROOT / "build" / "release" / "ecsim"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="ecsim-throughput-"))
    long_path = scratch / "long.json"
    long_path.write_text(json.dumps(long_sweep()))
    sweeps = {"batch-capacity (675 short runs)": ROOT / "sweeps" / "batch-capacity.json",
              "long runs (24 runs)": long_path}

    def fresh(name: str) -> Path:
        path = scratch / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def cli(sweep: Path, jobs: int) -> int:
        out = fresh("cli")
        subprocess.run([args.cli, "sweep", str(sweep), "--jobs", str(jobs), "--out", str(out),
                        "--quiet"], check=True)
        return sum(1 for _ in (out / "runs").glob("*.json"))

    def py(sweep: Path, **kw) -> int:
        return len(ecsim.sweep(sweep, out=fresh("py"), **kw))

    from distributed import Client, LocalCluster

    rows: List[List[str]] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        for label, sweep in sweeps.items():
            ecsim.sweep(sweep, jobs=1)  # warm the page cache and the loader
            measured = {
                "`ecsim sweep --jobs 1`": best_of(args.repeats, lambda: cli(sweep, 1)),
                "`ecsim sweep --jobs 2`": best_of(args.repeats, lambda: cli(sweep, 2)),
                "Python, jobs=1": best_of(args.repeats, lambda: py(sweep, jobs=1)),
                "Python, 2 threads": best_of(args.repeats,
                                             lambda: py(sweep, jobs=2, mode="threads")),
                "Python, 2 processes": best_of(args.repeats,
                                               lambda: py(sweep, jobs=2, mode="processes")),
                "Dask LocalCluster, 2 workers": best_of(args.repeats,
                                                        lambda: py(sweep, client=client)),
            }
            for how, rate in measured.items():
                rows.append([label, how, f"{rate:,.0f}" if rate >= 100 else f"{rate:.1f}"])
    shutil.rmtree(scratch, ignore_errors=True)
    print("| sweep | how | runs/s |\n|---|---|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")


if __name__ == "__main__":
    main()
