"""Custom placement strategies written in Python, and the placement-quality corpus."""

from __future__ import annotations

import ctypes
import subprocess
import sys
import threading
import time
from typing import List

import pytest

import ecsim

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


def cluster(n: int = 6, instance_type: str = "m5.large") -> ecsim.ClusterView:
    view = ecsim.ClusterView()
    for k in range(n):
        view.add_instance_of_type(instance_type, f"i-{k:05d}", ZONES[k % 3])
    return view


def small() -> ecsim.TaskFootprint:
    return ecsim.TaskFootprint(cpu=256, memory_mib=512)


def test_a_callable_is_a_strategy_and_sees_the_callers_objects() -> None:
    view = cluster()
    calls = []

    def prefer_row_3(v, request, candidates):
        calls.append((v is view, request.group, list(candidates)))
        return [0.0 if i == 3 else 1.0 for i in candidates]

    request = ecsim.PlacementRequest(small(), group="service:web", strategies=[prefer_row_3])
    assert str(request.strategies[0]) == "custom(prefer_row_3)"
    decision = ecsim.place_task(view, request, ecsim.Rng(1))
    assert decision.placed and decision.instance == 3
    assert calls == [(True, "service:web", [0, 1, 2, 3, 4, 5])]

    named = ecsim.PlacementStrategy.custom(lambda v, r, c: [0] * len(c), name="flat")
    assert str(named) == "custom(flat)"
    with pytest.raises(TypeError):
        ecsim.PlacementStrategy.custom(42)


def test_a_python_strategy_as_one_link_of_a_chain() -> None:
    view = cluster()
    for row in (0, 1):  # zones a and b hold one task of the group, zone c none
        view.reserve(row, small(), "service:web")
    seen: List[List[int]] = []

    def by_id_descending(v, request, candidates):
        seen.append(list(candidates))
        return [-i for i in candidates]

    request = ecsim.PlacementRequest(
        small(), group="service:web",
        strategies=[("spread", "attribute:ecs.availability-zone"), by_id_descending])
    assert ecsim.place_task(view, request, ecsim.Rng(1)).instance == 5
    assert seen == [[2, 5]]  # only zone c's instances


def test_scoring_remaining_memory_decides_as_binpack_memory() -> None:
    def least_memory(v, request, candidates):
        return [v.remaining_memory(i) for i in candidates]

    view = ecsim.ClusterView()
    for k, instance_type in enumerate(["m5.large", "m5.xlarge", "c5.large", "r5.large"] * 3):
        view.add_instance_of_type(instance_type, f"i-{k:05d}", ZONES[k % 3])
    footprint = ecsim.TaskFootprint(cpu=256, memory_mib=768)
    builtin = ecsim.place_tasks(
        view.copy(), ecsim.PlacementRequest(footprint, strategies=[("binpack", "memory")]), 60,
        ecsim.Rng(5), tie_break="lowestId")
    custom = ecsim.place_tasks(
        view.copy(), ecsim.PlacementRequest(footprint, strategies=[least_memory]), 60,
        ecsim.Rng(5), tie_break="lowestId")
    assert [t.instance for t in custom.placed] == [t.instance for t in builtin.placed]
    assert len(builtin.placed) == 60


def test_errors_in_a_python_strategy() -> None:
    view = cluster()

    def raises(v, request, candidates):
        raise KeyError("no such thing")

    with pytest.raises(KeyError, match="no such thing"):
        ecsim.place_task(view, ecsim.PlacementRequest(small(), strategies=[raises]), ecsim.Rng(1))

    def too_few(v, request, candidates):
        return [1.0]

    with pytest.raises(ValueError, match="one number per candidate"):
        ecsim.place_task(view, ecsim.PlacementRequest(small(), strategies=[too_few]),
                         ecsim.Rng(1))
    assert view.check_invariants() is None
    # NaN counts as +infinity; numpy arrays are accepted.
    np = pytest.importorskip("numpy")

    def nan_but_4(v, request, candidates):
        return np.array([1.0 if i == 4 else float("nan") for i in candidates])

    assert ecsim.place_task(view, ecsim.PlacementRequest(small(), strategies=[nan_but_4]),
                            ecsim.Rng(1)).instance == 4


def test_the_gil_is_held_in_the_callback_only() -> None:
    gil_held = ctypes.pythonapi.PyGILState_Check
    gil_held.restype = ctypes.c_int
    threads = []

    def check(v, request, candidates):
        threads.append((threading.get_ident(), gil_held()))
        return [0.0] * len(candidates)

    view = cluster()
    ecsim.place_tasks(view, ecsim.PlacementRequest(small(), strategies=[check]), 3, ecsim.Rng(1))
    assert threads == [(threading.get_ident(), 1)] * 3

    # Outside the callback the engine runs without the GIL: another Python thread keeps running
    # while a long place_tasks call is under way. Were the GIL held, that thread would run only at
    # the call's two ends (a switch interval, 0.1 ms here, plus the OS's wake-up latency).
    big = cluster(3000, "m5.2xlarge")
    request = ecsim.PlacementRequest(ecsim.TaskFootprint(cpu=8, memory_mib=16),
                                     strategies=[("spread", "instanceId")])
    counter = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            counter[0] += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        # The spinner's speed with this thread asleep (which releases the GIL)...
        before, start = counter[0], time.perf_counter()
        time.sleep(0.2)
        rate = (counter[0] - before) / (time.perf_counter() - start)
        # ... and during place_tasks.
        before, start = counter[0], time.perf_counter()
        batch = ecsim.place_tasks(big, request, 40000, ecsim.Rng(1))
        during = (counter[0] - before) / (time.perf_counter() - start)
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(interval)
    assert len(batch.placed) == 40000
    assert during > 0.3 * rate, f"the other thread ran at {during:.0f}/s, alone {rate:.0f}/s"


def test_python_strategies_in_two_threads_give_the_sequential_results() -> None:
    def best_fit(v, request, candidates):
        f = request.footprint
        return [(v.remaining_cpu(i) - f.cpu) / v.registered_cpu(i)
                + (v.remaining_memory(i) - f.memory_mib) / v.registered_memory(i)
                for i in candidates]

    workloads = [w["name"] for w in ecsim.placement_quality_workloads()][:4]
    expected = {w: ecsim.placement_quality(w, [best_fit], seed=3) for w in workloads}
    results = {}

    def run(w: str) -> None:
        results[w] = ecsim.placement_quality(w, [best_fit], seed=3)

    threads = [threading.Thread(target=run, args=(w,)) for w in workloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for w in workloads:
        for key in ("instances_used", "failures", "stranded_cpu", "stranded_memory_mib",
                    "az_skew", "tasks"):
            assert results[w][key] == expected[w][key], (w, key)


def test_the_placement_quality_corpus() -> None:
    workloads = ecsim.placement_quality_workloads()
    names = [w["name"] for w in workloads]
    assert {"small-homogeneous", "mixed-sizes", "memory-heavy", "cpu-heavy", "distinct-instance",
            "heterogeneous", "churn", "uneven-azs"} <= set(names)
    assert all(w["description"] for w in workloads)
    chains = ecsim.standard_quality_chains()
    assert [c["name"] for c in chains] == [
        "binpack-memory", "binpack-cpu", "spread-az", "spread-az,binpack-memory",
        "spread-instanceId", "random", "service-default"]

    first = ecsim.placement_quality("small-homogeneous", chains[0]["strategies"])
    again = ecsim.placement_quality("small-homogeneous", [("binpack", "memory")])
    assert first["chain"] == "binpack(memory)"
    assert {k: v for k, v in first.items() if "seconds" not in k and "micros" not in k} == \
        {k: v for k, v in again.items() if "seconds" not in k and "micros" not in k}
    assert first["instances"] == 30 and first["placements"] == 300
    assert first["instances_used"] < 30  # binpack leaves instances empty
    spread = ecsim.placement_quality("small-homogeneous", service_default=True)
    assert spread["chain"] == "service-default"
    assert spread["instances_used"] == 30 and spread["az_skew"] == 0

    # A Python strategy that scores like binpack(memory) leaves the same cluster (lowestId).
    def least_memory(v, request, candidates):
        return [v.remaining_memory(i) for i in candidates]

    for name in names:
        builtin = ecsim.placement_quality(name, [("binpack", "memory")], tie_break="lowestId")
        mine = ecsim.placement_quality(name, [least_memory], name="mine", tie_break="lowestId")
        assert mine["chain"] == "mine"
        for key in ("instances_used", "failures", "stranded_memory_mib", "az_skew"):
            assert mine[key] == builtin[key], (name, key)

    with pytest.raises(ValueError, match="unknown placement-quality workload"):
        ecsim.placement_quality("nope")


def test_the_custom_strategy_example_runs(source_dir) -> None:
    example = source_dir / "docs" / "examples" / "custom_strategy.py"
    out = subprocess.run([sys.executable, str(example), "--workloads", "churn,mixed-sizes"],
                         check=True, capture_output=True, text=True, timeout=300).stdout
    rows = [line for line in out.splitlines() if line.startswith("| churn |")
            or line.startswith("| mixed-sizes |")]
    assert len(rows) == 12
    # The Python best fit leaves the same cluster as the C++ one of bench_placement_quality.
    assert "| churn | python best-fit | 21 / 30 | 1.2 % | 51.8 % | 15 | 0 / 540 |" in out
