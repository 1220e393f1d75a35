// What the indexed placement engine (placement.cpp), the reference scan and the failure explainer
// (placement_reference.cpp) and the scale-in chooser share: the request resolved against one view,
// and the strategy scoring over an explicit list of candidates. Tests include it to compare the
// engine with the reference.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ecsim/placement.hpp"

#include "placement/cluster_view_impl.hpp"

namespace ecsim::detail {

inline constexpr std::uint32_t kNoRow = IndexTree::kNil;

// One request resolved against one view.
struct RequestContext {
  RequestContext(const ClusterView& view, const PlacementRequest& request);

  const ClusterView& view;  // the public view, for custom strategies
  const ClusterViewImpl& v;
  const PlacementRequest& request;
  const TaskFootprint& footprint;
  std::optional<GroupId> group;  // nullopt: no task of the group exists anywhere yet
  bool distinct = false;
  std::vector<const ClusterQuery*> member_of;
  Amounts need{};
  bool beyond_any_instance = false;  // asks for more than 2^31-1 of something
  // The strategies, or the service default spelled out. A view, not a copy: copying a strategy
  // also copies its (custom) shared_ptr, which the hot path need not pay for.
  std::span<const PlacementStrategy> chain;

  std::int32_t count(std::uint32_t i) const { return v.count(i, group); }
  bool constraints_ok(std::uint32_t i) const {
    if (distinct && count(i) > 0) return false;
    if (member_of.empty()) return true;
    const RowFacts facts(v, i);
    for (const ClusterQuery* q : member_of)
      if (!q->matches(facts)) return false;
    return true;
  }
  // What the index trees cannot tell: ports and constraints.
  bool extra_ok(std::uint32_t i) const { return v.ports_fit(i, footprint) && constraints_ok(i); }
  bool candidate(std::uint32_t i) const {
    return v.accepts[i] != 0 && covers(v.amounts(i), need) && extra_ok(i);
  }
};

// Keeps the members of `list` with the best score under `strategy` (not random). Stable.
void narrow(const RequestContext& c, const PlacementStrategy& strategy,
            std::vector<std::uint32_t>& list);

// What a custom link scores when it comes first or after links that left a whole scope tied:
// the candidates of `zones` (without tasks of the group if zero_only), in row order, from the
// zones' accepting bitsets. O(rows / 64 per zone + accepting rows there) (custom_strategy.cpp).
std::vector<std::uint32_t> candidates_in_zones(const RequestContext& c,
                                               std::span<const ZoneId> zones, bool zero_only);

// A custom link (custom_strategy.cpp): the user scores the list, sorted by row first, and the
// least score is kept.
void narrow_custom(const RequestContext& c, const CustomPlacementStrategy& strategy,
                   std::vector<std::uint32_t>& list);

// The final tie-break over an explicit, non-empty list.
std::uint32_t pick(const ClusterViewImpl& v, const std::vector<std::uint32_t>& list, Rng& rng,
                   TieBreak tie_break);

// The ECS-style explanation of why no instance takes the request (4.5). O(n).
PlacementDecision explain_failure(const RequestContext& c);

// The reference implementation: scan every row (Eigen over the numeric columns), then apply the
// strategies to the explicit list. O(n) per placement; tests compare the engine with it.
PlacementDecision place_task_reference(const ClusterView& view, const PlacementRequest& request,
                                       Rng& rng, TieBreak tie_break);
// The instances left tied after the strategies (up to a random strategy, where the draw would
// happen), by the reference scan, sorted by row.
std::vector<std::uint32_t> reference_tie_set(const ClusterView& view,
                                             const PlacementRequest& request);

bool is_zone_attribute(const std::string& name);

}  // namespace ecsim::detail
