"""docs/examples/capacity_sweep.py, its sweep logic on a reduced grid: the tables it builds and
what they must show whatever the exact figures (cost against traffic, the answer, the plot)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import ecsim
from conftest import SOURCE_DIR

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

BINPACK = [{"type": "binpack", "field": "memory"}]
SPREAD = [{"type": "spread", "field": "attribute:ecs.availability-zone"}]


def load_example(source_dir: Path) -> ModuleType:
    path = source_dir / "docs" / "examples" / "capacity_sweep.py"
    spec = importlib.util.spec_from_file_location("capacity_sweep_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example() -> ModuleType:
    return load_example(SOURCE_DIR)


@pytest.fixture(scope="module")
def reduced(example: ModuleType):
    """Two instance types, up to three instances per zone, one strategy, the lowest and highest
    traffic, one replication: 12 runs."""
    spec = example.sweep_spec(instanceType=["c5.large", "m5.large"], instancesPerZone=[1, 2, 3],
                              placementStrategy=[BINPACK], requestsPerSecond=[100, 600],
                              replications=1)
    runs = example.run_sweep(spec, jobs=1)
    table = example.variants(runs)
    return runs, table, example.cheapest(table)


def test_sweep_spec_replaces_axis_values_only(example: ModuleType, source_dir: Path) -> None:
    full = example.sweep_spec()
    assert [axis["name"] for axis in full["vary"]] == \
        ["instanceType", "instancesPerZone", "placementStrategy", "requestsPerSecond"]
    small = example.sweep_spec(requestsPerSecond=[100], replications=1)
    assert small["vary"][3]["values"] == [100] and small["replications"] == 1
    assert small["vary"][:3] == full["vary"][:3] and small["base"] == full["base"]
    with pytest.raises(KeyError):
        example.sweep_spec(zones=[1])
    # The full sweep is what the README promises: every combination, valid, 2 replications.
    plan = ecsim.sweep_plan(source_dir / "sweeps" / "web-capacity.json")
    assert len(plan) == 5 * 3 * 2 * 3 * 2


def test_run_table_has_the_columns_the_analysis_needs(example: ModuleType, reduced) -> None:
    runs, table, best = reduced
    assert list(runs.columns) == ["requestsPerSecond", "instanceType", "instancesPerZone",
                                  "instances", "strategy", "replication", "usdPerHour",
                                  "serviceUsd", "p99Ms", "failedShare"]
    assert len(runs) == 12
    assert set(runs["strategy"]) == {"binpack memory"}
    assert runs[["usdPerHour", "serviceUsd", "p99Ms", "failedShare"]].notna().all().all()
    assert list(table.columns) == example.AXES + ["instances", "usdPerHour", "p99Ms",
                                                  "failedShare", "meetsObjective"]
    assert len(table) == 12
    assert list(best.columns) == example.CHEAPEST_COLUMNS


def test_cost_is_the_clusters_ec2_bill(reduced) -> None:
    """The instances run the whole run, so the bill per hour is instances x the catalog price,
    the same at every traffic level."""
    runs, _, _ = reduced
    price = {t["name"]: t["pricePerHourUSD"] for t in ecsim.instance_types()}
    expected = runs["instances"] * runs["instanceType"].map(price)
    assert runs["usdPerHour"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-6)


def test_cost_grows_with_traffic_for_a_fixed_instance_type(reduced) -> None:
    runs, table, best = reduced
    # The cheapest cluster that meets the objective: every type has one at both levels here
    # (three instances per zone are enough for 600 requests/s), and it costs more at 600.
    assert sorted(map(tuple, best[["instanceType", "requestsPerSecond"]].values)) == \
        [("c5.large", 100), ("c5.large", 600), ("m5.large", 100), ("m5.large", 600)]
    for itype, group in best.groupby("instanceType"):
        costs = group.sort_values("requestsPerSecond")["usdPerHour"].tolist()
        assert costs[0] < costs[-1], (itype, costs)
        instances = group.sort_values("requestsPerSecond")["instances"].tolist()
        assert instances[0] < instances[-1], (itype, instances)
    # On a fixed cluster, the service's own share of the bill grows with its traffic: target
    # tracking runs more tasks, and each pays for the CPU and memory it reserves.
    for key, group in runs.groupby(["instanceType", "instancesPerZone"]):
        service = group.sort_values("requestsPerSecond")["serviceUsd"].tolist()
        assert service[0] < service[-1], (key, service)
    # Every chosen cluster met the objective; a cluster too small for 600 requests/s did not.
    assert (best["p99Ms"] < 200).all()
    small = table[(table["requestsPerSecond"] == 600) & (table["instancesPerZone"] == 1)]
    assert not small["meetsObjective"].any()


def test_answer_plot_and_report(example: ModuleType, reduced, tmp_path: Path, capsys) -> None:
    _, table, best = reduced
    answer = example.answer(best)
    assert sorted(answer["requestsPerSecond"].unique()) == [100, 600]
    for level, group in answer.groupby("requestsPerSecond"):
        assert (group["usdPerHour"] == best[best["requestsPerSecond"] == level]["usdPerHour"]
                .min()).all()
    example.report(table, best)
    printed = capsys.readouterr().out
    assert "Answer:" in printed and "100 requests/s" in printed and "600 requests/s" in printed
    png = tmp_path / "plot.png"
    example.plot(table, best, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
