// Task placement on EC2 container instances (ecs-reference 2.3, 2.4, 3 and 4): a column-oriented
// ClusterView that the simulation updates as tasks start and stop, and pure functions over it that
// choose an instance for a task, explain a failure the way ECS does, and choose a task to stop.
//
// The pipeline (4.1), as place_task runs it:
//  1. Only ACTIVE instances whose agent is connected accept placements (3.1, 3.3).
//  2. Resources: CPU, memory and GPUs must fit; static host ports must be free (TCP and UDP apart);
//     the instance may hold at most 100 reserved ports, its default reserved ports included and
//     dynamic ports not counted (2.3); dynamic ports need free ports in 49153-65535; awsvpc tasks
//     need a free ENI attachment (2.4). awsvpc tasks hold no host ports at all.
//  3. Constraints (binding): distinctInstance, memberOf (cluster_query.hpp). At most 10.
//  4. Strategies (best effort), in list order, each later one choosing among the instances the
//     earlier ones left tied (4.2, INFERRED). At most 5. Each strategy scores the candidates and
//     keeps those with the best score:
//     * binpack cpu|memory: the least remaining amount of the field (that still fits the task).
//     * spread instanceId|host: the fewest tasks of the request's group on the instance.
//     * spread attribute:NAME: the attribute value whose instances hold the fewest tasks of the
//       group, counting every instance of the view with that value (any status), and choosing only
//       among values that have a candidate. Instances without the attribute form one more value of
//       their own. [INFERRED]
//     * random: uniform over the candidates left; later strategies have nothing left to decide.
//     * custom (CustomPlacementStrategy, an ecsim extension): the user's scores, the least kept.
//     A service's tasks are spread by the tasks of that service, standalone tasks by their task
//     group: both are "the request's group".
//     Service default (4.4, `service_default`): the zones whose instances hold the fewest tasks of
//     the service, then the instances there with the fewest tasks of the service; that is,
//     spread attribute:ecs.availability-zone then spread instanceId.
//  5. Final tie-break among instances still tied [INFERRED, configurable]: TieBreak::kRandom
//     (uniform, from the caller's seeded Rng; the default, as in scenario.hpp) or
//     TieBreak::kLowestId (the smallest instance id in byte order: zero-pad ids).
//
// Failures carry ECS's reason code and service-event wording (4.5), the "closest matching"
// instance and, separately, the numbers required and available:
//  * no ACTIVE instance: "NO_INSTANCES" (an ecsim code; ECS rejects such calls outright);
//  * ACTIVE instances but none with a connected agent: "AGENT";
//  * connected instances, none with the resources: "RESOURCE:CPU|MEMORY|GPU|PORTS|PORTS_UDP|ENI"
//    of the closest instance [INFERRED]: the one failing the fewest resource checks, then by the
//    first failing check in the order CPU, MEMORY, GPU, PORTS, PORTS_UDP, ENI, then the most of
//    that resource available, then the lowest id;
//  * instances with the resources, none meeting the constraints: "ATTRIBUTE"; the closest is the
//    lowest id among them [INFERRED].
//
// Cost. ClusterView keeps, over the instances that accept placements, three treaps keyed by
// (zone, remaining CPU, id rank), (zone, remaining memory, id rank) and (zone, id rank), each node
// carrying the maxima of remaining CPU, memory, GPUs and free ENI slots in its subtree; per task
// group, the task count per zone, the instances ordered by (task count, id rank) and a bitset of
// the instances holding the group. So:
//  * reserve / release / set_status / set_agent_connected: O(log n) (+ O(ports) for port lists,
//    + O(groups on the instance) for a status change);
//  * add_instance: O(log n) when ids are added in increasing order (as ec2_instance_id makes them),
//    else O(n log n) to renumber the id ranks;
//  * place_task: binpack is a lower_bound walk per zone that skips subtrees without room; spread on
//    the zone compares zone totals; random and random tie-breaks draw by order statistics with
//    rejection (falling back to listing the candidates after 32 misses, so draws stay uniform);
//    spread instanceId looks for instances without the group in the trees, or lists them from the
//    bitsets in O(n / 64) when they are the minority; spread on another attribute lists the
//    candidates, O(n log n), and so does a custom strategy (plus its scoring). Typically
//    O(zones · log n); add O(log n) per instance that passes the subtree bounds but fails a port,
//    constraint or group test. A failure adds an O(n) scan to explain it. docs/performance.md has
//    the measurements.
//  * Nothing iterates a hash container; ties are broken by id rank or by the Rng only, so a
//    decision depends only on the view, the request and the generator state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecsim/cluster_query.hpp"
#include "ecsim/random.hpp"
#include "ecsim/result.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/task_definition.hpp"

namespace ecsim {

namespace detail {
struct ClusterViewImpl;
struct ViewAccess;
}  // namespace detail

// A row of the ClusterView (stable for the view's lifetime; rows are never removed).
using InstanceIndex = std::size_t;

// Container instance status (ecs-reference 3.3). Only kActive accepts placements.
enum class ContainerInstanceStatus {
  kRegistering,
  kRegistrationFailed,
  kActive,
  kDraining,
  kDeregistering,
  kInactive
};
std::string_view to_string(ContainerInstanceStatus status);  // "ACTIVE", "DRAINING", ...

// Ephemeral range for dynamic host ports when Docker cannot read ip_local_port_range (2.3).
inline constexpr int kEphemeralPortFirst = 49153;
inline constexpr int kEphemeralPortLast = 65535;
// Reserved ports per instance, defaults included, dynamic ports excluded (2.3).
inline constexpr int kMaxReservedPorts = 100;
inline constexpr std::size_t kMaxPlacementStrategies = 5;    // 4.1
inline constexpr std::size_t kMaxPlacementConstraints = 10;  // 4.1, task definition + request
inline constexpr int kMaxRunTaskCount = 10;                  // ecs-reference 12

// What one task takes from an instance (ecs-reference 2.1, 2.3, 2.4).
struct TaskFootprint {
  std::int64_t cpu = 0;  // CPU units
  std::int64_t memory_mib = 0;
  std::int64_t gpus = 0;
  NetworkMode network_mode = NetworkMode::kBridge;
  // Host ports the task names (bridge and host modes); ignored in awsvpc mode, where each task has
  // its own ENI and holds no host port.
  std::vector<int> static_tcp_ports;
  std::vector<int> static_udp_ports;
  // Host ports the task leaves to Docker (bridge mode, hostPort 0 or omitted).
  std::int64_t dynamic_tcp_ports = 0;
  std::int64_t dynamic_udp_ports = 0;
  bool needs_eni = false;  // must be true exactly in awsvpc mode

  static TaskFootprint from(const TaskReservation& reservation, NetworkMode mode);
  bool operator==(const TaskFootprint&) const = default;
};

// The host ports one task holds on its instance: its static ports in the order given, then the
// dynamic ports assigned to it in increasing order.
struct PlacedPorts {
  std::vector<int> tcp;
  std::vector<int> udp;
  bool operator==(const PlacedPorts&) const = default;
};

struct InstanceInfo;

// The container instances of one cluster as columns, with the indexes place_task needs.
// Copyable (a deep copy, O(n)): copy it for a dry run. Mutators check their preconditions with
// ECSIM_ASSERT (they throw ecsim::InternalError: the model called them wrongly).
class ClusterView {
 public:
  using Status = ContainerInstanceStatus;

  ClusterView();
  ~ClusterView();
  ClusterView(const ClusterView& other);
  ClusterView& operator=(const ClusterView& other);
  ClusterView(ClusterView&& other) noexcept;
  ClusterView& operator=(ClusterView&& other) noexcept;

  // Adds a row and returns its index (0, 1, 2, ...). The id must be new and non-empty, the zone
  // non-empty, amounts in [0, 2^31), reserved ports in 1..65535 without repeats and at most 100.
  // The zone is also recorded as the attribute ecs.availability-zone.
  InstanceIndex add_instance(const InstanceInfo& info);
  void set_status(InstanceIndex i, Status status);
  void set_agent_connected(InstanceIndex i, bool connected);
  // Custom attributes (PutAttributes / DeleteAttributes). ecs.availability-zone cannot change.
  void set_attribute(InstanceIndex i, const std::string& name, const std::string& value);
  void remove_attribute(InstanceIndex i, const std::string& name);

  // Takes the footprint's resources on instance i for a task of `group` and returns the host ports
  // it now holds (dynamic ones: the lowest free ports of the ephemeral range). The footprint must
  // fit (place_task chose i); the instance's status does not matter here. O(log n + ports).
  PlacedPorts reserve(InstanceIndex i, const TaskFootprint& footprint, std::string_view group);
  // Gives back exactly what reserve took. O(log n + ports).
  void release(InstanceIndex i, const TaskFootprint& footprint, std::string_view group,
               const PlacedPorts& ports);

  std::size_t size() const;
  std::optional<InstanceIndex> find(std::string_view id) const;
  const std::string& id(InstanceIndex i) const;
  Status status(InstanceIndex i) const;
  bool agent_connected(InstanceIndex i) const;
  // ACTIVE with a connected agent (3.1, 3.3).
  bool accepts_placements(InstanceIndex i) const;
  const std::string& availability_zone(InstanceIndex i) const;
  std::int64_t registered_cpu(InstanceIndex i) const;
  std::int64_t remaining_cpu(InstanceIndex i) const;
  std::int64_t registered_memory(InstanceIndex i) const;
  std::int64_t remaining_memory(InstanceIndex i) const;
  std::int64_t registered_gpus(InstanceIndex i) const;
  std::int64_t remaining_gpus(InstanceIndex i) const;
  int eni_slots(InstanceIndex i) const;  // awsvpc tasks the instance can hold
  int eni_used(InstanceIndex i) const;
  // Host ports in use, sorted: the instance's reserved ports plus the tasks' static and dynamic
  // ports.
  std::vector<int> tcp_ports_in_use(InstanceIndex i) const;
  std::vector<int> udp_ports_in_use(InstanceIndex i) const;
  // Ports counted toward the limit of 100: reserved at registration plus the tasks' static ports.
  int reserved_port_count(InstanceIndex i) const;
  const Attributes& attributes(InstanceIndex i) const;
  // Tasks of `group` reserved on instance i / in the whole view / on instances of zone `az`.
  std::int64_t task_count(InstanceIndex i, std::string_view group) const;
  std::int64_t group_task_count(std::string_view group) const;
  std::int64_t group_task_count_in_zone(std::string_view group, std::string_view az) const;
  // The groups with at least one task on instance i, sorted.
  std::vector<std::string> task_groups(InstanceIndex i) const;
  // Availability zones seen so far, sorted.
  std::vector<std::string> availability_zones() const;

  // Recomputes every index from the columns and reports the first mismatch (tests, debugging).
  std::optional<std::string> check_invariants() const;

 private:
  friend struct detail::ViewAccess;
  std::unique_ptr<detail::ClusterViewImpl> impl_;
};

// One container instance as registered (ecs-reference 3.1, 4.3).
struct InstanceInfo {
  std::string id;  // e.g. "i-00000000000000001"; lowestId ties compare ids as bytes
  std::string availability_zone;
  std::int64_t cpu = 0;         // registered CPU units
  std::int64_t memory_mib = 0;  // registered memory (after OS overhead, 3.2)
  std::int64_t gpus = 0;
  int eni_slots = 0;  // awsvpc tasks it can hold: ENIs minus the primary (and the trunk) (2.4)
  std::vector<int> reserved_tcp_ports = {22, 2375, 2376, 51678, 51679, 51680};  // 2.3 defaults
  std::vector<int> reserved_udp_ports;
  Attributes attributes;  // built-in and custom; ecs.availability-zone is set from the zone
  ClusterView::Status status = ClusterView::Status::kActive;
  bool agent_connected = true;
};

// ---- requests -----------------------------------------------------------------------------------

// kCustom is ecsim's extension point (CustomPlacementStrategy below); ECS has only the others.
enum class PlacementStrategyType { kBinpack, kSpread, kRandom, kCustom };
enum class BinpackField { kCpu, kMemory };

struct PlacementRequest;

// A placement strategy of the user's own: one link of a strategy chain (PlacementStrategy::
// custom_of), or the whole chain. Like a built-in link it scores the candidates that the links
// before it left tied and keeps those with the best (least) score; later links and the tie-break
// choose among what it leaves. The engine lists those candidates for it, O(n) (the built-in links
// before it still narrow through the indexes); chains without a custom link are not affected.
// choose_task_to_stop (scale-in) skips custom links.
class CustomPlacementStrategy {
 public:
  virtual ~CustomPlacementStrategy() = default;
  // Shown as "custom(NAME)" by PlacementStrategy::to_string.
  virtual std::string name() const = 0;
  // Sets scores[k] for candidates[k]; the least score wins, ties are kept, NaN counts as
  // +infinity. The candidates are at least two, sorted by row, and every one accepts placements,
  // has the resources and meets the constraints. Must not change the view; must be deterministic
  // for place_task to stay so; an exception propagates out of place_task.
  virtual void score(const ClusterView& view, const PlacementRequest& request,
                     std::span<const InstanceIndex> candidates, std::span<double> scores) const = 0;
};

struct PlacementStrategy {
  PlacementStrategyType type = PlacementStrategyType::kRandom;
  BinpackField binpack_field = BinpackField::kMemory;  // binpack only
  std::string spread_attribute;  // spread only: attribute name, or empty for instanceId / host
  std::shared_ptr<const CustomPlacementStrategy> custom;  // custom only (shared, immutable)

  static PlacementStrategy binpack(BinpackField field);
  static PlacementStrategy spread_instance_id();
  static PlacementStrategy spread_attribute_of(std::string name);
  static PlacementStrategy spread_zone() { return spread_attribute_of("ecs.availability-zone"); }
  static PlacementStrategy random();
  static PlacementStrategy custom_of(std::shared_ptr<const CustomPlacementStrategy> strategy);

  // AWS's spelling: "binpack(memory)", "spread(instanceId)", "spread(attribute:X)", "random";
  // "custom(NAME)" for a custom strategy.
  std::string to_string() const;
  bool operator==(const PlacementStrategy&) const = default;
};

// A custom strategy from a function that scores one candidate at a time (the least score wins).
// For example, the most free CPU first:
//   custom_strategy("most-free-cpu", [](const ClusterView& v, const PlacementRequest&,
//                                       InstanceIndex i) { return -double(v.remaining_cpu(i)); })
using CandidateScore =
    std::function<double(const ClusterView&, const PlacementRequest&, InstanceIndex)>;
PlacementStrategy custom_strategy(std::string name, CandidateScore score);

// From the API's {type, field}: binpack with cpu|memory; spread with instanceId|host|
// attribute:NAME; random without a field (an empty field is accepted). Names are case-sensitive,
// as in the API.
Result<PlacementStrategy> parse_placement_strategy(std::string_view type, std::string_view field);

struct PlacementConstraint {
  enum class Type { kDistinctInstance, kMemberOf };
  Type type = Type::kDistinctInstance;
  std::optional<ClusterQuery> expression;  // memberOf only

  static PlacementConstraint distinct_instance() { return {}; }
  static PlacementConstraint member_of(ClusterQuery query) {
    return {Type::kMemberOf, std::move(query)};
  }
};

// From the API's {type, expression}: distinctInstance (no expression) or memberOf (a cluster
// query; its parse error is returned as is).
Result<PlacementConstraint> parse_placement_constraint(std::string_view type,
                                                       std::string_view expression);

struct PlacementRequest {
  TaskFootprint footprint;
  // The task group: "service:NAME" for a service's tasks, "family:NAME" (or the RunTask group) for
  // standalone tasks. spread and distinctInstance count tasks of this group; messages name the
  // service when the group starts with "service:".
  std::string group;
  std::vector<PlacementConstraint> constraints;  // task definition's and the call's, together
  std::vector<PlacementStrategy> strategies;
  // Service scheduler without strategies (4.4): fewest tasks of the group in the zone, then on the
  // instance. `strategies` must then be empty.
  bool service_default = false;
};

// What is wrong with a request, or nullopt: more than 5 strategies or 10 constraints, a memberOf
// without expression, a custom strategy without its object, service_default with strategies,
// negative amounts, ports outside 1..65535 or repeated, dynamic ports outside bridge mode, ports in
// none mode, needs_eni not matching awsvpc.
std::optional<std::string> placement_request_problem(const PlacementRequest& request);

// ---- decisions ----------------------------------------------------------------------------------

struct PlacementDecision {
  std::optional<InstanceIndex> instance;  // set when placed

  // Set when not placed.
  std::string reason;  // "RESOURCE:MEMORY", "AGENT", "ATTRIBUTE", "NO_INSTANCES", "INVALID_REQUEST"
  std::string message;  // ECS's service-event wording
  std::optional<InstanceIndex> closest_instance;
  std::string closest_instance_id;
  // For RESOURCE:*: what the task asks for and what the closest instance has, in the resource's
  // unit (CPU units, MiB, GPUs, ENI slots; for ports, see port_problem).
  std::int64_t required = 0;
  std::int64_t available = 0;
  // RESOURCE:PORTS / PORTS_UDP: "conflict" (a static port is in use; conflicting_ports lists it),
  // "reserved-limit" (required = reserved ports after placing, available = 100) or
  // "ephemeral-exhausted" (required = dynamic ports, available = free ephemeral ports).
  std::string port_problem;
  std::vector<int> conflicting_ports;

  bool placed() const { return instance.has_value(); }
};

// Chooses an instance for one task, or explains why none fits. Pure: reads the view, draws from
// `rng` (random strategy, random tie-breaks) and changes nothing else. Deterministic for a given
// view, request and generator state.
PlacementDecision place_task(const ClusterView& view, const PlacementRequest& request, Rng& rng,
                             TieBreak tie_break = TieBreak::kRandom);
PlacementDecision place_task(const ClusterView& view, const PlacementRequest& request, Rng& rng,
                             const PlacementSettings& settings);

// Places `count` tasks one after another, reserving each in `view` so that every later task sees
// the earlier ones (RunTask count, a service starting several tasks). Stops at the first failure.
// For a dry run, pass a copy of the view.
struct PlacedTask {
  InstanceIndex instance = 0;
  PlacedPorts ports;
};
struct PlacementBatch {
  std::vector<PlacedTask> placed;
  std::optional<PlacementDecision> failure;  // why the next task could not be placed
};
PlacementBatch place_tasks(ClusterView& view, const PlacementRequest& request, int count, Rng& rng,
                           TieBreak tie_break = TieBreak::kRandom);

// ---- scale-in (which task to stop) --------------------------------------------------------------

struct StopCandidate {
  std::uint64_t task = 0;  // the caller's id; lowestId ties prefer the smaller one
  InstanceIndex instance = 0;
  std::int64_t cpu = 0;  // what the task holds, for binpack
  std::int64_t memory_mib = 0;
};

// Chooses which of `tasks` (all running tasks of one group) to stop, by the request's strategies
// (or its service default), returning an index into `tasks`; nullopt when empty (4.2, 4.4):
//  * binpack F: the task whose instance would have the most of F left after the stop;
//  * spread instanceId: a task on the instance with the most of these tasks;
//  * spread attribute:X: a task on an instance whose value of X has the most of these tasks (zone
//    balance); within it the next strategy or the tie-break decides (random by default, as 4.2
//    documents "within an AZ the task is chosen at random");
//  * random: uniform;
//  * service default: the zone with the most of these tasks, then the instance with the most;
//  * ties: TieBreak::kRandom uniform, kLowestId the lowest instance id, then the lowest task id.
// Counts come from `tasks` only, not from the view.
std::optional<std::size_t> choose_task_to_stop(const ClusterView& view,
                                               std::span<const StopCandidate> tasks,
                                               const PlacementRequest& request, Rng& rng,
                                               TieBreak tie_break = TieBreak::kRandom);

}  // namespace ecsim
