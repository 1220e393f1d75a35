// ClusterView: the columns, the mutators that keep the indexes in step with them, and the resource
// checks of ecs-reference 2.3, 2.4 and 3.1.
#include <algorithm>
#include <limits>
#include <numeric>

#include "ecsim/assert.hpp"

#include "placement/cluster_view_impl.hpp"

namespace ecsim {

std::string_view to_string(ContainerInstanceStatus status) {
  switch (status) {
    case ContainerInstanceStatus::kRegistering:
      return "REGISTERING";
    case ContainerInstanceStatus::kRegistrationFailed:
      return "REGISTRATION_FAILED";
    case ContainerInstanceStatus::kActive:
      return "ACTIVE";
    case ContainerInstanceStatus::kDraining:
      return "DRAINING";
    case ContainerInstanceStatus::kDeregistering:
      return "DEREGISTERING";
    case ContainerInstanceStatus::kInactive:
      return "INACTIVE";
  }
  return "UNKNOWN";
}

TaskFootprint TaskFootprint::from(const TaskReservation& r, NetworkMode mode) {
  TaskFootprint f;
  f.cpu = r.cpu_units;
  f.memory_mib = r.memory_mib;
  f.gpus = r.gpus;
  f.network_mode = mode;
  f.static_tcp_ports = r.static_tcp_ports;
  f.static_udp_ports = r.static_udp_ports;
  f.dynamic_tcp_ports = r.dynamic_tcp_ports;
  f.dynamic_udp_ports = r.dynamic_udp_ports;
  f.needs_eni = r.needs_eni;
  return f;
}

namespace detail {

namespace {

constexpr std::int64_t kMaxAmount = std::numeric_limits<std::int32_t>::max();

bool valid_port(int p) {
  return p >= 1 && p <= 65535;
}

std::optional<std::string> port_list_problem(const std::vector<int>& ports, std::string_view what) {
  for (int p : ports)
    if (!valid_port(p)) return std::string(what) + " " + std::to_string(p) + " is outside 1..65535";
  std::vector<int> sorted = ports;
  std::sort(sorted.begin(), sorted.end());
  const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end())
    return std::string(what) + " " + std::to_string(*dup) + " is listed twice";
  return std::nullopt;
}

void insert_sorted(std::vector<std::uint16_t>& ports, int p) {
  ports.insert(std::upper_bound(ports.begin(), ports.end(), p), static_cast<std::uint16_t>(p));
}

bool erase_sorted(std::vector<std::uint16_t>& ports, int p) {
  const auto it = std::lower_bound(ports.begin(), ports.end(), p);
  if (it == ports.end() || *it != p) return false;
  ports.erase(it);
  return true;
}

// The `count` lowest free ports of the ephemeral range, taken. [INFERRED: Docker's allocator walks
// the range from its last allocation; the lowest free port is a deterministic stand-in.]
std::vector<int> take_dynamic(std::vector<std::uint16_t>& ports, std::int64_t count) {
  std::vector<int> taken;
  taken.reserve(static_cast<std::size_t>(count));
  auto it = std::lower_bound(ports.begin(), ports.end(), kEphemeralPortFirst);
  for (int p = kEphemeralPortFirst; p <= kEphemeralPortLast && std::ssize(taken) < count; ++p) {
    while (it != ports.end() && *it < p)
      ++it;
    if (it != ports.end() && *it == p) continue;
    taken.push_back(p);
  }
  std::vector<std::uint16_t> merged;
  merged.reserve(ports.size() + taken.size());
  std::merge(ports.begin(), ports.end(), taken.begin(), taken.end(), std::back_inserter(merged));
  ports = std::move(merged);
  return taken;
}

}  // namespace

std::optional<std::string> footprint_problem(const TaskFootprint& f) {
  if (f.cpu < 0 || f.memory_mib < 0 || f.gpus < 0)
    return "cpu, memory and gpus must not be negative";
  if (f.dynamic_tcp_ports < 0 || f.dynamic_udp_ports < 0)
    return "dynamic port counts must not be negative";
  if (f.needs_eni != (f.network_mode == NetworkMode::kAwsvpc))
    return "needs_eni must be true exactly for awsvpc network mode (ecs-reference 2.4)";
  const bool has_static = !f.static_tcp_ports.empty() || !f.static_udp_ports.empty();
  const bool has_dynamic = f.dynamic_tcp_ports > 0 || f.dynamic_udp_ports > 0;
  if (f.network_mode == NetworkMode::kNone && (has_static || has_dynamic))
    return "network mode none allows no port mappings (ecs-reference 2.4)";
  if ((f.network_mode == NetworkMode::kHost || f.network_mode == NetworkMode::kAwsvpc) &&
      has_dynamic)
    return std::string(f.network_mode == NetworkMode::kHost ? "host" : "awsvpc") +
           " network mode has no dynamic host ports: hostPort must equal containerPort "
           "(ecs-reference 2.3)";
  if (auto p = port_list_problem(f.static_tcp_ports, "TCP host port")) return p;
  if (auto p = port_list_problem(f.static_udp_ports, "UDP host port")) return p;
  return std::nullopt;
}

GroupId ClusterViewImpl::intern_group(std::string_view name) {
  if (auto g = find_group(name)) return *g;
  const auto id = static_cast<GroupId>(group_data.size());
  GroupData data;
  data.name = std::string(name);
  data.zone_total.assign(zone_names.size(), 0);
  data.by_count.resize(zone_names.size());
  data.accepting_holders.assign(zone_names.size(), 0);
  group_data.push_back(std::move(data));
  group_ids.emplace(std::string(name), id);
  return id;
}

ZoneId ClusterViewImpl::intern_zone(std::string_view name) {
  const auto it = zone_ids.find(name);
  if (it != zone_ids.end()) return it->second;
  const auto id = static_cast<ZoneId>(zone_names.size());
  zone_names.emplace_back(name);
  zone_ids.emplace(std::string(name), id);
  zone_accepting_bits.emplace_back();
  for (GroupData& g : group_data) {
    g.zone_total.push_back(0);
    g.by_count.emplace_back();
    g.accepting_holders.push_back(0);
  }
  return id;
}

void ClusterViewImpl::change_group_count(std::uint32_t i, GroupId g, std::int32_t delta) {
  auto& list = groups[i];
  auto it = std::lower_bound(list.begin(), list.end(), std::make_pair(g, std::int32_t{0}));
  const std::int32_t before = it != list.end() && it->first == g ? it->second : 0;
  const std::int32_t after = before + delta;
  ECSIM_ASSERT(after >= 0, "task count of a group went negative");
  if (before == 0) {
    it = list.insert(it, {g, after});
  } else if (after == 0) {
    list.erase(it);
  } else {
    it->second = after;
  }
  GroupData& data = group_data[g];
  data.total += delta;
  data.zone_total[zone[i]] += delta;
  auto& set = data.by_count[zone[i]];
  if (before > 0) set.erase(CountEntry{before, rank[i], i});
  if (after > 0) set.insert(CountEntry{after, rank[i], i});
  if ((before == 0) != (after == 0)) set_bit(data.holder_bits, i, after > 0);
  if (accepts[i] && (before == 0) != (after == 0)) {
    auto& holders = data.accepting_holders[zone[i]];
    holders = after > 0 ? holders + 1 : holders - 1;
  }
}

void ClusterViewImpl::renumber_ranks() {
  std::uint32_t r = 0;
  for (const auto& [id, row] : row_of_id)
    rank[row] = r++;  // the map iterates in byte order
  by_rank.clear();
  by_cpu.clear();
  by_memory.clear();
  for (std::uint32_t i = 0; i < size(); ++i)
    if (accepts[i]) index_insert(i);
  for (GroupData& data : group_data)
    for (auto& set : data.by_count) {
      std::set<CountEntry> renumbered;
      for (const auto& [count, old_rank, row] : set)
        renumbered.insert({count, rank[row], row});
      set = std::move(renumbered);
    }
}

bool ClusterViewImpl::ports_fit(std::uint32_t i, const TaskFootprint& f) const {
  if (!holds_host_ports(f.network_mode)) return true;
  const auto& t = tcp[i];
  for (int p : f.static_tcp_ports)
    if (std::binary_search(t.begin(), t.end(), p)) return false;
  const auto& u = udp[i];
  for (int p : f.static_udp_ports)
    if (std::binary_search(u.begin(), u.end(), p)) return false;
  const auto statics =
      static_cast<std::int64_t>(f.static_tcp_ports.size() + f.static_udp_ports.size());
  if (statics > 0 && reserved_ports[i] + statics > kMaxReservedPorts) return false;
  if (f.dynamic_tcp_ports > 0 && f.dynamic_tcp_ports > ephemeral_free(t)) return false;
  if (f.dynamic_udp_ports > 0 && f.dynamic_udp_ports > ephemeral_free(u)) return false;
  return true;
}

CheckResult ClusterViewImpl::check(std::uint32_t i, const TaskFootprint& f) const {
  CheckResult r;
  auto set = [&r](Check c, std::int64_t required, std::int64_t available) {
    const auto k = static_cast<std::size_t>(c);
    r.required[k] = required;
    r.available[k] = available;
    r.fails[k] = available < required;
  };
  set(Check::kCpu, f.cpu, rem_cpu[i]);
  set(Check::kMemory, f.memory_mib, rem_mem[i]);
  set(Check::kGpu, f.gpus, rem_gpu[i]);
  set(Check::kEni, f.needs_eni ? 1 : 0, eni_slots[i] - eni_used[i]);
  if (!holds_host_ports(f.network_mode)) return r;

  const auto statics =
      static_cast<std::int64_t>(f.static_tcp_ports.size() + f.static_udp_ports.size());
  const bool over_limit = statics > 0 && reserved_ports[i] + statics > kMaxReservedPorts;
  const std::array<const std::vector<int>*, 2> wanted{&f.static_tcp_ports, &f.static_udp_ports};
  const std::array<const std::vector<std::uint16_t>*, 2> in_use{&tcp[i], &udp[i]};
  const std::array<std::int64_t, 2> dynamic{f.dynamic_tcp_ports, f.dynamic_udp_ports};
  for (std::size_t proto = 0; proto < 2; ++proto) {
    const auto k = static_cast<std::size_t>(proto == 0 ? Check::kPorts : Check::kPortsUdp);
    const auto& used = *in_use[proto];
    for (int p : *wanted[proto])
      if (std::binary_search(used.begin(), used.end(), p)) r.conflicts[proto].push_back(p);
    if (!r.conflicts[proto].empty()) {
      r.fails[k] = true;
      r.port_problem[proto] = "conflict";
      r.required[k] = static_cast<std::int64_t>(wanted[proto]->size());
      r.available[k] = r.required[k] - static_cast<std::int64_t>(r.conflicts[proto].size());
    } else if (over_limit && !wanted[proto]->empty()) {
      // The limit is shared by both protocols; it is reported on the protocol that asks for ports.
      r.fails[k] = true;
      r.port_problem[proto] = "reserved-limit";
      r.required[k] = reserved_ports[i] + statics;
      r.available[k] = kMaxReservedPorts;
    } else if (dynamic[proto] > ephemeral_free(used)) {
      r.fails[k] = true;
      r.port_problem[proto] = "ephemeral-exhausted";
      r.required[k] = dynamic[proto];
      r.available[k] = ephemeral_free(used);
    }
  }
  return r;
}

}  // namespace detail

// ---- ClusterView --------------------------------------------------------------------------------

ClusterView::ClusterView() : impl_(std::make_unique<detail::ClusterViewImpl>()) {}
ClusterView::~ClusterView() = default;
ClusterView::ClusterView(const ClusterView& other)
    : impl_(std::make_unique<detail::ClusterViewImpl>(*other.impl_)) {}
ClusterView& ClusterView::operator=(const ClusterView& other) {
  if (this != &other) impl_ = std::make_unique<detail::ClusterViewImpl>(*other.impl_);
  return *this;
}
ClusterView::ClusterView(ClusterView&& other) noexcept = default;
ClusterView& ClusterView::operator=(ClusterView&& other) noexcept = default;

namespace {

std::uint32_t row(const detail::ClusterViewImpl& v, InstanceIndex i) {
  ECSIM_ASSERT(i < v.size(), "instance row " + std::to_string(i) + " out of range");
  return static_cast<std::uint32_t>(i);
}

}  // namespace

InstanceIndex ClusterView::add_instance(const InstanceInfo& info) {
  auto& v = *impl_;
  using detail::kMaxAmount;
  ECSIM_ASSERT(!info.id.empty(), "container instance without id");
  ECSIM_ASSERT(!v.row_of_id.contains(info.id), "duplicate container instance id " + info.id);
  ECSIM_ASSERT(!info.availability_zone.empty(),
               "instance " + info.id + " has no availability zone");
  for (std::int64_t amount : {info.cpu, info.memory_mib, info.gpus, std::int64_t{info.eni_slots}})
    ECSIM_ASSERT(amount >= 0 && amount <= kMaxAmount,
                 "instance " + info.id + " has a resource amount outside [0, 2^31)");
  for (const auto* list : {&info.reserved_tcp_ports, &info.reserved_udp_ports}) {
    auto problem = detail::port_list_problem(*list, "reserved port");
    ECSIM_ASSERT(!problem, "instance " + info.id + ": " + problem.value_or(""));
  }
  const auto reserved = info.reserved_tcp_ports.size() + info.reserved_udp_ports.size();
  ECSIM_ASSERT(reserved <= static_cast<std::size_t>(kMaxReservedPorts),
               "instance " + info.id + " reserves more than 100 ports (ecs-reference 2.3)");
  const auto az_attr = info.attributes.find("ecs.availability-zone");
  ECSIM_ASSERT(az_attr == info.attributes.end() || az_attr->second == info.availability_zone,
               "instance " + info.id + ": attribute ecs.availability-zone differs from its zone");

  const auto i = v.size();
  const bool in_order = v.row_of_id.empty() || v.row_of_id.rbegin()->first < info.id;
  v.ids.push_back(info.id);
  v.status.push_back(info.status);
  v.connected.push_back(info.agent_connected ? 1 : 0);
  v.accepts.push_back(0);
  v.zone.push_back(v.intern_zone(info.availability_zone));
  v.reg_cpu.push_back(static_cast<std::int32_t>(info.cpu));
  v.rem_cpu.push_back(static_cast<std::int32_t>(info.cpu));
  v.reg_mem.push_back(static_cast<std::int32_t>(info.memory_mib));
  v.rem_mem.push_back(static_cast<std::int32_t>(info.memory_mib));
  v.reg_gpu.push_back(static_cast<std::int32_t>(info.gpus));
  v.rem_gpu.push_back(static_cast<std::int32_t>(info.gpus));
  v.eni_slots.push_back(info.eni_slots);
  v.eni_used.push_back(0);
  v.rank.push_back(i);
  auto to_ports = [](const std::vector<int>& list) {
    std::vector<std::uint16_t> ports(list.begin(), list.end());
    std::sort(ports.begin(), ports.end());
    return ports;
  };
  v.tcp.push_back(to_ports(info.reserved_tcp_ports));
  v.udp.push_back(to_ports(info.reserved_udp_ports));
  v.reserved_ports.push_back(static_cast<std::int32_t>(reserved));
  Attributes attrs = info.attributes;
  attrs["ecs.availability-zone"] = info.availability_zone;
  v.attributes.push_back(std::move(attrs));
  v.groups.emplace_back();
  v.row_of_id.emplace(info.id, i);
  for (auto* tree : {&v.by_rank, &v.by_cpu, &v.by_memory})
    tree->grow(v.size());
  if (in_order) {
    v.update_accepts(i);
  } else {
    v.accepts[i] = info.status == Status::kActive && info.agent_connected ? 1 : 0;
    detail::set_bit(v.zone_accepting_bits[v.zone[i]], i, v.accepts[i] != 0);
    v.renumber_ranks();
  }
  return i;
}

void ClusterView::set_status(InstanceIndex i, Status status) {
  const auto r = row(*impl_, i);
  impl_->status[r] = status;
  impl_->update_accepts(r);
}

void ClusterView::set_agent_connected(InstanceIndex i, bool connected) {
  const auto r = row(*impl_, i);
  impl_->connected[r] = connected ? 1 : 0;
  impl_->update_accepts(r);
}

void ClusterView::set_attribute(InstanceIndex i, const std::string& name,
                                const std::string& value) {
  const auto r = row(*impl_, i);
  ECSIM_ASSERT(!name.empty(), "attribute without a name");
  ECSIM_ASSERT(name != "ecs.availability-zone" || value == impl_->zone_names[impl_->zone[r]],
               "the availability zone of an instance cannot change");
  impl_->attributes[r][name] = value;
}

void ClusterView::remove_attribute(InstanceIndex i, const std::string& name) {
  const auto r = row(*impl_, i);
  ECSIM_ASSERT(name != "ecs.availability-zone", "the availability zone of an instance cannot go");
  impl_->attributes[r].erase(name);
}

PlacedPorts ClusterView::reserve(InstanceIndex i, const TaskFootprint& f, std::string_view group) {
  auto& v = *impl_;
  const auto r = row(v, i);
  const auto problem = detail::footprint_problem(f);
  ECSIM_ASSERT(!problem, "reserve: " + problem.value_or(""));
  const detail::CheckResult check = v.check(r, f);
  ECSIM_ASSERT(check.failing() == 0, "reserve: the task does not fit on " + v.ids[r]);

  v.rem_cpu[r] -= static_cast<std::int32_t>(f.cpu);
  v.rem_mem[r] -= static_cast<std::int32_t>(f.memory_mib);
  v.rem_gpu[r] -= static_cast<std::int32_t>(f.gpus);
  if (f.needs_eni) ++v.eni_used[r];
  PlacedPorts placed;
  if (detail::holds_host_ports(f.network_mode)) {
    for (int p : f.static_tcp_ports)
      detail::insert_sorted(v.tcp[r], p);
    for (int p : f.static_udp_ports)
      detail::insert_sorted(v.udp[r], p);
    v.reserved_ports[r] +=
        static_cast<std::int32_t>(f.static_tcp_ports.size() + f.static_udp_ports.size());
    placed.tcp = f.static_tcp_ports;
    placed.udp = f.static_udp_ports;
    for (int p : detail::take_dynamic(v.tcp[r], f.dynamic_tcp_ports))
      placed.tcp.push_back(p);
    for (int p : detail::take_dynamic(v.udp[r], f.dynamic_udp_ports))
      placed.udp.push_back(p);
  }
  v.change_group_count(r, v.intern_group(group), +1);
  if (v.accepts[r]) v.index_refresh(r);
  return placed;
}

void ClusterView::release(InstanceIndex i, const TaskFootprint& f, std::string_view group,
                          const PlacedPorts& ports) {
  auto& v = *impl_;
  const auto r = row(v, i);
  const auto g = v.find_group(group);
  ECSIM_ASSERT(g && v.count(r, *g) > 0,
               "release: no task of group " + std::string(group) + " on " + v.ids[r]);
  ECSIM_ASSERT(v.rem_cpu[r] + f.cpu <= v.reg_cpu[r] &&
                   v.rem_mem[r] + f.memory_mib <= v.reg_mem[r] &&
                   v.rem_gpu[r] + f.gpus <= v.reg_gpu[r] && (!f.needs_eni || v.eni_used[r] > 0),
               "release: more than was reserved on " + v.ids[r]);
  if (detail::holds_host_ports(f.network_mode)) {
    const std::size_t dynamic_tcp = static_cast<std::size_t>(f.dynamic_tcp_ports);
    const std::size_t dynamic_udp = static_cast<std::size_t>(f.dynamic_udp_ports);
    ECSIM_ASSERT(ports.tcp.size() == f.static_tcp_ports.size() + dynamic_tcp &&
                     ports.udp.size() == f.static_udp_ports.size() + dynamic_udp,
                 "release: the ports do not belong to this footprint");
    for (const auto& [list, in_use] :
         {std::pair{&ports.tcp, &v.tcp[r]}, std::pair{&ports.udp, &v.udp[r]}})
      for (int p : *list)
        ECSIM_ASSERT(detail::erase_sorted(*in_use, p),
                     "release: port " + std::to_string(p) + " is not in use on " + v.ids[r]);
    v.reserved_ports[r] -=
        static_cast<std::int32_t>(f.static_tcp_ports.size() + f.static_udp_ports.size());
  }
  v.rem_cpu[r] += static_cast<std::int32_t>(f.cpu);
  v.rem_mem[r] += static_cast<std::int32_t>(f.memory_mib);
  v.rem_gpu[r] += static_cast<std::int32_t>(f.gpus);
  if (f.needs_eni) --v.eni_used[r];
  v.change_group_count(r, *g, -1);
  if (v.accepts[r]) v.index_refresh(r);
}

std::size_t ClusterView::size() const {
  return impl_->size();
}

std::optional<InstanceIndex> ClusterView::find(std::string_view id) const {
  const auto it = impl_->row_of_id.find(id);
  if (it == impl_->row_of_id.end()) return std::nullopt;
  return it->second;
}

const std::string& ClusterView::id(InstanceIndex i) const {
  return impl_->ids[row(*impl_, i)];
}
ClusterView::Status ClusterView::status(InstanceIndex i) const {
  return impl_->status[row(*impl_, i)];
}
bool ClusterView::agent_connected(InstanceIndex i) const {
  return impl_->connected[row(*impl_, i)] != 0;
}
bool ClusterView::accepts_placements(InstanceIndex i) const {
  return impl_->accepts[row(*impl_, i)] != 0;
}
const std::string& ClusterView::availability_zone(InstanceIndex i) const {
  return impl_->zone_names[impl_->zone[row(*impl_, i)]];
}
std::int64_t ClusterView::registered_cpu(InstanceIndex i) const {
  return impl_->reg_cpu[row(*impl_, i)];
}
std::int64_t ClusterView::remaining_cpu(InstanceIndex i) const {
  return impl_->rem_cpu[row(*impl_, i)];
}
std::int64_t ClusterView::registered_memory(InstanceIndex i) const {
  return impl_->reg_mem[row(*impl_, i)];
}
std::int64_t ClusterView::remaining_memory(InstanceIndex i) const {
  return impl_->rem_mem[row(*impl_, i)];
}
std::int64_t ClusterView::registered_gpus(InstanceIndex i) const {
  return impl_->reg_gpu[row(*impl_, i)];
}
std::int64_t ClusterView::remaining_gpus(InstanceIndex i) const {
  return impl_->rem_gpu[row(*impl_, i)];
}
int ClusterView::eni_slots(InstanceIndex i) const {
  return impl_->eni_slots[row(*impl_, i)];
}
int ClusterView::eni_used(InstanceIndex i) const {
  return impl_->eni_used[row(*impl_, i)];
}
std::vector<int> ClusterView::tcp_ports_in_use(InstanceIndex i) const {
  const auto& p = impl_->tcp[row(*impl_, i)];
  return {p.begin(), p.end()};
}
std::vector<int> ClusterView::udp_ports_in_use(InstanceIndex i) const {
  const auto& p = impl_->udp[row(*impl_, i)];
  return {p.begin(), p.end()};
}
int ClusterView::reserved_port_count(InstanceIndex i) const {
  return impl_->reserved_ports[row(*impl_, i)];
}
const Attributes& ClusterView::attributes(InstanceIndex i) const {
  return impl_->attributes[row(*impl_, i)];
}
std::int64_t ClusterView::task_count(InstanceIndex i, std::string_view group) const {
  return impl_->count(row(*impl_, i), impl_->find_group(group));
}
std::int64_t ClusterView::group_task_count(std::string_view group) const {
  const auto g = impl_->find_group(group);
  return g ? impl_->group_data[*g].total : 0;
}
std::int64_t ClusterView::group_task_count_in_zone(std::string_view group,
                                                   std::string_view az) const {
  const auto g = impl_->find_group(group);
  const auto z = impl_->zone_ids.find(az);
  if (!g || z == impl_->zone_ids.end()) return 0;
  return impl_->group_data[*g].zone_total[z->second];
}
std::vector<std::string> ClusterView::task_groups(InstanceIndex i) const {
  std::vector<std::string> names;
  for (const auto& [g, count] : impl_->groups[row(*impl_, i)])
    names.push_back(impl_->group_data[g].name);
  std::sort(names.begin(), names.end());
  return names;
}
std::vector<std::string> ClusterView::availability_zones() const {
  std::vector<std::string> names = impl_->zone_names;
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> ClusterView::check_invariants() const {
  const auto& v = *impl_;
  for (const auto* tree : {&v.by_rank, &v.by_cpu, &v.by_memory})
    if (auto problem = tree->check()) return "index tree: " + *problem;
  std::vector<std::string> sorted_ids = v.ids;
  std::sort(sorted_ids.begin(), sorted_ids.end());
  std::vector<std::int64_t> totals(v.group_data.size(), 0);
  std::vector<std::vector<std::int64_t>> zone_totals(
      v.group_data.size(), std::vector<std::int64_t>(v.zone_names.size(), 0));
  std::vector<std::vector<std::uint32_t>> holders(
      v.group_data.size(), std::vector<std::uint32_t>(v.zone_names.size(), 0));
  std::size_t count_entries = 0;
  for (std::uint32_t i = 0; i < v.size(); ++i) {
    const std::string& id = v.ids[i];
    if (sorted_ids[v.rank[i]] != id) return id + ": id rank is wrong";
    const bool accepts = v.status[i] == Status::kActive && v.connected[i];
    if (accepts != (v.accepts[i] != 0)) return id + ": accepts flag is stale";
    for (detail::ZoneId z = 0; z < v.zone_names.size(); ++z) {
      const bool bit = (detail::word_of(v.zone_accepting_bits[z], i / 64) >> (i % 64)) & 1;
      if (bit != (accepts && v.zone[i] == z)) return id + ": zone accepting bit is stale";
    }
    for (std::size_t g = 0; g < v.group_data.size(); ++g) {
      const bool bit = (detail::word_of(v.group_data[g].holder_bits, i / 64) >> (i % 64)) & 1;
      if (bit != (v.count(i, static_cast<detail::GroupId>(g)) > 0))
        return id + ": holder bit is stale";
    }
    const detail::Amounts a = v.amounts(i);
    const std::array<std::pair<const detail::IndexTree*, std::int32_t>, 3> trees{
        {{&v.by_rank, 0}, {&v.by_cpu, v.rem_cpu[i]}, {&v.by_memory, v.rem_mem[i]}}};
    for (const auto& [tree, value] : trees) {
      if (tree->contains(i) != accepts) return id + ": index membership is wrong";
      if (!accepts) continue;
      if (tree->key(i) != detail::TreeKey{v.zone[i], value, v.rank[i]})
        return id + ": index key is stale";
      if (tree->amounts(i) != a) return id + ": index amounts are stale";
    }
    if (v.rem_cpu[i] < 0 || v.rem_cpu[i] > v.reg_cpu[i] || v.rem_mem[i] < 0 ||
        v.rem_mem[i] > v.reg_mem[i] || v.rem_gpu[i] < 0 || v.rem_gpu[i] > v.reg_gpu[i] ||
        v.eni_used[i] < 0 || v.eni_used[i] > v.eni_slots[i])
      return id + ": remaining amounts out of range";
    if (!std::is_sorted(v.tcp[i].begin(), v.tcp[i].end()) ||
        std::adjacent_find(v.tcp[i].begin(), v.tcp[i].end()) != v.tcp[i].end() ||
        !std::is_sorted(v.udp[i].begin(), v.udp[i].end()) ||
        std::adjacent_find(v.udp[i].begin(), v.udp[i].end()) != v.udp[i].end())
      return id + ": port lists are not sorted sets";
    if (v.reserved_ports[i] > kMaxReservedPorts) return id + ": more than 100 reserved ports";
    for (const auto& [g, count] : v.groups[i]) {
      if (count <= 0) return id + ": a zero task count is listed";
      totals[g] += count;
      zone_totals[g][v.zone[i]] += count;
      holders[g][v.zone[i]] += accepts ? 1 : 0;
      ++count_entries;
      if (!v.group_data[g].by_count[v.zone[i]].contains(detail::CountEntry{count, v.rank[i], i}))
        return id + ": group index misses " + v.group_data[g].name;
    }
  }
  std::size_t indexed_entries = 0;
  for (std::size_t g = 0; g < v.group_data.size(); ++g) {
    if (totals[g] != v.group_data[g].total)
      return "group " + v.group_data[g].name + ": total is stale";
    if (zone_totals[g] != v.group_data[g].zone_total)
      return "group " + v.group_data[g].name + ": zone totals are stale";
    for (const auto& set : v.group_data[g].by_count)
      indexed_entries += set.size();
  }
  if (indexed_entries != count_entries) return "group index holds stale entries";
  return std::nullopt;
}

}  // namespace ecsim
