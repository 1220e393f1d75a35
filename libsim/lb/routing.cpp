#include "lb/routing.hpp"

#include <algorithm>

namespace ecsim::detail {
namespace {

// Members in a vector with swap-remove; each member's position is kept in its RouteState.
class MemberList : public RoutingPolicy {
 public:
  using RoutingPolicy::RoutingPolicy;

  void add(std::uint32_t t, std::int32_t) override {
    if (contains(t)) return;
    route_[t].pos = static_cast<std::uint32_t>(members_.size());
    route_[t].credit = 0;
    members_.push_back(t);
    size_ = members_.size();
  }
  void remove(std::uint32_t t, std::int32_t) override {
    if (!contains(t)) return;
    const std::uint32_t p = route_[t].pos;
    const std::uint32_t last = members_.back();
    members_[p] = last;
    route_[last].pos = p;
    members_.pop_back();
    route_[t].pos = kNoIndex;
    size_ = members_.size();
  }
  void clear() override {
    for (std::uint32_t t : members_)
      route_[t].pos = kNoIndex;
    members_.clear();
    size_ = 0;
  }
  void outstanding_changed(std::uint32_t, std::int32_t, std::int32_t) override {}

 protected:
  std::vector<std::uint32_t> members_;
};

// "routes requests evenly across healthy targets in the target group, in a sequential order"
// (9.1). A target in slow start earns its current weight (elapsed / duration, INFERRED 9.2) as
// credit each time the cursor passes it and is chosen when the credit reaches one, so its share
// relative to a full target grows linearly.
class RoundRobin final : public MemberList {
 public:
  using MemberList::MemberList;

  std::uint32_t pick(Rng&, std::int64_t now) override {
    const std::size_t n = members_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (cursor_ >= n) cursor_ = 0;
      const std::uint32_t t = members_[cursor_++];
      RouteState& s = route_[t];
      if (now >= s.slow_start_end) return t;
      const double w = static_cast<double>(now - s.slow_start_begin) /
                       static_cast<double>(s.slow_start_end - s.slow_start_begin);
      s.credit += w;
      if (s.credit >= 1) {
        s.credit -= 1;
        return t;
      }
    }
    // Every member is ramping and none earned a full credit in one pass (only when no target
    // outside slow start is left): the most credited one goes, so a pick never fails.
    std::uint32_t best = members_[0];
    for (std::uint32_t t : members_)
      if (route_[t].credit > route_[best].credit) best = t;
    route_[best].credit = 0;
    return best;
  }

  std::uint32_t next_hint() const override {
    if (members_.empty()) return kNoIndex;
    return members_[cursor_ < members_.size() ? cursor_ : 0];
  }

 private:
  std::size_t cursor_ = 0;
};

// Uniform over the routable targets; with anomaly mitigation, a draw of a target whose weight is
// below one is kept with probability equal to the weight (rejection sampling keeps it O(1)).
class WeightedRandom final : public MemberList {
 public:
  using MemberList::MemberList;

  std::uint32_t pick(Rng& rng, std::int64_t) override {
    const std::uint64_t hi = members_.size() - 1;
    std::uint32_t t = members_[hi == 0 ? 0 : uniform_uint(rng, 0, hi)];
    for (int attempt = 0; route_[t].weight < 1 && attempt < 1000; ++attempt) {
      if (uniform01(rng) < route_[t].weight) break;
      t = members_[hi == 0 ? 0 : uniform_uint(rng, 0, hi)];
    }
    return t;
  }
};

// "routes requests to the targets with the lowest number of in progress requests" (9.1). Targets
// sit in doubly linked buckets by outstanding count; the lowest non-empty bucket is kept. Ties go
// in FIFO order: a target joins the tail of its new bucket, the head is picked (INFERRED: 9.1
// leaves ties undocumented).
class LeastOutstanding final : public RoutingPolicy {
 public:
  using RoutingPolicy::RoutingPolicy;

  bool tracks_outstanding() const override { return true; }

  void add(std::uint32_t t, std::int32_t outstanding) override {
    if (contains(t)) return;
    route_[t].pos = 0;
    link(t, bucket_of(outstanding));
    ++size_;
  }
  void remove(std::uint32_t t, std::int32_t outstanding) override {
    if (!contains(t)) return;
    unlink(t, bucket_of(outstanding));
    route_[t].pos = kNoIndex;
    --size_;
    settle_min();
  }
  void clear() override {
    for (std::size_t b = 0; b < head_.size(); ++b) {
      for (std::uint32_t t = head_[b]; t != kNoIndex;) {
        const std::uint32_t next = route_[t].next;
        route_[t].pos = kNoIndex;
        route_[t].prev = route_[t].next = kNoIndex;
        t = next;
      }
      head_[b] = tail_[b] = kNoIndex;
    }
    size_ = 0;
    min_ = 0;
  }
  std::uint32_t pick(Rng&, std::int64_t) override { return head_[min_]; }

  void outstanding_changed(std::uint32_t t, std::int32_t before, std::int32_t after) override {
    if (!contains(t)) return;
    unlink(t, bucket_of(before));
    link(t, bucket_of(after));
    settle_min();
  }

 private:
  static std::size_t bucket_of(std::int32_t outstanding) {
    return static_cast<std::size_t>(std::max(outstanding, 0));
  }
  void link(std::uint32_t t, std::size_t b) {
    if (b >= head_.size()) {
      head_.resize(b + 1, kNoIndex);
      tail_.resize(b + 1, kNoIndex);
    }
    route_[t].prev = tail_[b];
    route_[t].next = kNoIndex;
    if (tail_[b] != kNoIndex)
      route_[tail_[b]].next = t;
    else
      head_[b] = t;
    tail_[b] = t;
    if (size_ == 0 || b < min_) min_ = b;
  }
  void unlink(std::uint32_t t, std::size_t b) {
    RouteState& s = route_[t];
    if (s.prev != kNoIndex)
      route_[s.prev].next = s.next;
    else
      head_[b] = s.next;
    if (s.next != kNoIndex)
      route_[s.next].prev = s.prev;
    else
      tail_[b] = s.prev;
    s.prev = s.next = kNoIndex;
  }
  // After a member left min_'s bucket: move min_ up to the lowest non-empty bucket.
  void settle_min() {
    if (size_ == 0) {
      min_ = 0;
      return;
    }
    while (min_ < head_.size() && head_[min_] == kNoIndex)
      ++min_;
  }

  std::vector<std::uint32_t> head_, tail_;
  std::size_t min_ = 0;
};

}  // namespace

std::unique_ptr<RoutingPolicy> make_routing_policy(RoutingAlgorithm algorithm,
                                                   LargeVector<RouteState>& route) {
  switch (algorithm) {
    case RoutingAlgorithm::kRoundRobin:
      return std::make_unique<RoundRobin>(route);
    case RoutingAlgorithm::kLeastOutstandingRequests:
      return std::make_unique<LeastOutstanding>(route);
    case RoutingAlgorithm::kWeightedRandom:
      return std::make_unique<WeightedRandom>(route);
  }
  return std::make_unique<RoundRobin>(route);
}

}  // namespace ecsim::detail
