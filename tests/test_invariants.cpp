// The run-time invariant checks (libsim/model/invariants.cpp, docs/reliability.md) fire: each
// test breaks one invariant of a real run on purpose and requires InternalError naming what broke,
// the simulated time and the event being handled. A correct model never breaks them, so the tests
// reach into SimulationState through one test hook, the friend InvariantsTestAccess below.
#include <functional>
#include <memory>
#include <string>

#include <doctest/doctest.h>

#include "ecsim/assert.hpp"

#include "model/simulation_state.hpp"
#include "support/run_helpers.hpp"

namespace ecsim::detail {

// Declared a friend in simulation_state.hpp for this file only.
struct InvariantsTestAccess {
  static std::vector<Task>& tasks(SimulationState& s) { return s.tasks_; }
  static std::vector<Service>& services(SimulationState& s) { return s.services_; }
  static std::map<std::string, GroupCounts>& group_counts(SimulationState& s) {
    return s.group_counts_;
  }
  static LoadBalancing& lb(SimulationState& s) { return *s.lb_; }
  static int& draining_instances(SimulationState& s) { return s.draining_instances_; }
  static void set_state(SimulationState& s, std::size_t t, TaskState to) {
    s.set_state(s.tasks_[t], to);
  }
  static bool start_service_task(SimulationState& s, std::size_t svc) {
    return s.start_service_task(svc, std::nullopt);
  }
  static void stop_service_task(SimulationState& s, std::size_t t) {
    s.stop_service_task(t, "stopped by test_invariants");
  }
  static void start_deployment(SimulationState& s, std::size_t svc) {
    s.start_deployment(svc, s.services_[svc].deployments[s.services_[svc].primary].definition, "");
  }
  // One reconcile pass of service `svc` handled as step() handles an event, with `meddle` run
  // after the scheduler's own work and before the checks (a scheduler that does more).
  static void reconcile_with(SimulationState& s, std::size_t svc,
                             const std::function<void()>& meddle) {
    const SimEvent event = ServiceReconcile{svc};
    s.handling_ = &event;
    s.invariants_before_event(event);
    s.dispatch(event);
    meddle();
    s.check_invariants();
    s.handling_ = nullptr;
  }
};

}  // namespace ecsim::detail

using namespace ecsim;
using ecsim::detail::InvariantsTestAccess;
using ecsim::detail::SimulationState;
using ecsim::detail::TaskState;
using A = InvariantsTestAccess;

namespace {

std::unique_ptr<SimulationState> start_json(const nlohmann::json& document, Duration until) {
  Scenario scenario = load_scenario_text(document.dump());
  const std::uint64_t seed = scenario.seed;
  auto state = std::make_unique<SimulationState>(std::move(scenario), seed, true);
  while (state->now() < TimePoint(until))
    REQUIRE(state->step());
  return state;
}

std::unique_ptr<SimulationState> start(const std::string& name, Duration until) {
  return start_json(ecsim::testing::scenario_json(name), until);
}

// The InternalError message `f` throws; "" when it throws nothing.
std::string failure(const std::function<void()>& f) {
  try {
    f();
  } catch (const InternalError& e) {
    return e.what();
  }
  return "";
}

void run_to_end(SimulationState& s) {
  while (s.step()) {
  }
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The first task of `state` in `wanted` state (its index), or npos.
std::size_t first_task_in(SimulationState& state, TaskState wanted) {
  const auto& tasks = A::tasks(state);
  for (std::size_t t = 0; t < tasks.size(); ++t)
    if (tasks[t].state == wanted) return t;
  return std::string::npos;
}

}  // namespace

TEST_CASE("the shipped scenarios keep every invariant") {
  // The control for the tests below: the same runs, untouched, finish without a report.
  for (const char* name : {"service-rolling-surge", "tutorial-walkthrough"}) {
    CAPTURE(name);
    auto state = start(name, Duration{0});
    CHECK(failure([&] { run_to_end(*state); }) == "");
  }
}

TEST_CASE("ecs-reference 1.1: a task state change that goes back is reported with its event") {
  // Broken inside a real event: an observer of the first RUNNING task sends it back to PENDING
  // while the model is handling the TaskStep that made it RUNNING.
  auto state = start("service-rolling-surge", Duration{0});
  state->on_event.connect([&](const EventRecord& e) {
    if (e.detail_type == "ECS Task State Change" && e.detail["lastStatus"] == "RUNNING") {
      const std::string arn = e.detail["taskArn"];
      const std::size_t ordinal = std::stoull(arn.substr(arn.size() - 32), nullptr, 16);
      A::set_state(*state, ordinal - 1, TaskState::kPending);
    }
  });
  const std::string msg = failure([&] { run_to_end(*state); });
  CAPTURE(msg);
  CHECK(has(msg, "illegal task state change of task 1 (service:web): RUNNING -> PENDING"));
  CHECK(has(msg, "while handling TaskStep of task 1 (service:web, RUNNING)"));
  CHECK(has(msg, "[at t=4500ms, while handling TaskStep of task 1"));
}

TEST_CASE("ecs-reference 1.1: a task wanted running moves one state at a time") {
  auto state = start("service-rolling-surge", Duration{0});
  REQUIRE(state->step());  // the service's first tasks are PENDING
  const std::size_t t = first_task_in(*state, TaskState::kPending);
  REQUIRE(t != std::string::npos);
  const std::string msg = failure([&] { A::set_state(*state, t, TaskState::kRunning); });
  CAPTURE(msg);
  CHECK(has(msg, "PENDING -> RUNNING while desiredStatus is RUNNING"));
  // Once it is asked to stop, skipping forward is legal (a stop from PENDING).
  A::tasks(*state)[t].desired_running = false;
  CHECK(failure([&] { A::set_state(*state, t, TaskState::kDeprovisioning); }) == "");
  CHECK(has(failure([&] { A::set_state(*state, t, TaskState::kStopping); }),
            "DEPROVISIONING -> STOPPING while desiredStatus is STOPPED"));
}

TEST_CASE("per-group task counts are checked against a recount at each metrics tick") {
  auto state = start("service-rolling-surge", 3 * kMinute);
  A::group_counts(*state)["service:web"].running += 1;
  const std::string msg = failure([&] { run_to_end(*state); });
  CAPTURE(msg);
  CHECK(has(msg, "task counts of group service:web are 5 running, 0 pending; a recount finds 4"));
  CHECK(has(msg, "[at t=4m, while handling MetricsTick]"));
}

TEST_CASE("the count of DRAINING instances the scheduler relies on is checked by a recount") {
  auto state = start("service-rolling-surge", 3 * kMinute);
  A::draining_instances(*state) += 1;
  const std::string msg = failure([&] { run_to_end(*state); });
  CAPTURE(msg);
  CHECK(has(msg, "the model counts 1 DRAINING instances; a recount finds 0"));
  CHECK(has(msg, "[at t=4m, while handling MetricsTick]"));
}

TEST_CASE("a task's record is checked against its state") {
  auto state = start("service-rolling-surge", 3 * kMinute);
  const std::size_t t = first_task_in(*state, TaskState::kRunning);
  REQUIRE(t != std::string::npos);
  A::tasks(*state)[t].started_at.reset();
  const std::string msg = failure([&] { run_to_end(*state); });
  CAPTURE(msg);
  CHECK(has(msg, "is RUNNING but asked to stop, or without startedAt"));
}

TEST_CASE("ecs-reference 6.1: a reconcile pass may not start tasks above maximumPercent") {
  // service-rolling-surge: desired 4, maximumPercent 200 -> at most 8 tasks; 4 run at 3m.
  auto state = start("service-rolling-surge", 3 * kMinute);
  REQUIRE(A::group_counts(*state)["service:web"].running == 4);
  // Four more reach the ceiling exactly: allowed.
  CHECK(failure([&] {
          A::reconcile_with(*state, 0, [&] {
            for (int i = 0; i < 4; ++i)
              REQUIRE(A::start_service_task(*state, 0));
          });
        }) == "");
  // One more is one too many.
  const std::string msg = failure(
      [&] { A::reconcile_with(*state, 0, [&] { REQUIRE(A::start_service_task(*state, 0)); }); });
  CAPTURE(msg);
  CHECK(has(msg, "service web started tasks up to 9, above maximumPercent's ceiling of 8"));
  CHECK(has(msg, "while handling ServiceReconcile of service web]"));
}

TEST_CASE("ecs-reference 6.1: replacing healthy tasks may not go below minimumHealthyPercent") {
  // desired 4, minimumHealthyPercent 100 -> 4 healthy; at 3m the 4 tasks count as healthy.
  auto state = start("service-rolling-surge", 3 * kMinute);
  A::start_deployment(*state, 0);  // the 4 running tasks now belong to an older deployment
  // The scheduler's own pass starts the new tasks and stops nothing: fine.
  CHECK(failure([&] { A::reconcile_with(*state, 0, [] {}); }) == "");
  // A pass that also stops one of the 4 healthy old tasks leaves 3.
  const std::size_t old = first_task_in(*state, TaskState::kRunning);
  REQUIRE(old != std::string::npos);
  const std::string msg =
      failure([&] { A::reconcile_with(*state, 0, [&] { A::stop_service_task(*state, old); }); });
  CAPTURE(msg);
  CHECK(has(msg, "service web stopped 1 healthy task(s) it was replacing"));
  CHECK(has(msg, "leaving 3 healthy, below minimumHealthyPercent's floor of 4"));
  CHECK(has(msg, "while handling ServiceReconcile of service web]"));
}

TEST_CASE("ecs-reference 6.1: scaling in during a rolling update keeps minimumHealthyPercent") {
  // Six tasks, two per zone, each healthy by 3m (no health check, no load balancer: 40 s after
  // RUNNING). A deployment is under way: four of them belong to it (zones a and b), a fifth too
  // but has only just started (zone c, not yet healthy), the sixth is the last old one (zone c).
  // Then desiredCount drops to 3: minimumHealthyPercent 100 keeps 3 healthy. Scale-in stops two
  // of the new deployment, from the zones with the most (a and b): both healthy. Stopping the old
  // one too would leave 2 healthy, so the pass must keep it for now.
  nlohmann::json j = ecsim::testing::scenario_json("service-rolling-surge");
  j["cluster"]["availabilityZones"] = {"us-east-1a", "us-east-1b", "us-east-1c"};
  j["cluster"]["containerInstances"].push_back(
      {{"instanceType", "m5.large"}, {"availabilityZone", "us-east-1c"}, {"count", 2}});
  j["services"][0]["desiredCount"] = 6;
  j["timeline"] = nlohmann::json::array();
  auto state = start_json(j, 3 * kMinute);
  auto& tasks = A::tasks(*state);
  REQUIRE(tasks.size() == 6);
  A::start_deployment(*state, 0);
  const std::size_t primary = A::services(*state)[0].primary;
  std::size_t old = std::string::npos;
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    REQUIRE(tasks[t].state == TaskState::kRunning);
    if (tasks[t].az != "us-east-1c") {
      tasks[t].deployment = primary;
    } else if (old == std::string::npos) {
      old = t;  // stays with the older deployment
    } else {
      tasks[t].deployment = primary;
      tasks[t].started_at = state->now();  // counts as healthy only 40 s from now
    }
  }
  REQUIRE(old != std::string::npos);
  A::services(*state)[0].spec.desired_count = 3;
  CHECK(failure([&] { A::reconcile_with(*state, 0, [] {}); }) == "");
  int wanted = 0;
  for (const auto& task : tasks)
    wanted += task.state != TaskState::kStopped && task.desired_running;
  CHECK(wanted == 4);                 // 3 of the new deployment and the old one
  CHECK(tasks[old].desired_running);  // kept: its stop would go below the floor
}

TEST_CASE("ecs-reference 9.6: a RUNNING task behind a load balancer has its targets registered") {
  // tutorial-walkthrough: one task behind hello-tg, healthy by 4m.
  auto state = start("tutorial-walkthrough", 4 * kMinute);
  const std::size_t t = first_task_in(*state, TaskState::kRunning);
  REQUIRE(t != std::string::npos);
  REQUIRE(A::tasks(*state)[t].targets.size() == 1);
  A::lb(*state).deregister_target(A::tasks(*state)[t].targets[0], state->now());
  const std::string msg = failure([&] { run_to_end(*state); });
  CAPTURE(msg);
  CHECK(has(msg, "task 1 (service:hello, RUNNING) is RUNNING without all its targets registered"));
  CHECK(has(msg, "while handling MetricsTick]"));
}

TEST_CASE("ecs-reference 9.6: every registered target is held by its RUNNING task") {
  SUBCASE("a target its task does not know about") {
    auto state = start("tutorial-walkthrough", 4 * kMinute);
    const std::size_t t = first_task_in(*state, TaskState::kRunning);
    REQUIRE(t != std::string::npos);
    A::tasks(*state)[t].targets.clear();
    const std::string msg = failure([&] { run_to_end(*state); });
    CAPTURE(msg);
    CHECK(has(msg,
              "target 0 (healthy) of target group hello-tg is registered but its task 1 "
              "(service:hello, RUNNING) does not hold it"));
  }
  SUBCASE("a target of a STOPPED task") {
    // The update at 6m replaces task 1; it has stopped by 10m.
    auto state = start("tutorial-walkthrough", 10 * kMinute);
    REQUIRE(A::tasks(*state)[0].state == TaskState::kStopped);
    TargetInfo info;
    info.task_key = 0;
    info.address = "10.0.0.5:80";
    info.availability_zone = A::tasks(*state)[0].az;
    A::lb(*state).register_target(0, info, state->now());
    const std::string msg = failure([&] { run_to_end(*state); });
    CAPTURE(msg);
    CHECK(has(msg, "is registered but its task 1 (service:hello, STOPPED)"));
    CHECK(has(msg, "(stopped at t="));
  }
}

TEST_CASE("requests are conserved at every metrics tick, not only at the end") {
  auto state = start("tutorial-walkthrough", 4 * kMinute);
  // One request counted as arrived that never finishes and is not in flight.
  ++const_cast<RequestCounts&>(A::lb(*state).counts()).arrived;
  const std::string msg = failure([&] { run_to_end(*state); });
  CAPTURE(msg);
  CHECK(has(msg, "requests are not conserved"));
  CHECK(has(msg, "[at t=5m, while handling MetricsTick]"));
}
