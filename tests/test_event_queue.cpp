// Tests for ecsim::EventQueue: the total order, cancellation semantics, tombstone bookkeeping and
// compaction, payload lifetime, and a randomized shadow test against a sorted-vector model.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/event_queue.hpp"

#include "support/event_queue_access.hpp"

namespace {

using ecsim::Duration;
using ecsim::EventHandle;
using ecsim::EventQueue;
using ecsim::TimePoint;

TimePoint at(std::int64_t micros) {
  return TimePoint(Duration(micros));
}

// Pops everything, returning the payloads in pop order.
template <class P>
std::vector<P> drain(EventQueue<P>& q) {
  std::vector<P> out;
  while (auto ev = q.pop())
    out.push_back(std::move(ev->payload));
  return out;
}

}  // namespace

TEST_CASE("an empty queue has nothing to pop") {
  EventQueue<int> q;
  CHECK(q.empty());
  CHECK(q.size() == 0);
  CHECK_FALSE(q.next_time().has_value());
  CHECK_FALSE(q.pop().has_value());
  CHECK_FALSE(q.cancel(EventHandle{}));
}

TEST_CASE("events pop in time order") {
  EventQueue<int> q;
  const std::vector<std::int64_t> times = {50, 10, 40, 30, 20, 60, 0, 70, 15};
  for (std::size_t i = 0; i < times.size(); ++i)
    q.schedule(at(times[i]), static_cast<int>(i));
  CHECK(q.size() == times.size());
  CHECK(q.next_time() == at(0));
  std::vector<std::int64_t> popped;
  while (auto ev = q.pop()) {
    CHECK(times[static_cast<std::size_t>(ev->payload)] == ev->time.time_since_epoch().count());
    popped.push_back(ev->time.time_since_epoch().count());
  }
  CHECK(std::is_sorted(popped.begin(), popped.end()));
  CHECK(popped.size() == times.size());
}

TEST_CASE("equal times break ties by priority class, then by insertion sequence") {
  EventQueue<std::string> q;
  q.schedule(at(5), "t5-default-a");
  q.schedule(at(5), "t5-p200", 200);
  q.schedule(at(5), "t5-p0-a", 0);
  q.schedule(at(3), "t3-p255", 255);
  q.schedule(at(5), "t5-default-b");
  q.schedule(at(5), "t5-p0-b", 0);
  q.schedule(at(5), "t5-default-c", ecsim::kDefaultPriority);
  const std::vector<std::string> expected = {
      "t3-p255", "t5-p0-a", "t5-p0-b", "t5-default-a", "t5-default-b", "t5-default-c", "t5-p200"};
  CHECK(drain(q) == expected);
}

TEST_CASE("popped events report time, priority and sequence") {
  EventQueue<int> q;
  const EventHandle h0 = q.schedule(at(7), 70, 3);
  const EventHandle h1 = q.schedule(at(7), 71, 3);
  CHECK(h0.sequence() == 0);
  CHECK(h1.sequence() == 1);
  auto first = q.pop();
  REQUIRE(first.has_value());
  CHECK(first->time == at(7));
  CHECK(first->priority == 3);
  CHECK(first->sequence == 0);
  CHECK(first->payload == 70);
  auto second = q.pop();
  REQUIRE(second.has_value());
  CHECK(second->sequence == 1);
  CHECK(second->payload == 71);
}

TEST_CASE("cancel semantics") {
  EventQueue<int> q;

  SUBCASE("cancelling twice succeeds once") {
    const EventHandle h = q.schedule(at(1), 1);
    q.schedule(at(2), 2);
    CHECK(q.cancel(h));
    CHECK_FALSE(q.cancel(h));
    CHECK(q.size() == 1);
    CHECK(drain(q) == std::vector<int>{2});
  }

  SUBCASE("cancelling after pop fails") {
    const EventHandle h = q.schedule(at(1), 1);
    REQUIRE(q.pop().has_value());
    CHECK_FALSE(q.cancel(h));
    CHECK(q.empty());
  }

  SUBCASE("a stale handle does not cancel the event that reused its slot") {
    const EventHandle old_handle = q.schedule(at(1), 1);
    REQUIRE(q.pop().has_value());
    const EventHandle new_handle = q.schedule(at(2), 2);  // reuses the freed slot
    CHECK(new_handle != old_handle);
    CHECK_FALSE(q.cancel(old_handle));
    CHECK(q.size() == 1);
    CHECK(q.cancel(new_handle));
    CHECK(q.empty());
  }

  SUBCASE("a stale handle of a cancelled event does not cancel its slot's new owner") {
    const EventHandle a = q.schedule(at(5), 5);
    q.schedule(at(1), 1);  // keeps a's tombstone below the top
    CHECK(q.cancel(a));
    const EventHandle b = q.schedule(at(5), 50);  // reuses a's slot while a's tombstone remains
    CHECK_FALSE(q.cancel(a));
    CHECK(q.size() == 2);
    CHECK(drain(q) == std::vector<int>{1, 50});
    CHECK_FALSE(q.cancel(b));
  }

  SUBCASE("a null handle cancels nothing") {
    q.schedule(at(1), 1);
    CHECK(EventHandle{}.is_null());
    CHECK_FALSE(q.cancel(EventHandle{}));
    CHECK(q.size() == 1);
  }

  SUBCASE("cancelling the earliest event moves next_time") {
    const EventHandle h = q.schedule(at(1), 1);
    q.schedule(at(9), 9);
    CHECK(q.next_time() == at(1));
    CHECK(q.cancel(h));
    CHECK(q.next_time() == at(9));
  }

  SUBCASE("cancelling every event empties the queue") {
    std::vector<EventHandle> hs;
    for (int i = 0; i < 20; ++i)
      hs.push_back(q.schedule(at(i % 4), i));
    for (const EventHandle& h : hs)
      CHECK(q.cancel(h));
    CHECK(q.empty());
    CHECK(q.tombstone_count() == 0);
    CHECK_FALSE(q.next_time().has_value());
    CHECK_FALSE(q.pop().has_value());
  }
}

TEST_CASE("size counts live events only") {
  EventQueue<int> q;
  std::vector<EventHandle> hs;
  for (int i = 0; i < 10; ++i)
    hs.push_back(q.schedule(at(i), i));
  // Cancel three events that are not at the top, so their tombstones stay in the heap.
  CHECK(q.cancel(hs[3]));
  CHECK(q.cancel(hs[5]));
  CHECK(q.cancel(hs[8]));
  CHECK(q.size() == 7);
  CHECK(q.tombstone_count() == 3);
  CHECK_FALSE(q.empty());
  CHECK(drain(q) == std::vector<int>{0, 1, 2, 4, 6, 7, 9});
  CHECK(q.size() == 0);
  CHECK(q.tombstone_count() == 0);
}

TEST_CASE("tombstones are compacted once they exceed half of the heap") {
  EventQueue<int> q;
  std::vector<EventHandle> hs;
  for (int i = 0; i < 100; ++i)
    hs.push_back(q.schedule(at(i), i));
  // Cancel events 1..50 (never the top, event 0): k cancellations leave k tombstones among
  // 100 heap entries, and compaction triggers when 2k > 100.
  for (int i = 1; i <= 50; ++i) {
    CHECK(q.cancel(hs[static_cast<std::size_t>(i)]));
    CHECK(q.tombstone_count() == static_cast<std::size_t>(i));
  }
  CHECK(q.cancel(hs[51]));  // 51 tombstones > 49 live: rebuild
  CHECK(q.tombstone_count() == 0);
  CHECK(q.size() == 49);
  std::vector<int> expected = {0};
  for (int i = 52; i < 100; ++i)
    expected.push_back(i);
  CHECK(drain(q) == expected);
}

TEST_CASE("pops that leave tombstones in the majority also compact") {
  EventQueue<int> q;
  std::vector<EventHandle> hs;
  for (int i = 0; i < 10; ++i)
    hs.push_back(q.schedule(at(i), i));
  for (int i = 5; i < 9; ++i)
    CHECK(q.cancel(hs[static_cast<std::size_t>(i)]));
  CHECK(q.tombstone_count() == 4);  // 4 of 10: kept
  // Popping 0, 1, 2 leaves 4 tombstones against 3 live events.
  for (int i = 0; i < 3; ++i)
    CHECK(q.pop()->payload == i);
  CHECK(q.tombstone_count() <= q.size());
  CHECK(drain(q) == std::vector<int>{3, 4, 9});
}

TEST_CASE("compaction keeps the tie order") {
  EventQueue<int> q;
  std::vector<EventHandle> hs;
  for (int i = 0; i < 64; ++i) {
    hs.push_back(q.schedule(at(i % 2), i, static_cast<std::uint8_t>(i % 3)));
  }
  // Cancel the odd-numbered events; the last cancellations trigger a rebuild.
  for (int i = 1; i < 64; i += 2)
    q.cancel(hs[static_cast<std::size_t>(i)]);
  std::vector<std::tuple<std::int64_t, int, int>> popped;  // (time, priority, payload)
  while (auto ev = q.pop()) {
    popped.emplace_back(ev->time.time_since_epoch().count(), ev->priority, ev->payload);
  }
  CHECK(popped.size() == 32);
  CHECK(std::is_sorted(popped.begin(), popped.end()));  // payload order == insertion order
}

TEST_CASE("payloads are destroyed on cancel, clear and destruction, and may be move-only") {
  auto token = std::make_shared<int>(42);
  {
    EventQueue<std::shared_ptr<int>> q;
    const EventHandle h = q.schedule(at(5), token);
    q.schedule(at(1), token);
    CHECK(token.use_count() == 3);
    CHECK(q.cancel(h));  // a tombstone remains in the heap, but the payload is gone
    CHECK(token.use_count() == 2);
    q.clear();
    CHECK(token.use_count() == 1);
    CHECK(q.empty());
    CHECK_FALSE(q.cancel(h));
    q.schedule(at(3), token);
    CHECK(token.use_count() == 2);
  }
  CHECK(token.use_count() == 1);

  EventQueue<std::unique_ptr<int>> q;
  q.schedule(at(2), std::make_unique<int>(2));
  q.schedule(at(1), std::make_unique<int>(1));
  auto ev = q.pop();
  REQUIRE(ev.has_value());
  REQUIRE(ev->payload != nullptr);
  CHECK(*ev->payload == 1);
}

TEST_CASE("handles issued before clear() stay stale after it") {
  EventQueue<int> q;
  const EventHandle before = q.schedule(at(1), 1);
  q.clear();
  const EventHandle after = q.schedule(at(1), 2);  // same slot index as `before`
  CHECK_FALSE(q.cancel(before));
  CHECK(q.size() == 1);
  CHECK(after.sequence() > before.sequence());
  CHECK(q.cancel(after));
}

TEST_CASE("copies are independent and a moved-from queue is empty and usable") {
  EventQueue<int> a;
  const EventHandle h1 = a.schedule(at(1), 1);
  a.schedule(at(2), 2);

  EventQueue<int> copy = a;
  CHECK(copy.cancel(h1));  // handles carry over to a copy, which owns its own events
  CHECK(a.size() == 2);
  CHECK(drain(copy) == std::vector<int>{2});

  EventQueue<int> b = std::move(a);
  CHECK(b.size() == 2);
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  CHECK_FALSE(a.pop().has_value());
  CHECK_FALSE(a.cancel(h1));
  a.schedule(at(5), 5);
  CHECK(drain(a) == std::vector<int>{5});

  a = std::move(b);
  CHECK(b.empty());  // NOLINT(bugprone-use-after-move)
  CHECK(drain(a) == std::vector<int>{1, 2});
}

TEST_CASE("reserve does not change contents") {
  EventQueue<int> q;
  q.schedule(at(2), 2);
  q.reserve(1000);
  q.schedule(at(1), 1);
  CHECK(drain(q) == std::vector<int>{1, 2});
}

TEST_CASE("ties stay FIFO for events older than the sequence-hint window") {
  EventQueue<int> q;
  ecsim::detail::EventQueueTestAccess::set_hint_window(q, 3);  // rebase every 2 schedules
  std::vector<EventHandle> hs;
  // 40 events at one (time, priority), interleaved with others; every fifth is cancelled.
  for (int i = 0; i < 40; ++i) {
    hs.push_back(q.schedule(at(100), i, 7));
    q.schedule(at(100 + i % 3), 1000 + i, static_cast<std::uint8_t>(6 + i % 3));
  }
  for (std::size_t i = 0; i < hs.size(); i += 5)
    CHECK(q.cancel(hs[i]));
  std::vector<int> tied;
  std::uint64_t last_seq = 0;
  std::optional<std::tuple<std::int64_t, int, std::uint64_t>> previous;
  while (auto ev = q.pop()) {
    const auto key =
        std::make_tuple(ev->time.time_since_epoch().count(), int{ev->priority}, ev->sequence);
    if (previous) CHECK(*previous < key);
    previous = key;
    if (ev->payload < 1000) {
      CHECK((tied.empty() || ev->sequence > last_seq));
      tied.push_back(ev->payload);
      last_seq = ev->sequence;
    }
  }
  std::vector<int> expected;
  for (int i = 0; i < 40; ++i) {
    if (i % 5 != 0) expected.push_back(i);
  }
  CHECK(tied == expected);
}

TEST_CASE("a large queue stays ordered (prefetching and huge-page storage paths)") {
  // 300,000 events: the heap passes the prefetch threshold and its array the 4 MiB at which the
  // storage asks for huge pages. Every third event is cancelled.
  constexpr std::uint32_t kEvents = 300'000;
  std::mt19937_64 rng(99);
  EventQueue<std::uint32_t> q;
  std::vector<EventHandle> hs;
  hs.reserve(kEvents);
  for (std::uint32_t i = 0; i < kEvents; ++i) {
    hs.push_back(q.schedule(at(static_cast<std::int64_t>(rng() % 100'000)), i,
                            static_cast<std::uint8_t>(rng() % 4)));
  }
  bool all_cancelled = true;
  for (std::uint32_t i = 0; i < kEvents; i += 3)
    all_cancelled = q.cancel(hs[i]) && all_cancelled;
  CHECK(all_cancelled);
  CHECK(q.size() == kEvents - kEvents / 3);
  std::tuple<std::int64_t, int, std::uint64_t> previous{-1, 0, 0};
  std::size_t popped = 0;
  bool ordered = true, cancelled_popped = false;
  while (auto ev = q.pop()) {
    const std::tuple<std::int64_t, int, std::uint64_t> key{ev->time.time_since_epoch().count(),
                                                           ev->priority, ev->sequence};
    ordered = ordered && previous < key;
    cancelled_popped = cancelled_popped || ev->payload % 3 == 0;
    previous = key;
    ++popped;
  }
  CHECK(ordered);
  CHECK_FALSE(cancelled_popped);
  CHECK(popped == kEvents - kEvents / 3);
}

// --- randomized shadow test ------------------------------------------------------------------

namespace {

struct ModelEvent {
  std::int64_t time;
  std::uint8_t priority;
  std::uint64_t seq;
  std::uint32_t payload;

  auto key() const { return std::tie(time, priority, seq); }
};

// Sorted with the earliest event at the back, so pops are O(1) and the typical insertion (near
// the current time, hence near the back) moves little.
bool model_later(const ModelEvent& a, const ModelEvent& b) {
  return a.key() > b.key();
}

// Runs `ops` random operations on `q` and on a sorted-vector model and requires identical
// results throughout: every pop (time, priority, sequence, payload), every cancel's return value,
// size() and next_time() after every operation.
void run_shadow_test(EventQueue<std::uint32_t>& q, std::uint64_t ops, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<ModelEvent> model;  // sorted by model_later

  struct Issued {
    EventHandle handle;
    ModelEvent event;
  };
  // Recently issued handles, live or stale, overwritten round-robin.
  std::vector<Issued> issued;
  constexpr std::size_t kIssuedCap = 2048;
  std::size_t issued_next = 0;

  std::int64_t now = 0;
  std::uint64_t next_seq = 0;
  std::uint64_t pops = 0, cancels_live = 0, cancels_stale = 0, compactions_seen = 0;
  std::size_t max_size = 0;
  // Operation mix per phase, in percent: {schedule, cancel}; the rest pops.
  constexpr int kPhases[][2] = {{60, 10}, {30, 15}, {45, 40}, {34, 33}, {20, 5}, {15, 70}};
  int phase = 0;

  auto model_contains = [&](const ModelEvent& e) {
    auto it = std::lower_bound(model.begin(), model.end(), e, model_later);
    return it != model.end() && it->seq == e.seq;
  };

  for (std::uint64_t op = 0; op < ops; ++op) {
    if (op % 5'000 == 0) phase = static_cast<int>(rng() % std::size(kPhases));
    const int roll = static_cast<int>(rng() % 100);
    const bool must_pop = model.size() >= 4000;
    if (op % 700'000 == 699'999) {
      // Now and then start over: handles issued before clear() must all be stale after it.
      q.clear();
      model.clear();
    }

    if (!must_pop && roll < kPhases[phase][0]) {
      // Few distinct times and priorities, so most comparisons are ties; occasionally far in the
      // future or (which the queue must simply order) in the past.
      const std::uint64_t r = rng();
      std::int64_t t = now + static_cast<std::int64_t>(r % 4);
      if (r % 97 == 0) t = now + static_cast<std::int64_t>(rng() % 1'000'000);
      if (r % 89 == 0) t = now - static_cast<std::int64_t>(rng() % 3);
      const auto priority = static_cast<std::uint8_t>(r % 7 == 0 ? rng() % 256 : (r >> 8) % 3);
      const auto payload = static_cast<std::uint32_t>(rng());
      const ModelEvent e{t, priority, next_seq++, payload};
      const EventHandle h = q.schedule(at(t), payload, priority);
      if (h.sequence() != e.seq) REQUIRE(h.sequence() == e.seq);
      model.insert(std::upper_bound(model.begin(), model.end(), e, model_later), e);
      if (issued.size() < kIssuedCap) {
        issued.push_back({h, e});
      } else {
        issued[issued_next++ % kIssuedCap] = {h, e};
      }
    } else if (!must_pop && roll < kPhases[phase][0] + kPhases[phase][1]) {
      if (issued.empty()) continue;
      const Issued& pick = issued[rng() % issued.size()];
      const bool live = model_contains(pick.event);
      const std::size_t tombstones_before = q.tombstone_count();
      const std::size_t size_before = q.size();
      const bool cancelled = q.cancel(pick.handle);
      if (cancelled != live) REQUIRE(cancelled == live);
      if (live) {
        model.erase(std::lower_bound(model.begin(), model.end(), pick.event, model_later));
        ++cancels_live;
        // One more tombstone among the same heap entries: rebuild iff it makes them the majority.
        if (2 * (tombstones_before + 1) > size_before + tombstones_before) {
          ++compactions_seen;
          if (q.tombstone_count() != 0) REQUIRE(q.tombstone_count() == 0);
        }
      } else {
        ++cancels_stale;
      }
    } else {
      auto ev = q.pop();
      if (model.empty()) {
        if (ev.has_value()) REQUIRE_FALSE(ev.has_value());
      } else {
        if (!ev.has_value()) REQUIRE(ev.has_value());
        const ModelEvent expect = model.back();
        model.pop_back();
        const ModelEvent got{ev->time.time_since_epoch().count(), ev->priority, ev->sequence,
                             ev->payload};
        if (got.key() != expect.key() || got.payload != expect.payload) {
          INFO("op " << op << ": expected (t=" << expect.time << ", p=" << int{expect.priority}
                     << ", seq=" << expect.seq << ", payload=" << expect.payload
                     << "), got (t=" << got.time << ", p=" << int{got.priority}
                     << ", seq=" << got.seq << ", payload=" << got.payload << ")");
          REQUIRE(false);
        }
        now = std::max(now, got.time);
        ++pops;
      }
    }

    if (q.size() != model.size()) REQUIRE(q.size() == model.size());
    if (q.tombstone_count() > q.size()) REQUIRE(q.tombstone_count() <= q.size());
    const auto next = q.next_time();
    if (model.empty() ? next.has_value() : next != at(model.back().time)) {
      INFO("op " << op);
      REQUIRE(false);
    }
    max_size = std::max(max_size, model.size());
  }

  MESSAGE("shadow test: " << ops << " operations, " << pops << " pops, " << cancels_live
                          << " live and " << cancels_stale << " stale cancellations, "
                          << compactions_seen << " compactions, peak " << max_size << " events");
  // The mix must actually have exercised what it claims to.
  CHECK(pops > ops / 5);
  CHECK(cancels_live > ops / 50);
  CHECK(cancels_stale > ops / 50);
  CHECK(compactions_seen > ops / 100'000);
  CHECK(max_size >= 1000);

  // Drain what is left.
  while (!model.empty()) {
    auto ev = q.pop();
    REQUIRE(ev.has_value());
    CHECK(ev->sequence == model.back().seq);
    model.pop_back();
  }
  CHECK(q.empty());
  CHECK_FALSE(q.pop().has_value());
}

}  // namespace

// The two shadow tests together take about 0.5 s in Release, 3 s in Debug and 12 s with
// AddressSanitizer and UBSan.
TEST_CASE("randomized shadow test against a sorted vector") {
  EventQueue<std::uint32_t> q;
  run_shadow_test(q, 3'000'000, 20240611);
}

TEST_CASE("randomized shadow test with a tiny sequence-hint window") {
  // With a window of 15 the hint base moves every 8 schedules, so nearly every tie on (time,
  // priority) is decided by the sequence numbers in the slots: the slow path, exercised hard.
  EventQueue<std::uint32_t> q;
  ecsim::detail::EventQueueTestAccess::set_hint_window(q, 15);
  run_shadow_test(q, 1'000'000, 7);
}
