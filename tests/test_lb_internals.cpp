// The load balancer's internal containers that trade layout for speed (docs/performance.md,
// "Production-sized run"): their answers must be those of the plain version.
#include <cstdint>
#include <limits>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/histogram.hpp"
#include "ecsim/random.hpp"

#include "lb/lb_impl.hpp"
#include "lb/period_latencies.hpp"

using ecsim::Histogram;
using ecsim::detail::InService;
using ecsim::detail::PeriodLatencies;
using ecsim::detail::Target;

namespace {

std::vector<std::uint32_t> drain(Target& x) {
  std::vector<std::uint32_t> out;
  while (x.in_service_count > 0)
    out.push_back(x.pop_in_service().request);
  return out;
}

}  // namespace

TEST_CASE("requests finishing at the same virtual time leave in the order they started") {
  Target x;
  // Request r finishes at 100 * (r % 3): three ties of four requests each.
  for (std::uint32_t r = 0; r < 12; ++r)
    x.push_in_service({100 * (r % 3), x.take_start_order(), r});
  CHECK(drain(x) == std::vector<std::uint32_t>{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11});
}

TEST_CASE("the start order restarts when nothing is in service") {
  Target x;
  x.push_in_service({5, x.take_start_order(), 0});
  x.push_in_service({5, x.take_start_order(), 1});
  CHECK(x.start_order == 2);
  drain(x);
  CHECK(x.take_start_order() == 0);
}

TEST_CASE("a start order about to overflow is renumbered without changing the order") {
  Target x;
  const std::uint32_t top = std::numeric_limits<std::uint32_t>::max();
  // Requests in service since long ago, with orders spread below the limit.
  x.push_in_service({7, x.take_start_order(), 0});
  x.start_order = top - 5;
  x.push_in_service({7, x.take_start_order(), 1});
  x.start_order = top - 1;
  x.push_in_service({7, x.take_start_order(), 2});  // takes top - 1, leaves top
  x.push_in_service({7, x.take_start_order(), 3});  // renumbers 0, 1, 2, then takes 3
  CHECK(x.start_order == 4);
  x.push_in_service({7, x.take_start_order(), 4});
  x.push_in_service({3, x.take_start_order(), 5});
  CHECK(drain(x) == std::vector<std::uint32_t>{5, 0, 1, 2, 3, 4});
}

TEST_CASE("period latencies recorded in batches equal latencies recorded at once") {
  constexpr std::size_t kGroups = 7;
  PeriodLatencies batched(kGroups);
  std::vector<Histogram> direct(kGroups);
  ecsim::Rng rng(42);
  // Enough values to fill the batch several times, with reads and clears in between.
  for (int i = 0; i < 30000; ++i) {
    const auto group = static_cast<std::uint32_t>(ecsim::uniform_uint(rng, 0, kGroups - 1));
    const auto value = static_cast<std::int64_t>(ecsim::uniform_uint(rng, 0, 5'000'000));
    batched.record(group, value);
    direct[group].record(value);
    if (i % 9973 == 0) {
      CHECK(batched.of(group) == direct[group]);
      batched.clear(group);
      direct[group].clear();
    }
  }
  for (std::size_t g = 0; g < kGroups; ++g) {
    CHECK(batched.of(g) == direct[g]);
    CHECK(batched.of(g).percentile(99) == direct[g].percentile(99));
    CHECK(batched.of(g).mean() == direct[g].mean());
  }
}
