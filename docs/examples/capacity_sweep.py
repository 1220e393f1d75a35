#!/usr/bin/env python3
"""Which instance type keeps p99 latency under 200 ms at the lowest cost, at each traffic level?

The workload (sweeps/scenarios/web-capacity.json) is a web service behind an Application Load
Balancer on one group of identical EC2 instances per availability zone (three zones). Traffic
ramps up to its level over ten minutes and holds it; target tracking auto scaling keeps the
service's average CPU near 50% by adding tasks (0.5 vCPU, 1.5 GiB each) as long as the cluster has
room for them. A cluster that is too small cannot place the tasks the service asks for, its tasks
saturate, and the latency climbs from about a hundred milliseconds to seconds. The sweep
(sweeps/web-capacity.json) varies

  * the instance type (c5.large, c6g.large, m5.large, m6g.large, m5.xlarge),
  * the instances per zone (1, 2, 3),
  * the service's placement strategy (binpack on memory, or spread over zones),
  * the traffic level (100, 300, 600 requests per second),

with 2 replications each (common random numbers), 180 runs of 20 simulated minutes. A cluster
meets the objective when, in every replication, the p99 latency of the run
(summary["requests"]["latencyMs"]["p99"]) is under 200 ms and at most 0.1% of the requests failed.
Its cost is the summary's EC2 bill per hour (summary["cost"]["usdPerHour"]). For each traffic
level the script prints the cheapest such cluster of every instance type, the answer, and plots
cost against p99 latency.

Run (from the repository root, after scripts/build.sh):

  PYTHONPATH=build/release/python /usr/bin/python3 docs/examples/capacity_sweep.py --jobs 2

Options: --out DIR keeps the runs (a second call reuses them), --dask tcp://HOST:8786 sends the
runs to a Dask scheduler, --png PATH is where the picture goes (default: next to this script).
The same sweep from the command line: ecsim sweep sweeps/web-capacity.json --jobs 2.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import matplotlib

matplotlib.use("Agg")  # files only; no display needed

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as ticker  # noqa: E402
import pandas as pd  # noqa: E402

import ecsim  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SWEEP = ROOT / "sweeps" / "web-capacity.json"
SLO_P99_MS = 200.0
MAX_FAILED_SHARE = 0.001
ZONES = 3  # the base scenario has one instance group in each of three zones
AXES = ["requestsPerSecond", "instanceType", "instancesPerZone", "strategy"]

#: The columns of the table cheapest() returns.
CHEAPEST_COLUMNS = ["requestsPerSecond", "instanceType", "instances", "usdPerHour", "p99Ms",
                    "failedPct", "strategies"]


def sweep_spec(**values: Sequence[Any]) -> Dict[str, Any]:
    """The sweep of sweeps/web-capacity.json as a dict, with the values of any axis replaced
    (by axis name, e.g. ``requestsPerSecond=[100, 600]``) and ``replications`` changed if given."""
    spec = json.loads(SWEEP.read_text())
    replications = values.pop("replications", None)
    axes = {axis["name"]: axis for axis in spec["vary"]}
    for name, new in values.items():
        if name not in axes:
            raise KeyError(f"no axis {name!r} in {SWEEP.name}; axes: {', '.join(axes)}")
        axes[name]["values"] = copy.deepcopy(list(new))
    if replications is not None:
        spec["replications"] = int(replications)
    return spec


def strategy_label(value: Any) -> str:
    """A short name for a placementStrategy value (JSON text in the results table)."""
    chain = json.loads(value) if isinstance(value, str) else value
    names = []
    for link in chain:
        field = link.get("field", "")
        field = {"attribute:ecs.availability-zone": "zone"}.get(field, field)
        names.append(f"{link['type']} {field}".strip())
    return ", then ".join(names)


def run_sweep(spec: Dict[str, Any], jobs: int = 2, out: Optional[str] = None,
              dask: Optional[str] = None) -> pd.DataFrame:
    """Runs the sweep (locally on `jobs` processes, or on a Dask scheduler) and returns one row per
    run with the columns the analysis needs."""
    started = time.perf_counter()
    if dask:
        from distributed import Client

        with Client(dask, timeout="30s") as client:
            result = ecsim.sweep(spec, client=client, out=out, base_dir=SWEEP.parent)
    else:
        result = ecsim.sweep(spec, jobs=jobs, out=out, base_dir=SWEEP.parent)
    print(f"{len(result)} runs ({result.ran} run now, {result.reused} reused) in "
          f"{time.perf_counter() - started:.1f} s")
    return tidy(result.to_pandas())


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per run: the axes, the replication, cost and latency figures of its summary."""
    return pd.DataFrame({
        "requestsPerSecond": frame["requestsPerSecond"],
        "instanceType": frame["instanceType"],
        "instancesPerZone": frame["instancesPerZone"],
        "instances": frame["instancesPerZone"] * ZONES,
        "strategy": frame["placementStrategy"].map(strategy_label),
        "replication": frame["replication"],
        "usdPerHour": frame["cost.usdPerHour"],
        "serviceUsd": frame["cost.byService.api.usd"],
        "p99Ms": frame["requests.latencyMs.p99"],
        "failedShare": frame["requests.failed"] / frame["requests.total"],
    })


def variants(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per variant: mean cost, the worst p99 and failed share over the replications, and
    whether every replication met the objective."""
    table = (runs.groupby(AXES + ["instances"], sort=False)
             .agg(usdPerHour=("usdPerHour", "mean"), p99Ms=("p99Ms", "max"),
                  failedShare=("failedShare", "max"))
             .reset_index())
    table["meetsObjective"] = (table["p99Ms"] < SLO_P99_MS) & \
        (table["failedShare"] <= MAX_FAILED_SHARE)
    return table


def cheapest(table: pd.DataFrame) -> pd.DataFrame:
    """For each traffic level and instance type, the cheapest cluster that met the objective (the
    strategies that did so at that cost are listed; none when no cluster of the type did)."""
    rows: List[Dict[str, Any]] = []
    ok = table[table["meetsObjective"]]
    for (level, itype), group in ok.groupby(["requestsPerSecond", "instanceType"], sort=False):
        best = group["usdPerHour"].min()
        tied = group[group["usdPerHour"] <= best + 1e-9]
        first = tied.iloc[0]
        rows.append({
            "requestsPerSecond": level, "instanceType": itype, "instances": int(first["instances"]),
            "usdPerHour": round(best, 6), "p99Ms": float(tied["p99Ms"].max()),
            "failedPct": round(100 * float(tied["failedShare"].max()), 4),
            "strategies": ", ".join(dict.fromkeys(tied["strategy"])),
        })
    result = pd.DataFrame(rows, columns=CHEAPEST_COLUMNS)
    return result.sort_values(["requestsPerSecond", "usdPerHour", "instanceType"],
                              kind="stable").reset_index(drop=True)


def answer(best: pd.DataFrame) -> pd.DataFrame:
    """The cheapest instance type at each traffic level: cheapest()'s rows at the lowest cost of
    their level (more than one when instance types tie)."""
    lowest = best.groupby("requestsPerSecond")["usdPerHour"].transform("min")
    return best[best["usdPerHour"] <= lowest + 1e-9].reset_index(drop=True)


def strategy_effect(table: pd.DataFrame) -> Dict[str, float]:
    """How much the placement strategy changed the outcome: the largest difference in cost and in
    p99 between strategies for the same cluster and traffic, over the variants that met the
    objective with every strategy."""
    keys = ["requestsPerSecond", "instanceType", "instancesPerZone"]
    met = table.groupby(keys)["meetsObjective"].transform("all")
    spread = table[met].groupby(keys).agg(cost=("usdPerHour", lambda s: s.max() - s.min()),
                                           p99=("p99Ms", lambda s: s.max() - s.min()))
    verdict = table.groupby(keys)["meetsObjective"].nunique()
    return {"usdPerHour": float(spread["cost"].max()) if len(spread) else 0.0,
            "p99Ms": float(spread["p99"].max()) if len(spread) else 0.0,
            "clustersWhereStrategyDecides": int((verdict > 1).sum())}


def plot(table: pd.DataFrame, best: pd.DataFrame, png: Path) -> None:
    levels = sorted(table["requestsPerSecond"].unique())
    types = list(dict.fromkeys(table["instanceType"]))
    strategies = list(dict.fromkeys(table["strategy"]))
    colors = dict(zip(types, plt.get_cmap("tab10").colors))
    # The first strategy a small filled marker, the others larger hollow ones around it: where
    # the strategies give the same result (most of the time) both stay visible.
    markers = dict(zip(strategies, ["o", "o", "s", "D", "^"]))
    sizes = dict(zip(strategies, [22, 95, 95, 95, 95]))
    # Many clusters have the same p99 (enough room: the service scales to the same tasks), so
    # instance types are nudged apart horizontally, by a few percent, to keep them readable.
    nudge = {t: 1.0 + 0.07 * (k - (len(types) - 1) / 2) for k, t in enumerate(types)}
    winners = answer(best)

    fig, panels = plt.subplots(1, len(levels), figsize=(13, 5.0), sharey=True, squeeze=False)
    panels = panels[0]
    right = max(4000.0, float(table["p99Ms"].max()) * 1.6)
    for panel, level in zip(panels, levels):
        at_level = table[table["requestsPerSecond"] == level]
        panel.axvspan(1, SLO_P99_MS, color="#e8f5e9", zorder=0)
        panel.axvline(SLO_P99_MS, color="0.45", linestyle="--", linewidth=1)
        for (itype, strategy), group in at_level.groupby(["instanceType", "strategy"], sort=False):
            group = group.sort_values("instances")
            color = colors[itype]
            x = group["p99Ms"] * nudge[itype]
            if strategy == strategies[0]:
                panel.plot(x, group["usdPerHour"], color=color, linewidth=0.8, alpha=0.5,
                           zorder=2)
                for xi, (_, row) in zip(x, group.iterrows()):
                    panel.annotate(f"{row['instances']}", (xi, row["usdPerHour"]),
                                   xytext=(6, -3), textcoords="offset points", fontsize=7,
                                   color=color)
            filled = strategy == strategies[0]
            panel.scatter(x, group["usdPerHour"], marker=markers[strategy], s=sizes[strategy],
                          facecolors=color if filled else "none", edgecolors=color,
                          linewidths=1.1, zorder=3)
        for k, (_, w) in enumerate(winners[winners["requestsPerSecond"] == level].iterrows()):
            point = (w["p99Ms"] * nudge[w["instanceType"]], w["usdPerHour"])
            panel.scatter([point[0]], [point[1]], s=300, facecolors="none", edgecolors="black",
                          linewidths=1.6, zorder=4)
            panel.annotate(f"cheapest with p99 < {SLO_P99_MS:.0f} ms:\n"
                           f"{w['instances']} x {w['instanceType']}, ${w['usdPerHour']:.3f}/h",
                           point, xytext=(0.42, 0.80 - 0.14 * k), textcoords="axes fraction",
                           fontsize=8.5, arrowprops={"arrowstyle": "->", "color": "0.25",
                                                     "linewidth": 0.9})
        panel.set_xscale("log")
        panel.set_yscale("log")
        panel.yaxis.set_major_locator(ticker.FixedLocator([0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.5, 2.0]))
        panel.yaxis.set_major_formatter(ticker.FormatStrFormatter("$%.2f"))
        panel.yaxis.set_minor_formatter(ticker.NullFormatter())
        panel.set_xlim(60, right)
        panel.set_title(f"{level} requests/s")
        panel.set_xlabel("p99 latency, worst replication (ms, log scale)")
        panel.grid(True, which="both", alpha=0.25)
    panels[0].set_ylabel("cluster cost per hour (EC2 on-demand, log scale)")
    handles = [plt.Line2D([], [], color=colors[t], linewidth=2, label=t) for t in types]
    handles += [plt.Line2D([], [], color="0.3", marker=markers[s], linestyle="",
                           markersize=4 if s == strategies[0] else 8,
                           markerfacecolor="0.3" if s == strategies[0] else "none", label=s)
                for s in strategies]
    handles.append(plt.Line2D([], [], color="0.45", linestyle="--",
                              label=f"objective: p99 < {SLO_P99_MS:.0f} ms"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
               fontsize=8.5)
    fig.suptitle("Web service behind a load balancer: cluster cost against p99 latency by "
                 "instance type (colour) and placement strategy (marker); "
                 "the numbers are instances (3 zones)", fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 0.96))
    fig.savefig(png, dpi=90)
    print(f"plot: {png}")


def report(table: pd.DataFrame, best: pd.DataFrame) -> None:
    pd.set_option("display.width", 120)
    print(f"\nCheapest cluster of each instance type with p99 < {SLO_P99_MS:.0f} ms and at most "
          f"{100 * MAX_FAILED_SHARE:g}% failed requests in every replication:")
    print(best.to_string(index=False))
    missing = [(level, t) for level in sorted(table["requestsPerSecond"].unique())
               for t in dict.fromkeys(table["instanceType"])
               if not ((best["requestsPerSecond"] == level) & (best["instanceType"] == t)).any()]
    for level, itype in missing:
        print(f"  ({itype} at {level} requests/s: no cluster in the sweep met the objective)")
    print("\nAnswer: the cheapest instance type that keeps p99 under "
          f"{SLO_P99_MS:.0f} ms, per traffic level:")
    for _, row in answer(best).iterrows():
        print(f"  {row['requestsPerSecond']:>5} requests/s: {row['instances']} x "
              f"{row['instanceType']} ({row['instances'] // ZONES} per zone), "
              f"${row['usdPerHour']:.3f}/h, p99 {row['p99Ms']:.0f} ms")
    if table["strategy"].nunique() > 1:
        effect = strategy_effect(table)
        decides = effect["clustersWhereStrategyDecides"]
        print(f"\nPlacement strategy: for the same cluster and traffic, the strategies differ by "
              f"at most ${effect['usdPerHour']:.3f}/h and {effect['p99Ms']:.1f} ms of p99, and "
              + ("never change whether a cluster meets the objective." if decides == 0 else
                 f"change whether it meets the objective for {decides} clusters."))


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="local processes (default 2)")
    parser.add_argument("--out", help="keep the runs here; a later call reuses them")
    parser.add_argument("--dask", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--png", type=Path, default=Path(__file__).with_suffix(".png"))
    args = parser.parse_args(argv)

    runs = run_sweep(sweep_spec(), args.jobs, args.out, args.dask)
    table = variants(runs)
    best = cheapest(table)
    report(table, best)
    plot(table, best, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
