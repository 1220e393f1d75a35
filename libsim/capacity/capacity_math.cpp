// Capacity provider arithmetic (include/ecsim/capacity_provider.hpp, ecs-reference 8).
#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "ecsim/assert.hpp"
#include "ecsim/capacity_provider.hpp"

namespace ecsim {
namespace {

// Tasks an item runs beyond its base (only one item has a base).
std::int64_t weighted_count(const StrategyShare& item, int count) {
  return std::max<std::int64_t>(0, count - item.base);
}

std::int64_t total_weight(std::span<const StrategyShare> items) {
  std::int64_t w = 0;
  for (const StrategyShare& i : items)
    w += i.weight;
  return w;
}

}  // namespace

std::size_t next_provider(std::span<const StrategyShare> items, std::span<const int> counts) {
  ECSIM_ASSERT(items.size() == counts.size() && !items.empty(), "one count per strategy item");
  for (std::size_t i = 0; i < items.size(); ++i)
    if (counts[i] < items[i].base) return i;
  const std::int64_t weights = total_weight(items);
  ECSIM_ASSERT(weights > 0, "a strategy needs a weight above zero");
  std::int64_t weighted_total = 1;  // the new task
  for (std::size_t i = 0; i < items.size(); ++i)
    weighted_total += weighted_count(items[i], counts[i]);
  // deficit_i x W = total x weight_i - count_i x W: integers, so ties are exact.
  std::optional<std::size_t> best;
  std::int64_t best_deficit = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].weight == 0) continue;
    const std::int64_t deficit =
        weighted_total * items[i].weight - weighted_count(items[i], counts[i]) * weights;
    if (!best || deficit > best_deficit) {
      best = i;
      best_deficit = deficit;
    }
  }
  return *best;
}

std::optional<std::size_t> provider_to_shed(std::span<const StrategyShare> items,
                                            std::span<const int> counts) {
  ECSIM_ASSERT(items.size() == counts.size(), "one count per strategy item");
  const std::int64_t weights = total_weight(items);
  std::int64_t weighted_total = 0;
  for (std::size_t i = 0; i < items.size(); ++i)
    weighted_total += weighted_count(items[i], counts[i]);
  if (weighted_total > 0) {
    // Weight-0 items hold no share: their weighted tasks go first.
    for (std::size_t i = items.size(); i-- > 0;)
      if (items[i].weight == 0 && weighted_count(items[i], counts[i]) > 0) return i;
    // Then the item furthest above its share once the task is gone: surplus_i x W =
    // count_i x W - (total - 1) x weight_i.
    std::optional<std::size_t> best;
    std::int64_t best_surplus = 0;
    for (std::size_t i = items.size(); i-- > 0;) {
      if (weighted_count(items[i], counts[i]) == 0) continue;
      const std::int64_t surplus =
          weighted_count(items[i], counts[i]) * weights - (weighted_total - 1) * items[i].weight;
      if (!best || surplus > best_surplus) {
        best = i;
        best_surplus = surplus;
      }
    }
    return best;
  }
  for (std::size_t i = 0; i < items.size(); ++i)
    if (counts[i] > 0) return i;  // only the base is left
  return std::nullopt;
}

std::vector<int> split_by_strategy(std::span<const StrategyShare> items, int n) {
  std::vector<int> counts(items.size(), 0);
  for (int k = 0; k < n; ++k)
    ++counts[next_provider(items, counts)];
  return counts;
}

InstanceCapacity capacity_of(const InstanceType& type, std::int64_t ecs_reserved_memory_mib,
                             bool awsvpc_trunking) {
  InstanceCapacity c;
  c.cpu = type.registered_cpu_units();
  c.memory_mib = type.registered_memory_mib(ecs_reserved_memory_mib);
  c.eni_slots = awsvpc_trunking && type.supports_trunking() ? type.awsvpc_tasks_trunk
                                                            : type.awsvpc_tasks_no_trunk;
  return c;
}

std::int64_t tasks_per_instance(const TaskFootprint& task, const InstanceCapacity& instance) {
  std::int64_t fit = std::numeric_limits<std::int64_t>::max();
  auto limit = [&](std::int64_t need, std::int64_t have) {
    if (need > 0) fit = std::min(fit, have / need);
  };
  limit(task.cpu, instance.cpu);
  limit(task.memory_mib, instance.memory_mib);
  limit(task.gpus, instance.gpus);
  if (task.needs_eni) limit(1, instance.eni_slots);
  if (!task.needs_eni && (!task.static_tcp_ports.empty() || !task.static_udp_ports.empty()))
    fit = std::min<std::int64_t>(fit, 1);
  return fit;
}

std::int64_t instances_needed_for(std::span<const TaskFootprint> waiting,
                                  const InstanceCapacity& largest,
                                  const InstanceCapacity& smallest) {
  // Group identical footprints; a map keyed by the footprint's fields keeps the order stable.
  using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, bool, std::vector<int>,
                         std::vector<int>>;
  std::map<Key, std::pair<std::int64_t, const TaskFootprint*>> groups;
  for (const TaskFootprint& f : waiting) {
    auto& g = groups[Key{f.cpu, f.memory_mib, f.gpus, f.needs_eni, f.static_tcp_ports,
                         f.static_udp_ports}];
    ++g.first;
    g.second = &f;
  }
  std::int64_t needed = 0;
  for (const auto& [key, group] : groups) {
    if (tasks_per_instance(*group.second, smallest) == 0) continue;  // never fits: ignored
    const std::int64_t per = tasks_per_instance(*group.second, largest);
    if (per == 0) continue;
    needed = std::max(needed, (group.first + per - 1) / per);
  }
  return needed;
}

double capacity_provider_reservation(std::int64_t needed, std::int64_t running) {
  if (running == 0) return needed > 0 ? 200.0 : 100.0;
  return static_cast<double>(needed) * 100.0 / static_cast<double>(running);
}

std::int64_t instances_for_target(std::int64_t needed, int target_capacity_percent) {
  ECSIM_ASSERT(target_capacity_percent > 0, "targetCapacity is above zero");
  return (needed * 100 + target_capacity_percent - 1) / target_capacity_percent;
}

std::int64_t scale_out_step(std::int64_t computed, int minimum_step, int maximum_step) {
  return std::min<std::int64_t>(maximum_step, std::max<std::int64_t>(minimum_step, computed));
}

}  // namespace ecsim
