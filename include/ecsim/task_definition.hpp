// Task definitions: the typed form of AWS's RegisterTaskDefinition input.
//
// A scenario's `taskDefinitions[]` (and the RegisterTaskDefinition timeline action) take the JSON
// that `aws ecs register-task-definition` accepts, or the object `describe-task-definition` prints.
// Parsing (libsim/taskdef) fills these structs fully: every field holds a usable value, and the
// only optionals are the ones AWS itself leaves unset (task cpu/memory on EC2, container memory
// limits, hostPort, timeouts). Section numbers below refer to ecs-reference.md.
//
// Besides the structs, this header gives what the simulation needs to know about a definition:
// * reservation_for: what one task reserves on a container instance (2.1, 2.3, 2.4);
// * container_start_order / container_shutdown_order: dependsOn order (2.5);
// * task_health_status: the task health rule over essential containers (2.6);
// * the Fargate cpu/memory table (2.2);
// * TaskDefinitionRegistry: families and revisions, resolved from "family" or "family:revision".
// Validation as AWS does it (task_definition_problems) runs during parsing; definitions built in
// code can be checked with it too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/instance_types.hpp"
#include "ecsim/result.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/time.hpp"

namespace ecsim {

enum class NetworkMode { kBridge, kAwsvpc, kHost, kNone };
enum class Compatibility { kEc2, kFargate, kExternal, kManagedInstances };
enum class TransportProtocol { kTcp, kUdp };
enum class DependencyCondition { kStart, kComplete, kSuccess, kHealthy };
enum class HealthStatus { kHealthy, kUnhealthy, kUnknown };
enum class TaskDefinitionStatus { kActive, kInactive };

// AWS spellings: "bridge", "FARGATE", "tcp", "HEALTHY", "ACTIVE" ...
std::string_view to_string(NetworkMode mode);
std::string_view to_string(Compatibility compatibility);
std::string_view to_string(TransportProtocol protocol);
std::string_view to_string(DependencyCondition condition);
std::string_view to_string(HealthStatus status);
std::string_view to_string(TaskDefinitionStatus status);

// An inclusive port range, "first-last" in AWS's containerPortRange.
struct PortRange {
  int first = 0;
  int last = 0;
  int size() const { return last - first + 1; }
  bool operator==(const PortRange&) const = default;
};

struct PortMapping {
  int container_port = 0;        // 0 when container_port_range is used instead
  std::optional<int> host_port;  // absent or 0 in bridge mode: a dynamic port (2.3)
  TransportProtocol protocol = TransportProtocol::kTcp;
  std::optional<PortRange> container_port_range;
  bool operator==(const PortMapping&) const = default;
};

struct ContainerDependency {
  std::string container_name;
  DependencyCondition condition = DependencyCondition::kStart;
  bool operator==(const ContainerDependency&) const = default;
};

// Defaults and ranges of ecs-reference 2.6.
struct HealthCheck {
  std::vector<std::string> command;  // ["CMD", ...] or ["CMD-SHELL", "..."]
  Duration interval = seconds(30);   // 5 s to 300 s
  Duration timeout = seconds(5);     // 2 s to 60 s
  int retries = 3;                   // 1 to 10
  Duration start_period{0};          // 0 to 300 s
  bool operator==(const HealthCheck&) const = default;
};

// ecsim's own properties of a container, under the key "ecsim" in its container definition: what
// AWS has no field for because it is the container's behaviour, not its configuration. Empty
// optionals take the scenario's timing defaults (Scenario::timing).
struct ContainerSimulation {
  std::optional<double> image_size_mib;    // image pull time = size / throughput (section 11)
  std::optional<Duration> start_duration;  // create + start until the process runs
  std::optional<Duration> stop_duration;   // from the stop signal until it exits by itself
  std::optional<Duration> exit_after;      // a batch container: exits on its own after this long
  int exit_code = 0;                       // its exit code then (0 to 255)
  bool healthy = true;                     // whether its health check passes
  // The share of requests its application answers with HTTP 500 (a faulty release); behind a
  // load balancer only.
  double error_rate = 0;
  bool operator==(const ContainerSimulation&) const = default;
};

struct ContainerDefinition {
  std::string name;
  std::string image;
  std::optional<std::int64_t> cpu_units;
  std::optional<std::int64_t> memory_mib;              // hard limit: killed above it
  std::optional<std::int64_t> memory_reservation_mib;  // soft limit
  std::int64_t gpus = 0;                               // resourceRequirements type GPU
  bool essential = true;
  std::vector<PortMapping> port_mappings;
  std::vector<ContainerDependency> depends_on;
  std::optional<HealthCheck> health_check;
  std::optional<Duration> start_timeout;  // giving up on dependencies
  std::optional<Duration> stop_timeout;   // SIGTERM -> SIGKILL; absent: 30 s or the agent's (1.4)
  ContainerSimulation simulation;

  // What the container takes from an instance: memoryReservation if set, else memory (2.1).
  std::int64_t reserved_memory_mib() const {
    return memory_reservation_mib.value_or(memory_mib.value_or(0));
  }
  bool operator==(const ContainerDefinition&) const = default;
};

// Task definitions allow memberOf only (2.1); the expression is kept as written, in the cluster
// query language, for the placement code to evaluate.
struct TaskPlacementConstraint {
  std::string type = "memberOf";
  std::string expression;
  bool operator==(const TaskPlacementConstraint&) const = default;
};

struct RuntimePlatform {
  std::optional<CpuArchitecture> cpu_architecture;
  std::string operating_system_family = "LINUX";  // or WINDOWS_SERVER_2022_CORE, ...
  bool is_windows() const { return operating_system_family.rfind("WINDOWS", 0) == 0; }
  bool operator==(const RuntimePlatform&) const = default;
};

struct TaskDefinition {
  std::string family;
  std::int64_t revision = 0;  // 0 until a TaskDefinitionRegistry assigns one
  TaskDefinitionStatus status = TaskDefinitionStatus::kActive;
  NetworkMode network_mode = NetworkMode::kBridge;  // the Linux default
  std::vector<Compatibility> requires_compatibilities;
  std::optional<std::int64_t> cpu_units;   // task-level cpu; required on Fargate
  std::optional<std::int64_t> memory_mib;  // task-level memory; required on Fargate
  std::vector<ContainerDefinition> container_definitions;
  std::vector<TaskPlacementConstraint> placement_constraints;
  RuntimePlatform runtime_platform;
  std::optional<std::int64_t> ephemeral_storage_gib;  // Fargate: 21 to 200 GiB; default 20

  bool requires_compatibility(Compatibility c) const;
  bool requires_fargate() const { return requires_compatibility(Compatibility::kFargate); }
  // "family:revision", as services and RunTask name it.
  std::string family_revision() const;
  // Index of the first container with this name.
  std::optional<std::size_t> container_index(std::string_view name) const;
  bool operator==(const TaskDefinition&) const = default;
};

// Every problem AWS's RegisterTaskDefinition would reject (and a few that would only fail at run
// time, such as a dependsOn cycle), each at the JSON Pointer of the offending value under
// `pointer`. Empty means valid. Parsing already runs this; call it for definitions built in code.
std::vector<Problem> task_definition_problems(const TaskDefinition& definition,
                                              std::string_view pointer = "");

// Task-level cpu and memory in AWS's string forms. cpu: CPU units ("256", "1024") or vCPUs
// ("1 vCPU", "0.25 vcpu"); memory: MiB ("512", "512 MiB") or GB ("2 GB", "0.5GB"; 1 GB = 1024
// MiB). Fails with a message saying what would be valid. Ranges are checked by the parser.
Result<std::int64_t> parse_cpu_units(std::string_view text);
Result<std::int64_t> parse_memory_mib(std::string_view text);

// --- Fargate task sizes (ecs-reference 2.2) ----------------------------------------------------

struct FargateSize {
  std::int64_t cpu_units = 0;
  std::int64_t memory_mib = 0;
  bool operator==(const FargateSize&) const = default;
};

// The full table, by cpu then memory: 74 pairs from 256/512 to 16384/122880.
const std::vector<FargateSize>& fargate_sizes();
// Windows tasks take 1, 2 or 4 vCPU only (the table's OS column).
bool is_valid_fargate_size(std::int64_t cpu_units, std::int64_t memory_mib, bool windows = false);
std::vector<std::int64_t> fargate_cpu_values(bool windows = false);
// Valid memory values for one cpu value; empty if the cpu is not a Fargate size.
std::vector<std::int64_t> fargate_memory_values(std::int64_t cpu_units);
// Cpu values that accept this memory value; empty if none does.
std::vector<std::int64_t> fargate_cpu_values_for_memory(std::int64_t memory_mib,
                                                        bool windows = false);

// --- what a task needs from a container instance -----------------------------------------------

struct TaskReservation {
  std::int64_t cpu_units = 0;
  std::int64_t memory_mib = 0;
  std::int64_t gpus = 0;
  std::vector<int> static_tcp_ports;  // host ports, sorted, no duplicates
  std::vector<int> static_udp_ports;
  std::int64_t dynamic_tcp_ports = 0;  // from the ephemeral range; they never conflict
  std::int64_t dynamic_udp_ports = 0;
  bool needs_eni = false;  // awsvpc: one ENI attachment on the instance
  bool operator==(const TaskReservation&) const = default;
};

// What one task of this definition reserves on an EC2 container instance (ecs-reference 2.1
// "Which resources a task reserves", 2.3, 2.4). Task-level cpu/memory win over container sums.
TaskReservation reservation_for(const TaskDefinition& definition);

// --- container order (ecs-reference 2.5) -------------------------------------------------------

// Container indices in the order the agent starts them: every container after the containers it
// dependsOn. Containers are grouped in waves by their longest dependsOn chain, and within a wave
// kept in definition order, so the order is deterministic and containers without dependencies come
// first. Expects a validated definition; if dependsOn has a cycle, returns definition order.
std::vector<std::size_t> container_start_order(const TaskDefinition& definition);
// The reverse of the start order (2.5).
std::vector<std::size_t> container_shutdown_order(const TaskDefinition& definition);

// --- task health (ecs-reference 2.6) -----------------------------------------------------------

// Task healthStatus from the health statuses of its essential containers: UNHEALTHY if any is
// UNHEALTHY, else UNKNOWN if any is UNKNOWN, else HEALTHY. No essential container: UNKNOWN.
HealthStatus aggregate_task_health(std::span<const HealthStatus> essential_container_statuses);
// The same over all containers of a task, `container_statuses[i]` belonging to container i;
// non-essential containers are left out. A container without a healthCheck reports UNKNOWN (2.6),
// so a task with such an essential container stays UNKNOWN, as AWS documents.
HealthStatus task_health_status(const TaskDefinition& definition,
                                std::span<const HealthStatus> container_statuses);

// --- families and revisions --------------------------------------------------------------------

// Registered task definitions, by family, as ECS numbers them: each registration of a family is
// revision n+1 (2.1), and deregistered revisions keep their numbers (INACTIVE). Lookups return
// pointers that stay valid for the registry's lifetime. Families iterate in name order.
class TaskDefinitionRegistry {
 public:
  // ECS quota: revisions per family, deregistered ones included (ecs-reference 12).
  static constexpr std::int64_t kMaxRevisionsPerFamily = 1'000'000;

  // Stores `definition` as the family's next revision (its `revision` and `status` are
  // overwritten) and returns the stored copy. Fails on an empty family or a full family. The
  // definition is expected to be valid (parsing validates).
  Result<const TaskDefinition*> register_task_definition(TaskDefinition definition);

  // Resolves what CreateService and RunTask accept: "family" (its latest ACTIVE revision),
  // "family:revision" (that revision, which must be ACTIVE) or a task definition ARN. The error
  // names what exists, with a "did you mean" for a near-miss family.
  Result<const TaskDefinition*> resolve(std::string_view reference) const;

  // Any revision, ACTIVE or INACTIVE; nullptr if it was never registered.
  const TaskDefinition* find(std::string_view family, std::int64_t revision) const;
  // Marks a revision INACTIVE (DeregisterTaskDefinition). False if it does not exist.
  bool deregister(std::string_view family, std::int64_t revision);

  std::int64_t latest_revision(std::string_view family) const;  // 0 for an unknown family
  std::vector<std::string> families() const;
  std::size_t size() const { return size_; }

 private:
  std::map<std::string, std::deque<TaskDefinition>, std::less<>> families_;
  std::size_t size_ = 0;
};

}  // namespace ecsim
