// The service scheduler (ecs-reference 5, 6): REPLICA and DAEMON services, rolling deployments
// within minimumHealthyPercent and maximumPercent, the circuit breaker with rollback, the
// start-failure throttle, draining instances, and the service events ECS writes.
//
// Every change that matters to a service (a task changing state or health, an instance changing
// status, an API call) asks for a reconcile; requests at one instant are coalesced into one pass.
#include <algorithm>
#include <cstdio>
#include <map>

#include "ecsim/assert.hpp"
#include "ecsim/ids.hpp"

#include "model/simulation_state.hpp"
#include "model/taskdef_access.hpp"

namespace ecsim::detail {

namespace {

// ECS suppresses a repeated service event until its cause is fixed or six hours pass (4.5).
constexpr Duration kEventRepeatAfter = 6 * kHour;

int ceil_percent(int count, int percent) {
  return (count * percent + 99) / 100;
}
int floor_percent(int count, int percent) {
  return count * percent / 100;
}

}  // namespace

const char* to_string(DeploymentStatus s) {
  switch (s) {
    case DeploymentStatus::kPrimary:
      return "PRIMARY";
    case DeploymentStatus::kActive:
      return "ACTIVE";
    case DeploymentStatus::kInactive:
      return "INACTIVE";
  }
  return "?";
}

const char* to_string(RolloutState s) {
  switch (s) {
    case RolloutState::kInProgress:
      return "IN_PROGRESS";
    case RolloutState::kCompleted:
      return "COMPLETED";
    case RolloutState::kFailed:
      return "FAILED";
  }
  return "?";
}

std::optional<std::size_t> SimulationState::find_service(const std::string& name) const {
  for (std::size_t s = 0; s < services_.size(); ++s)
    if (services_[s].spec.service_name == name && services_[s].status != "INACTIVE") return s;
  return std::nullopt;
}

void SimulationState::create_service(const ServiceSpec& spec) {
  auto resolved = registry_.resolve(spec.task_definition);
  ECSIM_ASSERT(resolved.ok(), "service task definition was validated at load");
  const std::size_t s = services_.size();
  Service svc;
  svc.spec = spec;
  svc.arn = "arn:aws:ecs:" + scenario_.region + ":" + scenario_.account_id + ":service/" +
            scenario_.cluster.cluster_name + "/" + spec.service_name;
  svc.group = "service:" + spec.service_name;
  services_.push_back(std::move(svc));
  // Requests on its target groups (both of a blue/green pair) count toward its deployments.
  if (lb_)
    for (const ServiceLoadBalancerSpec& l : spec.load_balancers)
      for (int slot = 0; slot < 2; ++slot) {
        const std::size_t g = target_group_of(l, slot);
        if (services_by_target_group_.size() <= g) services_by_target_group_.resize(g + 1);
        auto& list = services_by_target_group_[g];
        if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
      }
  start_deployment(s, *resolved, "");
}

void SimulationState::start_deployment(std::size_t s, const TaskDefinition* td, std::string reason,
                                       const CodeDeployGroupSpec* code_deploy,
                                       const TrafficShiftSpec* shift_override) {
  Service& svc = services_[s];
  std::optional<std::size_t> blue;
  bool reconciling = false;
  if (!svc.deployments.empty()) {
    blue = svc.primary;
    Deployment& current = svc.deployments[svc.primary];
    // A blue/green deployment still under way is rolled back first: its blue revision is the one
    // the new deployment replaces (RECONCILE_SERVICE, 7.2) [INFERRED].
    if (current.blue_green && (current.rollout == RolloutState::kInProgress || current.held)) {
      if (current.rollout == RolloutState::kInProgress)
        fail_blue_green(s, svc.primary, "superseded by a new deployment", true);
      else if (current.blue)
        fail_blue_green(s, svc.primary, current.reason, true);
      blue = svc.primary;  // the rolled-back-to revision
      reconciling = true;
    }
  }
  for (Deployment& d : svc.deployments)
    if (d.status == DeploymentStatus::kPrimary) d.status = DeploymentStatus::kActive;
  Deployment d;
  char id[40];
  std::snprintf(id, sizeof id, "ecs-svc/%019llu",
                static_cast<unsigned long long>(1000000000000000000ULL + ++deployments_created_));
  d.id = id;
  d.definition = td;
  d.definition_arn = "arn:aws:ecs:" + scenario_.region + ":" + scenario_.account_id +
                     ":task-definition/" + td->family + ":" + std::to_string(td->revision);
  d.reason = std::move(reason);
  d.created_at = now_;
  d.desired_at_start = svc.spec.desired_count;
  d.requests_failed_at_start = svc.requests_failed;
  const DeploymentConfigurationSpec& config = svc.spec.deployment_configuration;
  if (config.alarms.enable) {
    d.alarms = config.alarms.alarm_names;
    d.rollback_on_alarm = config.alarms.rollback;
  }
  if (blue) d.target_group_slot = svc.deployments[*blue].target_group_slot;
  // Blue/green needs a blue revision with tasks; a service's first deployment simply starts.
  bool blue_running = false;
  if (blue)
    for (std::size_t t : svc.tasks)
      blue_running |= tasks_[t].deployment == *blue && tasks_[t].desired_running &&
                      tasks_[t].state != TaskState::kStopped;
  const bool wants_blue_green = code_deploy != nullptr || config.strategy != "ROLLING";
  if (wants_blue_green && blue_running) {
    d.blue_green = true;
    d.blue = blue;
    d.target_group_slot = 1 - d.target_group_slot;
    if (code_deploy) {
      d.code_deploy = true;
      char cd_id[16];
      std::snprintf(cd_id, sizeof cd_id, "d-%09llX",
                    static_cast<unsigned long long>(0x1000000 + ++code_deployments_created_));
      d.code_deploy_id = cd_id;
      d.shift = shift_override ? *shift_override : TrafficShiftSpec{};
      d.wait_after_shift = code_deploy->termination_wait;
      d.rollback_on_failure = code_deploy->rollback_on_failure;
      d.rollback_on_alarm = code_deploy->rollback_on_alarm;
      d.alarms = code_deploy->alarms;
    } else {
      d.shift = config.shift;
      d.wait_after_shift = config.bake_time;
      d.rollback_on_failure = true;  // the blue revision is intact: ECS returns to it [INFERRED]
    }
  }
  svc.deployments.push_back(std::move(d));
  svc.primary = svc.deployments.size() - 1;
  // A new task definition resets the start-failure throttle (5.3).
  svc.consecutive_start_failures = 0;
  svc.next_start_allowed = now_;
  svc.steady = false;
  deployment_event(s, svc.primary, "SERVICE_DEPLOYMENT_IN_PROGRESS");
  if (svc.deployments[svc.primary].blue_green) {
    if (reconciling && !svc.deployments[svc.primary].code_deploy)
      enter_stage(s, svc.primary, "RECONCILE_SERVICE");
    begin_blue_green(s, svc.primary);
  }
  request_reconcile(s);
}

void SimulationState::update_service(const UpdateServiceAction& a) {
  auto s = find_service(a.service);
  if (!s) return;
  Service& svc = services_[*s];
  if (a.desired_count) svc.spec.desired_count = *a.desired_count;
  if (a.deployment_configuration) svc.spec.deployment_configuration = *a.deployment_configuration;
  if (a.health_check_grace_period)
    svc.spec.health_check_grace_period = *a.health_check_grace_period;
  const TaskDefinition* current = svc.deployments[svc.primary].definition;
  const TaskDefinition* next = current;
  if (a.task_definition) {
    auto resolved = registry_.resolve(*a.task_definition);
    ECSIM_ASSERT(resolved.ok(), "UpdateService task definition was validated at load");
    next = *resolved;
  }
  if (next != current || a.force_new_deployment)
    start_deployment(*s, next, "");
  else
    request_reconcile(*s);
}

void SimulationState::delete_service(const DeleteServiceAction& a) {
  auto s = find_service(a.service);
  if (!s) return;
  // ACTIVE -> DRAINING while its tasks stop -> INACTIVE (5.4).
  services_[*s].status = "DRAINING";
  services_[*s].spec.desired_count = 0;
  request_reconcile(*s);
}

void SimulationState::request_reconcile(std::size_t s, Duration delay) {
  Service& svc = services_[s];
  if (delay.count() == 0) {
    if (svc.reconcile_pending) return;
    svc.reconcile_pending = true;
    schedule_in(Duration{0}, ServiceReconcile{s});
    return;
  }
  const TimePoint at = now_ + delay;
  if (svc.retry_at && *svc.retry_at > now_ && *svc.retry_at <= at) return;  // one already due
  svc.retry_at = at;
  schedule_in(delay, ServiceReconcile{s});
}

void SimulationState::request_reconcile_all() {
  for (std::size_t s = 0; s < services_.size(); ++s)
    if (services_[s].status != "INACTIVE") request_reconcile(s);
}

void SimulationState::reconcile(std::size_t s) {
  Service& svc = services_[s];
  svc.reconcile_pending = false;
  if (svc.retry_at && *svc.retry_at <= now_) svc.retry_at.reset();
  if (svc.status == "INACTIVE") return;
  const Deployment& primary = svc.deployments[svc.primary];
  if (svc.spec.scheduling_strategy == "DAEMON")
    reconcile_daemon(s);
  else if (primary.blue_green && (primary.rollout == RolloutState::kInProgress || primary.held))
    reconcile_blue_green(s);
  else
    reconcile_replica(s);
}

bool SimulationState::counted_healthy(const Task& task) const {
  // When a task counts as healthy for minimumHealthyPercent (6.1): with a container health check,
  // once HEALTHY; without one, 40 seconds after RUNNING.
  if (!task.desired_running || task.state != TaskState::kRunning || !task.started_at) return false;
  // With a load balancer, its target health decides (and both must pass with a container check).
  if (!task.targets.empty() ||
      (lb_ && task.service && !services_[*task.service].spec.load_balancers.empty())) {
    if (task.targets.empty() || !targets_healthy(task)) return false;
    return !task.has_health_check || task.health == HealthStatus::kHealthy;
  }
  if (task.has_health_check) return task.health == HealthStatus::kHealthy;
  return now_ >= *task.started_at + scenario_.scheduler.healthy_after_running;
}

PlacementRequest SimulationState::service_placement_request(const Service& svc,
                                                            const TaskDefinition& td) const {
  PlacementRequest request;
  request.footprint = footprint_of(td);
  request.group = svc.group;
  for (const PlacementStrategySpec& sp : svc.spec.placement_strategy) {
    auto parsed = parse_placement_strategy(sp.type, sp.field);
    ECSIM_ASSERT(parsed.ok(), "service placement strategy was validated at load");
    request.strategies.push_back(*parsed);
  }
  // No strategy: the service default, fewest tasks of the service per zone then per instance (4.4).
  request.service_default = request.strategies.empty();
  auto add = [&](const std::string& type, const std::string& expression) {
    auto parsed = parse_placement_constraint(type, expression);
    ECSIM_ASSERT(parsed.ok(), "service placement constraint was validated at load");
    request.constraints.push_back(*parsed);
  };
  for (const TaskPlacementConstraint& c : td.placement_constraints)
    add(c.type, c.expression);
  for (const PlacementConstraintSpec& c : svc.spec.placement_constraints)
    add(c.type, c.expression);
  return request;
}

bool SimulationState::start_service_task(std::size_t s, std::optional<std::size_t> only_instance,
                                         std::optional<std::size_t> deployment) {
  Service& svc = services_[s];
  const std::size_t d = deployment.value_or(svc.primary);
  const TaskDefinition* td = svc.deployments[d].definition;
  std::size_t t = 0;
  if (!svc.spec.capacity_provider_strategy.empty() && !only_instance) {
    const std::size_t p = next_service_provider(svc);
    if (scenario_.cluster.capacity_providers[p].fargate) {
      if (auto wait = take_fargate_tokens(1, s)) {
        request_reconcile(s, *wait);  // throttled: the next token (ecs-reference 8.2)
        return false;
      }
    }
    std::string why;
    auto launched = launch_on_provider(p, td, svc.group, svc.deployments[d].id,
                                       service_placement_request(svc, *td), why);
    if (!launched) {
      Json extra;
      extra["reason"] = "CAPACITY";
      extra["capacityProviderName"] = scenario_.cluster.capacity_providers[p].name;
      service_event(
          s, "SERVICE_TASK_PLACEMENT_FAILURE",
          "service " + svc.spec.service_name + " was unable to place a task. Reason: " + why + ".",
          std::move(extra));
      request_reconcile(s, scenario_.timing.scheduler_retry);
      return false;
    }
    t = *launched;
  } else if (svc.spec.launch_type == "FARGATE") {
    if (auto wait = take_fargate_tokens(1, s)) {
      request_reconcile(s, *wait);  // throttled: the next token (ecs-reference 8.2)
      return false;
    }
    auto az = choose_fargate_az(svc.group);
    if (!az) return false;
    t = create_task(
        td, svc.group, svc.deployments[d].id,
        Placement{
            std::nullopt, {}, scenario_.cluster.availability_zones[*az], true, {}, false, false});
  } else {
    PlacementRequest request = service_placement_request(svc, *td);
    if (only_instance) {
      auto pinned = ClusterQuery::parse("attribute:ecsim.instance-id == " +
                                        instances_[*only_instance].ec2_id);
      request.constraints.push_back(PlacementConstraint::member_of(*pinned));
      request.service_default = false;
      request.strategies = {PlacementStrategy::random()};
    }
    PlacementDecision decision = place_task(view_, request, placement_rng_, scenario_.placement);
    if (!decision.placed()) {
      // A daemon task whose instance fails the service's constraints is simply not wanted there.
      if (only_instance && decision.reason == "ATTRIBUTE") return false;
      ++placement_failures_[decision.reason];
      metrics_.count_placement_failure();
      std::string message = "service " + svc.spec.service_name +
                            " was unable to place a task because no container instance met all "
                            "of its requirements.";
      if (decision.closest_instance)
        message = decision.message;  // ECS's wording with the closest matching instance
      Json extra;
      extra["reason"] = decision.reason;
      if (decision.closest_instance)
        extra["closestContainerInstanceArn"] = instances_[*decision.closest_instance].arn;
      extra["required"] = decision.required;
      extra["available"] = decision.available;
      service_event(s, "SERVICE_TASK_PLACEMENT_FAILURE", message, std::move(extra));
      request_reconcile(s, scenario_.timing.scheduler_retry);
      return false;
    }
    // The cause is fixed: the next failure may be reported again (4.5).
    for (auto it = svc.last_message.begin(); it != svc.last_message.end();)
      it = it->first.find("unable to place") != std::string::npos ? svc.last_message.erase(it)
                                                                  : std::next(it);
    const std::size_t inst = *decision.instance;
    PlacedPorts ports = view_.reserve(inst, request.footprint, svc.group);
    t = create_task(
        td, svc.group, svc.deployments[d].id,
        Placement{inst, std::move(ports), instances_[inst].az, false, {}, false, false});
  }
  Task& task = tasks_[t];
  task.service = s;
  task.deployment = d;
  svc.tasks.push_back(t);
  return true;
}

void SimulationState::stop_service_task(std::size_t t, const std::string& reason) {
  request_stop(t, "ServiceSchedulerInitiated", reason);
}

std::optional<std::string> SimulationState::replacement_reason(const Task& task) const {
  const Service& svc = services_[*task.service];
  const bool grace_over =
      !task.started_at || now_ >= *task.started_at + svc.spec.health_check_grace_period;
  if (!grace_over) return std::nullopt;
  if (task.health == HealthStatus::kUnhealthy) return "Task failed container health checks";
  if (lb_)
    for (TargetHandle h : task.targets)
      if (lb_->target_state(h) == TargetState::kUnhealthy) return "Task failed ELB health checks";
  return std::nullopt;
}

void SimulationState::scale_in(std::size_t s, std::vector<std::size_t>& keep, int excess,
                               const std::string& reason) {
  Service& svc = services_[s];
  for (auto it = keep.rbegin(); it != keep.rend() && excess > 0;) {
    if (tasks_[*it].state < TaskState::kRunning) {
      stop_service_task(*it, reason);
      it = std::make_reverse_iterator(keep.erase(std::next(it).base()));
      --excess;
    } else {
      ++it;
    }
  }
  while (excess > 0 && !keep.empty()) {
    // With a capacity provider strategy, the task comes from the provider furthest above its
    // share (ecs-reference 8.1 [INFERRED]); the placement strategy picks among its tasks.
    std::optional<std::string> shed;
    if (!svc.spec.capacity_provider_strategy.empty()) {
      const auto& strategy = svc.spec.capacity_provider_strategy;
      if (auto item = provider_to_shed(shares_of(strategy), provider_counts(strategy, keep)))
        shed = strategy[*item].capacity_provider;
    }
    std::vector<StopCandidate> candidates;
    std::vector<std::size_t> candidate_keep_index;
    auto on_shed_provider = [&](const Task& task) {
      return !shed || (task.capacity_provider &&
                       scenario_.cluster.capacity_providers[*task.capacity_provider].name == *shed);
    };
    for (std::size_t k = 0; k < keep.size(); ++k) {
      const Task& task = tasks_[keep[k]];
      if (!on_shed_provider(task)) continue;
      candidates.push_back({task.ordinal, task.instance ? instances_[*task.instance].view_index : 0,
                            task.footprint.cpu, task.footprint.memory_mib});
      candidate_keep_index.push_back(k);
    }
    ECSIM_ASSERT(!candidates.empty(), "the provider to shed from runs one of the kept tasks");
    std::optional<std::size_t> pick;
    if (!tasks_[keep[candidate_keep_index.front()]].instance) {
      // Fargate tasks have no instance: the zone with the most of the kept tasks, then the
      // newest task [INFERRED, docs/model.md].
      std::map<std::string, int> per_zone;
      for (std::size_t k : candidate_keep_index)
        ++per_zone[tasks_[keep[k]].az];
      for (std::size_t c = 0; c < candidate_keep_index.size(); ++c) {
        const Task& task = tasks_[keep[candidate_keep_index[c]]];
        const Task* best = pick ? &tasks_[keep[candidate_keep_index[*pick]]] : nullptr;
        if (!best || per_zone[task.az] > per_zone[best->az] ||
            (per_zone[task.az] == per_zone[best->az] && task.ordinal > best->ordinal))
          pick = c;
      }
    } else {
      const PlacementRequest request =
          service_placement_request(svc, *tasks_[keep.front()].definition);
      pick = choose_task_to_stop(view_, candidates, request, placement_rng_,
                                 scenario_.placement.tie_break);
    }
    const std::size_t index = candidate_keep_index.at(pick.value_or(0));
    stop_service_task(keep[index], reason);
    keep.erase(keep.begin() + static_cast<std::ptrdiff_t>(index));
    --excess;
  }
}

void SimulationState::reconcile_replica(std::size_t s) {
  Service& svc = services_[s];
  const int desired = svc.status == "ACTIVE" ? svc.spec.desired_count : 0;
  const auto& dc = svc.spec.deployment_configuration;
  // minimumHealthyPercent rounds up, maximumPercent rounds down (6.1).
  const int min_healthy = ceil_percent(desired, dc.minimum_healthy_percent.value_or(100));
  const int max_total = floor_percent(desired, dc.maximum_percent.value_or(200));
  const std::size_t primary = svc.primary;
  Deployment& dep = svc.deployments[primary];
  const std::string scaling_reason = "Scaling activity initiated by (deployment " + dep.id + ")";

  std::vector<std::size_t> keep, replace, stop_now;
  int in_max = 0, healthy = 0;
  bool in_transition = false;
  for (std::size_t t : svc.tasks) {
    const Task& task = tasks_[t];
    if (task.state == TaskState::kStopped) continue;
    if (!task.desired_running) {
      if (scenario_.scheduler.count_stopping_in_maximum) ++in_max;
      in_transition = true;
      continue;
    }
    ++in_max;
    const bool on_draining = on_draining_instance(task);
    // Service tasks still PENDING on a DRAINING instance are stopped at once (3.3).
    if (on_draining && task.state < TaskState::kRunning) {
      stop_now.push_back(t);
      continue;
    }
    const bool unhealthy = replacement_reason(task).has_value();
    const bool counts_healthy = counted_healthy(task);
    if (counts_healthy) ++healthy;
    // Pending tasks, and running ones still waiting to count as healthy, will change the picture
    // by themselves: that is waiting, not a stall.
    if (task.state < TaskState::kRunning || (!counts_healthy && !unhealthy)) in_transition = true;
    if (task.deployment == primary && !on_draining && !unhealthy)
      keep.push_back(t);
    else
      replace.push_back(t);
  }
  bool acted = false;
  for (std::size_t t : stop_now) {
    stop_service_task(
        t, "Service " + svc.spec.service_name + ": container instance is in DRAINING state");
    acted = true;
  }

  // 1. Scale in to the desired count: tasks not yet running first, then by the strategy (4.2, 4.4).
  // Scale-in may stop healthy tasks, so the minimum of step 3 counts what it left.
  int healthy_left = healthy;
  if (static_cast<int>(keep.size()) > desired) {
    scale_in(s, keep, static_cast<int>(keep.size()) - desired, scaling_reason);
    acted = true;
    healthy_left = 0;
    for (const std::vector<std::size_t>* list : {&keep, &replace})
      for (std::size_t t : *list)
        healthy_left += counted_healthy(tasks_[t]);
  }

  // 2. Start tasks of the primary deployment within maximumPercent. A FAILED deployment launches
  // nothing (6.2); the throttle spaces out starts after repeated failures (5.3).
  int want = std::max(0, desired - static_cast<int>(keep.size()));
  const int room = max_total - in_max;
  if (dep.rollout == RolloutState::kFailed) want = 0;
  if (want > 0 && now_ < svc.next_start_allowed) {
    request_reconcile(s, svc.next_start_allowed - now_);
    want = 0;
  }
  const int to_start = std::min(want, room);
  int started = 0;
  bool placement_failed = false;
  while (started < to_start) {
    if (!start_service_task(s, std::nullopt)) {
      placement_failed = true;
      break;
    }
    ++started;
    acted = true;
  }

  // 3. Stop the tasks being replaced: those not healthy at once (they do not count toward the
  // minimum), healthy ones only while the healthy count stays at or above the minimum (6.1, 5.4).
  std::stable_sort(replace.begin(), replace.end(), [&](std::size_t a, std::size_t b) {
    return !counted_healthy(tasks_[a]) && counted_healthy(tasks_[b]);
  });
  int can_stop = healthy_left - min_healthy;
  for (std::size_t t : replace) {
    const Task& task = tasks_[t];
    const std::string reason = replacement_reason(task).value_or(scaling_reason);
    if (!counted_healthy(task)) {
      stop_service_task(t, reason);
      acted = true;
    } else if (can_stop > 0) {
      stop_service_task(
          t, on_draining_instance(task)
                 ? "Service " + svc.spec.service_name + ": container instance is in DRAINING state"
                 : reason);
      --can_stop;
      acted = true;
    }
  }

  // Nothing could move: the deployment configuration itself blocks progress (6.1).
  if (!replace.empty() && !acted && !in_transition && !placement_failed && to_start <= 0)
    service_event(s, "SERVICE_DEPLOYMENT_STALLED",
                  "service " + svc.spec.service_name +
                      " was unable to stop or start tasks during a deployment because of the "
                      "service deployment configuration. Update the minimumHealthyPercent or "
                      "maximumPercent value and try again.");

  if (dep.rollout == RolloutState::kInProgress) {
    dep.min_healthy_seen =
        dep.min_healthy_seen < 0 ? healthy : std::min(dep.min_healthy_seen, healthy);
    dep.peak_tasks = std::max(dep.peak_tasks, in_max + started);
  }
  check_deployment_progress(s);
}

void SimulationState::reconcile_daemon(std::size_t s) {
  Service& svc = services_[s];
  const std::size_t primary = svc.primary;
  const std::string reason =
      "Scaling activity initiated by (deployment " + svc.deployments[primary].id + ")";
  // Live tasks of this service per instance.
  std::map<std::size_t, std::vector<std::size_t>> on_instance;
  for (std::size_t t : svc.tasks) {
    const Task& task = tasks_[t];
    if (task.state != TaskState::kStopped && task.instance)
      on_instance[*task.instance].push_back(t);
  }
  for (std::size_t i = 0; i < instances_.size(); ++i) {
    const Instance& inst = instances_[i];
    auto& here = on_instance[i];
    // Daemon tasks leave instances that stop accepting tasks (3.3), and all of them go when the
    // service is deleted.
    const bool wanted =
        svc.status == "ACTIVE" && inst.status == InstanceStatus::kActive && inst.agent_connected;
    bool has_primary = false, has_live = false;
    for (std::size_t t : here) {
      Task& task = tasks_[t];
      if (!task.desired_running) {
        has_live = true;  // still stopping: maximumPercent 100 waits for it
        continue;
      }
      if (!wanted) {
        stop_service_task(t, "Service " + svc.spec.service_name + ": container instance is in " +
                                 to_string(inst.status) + " state");
        has_live = true;
      } else if (task.deployment != primary) {
        // minimumHealthyPercent 0, maximumPercent 100: stop the old task first (5.1).
        stop_service_task(t, reason);
        has_live = true;
      } else {
        has_primary = true;
      }
    }
    if (wanted && !has_primary && !has_live &&
        svc.deployments[primary].rollout != RolloutState::kFailed && now_ >= svc.next_start_allowed)
      start_service_task(s, i);
  }
  check_deployment_progress(s);
}

void SimulationState::check_deployment_progress(std::size_t s) {
  Service& svc = services_[s];
  const std::size_t primary = svc.primary;
  Deployment& dep = svc.deployments[primary];
  int primary_live = 0, primary_healthy = 0, others_live = 0;
  std::vector<int> live_per_deployment(svc.deployments.size(), 0);
  for (std::size_t t : svc.tasks) {
    const Task& task = tasks_[t];
    if (task.state == TaskState::kStopped) continue;
    ++live_per_deployment[task.deployment];
    if (!task.desired_running) continue;
    if (task.deployment == primary) {
      ++primary_live;
      primary_healthy += counted_healthy(task);
    } else {
      ++others_live;
    }
  }
  int desired = svc.status == "ACTIVE" ? svc.spec.desired_count : 0;
  if (svc.spec.scheduling_strategy == "DAEMON") {
    desired = 0;
    if (svc.status == "ACTIVE")
      for (const Instance& inst : instances_)
        desired += inst.status == InstanceStatus::kActive && inst.agent_connected;
  }
  const bool settled = primary_live == desired && primary_healthy == desired && others_live == 0;
  if (dep.blue_green) {
    advance_blue_green(s);  // blue/green completes through its lifecycle stages (7)
  } else if (dep.rollout == RolloutState::kInProgress && settled) {
    dep.rollout = RolloutState::kCompleted;
    dep.finished_at = now_;
    close_deployment_figures(s, primary);
    deployment_event(s, primary, "SERVICE_DEPLOYMENT_COMPLETED");
  }
  for (std::size_t d = 0; d < svc.deployments.size(); ++d)
    if (d != primary && svc.deployments[d].status == DeploymentStatus::kActive &&
        live_per_deployment[d] == 0)
      svc.deployments[d].status = DeploymentStatus::kInactive;
  if (svc.status == "DRAINING") {
    int live = 0;
    for (int n : live_per_deployment)
      live += n;
    if (live == 0) {
      svc.status = "INACTIVE";
      for (Deployment& d : svc.deployments)
        d.status = DeploymentStatus::kInactive;
    }
    return;
  }
  const bool steady = settled && svc.deployments[primary].rollout == RolloutState::kCompleted;
  if (steady && !svc.steady)
    service_event(s, "SERVICE_STEADY_STATE",
                  "service " + svc.spec.service_name + " has reached a steady state.",
                  Json::object(), false);
  svc.steady = steady;
}

void SimulationState::on_service_task_running(std::size_t t) {
  Task& task = tasks_[t];
  Service& svc = services_[*task.service];
  svc.deployments[task.deployment].any_running = true;  // circuit breaker stage 2 (6.3)
  svc.consecutive_start_failures = 0;                   // INFERRED: a success ends the backoff
  // Without a health check, the task counts as healthy 40 s after RUNNING (6.1): look again then.
  if (!task.has_health_check)
    request_reconcile(*task.service, scenario_.scheduler.healthy_after_running);
}

void SimulationState::on_service_task_stopped(std::size_t t) {
  const Task& task = tasks_[t];
  const std::size_t s = *task.service;
  Service& svc = services_[s];
  if (!task.started_at && task.stop_code != "ServiceSchedulerInitiated" &&
      task.stop_code != "UserInitiated") {
    // A task that never reached RUNNING: the throttle backs off (5.3) and stage 1 of the circuit
    // breaker counts it (6.3).
    ++svc.consecutive_start_failures;
    Duration gap = scenario_.timing.throttle_initial;
    for (int i = 1; i < svc.consecutive_start_failures && gap < scenario_.timing.throttle_max; ++i)
      gap *= 2;
    gap = std::min(gap, scenario_.timing.throttle_max);
    svc.next_start_allowed = now_ + gap;
    if (svc.consecutive_start_failures >= 3)
      service_event(s, "SERVICE_TASK_START_IMPAIRED",
                    "service " + svc.spec.service_name +
                        " is unable to consistently start tasks successfully.");
    count_circuit_breaker_failure(s, task.deployment);
  }
  request_reconcile(s);
}

void SimulationState::on_task_health(std::size_t t, HealthStatus status) {
  Task& task = tasks_[t];
  task.health_event = EventHandle{};
  if (task.state != TaskState::kRunning || !task.desired_running || task.health == status) return;
  task.health = status;
  ++task.version;
  emit_task_state(t);
  if (!task.service) return;  // standalone tasks carry on whatever their health (2.6)
  const std::size_t s = *task.service;
  if (status == HealthStatus::kUnhealthy) {
    count_circuit_breaker_failure(s, task.deployment);  // stage 2 (6.3)
    const Duration grace = services_[s].spec.health_check_grace_period;
    if (now_ < *task.started_at + grace) request_reconcile(s, *task.started_at + grace - now_);
  }
  request_reconcile(s);
}

void SimulationState::count_circuit_breaker_failure(std::size_t s, std::size_t d) {
  Service& svc = services_[s];
  Deployment& dep = svc.deployments[d];
  if (dep.rollout != RolloutState::kInProgress || d != svc.primary) return;
  // Threshold: clamp(ceil(0.5 x desired), 10, 200) (6.3). A blue/green revision that keeps
  // failing to start or to pass health checks fails by the same count [INFERRED].
  const int threshold = std::clamp((svc.spec.desired_count + 1) / 2, 10, 200);
  if (dep.blue_green) {
    if (++dep.failed_tasks >= threshold)
      fail_blue_green(s, d, "tasks in the green revision failed to start or failed health checks",
                      dep.rollback_on_failure);
    return;
  }
  if (!svc.spec.deployment_configuration.circuit_breaker_enable) return;
  ++dep.failed_tasks;
  if (dep.failed_tasks < threshold) return;
  fail_rolling(s, d, "ECS deployment circuit breaker: tasks failed to start.",
               svc.spec.deployment_configuration.circuit_breaker_rollback);
}

void SimulationState::fail_rolling(std::size_t s, std::size_t d, const std::string& reason,
                                   bool rollback) {
  Service& svc = services_[s];
  Deployment& dep = svc.deployments[d];
  dep.rollout = RolloutState::kFailed;
  dep.finished_at = now_;
  dep.reason = reason;
  close_deployment_figures(s, d);
  deployment_event(s, d, "SERVICE_DEPLOYMENT_FAILED");
  if (!rollback) return;
  // Roll back to the last COMPLETED deployment.
  for (std::size_t prev = d; prev-- > 0;) {
    if (svc.deployments[prev].rollout == RolloutState::kCompleted) {
      start_deployment(s, svc.deployments[prev].definition,
                       "rolling back to deployment " + svc.deployments[prev].id);
      return;
    }
  }
}

void SimulationState::service_event(std::size_t s, const std::string& event_name,
                                    const std::string& message, Json extra, bool deduplicate) {
  Service& svc = services_[s];
  if (deduplicate) {
    auto it = svc.last_message.find(message);
    if (it != svc.last_message.end() && now_ - it->second < kEventRepeatAfter) return;
    svc.last_message[message] = now_;
  }
  Json d;
  d["eventType"] = event_name == "SERVICE_STEADY_STATE" ? "INFO" : "WARN";
  d["eventName"] = event_name;
  d["clusterArn"] = cluster_arn_;
  d["serviceArn"] = svc.arn;
  d["createdAt"] = iso(now_);
  d["message"] = message;
  for (auto& [k, v] : extra.items())
    d[k] = v;
  emit("ECS Service Action", std::move(d));
}

void SimulationState::deployment_event(std::size_t s, std::size_t di,
                                       const std::string& event_name) {
  const Service& svc = services_[s];
  const Deployment& dep = svc.deployments[di];
  Json d;
  d["eventType"] = event_name == "SERVICE_DEPLOYMENT_FAILED" ? "ERROR" : "INFO";
  d["eventName"] = event_name;
  d["clusterArn"] = cluster_arn_;
  d["serviceArn"] = svc.arn;
  d["deploymentId"] = dep.id;
  d["taskDefinitionArn"] = dep.definition_arn;
  d["updatedAt"] = iso(now_);
  if (!dep.reason.empty()) d["reason"] = dep.reason;
  emit("ECS Deployment State Change", std::move(d));
}

Json SimulationState::services_summary() const {
  Json out = Json::object();
  for (const Service& svc : services_) {
    Json j;
    j["serviceArn"] = svc.arn;
    j["status"] = svc.status;
    j["schedulingStrategy"] = svc.spec.scheduling_strategy;
    int desired = svc.spec.desired_count;
    if (svc.spec.scheduling_strategy == "DAEMON") {
      // A daemon's desired count is the number of instances it should run on (5.1).
      desired = 0;
      if (svc.status == "ACTIVE")
        for (const Instance& inst : instances_)
          desired += inst.status == InstanceStatus::kActive && inst.agent_connected;
    }
    j["desiredCount"] = desired;
    int running = 0, pending = 0;
    std::map<std::string, int> by_stop_code;
    for (std::size_t t : svc.tasks) {
      const Task& task = tasks_[t];
      if (task.state == TaskState::kRunning && task.desired_running)
        ++running;
      else if (task.state < TaskState::kRunning && task.desired_running)
        ++pending;
      if (task.state == TaskState::kStopped) ++by_stop_code[task.stop_code];
    }
    j["runningCount"] = running;
    j["pendingCount"] = pending;
    j["tasksStarted"] = static_cast<std::int64_t>(svc.tasks.size());
    j["stoppedTasksByStopCode"] = by_stop_code;
    Json deployments = Json::array();
    for (const Deployment& d : svc.deployments)
      deployments.push_back(deployment_summary(svc, d));
    j["deployments"] = std::move(deployments);
    out[svc.spec.service_name] = std::move(j);
  }
  return out;
}

}  // namespace ecsim::detail
