// The scenario's timeline: AWS calls (RunTask, StopTask, UpdateContainerInstancesState,
// RegisterTaskDefinition) and ecsim's faults (TerminateInstance), carried out at their times.
#include <algorithm>
#include <limits>

#include "ecsim/assert.hpp"

#include "model/simulation_state.hpp"
#include "model/taskdef_access.hpp"

namespace ecsim::detail {

void SimulationState::fire(const TimelineAction& action) {
  std::visit(
      [&](const auto& input) {
        using A = std::decay_t<decltype(input)>;
        if constexpr (std::is_same_v<A, RunTaskAction>) {
          run_task(input, action);
        } else if constexpr (std::is_same_v<A, StopTaskAction>) {
          stop_task(input, action);
        } else if constexpr (std::is_same_v<A, UpdateContainerInstancesStateAction>) {
          update_instances_state(input);
        } else if constexpr (std::is_same_v<A, TerminateInstanceAction>) {
          if (auto i = find_instance(input.instance_id))
            terminate_instance(*i);
          else
            report_api_failure(action, Json::array({{{"arn", input.instance_id},
                                                     {"reason", "MISSING"},
                                                     {"detail", "no instance " + input.instance_id +
                                                                    " has been launched"}}}));
        } else if constexpr (std::is_same_v<A, FailHealthChecksAction>) {
          if (auto svc = find_service(input.service)) {
            unhealthy_services_[*svc] =
                input.duration ? now_ + *input.duration : TimePoint(Duration::max());
            refresh_service_app_health(*svc);
            if (input.duration) schedule_in(*input.duration, HealthFaultEnds{*svc});
          }
        } else if constexpr (std::is_same_v<A, FailImagePullAction>) {
          failing_images_[input.image] =
              input.duration ? now_ + *input.duration : TimePoint(Duration::max());
        } else if constexpr (std::is_same_v<A, CreateServiceAction>) {
          create_service(input.service);
        } else if constexpr (std::is_same_v<A, UpdateServiceAction>) {
          update_service(input);
        } else if constexpr (std::is_same_v<A, FailAvailabilityZoneAction> ||
                             std::is_same_v<A, RecoverAvailabilityZoneAction> ||
                             std::is_same_v<A, DisconnectAgentAction> ||
                             std::is_same_v<A, SetTrafficRateAction>) {
          fire_fault(action);
        } else if constexpr (std::is_same_v<A, SetDesiredCapacityAction>) {
          for (std::size_t g = 0; g < groups_.size(); ++g)
            if (scenario_.auto_scaling_groups[g].name == input.auto_scaling_group)
              set_group_desired(g, input.desired_capacity,
                                "a user request explicitly set group desired capacity");
        } else if constexpr (std::is_same_v<A, InterruptSpotTasksAction>) {
          interrupt_spot_tasks(input);
        } else if constexpr (std::is_same_v<A, CreateDeploymentAction>) {
          create_deployment(input, action);
        } else if constexpr (std::is_same_v<A, DeleteServiceAction>) {
          delete_service(input);
        } else if constexpr (std::is_same_v<A, RegisterTaskDefinitionAction>) {
          auto registered = registry_.register_task_definition(input.task_definition);
          ECSIM_ASSERT(registered.ok(), "a validated task definition failed to register");
        }
      },
      action.input);
}

void SimulationState::report_api_failure(const TimelineAction& where, Json failures) {
  Json detail;
  detail["action"] = where.action;
  detail["scenarioPointer"] = where.pointer;
  detail["failures"] = std::move(failures);
  emit("ecsim API Call Failure", std::move(detail));
}

std::optional<std::size_t> SimulationState::choose_fargate_az(const std::string& group, bool spot) {
  // Fargate spreads a group's tasks across the cluster's zones (ecs-reference 4.1, 4.4): the zone
  // with the fewest live tasks of the group; ties by the configured tie-break.
  const auto& zones = scenario_.cluster.availability_zones;
  if (zones.empty()) return std::nullopt;
  std::vector<std::int64_t> counts(zones.size(), 0);
  for (const Task& t : tasks_) {
    if (!t.fargate || t.group != group || t.state == TaskState::kStopped) continue;
    const auto it = std::find(zones.begin(), zones.end(), t.az);
    if (it != zones.end()) ++counts[static_cast<std::size_t>(it - zones.begin())];
  }
  std::int64_t least = counts.front();
  for (std::int64_t c : counts)
    least = std::min(least, c);
  // A failed zone has no Fargate capacity; a zone whose Spot capacity was reclaimed has no Spot
  // capacity for a while.
  for (std::size_t z = 0; z < zones.size(); ++z) {
    auto reclaimed = spot_unavailable_until_.find(zones[z]);
    if (failed_zones_.count(zones[z]) ||
        (spot && reclaimed != spot_unavailable_until_.end() && now_ < reclaimed->second))
      counts[z] = std::numeric_limits<std::int64_t>::max();
  }
  least = *std::min_element(counts.begin(), counts.end());
  if (least == std::numeric_limits<std::int64_t>::max()) return std::nullopt;
  std::vector<std::size_t> best;
  for (std::size_t z = 0; z < zones.size(); ++z)
    if (counts[z] == least) best.push_back(z);
  if (best.empty()) return std::nullopt;  // cannot happen: the least count is some zone's
  std::size_t pick = 0;
  if (scenario_.placement.tie_break == TieBreak::kRandom && best.size() > 1)
    pick = static_cast<std::size_t>(uniform_uint(fargate_rng_, 0, best.size() - 1));
  return std::optional<std::size_t>(best.at(pick));
}

void SimulationState::run_task(const RunTaskAction& a, const TimelineAction& where) {
  auto resolved = registry_.resolve(a.task_definition);
  if (!resolved) {
    report_api_failure(where, Json::array({{{"reason", "MISSING"}, {"detail", resolved.error()}}}));
    return;
  }
  const TaskDefinition* td = *resolved;
  const std::string group = a.group.empty() ? "family:" + td->family : a.group;
  const CapacityProviderStrategy& strategy = a.capacity_provider_strategy;
  std::vector<std::size_t> providers;
  for (const CapacityProviderStrategyItem& item : strategy)
    providers.push_back(*scenario_.cluster.find_capacity_provider(item.capacity_provider));
  const bool fargate = strategy.empty()
                           ? a.launch_type == "FARGATE"
                           : scenario_.cluster.capacity_providers[providers.front()].fargate;
  if (auto problem = launch_type_problem(*td, fargate)) {
    // AWS rejects the whole call (ClientException) when the definition does not fit the launch
    // type.
    report_api_failure(where,
                       Json::array({{{"reason", "INVALID_LAUNCH_TYPE"}, {"detail", *problem}}}));
    return;
  }
  // Fargate launches draw on the account's token bucket (ecs-reference 8.2): a call without
  // enough tokens is throttled as a whole.
  if (fargate && take_fargate_tokens(a.count, std::nullopt)) {
    report_api_failure(where, Json::array({{{"reason", "ThrottlingException"},
                                            {"detail",
                                             "Rate exceeded: Fargate task launch rate "
                                             "(ecs-reference 8.2)"}}}));
    return;
  }
  if (!strategy.empty()) {
    // Base first, then by weight (8.1), counted within this call.
    const std::vector<int> split = split_by_strategy(shares_of(strategy), a.count);
    const PlacementRequest request = make_placement_request(*td, group, a, scenario_.placement);
    Json failures = Json::array();
    for (std::size_t i = 0; i < split.size(); ++i)
      for (int n = 0; n < split[i]; ++n) {
        std::string why;
        if (!launch_on_provider(providers[i], td, group, a.started_by, request, why))
          failures.push_back({{"reason", "CAPACITY"}, {"detail", why}});
      }
    if (!failures.empty()) report_api_failure(where, std::move(failures));
    return;
  }
  if (fargate) {
    for (int n = 0; n < a.count; ++n) {
      auto az = choose_fargate_az(group);
      if (!az) {
        report_api_failure(where, Json::array({{{"reason", "ATTRIBUTE"},
                                                {"detail",
                                                 "the cluster has no availability zones "
                                                 "for Fargate tasks"}}}));
        return;
      }
      create_task(
          td, group, a.started_by,
          Placement{
              std::nullopt, {}, scenario_.cluster.availability_zones[*az], true, {}, false, false});
    }
    return;
  }

  PlacementRequest request = make_placement_request(*td, group, a, scenario_.placement);
  Json failures = Json::array();
  for (int n = 0; n < a.count; ++n) {
    PlacementDecision decision = place_task(view_, request, placement_rng_, scenario_.placement);
    if (!decision.placed()) {
      ++placement_failures_[decision.reason];
      metrics_.count_placement_failure();
      Json f;
      if (decision.closest_instance) f["arn"] = instances_[*decision.closest_instance].arn;
      f["reason"] = decision.reason;
      f["detail"] = decision.message;
      failures.push_back(std::move(f));
      continue;
    }
    // Instances join the view in launch order, so a view row is the instance's index.
    const std::size_t inst_index = *decision.instance;
    ECSIM_ASSERT(instances_[inst_index].view_index == inst_index, "view rows follow instances");
    PlacedPorts ports = view_.reserve(*decision.instance, request.footprint, group);
    create_task(
        td, group, a.started_by,
        Placement{
            inst_index, std::move(ports), instances_[inst_index].az, false, {}, false, false});
  }
  if (!failures.empty()) report_api_failure(where, std::move(failures));
}

void SimulationState::stop_task(const StopTaskAction& a, const TimelineAction& where) {
  if (!a.task.empty()) {
    for (std::size_t t = 0; t < tasks_.size(); ++t) {
      const Task& task = tasks_[t];
      if (task.arn == a.task || task.arn.ends_with("/" + a.task)) {
        request_stop(t, "UserInitiated", a.reason);
        return;
      }
    }
    report_api_failure(where, Json::array({{{"arn", a.task},
                                            {"reason", "MISSING"},
                                            {"detail", "no task " + a.task + " in the cluster"}}}));
    return;
  }
  // ecsim's selector: the oldest tasks of the group that are still meant to run.
  int stopped = 0;
  for (std::size_t t = 0; t < tasks_.size() && stopped < a.count; ++t) {
    if (tasks_[t].group == a.group && tasks_[t].desired_running) {
      request_stop(t, "UserInitiated", a.reason);
      ++stopped;
    }
  }
  if (stopped < a.count)
    report_api_failure(where,
                       Json::array({{{"reason", "MISSING"},
                                     {"detail", "asked to stop " + std::to_string(a.count) +
                                                    " tasks of group " + a.group + "; only " +
                                                    std::to_string(stopped) + " were running"}}}));
}

void SimulationState::update_instances_state(const UpdateContainerInstancesStateAction& a) {
  for (const std::string& id : a.container_instances) {
    auto i = find_instance(id);
    if (!i) continue;
    const InstanceStatus s = instances_[*i].status;
    // DRAINING stops new placements; standalone tasks are not affected (ecs-reference 3.3).
    if (a.status == "DRAINING" && s == InstanceStatus::kActive)
      set_instance_status(*i, InstanceStatus::kDraining);
    else if (a.status == "ACTIVE" && s == InstanceStatus::kDraining)
      set_instance_status(*i, InstanceStatus::kActive);
  }
}

}  // namespace ecsim::detail
