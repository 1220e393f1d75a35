// The task state machine (ecs-reference 1): PROVISIONING -> PENDING -> ACTIVATING -> RUNNING ->
// DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED, with lastStatus trailing desiredStatus,
// containers started in dependency order, and the SIGTERM -> stopTimeout -> SIGKILL sequence.
#include <algorithm>
#include <cmath>

#include "ecsim/assert.hpp"
#include "ecsim/ids.hpp"

#include "model/simulation_state.hpp"
#include "model/taskdef_access.hpp"

namespace ecsim::detail {

namespace {
// Exit codes the agent reports: an app that exits on SIGTERM (INFERRED 0: a well-behaved app),
// and one killed by SIGKILL after stopTimeout (128 + 9).
constexpr int kExitCodeGraceful = 0;
constexpr int kExitCodeSigkill = 137;
}  // namespace

std::size_t SimulationState::create_task(const TaskDefinition* td, std::string group,
                                         std::string started_by, Placement placement) {
  const bool fargate = placement.fargate;
  const std::size_t index = tasks_.size();
  Task task;
  task.ordinal = index + 1;
  task.arn = "arn:aws:ecs:" + scenario_.region + ":" + scenario_.account_id + ":task/" +
             scenario_.cluster.cluster_name + "/" + ecs_hex_id(task.ordinal);
  task.definition_arn = "arn:aws:ecs:" + scenario_.region + ":" + scenario_.account_id +
                        ":task-definition/" + td->family + ":" + std::to_string(td->revision);
  task.group = std::move(group);
  task.started_by = std::move(started_by);
  task.fargate = fargate;
  task.instance = placement.instance;
  task.capacity_provider = placement.capacity_provider;
  task.spot = placement.spot;
  task.awaiting_capacity = placement.awaiting_capacity;
  task.az = std::move(placement.az);
  task.ports = std::move(placement.ports);
  task.created_at = now_;
  task.footprint = footprint_of(*td);
  // A task waiting for capacity gets its ENI once it has a zone (place_waiting_tasks).
  if (fargate || (uses_awsvpc(*td) && !placement.awaiting_capacity)) assign_private_ip(task);
  for (const auto& c : td->container_definitions) {
    task.containers.push_back({c.name, "PENDING", {}, ""});
    task.has_health_check |= c.essential && c.health_check.has_value();
  }
  task.definition = td;
  if (task.instance) {
    // The placement engine reserved the resources before the task existed.
    task.holds_resources = true;
    instances_[*task.instance].tasks.insert(index);
  }
  // Every task starts counted as pending; enter() below moves it to its first real state.
  ++group_counts_[task.group].pending;
  tasks_.push_back(std::move(task));
  ++tasks_started_;
  if (tasks_[index].instance) touch_metrics(*tasks_[index].instance);

  const Task& t = tasks_[index];
  // PROVISIONING exists for the ENI of awsvpc tasks (ecs-reference 1.1) and for capacity an Auto
  // Scaling group provider is still adding (8.3); other EC2 tasks begin in PENDING, waiting for
  // the agent.
  if (t.awaiting_capacity) {
    enter(index, TaskState::kProvisioning, std::nullopt);
    schedule_in(scenario_.timing.capacity_provisioning_timeout, CapacityWaitTimeout{index});
  } else if (fargate)
    enter(index, TaskState::kProvisioning, scenario_.timing.fargate_eni_provisioning);
  else if (uses_awsvpc(*t.definition))
    enter(index, TaskState::kProvisioning, scenario_.timing.ec2_eni_attach);
  else
    enter(index, TaskState::kPending, scenario_.timing.agent_pickup);
  return index;
}

void SimulationState::assign_private_ip(Task& task) const {
  // Its own ENI in the zone's subnet (ecs-reference 2.4): a deterministic private address,
  // 10.<zone>.<high>.<low>, unique per task.
  const auto& zones = scenario_.cluster.availability_zones;
  const auto z = static_cast<int>(std::find(zones.begin(), zones.end(), task.az) - zones.begin());
  const std::uint64_t n = task.ordinal;
  task.private_ip = "10." + std::to_string(z) + "." + std::to_string(n / 250 % 250) + "." +
                    std::to_string(n % 250 + 4);
}

void SimulationState::enter(std::size_t t, TaskState state, std::optional<Duration> next_in) {
  Task& task = tasks_[t];
  set_state(task, state);
  ++task.version;
  if (next_in) task.next_step = schedule_in(*next_in, TaskStep{t});
  emit_task_state(t);
  if (state == TaskState::kRunning) schedule_health(t);
  if (task.service) {
    if (state == TaskState::kRunning) on_service_task_running(t);
    if (state == TaskState::kStopped) on_service_task_stopped(t);
    request_reconcile(*task.service);
  }
}

void SimulationState::schedule_health(std::size_t t) {
  // Container health checks (ecs-reference 2.6): a passing check makes a container HEALTHY at its
  // first probe, one interval after start; a failing one is UNHEALTHY after `retries` failed probes
  // once the start period is over. The task is UNHEALTHY when any essential container is, HEALTHY
  // when all essential containers are (so an essential container without a check keeps it UNKNOWN).
  Task& task = tasks_[t];
  if (!task.has_health_check) return;
  std::optional<Duration> healthy_at, unhealthy_at;
  bool all_checked = true;
  for (const auto& c : task.definition->container_definitions) {
    if (!c.essential) continue;
    if (!c.health_check) {
      all_checked = false;
      continue;
    }
    const HealthCheck& hc = *c.health_check;
    if (c.simulation.healthy) {
      healthy_at = std::max(healthy_at.value_or(Duration{0}), hc.interval);
    } else {
      const std::int64_t probes_in_start = hc.start_period / hc.interval;
      const Duration at = (probes_in_start + hc.retries) * hc.interval;
      unhealthy_at = std::min(unhealthy_at.value_or(at), at);
    }
  }
  if (unhealthy_at)
    task.health_event = schedule_in(*unhealthy_at, TaskHealthCheck{t, HealthStatus::kUnhealthy});
  else if (all_checked && healthy_at)
    task.health_event = schedule_in(*healthy_at, TaskHealthCheck{t, HealthStatus::kHealthy});
}

void SimulationState::on_task_step(std::size_t t) {
  Task& task = tasks_[t];
  task.next_step = EventHandle{};
  switch (task.state) {
    case TaskState::kProvisioning:
      enter(t, TaskState::kPending, scenario_.timing.agent_pickup);
      return;
    case TaskState::kPending: {
      task.pull_started_at = now_;
      const Duration d = activation_duration(task);
      enter(t, TaskState::kActivating, d);
      return;
    }
    case TaskState::kActivating: {
      if (!task.failed_image.empty()) {
        // The pull failed: the task stops without ever running (stop code TaskFailedToStart).
        task.desired_running = false;
        task.stop_code = "TaskFailedToStart";
        task.stopped_reason =
            "CannotPullContainerError: pull image manifest has been retried 5 "
            "time(s): failed to resolve ref " +
            task.failed_image + ": not found";
        task.stopping_at = now_;
        for (ContainerRun& c : task.containers)
          c.last_status = "STOPPED";
        if (task.fargate || uses_awsvpc(*task.definition)) {
          enter(t, TaskState::kDeprovisioning, scenario_.timing.eni_detach);
          return;
        }
        task.stopped_at = now_;
        release_resources(t);
        ++stop_codes_[task.stop_code];
        enter(t, TaskState::kStopped, std::nullopt);
        return;
      }
      task.started_at = now_;
      ++tasks_reached_running_;
      for (ContainerRun& c : task.containers)
        c.last_status = "RUNNING";
      // Containers that exit on their own (batch work) are scheduled now.
      const auto& defs = task.definition->container_definitions;
      task.container_exits.clear();
      for (std::size_t c = 0; c < defs.size(); ++c)
        if (auto after = defs[c].simulation.exit_after)
          task.container_exits.push_back(schedule_in(*after, ContainerExited{t, c}));
      enter(t, TaskState::kRunning, std::nullopt);
      register_targets(t);
      return;
    }
    case TaskState::kDeactivating:
      enter(t, TaskState::kStopping, stopping_duration(task));
      return;
    case TaskState::kStopping: {
      const auto& defs = task.definition->container_definitions;
      for (std::size_t c = 0; c < task.containers.size(); ++c) {
        ContainerRun& run = task.containers[c];
        if (run.last_status == "STOPPED") continue;
        const bool killed = app_stop_time(defs[c], scenario_.timing) > stop_timeout(defs[c]);
        run.last_status = "STOPPED";
        run.exit_code = killed ? kExitCodeSigkill : kExitCodeGraceful;
      }
      if (task.fargate || uses_awsvpc(*task.definition)) {
        enter(t, TaskState::kDeprovisioning, scenario_.timing.eni_detach);
        return;
      }
      [[fallthrough]];
    }
    case TaskState::kDeprovisioning:
      task.stopped_at = now_;
      release_resources(t);
      ++stop_codes_[task.stop_code];
      enter(t, TaskState::kStopped, std::nullopt);
      return;
    case TaskState::kRunning:
    case TaskState::kStopped:
      break;
  }
  ECSIM_ASSERT(false, std::string("unexpected lifecycle step in state ") + to_string(task.state));
}

Duration SimulationState::activation_duration(Task& task) {
  const auto& defs = task.definition->container_definitions;
  const double throughput = task.fargate ? scenario_.timing.fargate_image_pull_mib_per_s
                                         : scenario_.timing.ec2_image_pull_mib_per_s;
  // Images are pulled one after another (the agent's default); an image already on the instance
  // costs nothing. Fargate has no image cache.
  Instance* inst = task.instance ? &instances_[*task.instance] : nullptr;
  TimePoint pulled = now_;
  for (const auto& c : defs) {
    // A FailImagePull fault: the pull gives up and the task cannot start (ecs-reference 1.3).
    if (auto f = failing_images_.find(c.image); f != failing_images_.end() && now_ < f->second) {
      task.failed_image = c.image;
      return (pulled - now_) + scenario_.timing.image_pull_failure;
    }
    if (inst != nullptr) {
      if (auto it = inst->image_ready_at.find(c.image); it != inst->image_ready_at.end()) {
        pulled = std::max(pulled, it->second);  // cached, or wait for the pull under way
        continue;
      }
    }
    const double mib =
        c.simulation.image_size_mib.value_or(scenario_.timing.default_image_size_mib);
    pulled += Duration(static_cast<std::int64_t>(std::llround(mib / throughput * 1e6)));
    if (inst != nullptr) inst->image_ready_at[c.image] = pulled;
  }
  task.pull_stopped_at = pulled;
  const Duration pull = pulled - now_;
  // Then containers start in dependsOn order (ecs-reference 2.5), each after the one before.
  Duration start{0};
  for (std::size_t c : container_start_order(*task.definition))
    start += defs[c].simulation.start_duration.value_or(scenario_.timing.container_start);
  return pull + start;
}

Duration SimulationState::stopping_duration(const Task& task) const {
  // SIGTERM goes to every container; each exits after the app's shutdown time or is killed at its
  // stopTimeout (ecs-reference 1.4). The task stops when the slowest container has stopped.
  Duration longest{0};
  const auto& defs = task.definition->container_definitions;
  for (std::size_t c = 0; c < defs.size(); ++c) {
    if (task.containers[c].last_status == "STOPPED") continue;
    longest = std::max(longest,
                       std::min(app_stop_time(defs[c], scenario_.timing), stop_timeout(defs[c])));
  }
  return longest;
}

void SimulationState::request_stop(std::size_t t, std::string stop_code, std::string reason) {
  Task& task = tasks_[t];
  if (!task.desired_running) return;
  task.desired_running = false;
  task.stop_code = std::move(stop_code);
  task.stopped_reason = std::move(reason);
  task.stopping_at = now_;
  queue_.cancel(task.next_step);
  queue_.cancel(task.health_event);
  for (EventHandle h : task.container_exits)
    queue_.cancel(h);
  // desiredStatus changes first, while lastStatus trails it (ecs-reference 1.2).
  ++task.version;
  emit_task_state(t);
  const bool eni = task.fargate || uses_awsvpc(*task.definition);
  switch (task.state) {
    case TaskState::kProvisioning:
    case TaskState::kPending:
      // Nothing was started: only the ENI, if any, must be released.
      if (eni) {
        enter(t, TaskState::kDeprovisioning, scenario_.timing.eni_detach);
      } else {
        task.next_step = schedule_in(Duration{0}, TaskStep{t});
        set_state(task, TaskState::kDeprovisioning);  // the step below completes the stop
      }
      return;
    case TaskState::kActivating:
      enter(t, TaskState::kStopping, stopping_duration(task));
      return;
    case TaskState::kRunning:
      // Deregister from the load balancer and wait for draining; without one, a short pause.
      if (deregister_targets(t))
        enter(t, TaskState::kDeactivating, std::nullopt);
      else
        enter(t, TaskState::kDeactivating, scenario_.timing.deactivation);
      return;
    default:
      return;
  }
}

void SimulationState::kill_task_now(std::size_t t, std::string stop_code, std::string reason) {
  Task& task = tasks_[t];
  queue_.cancel(task.next_step);
  queue_.cancel(task.health_event);
  for (EventHandle h : task.container_exits)
    queue_.cancel(h);
  if (task.state == TaskState::kStopped) return;
  if (task.desired_running) {
    task.desired_running = false;
    task.stop_code = std::move(stop_code);
    task.stopped_reason = std::move(reason);
    task.stopping_at = now_;
  }
  targets_gone(t);  // the host is gone: what the targets held is cut
  for (ContainerRun& c : task.containers) {
    if (c.last_status == "RUNNING") c.exit_code = kExitCodeSigkill;
    c.last_status = "STOPPED";
  }
  task.stopped_at = now_;
  release_resources(t);
  ++stop_codes_[task.stop_code];
  enter(t, TaskState::kStopped, std::nullopt);
}

void SimulationState::on_container_exited(std::size_t t, std::size_t c) {
  Task& task = tasks_[t];
  if (task.state != TaskState::kRunning) return;
  const auto& def = task.definition->container_definitions[c];
  ContainerRun& run = task.containers[c];
  run.last_status = "STOPPED";
  run.exit_code = def.simulation.exit_code;
  // An essential container's exit stops the whole task (ecs-reference 1.3, 2.1).
  if (def.essential) {
    request_stop(t, "EssentialContainerExited", "Essential container in task exited");
  } else {
    ++task.version;
    emit_task_state(t);
  }
}

void SimulationState::release_resources(std::size_t t) {
  Task& task = tasks_[t];
  if (!task.holds_resources) return;
  task.holds_resources = false;
  if (!task.instance) return;
  Instance& inst = instances_[*task.instance];
  view_.release(inst.view_index, task.footprint, task.group, task.ports);
  inst.tasks.erase(t);
  touch_metrics(*task.instance);
  // Room for a task waiting on its capacity provider; a group instance being scaled in may be
  // empty now.
  schedule_waiting_pass();
  if (inst.asg_terminating) schedule_in(Duration{0}, AsgInstanceCheck{*task.instance});
}

}  // namespace ecsim::detail
