"""Parameter sweeps from Python: ecsim.sweep on a local pool of processes or threads, or on Dask.

The C++ sweep engine (include/ecsim/sweep.hpp) does everything that decides a result: it expands
the sweep, gives each run its seed and hash, runs it, and builds the results table. This module
only chooses where runs execute and stores each one as it finishes, so the table is byte-identical
to ``ecsim sweep`` whatever the mode, the number of jobs or the cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from . import _ecsim
from ._source import Document, source_args

PathLike = Union[str, "os.PathLike[str]"]
Progress = Callable[[int, int], None]


def _run_chunk(scenarios: Sequence[str], base_dir: str) -> List[str]:
    """Runs sweep runs (canonical scenario JSON, seed included) one after another; returns their
    summaries as JSON text. Executed in pool processes and on Dask workers, so it must stay a
    module-level function (pickled by reference)."""
    return [_ecsim.run_sweep_run(text, base_dir) for text in scenarios]


class SweepResult:
    """The results of a sweep.

    Attributes:
        name: the sweep's name.
        columns: the results columns: run, variant, replication, seed, hash, one per axis, then
            the run summary's figures flattened to dotted names (``tasks.started``,
            ``placementFailures.RESOURCE:MEMORY`` ...).
        rows: one dict per run, in run order (None where a run's summary lacks a column).
        csv: the results table as CSV text, byte-identical to ``<out>/results.csv``.
        out: the output folder, or None.
        ran: runs simulated by this call; reused: runs found finished in ``out``.
    """

    def __init__(self, name: str, columns: List[str], rows: List[Dict[str, Any]], csv: str,
                 out: Optional[Path], ran: int, reused: int) -> None:
        self.name = name
        self.columns = columns
        self.rows = rows
        self.csv = csv
        self.out = out
        self.ran = ran
        self.reused = reused

    def column(self, name: str) -> "Any":
        """One column as a NumPy array (float64 when every cell is a number or missing)."""
        import numpy as np

        values = [row.get(name) for row in self.rows]
        if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
               for v in values):
            return np.array([np.nan if v is None else v for v in values], dtype=float)
        return np.array(values, dtype=object)

    def to_pandas(self) -> "Any":
        """The results as a pandas DataFrame, columns in table order. Needs pandas."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return (f"<ecsim.SweepResult {self.name!r}: {len(self.rows)} runs, ran {self.ran}, "
                f"reused {self.reused}>")


def load_sweep(spec: Document, base_dir: Optional[PathLike] = None) -> "_ecsim.SweepPlan":
    """Loads and expands a sweep (a dict, JSON text or the path of a SWEEP.json) into its runs.
    Raises ScenarioError listing every problem by JSON Pointer into the sweep document."""
    return _ecsim.load_sweep(**source_args(spec, base_dir, "sweep"))


def sweep_plan(spec: Document, base_dir: Optional[PathLike] = None) -> List[Dict[str, Any]]:
    """The runs a sweep would make, in run order, without running them: one dict per run with
    index, variant, replication, seed, hash and values (one per axis)."""
    plan = load_sweep(spec, base_dir)
    runs = []
    for i in range(len(plan)):
        info = plan.run_info(i)
        info["values"] = json.loads(info.pop("values_json"))
        runs.append(info)
    return runs


def _chunks(todo: List[int], size: int) -> List[List[int]]:
    return [todo[k:k + size] for k in range(0, len(todo), size)]


def _auto_chunk(todo: int, workers: int) -> int:
    # Several chunks per worker keep the load balanced; chunks of a few runs amortize the per-task
    # cost of a process pool or a Dask scheduler (~0.1-1 ms, as long as a short run).
    return max(1, min(16, todo // max(1, workers * 8)))


def sweep(spec: Document, *, jobs: Optional[int] = None, mode: str = "processes",
          client: Any = None, out: Optional[PathLike] = None,
          base_dir: Optional[PathLike] = None, chunksize: Optional[int] = None,
          timeout: Optional[float] = None, progress: Optional[Progress] = None) -> SweepResult:
    """Runs a parameter sweep and returns its SweepResult.

    ``spec`` is a sweep document (see README.md, "Python and sweeps"): a dict, JSON text, or the
    path of a SWEEP.json (whose relative base path resolves against the file's folder; in a dict
    or text, against ``base_dir``, default the current folder).

    Where runs execute:
      * ``client=distributed.Client(...)``: on that Dask cluster (``jobs`` and ``mode`` unused);
      * ``jobs=1``: one after another in this process;
      * ``mode="processes"`` (default): a pool of ``jobs`` processes (default: the CPU count);
      * ``mode="threads"``: a pool of ``jobs`` threads (runs release the GIL).
    Results are identical in every case. With ``out``, each finished run is stored in
    ``out/runs/<hash>.json`` as it finishes and ``out/results.csv`` is written at the end; calling
    again with the same ``out`` reuses every finished run (an interrupted sweep resumes).
    ``chunksize`` runs go to a worker at a time (default: automatic). ``timeout`` (seconds) bounds
    the wait for the next run to finish; ``progress(done, total)`` is called as runs finish.
    If a run fails, no new runs start and the error is raised; finished runs stay stored.
    """
    if mode not in ("processes", "threads", "serial"):
        raise ValueError(f"unknown mode {mode!r}; expected 'processes', 'threads' or 'serial'")
    plan = load_sweep(spec, base_dir)
    total = len(plan)
    store = _ecsim.SweepStore(os.fspath(out)) if out is not None else None

    summaries: List[Optional[str]] = [None] * total
    reused = 0
    todo: List[int] = []
    for i in range(total):
        done = store.load(plan, i) if store is not None else None
        if done is None:
            todo.append(i)
        else:
            summaries[i] = done
            reused += 1
    finished = reused
    if progress is not None and reused:
        progress(finished, total)

    def record(indexes: Sequence[int], results: Sequence[str]) -> None:
        nonlocal finished
        for i, summary in zip(indexes, results):
            summaries[i] = summary
            if store is not None:
                store.save(plan, i, summary)
        finished += len(indexes)
        if progress is not None:
            progress(finished, total)

    base = plan.base_dir
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise ValueError("jobs must be at least 1")
    if client is not None:
        _run_on_dask(client, plan, todo, base, chunksize, timeout, record)
    elif mode == "serial" or workers == 1 or len(todo) <= 1:
        for i in todo:
            record([i], _run_chunk([plan.scenario_json(i)], base))
    else:
        if mode == "threads":
            pool: cf.Executor = cf.ThreadPoolExecutor(max_workers=workers)
            size = chunksize or 1  # threads share memory: nothing to amortize
        else:
            # spawn, not fork: forking a process that runs threads (a Dask client, a thread pool)
            # can deadlock the child.
            pool = cf.ProcessPoolExecutor(max_workers=workers,
                                          mp_context=multiprocessing.get_context("spawn"))
            size = chunksize or _auto_chunk(len(todo), workers)
        _run_on_executor(pool, plan, todo, base, size, timeout, record)

    columns, csv, rows_json = plan.table([s if s is not None else "{}" for s in summaries])
    if store is not None:
        store.write_file("results.csv", csv)
    return SweepResult(plan.name, list(columns), json.loads(rows_json), csv,
                       Path(os.fspath(out)) if out is not None else None,
                       len(todo), reused)


def _run_on_executor(pool: cf.Executor, plan: "_ecsim.SweepPlan", todo: List[int], base: str,
                     size: int, timeout: Optional[float],
                     record: Callable[[Sequence[int], Sequence[str]], None]) -> None:
    futures: Dict[cf.Future, List[int]] = {}
    try:
        for chunk in _chunks(todo, size):
            texts = [plan.scenario_json(i) for i in chunk]
            futures[pool.submit(_run_chunk, texts, base)] = chunk
        for future in cf.as_completed(futures, timeout=timeout):
            record(futures[future], future.result())
    except BaseException:
        # An error, a timeout or Ctrl-C: drop what has not started and do not wait for the rest.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_on_dask(client: Any, plan: "_ecsim.SweepPlan", todo: List[int], base: str,
                 chunksize: Optional[int], timeout: Optional[float],
                 record: Callable[[Sequence[int], Sequence[str]], None]) -> None:
    from distributed import as_completed, wait  # optional dependency: only this path needs it

    workers = max(1, sum(w.get("nthreads", 1)
                         for w in client.scheduler_info().get("workers", {}).values()))
    size = chunksize or _auto_chunk(len(todo), workers)
    futures = []
    chunk_of: Dict[str, List[int]] = {}
    for chunk in _chunks(todo, size):
        texts = [plan.scenario_json(i) for i in chunk]
        # pure=False: a fresh key per submission, so a resumed sweep never gets a stale result.
        future = client.submit(_run_chunk, texts, base, pure=False)
        chunk_of[future.key] = chunk
        futures.append(future)
    try:
        if timeout is None:
            for future in as_completed(futures):
                record(chunk_of[future.key], future.result())
        else:
            # distributed's as_completed has no timeout (2022.12): wait for the first to finish.
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=timeout, return_when="FIRST_COMPLETED")
                for future in sorted(done, key=lambda f: chunk_of[f.key][0]):
                    record(chunk_of[future.key], future.result(timeout=timeout))
    finally:
        client.cancel([f for f in futures if not f.done()])


__all__ = ["SweepResult", "sweep", "sweep_plan", "load_sweep"]
