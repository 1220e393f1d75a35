// Routing algorithms of a target group (ecs-reference 9.1), as small strategy objects behind one
// interface, chosen by the group's load_balancing.algorithm.type.
//
// A policy holds the group's routable targets (the healthy ones, or every unhealthy one when the
// group fails open) and picks one per request. Per-target routing data lives in one RouteState
// vector shared by every group's policy and indexed by the global target index, so a pick touches
// a few small records and nothing else.
//
// Complexity: add, remove O(1); pick O(1) for least_outstanding_requests and weighted_random (with
// anomaly mitigation: expected O(1 / mean weight) <= 16 draws), amortised O(1) for round_robin
// (slow-start targets are skipped until their credit reaches one); outstanding_changed O(1).
// Removing the last member of the lowest LOR bucket scans up to the next non-empty bucket.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "ecsim/large_array.hpp"
#include "ecsim/load_balancing.hpp"
#include "ecsim/random.hpp"

namespace ecsim::detail {

inline constexpr std::uint32_t kNoIndex = std::numeric_limits<std::uint32_t>::max();

struct RouteState {
  std::uint32_t pos = kNoIndex;   // position among the policy's members; kNoIndex: not routable
  std::uint32_t prev = kNoIndex;  // LOR bucket list links
  std::uint32_t next = kNoIndex;
  std::int64_t slow_start_begin = 0;  // microseconds; slow start while now < slow_start_end
  std::int64_t slow_start_end = 0;
  double credit = 0;  // round robin: accumulated slow-start weight
  double weight = 1;  // weighted_random: anomaly mitigation weight in (0, 1]
};

class RoutingPolicy {
 public:
  explicit RoutingPolicy(LargeVector<RouteState>& route) : route_(route) {}
  virtual ~RoutingPolicy() = default;
  RoutingPolicy(const RoutingPolicy&) = delete;
  RoutingPolicy& operator=(const RoutingPolicy&) = delete;

  // `outstanding` is the target's Target::outstanding (least outstanding requests files the
  // target by it).
  virtual void add(std::uint32_t target, std::int32_t outstanding) = 0;
  virtual void remove(std::uint32_t target, std::int32_t outstanding) = 0;
  virtual void clear() = 0;
  // Precondition: size() > 0.
  virtual std::uint32_t pick(Rng& rng, std::int64_t now_us) = 0;
  // Called when the target's outstanding count changed; only if tracks_outstanding().
  virtual void outstanding_changed(std::uint32_t target, std::int32_t before,
                                   std::int32_t after) = 0;
  virtual bool tracks_outstanding() const { return false; }
  // The target the next pick will most likely return, or kNoIndex when it cannot tell: a hint
  // for prefetching that target's state (round_robin knows it; a request to a small group comes
  // many requests later, by when a cache miss would have evicted it).
  virtual std::uint32_t next_hint() const { return kNoIndex; }

  std::size_t size() const { return size_; }
  bool contains(std::uint32_t target) const { return route_[target].pos != kNoIndex; }

 protected:
  LargeVector<RouteState>& route_;
  std::size_t size_ = 0;
};

std::unique_ptr<RoutingPolicy> make_routing_policy(RoutingAlgorithm algorithm,
                                                   LargeVector<RouteState>& route);

}  // namespace ecsim::detail
