#include "model/simulation_state.hpp"

#include <type_traits>

#include "ecsim/assert.hpp"

#include "model/iso_time.hpp"

namespace ecsim::detail {

namespace {

bool is_pending(TaskState s) {
  return s == TaskState::kProvisioning || s == TaskState::kPending || s == TaskState::kActivating;
}
}  // namespace

const char* to_string(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::kLaunching:
      return "LAUNCHING";
    case InstanceStatus::kRegistering:
      return "REGISTERING";
    case InstanceStatus::kActive:
      return "ACTIVE";
    case InstanceStatus::kDraining:
      return "DRAINING";
    case InstanceStatus::kDeregistering:
      return "DEREGISTERING";
    case InstanceStatus::kInactive:
      return "INACTIVE";
  }
  return "?";
}

const char* to_string(TaskState s) {
  switch (s) {
    case TaskState::kProvisioning:
      return "PROVISIONING";
    case TaskState::kPending:
      return "PENDING";
    case TaskState::kActivating:
      return "ACTIVATING";
    case TaskState::kRunning:
      return "RUNNING";
    case TaskState::kDeactivating:
      return "DEACTIVATING";
    case TaskState::kStopping:
      return "STOPPING";
    case TaskState::kDeprovisioning:
      return "DEPROVISIONING";
    case TaskState::kStopped:
      return "STOPPED";
  }
  return "?";
}

SimulationState::SimulationState(Scenario scenario, std::uint64_t seed, bool check_invariants)
    : scenario_(std::move(scenario)),
      seed_(seed),
      streams_(seed),
      placement_rng_(streams_.stream("placement")),
      fargate_rng_(streams_.stream("fargate-az")),
      end_(TimePoint(scenario_.duration)),
      cluster_arn_("arn:aws:ecs:" + scenario_.region + ":" + scenario_.account_id + ":cluster/" +
                   scenario_.cluster.cluster_name),
      check_invariants_(check_invariants) {
  for (const TaskDefinition& td : scenario_.task_definitions) {
    auto registered = registry_.register_task_definition(td);
    ECSIM_ASSERT(registered.ok(), "a validated task definition failed to register");
  }
  std::vector<MetricAlarmSpec> alarms = scenario_.alarms;
  for (MetricAlarmSpec& a : target_tracking_alarms())
    alarms.push_back(std::move(a));
  if (!alarms.empty())
    alarms_ = std::make_unique<MetricAlarms>(std::move(alarms), scenario_.metrics_period);
}

void SimulationState::run() {
  while (step()) {
  }
}

bool SimulationState::step() {
  if (!started_) {
    started_ = true;
    launch_instances();
    start_auto_scaling_groups();
    start_fargate_capacity();
    start_load_balancing();
    for (const ServiceSpec& spec : scenario_.services)
      create_service(spec);
    start_auto_scaling();
    for (std::size_t i = 0; i < scenario_.timeline.size(); ++i)
      queue_.schedule(TimePoint(scenario_.timeline[i].at), TimelineFire{i}, kPriorityTimeline);
    queue_.schedule(TimePoint(std::min(scenario_.metrics_period, scenario_.duration)),
                    MetricsTick{}, kPriorityMetrics);
  }
  const auto next = queue_.next_time();
  if (!next || *next > end_) {
    now_ = end_;
    close_metrics_period();  // a last, shorter period when the duration is not a whole number
    if (lb_) lb_->check_conservation();  // requests arrived = finished + in flight
    if (check_invariants_) check_periodic_invariants();
    return false;
  }
  // Process every event at this instant, so step() advances the clock exactly once.
  const TimePoint at = *next;
  while (queue_.next_time() == at) {
    auto popped = queue_.pop();
    ECSIM_ASSERT(popped->time >= now_, "event scheduled in the past");
    now_ = popped->time;
    ++events_processed_;
    // Request-level events never change reservations: check after the model's own events only
    // (invariants.cpp). Task state changes are checked as they happen, whatever the event.
    const bool model_event = !std::holds_alternative<LbEvent>(popped->payload);
    handling_ = &popped->payload;
    if (check_invariants_ && model_event) invariants_before_event(popped->payload);
    dispatch(popped->payload);
    if (check_invariants_ && model_event) check_invariants();
    if (check_invariants_ && std::holds_alternative<MetricsTick>(popped->payload))
      check_periodic_invariants();
    handling_ = nullptr;
  }
  return true;
}

void SimulationState::dispatch(const SimEvent& event) {
  std::visit(
      [this](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, InstanceBooted>) on_instance_booted(e.instance);
        if constexpr (std::is_same_v<E, InstanceRegistered>) on_instance_registered(e.instance);
        if constexpr (std::is_same_v<E, InstanceShutDown>) on_instance_shut_down(e.instance);
        if constexpr (std::is_same_v<E, TaskStep>) on_task_step(e.task);
        if constexpr (std::is_same_v<E, ContainerExited>) on_container_exited(e.task, e.container);
        if constexpr (std::is_same_v<E, TimelineFire>) fire(scenario_.timeline[e.action]);
        if constexpr (std::is_same_v<E, MetricsTick>) on_metrics_tick();
        if constexpr (std::is_same_v<E, ServiceReconcile>) reconcile(e.service);
        if constexpr (std::is_same_v<E, TaskHealthCheck>) on_task_health(e.task, e.status);
        if constexpr (std::is_same_v<E, LbEvent>) lb_->handle(e, now_);
        if constexpr (std::is_same_v<E, DeploymentTimer>) on_deployment_timer(e);
        if constexpr (std::is_same_v<E, ScheduledScaling>) on_scheduled_scaling(e);
        if constexpr (std::is_same_v<E, FaultEnds>) on_fault_ends(e);
        if constexpr (std::is_same_v<E, ManagedScalingTick>) on_managed_scaling_tick();
        if constexpr (std::is_same_v<E, CapacityWaitTimeout>) on_capacity_wait_timeout(e.task);
        if constexpr (std::is_same_v<E, PlaceWaitingTasks>) place_waiting_tasks();
        if constexpr (std::is_same_v<E, AsgInstanceCheck>) on_group_instance_check(e.instance);
        if constexpr (std::is_same_v<E, SpotInterruptionDue>) on_spot_interruption_due(e.zone);
        if constexpr (std::is_same_v<E, SpotReclaim>) on_spot_reclaim(e.task);
        if constexpr (std::is_same_v<E, HealthFaultEnds>) {
          if (auto it = unhealthy_services_.find(e.service);
              it != unhealthy_services_.end() && it->second <= now_) {
            unhealthy_services_.erase(it);
            refresh_service_app_health(e.service);
          }
        }
      },
      event);
}

EventHandle SimulationState::schedule_in(Duration delay, SimEvent event) {
  ECSIM_ASSERT(delay.count() >= 0, "negative delay");
  return queue_.schedule(now_ + delay, std::move(event), kPriorityModel);
}

void SimulationState::emit(std::string detail_type, Json detail) {
  if (!on_event.has_slots()) return;
  on_event.emit(EventRecord{now_, std::move(detail_type), std::move(detail)});
}

std::string SimulationState::iso(TimePoint t) const {
  return iso_timestamp(epoch_seconds_, t);
}

void SimulationState::on_metrics_tick() {
  close_metrics_period();
  if (now_ < end_)
    queue_.schedule(std::min(now_ + scenario_.metrics_period, end_), MetricsTick{},
                    kPriorityMetrics);
}

void SimulationState::close_metrics_period() {
  std::int64_t registered = 0;
  for (const Instance& i : instances_)
    registered += i.status == InstanceStatus::kActive || i.status == InstanceStatus::kDraining;
  if (now_ <= metrics_.period_start()) return;
  const TimePoint period_start = metrics_.period_start();
  const std::size_t first_row = metrics_.table().rows.size();
  metrics_.close_period(now_, scenario_.cluster.cluster_name, group_counts_, registered);
  if (lb_) {
    metrics_.append(lb_->close_metrics_period(now_));
    metrics_.append(service_utilization_rows(period_start));
  }
  if (!groups_.empty()) metrics_.append(capacity_provider_rows(period_start));
  evaluate_alarms(first_row);
}

void SimulationState::touch_metrics(std::size_t i) {
  const Instance& inst = instances_[i];
  InstanceLevels levels;
  levels.cpu_reserved = inst.registered_cpu - view_.remaining_cpu(inst.view_index);
  levels.memory_reserved = inst.registered_memory - view_.remaining_memory(inst.view_index);
  // CloudWatch's cluster reservation counts ACTIVE and DRAINING instances.
  if (inst.status == InstanceStatus::kActive || inst.status == InstanceStatus::kDraining) {
    levels.cpu_registered = inst.registered_cpu;
    levels.memory_registered = inst.registered_memory;
  }
  levels.tasks = static_cast<std::int64_t>(inst.tasks.size());
  metrics_.touch(i, now_, levels);
}

void SimulationState::set_state(Task& task, TaskState state) {
  if (check_invariants_) check_transition(task, state);
  GroupCounts& counts = group_counts_[task.group];
  if (is_pending(task.state)) --counts.pending;
  if (task.state == TaskState::kRunning) --counts.running;
  task.state = state;
  if (is_pending(state)) ++counts.pending;
  if (state == TaskState::kRunning) ++counts.running;
}

}  // namespace ecsim::detail
