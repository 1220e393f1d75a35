// The placement-quality corpus: a fixed set of workloads that start (and, in one, stop) tasks on a
// ClusterView through place_task, to compare strategy chains by the cluster they leave behind
// rather than by their speed. bench/bench_placement_quality.cpp runs every workload with every
// standard chain (and a custom one); docs/performance.md, "Placement quality", has the table.
//
// Each workload is deterministic: its cluster (EC2 types of the built-in catalog, three zones), the
// order and sizes of its tasks and the tasks it stops come from the seed only, through their own
// random stream ("workload:NAME"), apart from place_task's own stream ("placement"). So for a
// given seed, chain and tie-break the figures are the same on every machine, and two chains face
// the same arrivals. Only placing_seconds is measured wall time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/placement.hpp"
#include "ecsim/scenario.hpp"

namespace ecsim {

struct QualityWorkload {
  std::string name;  // e.g. "small-homogeneous"
  std::string description;
};

// The corpus, in a fixed order.
const std::vector<QualityWorkload>& quality_workloads();

// A strategy chain as the corpus applies it: every request of the workload gets these strategies,
// or the service default (ecs-reference 4.4) when service_default is set.
struct QualityChain {
  std::string name;
  std::vector<PlacementStrategy> strategies;
  bool service_default = false;
};

// binpack-memory, binpack-cpu, spread-az, "spread-az,binpack-memory", spread-instanceId, random,
// service-default.
std::vector<QualityChain> standard_quality_chains();

// The cluster a workload leaves, measured after its last step.
struct QualityResult {
  std::string workload;
  std::string chain;
  std::int64_t instances = 0;       // in the cluster
  std::int64_t instances_used = 0;  // holding at least one task
  std::int64_t tasks = 0;           // running
  std::int64_t placements = 0;      // place_task calls
  std::int64_t failures = 0;        // calls that placed nothing (the task is not retried)
  // Unallocated CPU units and MiB on the used instances, and as a percentage of those instances'
  // registered amounts (resources on empty instances are not stranded: the instance could go).
  std::int64_t stranded_cpu = 0;
  std::int64_t stranded_memory_mib = 0;
  double stranded_cpu_percent = 0;
  double stranded_memory_percent = 0;
  std::int64_t az_skew = 0;    // most minus fewest running tasks per availability zone
  double placing_seconds = 0;  // wall time inside place_task: not deterministic
  double micros_per_placement() const {
    return placements == 0 ? 0.0 : placing_seconds * 1e6 / static_cast<double>(placements);
  }
};

// Runs one workload of the corpus with one chain. Throws std::invalid_argument for an unknown
// workload name or an invalid chain (placement_request_problem); exceptions of a custom strategy
// propagate.
QualityResult run_quality_workload(std::string_view workload, const QualityChain& chain,
                                   std::uint64_t seed = 1, TieBreak tie_break = TieBreak::kRandom);

}  // namespace ecsim
