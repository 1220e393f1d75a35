// SimulationState: everything one run owns: the clock, the event queue, the random streams, the
// container instances, the tasks and the counters the summary reports.
//
// Models are split by concern into files that share this one class: cluster_instances.cpp
// (container instance lifecycle), task_lifecycle.cpp (the task state machine), timeline_actions.cpp
// (AWS calls and faults from the scenario), task_events.cpp (event details in AWS's shape),
// summary.cpp. Entities are held in vectors and named by index; nothing iterates a hash container.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "ecsim/capacity_provider.hpp"
#include "ecsim/event_queue.hpp"
#include "ecsim/event_record.hpp"
#include "ecsim/instance_types.hpp"
#include "ecsim/placement.hpp"
#include "ecsim/random.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/signal.hpp"
#include "ecsim/task_definition.hpp"

#include "alarms/metric_alarms.hpp"
#include "model/invariants.hpp"
#include "model/metrics_recorder.hpp"

namespace ecsim::detail {

using Json = nlohmann::ordered_json;

enum class InstanceStatus {
  kLaunching,
  kRegistering,
  kActive,
  kDraining,
  kDeregistering,
  kInactive
};
const char* to_string(InstanceStatus s);

enum class TaskState : std::uint8_t {
  kProvisioning,
  kPending,
  kActivating,
  kRunning,
  kDeactivating,
  kStopping,
  kDeprovisioning,
  kStopped
};
const char* to_string(TaskState s);

struct Instance {
  std::string ec2_id;
  std::string arn;
  InstanceType type;
  std::string az;
  InstanceStatus status = InstanceStatus::kLaunching;
  bool agent_connected = false;
  std::int64_t registered_cpu = 0;
  std::int64_t registered_memory = 0;
  int eni_slots = 0;
  std::map<std::string, std::string> attributes;
  std::set<std::size_t> tasks;  // indexes of tasks holding resources here
  // When each image is (or will be) on the instance: a second task pulling the same image waits
  // for the pull already under way instead of starting its own.
  std::map<std::string, TimePoint> image_ready_at;
  std::size_t view_index = 0;  // its row in the placement ClusterView
  TimePoint launched_at{};
  std::optional<TimePoint> registered_at;
  std::optional<TimePoint> terminated_at;
  std::optional<std::size_t> asg;   // the Auto Scaling group that launched it
  bool asg_terminating = false;     // its group is scaling it in (draining first when managed)
  bool scale_in_protected = false;  // NewInstancesProtectedFromScaleIn, without managed protection
};

struct ContainerRun {
  std::string name;
  std::string last_status = "PENDING";  // PENDING, RUNNING, STOPPED
  std::optional<int> exit_code;
  std::string reason;
};

enum class DeploymentStatus { kPrimary, kActive, kInactive };
enum class RolloutState { kInProgress, kCompleted, kFailed };
const char* to_string(DeploymentStatus s);
const char* to_string(RolloutState s);

// One deployment of a service (ecs-reference 6.2), with the figures summary.json reports.
struct Deployment {
  std::string id;
  const TaskDefinition* definition = nullptr;
  std::string definition_arn;
  DeploymentStatus status = DeploymentStatus::kPrimary;
  RolloutState rollout = RolloutState::kInProgress;
  std::string reason;  // why it started (e.g. a rollback) or failed
  TimePoint created_at{};
  std::optional<TimePoint> finished_at;
  int desired_at_start = 0;
  int failed_tasks = 0;      // circuit breaker count (6.3)
  bool any_running = false;  // stage 2 of the circuit breaker has begun
  // What a run tells about it.
  int min_healthy_seen = -1;
  int peak_tasks = 0;
  std::uint64_t requests_failed_at_start = 0;  // the service's failed requests when it began
  std::optional<std::uint64_t> requests_failed_at_end;
  // The whole seconds of simulated time in which its tasks answered requests, as [from, to]
  // runs (requests finish in time order, so appending is enough).
  std::vector<std::pair<std::int64_t, std::int64_t>> served_seconds;

  // Which target group of each load balancer entry its tasks join: 0 targetGroupArn, 1 the
  // alternate (blue/green flips it per deployment).
  int target_group_slot = 0;
  // Blue/green, linear, canary (ecs-reference 7): set when this deployment replaces a running
  // revision through traffic shifting instead of a rolling update.
  bool blue_green = false;
  bool code_deploy = false;
  std::string code_deploy_id;       // "d-..." for CodeDeploy deployments
  std::optional<std::size_t> blue;  // the deployment it replaces
  TrafficShiftSpec shift;
  Duration wait_after_shift{0};  // bake time (7.2) or terminationWaitTimeInMinutes (7.1)
  bool rollback_on_failure = true;
  bool rollback_on_alarm = false;
  std::vector<std::string> alarms;  // watched while it is in progress
  std::string stage;                // the lifecycle stage it is in
  int green_permille = 0;           // production traffic on the green revision
  bool cleaning_up = false;         // the blue revision is being scaled down
  bool held = false;                // failed without rollback: both revisions stay as they are
  enum class Phase { kScaleUp, kShifting, kWaiting, kCleanUp };
  Phase phase = Phase::kScaleUp;
  std::uint32_t timer_generation = 0;
  std::vector<std::pair<TimePoint, std::string>> stages;  // for the summary
};

// ROLLING, BLUE_GREEN, LINEAR, CANARY or CODE_DEPLOY: how this deployment replaces tasks.
const char* strategy_name(const Deployment& d, const ServiceSpec& spec);

struct Service {
  ServiceSpec spec;  // desiredCount, deployment configuration and grace period change with updates
  std::string arn;
  std::string group;              // "service:<name>"
  std::string status = "ACTIVE";  // ACTIVE, DRAINING (deleted), INACTIVE
  std::vector<Deployment> deployments;
  std::size_t primary = 0;            // the PRIMARY deployment (the newest, unless rolled back)
  std::uint64_t requests_failed = 0;  // on its target groups, for per-deployment figures
  std::vector<std::size_t> tasks;     // every task it ever started
  std::vector<PlacementStrategySpec> strategies;
  int consecutive_start_failures = 0;  // throttle (5.3)
  TimePoint next_start_allowed{};
  bool reconcile_pending = false;
  std::optional<TimePoint> retry_at;
  bool steady = false;
  std::map<std::string, TimePoint> last_message;  // de-duplication of service events (4.5)
};

struct Task {
  // First, what the service scheduler reads of every task of a service at each reconciliation:
  // two cache lines instead of six on a large cluster (docs/performance.md).
  TaskState state = TaskState::kProvisioning;
  bool desired_running = true;
  HealthStatus health = HealthStatus::kUnknown;  // task healthStatus (ecs-reference 2.6)
  bool has_health_check = false;                 // an essential container defines one
  std::optional<std::size_t> instance;
  std::optional<std::size_t> service;  // the service that started it
  std::size_t deployment = 0;          // index into the service's deployments
  std::optional<TimePoint> started_at;
  std::vector<TargetHandle> targets;  // its load balancer targets, while registered

  std::uint64_t ordinal = 0;
  std::string arn;
  const TaskDefinition* definition = nullptr;  // owned by the registry, stable
  std::string definition_arn;
  std::string group;
  std::string started_by;
  bool fargate = false;
  std::string az;
  std::string stop_code;
  std::string stopped_reason;
  TimePoint created_at{};
  std::optional<TimePoint> pull_started_at, pull_stopped_at, stopping_at, stopped_at;
  EventHandle next_step;  // the pending lifecycle transition, cancelled by an early stop
  std::vector<ContainerRun> containers;
  std::vector<EventHandle> container_exits;
  TaskFootprint footprint;
  PlacedPorts ports;  // host ports held on the instance
  bool holds_resources = false;
  int version = 0;
  std::string failed_image;  // set when an image pull fails: the task stops in ACTIVATING
  std::string private_ip;    // awsvpc and Fargate: the address of the task's own ENI
  // DEACTIVATING waits for this many targets to drain (ecs-reference 9.6).
  int targets_draining = 0;
  // The first target's usage when the metrics period began, for utilization per period.
  TargetUsage usage_at_period_start;
  // Its targets' CPU use, added when they are gone (for the cost summary, cost_link.cpp).
  double cpu_used_unit_micros = 0;
  // Capacity provider (ecs-reference 8): which one it runs on, whether that is Fargate Spot, and
  // whether it still waits in PROVISIONING for an Auto Scaling group's instance.
  std::optional<std::size_t> capacity_provider;
  bool spot = false;
  bool awaiting_capacity = false;
  EventHandle health_event;
};

// Queue payloads: one plain struct per kind of event.
struct InstanceBooted {
  std::size_t instance;
};
struct InstanceRegistered {
  std::size_t instance;
};
struct InstanceShutDown {
  std::size_t instance;
};
struct TaskStep {
  std::size_t task;
};
struct ContainerExited {
  std::size_t task;
  std::size_t container;
};
struct TimelineFire {
  std::size_t action;
};
struct MetricsTick {};
struct HealthFaultEnds {
  std::size_t service;
};
struct ServiceReconcile {
  std::size_t service;
};
struct TaskHealthCheck {
  std::size_t task;
  HealthStatus status;
};
// The end of a timed fault: a zone recovers, an agent reconnects, a traffic rate is restored.
// Plain data like every event, so that the queue moves events as bytes.
struct FaultEnds {
  enum class What : std::uint8_t { kZoneOutage, kAgentDisconnect, kTrafficRate };
  What what;
  std::size_t index;  // into SimulationState::fault_zones_, the instance, the traffic source
};
// A scheduled scaling action (PutScheduledAction) is due.
struct ScheduledScaling {
  std::size_t target;
  std::size_t action;
};
// The next step of a blue/green deployment (a traffic shift, the end of a bake); stale when the
// deployment's timer generation has moved on.
struct DeploymentTimer {
  std::size_t service;
  std::size_t deployment;
  std::uint32_t generation;
};
// Capacity (ecs-reference 8): managed scaling's minute, a waiting task's timeout, a pass that
// places waiting tasks, a group instance that may finish draining, Spot interruptions.
struct ManagedScalingTick {};
struct CapacityWaitTimeout {
  std::size_t task;
};
struct PlaceWaitingTasks {};
struct AsgInstanceCheck {
  std::size_t instance;
};
struct SpotInterruptionDue {
  std::size_t zone;
};
struct SpotReclaim {
  std::size_t task;
};
using SimEvent =
    std::variant<InstanceBooted, InstanceRegistered, InstanceShutDown, TaskStep, ContainerExited,
                 TimelineFire, MetricsTick, ServiceReconcile, TaskHealthCheck, LbEvent,
                 HealthFaultEnds, DeploymentTimer, ScheduledScaling, FaultEnds, ManagedScalingTick,
                 CapacityWaitTimeout, PlaceWaitingTasks, AsgInstanceCheck, SpotInterruptionDue,
                 SpotReclaim>;
// The queue copies events as bytes and keeps them in 48-byte slots: keep them plain and small
// (names and other owned data belong in the state, events carry indexes).
static_assert(std::is_trivially_copyable_v<SimEvent>, "events must be plain data");
static_assert(sizeof(SimEvent) <= 32, "an event must fit in 32 bytes");

// Priority classes at equal times. A metrics period [t0, t1) closes before anything happens at t1.
// Then timeline actions (what the user did) before the model's own follow-ups, so "at 5m:
// StopTask" sees the cluster as it was at 5m.
inline constexpr std::uint8_t kPriorityMetrics = 0;
inline constexpr std::uint8_t kPriorityTimeline = 1;
inline constexpr std::uint8_t kPriorityModel = 2;

// A strategy's base and weight numbers, for the arithmetic in ecsim/capacity_provider.hpp.
std::vector<StrategyShare> shares_of(const CapacityProviderStrategy& strategy);

class SimulationState {
 public:
  // Takes its own copy of the scenario: a Simulation may outlive the caller's Scenario.
  SimulationState(Scenario scenario, std::uint64_t seed, bool check_invariants);

  Signal<EventRecord> on_event;

  void run();
  bool step();
  TimePoint now() const { return now_; }
  std::uint64_t seed() const { return seed_; }
  std::uint64_t events_processed() const { return events_processed_; }
  Json summary() const;
  Json cost_summary() const;  // cost_link.cpp: summary.json's "cost"
  // What these instances cost so far (the same billing rules as cost_summary).
  double instances_usd(const std::vector<std::size_t>& which) const;
  const MetricsTable& metrics() const { return metrics_.table(); }

 private:
  // kernel
  void dispatch(const SimEvent& event);
  EventHandle schedule_in(Duration delay, SimEvent event);
  void emit(std::string detail_type, Json detail);
  std::string iso(TimePoint t) const;
  // invariants.cpp (docs/reliability.md), with check_invariants_ on: check_transition at each
  // state change, invariants_before_event + check_invariants around each model event,
  // check_periodic_invariants at each metrics tick and at the end.
  void check_invariants() const;
  void check_transition(const Task& task, TaskState to) const;
  void invariants_before_event(const SimEvent& event);
  void check_rolling_bounds() const;
  void check_periodic_invariants() const;
  std::string describe_event(const SimEvent& event) const;
  std::string describe_task(std::size_t t) const;
  std::string invariant_context() const;  // the time and the event being handled
  friend struct InvariantsTestAccess;     // tests/test_invariants.cpp breaks invariants on purpose
  void on_metrics_tick();
  void close_metrics_period();
  // Brings instance i's metrics levels up to date after a change.
  void touch_metrics(std::size_t i);
  // Changes a task's state and keeps the per-group counts in step.
  void set_state(Task& task, TaskState state);

  // cluster_instances.cpp
  void launch_instances();
  // Adds one container instance (to the view, the metrics, the instance list), ACTIVE at once or
  // booting from `launch_at`.
  std::size_t add_instance(const InstanceType& type, const InstanceGroupSpec& options,
                           TimePoint launch_at, bool active_now);
  void on_instance_booted(std::size_t i);
  void on_instance_registered(std::size_t i);
  void on_instance_shut_down(std::size_t i);
  void terminate_instance(std::size_t i);
  void set_instance_status(std::size_t i, InstanceStatus status);
  // Whether the task's instance is DRAINING. Asked of every task at each reconciliation; with no
  // draining instance (nearly always) it answers without reading the instance.
  bool on_draining_instance(const Task& task) const {
    return draining_instances_ > 0 && task.instance &&
           instances_[*task.instance].status == InstanceStatus::kDraining;
  }
  void emit_instance_state(std::size_t i);
  std::optional<std::size_t> find_instance(const std::string& id_or_arn) const;

  // task_lifecycle.cpp
  // Where a new task goes: an instance (with the host ports reserved for it) or Fargate in a zone.
  struct Placement {
    std::optional<std::size_t> instance;
    PlacedPorts ports;
    std::string az;
    bool fargate = false;
    std::optional<std::size_t> capacity_provider;
    bool spot = false;
    bool awaiting_capacity = false;  // no instance yet: waits in PROVISIONING
  };
  std::size_t create_task(const TaskDefinition* td, std::string group, std::string started_by,
                          Placement placement);
  void on_task_step(std::size_t t);
  void on_container_exited(std::size_t t, std::size_t c);
  void request_stop(std::size_t t, std::string stop_code, std::string reason);
  void kill_task_now(std::size_t t, std::string stop_code, std::string reason);
  void enter(std::size_t t, TaskState state, std::optional<Duration> next_in);
  void schedule_health(std::size_t t);
  Duration activation_duration(Task& task);
  Duration stopping_duration(const Task& task) const;
  void release_resources(std::size_t t);
  void assign_private_ip(Task& task) const;  // awsvpc and Fargate: the task's ENI address

  // timeline_actions.cpp
  void fire(const TimelineAction& action);
  void run_task(const RunTaskAction& a, const TimelineAction& where);
  void stop_task(const StopTaskAction& a, const TimelineAction& where);
  void update_instances_state(const UpdateContainerInstancesStateAction& a);
  void report_api_failure(const TimelineAction& where, Json failures);
  std::optional<std::size_t> choose_fargate_az(const std::string& group, bool spot = false);

  // capacity_providers.cpp (ecs-reference 8.1, 8.2)
  // Launches one task of `group` on capacity provider `p`: Fargate (or Spot) in a zone, a
  // placement on the provider's instances, or a task waiting in PROVISIONING for them. nullopt
  // with `why` set when it cannot launch now.
  std::optional<std::size_t> launch_on_provider(std::size_t p, const TaskDefinition* td,
                                                const std::string& group,
                                                const std::string& started_by,
                                                PlacementRequest request, std::string& why);
  // The strategy item that takes a service's next task (its live tasks per provider).
  std::size_t next_service_provider(const Service& svc) const;
  // How many of `tasks` (those still meant to run) each strategy item's provider runs.
  std::vector<int> provider_counts(const CapacityProviderStrategy& strategy,
                                   const std::vector<std::size_t>& tasks) const;
  void place_waiting_tasks();
  void schedule_waiting_pass();
  void on_capacity_wait_timeout(std::size_t t);
  // Fargate's launch tokens (8.2): takes `n` from the account bucket (and the service's), or
  // returns how long until they are there.
  std::optional<Duration> take_fargate_tokens(int n, std::optional<std::size_t> service);
  void start_fargate_capacity();  // the launch token bucket, random Spot interruptions
  void on_spot_interruption_due(std::size_t zone);
  void interrupt_spot_tasks(const InterruptSpotTasksAction& a);
  void interrupt_spot_task(std::size_t t);
  void on_spot_reclaim(std::size_t t);

  // auto_scaling_groups.cpp (ecs-reference 8.3)
  void start_auto_scaling_groups();
  std::size_t launch_group_instance(std::size_t g, bool active_now);
  void reconcile_group(std::size_t g, const std::string& cause);
  void set_group_desired(std::size_t g, int desired, const std::string& cause);
  void begin_group_termination(std::size_t i, const std::string& cause);
  void on_group_instance_check(std::size_t i);
  bool runs_non_daemon_tasks(const Instance& inst) const;
  int live_group_instances(std::size_t g) const;
  void group_activity(std::size_t g, std::size_t i, bool launch, const std::string& cause);

  // managed_scaling.cpp (ecs-reference 8.3)
  void on_managed_scaling_tick();
  MetricsTable capacity_provider_rows(TimePoint period_start) const;
  Json capacity_summary() const;

  // service_scheduler.cpp
  void create_service(const ServiceSpec& spec);
  void update_service(const UpdateServiceAction& a);
  void delete_service(const DeleteServiceAction& a);
  std::optional<std::size_t> find_service(const std::string& name) const;
  // Starts a deployment of `td`: a rolling update, or blue/green traffic shifting when the
  // service's strategy (or a CodeDeploy deployment group) says so and a revision is running.
  void start_deployment(std::size_t s, const TaskDefinition* td, std::string reason,
                        const CodeDeployGroupSpec* code_deploy = nullptr,
                        const TrafficShiftSpec* shift_override = nullptr);
  void request_reconcile(std::size_t s, Duration delay = Duration{0});
  void request_reconcile_all();
  void reconcile(std::size_t s);
  void reconcile_replica(std::size_t s);
  void reconcile_daemon(std::size_t s);
  bool start_service_task(std::size_t s, std::optional<std::size_t> only_instance,
                          std::optional<std::size_t> deployment = std::nullopt);
  // Stops `excess` of `keep` (not yet running first, then as the placement strategy says).
  void scale_in(std::size_t s, std::vector<std::size_t>& keep, int excess,
                const std::string& reason);
  // Whether a live task should be replaced: unhealthy after the grace period, and why.
  std::optional<std::string> replacement_reason(const Task& task) const;
  void stop_service_task(std::size_t t, const std::string& reason);
  bool counted_healthy(const Task& task) const;
  void on_service_task_stopped(std::size_t t);
  void on_service_task_running(std::size_t t);
  void on_task_health(std::size_t t, HealthStatus status);
  void check_deployment_progress(std::size_t s);
  void count_circuit_breaker_failure(std::size_t s, std::size_t d);
  void fail_rolling(std::size_t s, std::size_t d, const std::string& reason, bool rollback);
  PlacementRequest service_placement_request(const Service& svc, const TaskDefinition& td) const;
  void service_event(std::size_t s, const std::string& event_name, const std::string& message,
                     Json extra = Json::object(), bool deduplicate = true);
  void deployment_event(std::size_t s, std::size_t d, const std::string& event_name);
  Json services_summary() const;
  Json deployment_summary(const Service& svc, const Deployment& d) const;
  void close_deployment_figures(std::size_t s, std::size_t d);

  // blue_green.cpp (ecs-reference 7)
  void create_deployment(const CreateDeploymentAction& a, const TimelineAction& where);
  void begin_blue_green(std::size_t s, std::size_t d);
  void reconcile_blue_green(std::size_t s);
  void advance_blue_green(std::size_t s);
  void on_deployment_timer(const DeploymentTimer& timer);
  void enter_stage(std::size_t s, std::size_t d, const std::string& stage);
  void shift_traffic(std::size_t s, std::size_t d, int green_permille, bool test_listener);
  void fail_blue_green(std::size_t s, std::size_t d, const std::string& reason, bool rollback);
  void schedule_deployment_timer(std::size_t s, std::size_t d, Duration delay);
  void code_deploy_event(std::size_t s, std::size_t d, const std::string& state);
  std::size_t target_group_of(const ServiceLoadBalancerSpec& lb, int slot) const;
  void on_request_finished(const RequestFinished& r);

  // alarms (ecs-reference 7, 10): evaluated as each metrics period closes
  void evaluate_alarms(std::size_t first_row);

  // zone_faults.cpp
  bool app_healthy(const Task& task) const;
  void refresh_app_health(std::size_t t);
  void set_agent(std::size_t i, bool connected);
  void fail_zone(const std::string& az);
  void recover_zone(const std::string& az);
  void fire_fault(const TimelineAction& action);
  void on_fault_ends(const FaultEnds& e);

  // service_autoscaling.cpp (ecs-reference 10)
  std::vector<MetricAlarmSpec> target_tracking_alarms();
  void start_auto_scaling();
  void evaluate_scaling();
  void on_scheduled_scaling(const ScheduledScaling& e);
  void set_desired_by_scaling(std::size_t target, int desired, const std::string& policy,
                              const std::string& cause);

  // load_balancer_link.cpp
  void start_load_balancing();
  void register_targets(std::size_t t);
  bool deregister_targets(std::size_t t);  // true when DEACTIVATING must wait for draining
  void targets_gone(std::size_t t);
  bool targets_healthy(const Task& task) const;
  void on_target_health(const TargetHealthChange& change);
  void on_target_drained(const TargetDrained& drained);
  // Re-applies every cause of application health (faults, zones) to the service's targets.
  void refresh_service_app_health(std::size_t s);
  MetricsTable service_utilization_rows(TimePoint period_start);

  // task_events.cpp
  Json task_detail(const Task& task) const;
  Json instance_detail(const Instance& instance) const;
  void emit_task_state(std::size_t t);

  const Scenario scenario_;
  std::uint64_t seed_;
  RandomStreams streams_;
  Rng placement_rng_;
  Rng fargate_rng_;
  EventQueue<SimEvent> queue_;
  TimePoint now_{};
  TimePoint end_{};
  std::uint64_t events_processed_ = 0;
  bool started_ = false;
  std::int64_t epoch_seconds_ = 1735689600;  // 2025-01-01T00:00:00Z: simulated time zero
  std::string cluster_arn_;
  bool check_invariants_ = false;
  const SimEvent* handling_ = nullptr;  // the event being handled, for invariant reports
  InvariantProbe probe_;

  TaskDefinitionRegistry registry_;
  std::vector<Instance> instances_;
  int draining_instances_ = 0;  // instances in DRAINING (set_instance_status keeps it)
  std::vector<Task> tasks_;
  std::vector<Service> services_;
  std::unique_ptr<EventQueueLbScheduler<SimEvent>> lb_scheduler_;
  std::unique_ptr<LoadBalancing> lb_;  // absent when the scenario has no load balancing
  std::uint64_t deployments_created_ = 0;
  ClusterView view_;

  MetricsRecorder metrics_;
  std::unique_ptr<MetricAlarms> alarms_;
  // Service auto scaling: per scalable target, its range, cooldown clocks and the alarms its
  // target tracking policies created (AlarmHigh, AlarmLow per policy; npos for step policies).
  struct ScalingState {
    int min = 0, max = 0;
    std::optional<TimePoint> last_scale_out, last_scale_in;
    int last_scale_out_to = 0;
    std::vector<std::pair<std::size_t, std::size_t>> tracking_alarms;
  };
  std::vector<ScalingState> scaling_;
  std::uint64_t code_deployments_created_ = 0;
  // Target group -> the services whose tasks register in it (for request attribution).
  std::vector<std::vector<std::size_t>> services_by_target_group_;
  // Per service, the target tag and second of the last served_seconds update: nearly every
  // request lands in a second already recorded, and this small array answers that without
  // touching the service and its deployments (three cache misses per request on a large run).
  struct LastServed {
    std::uint64_t tag = 0;
    std::int64_t second = -1;
  };
  std::vector<LastServed> last_served_;
  std::map<std::string, GroupCounts> group_counts_;

  // FailHealthChecks faults: service index -> until when its application answers unhealthy.
  std::map<std::size_t, TimePoint> unhealthy_services_;
  std::set<std::string> failed_zones_;         // FailAvailabilityZone
  std::vector<std::string> fault_zones_;       // the zone of each timed outage (FaultEnds::index)
  std::set<std::size_t> disconnected_agents_;  // DisconnectAgent, by instance
  // FailImagePull faults: image -> until when its pulls fail.
  std::map<std::string, TimePoint> failing_images_;

  // Capacity providers and Auto Scaling groups (ecs-reference 8).
  struct GroupState {
    int desired = 0;
    std::optional<std::size_t> provider;  // the capacity provider using the group
    InstanceType launch_type;             // the first listed type
    InstanceCapacity largest, smallest;   // for managed scaling's estimate
    std::vector<std::size_t> instances;   // every instance it launched, in launch order
    int low_minutes = 0;                  // consecutive minutes below the target
    double reservation = 100;             // CapacityProviderReservation, last computed
    int launched = 0, terminated = 0, peak = 0;
  };
  std::vector<GroupState> groups_;
  struct WaitingTask {
    std::size_t task;
    PlacementRequest request;
    std::string last_reason;
  };
  std::vector<WaitingTask> waiting_;  // tasks waiting for capacity, in creation order
  bool waiting_pass_scheduled_ = false;
  InstanceCatalog catalog_;
  std::uint64_t instance_ordinal_ = 0;
  // Fargate launch tokens in millionths, and when they were last topped up.
  std::int64_t fargate_tokens_ = 0;
  TimePoint fargate_tokens_at_{};
  std::map<std::size_t, std::pair<std::int64_t, TimePoint>> service_fargate_tokens_;
  std::map<std::string, TimePoint> spot_unavailable_until_;  // zone -> no new Spot tasks until
  std::vector<Rng> spot_rngs_;                               // one stream per zone
  std::int64_t fargate_launches_throttled_ = 0;
  std::map<std::string, std::int64_t> tasks_by_provider_;
  std::int64_t spot_interruptions_ = 0;

  // Counters for the summary.
  std::map<std::string, std::int64_t> stop_codes_;
  std::map<std::string, std::int64_t> placement_failures_;
  std::int64_t tasks_started_ = 0;
  std::int64_t tasks_reached_running_ = 0;
};

}  // namespace ecsim::detail
