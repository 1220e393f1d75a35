// Task placement on EC2 container instances: ecs-reference 2.3 (ports), 2.4 (network modes, ENIs),
// 3.1 / 3.3 (which instances take tasks), 4.1-4.5 (algorithm, strategies, constraints, defaults,
// failures), plus a shadow test holding the indexed engine to the O(n) reference scan.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/assert.hpp"
#include "ecsim/placement.hpp"

#include "placement/placement_internal.hpp"

using namespace ecsim;

namespace {

InstanceInfo instance(std::string id, std::string az, std::int64_t cpu, std::int64_t memory_mib,
                      int eni_slots = 3) {
  InstanceInfo info;
  info.id = std::move(id);
  info.availability_zone = std::move(az);
  info.cpu = cpu;
  info.memory_mib = memory_mib;
  info.eni_slots = eni_slots;
  return info;
}

TaskFootprint task(std::int64_t cpu, std::int64_t memory_mib) {
  TaskFootprint f;
  f.cpu = cpu;
  f.memory_mib = memory_mib;
  return f;
}

TaskFootprint awsvpc_task(std::int64_t cpu, std::int64_t memory_mib) {
  TaskFootprint f = task(cpu, memory_mib);
  f.network_mode = NetworkMode::kAwsvpc;
  f.needs_eni = true;
  return f;
}

PlacementRequest request(TaskFootprint f, std::string group = "service:web",
                         std::vector<PlacementStrategy> strategies = {},
                         std::vector<PlacementConstraint> constraints = {}) {
  PlacementRequest r;
  r.footprint = std::move(f);
  r.group = std::move(group);
  r.strategies = std::move(strategies);
  r.constraints = std::move(constraints);
  return r;
}

PlacementDecision decide(const ClusterView& view, const PlacementRequest& r,
                         TieBreak tie = TieBreak::kLowestId, std::uint64_t seed = 1) {
  Rng rng(seed);
  return place_task(view, r, rng, tie);
}

// The id of the instance chosen, or the failure reason in brackets.
std::string chosen(const ClusterView& view, const PlacementRequest& r,
                   TieBreak tie = TieBreak::kLowestId, std::uint64_t seed = 1) {
  const PlacementDecision d = decide(view, r, tie, seed);
  return d.placed() ? view.id(*d.instance) : "[" + d.reason + "]";
}

// The ids chosen over many seeds with the random tie-break.
std::set<std::string> chosen_over_seeds(const ClusterView& view, const PlacementRequest& r,
                                        int draws = 200) {
  std::set<std::string> ids;
  for (int s = 0; s < draws; ++s)
    ids.insert(chosen(view, r, TieBreak::kRandom, 1000 + s));
  return ids;
}

// Reserves n tasks of `group` on the instance named `id`.
void put(ClusterView& view, const std::string& id, const std::string& group, int n = 1,
         TaskFootprint f = task(0, 0)) {
  const auto i = view.find(id);
  REQUIRE(i.has_value());
  for (int k = 0; k < n; ++k)
    view.reserve(*i, f, group);
}

void require_consistent(const ClusterView& view) {
  const auto problem = view.check_invariants();
  REQUIRE_MESSAGE(!problem, problem.value_or(""));
}

const std::vector<int> kDefaultReserved{22, 2375, 2376, 51678, 51679, 51680};

}  // namespace

// ---- 2.3 ports ----------------------------------------------------------------------------------

TEST_CASE("ecs-reference 2.3: the default reserved ports are in use and count toward the 100") {
  ClusterView view;
  const auto i = view.add_instance(instance("i-1", "a", 2048, 4096));
  CHECK(view.tcp_ports_in_use(i) == kDefaultReserved);
  CHECK(view.udp_ports_in_use(i).empty());
  CHECK(view.reserved_port_count(i) == 6);
  for (int port : kDefaultReserved) {
    TaskFootprint f = task(10, 10);
    f.static_tcp_ports = {port};
    const PlacementDecision d = decide(view, request(f));
    REQUIRE_FALSE(d.placed());
    CHECK(d.reason == "RESOURCE:PORTS");
    CHECK(d.port_problem == "conflict");
    CHECK(d.conflicting_ports == std::vector<int>{port});
  }
}

TEST_CASE(
    "ecs-reference 2.3: a static host port is held while the task runs and released when it "
    "stops") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 8192));
  view.add_instance(instance("i-2", "a", 4096, 8192));
  TaskFootprint f = task(256, 256);
  f.static_tcp_ports = {8080};
  const PlacedPorts held = view.reserve(0, f, "service:web");
  CHECK(held.tcp == std::vector<int>{8080});
  CHECK(view.reserved_port_count(0) == 7);
  // Only one task per instance can hold 8080: the next one goes to i-2, then nowhere.
  CHECK(chosen(view, request(f)) == "i-2");
  view.reserve(1, f, "service:web");
  CHECK(chosen(view, request(f)) == "[RESOURCE:PORTS]");
  view.release(0, f, "service:web", held);
  CHECK(view.reserved_port_count(0) == 6);
  CHECK(chosen(view, request(f)) == "i-1");
  require_consistent(view);
}

TEST_CASE("ecs-reference 2.3: at most 100 reserved ports per instance, the defaults included") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 100000, 100000));
  TaskFootprint f = task(1, 1);
  // Each task names 10 static TCP ports: 6 defaults + 9 * 10 = 96 reserved ports.
  for (int t = 0; t < 9; ++t) {
    f.static_tcp_ports.clear();
    for (int p = 0; p < 10; ++p)
      f.static_tcp_ports.push_back(10000 + 10 * t + p);
    REQUIRE(chosen(view, request(f)) == "i-1");
    view.reserve(0, f, "service:web");
  }
  CHECK(view.reserved_port_count(0) == 96);
  // 96 + 10 = 106 > 100.
  f.static_tcp_ports.clear();
  for (int p = 0; p < 10; ++p)
    f.static_tcp_ports.push_back(20000 + p);
  const PlacementDecision d = decide(view, request(f));
  REQUIRE_FALSE(d.placed());
  CHECK(d.reason == "RESOURCE:PORTS");
  CHECK(d.port_problem == "reserved-limit");
  CHECK(d.required == 106);
  CHECK(d.available == 100);
  CHECK(d.message.find("has reached the limit of 100 reserved ports") != std::string::npos);
  // 96 + 4 = 100 still fits; UDP ports count toward the same limit.
  f.static_tcp_ports = {20000, 20001};
  f.static_udp_ports = {20000, 20001};
  CHECK(chosen(view, request(f)) == "i-1");
  f.static_udp_ports.push_back(20002);
  CHECK(chosen(view, request(f)) == "[RESOURCE:PORTS]");
}

TEST_CASE(
    "ecs-reference 2.3: dynamic ports come from 49153-65535, avoid ports in use and do not count "
    "toward 100") {
  ClusterView view;
  InstanceInfo info = instance("i-1", "a", 100000, 100000);
  info.reserved_tcp_ports.push_back(49153);  // custom reserved port inside the range
  view.add_instance(info);
  TaskFootprint f = task(1, 1);
  f.dynamic_tcp_ports = 3;
  f.dynamic_udp_ports = 1;
  const PlacedPorts first = view.reserve(0, f, "service:web");
  CHECK(first.tcp == std::vector<int>{49154, 49155, 49156});
  CHECK(first.udp == std::vector<int>{49153});
  CHECK(view.reserved_port_count(0) == 7);  // the 7 registered ones; dynamic ports do not count
  // Static ports first, then dynamic ones.
  TaskFootprint g = task(1, 1);
  g.static_tcp_ports = {8080};
  g.dynamic_tcp_ports = 1;
  const PlacedPorts second = view.reserve(0, g, "service:web");
  CHECK(second.tcp == std::vector<int>{8080, 49157});
  // Releasing the first task frees its ports for the next dynamic allocation.
  view.release(0, f, "service:web", first);
  CHECK(view.reserve(0, f, "service:web").tcp == std::vector<int>{49154, 49155, 49156});
  require_consistent(view);

  // More dynamic ports than the range holds.
  TaskFootprint huge = task(1, 1);
  huge.dynamic_tcp_ports = 65535 - 49153 + 1;
  const PlacementDecision d = decide(view, request(huge));
  REQUIRE_FALSE(d.placed());
  CHECK(d.reason == "RESOURCE:PORTS");
  CHECK(d.port_problem == "ephemeral-exhausted");
  CHECK(d.required == 16383);
  // In use inside the range: 49153 (reserved here), 49154-49157 (tasks) and the agent's own
  // 51678-51680, which sit inside the ephemeral range.
  CHECK(d.available == 16383 - 1 - 4 - 3);
}

TEST_CASE("ecs-reference 2.3: TCP and UDP host ports are separate resources (PORTS, PORTS_UDP)") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 4096));
  TaskFootprint tcp53 = task(1, 1);
  tcp53.static_tcp_ports = {53};
  TaskFootprint udp53 = task(1, 1);
  udp53.static_udp_ports = {53};
  view.reserve(0, tcp53, "service:dns");
  CHECK(chosen(view, request(udp53, "service:dns")) == "i-1");
  view.reserve(0, udp53, "service:dns");
  const PlacementDecision d = decide(view, request(udp53, "service:dns"));
  REQUIRE_FALSE(d.placed());
  CHECK(d.reason == "RESOURCE:PORTS_UDP");
  CHECK(d.conflicting_ports == std::vector<int>{53});
  CHECK(d.message ==
        "service dns was unable to place a task because no container instance met all of its "
        "requirements. The closest matching container-instance i-1 is already using a port "
        "required by your task.");
}

// ---- 2.4 network modes
// ----------------------------------------------------------------------------

TEST_CASE(
    "ecs-reference 2.4: awsvpc tasks take one ENI attachment each, up to the instance's limit") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 8192, /*eni_slots=*/2));
  TaskFootprint f = awsvpc_task(256, 256);
  f.static_tcp_ports = {80};  // its own ENI: no host-port conflict between awsvpc tasks
  const PlacedPorts p1 = view.reserve(0, f, "service:web");
  CHECK(p1.tcp.empty());
  CHECK(chosen(view, request(f)) == "i-1");
  view.reserve(0, f, "service:web");
  CHECK(view.eni_used(0) == 2);
  CHECK(view.tcp_ports_in_use(0) == kDefaultReserved);
  const PlacementDecision d = decide(view, request(f));
  REQUIRE_FALSE(d.placed());
  CHECK(d.reason == "RESOURCE:ENI");
  CHECK(d.required == 1);
  CHECK(d.available == 0);
  // A bridge task does not need an ENI.
  CHECK(chosen(view, request(task(256, 256))) == "i-1");
  view.release(0, f, "service:web", p1);
  CHECK(chosen(view, request(f)) == "i-1");
  require_consistent(view);
}

TEST_CASE("ecs-reference 2.4: host mode static ports conflict like bridge static ports") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 8192));
  view.add_instance(instance("i-2", "b", 4096, 8192));
  TaskFootprint f = task(256, 256);
  f.network_mode = NetworkMode::kHost;
  f.static_tcp_ports = {80};
  CHECK(chosen(view, request(f)) == "i-1");
  view.reserve(0, f, "service:web");
  CHECK(chosen(view, request(f)) == "i-2");
  view.reserve(1, f, "service:web");
  // "you can't run multiple tasks of the same task definition that require a specific hostPort on
  // a single Amazon EC2 instance"
  CHECK(chosen(view, request(f)) == "[RESOURCE:PORTS]");
}

TEST_CASE("ecs-reference 2.3 / 2.4: footprints that AWS would reject are invalid requests") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 8192));
  TaskFootprint host = task(1, 1);
  host.network_mode = NetworkMode::kHost;
  host.dynamic_tcp_ports = 1;  // host mode has no dynamic ports
  CHECK(chosen(view, request(host)) == "[INVALID_REQUEST]");
  TaskFootprint none = task(1, 1);
  none.network_mode = NetworkMode::kNone;
  none.static_tcp_ports = {80};
  CHECK(chosen(view, request(none)) == "[INVALID_REQUEST]");
  TaskFootprint mismatch = task(1, 1);
  mismatch.needs_eni = true;  // bridge mode
  CHECK(chosen(view, request(mismatch)) == "[INVALID_REQUEST]");
  TaskFootprint twice = task(1, 1);
  twice.static_tcp_ports = {80, 80};
  const PlacementDecision d = decide(view, request(twice));
  CHECK(d.reason == "INVALID_REQUEST");
  CHECK(d.message.find("listed twice") != std::string::npos);
  TaskFootprint zero = task(1, 1);
  zero.static_udp_ports = {0};
  CHECK(chosen(view, request(zero)) == "[INVALID_REQUEST]");
}

TEST_CASE("ecs-reference 2.1: TaskFootprint::from copies what a task definition reserves") {
  TaskReservation r;
  r.cpu_units = 512;
  r.memory_mib = 1024;
  r.gpus = 1;
  r.static_tcp_ports = {80};
  r.dynamic_udp_ports = 2;
  const TaskFootprint f = TaskFootprint::from(r, NetworkMode::kBridge);
  CHECK(f.cpu == 512);
  CHECK(f.memory_mib == 1024);
  CHECK(f.gpus == 1);
  CHECK(f.static_tcp_ports == std::vector<int>{80});
  CHECK(f.dynamic_udp_ports == 2);
  CHECK_FALSE(f.needs_eni);
}

// ---- 3.1 / 3.3 which instances take tasks
// ---------------------------------------------------------

TEST_CASE(
    "ecs-reference 3.1 / 3.3: only ACTIVE instances with a connected agent accept placements") {
  ClusterView view;
  InstanceInfo draining = instance("i-1", "a", 8192, 16384);
  draining.status = ClusterView::Status::kDraining;
  InstanceInfo disconnected = instance("i-2", "a", 8192, 16384);
  disconnected.agent_connected = false;
  InstanceInfo registering = instance("i-3", "a", 8192, 16384);
  registering.status = ClusterView::Status::kRegistering;
  view.add_instance(draining);
  view.add_instance(disconnected);
  view.add_instance(registering);
  view.add_instance(instance("i-4", "a", 1024, 1024));
  const auto r =
      request(task(512, 512), "service:web", {PlacementStrategy::binpack(BinpackField::kMemory)});
  CHECK_FALSE(view.accepts_placements(0));
  CHECK_FALSE(view.accepts_placements(1));
  CHECK_FALSE(view.accepts_placements(2));
  CHECK(view.accepts_placements(3));
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-4"});

  // i-4 starts draining: i-2 is ACTIVE but disconnected, so the failure is AGENT.
  view.set_status(3, ClusterView::Status::kDraining);
  PlacementDecision d = decide(view, r);
  REQUIRE_FALSE(d.placed());
  CHECK(d.reason == "AGENT");
  CHECK(d.closest_instance_id == "i-2");
  CHECK(d.message ==
        "service web was unable to place a task because no container instance met all of its "
        "requirements. The closest matching container-instance i-2 encountered error \"AGENT\".");

  // The agent reconnects: i-2 takes the task. Draining back to ACTIVE works too.
  view.set_agent_connected(1, true);
  CHECK(chosen(view, r) == "i-2");
  view.set_agent_connected(1, false);
  view.set_status(0, ClusterView::Status::kActive);
  CHECK(chosen(view, r) == "i-1");
  require_consistent(view);

  // No ACTIVE instance at all.
  view.set_status(0, ClusterView::Status::kInactive);
  view.set_status(1, ClusterView::Status::kDeregistering);
  d = decide(view, r);
  CHECK(d.reason == "NO_INSTANCES");
  CHECK(d.message.find("No ACTIVE Container Instances were found in your cluster.") !=
        std::string::npos);
}

TEST_CASE("ecs-reference 3.1: reserve then release restores remaining resources exactly") {
  ClusterView view;
  for (int k = 0; k < 6; ++k) {
    InstanceInfo info = instance("i-" + std::to_string(k), k % 2 ? "a" : "b", 4096, 16384, 4);
    info.gpus = 2;
    info.attributes["rack"] = "r" + std::to_string(k % 3);
    view.add_instance(info);
  }
  const ClusterView before = view;
  struct Held {
    InstanceIndex instance;
    TaskFootprint footprint;
    std::string group;
    PlacedPorts ports;
  };
  std::vector<Held> held;
  Rng rng(7);
  for (int t = 0; t < 60; ++t) {
    TaskFootprint f = t % 5 == 0 ? awsvpc_task(128, 256) : task(128 + 8 * t, 256 + 16 * t);
    if (t % 5 != 0) {
      f.static_tcp_ports = {static_cast<int>(1000 + t)};
      f.dynamic_tcp_ports = t % 3;
      f.dynamic_udp_ports = t % 2;
    }
    if (t % 7 == 0) f.gpus = 1;
    const std::string group = "service:s" + std::to_string(t % 4);
    const PlacementDecision d =
        place_task(view, request(f, group, {PlacementStrategy::spread_instance_id()}), rng);
    if (!d.placed()) continue;
    held.push_back({*d.instance, f, group, view.reserve(*d.instance, f, group)});
    require_consistent(view);
  }
  REQUIRE(held.size() > 20);
  // Release in a shuffled order (Fisher-Yates with the test's own generator).
  std::vector<std::size_t> order(held.size());
  for (std::size_t k = 0; k < order.size(); ++k)
    order[k] = k;
  for (std::size_t k = order.size(); k > 1; --k)
    std::swap(order[k - 1], order[uniform_uint(rng, 0, k - 1)]);
  for (std::size_t k : order) {
    const Held& h = held[k];
    view.release(h.instance, h.footprint, h.group, h.ports);
  }
  require_consistent(view);
  for (InstanceIndex i = 0; i < view.size(); ++i) {
    CHECK(view.remaining_cpu(i) == before.remaining_cpu(i));
    CHECK(view.remaining_memory(i) == before.remaining_memory(i));
    CHECK(view.remaining_gpus(i) == before.remaining_gpus(i));
    CHECK(view.eni_used(i) == 0);
    CHECK(view.tcp_ports_in_use(i) == before.tcp_ports_in_use(i));
    CHECK(view.udp_ports_in_use(i) == before.udp_ports_in_use(i));
    CHECK(view.reserved_port_count(i) == 6);
    CHECK(view.task_groups(i).empty());
  }
  CHECK(view.group_task_count("service:s0") == 0);
}

TEST_CASE(
    "ecs-reference 3.1 / 4.3: instances join a running cluster and attributes change; the indexes "
    "keep up") {
  ClusterView view;
  view.add_instance(instance("i-2", "a", 4096, 8192));
  view.add_instance(instance("i-4", "a", 4096, 8192));
  put(view, "i-2", "service:web", 2);
  put(view, "i-4", "service:web", 1);
  // A new zone and an id that sorts before the others, after tasks exist.
  view.add_instance(instance("i-1", "b", 4096, 8192));
  view.add_instance(instance("i-3", "a", 4096, 8192));
  require_consistent(view);
  CHECK(view.availability_zones() == std::vector<std::string>{"a", "b"});
  CHECK(view.group_task_count_in_zone("service:web", "a") == 3);
  CHECK(view.group_task_count_in_zone("service:web", "b") == 0);
  const auto spread = request(task(1, 1), "service:web", {PlacementStrategy::spread_instance_id()});
  CHECK(chosen(view, spread) == "i-1");  // lowest id among the two without tasks
  put(view, "i-1", "service:web");
  put(view, "i-3", "service:web");
  require_consistent(view);
  CHECK(chosen(view, spread) == "i-1");  // i-1, i-3, i-4 hold one: the lowest id
  CHECK(view.task_groups(*view.find("i-2")) == std::vector<std::string>{"service:web"});

  // PutAttributes / DeleteAttributes are seen by memberOf.
  const auto rack = parse_placement_constraint("memberOf", "attribute:rack == r7");
  REQUIRE(rack.ok());
  const auto on_rack = request(task(1, 1), "service:web", {}, {*rack});
  CHECK(chosen(view, on_rack) == "[ATTRIBUTE]");
  view.set_attribute(3, "rack", "r7");
  CHECK(view.attributes(3).at("rack") == "r7");
  CHECK(chosen(view, on_rack) == "i-3");
  view.remove_attribute(3, "rack");
  CHECK(chosen(view, on_rack) == "[ATTRIBUTE]");
  CHECK_THROWS_AS(view.set_attribute(3, "ecs.availability-zone", "b"), InternalError);

  // Copies are deep: the copy does not see later reservations.
  ClusterView copy;
  copy = view;
  view.reserve(0, task(4096, 0), "service:cpu-hog");
  CHECK(view.remaining_cpu(0) == 0);
  CHECK(copy.remaining_cpu(0) == 4096);
  require_consistent(copy);
  CHECK(to_string(ClusterView::Status::kDraining) == "DRAINING");
  CHECK(to_string(ClusterView::Status::kRegistrationFailed) == "REGISTRATION_FAILED");

  // Misuse is reported, not ignored.
  CHECK_THROWS_AS(view.add_instance(instance("i-1", "a", 1, 1)), InternalError);    // duplicate id
  CHECK_THROWS_AS(view.reserve(0, task(1, 1), "service:web"), InternalError);       // no CPU left
  CHECK_THROWS_AS(view.release(1, task(1, 1), "service:none", {}), InternalError);  // nothing held
  CHECK_THROWS_AS(static_cast<void>(view.remaining_cpu(99)), InternalError);        // no such row
}

TEST_CASE("ecs-reference 4.1: amounts beyond any instance and negative amounts") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 8192));
  const PlacementDecision d = decide(view, request(task(1, std::int64_t{1} << 40)));
  REQUIRE_FALSE(d.placed());
  CHECK(d.reason == "RESOURCE:MEMORY");
  CHECK(d.required == std::int64_t{1} << 40);
  CHECK(d.available == 8192);
  CHECK(chosen(view, request(task(-1, 1))) == "[INVALID_REQUEST]");
  TaskFootprint negative_ports = task(1, 1);
  negative_ports.dynamic_tcp_ports = -1;
  CHECK(chosen(view, request(negative_ports)) == "[INVALID_REQUEST]");
  PlacementRequest no_expression = request(task(1, 1));
  no_expression.constraints.push_back({PlacementConstraint::Type::kMemberOf, std::nullopt});
  CHECK(chosen(view, no_expression) == "[INVALID_REQUEST]");
  CHECK_FALSE(parse_placement_constraint("memberOff", "x").ok());
}

// ---- 4.1 algorithm order and limits -------------------------------------------------------------

TEST_CASE("ecs-reference 4.1: resources are checked before constraints, which bind") {
  ClusterView view;
  InstanceInfo big = instance("i-1", "a", 4096, 8192);
  big.attributes["ecs.instance-type"] = "m5.xlarge";
  InstanceInfo small = instance("i-2", "a", 1024, 1024);
  small.attributes["ecs.instance-type"] = "t2.small";
  view.add_instance(big);
  view.add_instance(small);
  auto t2_only = parse_placement_constraint("memberOf", "attribute:ecs.instance-type =~ t2.*");
  REQUIRE(t2_only.ok());
  // Fits only on i-1, which the constraint rules out: ATTRIBUTE, closest i-1.
  PlacementDecision d = decide(view, request(task(2048, 2048), "service:web", {}, {*t2_only}));
  REQUIRE_FALSE(d.placed());
  CHECK(d.reason == "ATTRIBUTE");
  CHECK(d.closest_instance_id == "i-1");
  CHECK(d.message ==
        "service web was unable to place a task because no container instance met all of its "
        "requirements. The closest matching container-instance i-1 is missing an attribute "
        "required by your task.");
  // Fits nowhere: the resource failure is reported, constraints are not reached.
  d = decide(view, request(task(8192, 512), "service:web", {}, {*t2_only}));
  CHECK(d.reason == "RESOURCE:CPU");
  // Small enough for i-2: placed there.
  CHECK(chosen(view, request(task(512, 512), "service:web", {}, {*t2_only})) == "i-2");
}

TEST_CASE("ecs-reference 4.1: at most 5 strategies and 10 constraints per request") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 8192));
  PlacementRequest r = request(task(1, 1));
  r.strategies.assign(5, PlacementStrategy::spread_instance_id());
  CHECK(chosen(view, r) == "i-1");
  r.strategies.push_back(PlacementStrategy::random());
  PlacementDecision d = decide(view, r);
  CHECK(d.reason == "INVALID_REQUEST");
  CHECK(d.message.find("at most 5 placement strategies") != std::string::npos);
  r.strategies.clear();
  auto c = parse_placement_constraint("memberOf", "attribute:ecs.availability-zone == a");
  REQUIRE(c.ok());
  r.constraints.assign(10, *c);
  CHECK(chosen(view, r) == "i-1");
  r.constraints.push_back(PlacementConstraint::distinct_instance());
  d = decide(view, r);
  CHECK(d.reason == "INVALID_REQUEST");
  CHECK(d.message.find("at most 10 placement constraints") != std::string::npos);
  CHECK(placement_request_problem(r).has_value());
}

TEST_CASE(
    "ecs-reference 4.1 / 4.2: strategies and constraints parse from the API's type and field") {
  CHECK(parse_placement_strategy("binpack", "cpu")->to_string() == "binpack(cpu)");
  CHECK(parse_placement_strategy("binpack", "memory")->to_string() == "binpack(memory)");
  CHECK(parse_placement_strategy("spread", "instanceId")->to_string() == "spread(instanceId)");
  CHECK(parse_placement_strategy("spread", "host")->to_string() == "spread(instanceId)");
  CHECK(parse_placement_strategy("spread", "attribute:ecs.availability-zone")->to_string() ==
        "spread(attribute:ecs.availability-zone)");
  CHECK(*parse_placement_strategy("spread", "attribute:ecs.availability-zone") ==
        PlacementStrategy::spread_zone());
  CHECK(parse_placement_strategy("random", "")->to_string() == "random");
  CHECK_FALSE(parse_placement_strategy("binpack", "gpu").ok());
  CHECK_FALSE(parse_placement_strategy("spread", "attribute:").ok());
  CHECK_FALSE(parse_placement_strategy("spread", "zone").ok());
  CHECK_FALSE(parse_placement_strategy("random", "cpu").ok());
  CHECK(
      parse_placement_strategy("firstfit", "").error().find("expected binpack, spread or random") !=
      std::string::npos);
  CHECK(parse_placement_constraint("distinctInstance", "").ok());
  CHECK_FALSE(parse_placement_constraint("distinctInstance", "attribute:a exists").ok());
  CHECK_FALSE(parse_placement_constraint("memberOf", "").ok());
  const auto bad = parse_placement_constraint("memberOf", "attribute:a ==");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().find("at character 15") != std::string::npos);
}

// ---- 4.2 strategies -----------------------------------------------------------------------------

TEST_CASE("ecs-reference 4.2: binpack on memory picks the least remaining memory that still fits") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 8192));
  view.add_instance(instance("i-2", "b", 4096, 3000));
  view.add_instance(instance("i-3", "c", 4096, 1000));  // too little for the task
  view.add_instance(instance("i-4", "a", 4096, 4096));
  const auto r =
      request(task(256, 2048), "service:web", {PlacementStrategy::binpack(BinpackField::kMemory)});
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2"});
  view.reserve(1, task(256, 2048), "service:web");  // i-2 now has 952 MiB left
  CHECK(chosen(view, r) == "i-4");
}

TEST_CASE("ecs-reference 4.2: binpack on cpu picks the least remaining CPU that still fits") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 2048, 8192));
  view.add_instance(instance("i-2", "a", 1024, 8192));
  view.add_instance(instance("i-3", "a", 512, 8192));
  view.add_instance(instance("i-4", "a", 4096, 8192));
  const auto r =
      request(task(1024, 256), "service:web", {PlacementStrategy::binpack(BinpackField::kCpu)});
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2"});
  view.reserve(1, task(1024, 256), "service:web");
  CHECK(chosen(view, r) == "i-1");
}

TEST_CASE(
    "ecs-reference 4.2: binpack skips instances with room in its field but not in another "
    "resource") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 100, 1024));  // least memory, but no CPU for the task
  view.add_instance(instance("i-2", "a", 4096, 2048));
  view.add_instance(instance("i-3", "a", 4096, 4096));
  const auto r =
      request(task(512, 512), "service:web", {PlacementStrategy::binpack(BinpackField::kMemory)});
  CHECK(chosen(view, r) == "i-2");
}

TEST_CASE(
    "ecs-reference 4.2: spread on instanceId places on the instance with the fewest tasks of the "
    "group") {
  ClusterView view;
  for (const char* id : {"i-1", "i-2", "i-3"})
    view.add_instance(instance(id, "a", 8192, 16384));
  put(view, "i-1", "service:web", 2);
  put(view, "i-2", "service:web", 1);
  put(view, "i-3", "service:web", 1);
  put(view, "i-2", "service:other", 5);  // other groups do not count
  const auto r = request(task(256, 256), "service:web", {PlacementStrategy::spread_instance_id()});
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2", "i-3"});
  put(view, "i-3", "service:web");
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2"});
  // "host" is the same field.
  const auto host =
      request(task(256, 256), "service:web", {*parse_placement_strategy("spread", "host")});
  CHECK(chosen(view, host) == "i-2");
  // An instance without tasks of the group that cannot take the task does not count.
  view.add_instance(instance("i-4", "a", 100, 16384));
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2"});
  CHECK(chosen(view, r, TieBreak::kLowestId) == "i-2");
  // With room and no task of the group, i-5 wins (the few instances without the group are listed
  // from bitsets rather than found by walking the many that hold it).
  view.add_instance(instance("i-5", "a", 8192, 16384));
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-5"});
  view.reserve(4, task(0, 0), "service:web");
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2", "i-5"});
  // A standalone task's group: spread by the tasks of that group.
  put(view, "i-1", "family:batch", 1);
  CHECK(chosen_over_seeds(
            view, request(task(1, 1), "family:batch", {PlacementStrategy::spread_instance_id()})) ==
        std::set<std::string>{"i-2", "i-3", "i-4", "i-5"});
}

TEST_CASE("ecs-reference 4.2: spread on the availability zone balances the group across zones") {
  ClusterView view;
  view.add_instance(instance("i-a1", "us-east-1a", 8192, 16384));
  view.add_instance(instance("i-a2", "us-east-1a", 8192, 16384));
  view.add_instance(instance("i-b1", "us-east-1b", 8192, 16384));
  view.add_instance(instance("i-c1", "us-east-1c", 8192, 16384));
  const auto r = request(task(256, 256), "service:web", {PlacementStrategy::spread_zone()});
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-a1", "i-a2", "i-b1", "i-c1"});
  put(view, "i-a1", "service:web");
  put(view, "i-b1", "service:web");
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-c1"});
  put(view, "i-c1", "service:web");
  // All zones at one task: any instance again (within zone a, spread AZ alone does not look at
  // the instances).
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-a1", "i-a2", "i-b1", "i-c1"});
  // A zone without a candidate does not count: fill zone c's only instance.
  view.reserve(3, task(8000, 0), "service:filler");  // 192 CPU units left < 256
  put(view, "i-a2", "service:web");
  CHECK(view.group_task_count_in_zone("service:web", "us-east-1a") == 2);
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-b1"});
  view.reserve(2, task(8000, 0), "service:filler");  // b full too: only zone a is left
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-a1", "i-a2"});
}

TEST_CASE("ecs-reference 4.2: spread AZ then binpack memory, the documented chained example") {
  ClusterView view;
  view.add_instance(instance("i-a1", "a", 4096, 2048));
  view.add_instance(instance("i-b1", "b", 4096, 8192));
  view.add_instance(instance("i-b2", "b", 4096, 4096));
  view.add_instance(instance("i-b3", "b", 4096, 1024));  // fits nothing of this size
  put(view, "i-a1", "service:web");
  const auto r = request(
      task(256, 2048), "service:web",
      {PlacementStrategy::spread_zone(), PlacementStrategy::binpack(BinpackField::kMemory)});
  // Zone b has the fewest tasks; within it the least memory that still fits is i-b2.
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-b2"});
  // Binpack alone would take i-a1 (2048 MiB is the least that fits).
  CHECK(chosen(view, request(task(256, 2048), "service:web",
                             {PlacementStrategy::binpack(BinpackField::kMemory)})) == "i-a1");
}

TEST_CASE("ecs-reference 4.2: spread AZ then spread instanceId, the other documented chain") {
  ClusterView view;
  for (const char* id : {"i-a1", "i-a2"})
    view.add_instance(instance(id, "a", 8192, 16384));
  for (const char* id : {"i-b1", "i-b2"})
    view.add_instance(instance(id, "b", 8192, 16384));
  put(view, "i-a1", "service:web");
  put(view, "i-b1", "service:web");
  const auto r =
      request(task(1, 1), "service:web",
              {PlacementStrategy::spread_zone(), PlacementStrategy::spread_instance_id()});
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-a2", "i-b2"});
}

TEST_CASE(
    "ecs-reference 4.2: each later strategy breaks the ties the earlier ones left [INFERRED]") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 2048));
  view.add_instance(instance("i-2", "a", 1024, 2048));
  view.add_instance(instance("i-3", "a", 512, 4096));
  const auto r = request(task(512, 1024), "service:web",
                         {PlacementStrategy::binpack(BinpackField::kMemory),
                          PlacementStrategy::binpack(BinpackField::kCpu)});
  // Memory ties i-1 and i-2 at 2048; CPU then prefers i-2.
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2"});
}

TEST_CASE(
    "ecs-reference 4.2: spread on a custom attribute; instances without it form one more value "
    "[INFERRED]") {
  ClusterView view;
  InstanceInfo r1 = instance("i-1", "a", 8192, 16384);
  r1.attributes["rack"] = "r1";
  InstanceInfo r2 = instance("i-2", "a", 8192, 16384);
  r2.attributes["rack"] = "r2";
  InstanceInfo r2b = instance("i-3", "a", 8192, 16384);
  r2b.attributes["rack"] = "r2";
  view.add_instance(r1);
  view.add_instance(r2);
  view.add_instance(r2b);
  view.add_instance(instance("i-4", "a", 8192, 16384));  // no rack
  const auto r =
      request(task(1, 1), "service:web", {PlacementStrategy::spread_attribute_of("rack")});
  put(view, "i-1", "service:web");
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2", "i-3", "i-4"});
  put(view, "i-4", "service:web");
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-2", "i-3"});
  put(view, "i-2", "service:web");
  // r1, r2 and "no rack" now hold one task each: everything ties again.
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-1", "i-2", "i-3", "i-4"});
}

TEST_CASE("ecs-reference 4.2: random is deterministic for a seed and reaches every candidate") {
  ClusterView view;
  for (int k = 1; k <= 5; ++k)
    view.add_instance(instance("i-" + std::to_string(k), "a", 4096, 4096));
  view.add_instance(instance("i-6", "a", 128, 128));  // cannot take the task
  const auto r = request(task(256, 256), "family:batch", {PlacementStrategy::random()});
  std::vector<std::string> first, second;
  std::map<std::string, int> hits;
  Rng a(42), b(42);
  for (int n = 0; n < 2000; ++n) {
    first.push_back(view.id(*place_task(view, r, a).instance));
    second.push_back(view.id(*place_task(view, r, b).instance));
    ++hits[first.back()];
  }
  CHECK(first == second);
  REQUIRE(hits.size() == 5);
  for (const auto& [id, count] : hits) {
    CHECK(id != "i-6");
    CHECK(count > 300);  // 400 expected each
    CHECK(count < 500);
  }
  Rng c(43);
  std::vector<std::string> other;
  for (int n = 0; n < 2000; ++n)
    other.push_back(view.id(*place_task(view, r, c).instance));
  CHECK(other != first);
}

TEST_CASE(
    "ecs-reference 4.2: the final tie-break is random by default and lowestId on request "
    "[INFERRED]") {
  ClusterView view;
  for (const char* id : {"i-3", "i-1", "i-2"})
    view.add_instance(instance(id, "a", 4096, 4096));
  require_consistent(view);  // ids arrived out of order: ranks were renumbered
  const auto r =
      request(task(256, 256), "service:web", {PlacementStrategy::binpack(BinpackField::kMemory)});
  CHECK(chosen(view, r, TieBreak::kLowestId) == "i-1");
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-1", "i-2", "i-3"});
  // The PlacementSettings overload takes the scenario's choice; its default is random.
  PlacementSettings settings;
  CHECK(settings.tie_break == TieBreak::kRandom);
  settings.tie_break = TieBreak::kLowestId;
  Rng rng(5);
  CHECK(view.id(*place_task(view, r, rng, settings).instance) == "i-1");
  // No strategy at all: only the tie-break.
  CHECK(chosen(view, request(task(1, 1)), TieBreak::kLowestId) == "i-1");
}

// ---- 4.3 constraints ----------------------------------------------------------------------------

TEST_CASE(
    "ecs-reference 4.3: distinctInstance puts each task of the group on a different instance") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 8192, 16384));
  view.add_instance(instance("i-2", "b", 8192, 16384));
  PlacementRequest r =
      request(task(256, 256), "family:batch", {PlacementStrategy::binpack(BinpackField::kMemory)},
              {PlacementConstraint::distinct_instance()});
  Rng rng(1);
  const PlacementBatch batch = place_tasks(view, r, 3, rng, TieBreak::kLowestId);
  REQUIRE(batch.placed.size() == 2);
  CHECK(batch.placed[0].instance != batch.placed[1].instance);
  REQUIRE(batch.failure.has_value());
  CHECK(batch.failure->reason == "ATTRIBUTE");
  CHECK(batch.failure->message.find("(distinctInstance)") != std::string::npos);
  // Without the constraint binpack stacks all three on one instance.
  ClusterView fresh;
  fresh.add_instance(instance("i-1", "a", 8192, 16384));
  fresh.add_instance(instance("i-2", "b", 8192, 16384));
  r.constraints.clear();
  const PlacementBatch stacked = place_tasks(fresh, r, 3, rng, TieBreak::kLowestId);
  REQUIRE(stacked.placed.size() == 3);
  CHECK(stacked.placed[0].instance == stacked.placed[2].instance);
  CHECK(fresh.task_count(stacked.placed[0].instance, "family:batch") == 3);
}

TEST_CASE("ecs-reference 4.3: memberOf on attributes and on task groups (affinity)") {
  ClusterView view;
  InstanceInfo t2 = instance("i-1", "us-east-1a", 4096, 8192);
  t2.attributes["ecs.instance-type"] = "t2.medium";
  InstanceInfo m5 = instance("i-2", "us-east-1b", 4096, 8192);
  m5.attributes["ecs.instance-type"] = "m5.large";
  view.add_instance(t2);
  view.add_instance(m5);
  auto member = [](const char* e) {
    auto c = parse_placement_constraint("memberOf", e);
    REQUIRE_MESSAGE(c.ok(), c.error());
    return *c;
  };
  CHECK(chosen_over_seeds(view, request(task(1, 1), "service:web", {},
                                        {member("attribute:ecs.instance-type =~ t2.*")})) ==
        std::set<std::string>{"i-1"});
  CHECK(
      chosen_over_seeds(view, request(task(1, 1), "service:web", {},
                                      {member("attribute:ecs.availability-zone == us-east-1b")})) ==
      std::set<std::string>{"i-2"});
  CHECK(chosen_over_seeds(
            view, request(task(1, 1), "service:web", {},
                          {member("attribute:ecs.instance-type in [t2.small, t2.medium]")})) ==
        std::set<std::string>{"i-1"});
  put(view, "i-2", "databases");
  CHECK(chosen_over_seeds(
            view, request(task(1, 1), "service:web", {}, {member("task:group == databases")})) ==
        std::set<std::string>{"i-2"});
  CHECK(chosen_over_seeds(view, request(task(1, 1), "service:web", {},
                                        {member("not task:group == databases")})) ==
        std::set<std::string>{"i-1"});
  // Two constraints must both hold.
  CHECK(chosen(view, request(task(1, 1), "service:web", {},
                             {member("task:group == databases"),
                              member("attribute:ecs.instance-type =~ t2.*")})) == "[ATTRIBUTE]");
}

// ---- 4.4 defaults -------------------------------------------------------------------------------

TEST_CASE("ecs-reference 4.4: service default, zone A has one task and B and C none, so B or C") {
  ClusterView view;
  for (const char* zone : {"A", "B", "C"})
    for (int k = 1; k <= 2; ++k)
      view.add_instance(instance(std::string("i-") + zone + std::to_string(k), zone, 4096, 8192));
  put(view, "i-A1", "service:web");
  PlacementRequest r = request(task(256, 256), "service:web");
  r.service_default = true;
  const auto ids = chosen_over_seeds(view, r);
  CHECK(ids == std::set<std::string>{"i-B1", "i-B2", "i-C1", "i-C2"});
  // "favoring container instances with the fewest number of running tasks for this service"
  put(view, "i-B1", "service:web");
  put(view, "i-C1", "service:web");
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-A2", "i-B2", "i-C2"});
  put(view, "i-C2", "service:web");  // C has 2, A and B have 1
  CHECK(chosen_over_seeds(view, r) == std::set<std::string>{"i-A2", "i-B2"});
  // service_default with strategies is a contradiction.
  r.strategies = {PlacementStrategy::random()};
  CHECK(chosen(view, r) == "[INVALID_REQUEST]");
}

TEST_CASE(
    "ecs-reference 4.4: service default scale-in stops in the zone with the most tasks, then the "
    "busiest instance") {
  ClusterView view;
  for (const char* id : {"i-A1", "i-A2"})
    view.add_instance(instance(id, "A", 4096, 8192));
  for (const char* id : {"i-B1", "i-B2"})
    view.add_instance(instance(id, "B", 4096, 8192));
  // Zone A: 3 tasks (2 on A1), zone B: 2 tasks (one per instance).
  const std::vector<StopCandidate> tasks{
      {1, 0, 256, 256}, {2, 0, 256, 256}, {3, 1, 256, 256}, {4, 2, 256, 256}, {5, 3, 256, 256}};
  PlacementRequest r = request(task(256, 256), "service:web");
  r.service_default = true;
  Rng rng(3);
  std::set<std::uint64_t> stopped;
  for (int n = 0; n < 100; ++n)
    stopped.insert(tasks[*choose_task_to_stop(view, tasks, r, rng)].task);
  CHECK(stopped == std::set<std::uint64_t>{1, 2});  // random between A1's two tasks
  CHECK(tasks[*choose_task_to_stop(view, tasks, r, rng, TieBreak::kLowestId)].task == 1);
  CHECK_FALSE(choose_task_to_stop(view, {}, r, rng).has_value());
}

TEST_CASE(
    "ecs-reference 4.2: binpack scale-in stops the task whose instance keeps the most of the "
    "field") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 4096, 2048));
  view.add_instance(instance("i-2", "a", 4096, 4096));
  view.reserve(0, task(256, 1024), "service:web");  // i-1: 1024 left; 1024 + 1024 after the stop
  view.reserve(1, task(256, 1024), "service:web");  // i-2: 3072 left; 3072 + 512 after the stop
  view.reserve(1, task(256, 512), "service:web");   //       2560 left
  const std::vector<StopCandidate> tasks{{10, 0, 256, 1024}, {11, 1, 256, 1024}, {12, 1, 256, 512}};
  Rng rng(1);
  const auto r =
      request(task(256, 1024), "service:web", {PlacementStrategy::binpack(BinpackField::kMemory)});
  // After stopping 11: 2560 + 1024 = 3584; 12: 2560 + 512 = 3072; 10: 1024 + 1024 = 2048.
  CHECK(tasks[*choose_task_to_stop(view, tasks, r, rng)].task == 11);
  const auto by_cpu =
      request(task(256, 1024), "service:web", {PlacementStrategy::binpack(BinpackField::kCpu)});
  // CPU after the stop: i-1 3840 + 256 = 4096; i-2 3584 + 256 = 3840.
  CHECK(tasks[*choose_task_to_stop(view, tasks, by_cpu, rng)].task == 10);
}

TEST_CASE(
    "ecs-reference 4.2: spread AZ scale-in keeps the zones balanced, random within the zone") {
  ClusterView view;
  view.add_instance(instance("i-a1", "a", 4096, 8192));
  view.add_instance(instance("i-a2", "a", 4096, 8192));
  view.add_instance(instance("i-b1", "b", 4096, 8192));
  const std::vector<StopCandidate> tasks{{1, 0, 1, 1}, {2, 0, 1, 1}, {3, 1, 1, 1}, {4, 2, 1, 1}};
  const auto r = request(task(1, 1), "service:web", {PlacementStrategy::spread_zone()});
  Rng rng(9);
  std::set<std::uint64_t> stopped;
  for (int n = 0; n < 200; ++n)
    stopped.insert(tasks[*choose_task_to_stop(view, tasks, r, rng)].task);
  CHECK(stopped == std::set<std::uint64_t>{1, 2, 3});
  // spread instanceId: the instance with the most tasks.
  const auto per_instance =
      request(task(1, 1), "service:web", {PlacementStrategy::spread_instance_id()});
  stopped.clear();
  for (int n = 0; n < 100; ++n)
    stopped.insert(tasks[*choose_task_to_stop(view, tasks, per_instance, rng)].task);
  CHECK(stopped == std::set<std::uint64_t>{1, 2});
  // random: anything.
  const auto random = request(task(1, 1), "service:web", {PlacementStrategy::random()});
  stopped.clear();
  for (int n = 0; n < 200; ++n)
    stopped.insert(tasks[*choose_task_to_stop(view, tasks, random, rng)].task);
  CHECK(stopped == std::set<std::uint64_t>{1, 2, 3, 4});
}

// ---- 4.5 failures -------------------------------------------------------------------------------

TEST_CASE("ecs-reference 4.5: failure messages use ECS's wording and carry the numbers") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 1024, 1024));
  PlacementDecision d = decide(view, request(task(256, 2048)));
  REQUIRE_FALSE(d.placed());
  CHECK(d.reason == "RESOURCE:MEMORY");
  CHECK(d.message ==
        "service web was unable to place a task because no container instance met all of its "
        "requirements. The closest matching container-instance i-1 has insufficient memory "
        "available.");
  CHECK(d.required == 2048);
  CHECK(d.available == 1024);
  CHECK(d.closest_instance == InstanceIndex{0});

  d = decide(view, request(task(2048, 256)));
  CHECK(d.reason == "RESOURCE:CPU");
  CHECK(d.message ==
        "service web was unable to place a task because no container instance met all of its "
        "requirements. The closest matching container-instance i-1 has insufficient CPU units "
        "available.");
  CHECK(d.required == 2048);
  CHECK(d.available == 1024);

  TaskFootprint gpu = task(1, 1);
  gpu.gpus = 1;
  d = decide(view, request(gpu, "family:train"));
  CHECK(d.reason == "RESOURCE:GPU");
  CHECK(d.message.rfind("task group family:train was unable to place a task", 0) == 0);

  TaskFootprint ssh = task(1, 1);
  ssh.static_tcp_ports = {22};
  d = decide(view, request(ssh));
  CHECK(d.reason == "RESOURCE:PORTS");
  CHECK(
      d.message.ends_with("The closest matching container-instance i-1 is already using a port "
                          "required by your task."));

  ClusterView empty;
  d = decide(empty, request(task(1, 1)));
  CHECK(d.reason == "NO_INSTANCES");
  CHECK(d.message ==
        "service web was unable to place a task because no container instance met all of its "
        "requirements. Reason: No Container Instances were found in your cluster.");
  CHECK_FALSE(d.closest_instance.has_value());
}

TEST_CASE(
    "ecs-reference 4.5: the closest matching instance fails the fewest checks, then has the most "
    "of the first [INFERRED]") {
  ClusterView view;
  view.add_instance(instance("i-1", "a", 100, 100));   // fails CPU and memory
  view.add_instance(instance("i-2", "a", 4096, 600));  // fails memory only
  view.add_instance(instance("i-3", "a", 4096, 900));  // fails memory only, with more left
  view.add_instance(instance("i-4", "a", 200, 8192));  // fails CPU only
  PlacementDecision d = decide(view, request(task(512, 1024)));
  REQUIRE_FALSE(d.placed());
  // One failing check: i-2, i-3 (memory) and i-4 (cpu). CPU is checked first: i-4.
  CHECK(d.closest_instance_id == "i-4");
  CHECK(d.reason == "RESOURCE:CPU");
  view.reserve(3, task(0, 8192), "service:filler");  // i-4 now fails memory too
  d = decide(view, request(task(512, 1024)));
  CHECK(d.closest_instance_id == "i-3");
  CHECK(d.reason == "RESOURCE:MEMORY");
  CHECK(d.required == 1024);
  CHECK(d.available == 900);
}

// ---- the engine against the reference scan
// -------------------------------------------------------

TEST_CASE(
    "ecs-reference 4.1-4.4: the indexed engine decides exactly like the O(n) reference scan") {
  Rng gen(20240601);
  auto draw = [&](std::uint64_t n) { return uniform_uint(gen, 0, n - 1); };
  const std::vector<std::string> zones{"us-east-1a", "us-east-1b", "us-east-1c", "us-west-2a"};
  const std::vector<std::string> groups{"service:a", "service:b", "family:c"};
  int compared = 0, placed = 0, failed = 0;
  for (int round = 0; round < 12; ++round) {
    ClusterView view;
    const std::uint64_t n = 1 + draw(70);
    const std::uint64_t zone_count = 1 + draw(zones.size());
    for (std::uint64_t k = 0; k < n; ++k) {
      // Ids partly out of order, to exercise rank renumbering.
      const std::uint64_t number = k % 5 == 4 ? 1000 - k : k;
      InstanceInfo info =
          instance("i-" + std::to_string(100000 + number), zones[draw(zone_count)],
                   1024 * static_cast<std::int64_t>(1 + draw(4)),
                   2048 * static_cast<std::int64_t>(1 + draw(4)), static_cast<int>(draw(4)));
      info.gpus = static_cast<std::int64_t>(draw(2));
      if (draw(3) != 0) info.attributes["rack"] = "r" + std::to_string(draw(3));
      if (draw(10) == 0) info.status = ClusterView::Status::kDraining;
      if (draw(12) == 0) info.agent_connected = false;
      view.add_instance(info);
    }
    struct Held {
      InstanceIndex instance;
      TaskFootprint footprint;
      std::string group;
      PlacedPorts ports;
    };
    std::vector<Held> held;
    for (int step = 0; step < 250; ++step) {
      // A random request.
      TaskFootprint f =
          task(128 * static_cast<std::int64_t>(draw(9)), 256 * static_cast<std::int64_t>(draw(9)));
      switch (draw(6)) {
        case 0:
          f = awsvpc_task(f.cpu, f.memory_mib);
          break;
        case 1:
          f.static_tcp_ports = {8000 + static_cast<int>(draw(3))};
          break;
        case 2:
          f.dynamic_tcp_ports = 2;
          break;
        case 3:
          f.static_udp_ports = {53};
          break;
        default:
          break;
      }
      if (draw(8) == 0) f.gpus = 1;
      PlacementRequest r = request(f, groups[draw(groups.size())]);
      const std::uint64_t chain = draw(4);
      if (draw(6) == 0) {
        r.service_default = true;
      } else {
        for (std::uint64_t s = 0; s < chain; ++s) {
          switch (draw(7)) {
            case 0:
              r.strategies.push_back(PlacementStrategy::binpack(BinpackField::kCpu));
              break;
            case 1:
              r.strategies.push_back(PlacementStrategy::binpack(BinpackField::kMemory));
              break;
            case 2:
              r.strategies.push_back(PlacementStrategy::spread_instance_id());
              break;
            case 3:
              r.strategies.push_back(PlacementStrategy::spread_zone());
              break;
            case 4:
              r.strategies.push_back(PlacementStrategy::spread_attribute_of("rack"));
              break;
            case 5:
              r.strategies.push_back(PlacementStrategy::random());
              break;
            default:
              r.strategies.push_back(PlacementStrategy::spread_zone());
              break;
          }
        }
      }
      if (draw(6) == 0) r.constraints.push_back(PlacementConstraint::distinct_instance());
      if (draw(6) == 0)
        r.constraints.push_back(*parse_placement_constraint("memberOf", "attribute:rack != r0"));
      if (draw(10) == 0)
        r.constraints.push_back(*parse_placement_constraint("memberOf", "task:group == service:a"));

      // Same decision with lowestId.
      Rng r1(step), r2(step);
      const PlacementDecision fast = place_task(view, r, r1, TieBreak::kLowestId);
      const PlacementDecision slow = detail::place_task_reference(view, r, r2, TieBreak::kLowestId);
      const bool has_random = std::any_of(
          r.strategies.begin(), r.strategies.end(),
          [](const PlacementStrategy& s) { return s.type == PlacementStrategyType::kRandom; });
      const std::vector<std::uint32_t> ties = detail::reference_tie_set(view, r);
      REQUIRE(fast.placed() == slow.placed());
      ++compared;
      if (fast.placed()) {
        ++placed;
        if (!has_random) {
          CHECK_MESSAGE(*fast.instance == *slow.instance, "round " << round << " step " << step);
        }
        CHECK(std::binary_search(ties.begin(), ties.end(),
                                 static_cast<std::uint32_t>(*fast.instance)));
        // The random tie-break stays inside the reference's tie set.
        Rng r3(step * 31 + 7);
        const PlacementDecision random = place_task(view, r, r3, TieBreak::kRandom);
        REQUIRE(random.placed());
        CHECK(std::binary_search(ties.begin(), ties.end(),
                                 static_cast<std::uint32_t>(*random.instance)));
        if (draw(3) != 0)
          held.push_back({*fast.instance, f, r.group, view.reserve(*fast.instance, f, r.group)});
      } else {
        ++failed;
        CHECK(ties.empty());
        CHECK(fast.reason == slow.reason);
        CHECK(fast.message == slow.message);
      }
      // Churn: stop a task, flip an instance.
      if (!held.empty() && draw(3) == 0) {
        const std::size_t k = draw(held.size());
        view.release(held[k].instance, held[k].footprint, held[k].group, held[k].ports);
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(k));
      }
      if (draw(15) == 0) {
        const InstanceIndex i = draw(view.size());
        if (draw(2) == 0) {
          view.set_status(i, view.status(i) == ClusterView::Status::kActive
                                 ? ClusterView::Status::kDraining
                                 : ClusterView::Status::kActive);
        } else {
          view.set_agent_connected(i, !view.agent_connected(i));
        }
      }
      if (step % 25 == 0) require_consistent(view);
    }
    require_consistent(view);
  }
  CHECK(compared == 12 * 250);
  CHECK(placed > 1000);
  CHECK(failed > 50);
}
