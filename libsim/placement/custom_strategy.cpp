// Custom placement strategies (CustomPlacementStrategy in ecsim/placement.hpp): the strategy-chain
// link that holds one, custom_strategy() over a per-candidate function, and the narrowing step the
// engine and the reference scan run for such a link. Kept apart from placement.cpp so that the
// built-in strategies' code there is compiled (and inlined) as it was without this extension.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include "ecsim/assert.hpp"

#include "placement/placement_internal.hpp"

namespace ecsim {

PlacementStrategy PlacementStrategy::custom_of(
    std::shared_ptr<const CustomPlacementStrategy> strategy) {
  PlacementStrategy s;
  s.type = PlacementStrategyType::kCustom;
  s.custom = std::move(strategy);
  return s;
}

namespace {

// custom_strategy(): a CustomPlacementStrategy over a per-candidate function.
class FunctionStrategy final : public CustomPlacementStrategy {
 public:
  FunctionStrategy(std::string name, CandidateScore score)
      : name_(std::move(name)), score_(std::move(score)) {}
  std::string name() const override { return name_; }
  void score(const ClusterView& view, const PlacementRequest& request,
             std::span<const InstanceIndex> candidates, std::span<double> scores) const override {
    for (std::size_t k = 0; k < candidates.size(); ++k)
      scores[k] = score_(view, request, candidates[k]);
  }

 private:
  std::string name_;
  CandidateScore score_;
};

}  // namespace

PlacementStrategy custom_strategy(std::string name, CandidateScore score) {
  ECSIM_ASSERT(static_cast<bool>(score), "custom_strategy needs a score function");
  return PlacementStrategy::custom_of(
      std::make_shared<const FunctionStrategy>(std::move(name), std::move(score)));
}

namespace detail {

std::vector<std::uint32_t> candidates_in_zones(const RequestContext& c,
                                               std::span<const ZoneId> zones, bool zero_only) {
  const ClusterViewImpl& v = c.v;
  std::size_t words = 0;
  for (const ZoneId z : zones)
    words = std::max(words, v.zone_accepting_bits[z].size());
  std::vector<std::uint32_t> out;
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t bits = 0;
    for (const ZoneId z : zones)
      bits |= word_of(v.zone_accepting_bits[z], w);
    while (bits != 0) {
      const auto row = static_cast<std::uint32_t>(w * 64 + std::countr_zero(bits));
      bits &= bits - 1;
      if (covers(v.amounts(row), c.need) && (!zero_only || c.count(row) == 0) && c.extra_ok(row))
        out.push_back(row);
    }
  }
  return out;
}

// The candidates are handed over sorted by row, whichever walk listed them, so that the engine
// and the reference scan present the same list. NaN counts as +infinity.
void narrow_custom(const RequestContext& c, const CustomPlacementStrategy& strategy,
                   std::vector<std::uint32_t>& list) {
  if (list.size() < 2) return;
  if (!std::is_sorted(list.begin(), list.end())) std::sort(list.begin(), list.end());
  const std::vector<InstanceIndex> rows(list.begin(), list.end());
  std::vector<double> scores(list.size(), 0.0);
  strategy.score(c.view, c.request, rows, scores);
  for (double& x : scores)
    if (std::isnan(x)) x = std::numeric_limits<double>::infinity();
  const double best = *std::min_element(scores.begin(), scores.end());
  std::size_t out = 0;
  for (std::size_t k = 0; k < list.size(); ++k)
    if (scores[k] == best) list[out++] = list[k];
  list.resize(out);
}

}  // namespace detail

}  // namespace ecsim
