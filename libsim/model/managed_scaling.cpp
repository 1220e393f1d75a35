// Managed scaling of Auto Scaling group capacity providers (ecs-reference 8.3): every minute,
// CapacityProviderReservation = M / N x 100 from the instances needed (M) and running (N); one
// high data point scales out by the step, fifteen low ones scale in.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ecsim/assert.hpp"

#include "model/simulation_state.hpp"

namespace ecsim::detail {

namespace {
// The alarms ECS creates for the target tracking policy (8.3 [SECONDARY]).
constexpr int kScaleInDatapoints = 15;
}  // namespace

void SimulationState::on_managed_scaling_tick() {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    GroupState& state = groups_[g];
    if (!state.provider) continue;
    const CapacityProviderSpec& provider = scenario_.cluster.capacity_providers[*state.provider];
    const ManagedScalingSpec& ms = provider.managed_scaling;
    if (!ms.enabled) continue;

    std::int64_t running = 0, busy = 0;
    bool warming = false;
    for (std::size_t i : state.instances) {
      const Instance& inst = instances_[i];
      if (inst.asg_terminating || inst.status == InstanceStatus::kDeregistering ||
          inst.status == InstanceStatus::kInactive)
        continue;
      ++running;
      busy += runs_non_daemon_tasks(inst);
      warming |= now_ - inst.launched_at < ms.instance_warmup;
    }
    std::vector<TaskFootprint> waiting;
    for (const WaitingTask& w : waiting_)
      if (tasks_[w.task].awaiting_capacity && tasks_[w.task].desired_running &&
          tasks_[w.task].capacity_provider == state.provider)
        waiting.push_back(w.request.footprint);
    const std::int64_t extra = instances_needed_for(waiting, state.largest, state.smallest);
    // M: with tasks waiting, the running instances plus the estimate; otherwise the instances
    // that run non-daemon tasks.
    const std::int64_t needed = extra > 0 ? running + extra : busy;
    const double reservation = capacity_provider_reservation(needed, running);
    state.reservation = reservation;
    const int before = state.desired;
    const std::int64_t target_instances = instances_for_target(needed, ms.target_capacity);
    std::string action;
    if (reservation > ms.target_capacity) {
      state.low_minutes = 0;
      // A new scale-out waits until every instance is past its warm-up.
      if (warming) continue;
      const std::int64_t step =
          scale_out_step(target_instances - running, ms.minimum_step, ms.maximum_step);
      const auto to = static_cast<int>(std::min<std::int64_t>(running + step, 1'000'000));
      if (to <= state.desired) continue;
      action = "scale-out";
      set_group_desired(g, to,
                        "a capacity provider's managed scaling (" + provider.name +
                            ") changed the desired capacity");
    } else if (reservation < ms.target_capacity) {
      if (++state.low_minutes < kScaleInDatapoints) continue;
      // At most half the running instances a minute, and at least one (8.3 [INFERRED reading]).
      const std::int64_t most = std::max<std::int64_t>(1, running / 2);
      const std::int64_t cut =
          std::min({running - target_instances, most, std::int64_t{ms.maximum_step}});
      if (cut <= 0) continue;
      action = "scale-in";
      set_group_desired(g, static_cast<int>(running - cut),
                        "a capacity provider's managed scaling (" + provider.name +
                            ") changed the desired capacity");
    } else {
      state.low_minutes = 0;
      continue;
    }
    if (state.desired == before) continue;
    Json d;
    d["capacityProviderName"] = provider.name;
    d["autoScalingGroupName"] = scenario_.auto_scaling_groups[g].name;
    d["action"] = action;
    d["capacityProviderReservation"] = reservation;
    d["instancesNeeded"] = needed;
    d["instancesRunning"] = running;
    d["targetCapacity"] = ms.target_capacity;
    d["fromDesiredCapacity"] = before;
    d["toDesiredCapacity"] = state.desired;
    emit("ecsim Managed Scaling Activity", std::move(d));
  }
  if (now_ + kMinute <= end_) schedule_in(kMinute, ManagedScalingTick{});
}

MetricsTable SimulationState::capacity_provider_rows(TimePoint period_start) const {
  MetricsTable table;
  table.metric_names = {"CapacityProviderReservation", "GroupDesiredCapacity",
                        "GroupInServiceInstances"};
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const GroupState& state = groups_[g];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const bool managed =
        state.provider &&
        scenario_.cluster.capacity_providers[*state.provider].managed_scaling.enabled;
    table.rows.push_back({to_seconds(period_start),
                          "autoScalingGroup",
                          scenario_.auto_scaling_groups[g].name,
                          {managed ? state.reservation : nan, static_cast<double>(state.desired),
                           static_cast<double>(live_group_instances(g))}});
  }
  return table;
}

Json SimulationState::capacity_summary() const {
  Json c;
  Json providers = Json::object();
  for (const CapacityProviderSpec& p : scenario_.cluster.capacity_providers) {
    Json j;
    j["tasksLaunched"] = tasks_by_provider_.count(p.name) ? tasks_by_provider_.at(p.name) : 0;
    providers[p.name] = std::move(j);
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const GroupState& state = groups_[g];
    Json j;
    j["autoScalingGroupName"] = scenario_.auto_scaling_groups[g].name;
    j["desiredCapacity"] = state.desired;
    j["inServiceInstances"] = live_group_instances(static_cast<std::size_t>(g));
    j["peakInServiceInstances"] = state.peak;
    j["instancesLaunched"] = state.launched;
    j["instancesTerminated"] = state.terminated;
    j["instanceType"] = state.launch_type.name;
    j["usd"] = std::round(instances_usd(state.instances) * 1e6) / 1e6;
    if (state.provider)
      providers[scenario_.cluster.capacity_providers[*state.provider].name]["autoScalingGroup"] =
          std::move(j);
    else
      c["autoScalingGroupsWithoutProvider"][scenario_.auto_scaling_groups[g].name] = std::move(j);
  }
  c["capacityProviders"] = std::move(providers);
  std::int64_t waiting = 0;
  for (const WaitingTask& w : waiting_)
    waiting += tasks_[w.task].awaiting_capacity && tasks_[w.task].desired_running;
  c["tasksWaitingForCapacity"] = waiting;
  c["fargateLaunchesThrottled"] = fargate_launches_throttled_;
  c["spotInterruptions"] = spot_interruptions_;
  return c;
}

}  // namespace ecsim::detail
