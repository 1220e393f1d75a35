// Services behind an Application Load Balancer (ecs-reference 1.4, 6.1, 9), through the tutorial
// walk-through scenario: targets registered when tasks run, deployments waiting for target health,
// and a replaced task deregistered and drained before it gets SIGTERM.
#include <cmath>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "support/run_helpers.hpp"

using namespace ecsim;
using ecsim::testing::Run;

namespace {

const Run& walkthrough() {
  static const Run run = ecsim::testing::run_scenario(
      load_scenario_file(ECSIM_SOURCE_DIR "/scenarios/tutorial-walkthrough.json"));
  return run;
}

// Target health changes of the target whose id is the task's address.
std::vector<const EventRecord*> target_events(const Run& run, const std::string& address_prefix) {
  std::vector<const EventRecord*> out;
  for (const auto* e : run.of_type("ecsim Target Health Change"))
    if (e->detail["target"]["id"].get<std::string>().rfind(address_prefix, 0) == 0)
      out.push_back(e);
  return out;
}

std::string task_address(const Run& run, std::uint64_t ordinal) {
  for (const auto* e : run.task_events(ordinal))
    if (e->detail.contains("attachments"))
      return e->detail["attachments"][0]["details"][2]["value"];
  return "";
}

}  // namespace

TEST_CASE("ecs-reference 1.4 and 9.6: a replaced task is deregistered and drained before SIGTERM") {
  const Run& run = walkthrough();
  auto ev = run.task_events(1);
  double stop_requested = -1, stopping = -1;
  for (const auto* e : ev) {
    if (e->detail["desiredStatus"] == "STOPPED" && stop_requested < 0)
      stop_requested = to_seconds(e->time);
    if (e->detail["lastStatus"] == "STOPPING") stopping = to_seconds(e->time);
  }
  REQUIRE(stop_requested > 0);
  REQUIRE(stopping > 0);
  double draining = -1;
  for (const auto* e : target_events(run, task_address(run, 1)))
    if (e->detail["targetHealth"]["state"] == "draining" && draining < 0)
      draining = to_seconds(e->time);
  CHECK(draining == stop_requested);  // deregistered at once
  CHECK(stopping >= draining);        // SIGTERM only after the drain
  // Nothing was in flight for long: the drain ended long before the 30 s delay (9.6).
  CHECK(stopping - draining < 30);
}

TEST_CASE(
    "ecs-reference 6.1: with a load balancer, a deployment completes once the new target is "
    "healthy, not 40 s after RUNNING") {
  const Run& run = walkthrough();
  double healthy = -1;
  for (const auto* e : target_events(run, task_address(run, 2)))
    if (e->detail["targetHealth"]["state"] == "healthy" && healthy < 0)
      healthy = to_seconds(e->time);
  REQUIRE(healthy > 0);
  const auto& dep = run.summary["services"]["hello"]["deployments"][1];
  CHECK(dep["rolloutState"] == "COMPLETED");
  CHECK(dep["endedAt"].get<double>() == doctest::Approx(healthy));
  double running = -1;
  for (const auto* e : run.task_events(2))
    if (e->detail["lastStatus"] == "RUNNING" && running < 0) running = to_seconds(e->time);
  CHECK(healthy - running < 40);
}

TEST_CASE("requests are conserved and served by the registered targets (ecs-reference 9.4)") {
  const Run& run = walkthrough();
  const auto& r = run.summary["requests"];
  CHECK(r["total"].get<std::uint64_t>() == r["succeeded"].get<std::uint64_t>() +
                                               r["failed"].get<std::uint64_t>() +
                                               r["inFlight"].get<std::uint64_t>());
  // Poisson arrivals at 20/s for 30 minutes: 36,000 expected, within 4 standard deviations.
  CHECK(std::abs(r["total"].get<double>() - 36000.0) < 4 * std::sqrt(36000.0));
  // Before the first target is healthy the ALB has nothing to route to: 503s, only then.
  CHECK(r["errorsByOrigin"]["loadBalancer"]["503"].get<int>() > 0);
  CHECK(r["errorsByOrigin"]["loadBalancer"]["503"].get<int>() < 20 * 30);
  CHECK(r["targetGroups"][0]["healthyTargets"] == 2);  // scaled to two at 15 minutes
  CHECK(r["latencyMs"]["p99"].get<double>() > r["latencyMs"]["p50"].get<double>());
}

TEST_CASE(
    "ecs-reference 10: service CPU utilization is the work its targets did: arrival rate x mean "
    "service time x CPU per request / task CPU") {
  Simulation sim(load_scenario_file(ECSIM_SOURCE_DIR "/scenarios/tutorial-walkthrough.json"));
  sim.run();
  const auto& m = sim.metrics();
  std::size_t col = 0;
  while (m.metric_names[col] != "CPUUtilization")
    ++col;
  // 20 requests/s x 30 ms x 128 units / 512 units = 15 %, one task from 1 to 14 minutes.
  for (const auto& row : m.rows)
    if (row.entity_type == "service" && row.t >= 60 && row.t < 840 && (row.t < 300 || row.t > 420))
      CHECK(row.values[col] == doctest::Approx(15.0).epsilon(0.08));
}

TEST_CASE(
    "a FailHealthChecks fault makes the targets unhealthy for real: the load balancer fails "
    "open, the scheduler replaces the tasks, and health returns when the fault ends") {
  auto text = [] {
    std::ifstream in(ECSIM_SOURCE_DIR "/scenarios/tutorial-walkthrough.json");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }();
  const std::string fault =
      R"("timeline": [{"at": "3m", "action": "FailHealthChecks", "input": {"service": "hello", "duration": "4m"}},)";
  text.replace(text.find(R"("timeline": [)"), std::string(R"("timeline": [)").size(), fault);
  const Run run = ecsim::testing::run_scenario(load_scenario_text(text));
  int unhealthy = 0;
  for (const auto* e : run.of_type("ecsim Target Health Change"))
    unhealthy += e->detail["targetHealth"]["state"] == "unhealthy" && to_seconds(e->time) >= 180;
  CHECK(unhealthy >= 1);
  bool replaced = false;
  for (const auto* e : run.of_type("ECS Task State Change"))
    replaced |= e->detail.contains("stoppedReason") &&
                e->detail["stoppedReason"] == "Task failed ELB health checks";
  CHECK(replaced);
  // The app answered 503 while unhealthy (fail open still routes to it, 9.4).
  CHECK(run.summary["requests"]["errorsByOrigin"]["target"]["503"].get<int>() > 0);
  CHECK(run.summary["services"]["hello"]["runningCount"] == 2);
  CHECK(run.summary["requests"]["targetGroups"][0]["healthyTargets"] == 2);
}
