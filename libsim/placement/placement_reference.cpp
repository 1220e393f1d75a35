// The O(n) side of placement: the reference scan that tests hold the indexed engine to, and the
// failure explanation of ecs-reference 4.5. Both start from a vectorised pass over the numeric
// columns (Eigen maps over the ClusterView's std::vectors), then look at ports and constraints
// only where the numbers fit.
#include <algorithm>
#include <limits>

#include <Eigen/Core>

#include "ecsim/assert.hpp"

#include "placement/placement_internal.hpp"

namespace ecsim::detail {

namespace {

using IntArray = Eigen::Array<std::int32_t, Eigen::Dynamic, 1>;
using IntMap = Eigen::Map<const IntArray>;

IntMap column(const std::vector<std::int32_t>& values) {
  return IntMap(values.data(), static_cast<Eigen::Index>(values.size()));
}

// Rows that accept placements and whose amounts cover the need, in row order.
std::vector<std::uint32_t> numeric_candidates(const RequestContext& c) {
  const ClusterViewImpl& v = c.v;
  const Eigen::Index n = v.size();
  std::vector<std::uint32_t> rows;
  if (n == 0 || c.beyond_any_instance) return rows;
  // One lane per instance: the smallest slack over the four amounts, forced negative when the
  // instance does not accept placements. Integer min/sub vectorise where bool masks would not.
  const IntArray slack = (column(v.rem_cpu) - c.need[0])
                             .min(column(v.rem_mem) - c.need[1])
                             .min(column(v.rem_gpu) - c.need[2])
                             .min(column(v.eni_slots) - column(v.eni_used) - c.need[3])
                             .min(column(v.accepts) - 1);
  for (Eigen::Index i = 0; i < n; ++i)
    if (slack[i] >= 0) rows.push_back(static_cast<std::uint32_t>(i));
  return rows;
}

std::vector<std::uint32_t> reference_candidates(const RequestContext& c) {
  std::vector<std::uint32_t> rows = numeric_candidates(c);
  std::erase_if(rows, [&](std::uint32_t i) { return !c.extra_ok(i); });
  return rows;
}

std::string_view reason_code(Check check) {
  switch (check) {
    case Check::kCpu:
      return "RESOURCE:CPU";
    case Check::kMemory:
      return "RESOURCE:MEMORY";
    case Check::kGpu:
      return "RESOURCE:GPU";
    case Check::kPorts:
      return "RESOURCE:PORTS";
    case Check::kPortsUdp:
      return "RESOURCE:PORTS_UDP";
    case Check::kEni:
      return "RESOURCE:ENI";
  }
  return "RESOURCE";
}

std::string message_head(const std::string& group) {
  constexpr std::string_view kService = "service:";
  const std::string who = group.starts_with(kService) ? "service " + group.substr(kService.size())
                                                      : "task group " + group;
  return who +
         " was unable to place a task because no container instance met all of its "
         "requirements.";
}

}  // namespace

PlacementDecision explain_failure(const RequestContext& c) {
  const ClusterViewImpl& v = c.v;
  PlacementDecision d;
  const std::string head = message_head(c.request.group);
  auto closest = [&](std::uint32_t i) {
    d.closest_instance = i;
    d.closest_instance_id = v.ids[i];
    return " The closest matching container-instance " + v.ids[i];
  };
  auto lower_rank = [&](std::uint32_t a, std::uint32_t b) { return v.rank[a] < v.rank[b]; };

  std::vector<std::uint32_t> active, connected;
  for (std::uint32_t i = 0; i < v.size(); ++i) {
    if (v.status[i] != ContainerInstanceStatus::kActive) continue;
    active.push_back(i);
    if (v.connected[i]) connected.push_back(i);
  }
  if (active.empty()) {
    // [INFERRED] Instances that exist but are not ACTIVE (registering, draining) are reported
    // like an empty cluster, since none of them can take a task.
    d.reason = "NO_INSTANCES";
    d.message =
        head + (v.size() == 0 ? " Reason: No Container Instances were found in your cluster."
                              : " Reason: No ACTIVE Container Instances were found in your "
                                "cluster.");
    return d;
  }
  if (connected.empty()) {
    d.reason = "AGENT";
    d.message = head + closest(*std::min_element(active.begin(), active.end(), lower_rank)) +
                " encountered error \"AGENT\".";
    return d;
  }

  // Numeric checks for every connected instance at once: how many of CPU, memory, GPU and ENI
  // fail. Ports are looked at per instance.
  const ClusterViewImpl& cv = v;
  const IntArray numeric_fails =
      (column(cv.rem_cpu) < c.need[0]).cast<std::int32_t>() +
      (column(cv.rem_mem) < c.need[1]).cast<std::int32_t>() +
      (column(cv.rem_gpu) < c.need[2]).cast<std::int32_t>() +
      (column(cv.eni_slots) - column(cv.eni_used) < c.need[3]).cast<std::int32_t>();

  std::uint32_t best = kNoRow;
  CheckResult best_check;
  std::tuple<int, std::size_t, std::int64_t, std::uint32_t> best_key{};
  std::vector<std::uint32_t> fitting;
  for (std::uint32_t i : connected) {
    const bool numbers_fit = numeric_fails[i] == 0 && !c.beyond_any_instance;
    if (numbers_fit && v.ports_fit(i, c.footprint)) {
      fitting.push_back(i);
      continue;
    }
    if (!fitting.empty()) continue;  // a resource failure cannot be the closest any more
    CheckResult r = v.check(i, c.footprint);
    const Check first = r.first().value_or(Check::kCpu);
    const auto k = static_cast<std::size_t>(first);
    // Fewest failing checks, then the earliest failing check, then the most of it available,
    // then the lowest id.
    const auto key = std::make_tuple(r.failing(), k, -r.available[k], v.rank[i]);
    if (best == kNoRow || key < best_key) {
      best = i;
      best_key = key;
      best_check = std::move(r);
    }
  }

  if (!fitting.empty()) {
    // Every instance with the resources fails a constraint.
    const std::uint32_t i = *std::min_element(fitting.begin(), fitting.end(), lower_rank);
    d.reason = "ATTRIBUTE";
    const bool member_of_fails = !c.member_of.empty() && [&] {
      const RowFacts facts(v, i);
      return std::any_of(c.member_of.begin(), c.member_of.end(),
                         [&](const ClusterQuery* q) { return !q->matches(facts); });
    }();
    d.message = head + closest(i) +
                (member_of_fails
                     ? " is missing an attribute required by your task."
                     : " already runs a task of group " + c.request.group + " (distinctInstance).");
    return d;
  }

  ECSIM_ASSERT(best != kNoRow, "a placement failed with no instance to explain it");
  const Check first = best_check.first().value_or(Check::kCpu);
  const auto k = static_cast<std::size_t>(first);
  d.reason = std::string(reason_code(first));
  d.required = best_check.required[k];
  d.available = best_check.available[k];
  std::string tail;
  switch (first) {
    case Check::kCpu:
      tail = " has insufficient CPU units available.";
      break;
    case Check::kMemory:
      tail = " has insufficient memory available.";
      break;
    case Check::kGpu:
      tail = " has insufficient GPU units available.";
      break;
    case Check::kEni:
      tail = " has no free ENI attachment points available.";
      break;
    case Check::kPorts:
    case Check::kPortsUdp: {
      const std::size_t proto = first == Check::kPorts ? 0 : 1;
      d.port_problem = best_check.port_problem[proto];
      d.conflicting_ports = best_check.conflicts[proto];
      if (d.port_problem == "conflict") {
        tail = " is already using a port required by your task.";
      } else if (d.port_problem == "reserved-limit") {
        tail = " has reached the limit of 100 reserved ports.";
      } else {
        tail = " has no free host ports left in the ephemeral range 49153-65535.";
      }
      break;
    }
  }
  d.message = head + closest(best) + tail;
  return d;
}

PlacementDecision place_task_reference(const ClusterView& view, const PlacementRequest& request,
                                       Rng& rng, TieBreak tie_break) {
  if (auto problem = placement_request_problem(request)) {
    PlacementDecision d;
    d.reason = "INVALID_REQUEST";
    d.message = *problem;
    return d;
  }
  const RequestContext c(view, request);
  std::vector<std::uint32_t> rows = reference_candidates(c);
  if (rows.empty()) return explain_failure(c);
  PlacementDecision d;
  for (const PlacementStrategy& s : c.chain) {
    if (s.type == PlacementStrategyType::kRandom) {
      d.instance = pick(c.v, rows, rng, TieBreak::kRandom);
      return d;
    }
    narrow(c, s, rows);
  }
  d.instance = pick(c.v, rows, rng, tie_break);
  return d;
}

std::vector<std::uint32_t> reference_tie_set(const ClusterView& view,
                                             const PlacementRequest& request) {
  const RequestContext c(view, request);
  std::vector<std::uint32_t> rows = reference_candidates(c);
  for (const PlacementStrategy& s : c.chain) {
    if (s.type == PlacementStrategyType::kRandom) break;
    narrow(c, s, rows);
  }
  return rows;
}

}  // namespace ecsim::detail
