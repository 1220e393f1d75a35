// Scenario: the typed, fully defaulted form of a scenario JSON file.
//
// load_scenario_* parse and validate the whole document in one pass and throw ScenarioError listing
// every problem (JSON Pointer, what is wrong, what is valid). After loading, every field holds a
// usable value, so models never check for "unset". See docs/scenario-format.md for the format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecsim/cost.hpp"
#include "ecsim/instance_types.hpp"
#include "ecsim/load_balancing.hpp"
#include "ecsim/task_definition.hpp"
#include "ecsim/time.hpp"

namespace ecsim {

// One line of cluster.containerInstances: `count` instances of one type in one zone.
struct InstanceGroupSpec {
  std::string instance_type;
  std::string availability_zone;
  int count = 1;
  std::int64_t ecs_reserved_memory_mib = 0;  // ECS_RESERVED_MEMORY (ecs-reference 3.2)
  bool awsvpc_trunking = false;              // ENI trunking opted in (ecs-reference 2.4)
  std::string os_type = "linux";
  std::string ami_id = "ami-ecs-optimized";
  std::map<std::string, std::string> attributes;  // custom attributes
  Duration launch_at{0};         // when the instance is launched (with launch_explicit)
  bool launch_explicit = false;  // false: the instance is ACTIVE when the scenario begins
};

// CreateCapacityProvider's managedScaling (ecs-reference 8.3).
struct ManagedScalingSpec {
  bool enabled = false;
  int target_capacity = 100;  // percent, 1 to 100
  int minimum_step = 1;
  int maximum_step = 10'000;
  Duration instance_warmup = seconds(300);
};

// One of cluster.capacityProviders: FARGATE, FARGATE_SPOT, or an Auto Scaling group provider
// (CreateCapacityProvider input).
struct CapacityProviderSpec {
  std::string name;
  bool fargate = false;            // FARGATE or FARGATE_SPOT
  bool spot = false;               // FARGATE_SPOT
  std::string auto_scaling_group;  // autoScalingGroupArn: an autoScalingGroups name or ARN
  ManagedScalingSpec managed_scaling;
  bool managed_termination_protection = false;
  bool managed_draining = true;  // ENABLED by default for new providers
  std::string pointer;
};

// CapacityProviderStrategyItem (ecs-reference 8.1).
struct CapacityProviderStrategyItem {
  std::string capacity_provider;
  int base = 0;
  int weight = 0;
};
using CapacityProviderStrategy = std::vector<CapacityProviderStrategyItem>;

struct ClusterSpec {
  std::string cluster_name = "default";
  std::vector<std::string> availability_zones;
  std::vector<InstanceGroupSpec> container_instances;
  std::vector<CapacityProviderSpec> capacity_providers;
  CapacityProviderStrategy default_capacity_provider_strategy;
  // Index of the provider with this name, or nullopt.
  std::optional<std::size_t> find_capacity_provider(std::string_view name) const;
};

// An EC2 Auto Scaling group (CreateAutoScalingGroup input) whose instances join the cluster.
struct AutoScalingGroupSpec {
  std::string name;
  int min_size = 0;
  int max_size = 0;
  int desired_capacity = 0;
  std::vector<std::string> availability_zones;  // default: the cluster's
  // InstanceType, or MixedInstancesPolicy overrides in priority order: the first is launched
  // (the "prioritized" On-Demand allocation strategy), all count for scaling estimates.
  std::vector<std::string> instance_types;
  std::vector<std::string> instance_type_pointers;  // where each was given, for messages
  bool new_instances_protected_from_scale_in = false;
  // What containerInstances says for static instances ("ecsim" object).
  std::int64_t ecs_reserved_memory_mib = 0;
  bool awsvpc_trunking = false;
  std::string os_type = "linux";
  std::string ami_id = "ami-ecs-optimized";
  std::map<std::string, std::string> attributes;
  std::string pointer;
};

// Fargate capacity (ecs-reference 8.2, 12): launch rate limits and Spot interruptions.
struct FargateSettings {
  int launch_burst = 100;                 // account token bucket: burst ...
  double launch_rate_per_second = 20;     // ... and sustained rate
  int service_launches_per_minute = 500;  // per service
  // Spot interruptions arrive at random, this many per hour in each zone (0: only timeline ones);
  // each reclaims this many Spot tasks of the zone.
  double spot_interruptions_per_hour_per_zone = 0;
  int spot_tasks_per_interruption = 1;
  Duration spot_warning = seconds(120);  // the two-minute warning
};

// How long the things ECS does take. Defaults follow ecs-reference section 11; every figure that
// AWS does not document is marked INFERRED in docs/scenario-format.md and can be set per scenario.
struct TimingModel {
  Duration instance_boot = seconds(60);             // EC2 launch until the agent starts [INFERRED]
  Duration agent_registration = seconds(15);        // REGISTERING -> ACTIVE [INFERRED]
  Duration ec2_eni_attach = seconds(5);             // awsvpc ENI on EC2, in PROVISIONING [INFERRED]
  Duration fargate_eni_provisioning = seconds(10);  // [SECONDARY] section 11
  Duration agent_pickup = seconds(1);        // PENDING: the agent acknowledges the task [INFERRED]
  double ec2_image_pull_mib_per_s = 100;     // registry throughput to an instance [INFERRED]
  double fargate_image_pull_mib_per_s = 60;  // [INFERRED]
  double default_image_size_mib = 200;       // when a container does not say [INFERRED]
  Duration container_start = seconds(2);     // create + start one container [INFERRED]
  Duration deactivation = seconds(1);        // DEACTIVATING without a load balancer [INFERRED]
  Duration eni_detach = seconds(5);          // DEPROVISIONING for awsvpc [INFERRED]
  Duration sigterm_exit = seconds(2);        // an app's exit after SIGTERM [INFERRED]
  Duration instance_shutdown = seconds(30);  // DEREGISTERING -> INACTIVE after termination
  Duration image_pull_failure = seconds(5);  // a failing pull gives up after this [INFERRED]
  // How often the service scheduler retries what it could not do (placement, a stalled
  // deployment) [INFERRED].
  Duration scheduler_retry = seconds(15);
  // Service start-failure throttle (ecs-reference 5.3): first gap, doubling to the 15-minute cap
  // [INFERRED shape].
  Duration throttle_initial = seconds(10);
  Duration throttle_max = seconds(900);
  // A task waiting in PROVISIONING for an Auto Scaling group provider's capacity stops
  // (TaskFailedToStart) after this long [UNCONFIRMED].
  Duration capacity_provisioning_timeout = seconds(1800);
};

// How the service scheduler counts tasks (ecs-reference 6.1, INFERRED where marked).
struct SchedulerSettings {
  // Count STOPPING tasks (and the states around it) toward maximumPercent, as the older console
  // wording says; the API wording counts only PENDING and RUNNING [INFERRED, configurable].
  bool count_stopping_in_maximum = true;
  // Quota: tasks in PROVISIONING per cluster waiting for capacity providers (ecs-reference 12)
  // [UNCONFIRMED value].
  int max_provisioning_tasks = 500;
  // A task without a load balancer or container health check counts as healthy this long after it
  // is RUNNING (ecs-reference 6.1).
  Duration healthy_after_running = seconds(40);
};

enum class TieBreak { kRandom, kLowestId };

struct PlacementSettings {
  // Ties left after every strategy (ecs-reference 4.2: undocumented, INFERRED).
  TieBreak tie_break = TieBreak::kRandom;
  // Standalone RunTask default on EC2 (ecs-reference 4.4: not documented; INFERRED random).
  std::string run_task_default_strategy = "random";
};

struct PlacementStrategySpec {
  std::string type;   // binpack | spread | random
  std::string field;  // cpu | memory | instanceId | host | attribute:NAME
};

struct PlacementConstraintSpec {
  std::string type;        // distinctInstance | memberOf
  std::string expression;  // memberOf only
};

// How production traffic moves from the blue to the green revision (ecs-reference 7): all at once,
// in equal steps (linear), or a first share then the rest (canary). Percentages in tenths of a
// percent, so 0.1% steps are exact.
struct TrafficShiftSpec {
  enum class Kind { kAllAtOnce, kLinear, kCanary };
  Kind kind = Kind::kAllAtOnce;
  int step_permille = 1000;  // linear: each step; canary: the first shift
  Duration interval{0};      // linear: between steps; canary: before the rest
};

// deploymentConfiguration.alarms (DeploymentAlarms): CloudWatch alarms watched during a deployment.
struct DeploymentAlarmsSpec {
  std::vector<std::string> alarm_names;
  bool enable = false;
  bool rollback = false;
};

// CreateService's deploymentConfiguration (ecs-reference 6, 7.2).
struct DeploymentConfigurationSpec {
  std::optional<int> minimum_healthy_percent;  // default by scheduling strategy (6.1)
  std::optional<int> maximum_percent;
  bool circuit_breaker_enable = false;  // deploymentCircuitBreaker (6.3)
  bool circuit_breaker_rollback = false;
  std::string strategy = "ROLLING";  // ROLLING | BLUE_GREEN | LINEAR | CANARY (7.2)
  Duration bake_time{0};             // bakeTimeInMinutes: both revisions up after the shift
  TrafficShiftSpec shift;            // from linearConfiguration / canaryConfiguration
  DeploymentAlarmsSpec alarms;
};

struct ServiceLoadBalancerSpec {
  std::string target_group;  // targetGroupArn or the target group's name
  std::string container_name;
  int container_port = 0;
  // Blue/green (advancedConfiguration, or the CodeDeploy deployment group's target group pair):
  // the other target group, and the listeners ("<load balancer>:<port>") whose forward actions
  // shift. Empty listeners: every listener forwarding to either group.
  std::string alternate_target_group;
  std::string production_listener;
  std::string test_listener;
};

// CreateService input (ecs-reference 5, 6).
struct ServiceSpec {
  std::string service_name;
  std::string task_definition;  // family or family:revision
  int desired_count = 0;
  // EC2 | FARGATE, or empty when the service uses a capacity provider strategy (its own, or the
  // cluster's default when it names neither).
  std::string launch_type = "EC2";
  CapacityProviderStrategy capacity_provider_strategy;
  std::string scheduling_strategy = "REPLICA";  // REPLICA | DAEMON
  std::vector<PlacementStrategySpec> placement_strategy;
  std::vector<PlacementConstraintSpec> placement_constraints;
  DeploymentConfigurationSpec deployment_configuration;
  std::string deployment_controller = "ECS";
  std::vector<ServiceLoadBalancerSpec> load_balancers;
  Duration health_check_grace_period{0};
  std::string pointer;  // where it came from, for messages
};

// Timeline actions, named after the AWS API call they stand for.
struct RunTaskAction {
  std::string task_definition;  // family or family:revision
  int count = 1;
  std::string launch_type = "EC2";  // empty with a capacity provider strategy
  CapacityProviderStrategy capacity_provider_strategy;
  std::string group;  // default "family:<family>"
  std::string started_by;
  std::vector<PlacementStrategySpec> placement_strategy;
  std::vector<PlacementConstraintSpec> placement_constraints;
};
struct StopTaskAction {
  std::string task;  // task id or ARN
  std::string reason = "Task stopped by user";
  std::string group;  // ecsim selector: stop `count` running tasks of this group instead
  int count = 1;
};
struct UpdateContainerInstancesStateAction {
  std::vector<std::string> container_instances;  // EC2 instance ids or container instance ARNs
  std::string status;                            // ACTIVE | DRAINING
};
struct TerminateInstanceAction {
  std::string instance_id;
};
struct RegisterTaskDefinitionAction {
  TaskDefinition task_definition;
};
// ecsim fault: pulls of `image` fail from this time on (for `duration`, or for good).
struct FailImagePullAction {
  std::string image;
  std::optional<Duration> duration;
};
// ecsim fault: a service's application fails its load balancer health checks (answers with its
// unhealthy response code) from this time on, for `duration` or for good.
struct FailHealthChecksAction {
  std::string service;
  std::optional<Duration> duration;
};
// ecsim faults: an availability zone fails (its instances and Fargate capacity become unreachable)
// and later recovers; an instance's agent disconnects; a traffic source's rate changes.
struct FailAvailabilityZoneAction {
  std::string availability_zone;
  std::optional<Duration> duration;  // recovers by itself after this
};
struct RecoverAvailabilityZoneAction {
  std::string availability_zone;
};
struct DisconnectAgentAction {
  std::string instance_id;
  std::optional<Duration> duration;
};
struct SetTrafficRateAction {
  std::string source;     // a traffic source's name
  double multiplier = 1;  // of its pattern's rate; 1 restores it
  std::optional<Duration> duration;
};
// SetDesiredCapacity (Auto Scaling): the group launches or terminates instances to match.
struct SetDesiredCapacityAction {
  std::string auto_scaling_group;
  int desired_capacity = 0;
};
// ecsim fault: Fargate reclaims Spot capacity: matching Spot tasks get the two-minute warning.
// With capacity_unavailable_for, no new Spot task starts in those zones for that long.
struct InterruptSpotTasksAction {
  std::string availability_zone;  // empty: every zone
  std::string service;            // empty: every Spot task
  std::optional<int> count;       // at most this many (chosen at random); all when unset
  std::optional<Duration> capacity_unavailable_for;
};
struct CreateServiceAction {
  ServiceSpec service;
};
// UpdateService: only what the call names changes.
struct UpdateServiceAction {
  std::string service;
  std::optional<int> desired_count;
  std::optional<std::string> task_definition;
  std::optional<DeploymentConfigurationSpec> deployment_configuration;
  std::optional<Duration> health_check_grace_period;
  bool force_new_deployment = false;
};
struct DeleteServiceAction {
  std::string service;
  bool force = false;
};
// CodeDeploy CreateDeployment for an ECS service: the AppSpec names the new task definition.
struct CreateDeploymentAction {
  std::string deployment_group;
  std::optional<std::string> deployment_config;  // overrides the group's
  std::string task_definition;                   // family:revision (from an ARN too)
  std::string container_name;
  int container_port = 0;
};

using TimelineInput =
    std::variant<RunTaskAction, StopTaskAction, UpdateContainerInstancesStateAction,
                 TerminateInstanceAction, RegisterTaskDefinitionAction, CreateServiceAction,
                 UpdateServiceAction, DeleteServiceAction, FailImagePullAction,
                 FailHealthChecksAction, CreateDeploymentAction, FailAvailabilityZoneAction,
                 RecoverAvailabilityZoneAction, DisconnectAgentAction, SetTrafficRateAction,
                 SetDesiredCapacityAction, InterruptSpotTasksAction>;

// CodeDeploy for ECS (ecs-reference 7.1). A deployment configuration (CreateDeploymentConfig,
// computePlatform ECS) says how traffic shifts; a deployment group (CreateDeploymentGroup) ties a
// service to its target group pair, listeners, termination wait, rollback and alarms.
struct CodeDeployConfigSpec {
  std::string name;
  TrafficShiftSpec shift;
};
struct CodeDeployGroupSpec {
  std::string application;
  std::string name;
  std::string service;
  std::string deployment_config = "CodeDeployDefault.ECSAllAtOnce";
  std::vector<std::string> target_groups;  // the pair: blue first, green second
  std::vector<std::string> production_listeners;
  std::vector<std::string> test_listeners;
  // terminateBlueInstancesOnDeploymentSuccess: how long the original task set stays after the
  // shift. The console's default is 1 hour (7.1); the API's is not documented [INFERRED: same].
  Duration termination_wait = kHour;
  bool rollback_on_failure = false;  // autoRollbackConfiguration DEPLOYMENT_FAILURE
  bool rollback_on_alarm = false;    // DEPLOYMENT_STOP_ON_ALARM
  std::vector<std::string> alarms;   // alarmConfiguration (enabled)
  std::string pointer;
};
struct CodeDeploySpec {
  std::vector<CodeDeployConfigSpec> deployment_configs;  // custom ones; the five defaults built in
  std::vector<CodeDeployGroupSpec> deployment_groups;
  bool empty() const { return deployment_groups.empty() && deployment_configs.empty(); }
};
// The predefined CodeDeployDefault.ECS* configurations (7.1), or nullopt.
std::optional<TrafficShiftSpec> predefined_codedeploy_config(std::string_view name);

// A CloudWatch metric alarm (PutMetricAlarm input) over the run's metrics (metrics.csv).
struct MetricAlarmSpec {
  std::string name;
  std::string metric_namespace;  // AWS/ApplicationELB | AWS/ECS
  std::string metric_name;       // a metrics.csv column, e.g. HTTPCode_Target_5XX_Count
  std::string dimension_name;    // TargetGroup | LoadBalancer | ServiceName | ClusterName
  std::string dimension_value;   // the entity's name
  std::string statistic;         // Sum | Average | Maximum | Minimum | pNN (TargetResponseTime)
  Duration period = kMinute;
  int evaluation_periods = 1;
  int datapoints_to_alarm = 1;
  double threshold = 0;
  std::string comparison;  // GreaterThanThreshold | GreaterThanOrEqualToThreshold | LessThan...
  std::string treat_missing_data = "missing";  // missing | notBreaching | breaching | ignore
  std::vector<std::string> alarm_actions;      // AlarmActions: step scaling policies it triggers
  std::string pointer;
};

// Application Auto Scaling for an ECS service (ecs-reference 10): RegisterScalableTarget with its
// PutScalingPolicy and PutScheduledAction inputs.
struct StepAdjustmentSpec {
  std::optional<double> lower_bound;  // MetricIntervalLowerBound, relative to the threshold
  std::optional<double> upper_bound;
  double adjustment = 0;  // ScalingAdjustment
};
struct ScalingPolicySpec {
  std::string name;
  std::string type;  // TargetTrackingScaling | StepScaling
  // Target tracking (10).
  std::string predefined_metric;  // ECSServiceAverageCPUUtilization | ...MemoryUtilization |
                                  // ALBRequestCountPerTarget
  std::string resource_label;     // the target group, for ALBRequestCountPerTarget
  double target_value = 0;
  Duration scale_out_cooldown = seconds(300);  // ECS defaults (10)
  Duration scale_in_cooldown = seconds(300);
  bool disable_scale_in = false;
  // The alarms target tracking creates: AlarmHigh M of M, AlarmLow N of N below target x (1 -
  // margin) [UNCONFIRMED defaults 3 and 15, margin 10 %; configurable in "ecsim"].
  int high_datapoints = 3;
  int low_datapoints = 15;
  double scale_in_margin = 0.10;
  // Step scaling.
  std::string adjustment_type = "ChangeInCapacity";  // | ExactCapacity | PercentChangeInCapacity
  std::vector<StepAdjustmentSpec> steps;
  Duration cooldown = seconds(300);
  int min_adjustment_magnitude = 0;
  std::string pointer;
};
struct ScheduledActionSpec {
  std::string name;
  Duration at{0};                   // first time
  std::optional<Duration> every;    // rate(...) or a daily cron
  std::optional<int> min_capacity;  // ScalableTargetAction
  std::optional<int> max_capacity;
  std::string pointer;
};
struct ScalableTargetSpec {
  std::string service;  // from ResourceId service/<cluster>/<service>
  int min_capacity = 0;
  int max_capacity = 0;
  std::vector<ScalingPolicySpec> policies;
  std::vector<ScheduledActionSpec> scheduled_actions;
  std::string pointer;
};

struct TimelineAction {
  Duration at{0};
  std::string action;  // the AWS call name, e.g. "RunTask"
  TimelineInput input;
  std::string pointer;  // where it came from, for messages
};

// Budgets a run may use, checked against estimate_run_size() when a scenario is loaded, so a
// scenario that would run for hours or exhaust memory is refused before it starts. Set in the
// scenario's "limits" object (same names) or by LoadOptions::limits (`ecsim run --limit`).
// The defaults let a production-sized run through (5,000 instances, 50,000 tasks, 20,000
// requests a second for an hour) and refuse runs a thousand times larger.
struct RunLimits {
  std::int64_t max_container_instances = 5'000;  // "maxContainerInstances" (the ECS quota)
  std::int64_t max_tasks = 100'000;              // "maxTasks"
  std::int64_t max_requests = 1'000'000'000;     // "maxRequests"
  std::int64_t max_events = 4'000'000'000;       // "maxEvents"
  std::int64_t max_metrics_rows = 10'000'000;    // "maxMetricsRows"

  // Sets the limit with this scenario key ("maxRequests"); false when there is none.
  bool set(std::string_view name, std::int64_t value);
  // The limit with this scenario key, or nullopt.
  std::optional<std::int64_t> get(std::string_view name) const;
  // Every scenario key, in the order above.
  static const std::vector<std::string>& names();
  // The largest value a limit may be set to.
  static constexpr std::int64_t kMaxValue = std::int64_t{1} << 53;
};

// What a run would need, estimated from the scenario alone (see docs/reliability.md).
struct RunEstimate {
  std::int64_t container_instances = 0;  // every containerInstances count
  double tasks = 0;     // services' desired counts (their largest over the timeline; a DAEMON
                        // service counts one per instance) plus every RunTask count
  double requests = 0;  // each traffic source's rate integrated over its window in the run
  double events = 0;    // simulation events: about two per request, per health check, ten per task
  double metrics_rows = 0;  // metrics periods x (cluster + instances + task groups + targets)
};

// How a scenario is loaded.
struct LoadOptions {
  // Let traffic csv paths name files outside the scenario file's folder (absolute paths, "..",
  // symbolic links that lead out). Off by default: a scenario file can read only its own folder.
  bool allow_paths_outside_scenario_dir = false;
  // Limits by scenario key ("maxRequests"), taking precedence over the scenario's "limits".
  std::map<std::string, std::int64_t> limits;
};

struct Scenario {
  std::string name = "unnamed";
  std::string description;
  std::uint64_t seed = 1;
  Duration duration = kHour;
  Duration metrics_period = kMinute;
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  ClusterSpec cluster;
  std::vector<AutoScalingGroupSpec> auto_scaling_groups;  // autoScalingGroups
  FargateSettings fargate;                                // fargate
  std::vector<InstanceType> instance_types;  // additions and overrides of the built-in catalog
  std::vector<TaskDefinition> task_definitions;
  std::vector<ServiceSpec> services;     // created when the run begins
  LoadBalancingSpec load_balancing;      // targetGroups, loadBalancers, traffic
  std::vector<TimelineAction> timeline;  // sorted by time, stable
  TimingModel timing;
  PlacementSettings placement;
  SchedulerSettings scheduler;
  // "pricing": the built-in us-east-1 price table with the scenario's overrides (cost.hpp).
  PriceTable pricing;
  CodeDeploySpec code_deploy;                    // codeDeploy: deploymentConfigs, deploymentGroups
  std::vector<MetricAlarmSpec> alarms;           // alarms: PutMetricAlarm inputs
  std::vector<ScalableTargetSpec> auto_scaling;  // autoScaling (ecs-reference 10)
  // "limits": the run's budgets, with LoadOptions::limits applied (docs/reliability.md).
  RunLimits limits;
  std::filesystem::path base_dir;  // the scenario file's folder; relative paths resolve here
};

// Parse and validate; throw ScenarioError naming every problem. A scenario whose estimated size
// (estimate_run_size) is over its limits is invalid too.
Scenario load_scenario_file(const std::filesystem::path& path, const LoadOptions& options = {});
Scenario load_scenario_text(std::string_view json_text, std::string_view source_name = "scenario",
                            const std::filesystem::path& base_dir = ".",
                            const LoadOptions& options = {});
Scenario load_scenario_json(const nlohmann::json& document,
                            const std::filesystem::path& base_dir = ".",
                            const LoadOptions& options = {});

// What a run of `scenario` would need (see RunLimits).
RunEstimate estimate_run_size(const Scenario& scenario);

// The built-in default scenario (scenarios/default.json, compiled in).
std::string_view default_scenario_text();

}  // namespace ecsim
