// Capacity provider strategies (ecs-reference 8.1) and Fargate capacity (8.2): which provider a
// task launches on, tasks waiting in PROVISIONING for an Auto Scaling group's instances, Fargate's
// launch rate limits and Spot interruptions.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ecsim/assert.hpp"
#include "ecsim/cluster_query.hpp"

#include "model/simulation_state.hpp"
#include "model/taskdef_access.hpp"

namespace ecsim::detail {

std::vector<StrategyShare> shares_of(const CapacityProviderStrategy& strategy) {
  std::vector<StrategyShare> shares;
  for (const CapacityProviderStrategyItem& item : strategy)
    shares.push_back({item.base, item.weight});
  return shares;
}

namespace {

constexpr std::int64_t kMillionths = 1'000'000;

// Tops a token bucket (in millionths of a token) up to `burst` at `rate` tokens a second, and
// takes `n` if they are there; otherwise says how long until they are.
std::optional<Duration> take_tokens(std::int64_t& tokens, TimePoint& at, TimePoint now,
                                    std::int64_t burst, double rate, int n) {
  const std::int64_t elapsed_us = (now - at).count();
  const std::int64_t cap = burst * kMillionths;
  if (elapsed_us > 0) {
    const double added = static_cast<double>(elapsed_us) * rate;  // millionths per microsecond
    tokens = added >= static_cast<double>(cap - tokens)
                 ? cap
                 : tokens + static_cast<std::int64_t>(std::floor(added));
  }
  at = now;
  const std::int64_t need = std::int64_t{n} * kMillionths;
  if (tokens >= need) {
    tokens -= need;
    return std::nullopt;
  }
  const double wait_us = std::ceil(static_cast<double>(need - tokens) / rate);
  return Duration(std::max<std::int64_t>(1, static_cast<std::int64_t>(wait_us)));
}

}  // namespace

std::vector<int> SimulationState::provider_counts(const CapacityProviderStrategy& strategy,
                                                  const std::vector<std::size_t>& tasks) const {
  std::vector<int> counts(strategy.size(), 0);
  for (std::size_t t : tasks) {
    const Task& task = tasks_[t];
    if (!task.desired_running || task.state == TaskState::kStopped || !task.capacity_provider)
      continue;
    const std::string& name = scenario_.cluster.capacity_providers[*task.capacity_provider].name;
    for (std::size_t i = 0; i < strategy.size(); ++i)
      if (strategy[i].capacity_provider == name) ++counts[i];
  }
  return counts;
}

std::size_t SimulationState::next_service_provider(const Service& svc) const {
  const CapacityProviderStrategy& strategy = svc.spec.capacity_provider_strategy;
  const std::size_t item = next_provider(shares_of(strategy), provider_counts(strategy, svc.tasks));
  auto p = scenario_.cluster.find_capacity_provider(strategy[item].capacity_provider);
  ECSIM_ASSERT(p.has_value(), "strategy providers were validated at load");
  return *p;
}

std::optional<Duration> SimulationState::take_fargate_tokens(int n,
                                                             std::optional<std::size_t> service) {
  const FargateSettings& f = scenario_.fargate;
  // Check both buckets before taking from either.
  std::int64_t account = fargate_tokens_;
  TimePoint account_at = fargate_tokens_at_;
  if (auto wait =
          take_tokens(account, account_at, now_, f.launch_burst, f.launch_rate_per_second, n)) {
    ++fargate_launches_throttled_;
    return wait;
  }
  if (service) {
    auto [it, fresh] = service_fargate_tokens_.try_emplace(
        *service, std::int64_t{f.service_launches_per_minute} * kMillionths, now_);
    auto [tokens, at] = it->second;
    if (auto wait = take_tokens(tokens, at, now_, f.service_launches_per_minute,
                                f.service_launches_per_minute / 60.0, n)) {
      ++fargate_launches_throttled_;
      return wait;
    }
    it->second = {tokens, at};
  }
  fargate_tokens_ = account;
  fargate_tokens_at_ = account_at;
  return std::nullopt;
}

std::optional<std::size_t> SimulationState::launch_on_provider(
    std::size_t p, const TaskDefinition* td, const std::string& group,
    const std::string& started_by, PlacementRequest request, std::string& why) {
  const CapacityProviderSpec& provider = scenario_.cluster.capacity_providers[p];
  Placement placement;
  placement.capacity_provider = p;
  if (provider.fargate) {
    auto az = choose_fargate_az(group, provider.spot);
    if (!az) {
      why = provider.spot ? "Capacity is unavailable at this time. Please try again later or in a "
                            "different availability zone"
                          : "the cluster has no availability zone with Fargate capacity";
      return std::nullopt;
    }
    placement.fargate = true;
    placement.spot = provider.spot;
    placement.az = scenario_.cluster.availability_zones[*az];
  } else {
    // Only the provider's own instances (8.1).
    auto member = ClusterQuery::parse("attribute:ecsim.capacity-provider == " + provider.name);
    request.constraints.push_back(PlacementConstraint::member_of(*member));
    PlacementDecision decision = place_task(view_, request, placement_rng_, scenario_.placement);
    if (decision.placed()) {
      const std::size_t inst = *decision.instance;
      placement.ports = view_.reserve(inst, request.footprint, group);
      placement.instance = inst;
      placement.az = instances_[inst].az;
    } else {
      // No room yet: the task waits in PROVISIONING while managed scaling adds instances (8.3),
      // up to the cluster's quota of such tasks (12).
      const auto waiting = std::count_if(waiting_.begin(), waiting_.end(), [&](const auto& w) {
        return tasks_[w.task].awaiting_capacity;
      });
      if (waiting >= scenario_.scheduler.max_provisioning_tasks) {
        why = "the cluster already has " + std::to_string(waiting) +
              " tasks in PROVISIONING waiting for capacity (quota " +
              std::to_string(scenario_.scheduler.max_provisioning_tasks) + ")";
        return std::nullopt;
      }
      placement.awaiting_capacity = true;
      const std::size_t t = create_task(td, group, started_by, placement);
      waiting_.push_back({t, std::move(request), decision.reason});
      ++tasks_by_provider_[provider.name];
      return t;
    }
  }
  const std::size_t t = create_task(td, group, started_by, placement);
  ++tasks_by_provider_[provider.name];
  return t;
}

void SimulationState::schedule_waiting_pass() {
  if (waiting_.empty() || waiting_pass_scheduled_) return;
  waiting_pass_scheduled_ = true;
  schedule_in(Duration{0}, PlaceWaitingTasks{});
}

void SimulationState::place_waiting_tasks() {
  waiting_pass_scheduled_ = false;
  std::vector<WaitingTask> still;
  for (WaitingTask& w : waiting_) {
    Task& task = tasks_[w.task];
    if (!task.awaiting_capacity || !task.desired_running) continue;
    PlacementDecision decision = place_task(view_, w.request, placement_rng_, scenario_.placement);
    if (!decision.placed()) {
      w.last_reason = decision.reason;
      still.push_back(std::move(w));
      continue;
    }
    const std::size_t inst = *decision.instance;
    task.ports = view_.reserve(inst, w.request.footprint, task.group);
    task.instance = inst;
    task.az = instances_[inst].az;
    task.awaiting_capacity = false;
    task.holds_resources = true;
    instances_[inst].tasks.insert(w.task);
    touch_metrics(inst);
    if (uses_awsvpc(*task.definition)) assign_private_ip(task);
    // The rest of PROVISIONING: the ENI of an awsvpc task, then on to PENDING.
    task.next_step =
        schedule_in(uses_awsvpc(*task.definition) ? scenario_.timing.ec2_eni_attach : Duration{0},
                    TaskStep{w.task});
  }
  waiting_ = std::move(still);
}

void SimulationState::on_capacity_wait_timeout(std::size_t t) {
  Task& task = tasks_[t];
  if (!task.awaiting_capacity || !task.desired_running) return;
  std::string reason;
  for (const WaitingTask& w : waiting_)
    if (w.task == t) reason = w.last_reason;
  const std::string& name = scenario_.cluster.capacity_providers[*task.capacity_provider].name;
  task.awaiting_capacity = false;
  request_stop(t, "TaskFailedToStart",
               "Capacity provider " + name + " had no instance for the task within " +
                   format_duration(scenario_.timing.capacity_provisioning_timeout) +
                   (reason.empty() ? std::string() : " (" + reason + ")"));
}

// ---- Fargate Spot (8.2) -----------------------------------------------------------------------

void SimulationState::start_fargate_capacity() {
  fargate_tokens_ = std::int64_t{scenario_.fargate.launch_burst} * kMillionths;  // starts full
  const double per_hour = scenario_.fargate.spot_interruptions_per_hour_per_zone;
  const auto& zones = scenario_.cluster.availability_zones;
  for (std::size_t z = 0; z < zones.size(); ++z)
    spot_rngs_.push_back(streams_.stream("fargate-spot/" + zones[z]));
  if (per_hour <= 0) return;
  for (std::size_t z = 0; z < zones.size(); ++z)
    schedule_in(Duration(static_cast<std::int64_t>(
                    std::ceil(exponential(spot_rngs_[z], per_hour / 3600.0) * 1e6))),
                SpotInterruptionDue{z});
}

void SimulationState::on_spot_interruption_due(std::size_t z) {
  const double per_hour = scenario_.fargate.spot_interruptions_per_hour_per_zone;
  InterruptSpotTasksAction a;
  a.availability_zone = scenario_.cluster.availability_zones[z];
  a.count = scenario_.fargate.spot_tasks_per_interruption;
  interrupt_spot_tasks(a);
  schedule_in(Duration(static_cast<std::int64_t>(
                  std::ceil(exponential(spot_rngs_[z], per_hour / 3600.0) * 1e6))),
              SpotInterruptionDue{z});
}

void SimulationState::interrupt_spot_tasks(const InterruptSpotTasksAction& a) {
  const auto& zones = scenario_.cluster.availability_zones;
  if (a.capacity_unavailable_for)
    for (const std::string& z : zones)
      if (a.availability_zone.empty() || a.availability_zone == z)
        spot_unavailable_until_[z] = now_ + *a.capacity_unavailable_for;
  std::vector<std::size_t> candidates;
  for (std::size_t t = 0; t < tasks_.size(); ++t) {
    const Task& task = tasks_[t];
    if (!task.spot || !task.desired_running || task.state == TaskState::kStopped) continue;
    if (!a.availability_zone.empty() && task.az != a.availability_zone) continue;
    if (!a.service.empty() &&
        (!task.service || services_[*task.service].spec.service_name != a.service))
      continue;
    candidates.push_back(t);
  }
  std::size_t n = candidates.size();
  if (a.count) n = std::min(n, static_cast<std::size_t>(*a.count));
  if (n < candidates.size()) {
    // A partial Fisher-Yates shuffle on the zone's own stream picks which tasks are reclaimed.
    const auto z = static_cast<std::size_t>(
        std::find(zones.begin(), zones.end(), a.availability_zone) - zones.begin());
    Rng& rng = spot_rngs_[std::min(z, spot_rngs_.size() - 1)];
    for (std::size_t k = 0; k < n; ++k) {
      const auto j = static_cast<std::size_t>(uniform_uint(rng, k, candidates.size() - 1));
      std::swap(candidates[k], candidates[j]);
    }
    candidates.resize(n);
    std::sort(candidates.begin(), candidates.end());
  }
  for (std::size_t t : candidates)
    interrupt_spot_task(t);
}

void SimulationState::interrupt_spot_task(std::size_t t) {
  // The two-minute warning is the task state change event and a SIGTERM (8.2); the capacity goes
  // when the warning runs out, whether or not the task has finished stopping.
  ++spot_interruptions_;
  request_stop(t, "SpotInterruption", "Your Spot Task was interrupted.");
  schedule_in(scenario_.fargate.spot_warning, SpotReclaim{t});
}

void SimulationState::on_spot_reclaim(std::size_t t) {
  if (tasks_[t].state == TaskState::kStopped) return;
  kill_task_now(t, "SpotInterruption", "Your Spot Task was interrupted.");
}

}  // namespace ecsim::detail
