// Kernel benchmarks: the event queue in the classic hold model.
//
// Hold model: the queue holds a fixed population of N pending events; each step pops the earliest
// event and schedules one at its time plus a random increment. The increments are exponential
// (mean 1 s in microsecond ticks), drawn from a table filled once with std::log and indexed by a
// xorshift generator, so drawing costs a few cycles and both contenders see the identical stream.
//
// The reference contender is the fastest thing a simulator could reasonably use instead: a
// std::priority_queue of 24-byte {time, seq, payload} structs with the payload inline and no
// cancellation support.
#include <array>
#include <cmath>
#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "ecsim/event_queue.hpp"

namespace {

// xorshift64*: cheap, good enough to drive a benchmark, and the same on every platform.
class Xorshift {
 public:
  explicit Xorshift(std::uint64_t seed) : state_(seed | 1) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }

 private:
  std::uint64_t state_;
};

// Exponentially distributed increments with mean 1e6 ticks (1 s), precomputed so that the timed
// loop measures the queue rather than std::log. 4096 entries x 8 bytes stay in L1.
class Increments {
 public:
  static constexpr std::size_t kSize = 4096;

  Increments() {
    for (std::size_t i = 0; i < kSize; ++i) {
      const double u = (static_cast<double>(i) + 0.5) / static_cast<double>(kSize);
      table_[i] = 1 + static_cast<std::int64_t>(-1e6 * std::log(u));
    }
  }
  std::int64_t draw(Xorshift& rng) const { return table_[rng.next() >> 52]; }

 private:
  std::array<std::int64_t, kSize> table_{};
};

const Increments& increments() {
  static const Increments table;
  return table;
}

constexpr std::uint64_t kSeed = 0x9E3779B97F4A7C15ULL;

// --- contender 1: ecsim::EventQueue ----------------------------------------------------------

void BM_HoldEcsim(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Increments& inc = increments();
  Xorshift rng(kSeed);
  ecsim::EventQueue<std::uint32_t> queue;
  queue.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    queue.schedule(ecsim::TimePoint(ecsim::Duration(inc.draw(rng))), static_cast<std::uint32_t>(i));
  }
  std::uint64_t sink = 0;
  for (auto _ : state) {
    auto ev = queue.pop();
    sink += ev->payload;
    queue.schedule(ev->time + ecsim::Duration(inc.draw(rng)), ev->payload);
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}

// --- contender 2: std::priority_queue of small structs ----------------------------------------

struct SmallEvent {
  std::int64_t time;
  std::uint64_t seq;
  std::uint32_t payload;
};

struct Greater {
  bool operator()(const SmallEvent& a, const SmallEvent& b) const {
    if (a.time != b.time) return a.time > b.time;
    return a.seq > b.seq;
  }
};

void BM_HoldStdPriorityQueue(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Increments& inc = increments();
  Xorshift rng(kSeed);
  std::vector<SmallEvent> storage;
  storage.reserve(n);
  std::priority_queue<SmallEvent, std::vector<SmallEvent>, Greater> queue(Greater{},
                                                                          std::move(storage));
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < n; ++i) {
    queue.push(SmallEvent{inc.draw(rng), seq++, static_cast<std::uint32_t>(i)});
  }
  std::uint64_t sink = 0;
  for (auto _ : state) {
    const SmallEvent ev = queue.top();
    queue.pop();
    sink += ev.payload;
    queue.push(SmallEvent{ev.time + inc.draw(rng), seq++, ev.payload});
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}

// --- ecsim with cancellation --------------------------------------------------------------------

// The hold model where, on 10% of the steps, one more pending event (chosen at random) is
// cancelled and replaced by a fresh one, so the population stays at N and tombstones accumulate
// until compaction clears them. The payload is the event's index into `handles`, so every
// cancellation hits a live event. Items are pops, as above.
void BM_HoldEcsimCancel10(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Increments& inc = increments();
  Xorshift rng(kSeed);
  ecsim::EventQueue<std::uint32_t> queue;
  queue.reserve(n);
  std::vector<ecsim::EventHandle> handles(n);
  for (std::size_t i = 0; i < n; ++i) {
    handles[i] = queue.schedule(ecsim::TimePoint(ecsim::Duration(inc.draw(rng))),
                                static_cast<std::uint32_t>(i));
  }
  std::uint64_t sink = 0;
  for (auto _ : state) {
    auto ev = queue.pop();
    sink += ev->payload;
    handles[ev->payload] = queue.schedule(ev->time + ecsim::Duration(inc.draw(rng)), ev->payload);
    const std::uint64_t r = rng.next();
    if (r % 10 == 0) {
      const auto victim = static_cast<std::uint32_t>((r >> 32) % n);
      benchmark::DoNotOptimize(queue.cancel(handles[victim]));
      handles[victim] = queue.schedule(ev->time + ecsim::Duration(inc.draw(rng)), victim);
    }
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_HoldEcsim)->RangeMultiplier(10)->Range(1000, 1000000);
BENCHMARK(BM_HoldStdPriorityQueue)->RangeMultiplier(10)->Range(1000, 1000000);
BENCHMARK(BM_HoldEcsimCancel10)->RangeMultiplier(10)->Range(1000, 1000000);

BENCHMARK_MAIN();
