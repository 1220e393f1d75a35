#!/usr/bin/env python3
"""A placement strategy written in Python, run through the placement-quality corpus.

A custom strategy is any callable ``fn(view, request, candidates) -> scores``: ``candidates`` are
the row indexes of the instances that can take the task (resources, status and constraints
already checked; at least two, sorted), and it returns one number per candidate. The least score
wins; ties go on to the next strategy of the chain, then to the tie-break. It can be a whole chain
(``[fn]``) or one link (``[("spread", "attribute:ecs.availability-zone"), fn]``). ecsim calls it
with the GIL held and runs the rest of the placement without it.

This script runs every workload of the corpus (include/ecsim/placement_quality.hpp: small tasks,
mixed sizes, memory-heavy, CPU-heavy, distinctInstance, heterogeneous instance types, churn,
uneven zones; three availability zones, fixed seeds) with a few built-in chains and with the
Python strategy below, alone and after spread on the zone, and prints a markdown table: instances
used, stranded (unallocated) CPU and memory on the used instances, AZ skew, failures and time per
placement (wall time inside place_task, Python calls included; with --runs, the median). The
"python no-op" chain returns zeros (every candidate ties, the tie-break decides): what calling
Python costs by itself.

  PYTHONPATH=build/release/python /usr/bin/python3 docs/examples/custom_strategy.py
  ... custom_strategy.py --workloads churn,heterogeneous --seed 7 --runs 5
"""

from __future__ import annotations

import argparse
import statistics
from typing import List, Sequence

import ecsim


def best_fit(view: ecsim.ClusterView, request: ecsim.PlacementRequest,
             candidates: Sequence[int]) -> List[float]:
    """Best fit over both resources: the instance the task leaves with the least CPU and memory,
    each as a fraction of what the instance registered, summed (the C++ BestFit of
    bench/bench_placement_quality.cpp, in Python)."""
    f = request.footprint
    return [(view.remaining_cpu(i) - f.cpu) / view.registered_cpu(i)
            + (view.remaining_memory(i) - f.memory_mib) / view.registered_memory(i)
            for i in candidates]


def no_op(view: ecsim.ClusterView, request: ecsim.PlacementRequest,
          candidates: Sequence[int]) -> List[float]:
    return [0.0] * len(candidates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", help="comma-separated workload names (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1,
                        help="runs per row; the time is their median (the rest is the same)")
    args = parser.parse_args()

    workloads = [w["name"] for w in ecsim.placement_quality_workloads()]
    if args.workloads:
        workloads = args.workloads.split(",")
    builtin = {c["name"]: c for c in ecsim.standard_quality_chains()}
    chains = [
        ("binpack-memory", builtin["binpack-memory"]["strategies"], False),
        ("spread-az,binpack-memory", builtin["spread-az,binpack-memory"]["strategies"], False),
        ("service-default", [], True),
        ("python best-fit", [best_fit], False),
        ("spread-az,python best-fit", [("spread", "attribute:ecs.availability-zone"), best_fit],
         False),
        ("python no-op", [no_op], False),
    ]

    print("| Workload | Chain | Instances used | Stranded CPU | Stranded memory | AZ skew "
          "| Failures | µs/placement |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for workload in workloads:
        for name, strategies, service_default in chains:
            runs = [ecsim.placement_quality(workload, strategies, service_default=service_default,
                                            name=name, seed=args.seed)
                    for _ in range(max(1, args.runs))]
            q = runs[0]
            micros = statistics.median(r["micros_per_placement"] for r in runs)
            print(f"| {workload} | {name} | {q['instances_used']} / {q['instances']} "
                  f"| {q['stranded_cpu_percent']:.1f} % | {q['stranded_memory_percent']:.1f} % "
                  f"| {q['az_skew']} | {q['failures']} / {q['placements']} "
                  f"| {micros:.2f} |")


if __name__ == "__main__":
    main()
