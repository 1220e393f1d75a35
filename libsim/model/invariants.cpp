// Run-time invariants (docs/reliability.md, "Invariants checked during a run"): with
// RunOptions::check_invariants, the model's bookkeeping is checked as the run goes, and a broken
// invariant stops the run with InternalError naming the simulated time, the event being handled
// and the entity.
//
// When each check runs:
// - at every task state change (set_state): the transition is legal (ecs-reference 1.1, 1.2);
// - after every model event (request-level load balancer events are skipped): the placement
//   view's own bookkeeping, each instance's task list and reservations; after a reconcile pass of
//   a rolling REPLICA service, the maximumPercent and minimumHealthyPercent bounds (6.1);
// - at every metrics tick and at the end of the run (they walk every task and target, too costly
//   for every event): per-group task counts against a recount, each task's record against its
//   state, load balancer registrations against tasks (9.6), and request conservation.
#include <algorithm>
#include <type_traits>

#include "ecsim/assert.hpp"

#include "model/simulation_state.hpp"

namespace ecsim::detail {

namespace {

bool is_pending(TaskState s) {
  return s == TaskState::kProvisioning || s == TaskState::kPending || s == TaskState::kActivating;
}

// The same rounding as the scheduler's (ecs-reference 6.1): minimum up, maximum down.
int ceil_percent(int count, int percent) {
  return (count * percent + 99) / 100;
}
int floor_percent(int count, int percent) {
  return count * percent / 100;
}

// A target the load balancer holds as registered: in service, or waiting for a listener to use
// its group. `draining` and `unused` (Target.NotRegistered) are deregistered.
bool registered(const LoadBalancing& lb, TargetHandle h) {
  const TargetState s = lb.target_state(h);
  if (s == TargetState::kInitial || s == TargetState::kHealthy || s == TargetState::kUnhealthy)
    return true;
  return s == TargetState::kUnused && lb.target_reason(h) == TargetReason::kNotInUse;
}

std::string target_name(const LoadBalancing& lb, TargetHandle h) {
  return "target " + std::to_string(h.index) + " (" + std::string(to_string(lb.target_state(h))) +
         ") of target group " + lb.spec().target_groups[lb.target_group_of(h)].name;
}

}  // namespace

std::string SimulationState::describe_task(std::size_t t) const {
  const Task& task = tasks_[t];
  return "task " + std::to_string(task.ordinal) + " (" + task.group + ", " + to_string(task.state) +
         ")";
}

std::string SimulationState::describe_event(const SimEvent& event) const {
  return std::visit(
      [this, &event](const auto& e) -> std::string {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, InstanceBooted>) {
          return "InstanceBooted of " + instances_[e.instance].ec2_id;
        } else if constexpr (std::is_same_v<E, InstanceRegistered>) {
          return "InstanceRegistered of " + instances_[e.instance].ec2_id;
        } else if constexpr (std::is_same_v<E, InstanceShutDown>) {
          return "InstanceShutDown of " + instances_[e.instance].ec2_id;
        } else if constexpr (std::is_same_v<E, TaskStep>) {
          return "TaskStep of " + describe_task(e.task);
        } else if constexpr (std::is_same_v<E, ContainerExited>) {
          return "ContainerExited of container " + std::to_string(e.container) + " of " +
                 describe_task(e.task);
        } else if constexpr (std::is_same_v<E, TimelineFire>) {
          const TimelineAction& a = scenario_.timeline[e.action];
          return "TimelineFire of " + a.action + " (" + a.pointer + ")";
        } else if constexpr (std::is_same_v<E, MetricsTick>) {
          return "MetricsTick";
        } else if constexpr (std::is_same_v<E, ServiceReconcile>) {
          return "ServiceReconcile of service " + services_[e.service].spec.service_name;
        } else if constexpr (std::is_same_v<E, TaskHealthCheck>) {
          return "TaskHealthCheck (" + std::string(to_string(e.status)) + ") of " +
                 describe_task(e.task);
        } else if constexpr (std::is_same_v<E, LbEvent>) {
          return "a load balancer event (kind " + std::to_string(e.index()) + ")";
        } else if constexpr (std::is_same_v<E, HealthFaultEnds>) {
          return "HealthFaultEnds of service " + services_[e.service].spec.service_name;
        } else if constexpr (std::is_same_v<E, DeploymentTimer>) {
          return "DeploymentTimer of service " + services_[e.service].spec.service_name +
                 ", deployment " + services_[e.service].deployments[e.deployment].id;
        } else if constexpr (std::is_same_v<E, ScheduledScaling>) {
          return "ScheduledScaling (scalable target " + std::to_string(e.target) + ", action " +
                 std::to_string(e.action) + ")";
        } else if constexpr (std::is_same_v<E, FaultEnds>) {
          if (e.what == FaultEnds::What::kZoneOutage)
            return "FaultEnds of zone " + fault_zones_[e.index];
          if (e.what == FaultEnds::What::kAgentDisconnect)
            return "FaultEnds of the agent of " + instances_[e.index].ec2_id;
          return "FaultEnds of a traffic rate";
        } else {
          return "an event (kind " + std::to_string(event.index()) + ")";
        }
      },
      event);
}

std::string SimulationState::invariant_context() const {
  return " [at t=" + format_duration(now_.time_since_epoch()) + ", while handling " +
         (handling_ != nullptr ? describe_event(*handling_)
          : now_ == end_       ? std::string("the end of the run")
                               : std::string("the run's start")) +
         "]";
}

void SimulationState::check_transition(const Task& task, TaskState to) const {
  // PROVISIONING -> PENDING -> ACTIVATING -> RUNNING -> DEACTIVATING -> STOPPING ->
  // DEPROVISIONING -> STOPPED (1.1). A new task (version 0) enters its first state, PROVISIONING
  // or PENDING. While the task is wanted running it moves one step at a time up to RUNNING; once a
  // stop is asked for (desiredStatus STOPPED, 1.2) it may skip forward; it never goes back.
  const TaskState from = task.state;
  const bool first = task.version == 0 && from == TaskState::kProvisioning &&
                     (to == TaskState::kProvisioning || to == TaskState::kPending);
  bool legal = first || to > from;
  if (!first && task.desired_running)
    legal =
        legal && to <= TaskState::kRunning && static_cast<int>(to) == static_cast<int>(from) + 1;
  ECSIM_ASSERT(legal, "illegal task state change of task " + std::to_string(task.ordinal) + " (" +
                          task.group + "): " + to_string(from) + " -> " + to_string(to) +
                          (task.desired_running ? " while desiredStatus is RUNNING"
                                                : " while desiredStatus is STOPPED") +
                          invariant_context());
}

void SimulationState::invariants_before_event(const SimEvent& event) {
  probe_.rolling_reconcile = false;
  const auto* reconcile = std::get_if<ServiceReconcile>(&event);
  if (reconcile == nullptr) return;
  const Service& svc = services_[reconcile->service];
  if (svc.status == "INACTIVE" || svc.spec.scheduling_strategy == "DAEMON") return;
  const Deployment& primary = svc.deployments[svc.primary];
  // Blue/green runs the green revision beside the blue one: its own bounds (7).
  if (primary.blue_green && (primary.rollout == RolloutState::kInProgress || primary.held)) return;
  const int desired = svc.status == "ACTIVE" ? svc.spec.desired_count : 0;
  const auto& dc = svc.spec.deployment_configuration;
  probe_.rolling_reconcile = true;
  probe_.service = reconcile->service;
  probe_.primary = svc.primary;
  probe_.min_healthy = ceil_percent(desired, dc.minimum_healthy_percent.value_or(100));
  probe_.max_total = floor_percent(desired, dc.maximum_percent.value_or(200));
  probe_.tasks_before = tasks_.size();
  probe_.healthy_before.clear();
  for (std::size_t t : svc.tasks)
    if (counted_healthy(tasks_[t])) probe_.healthy_before.push_back(t);
}

void SimulationState::check_rolling_bounds() const {
  if (!probe_.rolling_reconcile) return;
  const Service& svc = services_[probe_.service];
  const std::string& name = svc.spec.service_name;
  // maximumPercent (6.1): a pass that started tasks leaves at most floor(desired x max / 100) of
  // them in the count, which is every task not STOPPED and wanted running, plus the stopping ones
  // when the scheduler counts them (SchedulerSettings::count_stopping_in_maximum). Only a pass
  // that starts tasks is held to it: lowering desiredCount leaves more until they are stopped.
  if (!svc.tasks.empty() && svc.tasks.back() >= probe_.tasks_before) {
    int counted = 0;
    for (std::size_t t : svc.tasks) {
      const Task& task = tasks_[t];
      if (task.state == TaskState::kStopped) continue;
      if (task.desired_running || scenario_.scheduler.count_stopping_in_maximum) ++counted;
    }
    ECSIM_ASSERT(counted <= probe_.max_total,
                 "service " + name + " started tasks up to " + std::to_string(counted) +
                     ", above maximumPercent's ceiling of " + std::to_string(probe_.max_total) +
                     " (ecs-reference 6.1)" + invariant_context());
  }
  // minimumHealthyPercent (6.1): when the pass stopped a healthy task it was replacing (one of an
  // older deployment, or on a DRAINING instance), at least ceil(desired x min / 100) healthy
  // tasks are left. Faults may take the healthy count lower; the scheduler may not, by its own
  // choice. Scale-in to a lower desiredCount stops tasks of the current deployment: not counted.
  int healthy_after = 0, replaced = 0;
  std::size_t example = 0;
  for (std::size_t t : probe_.healthy_before) {
    const Task& task = tasks_[t];
    if (counted_healthy(task)) {
      ++healthy_after;
    } else if (!task.desired_running) {
      const bool on_draining =
          task.instance && instances_[*task.instance].status == InstanceStatus::kDraining;
      if (task.deployment != probe_.primary || on_draining) {
        ++replaced;
        example = t;
      }
    }
  }
  ECSIM_ASSERT(
      replaced == 0 || healthy_after >= probe_.min_healthy,
      "service " + name + " stopped " + std::to_string(replaced) +
          " healthy task(s) it was replacing (e.g. " + describe_task(example) + "), leaving " +
          std::to_string(healthy_after) + " healthy, below minimumHealthyPercent's floor of " +
          std::to_string(probe_.min_healthy) + " (ecs-reference 6.1)" + invariant_context());
}

void SimulationState::check_invariants() const {
  if (auto broken = view_.check_invariants())
    ECSIM_ASSERT(false, "placement view: " + *broken + invariant_context());
  // Each instance's remaining resources equal registered minus what its tasks reserve.
  for (const Instance& inst : instances_) {
    std::int64_t cpu = 0, mem = 0;
    for (std::size_t t : inst.tasks) {
      ECSIM_ASSERT(tasks_[t].holds_resources && tasks_[t].instance == &inst - instances_.data(),
                   describe_task(t) + " is listed on " + inst.ec2_id +
                       " but does not hold resources there" + invariant_context());
      cpu += tasks_[t].footprint.cpu;
      mem += tasks_[t].footprint.memory_mib;
    }
    ECSIM_ASSERT(
        view_.remaining_cpu(inst.view_index) == inst.registered_cpu - cpu,
        "remaining CPU of " + inst.ec2_id + " does not match its tasks" + invariant_context());
    ECSIM_ASSERT(
        view_.remaining_memory(inst.view_index) == inst.registered_memory - mem,
        "remaining memory of " + inst.ec2_id + " does not match its tasks" + invariant_context());
    ECSIM_ASSERT(
        view_.remaining_cpu(inst.view_index) >= 0 && view_.remaining_memory(inst.view_index) >= 0,
        "negative remaining resources on " + inst.ec2_id + invariant_context());
  }
  check_rolling_bounds();
}

void SimulationState::check_periodic_invariants() const {
  const std::string since =
      "; checked at each metrics tick, so it broke after the previous tick (metrics period " +
      format_duration(scenario_.metrics_period) + ")";
  // Per-group counts (CloudWatch's RunningTaskCount, PendingTaskCount) against a recount.
  std::map<std::string, GroupCounts> recount;
  for (const Task& task : tasks_) {
    GroupCounts& c = recount[task.group];
    c.pending += is_pending(task.state);
    c.running += task.state == TaskState::kRunning;
  }
  for (const auto& [group, kept] : group_counts_) {
    const GroupCounts c = recount.count(group) ? recount.at(group) : GroupCounts{};
    ECSIM_ASSERT(kept.running == c.running && kept.pending == c.pending,
                 "task counts of group " + group + " are " + std::to_string(kept.running) +
                     " running, " + std::to_string(kept.pending) + " pending; a recount finds " +
                     std::to_string(c.running) + " and " + std::to_string(c.pending) +
                     invariant_context() + since);
  }
  for (const auto& [group, c] : recount)
    ECSIM_ASSERT(group_counts_.count(group),
                 "group " + group + " has tasks but no counts" + invariant_context());

  // The count of DRAINING instances the scheduler relies on (on_draining_instance).
  const auto draining = std::count_if(instances_.begin(), instances_.end(), [](const Instance& i) {
    return i.status == InstanceStatus::kDraining;
  });
  ECSIM_ASSERT(draining == draining_instances_,
               "the model counts " + std::to_string(draining_instances_) +
                   " DRAINING instances; a recount finds " + std::to_string(draining) +
                   invariant_context() + since);

  // Each task's record agrees with its one state: it holds resources on its instance exactly
  // while it is not STOPPED (and is listed there), a STOPPED task was asked to stop and has its
  // stoppedAt, a RUNNING one is wanted running and has its startedAt.
  for (std::size_t t = 0; t < tasks_.size(); ++t) {
    const Task& task = tasks_[t];
    const bool live_on_instance = task.instance.has_value() && task.state != TaskState::kStopped;
    ECSIM_ASSERT(task.holds_resources == live_on_instance &&
                     (!live_on_instance || instances_[*task.instance].tasks.count(t) == 1),
                 describe_task(t) + (task.holds_resources ? " holds" : " does not hold") +
                     " resources" +
                     (task.instance ? " on " + instances_[*task.instance].ec2_id : "") +
                     invariant_context() + since);
    if (task.state == TaskState::kStopped)
      ECSIM_ASSERT(!task.desired_running && task.stopped_at.has_value() && task.targets.empty(),
                   describe_task(t) +
                       " is STOPPED but still wanted running, without stoppedAt "
                       "or with load balancer targets" +
                       invariant_context() + since);
    if (task.state == TaskState::kRunning)
      ECSIM_ASSERT(task.desired_running && task.started_at.has_value(),
                   describe_task(t) + " is RUNNING but asked to stop, or without startedAt" +
                       invariant_context() + since);
    if (!task.desired_running)
      ECSIM_ASSERT(task.stopping_at.has_value(), describe_task(t) +
                                                     " was asked to stop but has no stoppingAt" +
                                                     invariant_context() + since);
  }

  if (!lb_) return;
  // Load balancer registrations match tasks (9.6): every registered target is held by its task,
  // which is RUNNING (a stopping task deregisters first: DEACTIVATING drains); every RUNNING task
  // of a service with load balancers has one registered target per entry; a task that is not
  // RUNNING holds no registered target.
  for (std::uint32_t i = 0; i < lb_->target_count(); ++i) {
    const TargetHandle h{i};
    if (!registered(*lb_, h)) continue;
    const std::uint64_t key = lb_->task_key(h);
    ECSIM_ASSERT(key < tasks_.size(),
                 target_name(*lb_, h) + " names no task" + invariant_context() + since);
    const Task& task = tasks_[key];
    const bool held = std::find(task.targets.begin(), task.targets.end(), h) != task.targets.end();
    ECSIM_ASSERT(task.state == TaskState::kRunning && held,
                 target_name(*lb_, h) + " is registered but its " + describe_task(key) +
                     (held ? " is not RUNNING" : " does not hold it") +
                     (task.stopped_at ? " (stopped at t=" +
                                            format_duration(task.stopped_at->time_since_epoch()) +
                                            ", stop code " + task.stop_code + ")"
                                      : std::string()) +
                     invariant_context() + since);
  }
  for (std::size_t t = 0; t < tasks_.size(); ++t) {
    const Task& task = tasks_[t];
    if (task.state == TaskState::kRunning && task.service &&
        !services_[*task.service].spec.load_balancers.empty()) {
      bool all = task.targets.size() == services_[*task.service].spec.load_balancers.size();
      for (TargetHandle h : task.targets)
        all = all && registered(*lb_, h) && lb_->task_key(h) == t;
      ECSIM_ASSERT(all, describe_task(t) + " is RUNNING without all its targets registered" +
                            invariant_context() + since);
    } else if (task.state != TaskState::kRunning) {
      for (TargetHandle h : task.targets)
        ECSIM_ASSERT(!registered(*lb_, h), describe_task(t) + " still has " + target_name(*lb_, h) +
                                               " registered" + invariant_context() + since);
    }
  }
  // Requests arrived = succeeded + failed + in flight, overall and per target group.
  if (auto problem = lb_->conservation_problem())
    ECSIM_ASSERT(false, "requests are not conserved: " + *problem + invariant_context() + since);
}

}  // namespace ecsim::detail
