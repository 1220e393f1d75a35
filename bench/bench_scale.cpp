// Whole-simulation benchmark: a reduced version of the production-sized scenario of
// docs/performance.md ("Production-sized run"), generated at build time by
// bench/make_large_scenario.py: 500 container instances of four types over three zones, 50
// services with 5,000 tasks behind 5 ALBs, 2,000 requests per second on a daily cycle, target
// tracking on two services, rolling and canary deployments and a zone outage, five simulated
// minutes. It guards the speed of everything a run does at once (placement, the task state
// machine, the service scheduler, the load balancer's request path, the event queue, metrics)
// where the other benchmarks each guard one part.
//
// * BM_ScaleRun: Simulation::run() with every event serialised as events.jsonl would have it
//   (to_json_line), written nowhere; loading the scenario is not timed.
//
// Counters: events, requests and tasks started in the run (the same in every run of one build;
// they change when the model does, so they are reported, not declared deterministic).
#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "ecsim/event_record.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/simulation.hpp"

#ifndef ECSIM_SCALE_SCENARIO
#error "ECSIM_SCALE_SCENARIO (the generated scenario's path) is set by bench/CMakeLists.txt"
#endif

namespace {

void BM_ScaleRun(benchmark::State& state) {
  const ecsim::Scenario scenario = ecsim::load_scenario_file(ECSIM_SCALE_SCENARIO);
  std::uint64_t events = 0, requests = 0, tasks = 0, bytes = 0;
  for (auto _ : state) {
    ecsim::Simulation sim(scenario);
    std::uint64_t json_bytes = 0;
    sim.on_event().connect([&json_bytes](const ecsim::EventRecord& r) {
      json_bytes += ecsim::to_json_line(r).size();
    });
    sim.run();
    events = sim.events_processed();
    const auto summary = sim.summary();
    requests = summary["requests"]["total"].get<std::uint64_t>();
    tasks = summary["tasks"]["started"].get<std::uint64_t>();
    bytes = json_bytes;
    benchmark::DoNotOptimize(json_bytes);
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["requests"] = static_cast<double>(requests);
  state.counters["tasks_started"] = static_cast<double>(tasks);
  state.counters["events_jsonl_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(events) * state.iterations());
}
BENCHMARK(BM_ScaleRun)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
