// The inside of ClusterView: columns (one std::vector per field, indexed by instance row, so the
// numeric ones can be scanned as Eigen arrays) and the indexes kept consistent with them.
// Shared by cluster_view.cpp, the placement engine and the tests; not installed.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "ecsim/placement.hpp"

#include "placement/index_tree.hpp"

namespace ecsim::detail {

using ZoneId = std::uint32_t;
using GroupId = std::uint32_t;

// (task count, id rank, instance): the instances of one zone that hold tasks of a group, fewest
// tasks first, then by id.
using CountEntry = std::tuple<std::int32_t, std::uint32_t, std::uint32_t>;

struct GroupData {
  std::string name;
  std::int64_t total = 0;
  std::vector<std::int64_t> zone_total;        // by ZoneId, instances of any status
  std::vector<std::set<CountEntry>> by_count;  // by ZoneId
  // By ZoneId: instances that accept placements and hold tasks of the group. When it equals the
  // zone's accepting instances, no candidate there is without tasks of the group, and spread
  // instanceId need not look for one.
  std::vector<std::uint32_t> accepting_holders;
  // One bit per row: holds at least one task of the group. With the zones' accepting bits it lists
  // the instances without the group in O(rows / 64) when they are few.
  std::vector<std::uint64_t> holder_bits;
};

inline void set_bit(std::vector<std::uint64_t>& bits, std::uint32_t row, bool on) {
  const std::size_t word = row / 64;
  if (bits.size() <= word) bits.resize(word + 1, 0);
  const std::uint64_t mask = std::uint64_t{1} << (row % 64);
  bits[word] = on ? bits[word] | mask : bits[word] & ~mask;
}
inline std::uint64_t word_of(const std::vector<std::uint64_t>& bits, std::size_t word) {
  return word < bits.size() ? bits[word] : 0;
}

// The resource checks of 4.1 step 1, in the order failures are reported.
enum class Check { kCpu, kMemory, kGpu, kPorts, kPortsUdp, kEni };
inline constexpr std::size_t kCheckCount = 6;

// Everything one instance lacks for one footprint, with the numbers for messages.
struct CheckResult {
  std::array<bool, kCheckCount> fails{};
  std::array<std::int64_t, kCheckCount> required{};
  std::array<std::int64_t, kCheckCount> available{};
  std::array<std::string, 2> port_problem;  // TCP, UDP
  std::array<std::vector<int>, 2> conflicts;

  int failing() const { return static_cast<int>(std::count(fails.begin(), fails.end(), true)); }
  std::optional<Check> first() const {
    for (std::size_t c = 0; c < kCheckCount; ++c)
      if (fails[c]) return static_cast<Check>(c);
    return std::nullopt;
  }
};

inline bool holds_host_ports(NetworkMode mode) {
  return mode == NetworkMode::kBridge || mode == NetworkMode::kHost;
}

// Ports of a sorted in-use list that fall in the ephemeral range.
inline std::int64_t ephemeral_in_use(const std::vector<std::uint16_t>& ports) {
  const auto from = std::lower_bound(ports.begin(), ports.end(), kEphemeralPortFirst);
  return ports.end() - from;
}
inline std::int64_t ephemeral_free(const std::vector<std::uint16_t>& ports) {
  return (kEphemeralPortLast - kEphemeralPortFirst + 1) - ephemeral_in_use(ports);
}

struct ClusterViewImpl {
  // ---- columns ----
  std::vector<std::string> ids;
  std::vector<ContainerInstanceStatus> status;
  std::vector<std::uint8_t> connected;
  std::vector<std::int32_t> accepts;  // 1 when ACTIVE and connected; int so Eigen can mask with it
  std::vector<ZoneId> zone;
  std::vector<std::int32_t> reg_cpu, rem_cpu, reg_mem, rem_mem, reg_gpu, rem_gpu;
  std::vector<std::int32_t> eni_slots, eni_used;
  std::vector<std::uint32_t> rank;                   // position in byte order of ids
  std::vector<std::vector<std::uint16_t>> tcp, udp;  // host ports in use, sorted
  std::vector<std::int32_t> reserved_ports;          // counted toward the limit of 100
  std::vector<Attributes> attributes;
  std::vector<std::vector<std::pair<GroupId, std::int32_t>>>
      groups;  // sorted by GroupId, count > 0

  // ---- lookups ----
  std::map<std::string, std::uint32_t, std::less<>> row_of_id;
  std::vector<std::string> zone_names;
  std::map<std::string, ZoneId, std::less<>> zone_ids;
  std::vector<GroupData> group_data;
  std::map<std::string, GroupId, std::less<>> group_ids;
  std::vector<std::vector<std::uint64_t>> zone_accepting_bits;  // by ZoneId, one bit per row

  // ---- indexes over the instances that accept placements ----
  IndexTree by_rank;    // (zone, 0, rank)
  IndexTree by_cpu;     // (zone, remaining cpu, rank)
  IndexTree by_memory;  // (zone, remaining memory, rank)

  std::uint32_t size() const { return static_cast<std::uint32_t>(ids.size()); }

  Amounts amounts(std::uint32_t i) const {
    return {rem_cpu[i], rem_mem[i], rem_gpu[i], eni_slots[i] - eni_used[i]};
  }

  std::optional<GroupId> find_group(std::string_view name) const {
    const auto it = group_ids.find(name);
    if (it == group_ids.end()) return std::nullopt;
    return it->second;
  }

  std::int32_t count(std::uint32_t i, GroupId g) const {
    const auto& list = groups[i];
    const auto it = std::lower_bound(list.begin(), list.end(), std::make_pair(g, std::int32_t{0}));
    return it != list.end() && it->first == g ? it->second : 0;
  }
  std::int32_t count(std::uint32_t i, std::optional<GroupId> g) const {
    return g ? count(i, *g) : 0;
  }

  // Indexes.
  void index_insert(std::uint32_t i) {
    const Amounts a = amounts(i);
    by_rank.insert(i, {zone[i], 0, rank[i]}, a);
    by_cpu.insert(i, {zone[i], rem_cpu[i], rank[i]}, a);
    by_memory.insert(i, {zone[i], rem_mem[i], rank[i]}, a);
  }
  void index_erase(std::uint32_t i) {
    by_rank.erase(i);
    by_cpu.erase(i);
    by_memory.erase(i);
  }
  // After the amounts of an indexed instance changed.
  void index_refresh(std::uint32_t i) {
    const Amounts a = amounts(i);
    by_rank.update_amounts(i, a);
    for (IndexTree* tree : {&by_cpu, &by_memory}) {
      const std::int32_t value = tree == &by_cpu ? rem_cpu[i] : rem_mem[i];
      if (tree->key(i).value == value) {
        tree->update_amounts(i, a);
      } else {
        tree->erase(i);
        tree->insert(i, {zone[i], value, rank[i]}, a);
      }
    }
  }
  void update_accepts(std::uint32_t i) {
    const bool now = status[i] == ContainerInstanceStatus::kActive && connected[i] != 0;
    if (now == (accepts[i] != 0)) return;
    accepts[i] = now ? 1 : 0;
    set_bit(zone_accepting_bits[zone[i]], i, now);
    if (now) {
      index_insert(i);
    } else {
      index_erase(i);
    }
    for (const auto& [g, count] : groups[i]) {
      auto& holders = group_data[g].accepting_holders[zone[i]];
      holders = now ? holders + 1 : holders - 1;
    }
  }

  GroupId intern_group(std::string_view name);
  ZoneId intern_zone(std::string_view name);
  void change_group_count(std::uint32_t i, GroupId g, std::int32_t delta);
  // Renumbers id ranks after an id arrived out of order, and rebuilds what is keyed by rank.
  void renumber_ranks();

  // The resource checks of one instance against one footprint (no status, no constraints).
  CheckResult check(std::uint32_t i, const TaskFootprint& f) const;
  // The same, as a yes/no without building messages: the hot path.
  bool ports_fit(std::uint32_t i, const TaskFootprint& f) const;
};

// Friend of ClusterView: the engine's way in.
struct ViewAccess {
  static const ClusterViewImpl& impl(const ClusterView& view) { return *view.impl_; }
};

// The InstanceFacts a memberOf query sees for one row.
class RowFacts final : public InstanceFacts {
 public:
  RowFacts(const ClusterViewImpl& view, std::uint32_t row) : view_(view), row_(row) {}
  const std::string* attribute(const std::string& name) const override {
    const auto& attrs = view_.attributes[row_];
    const auto it = attrs.find(name);
    return it == attrs.end() ? nullptr : &it->second;
  }
  bool has_task_group(const std::string& group) const override {
    const auto g = view_.find_group(group);
    return g && view_.count(row_, *g) > 0;
  }

 private:
  const ClusterViewImpl& view_;
  std::uint32_t row_;
};

// Why a footprint is malformed, or nullopt (shared by reserve and placement_request_problem).
std::optional<std::string> footprint_problem(const TaskFootprint& f);

}  // namespace ecsim::detail
