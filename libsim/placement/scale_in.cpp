// Which task to stop when a service scales in (ecs-reference 4.2 table, last column; 4.4).
// The strategies run in order over the running tasks, each keeping the tasks it likes best for
// stopping, as placement does for instances, with "best" mirrored: the most loaded instance or
// zone, the instance that would have the most left.
#include <algorithm>
#include <map>
#include <numeric>

#include "ecsim/assert.hpp"

#include "placement/placement_internal.hpp"

namespace ecsim {

namespace {

template <class Score>
void keep_greatest(std::vector<std::size_t>& list, Score&& score) {
  if (list.size() < 2) return;
  std::vector<std::int64_t> scores;
  scores.reserve(list.size());
  for (const std::size_t k : list)
    scores.push_back(score(k));
  const std::int64_t best = *std::max_element(scores.begin(), scores.end());
  std::size_t out = 0;
  for (std::size_t k = 0; k < list.size(); ++k)
    if (scores[k] == best) list[out++] = list[k];
  list.resize(out);
}

}  // namespace

std::optional<std::size_t> choose_task_to_stop(const ClusterView& view,
                                               std::span<const StopCandidate> tasks,
                                               const PlacementRequest& request, Rng& rng,
                                               TieBreak tie_break) {
  if (tasks.empty()) return std::nullopt;
  const detail::ClusterViewImpl& v = detail::ViewAccess::impl(view);
  for (const StopCandidate& t : tasks)
    ECSIM_ASSERT(t.instance < v.size(), "a task to stop names an unknown instance row");

  std::vector<PlacementStrategy> chain = request.strategies;
  if (request.service_default)
    chain = {PlacementStrategy::spread_zone(), PlacementStrategy::spread_instance_id()};

  std::vector<std::size_t> list(tasks.size());
  std::iota(list.begin(), list.end(), std::size_t{0});

  // Counts over the given tasks only (they are the group's running tasks).
  std::map<std::size_t, std::int64_t> per_instance;
  for (const StopCandidate& t : tasks)
    ++per_instance[t.instance];

  for (const PlacementStrategy& s : chain) {
    if (list.size() < 2) break;
    switch (s.type) {
      case PlacementStrategyType::kRandom:
        return list[uniform_uint(rng, 0, list.size() - 1)];
      case PlacementStrategyType::kBinpack:
        // The instance that would have the most of the field left after the stop.
        keep_greatest(list, [&](std::size_t k) -> std::int64_t {
          const StopCandidate& t = tasks[k];
          return s.binpack_field == BinpackField::kCpu ? v.rem_cpu[t.instance] + t.cpu
                                                       : v.rem_mem[t.instance] + t.memory_mib;
        });
        break;
      case PlacementStrategyType::kSpread:
        if (s.spread_attribute.empty()) {
          keep_greatest(list, [&](std::size_t k) { return per_instance[tasks[k].instance]; });
        } else {
          // Tasks per attribute value; instances without the attribute share one bucket.
          auto value_of = [&](std::size_t row) -> std::optional<std::string> {
            const auto& attrs = v.attributes[row];
            const auto it = attrs.find(s.spread_attribute);
            if (it == attrs.end()) return std::nullopt;
            return it->second;
          };
          std::map<std::optional<std::string>, std::int64_t> per_value;
          for (const StopCandidate& t : tasks)
            ++per_value[value_of(t.instance)];
          keep_greatest(list,
                        [&](std::size_t k) { return per_value[value_of(tasks[k].instance)]; });
        }
        break;
      case PlacementStrategyType::kCustom:
        break;  // custom strategies score instances for placement only (placement.hpp)
    }
  }
  if (tie_break == TieBreak::kLowestId)
    return *std::min_element(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      const auto ra = v.rank[tasks[a].instance], rb = v.rank[tasks[b].instance];
      return ra != rb ? ra < rb : tasks[a].task < tasks[b].task;
    });
  return list[uniform_uint(rng, 0, list.size() - 1)];
}

}  // namespace ecsim
