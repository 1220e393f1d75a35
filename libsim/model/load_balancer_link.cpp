// Between services and the load balancer (ecs-reference 1.1, 1.4, 6.1, 9): service tasks become
// targets when RUNNING; target health decides when they count as healthy; a stopping task is
// deregistered, drained, and only then sent SIGTERM.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ecsim/assert.hpp"

#include "model/request_tag.hpp"
#include "model/simulation_state.hpp"
#include "model/taskdef_access.hpp"

namespace ecsim::detail {

void SimulationState::start_load_balancing() {
  if (scenario_.load_balancing.empty()) return;
  // Health checks put an event per target seconds ahead while requests come and go within
  // milliseconds: keep the far ones out of the heap that every request's events go through
  // (event_queue.hpp). The order of events does not depend on it.
  queue_.set_far_horizon(kSecond);
  lb_scheduler_ = std::make_unique<EventQueueLbScheduler<SimEvent>>(queue_, kPriorityModel);
  LoadBalancingOptions options;
  options.region = scenario_.region;
  options.account_id = scenario_.account_id;
  lb_ =
      std::make_unique<LoadBalancing>(scenario_.load_balancing, streams_, *lb_scheduler_, options);
  lb_->on_target_health().connect([this](const TargetHealthChange& c) { on_target_health(c); });
  lb_->on_target_drained().connect([this](const TargetDrained& d) { on_target_drained(d); });
  // Per-deployment figures: failed requests and which revisions answered (ecs-reference 7).
  lb_->on_request_finished().connect([this](const RequestFinished& r) { on_request_finished(r); });
  lb_->start(now_);
}

namespace {

// The host port a bridge or host task exposes for `container_port` of `container`: a static
// hostPort as given, else the dynamic port assigned to it (dynamic ports are handed out in
// definition order after the static ones; see PlacedPorts).
std::optional<int> host_port_for(const TaskDefinition& td, const PlacedPorts& ports,
                                 const std::string& container, int container_port) {
  std::size_t dynamic_index = 0;
  const std::size_t statics = reservation_for(td).static_tcp_ports.size();
  for (const auto& c : td.container_definitions) {
    for (const auto& m : c.port_mappings) {
      if (m.protocol != TransportProtocol::kTcp || m.container_port_range) continue;
      const bool dynamic = !m.host_port || *m.host_port == 0;
      if (c.name == container && m.container_port == container_port) {
        if (!dynamic) return *m.host_port;
        if (statics + dynamic_index < ports.tcp.size()) return ports.tcp[statics + dynamic_index];
        return std::nullopt;
      }
      if (dynamic) ++dynamic_index;
    }
  }
  return std::nullopt;
}

}  // namespace

void SimulationState::register_targets(std::size_t t) {
  Task& task = tasks_[t];
  if (!lb_ || !task.service) return;
  const Service& svc = services_[*task.service];
  const bool healthy = app_healthy(task);
  double error_rate = 0;  // a faulty release answers this share with 500
  for (const auto& c : task.definition->container_definitions)
    if (c.essential) error_rate = std::max(error_rate, c.simulation.error_rate);
  // Blue/green: the deployment's side of the target group pair.
  const int slot = svc.deployments[task.deployment].target_group_slot;
  for (const ServiceLoadBalancerSpec& lb : svc.spec.load_balancers) {
    const std::optional<std::size_t> group = target_group_of(lb, slot);
    TargetInfo info;
    info.task_key = t;
    info.availability_zone = task.az;
    info.cpu_units = task.footprint.cpu;
    info.memory_mib = task.footprint.memory_mib;
    info.app_healthy = healthy;
    info.tag = service_target_tag(*task.service, task.deployment);
    // awsvpc and Fargate: the task's own address; bridge and host: the instance and host port.
    if (!task.private_ip.empty()) {
      info.address = task.private_ip + ":" + std::to_string(lb.container_port);
    } else {
      auto port = host_port_for(*task.definition, task.ports, lb.container_name, lb.container_port);
      info.address = instances_[*task.instance].ec2_id + ":" +
                     std::to_string(port.value_or(lb.container_port));
    }
    task.targets.push_back(lb_->register_target(*group, std::move(info), now_));
    if (error_rate > 0) lb_->set_app_error_rate(task.targets.back(), error_rate, now_);
  }
  if (!task.targets.empty())
    task.usage_at_period_start = lb_->target_usage(task.targets.front(), now_);
}

void SimulationState::refresh_service_app_health(std::size_t s) {
  if (!lb_) return;
  for (std::size_t t : services_[s].tasks)
    refresh_app_health(t);
}

MetricsTable SimulationState::service_utilization_rows(TimePoint period_start) {
  // ECSServiceAverageCPUUtilization / MemoryUtilization: the average over the service's tasks of
  // each task's utilization in the period, from the work its target did (ecs-reference 10).
  MetricsTable table;
  table.metric_names = {"CPUUtilization", "MemoryUtilization"};
  const double t0 = to_seconds(period_start);
  for (const Service& svc : services_) {
    double cpu = 0, memory = 0;
    int n_cpu = 0, n_memory = 0;
    for (std::size_t t : svc.tasks) {
      Task& task = tasks_[t];
      if (task.targets.empty()) continue;
      const TargetUsage now_usage = lb_->target_usage(task.targets.front(), now_);
      const double c = now_usage.cpu_utilization_since(task.usage_at_period_start);
      const double m = now_usage.memory_utilization_since(task.usage_at_period_start);
      // NaN without time or without a CPU limit.
      if (!std::isnan(c)) {
        cpu += c;
        ++n_cpu;
      }
      if (!std::isnan(m)) {
        memory += m;
        ++n_memory;
      }
      task.usage_at_period_start = now_usage;
    }
    if (n_cpu == 0 && n_memory == 0) continue;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    table.rows.push_back({t0,
                          "service",
                          svc.spec.service_name,
                          {n_cpu ? cpu / n_cpu : nan, n_memory ? memory / n_memory : nan}});
  }
  return table;
}

bool SimulationState::deregister_targets(std::size_t t) {
  Task& task = tasks_[t];
  if (!lb_ || task.targets.empty()) return false;
  // Deregister first; SIGTERM follows once every target has drained (ecs-reference 1.4).
  task.targets_draining = static_cast<int>(task.targets.size());
  for (TargetHandle h : task.targets)
    lb_->deregister_target(h, now_);
  return task.targets_draining > 0;
}

void SimulationState::targets_gone(std::size_t t) {
  Task& task = tasks_[t];
  if (!lb_) return;
  const std::vector<TargetHandle> targets = task.targets;  // the signals below may clear them
  for (TargetHandle h : targets) {
    lb_->set_target_stopped(h, now_);
    // ECS deregisters the targets of a task that stopped (ecs-reference 9.6); without this a
    // lost host's targets stayed registered for the rest of the run (found by the invariant
    // checks in a chaos run, docs/reliability.md). A target already draining is left as it is.
    lb_->deregister_target(h, now_);
  }
  if (!task.targets.empty())  // for the cost summary (cost_link.cpp)
    task.cpu_used_unit_micros += lb_->target_usage(task.targets.front(), now_).cpu_unit_micros;
  task.targets.clear();
  task.targets_draining = 0;
}

bool SimulationState::targets_healthy(const Task& task) const {
  if (!lb_) return true;
  for (TargetHandle h : task.targets)
    if (lb_->target_state(h) != TargetState::kHealthy) return false;
  return true;
}

void SimulationState::on_target_health(const TargetHealthChange& change) {
  Json detail = lb_->target_health_detail(change);
  emit("ecsim Target Health Change", std::move(detail));
  const std::size_t t = static_cast<std::size_t>(change.task_key);
  if (t >= tasks_.size()) return;
  const Task& task = tasks_[t];
  if (!task.service) return;
  if (change.state == TargetState::kUnhealthy && task.desired_running) {
    // A failed ELB health check counts for the circuit breaker's second stage (6.3).
    count_circuit_breaker_failure(*task.service, task.deployment);
    const Duration grace = services_[*task.service].spec.health_check_grace_period;
    if (task.started_at && now_ < *task.started_at + grace)
      request_reconcile(*task.service, *task.started_at + grace - now_);
  }
  request_reconcile(*task.service);
}

void SimulationState::on_target_drained(const TargetDrained& drained) {
  const std::size_t t = static_cast<std::size_t>(drained.task_key);
  if (t >= tasks_.size()) return;
  Task& task = tasks_[t];
  if (task.targets_draining == 0) return;
  if (--task.targets_draining > 0) return;
  if (!task.targets.empty())  // for the cost summary (cost_link.cpp)
    task.cpu_used_unit_micros += lb_->target_usage(task.targets.front(), now_).cpu_unit_micros;
  task.targets.clear();
  // Drained: now the stop signal (ecs-reference 1.4).
  if (task.state == TaskState::kDeactivating) {
    queue_.cancel(task.next_step);
    enter(t, TaskState::kStopping, stopping_duration(task));
  }
}

}  // namespace ecsim::detail
