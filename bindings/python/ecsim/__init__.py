"""ecsim: a discrete-event simulator of Amazon ECS clusters, from Python.

Run one scenario::

    import ecsim
    result = ecsim.run("scenarios/default.json", seed=7)
    result.summary["tasks"]["started"], result.metrics["CPUReservation"], result.events[0]

Sweep parameters (locally, or on Dask with ``client=``)::

    table = ecsim.sweep("sweeps/batch-capacity.json", jobs=2, out="out/batch-capacity")
    table.to_pandas()

Experiment with the placement engine alone: ClusterView, TaskFootprint, PlacementRequest,
PlacementStrategy, PlacementConstraint, Rng, place_task, place_tasks. A Python callable
``fn(view, request, candidates) -> scores`` is a strategy of your own (least score wins), and
placement_quality runs the placement-quality corpus with any chain
(docs/examples/custom_strategy.py).

Errors in scenarios and sweep files raise ScenarioError, whose ``problems`` are
``(JSON Pointer, message)`` pairs.
"""

from ._errors import ScenarioError  # first: _ecsim raises it
from . import _ecsim
from ._ecsim import (
    ClusterView,
    PlacedPorts,
    PlacementBatch,
    PlacementConstraint,
    PlacementDecision,
    PlacementRequest,
    PlacementStrategy,
    PlacedTask,
    Rng,
    TaskFootprint,
    place_task,
    place_tasks,
    placement_quality,
    placement_quality_workloads,
    standard_quality_chains,
)
from ._run import Result, instance_types, run, validate
from ._sweep import SweepResult, load_sweep, sweep, sweep_plan

__version__: str = _ecsim.version()

__all__ = [
    "ScenarioError",
    "Result",
    "run",
    "validate",
    "instance_types",
    "SweepResult",
    "sweep",
    "sweep_plan",
    "load_sweep",
    "ClusterView",
    "PlacedPorts",
    "PlacedTask",
    "PlacementBatch",
    "PlacementConstraint",
    "PlacementDecision",
    "PlacementRequest",
    "PlacementStrategy",
    "Rng",
    "TaskFootprint",
    "place_task",
    "place_tasks",
    "placement_quality",
    "placement_quality_workloads",
    "standard_quality_chains",
]
