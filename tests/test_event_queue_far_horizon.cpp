// Tests for EventQueue::set_far_horizon: events split between a near and a far heap must come out
// in exactly the order of a queue without the split, whatever the horizon, through schedules in
// the past and far ahead, ties, cancellations (live and stale), compactions, hint rebases and
// clear().
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/event_queue.hpp"

#include "support/event_queue_access.hpp"

namespace {

using ecsim::Duration;
using ecsim::EventHandle;
using ecsim::EventQueue;
using ecsim::TimePoint;

// Runs the same random operations on `split` and on a queue without a horizon; every answer must
// match.
void compare_with_single_heap(EventQueue<std::uint32_t>& split, std::uint64_t seed,
                              std::uint64_t ops) {
  EventQueue<std::uint32_t> single;
  std::mt19937_64 rng(seed);
  std::vector<std::pair<EventHandle, EventHandle>> handles;  // (split's, single's)
  std::int64_t now = 0;
  std::uint64_t pops = 0, cancels = 0;
  for (std::uint64_t op = 0; op < ops; ++op) {
    const std::uint64_t r = rng();
    const int roll = static_cast<int>(r % 100);
    if (op % 50'000 == 49'999) {
      split.clear();
      single.clear();
    }
    if (roll < 45 && split.size() < 5'000) {
      std::int64_t t = now + static_cast<std::int64_t>((r >> 8) % 8);         // many ties
      if (r % 5 == 0) t = now + static_cast<std::int64_t>((r >> 8) % 2'000);  // far ahead
      if (r % 37 == 0) t = now - static_cast<std::int64_t>((r >> 8) % 5);     // in the past
      const auto priority = static_cast<std::uint8_t>((r >> 20) % 3);
      const auto payload = static_cast<std::uint32_t>(r >> 32);
      const TimePoint at{Duration(t)};
      handles.emplace_back(split.schedule(at, payload, priority),
                           single.schedule(at, payload, priority));
      if (handles.size() > 4'096) handles.erase(handles.begin(), handles.begin() + 2'048);
    } else if (roll < 60 && !handles.empty()) {
      const auto& [a, b] = handles[(r >> 8) % handles.size()];
      const bool cancelled = split.cancel(a);
      REQUIRE(cancelled == single.cancel(b));
      cancels += cancelled ? 1 : 0;
    } else {
      auto x = split.pop();
      auto y = single.pop();
      REQUIRE(x.has_value() == y.has_value());
      if (x) {
        REQUIRE(x->time == y->time);
        REQUIRE(x->priority == y->priority);
        REQUIRE(x->payload == y->payload);
        now = std::max(now, x->time.time_since_epoch().count());
        ++pops;
      }
    }
    REQUIRE(split.size() == single.size());
    REQUIRE(split.next_time() == single.next_time());
    REQUIRE(split.tombstone_count() <= split.size());
  }
  CHECK(pops > ops / 5);
  CHECK(cancels > ops / 100);
  while (auto y = single.pop()) {
    auto x = split.pop();
    REQUIRE(x.has_value());
    REQUIRE(x->payload == y->payload);
    REQUIRE(x->time == y->time);
  }
  CHECK_FALSE(split.pop().has_value());
}

TEST_CASE("a far horizon never changes the order of events") {
  for (const std::int64_t horizon : {0, 1, 3, 100, 1'000'000}) {
    CAPTURE(horizon);
    EventQueue<std::uint32_t> q;
    q.set_far_horizon(Duration(horizon));
    compare_with_single_heap(q, 1234 + static_cast<std::uint64_t>(horizon), 200'000);
  }
}

TEST_CASE("a far horizon with frequent hint rebases keeps the order") {
  EventQueue<std::uint32_t> q;
  q.set_far_horizon(Duration(2));
  ecsim::detail::EventQueueTestAccess::set_hint_window(q, 15);
  compare_with_single_heap(q, 99, 100'000);
}

TEST_CASE("turning the far horizon off again keeps the order") {
  EventQueue<std::uint32_t> q;
  q.set_far_horizon(Duration(5));
  for (std::uint32_t i = 0; i < 100; ++i)
    q.schedule(TimePoint(Duration(static_cast<std::int64_t>((i * 37) % 50))), i);
  CHECK(q.pop().has_value());  // sets the far boundary: later schedules may go far
  for (std::uint32_t i = 100; i < 200; ++i)
    q.schedule(TimePoint(Duration(static_cast<std::int64_t>((i * 37) % 50))), i);
  q.set_far_horizon(Duration::max());
  for (std::uint32_t i = 200; i < 300; ++i)
    q.schedule(TimePoint(Duration(static_cast<std::int64_t>((i * 37) % 50))), i);
  std::int64_t last = -1;
  std::size_t n = 0;
  while (auto e = q.pop()) {
    CHECK(e->time.time_since_epoch().count() >= last);
    last = e->time.time_since_epoch().count();
    ++n;
  }
  CHECK(n == 299);
}

}  // namespace
