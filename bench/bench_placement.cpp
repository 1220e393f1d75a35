// Placement engine benchmarks (ecs-reference 4): per-placement cost of each strategy chain on a
// partly full cluster of 100 to 20,000 mixed instances in three zones, the same through the O(n)
// reference scan for comparison, and a burst of 100,000 tasks onto 5,000 instances with binpack on
// memory (place + reserve each). Chain 9 is a custom strategy (CustomPlacementStrategy) that scores
// like binpack(memory), to show what the explicit candidate list of a custom link costs.
//
//   build-pl/bench/bench_placement --benchmark_filter=Place/ --benchmark_min_time=0.5
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "ecsim/placement.hpp"

#include "placement/placement_internal.hpp"

namespace {

using namespace ecsim;

// Registered CPU units / MiB / awsvpc tasks, roughly m5.large, m5.xlarge, c5.xlarge, r5.large and
// m5.2xlarge after the agent's overhead (ecs-reference 2.4, 3.2).
struct Size {
  const char* type;
  std::int64_t cpu;
  std::int64_t memory_mib;
  int eni_slots;
};
constexpr Size kMix[] = {{"m5.large", 2048, 7680, 2},
                         {"m5.xlarge", 4096, 15576, 3},
                         {"c5.xlarge", 4096, 7400, 3},
                         {"r5.large", 2048, 15788, 2},
                         {"m5.2xlarge", 8192, 31400, 3}};
constexpr const char* kZones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};

std::string instance_id(std::size_t k) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "i-%017zx", k + 1);
  return buf;
}

ClusterView empty_cluster(std::size_t n) {
  ClusterView view;
  Rng rng(12345);
  for (std::size_t k = 0; k < n; ++k) {
    const Size& s = kMix[uniform_uint(rng, 0, std::size(kMix) - 1)];
    InstanceInfo info;
    info.id = instance_id(k);
    info.availability_zone = kZones[k % 3];
    info.cpu = s.cpu;
    info.memory_mib = s.memory_mib;
    info.eni_slots = s.eni_slots;
    info.attributes["ecs.instance-type"] = s.type;
    view.add_instance(info);
  }
  return view;
}

TaskFootprint footprint(std::int64_t cpu, std::int64_t memory_mib, std::int64_t dynamic_ports = 1) {
  TaskFootprint f;
  f.cpu = cpu;
  f.memory_mib = memory_mib;
  f.dynamic_tcp_ports = dynamic_ports;
  return f;
}

// Partly full: each instance is filled by background services to a random 20-80% of its memory
// (less where CPU runs out first), and the benchmarked service already has one task on about half
// of the instances.
const ClusterView& partly_full(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<ClusterView>> cache;
  auto& slot = cache[n];
  if (slot) return *slot;
  slot = std::make_unique<ClusterView>(empty_cluster(n));
  ClusterView& view = *slot;
  Rng rng(777);
  const TaskFootprint background = footprint(256, 1024);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t target =
        view.registered_memory(i) * static_cast<std::int64_t>(20 + uniform_uint(rng, 0, 60)) / 100;
    int k = 0;
    while (view.registered_memory(i) - view.remaining_memory(i) + background.memory_mib <= target &&
           view.remaining_cpu(i) >= background.cpu)
      view.reserve(i, background, "service:bg-" + std::to_string(k++ % 8));
    if (uniform_uint(rng, 0, 1) == 0 && view.remaining_cpu(i) >= 256 &&
        view.remaining_memory(i) >= 512)
      view.reserve(i, footprint(256, 512), "service:bench");
    // A large service already on every instance (one or two tasks): spread's steady state.
    for (std::uint64_t b = 0, n_big = 1 + uniform_uint(rng, 0, 1); b < n_big; ++b)
      if (view.remaining_cpu(i) >= 64 && view.remaining_memory(i) >= 128)
        view.reserve(i, footprint(64, 128), "service:big");
  }
  return view;
}

PlacementRequest chain_request(int chain) {
  PlacementRequest r;
  r.footprint = footprint(256, 512);
  r.group = "service:bench";
  switch (chain) {
    case 0:
      r.strategies = {PlacementStrategy::binpack(BinpackField::kMemory)};
      break;
    case 1:
      r.strategies = {PlacementStrategy::binpack(BinpackField::kCpu)};
      break;
    case 2:
      r.strategies = {PlacementStrategy::spread_zone()};
      break;
    case 3:
      r.strategies = {PlacementStrategy::spread_instance_id()};
      break;
    case 4:
      r.strategies = {PlacementStrategy::spread_zone(),
                      PlacementStrategy::binpack(BinpackField::kMemory)};
      break;
    case 5:
      r.strategies = {PlacementStrategy::random()};
      break;
    case 6:
      r.service_default = true;
      break;
    case 7:
      r.group = "service:big";
      r.strategies = {PlacementStrategy::spread_instance_id()};
      break;
    case 8:
      r.group = "service:big";
      r.service_default = true;
      break;
    default:
      r.strategies = {custom_strategy(
          "least-memory", [](const ClusterView& v, const PlacementRequest&, InstanceIndex i) {
            return static_cast<double>(v.remaining_memory(i));
          })};
      break;
  }
  return r;
}

const char* chain_name(int chain) {
  static const char* const kNames[] = {"binpack(memory)",
                                       "binpack(cpu)",
                                       "spread(AZ)",
                                       "spread(instanceId)",
                                       "spread(AZ)+binpack(memory)",
                                       "random",
                                       "service-default",
                                       "spread(instanceId), service on every instance",
                                       "service-default, service on every instance",
                                       "custom least-memory (decides as binpack(memory))"};
  return kNames[chain];
}

template <bool kReference>
void BM_Place(benchmark::State& state) {
  const int chain = static_cast<int>(state.range(0));
  const auto n = static_cast<std::size_t>(state.range(1));
  const ClusterView& view = partly_full(n);
  const PlacementRequest request = chain_request(chain);
  Rng rng(99);
  std::int64_t failures = 0;
  for (auto _ : state) {
    const PlacementDecision d =
        kReference ? detail::place_task_reference(view, request, rng, TieBreak::kRandom)
                   : place_task(view, request, rng);
    failures += d.placed() ? 0 : 1;
    benchmark::DoNotOptimize(d.instance);
  }
  state.SetLabel(chain_name(chain));
  state.counters["failed"] = static_cast<double>(failures);
  state.SetItemsProcessed(state.iterations());
}

void chains_and_sizes(benchmark::internal::Benchmark* b) {
  for (int chain = 0; chain < 10; ++chain)
    for (int n : {100, 1000, 5000, 20000})
      b->Args({chain, n});
}

BENCHMARK(BM_Place<false>)->Name("Place")->Apply(chains_and_sizes);
BENCHMARK(BM_Place<true>)->Name("PlaceReferenceScan")->Apply(chains_and_sizes);

// 100,000 tasks onto 5,000 empty mixed instances, binpack on memory, each placed then reserved.
// Task sizes alternate so that some instances run out of CPU before memory (r5.large), which the
// engine must skip without walking them.
void BM_Burst(benchmark::State& state) {
  const auto instances = static_cast<std::size_t>(state.range(0));
  const auto tasks = static_cast<int>(state.range(1));
  const ClusterView empty = empty_cluster(instances);
  const TaskFootprint sizes[] = {footprint(128, 512), footprint(256, 512), footprint(64, 768)};
  PlacementRequest request;
  request.group = "service:burst";
  request.strategies = {PlacementStrategy::binpack(BinpackField::kMemory)};
  std::int64_t failed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ClusterView view = empty;
    Rng rng(2024);
    state.ResumeTiming();
    for (int t = 0; t < tasks; ++t) {
      request.footprint = sizes[t % 3];
      const PlacementDecision d = place_task(view, request, rng);
      if (!d.placed()) {
        ++failed;
        continue;
      }
      benchmark::DoNotOptimize(view.reserve(*d.instance, request.footprint, request.group));
    }
  }
  state.counters["failed_per_burst"] =
      static_cast<double>(failed) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * tasks);
}
BENCHMARK(BM_Burst)
    ->Name("Burst")
    ->Args({5000, 100000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
