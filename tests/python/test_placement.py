"""The placement engine on its own: a ClusterView, requests and decisions, as in a notebook."""

from __future__ import annotations

import copy

import pytest

import ecsim


def cluster() -> ecsim.ClusterView:
    view = ecsim.ClusterView()
    view.add_instance_of_type("m5.large", "i-01", "us-east-1a", attributes={"stack": "prod"})
    view.add_instance_of_type("m5.xlarge", "i-02", "us-east-1b", attributes={"stack": "prod"})
    view.add_instance_of_type("c5.large", "i-03", "us-east-1a", attributes={"stack": "batch"})
    return view


def web(memory: int = 1024) -> ecsim.TaskFootprint:
    return ecsim.TaskFootprint(cpu=256, memory_mib=memory)


def test_a_view_built_from_instance_types() -> None:
    view = cluster()
    assert len(view) == 3
    assert view.find("i-02") == 1 and view.find("i-99") is None
    row = view.instance(0)
    assert row["registeredCpu"] == 2048 and row["status"] == "ACTIVE"
    assert row["registeredMemoryMiB"] == row["remainingMemoryMiB"] > 7000
    assert view.attributes(2)["ecs.instance-type"] == "c5.large"
    assert view.attributes(0)["stack"] == "prod"
    assert view.availability_zones() == ["us-east-1a", "us-east-1b"]
    assert [r["id"] for r in view.instances()] == ["i-01", "i-02", "i-03"]
    with pytest.raises(ValueError):
        view.add_instance_of_type("m5.huge", "i-04", "us-east-1a")
    with pytest.raises(ValueError):
        view.add_instance("i-01", "us-east-1a", cpu=1024, memory_mib=1024)  # id taken


def test_binpack_spread_and_constraints() -> None:
    view = cluster()
    rng = ecsim.Rng(1)
    binpack = ecsim.PlacementRequest(web(), group="family:web",
                                     strategies=[("binpack", "memory")])
    # The least remaining memory that still fits: c5.large (4 GiB) before m5.large (8 GiB).
    decision = ecsim.place_task(view, binpack, rng)
    assert decision.placed and decision.instance == 2
    ports = view.reserve(decision.instance, binpack.footprint, binpack.group)
    assert view.task_count(2, "family:web") == 1 and view.group_task_count("family:web") == 1

    spread = ecsim.PlacementRequest(web(), group="family:web",
                                    strategies=[{"type": "spread", "field": "instanceId"}],
                                    constraints=[("memberOf", "attribute:stack == prod")])
    chosen = ecsim.place_task(view, spread, rng, tie_break="lowestId")
    assert chosen.instance == 0  # prod only; both empty of the group; lowest id

    view.release(2, binpack.footprint, binpack.group, ports)
    assert view.group_task_count("family:web") == 0
    assert view.check_invariants() is None


def test_failures_read_like_ecs() -> None:
    view = cluster()
    huge = ecsim.PlacementRequest(web(memory=64 * 1024), group="family:huge")
    decision = ecsim.place_task(view, huge, ecsim.Rng(1))
    assert not decision and not decision.placed
    assert decision.reason == "RESOURCE:MEMORY"
    assert decision.required == 64 * 1024 and decision.available < decision.required
    assert decision.closest_instance_id == "i-02"  # the most memory
    assert decision.message

    view.set_status(0, "DRAINING")
    view.set_status(1, "DRAINING")
    view.set_status(2, "DRAINING")
    assert ecsim.place_task(view, ecsim.PlacementRequest(web()), ecsim.Rng(1)).reason == \
        "NO_INSTANCES"


def test_place_tasks_reserves_each_and_copies_are_independent() -> None:
    view = cluster()
    dry_run = view.copy()
    request = ecsim.PlacementRequest(ecsim.TaskFootprint(cpu=1024, memory_mib=2048),
                                     group="family:batch", strategies=[ecsim.PlacementStrategy("random")])
    batch = ecsim.place_tasks(dry_run, request, 10, ecsim.Rng(7))
    # m5.large: 2 (CPU-bound), m5.xlarge: 4 (CPU-bound), c5.large: 1 (4 GiB, memory-bound).
    assert len(batch.placed) == 7
    assert batch.failure is not None and batch.failure.reason.startswith("RESOURCE:")
    assert dry_run.group_task_count("family:batch") == 7
    assert view.group_task_count("family:batch") == 0  # the original is untouched
    assert copy.deepcopy(dry_run).group_task_count("family:batch") == 7
    # Same seed, same view: the same choices.
    again = ecsim.place_tasks(view.copy(), request, 10, ecsim.Rng(7))
    assert [t.instance for t in again.placed] == [t.instance for t in batch.placed]


def test_ports_and_awsvpc() -> None:
    view = cluster()
    footprint = ecsim.TaskFootprint(cpu=128, memory_mib=128, static_tcp_ports=[8080])
    request = ecsim.PlacementRequest(footprint, group="family:api")
    first = ecsim.place_task(view, request, ecsim.Rng(1), tie_break="lowestId")
    ports = view.reserve(first.instance, footprint, "family:api")
    assert ports.tcp == [8080]
    assert 8080 in view.ports_in_use(first.instance)[0]
    eni = ecsim.TaskFootprint(cpu=128, memory_mib=128, network_mode="awsvpc")
    assert eni.needs_eni and eni.network_mode == "awsvpc"


def test_bad_strategies_and_expressions_raise_value_error() -> None:
    with pytest.raises(ValueError):
        ecsim.PlacementStrategy("binpack", "disk")
    with pytest.raises(ValueError):
        ecsim.PlacementConstraint("memberOf", "attribute:stack ==")
    with pytest.raises(ValueError):
        ecsim.TaskFootprint(network_mode="overlay")
    assert str(ecsim.PlacementStrategy("spread", "attribute:ecs.availability-zone")) == \
        "spread(attribute:ecs.availability-zone)"
