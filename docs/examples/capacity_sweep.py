#!/usr/bin/env python3
"""Which cluster runs a batch workload most cheaply without failing to place tasks?

The workload (sweeps/scenarios/batch-capacity.json) starts three kinds of batch jobs with RunTask
in ten waves over two hours on one group of identical EC2 instances per zone. The sweep
(sweeps/batch-capacity.json) varies

  * the instance type (m5.large, r5.large, c5.xlarge, m5.xlarge, m5.2xlarge),
  * the instances per zone (1, 2, 3, 4, 6; three zones),
  * the default RunTask placement strategy (random, binpack on memory, spread over zones),
  * the traffic level: the tasks per RunTask call (3, 6, 10),

with 3 replications each (common random numbers: replication r has the same seed in every
variant), 675 runs in all. For every traffic level and strategy it prints the cheapest cluster that
placed every task in every replication, and it plots cost against placement failures.

Cost is not (yet) a figure of ecsim's summary, so it is computed here from the catalog's on-demand
price: price per hour x container instances x simulated hours. Once the summary carries a cost
column (any column whose name starts with "cost"), that column is used instead; likewise, once the
load balancer model puts a p99 latency in the summary (any column with "p99" in its name), the plot
shows cost against p99 latency instead of placement failures.

Run (from the repository root, after scripts/build.sh):

  PYTHONPATH=build/release/python /usr/bin/python3 docs/examples/capacity_sweep.py --jobs 2

Options: --out DIR keeps the runs (a second call reuses them), --dask tcp://HOST:8786 sends the
runs to a Dask scheduler, --png PATH is where the picture goes (default: next to this script).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Optional

import matplotlib

matplotlib.use("Agg")  # files only; no display needed

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import ecsim  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
AXES = ["instanceType", "instancesPerZone", "strategy", "tasksPerRunTask"]


def cost_column(frame: pd.DataFrame) -> str:
    """The summary's own cost column when there is one, else a computed "costUSD"."""
    own = [c for c in frame.columns if c.lower().startswith("cost")]
    if own:
        return own[0]
    price = {t["name"]: t["pricePerHourUSD"] for t in ecsim.instance_types()}
    frame["costUSD"] = (frame["instanceType"].map(price) * frame["containerInstances.total"]
                        * frame["simulatedSeconds"] / 3600.0)
    return "costUSD"


def quality_column(frame: pd.DataFrame) -> str:
    """What to plot against cost: a p99 latency when the summary has one, else the number of
    tasks that could not be placed (every placementFailures.<reason> column, summed)."""
    latency = [c for c in frame.columns if re.search(r"p99", c, re.IGNORECASE)]
    if latency:
        return latency[0]
    reasons = [c for c in frame.columns if c.startswith("placementFailures.")]
    frame["placementFailures"] = frame[reasons].fillna(0).sum(axis=1) if reasons else 0
    return "placementFailures"


def run_sweep(jobs: int, out: Optional[str], dask: Optional[str]) -> pd.DataFrame:
    sweep = ROOT / "sweeps" / "batch-capacity.json"
    if dask:
        from distributed import Client

        with Client(dask, timeout="30s") as client:
            result = ecsim.sweep(sweep, client=client, out=out)
    else:
        result = ecsim.sweep(sweep, jobs=jobs, out=out)
    print(f"{len(result)} runs ({result.ran} run now, {result.reused} reused)")
    return result.to_pandas()


def summarize(frame: pd.DataFrame, cost: str, quality: str) -> pd.DataFrame:
    """One row per variant: cost, mean and worst of the quality figure over the replications."""
    return (frame.groupby(AXES, sort=False)
            .agg(cost=(cost, "mean"), mean=(quality, "mean"), worst=(quality, "max"))
            .reset_index())


def cheapest_without_failures(variants: pd.DataFrame) -> pd.DataFrame:
    ok = variants[variants["worst"] == 0]
    rows = []
    for (level, strategy), group in ok.groupby(["tasksPerRunTask", "strategy"], sort=True):
        best = group["cost"].min()
        tied = group[group["cost"] <= best + 1e-9]
        rows.append({
            "tasksPerRunTask": level, "strategy": strategy, "costUSD": round(best, 3),
            "clusters": ", ".join(f"{n} x {t}" for n, t in
                                  zip(tied["instancesPerZone"] * 3, tied["instanceType"])),
        })
    return pd.DataFrame(rows)


def plot(variants: pd.DataFrame, quality: str, png: Path) -> None:
    levels = sorted(variants["tasksPerRunTask"].unique())
    types = list(dict.fromkeys(variants["instanceType"]))
    strategies = list(dict.fromkeys(variants["strategy"]))
    colors = dict(zip(types, plt.get_cmap("tab10").colors))
    markers = dict(zip(strategies, ["o", "s", "^", "D", "v"]))
    # Equal costs are common (EC2 prices double with size), so strategies are nudged apart.
    nudge = {s: 1.0 + 0.025 * (k - (len(strategies) - 1) / 2) for k, s in enumerate(strategies)}

    fig, panels = plt.subplots(1, len(levels), figsize=(13, 4.4), sharey=True)
    for panel, level in zip(panels, levels):
        at_level = variants[variants["tasksPerRunTask"] == level]
        for (itype, strategy), group in at_level.groupby(["instanceType", "strategy"], sort=False):
            group = group.sort_values("cost")
            panel.plot(group["cost"] * nudge[strategy], group["mean"], color=colors[itype],
                       marker=markers[strategy], markersize=5, linewidth=0.8, alpha=0.85)
        ok = at_level[at_level["worst"] == 0]
        if len(ok):
            best = ok.loc[ok["cost"].idxmin()]
            panel.axvline(best["cost"], color="0.6", linestyle=":", linewidth=1)
            panel.annotate(f"cheapest with no failures:\n${best['cost']:.2f}",
                           (best["cost"], 0.97), xycoords=("data", "axes fraction"), fontsize=8,
                           color="0.3", xytext=(4, 0), textcoords="offset points", va="top")
        panel.set_xscale("log")
        panel.set_title(f"{level} tasks per RunTask call")
        panel.set_xlabel("cost of the 2-hour run (USD, log scale)")
        panel.grid(True, which="both", alpha=0.25)
    label = "tasks not placed (mean of 3 replications)" if quality == "placementFailures" else quality
    panels[0].set_ylabel(label)
    handles = [plt.Line2D([], [], color=colors[t], linewidth=2, label=t) for t in types]
    handles += [plt.Line2D([], [], color="0.3", marker=markers[s], linestyle="", label=s)
                for s in strategies]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
               fontsize=8)
    fig.suptitle("Batch workload: cluster cost against unplaced tasks, by instance type "
                 "(colour) and RunTask placement strategy (marker)", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    fig.savefig(png, dpi=90)
    print(f"plot: {png}")


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="local processes (default 2)")
    parser.add_argument("--out", help="keep the runs here; a later call reuses them")
    parser.add_argument("--dask", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--png", type=Path, default=Path(__file__).with_suffix(".png"))
    args = parser.parse_args(argv)

    frame = run_sweep(args.jobs, args.out, args.dask)
    cost = cost_column(frame)
    quality = quality_column(frame)
    variants = summarize(frame, cost, quality)
    if quality == "placementFailures":
        answer = cheapest_without_failures(variants)
        print("\nCheapest clusters that placed every task in every replication:")
        print(answer.to_string(index=False))
        worst = (variants.groupby(["tasksPerRunTask", "strategy"])["mean"].sum().unstack())
        print("\nTasks not placed, summed over all clusters tried (lower is better):")
        print(worst.round(1).to_string())
    plot(variants, quality, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
