// Load balancer benchmarks: simulated requests per second through the whole request path, against
// a minimal hand-written event loop of the same queueing workload; memory per request in flight.
//
// Workload (both contenders): Poisson arrivals at 0.8 utilization; each request goes to a target
// drawn uniformly at random; each target has 8 workers and an unbounded FIFO queue; exponential
// service with a 50 ms mean; the latency of each request goes into a Histogram. Every target is
// an M/M/8 queue.
//
// * BM_FullPath: ecsim::LoadBalancing driven through an EventQueue<LbEvent>, as the simulation
//   drives it: traffic source, listener, target group (weighted_random), the task's application,
//   idle-timeout bookkeeping, counters, histograms, health checks every 30 s.
// * BM_Reference: the same queueing workload in about sixty lines: a std::priority_queue of
//   {time, sequence, arrival, target, kind} events, per-target worker counts and FIFO deques of
//   arrival times, the same Rng and exponential draws, the same Histogram.
// * BM_FullPathCpuSharing: the full path where tasks can saturate their CPU (processor sharing:
//   one timer per task, rescheduled when the demand changes), 16 targets.
// * BM_MemoryPerRequestInFlight: bytes allocated per request held in flight, counted by replacing
//   the global operator new: requests in service (each with its completion event) and requests
//   waiting in a queue.
//
// Items processed are requests, so items_per_second is simulated requests per second.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <malloc.h>
#include <new>
#include <queue>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "ecsim/histogram.hpp"
#include "ecsim/load_balancing.hpp"
#include "ecsim/random.hpp"

// ---- allocation accounting
// ------------------------------------------------------------------------

namespace {
std::atomic<long long> g_allocated{0};
}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  g_allocated.fetch_add(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}
void* operator new(std::size_t n, std::align_val_t al) {
  const auto a = static_cast<std::size_t>(al);
  void* p = std::aligned_alloc(a, (n + a - 1) / a * a);
  if (p == nullptr) throw std::bad_alloc();
  g_allocated.fetch_add(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_allocated.fetch_sub(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  operator delete(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  operator delete(p);
}

namespace {

using ecsim::Duration;
using ecsim::LbEvent;
using ecsim::TimePoint;
using Json = nlohmann::json;

constexpr int kWorkers = 8;
constexpr double kMeanService = 0.05;  // seconds
constexpr double kUtilization = 0.8;
constexpr std::uint64_t kSeed = 20261124;

double arrival_rate(std::int64_t targets) {
  return kUtilization * static_cast<double>(targets) * kWorkers / kMeanService;
}

Json workload(std::int64_t cpu_per_request, double rate) {
  const Json tg = {
      {"Name", "bench"},
      {"TargetType", "ip"},
      {"Attributes",
       Json::array({{{"Key", "load_balancing.algorithm.type"}, {"Value", "weighted_random"}}})},
      {"ecsim", {{"workers", kWorkers}, {"queueLimit", 10'000'000}}}};
  const Json listener = {
      {"Port", 80},
      {"DefaultActions", Json::array({{{"Type", "forward"}, {"TargetGroupArn", "bench"}}})}};
  const Json lb = {
      {"Name", "alb"},
      {"Attributes", Json::array({{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "4000"}}})},
      {"Listeners", Json::array({listener})}};
  const Json source = {
      {"name", "load"},
      {"listener", "alb:80"},
      {"start", "31s"},
      {"pattern", {{"type", "poisson"}, {"rate", rate}}},
      {"request",
       {{"serviceTime", {{"type", "exponential"}, {"mean", "50ms"}}}, {"cpu", cpu_per_request}}}};
  Json doc;
  doc["targetGroups"] = Json::array({tg});
  doc["loadBalancers"] = Json::array({lb});
  doc["traffic"] = Json::array({source});
  return doc;
}

// The simulation's side: a queue and a loop.
struct Driver {
  ecsim::EventQueue<LbEvent> queue;
  ecsim::EventQueueLbScheduler<LbEvent> scheduler{queue};
  ecsim::RandomStreams streams{kSeed};
  ecsim::LoadBalancing lb;

  Driver(std::int64_t targets, std::int64_t cpu_per_request, std::int64_t task_cpu, double rate)
      : lb(ecsim::load_balancing_from_json(workload(cpu_per_request, rate)), streams, scheduler) {
    lb.start(TimePoint{});
    for (std::int64_t i = 0; i < targets; ++i) {
      ecsim::TargetInfo info;
      info.task_key = static_cast<std::uint64_t>(i + 1);
      info.address = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":8080";
      info.cpu_units = task_cpu;
      lb.register_target(0, std::move(info), TimePoint{});
    }
  }
  void step() {
    auto ev = queue.pop();
    lb.handle(ev->payload, ev->time);
  }
  void run_until(TimePoint end) {
    while (queue.next_time() && *queue.next_time() <= end)
      step();
  }
};

void full_path(benchmark::State& state, std::int64_t cpu_per_request, std::int64_t task_cpu) {
  const std::int64_t targets = state.range(0);
  Driver d(targets, cpu_per_request, task_cpu, arrival_rate(targets));
  d.run_until(TimePoint(ecsim::seconds(61)));  // healthy by 30 s, traffic from 31 s: warm
  const std::uint64_t before = d.lb.counts().arrived;
  for (auto _ : state)
    d.step();
  state.SetItemsProcessed(static_cast<std::int64_t>(d.lb.counts().arrived - before));
  state.counters["p99_ms"] = static_cast<double>(d.lb.latency().percentile(99)) / 1e3;
  if (d.lb.conservation_problem()) state.SkipWithError("requests not conserved");
}

void BM_FullPath(benchmark::State& state) {
  full_path(state, 0, 1024);
}
BENCHMARK(BM_FullPath)->Arg(1)->Arg(16)->Arg(256)->Arg(4096);

// 8 workers x 150 units on a 1024-unit task: saturated with 7 or 8 requests in service (6.4 on
// average), still stable (6.8 workers' worth of CPU).
void BM_FullPathCpuSharing(benchmark::State& state) {
  full_path(state, 150, 1024);
}
BENCHMARK(BM_FullPathCpuSharing)->Arg(16);

// ---- the reference: a minimal hand-written event loop -------------------------------------------

struct RefEvent {
  std::int64_t time;
  std::uint64_t seq;
  std::int64_t arrived;  // departures: when the request arrived
  std::uint32_t target;
  bool departure;
  bool operator>(const RefEvent& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

void BM_Reference(benchmark::State& state) {
  const auto targets = static_cast<std::uint32_t>(state.range(0));
  const double rate = arrival_rate(targets);
  ecsim::Rng arrivals(kSeed), service(kSeed + 1), routing(kSeed + 2);
  std::priority_queue<RefEvent, std::vector<RefEvent>, std::greater<>> events;
  std::vector<int> busy(targets, 0);
  std::vector<std::deque<std::int64_t>> waiting(targets);
  ecsim::Histogram latency;
  std::uint64_t seq = 0, arrived = 0;
  auto draw = [](ecsim::Rng& rng, double r) {
    return std::llround(ecsim::exponential(rng, r) * 1e6);
  };
  auto start_service = [&](std::int64_t now, std::int64_t since, std::uint32_t t) {
    events.push({now + draw(service, 1 / kMeanService), seq++, since, t, true});
  };
  auto step = [&] {
    const RefEvent e = events.top();
    events.pop();
    if (!e.departure) {
      ++arrived;
      events.push({e.time + draw(arrivals, rate), seq++, 0, 0, false});
      const auto t = static_cast<std::uint32_t>(ecsim::uniform_uint(routing, 0, targets - 1));
      if (busy[t] < kWorkers) {
        ++busy[t];
        start_service(e.time, e.time, t);
      } else {
        waiting[t].push_back(e.time);
      }
      return;
    }
    latency.record(e.time - e.arrived);
    if (waiting[e.target].empty()) {
      --busy[e.target];
    } else {
      start_service(e.time, waiting[e.target].front(), e.target);
      waiting[e.target].pop_front();
    }
  };
  events.push({draw(arrivals, rate), seq++, 0, 0, false});
  while (events.top().time < 30'000'000)
    step();  // warm
  const std::uint64_t before = arrived;
  for (auto _ : state)
    step();
  state.SetItemsProcessed(static_cast<std::int64_t>(arrived - before));
  state.counters["p99_ms"] = static_cast<double>(latency.percentile(99)) / 1e3;
}
BENCHMARK(BM_Reference)->Arg(1)->Arg(16)->Arg(256)->Arg(4096);

// ---- memory per request in flight
// ------------------------------------------------------------------

// 90,000 requests arrive over 90 s at one target and stay: with 100,000 workers each is in
// service (with a pending completion event); with one worker, all but one wait in the queue.
void BM_MemoryPerRequestInFlight(benchmark::State& state) {
  const bool in_service = state.range(0) == 1;
  for (auto _ : state) {
    const long long base = g_allocated.load();
    Json doc = workload(0, 1000);
    doc["targetGroups"][0]["ecsim"] = {{"workers", in_service ? 100000 : 1},
                                       {"queueLimit", 1000000}};
    doc["traffic"][0]["request"]["serviceTime"] = "10000s";
    doc["traffic"][0]["end"] = "121s";
    ecsim::EventQueue<LbEvent> queue;
    ecsim::EventQueueLbScheduler<LbEvent> scheduler{queue};
    ecsim::RandomStreams streams{kSeed};
    ecsim::LoadBalancing lb(ecsim::load_balancing_from_json(doc), streams, scheduler);
    lb.start(TimePoint{});
    ecsim::TargetInfo info;
    info.task_key = 1;
    info.address = "10.0.0.1:8080";
    lb.register_target(0, std::move(info), TimePoint{});
    auto run_until = [&](double s) {
      const TimePoint end(Duration(static_cast<std::int64_t>(s * 1e6)));
      while (queue.next_time() && *queue.next_time() <= end) {
        auto ev = queue.pop();
        lb.handle(ev->payload, ev->time);
      }
    };
    run_until(31);
    const long long before = g_allocated.load();
    const std::uint64_t flight_before = lb.in_flight();
    run_until(132);
    const long long after = g_allocated.load();
    const auto flight = static_cast<double>(lb.in_flight() - flight_before);
    state.counters["in_flight"] = flight;
    state.counters["bytes_per_request"] = static_cast<double>(after - before) / flight;
    state.counters["model_bytes_per_request"] = static_cast<double>(lb.memory_bytes()) / flight;
    state.counters["setup_bytes"] = static_cast<double>(before - base);
  }
}
BENCHMARK(BM_MemoryPerRequestInFlight)
    ->Arg(1)
    ->Arg(0)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
