// Placement quality: every workload of the corpus (include/ecsim/placement_quality.hpp) with every
// standard strategy chain and with an example custom strategy (BestFit below), as Google Benchmark
// runs whose counters are the quality figures, so that scripts/bench-compare.py guards them as
// well as the time; or, with --report, the same figures as the markdown table of
// docs/performance.md, "Placement quality".
//
//   build/release/bench/bench_placement_quality --report [--runs=5] [--seed=1]
//   build/release/bench/bench_placement_quality --benchmark_filter=Quality/churn/
//
// Counters (per run of a workload, deterministic except us_per_placement): instances_used,
// stranded_cpu_pct and stranded_mem_pct (unallocated on the used instances), az_skew (most minus
// fewest tasks per zone), failures, placements, tasks (running at the end). The context entry
// "deterministic_counters" names them for scripts/bench-compare.py, which requires them unchanged.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "ecsim/placement.hpp"
#include "ecsim/placement_quality.hpp"

namespace {

using namespace ecsim;

// An example custom strategy: best fit over both resources. Among the candidates it keeps the
// instance that the task leaves with the least CPU and memory, each as a fraction of the
// instance's registered amount, summed: it fills instances as binpack does, but weighs the two
// resources alike instead of looking at one of them.
class BestFit final : public CustomPlacementStrategy {
 public:
  std::string name() const override { return "best-fit"; }
  void score(const ClusterView& view, const PlacementRequest& request,
             std::span<const InstanceIndex> candidates, std::span<double> scores) const override {
    const TaskFootprint& f = request.footprint;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      const InstanceIndex i = candidates[k];
      const double cpu_left =
          static_cast<double>(view.remaining_cpu(i) - f.cpu) /
          static_cast<double>(std::max<std::int64_t>(1, view.registered_cpu(i)));
      const double memory_left =
          static_cast<double>(view.remaining_memory(i) - f.memory_mib) /
          static_cast<double>(std::max<std::int64_t>(1, view.registered_memory(i)));
      scores[k] = cpu_left + memory_left;
    }
  }
};

std::vector<QualityChain> chains() {
  std::vector<QualityChain> out = standard_quality_chains();
  out.push_back({"custom-best-fit",
                 {PlacementStrategy::custom_of(std::make_shared<const BestFit>())},
                 false});
  return out;
}

void set_counters(benchmark::State& state, const QualityResult& q) {
  state.counters["instances_used"] = static_cast<double>(q.instances_used);
  state.counters["stranded_cpu_pct"] = q.stranded_cpu_percent;
  state.counters["stranded_mem_pct"] = q.stranded_memory_percent;
  state.counters["az_skew"] = static_cast<double>(q.az_skew);
  state.counters["failures"] = static_cast<double>(q.failures);
  state.counters["placements"] = static_cast<double>(q.placements);
  state.counters["tasks"] = static_cast<double>(q.tasks);
}

void register_benchmarks() {
  for (const QualityWorkload& w : quality_workloads())
    for (const QualityChain& chain : chains()) {
      const std::string name = "Quality/" + w.name + "/" + chain.name;
      benchmark::RegisterBenchmark(name.c_str(), [workload = w.name,
                                                  chain](benchmark::State& state) {
        QualityResult q;
        double placing = 0;
        for (auto _ : state) {
          q = run_quality_workload(workload, chain, 1);
          placing += q.placing_seconds;
        }
        set_counters(state, q);
        state.counters["us_per_placement"] =
            placing * 1e6 / static_cast<double>(q.placements * state.iterations());
        state.SetItemsProcessed(state.iterations() * q.placements);
      })->Unit(benchmark::kMicrosecond);
    }
}

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", x);
  return buf;
}

// The markdown table: quality figures (the same in every run) and the median time per placement.
int report(int runs, std::uint64_t seed) {
  std::printf("Seed %llu; time per placement: median of %d runs (wall time inside place_task).\n\n",
              static_cast<unsigned long long>(seed), runs);
  std::printf(
      "| Workload | Chain | Instances used | Stranded CPU | Stranded memory | AZ skew | Failures "
      "| µs/placement |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (const QualityWorkload& w : quality_workloads())
    for (const QualityChain& chain : chains()) {
      std::vector<double> micros;
      QualityResult first;
      for (int run = 0; run < runs; ++run) {
        const QualityResult q = run_quality_workload(w.name, chain, seed);
        if (run == 0) first = q;
        if (q.instances_used != first.instances_used || q.failures != first.failures ||
            q.stranded_memory_mib != first.stranded_memory_mib || q.az_skew != first.az_skew) {
          std::fprintf(stderr, "%s / %s: runs differ; the corpus must be deterministic\n",
                       w.name.c_str(), chain.name.c_str());
          return 1;
        }
        micros.push_back(q.micros_per_placement());
      }
      std::sort(micros.begin(), micros.end());
      const double median = micros.size() % 2 == 1
                                ? micros[micros.size() / 2]
                                : (micros[micros.size() / 2 - 1] + micros[micros.size() / 2]) / 2;
      std::printf(
          "| %s | %s | %lld / %lld | %s | %s | %lld | %lld / %lld | %.2f |\n", w.name.c_str(),
          chain.name.c_str(), static_cast<long long>(first.instances_used),
          static_cast<long long>(first.instances), percent(first.stranded_cpu_percent).c_str(),
          percent(first.stranded_memory_percent).c_str(), static_cast<long long>(first.az_skew),
          static_cast<long long>(first.failures), static_cast<long long>(first.placements), median);
    }
  std::printf("\nWorkloads:\n\n");
  for (const QualityWorkload& w : quality_workloads())
    std::printf("* `%s`: %s.\n", w.name.c_str(), w.description.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool report_mode = false;
  int runs = 5;
  std::uint64_t seed = 1;
  for (int k = 1; k < argc; ++k) {
    if (std::strcmp(argv[k], "--report") == 0) {
      report_mode = true;
    } else if (std::strncmp(argv[k], "--runs=", 7) == 0) {
      runs = std::max(1, std::atoi(argv[k] + 7));
    } else if (std::strncmp(argv[k], "--seed=", 7) == 0) {
      seed = std::strtoull(argv[k] + 7, nullptr, 10);
    }
  }
  if (report_mode) return report(runs, seed);
  register_benchmarks();
  // The counters scripts/bench-compare.py must find unchanged (the rest vary with the timing).
  benchmark::AddCustomContext(
      "deterministic_counters",
      "instances_used,stranded_cpu_pct,stranded_mem_pct,az_skew,failures,placements,tasks");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
