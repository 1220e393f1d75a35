"""Running and validating one scenario: ecsim.run, ecsim.validate, ecsim.Result."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Union

import numpy as np

from . import _ecsim
from ._source import Document, source_args

PathLike = Union[str, "os.PathLike[str]"]


class Result:
    """One finished run.

    Attributes:
        summary: the run's figures, as in summary.json (a dict, keys in the file's order).
        events: the run's events, one dict per line of events.jsonl, in simulated-time order:
            ``{"t": seconds, "detail-type": "ECS Task State Change", "detail": {...}}``, detail in
            AWS's field names. Parsed on first access. Empty when run with ``events=False``.
        events_jsonl: the same events as events.jsonl text.
        metrics: the periodic metrics (metrics.csv) as NumPy arrays, one per column:
            ``"t"`` (float64, period start in seconds), ``"entityType"`` and ``"entity"`` (object
            arrays of str: "cluster"/"instance"/"group" and its name), then one float64 array per
            metric (``"CPUReservation"`` ...), NaN where a metric does not apply to the entity.
        seed: the seed the run used.
        events_processed: how many simulation events were processed.
    """

    def __init__(self, raw: Dict[str, Any]) -> None:
        self.summary: Dict[str, Any] = json.loads(raw["summary"])
        self.seed: int = raw["seed"]
        self.events_processed: int = raw["events_processed"]
        self.events_jsonl: str = raw["events"] or ""
        self._events: Optional[List[Dict[str, Any]]] = None
        m = raw["metrics"]
        metrics: Dict[str, np.ndarray] = {
            "t": m["t"],
            "entityType": np.array(m["entity_type"], dtype=object),
            "entity": np.array(m["entity"], dtype=object),
        }
        values = m["values"]
        for k, name in enumerate(m["names"]):
            metrics[name] = np.ascontiguousarray(values[:, k])
        self.metrics: Dict[str, np.ndarray] = metrics

    @property
    def events(self) -> List[Dict[str, Any]]:
        """The events as dicts (see the class docstring)."""
        if self._events is None:
            self._events = [json.loads(line) for line in self.events_jsonl.splitlines() if line]
        return self._events

    def to_pandas(self, table: str = "metrics") -> "Any":
        """A pandas DataFrame of ``"metrics"`` (default; one row per period and entity),
        ``"events"`` (one row per event, detail flattened to ``detail.<field>`` columns) or
        ``"summary"`` (one row, nested keys flattened with dots). Needs pandas."""
        import pandas as pd  # optional dependency: only this method needs it

        if table == "metrics":
            return pd.DataFrame(self.metrics)
        if table == "events":
            return pd.json_normalize(self.events)
        if table == "summary":
            return pd.json_normalize(self.summary)
        raise ValueError(f"unknown table {table!r}; expected 'metrics', 'events' or 'summary'")

    def __repr__(self) -> str:
        return (f"<ecsim.Result {self.summary.get('scenario')!r} seed={self.seed} "
                f"events_processed={self.events_processed}>")


def run(scenario: Document, seed: Optional[int] = None, out: Optional[PathLike] = None, *,
        events: bool = True, base_dir: Optional[PathLike] = None) -> Result:
    """Runs a scenario and returns its Result.

    ``scenario`` is a dict, JSON text, or the path of a scenario file. ``seed`` overrides the
    scenario's seed. With ``out`` (a folder, created if needed), the run also writes the five
    files ``ecsim run --out`` writes, through the same library function and byte-identical to
    them: events.jsonl, summary.json, metrics.csv, report.html and trace.json. They appear
    together when the run has succeeded; a failed run leaves none of them (OSError when they
    cannot be written). ``events=False`` does not keep the events in the Result (saves memory on
    long runs; the file is still written). The GIL is released while the simulation works and
    writes, so runs in several threads proceed in parallel. Raises ScenarioError for an invalid
    scenario.
    """
    args = source_args(scenario, base_dir, "scenario")
    if seed is not None and not 0 <= int(seed) < 2**64:
        raise ValueError("seed must be in 0..2^64-1")
    raw = _ecsim.run(**args, seed=None if seed is None else int(seed),
                     out=None if out is None else os.fspath(out), keep_events=events)
    return Result(raw)


def validate(scenario: Document, *, base_dir: Optional[PathLike] = None) -> str:
    """Checks a scenario without running it; returns its name. Raises ScenarioError listing every
    problem, each with its JSON Pointer."""
    return _ecsim.validate(**source_args(scenario, base_dir, "scenario"))


def instance_types() -> List[Dict[str, Any]]:
    """The built-in EC2 instance type catalog: one dict per type with name, vcpu, memoryGiB,
    cpuArchitecture, maxEnis, awsvpcTasks, awsvpcTasksWithTrunking, pricePerHourUSD (us-east-1
    Linux on-demand), registeredCpu, registeredMemoryMiB and registeredMemoryIsEstimate."""
    return _ecsim.instance_types()


__all__ = ["Result", "run", "validate", "instance_types"]
