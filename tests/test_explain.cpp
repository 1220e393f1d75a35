// `ecsim explain` (RunExplainer): the service event messages ECS writes, placement failures with
// the closest instance and the numbers, stop codes with their reasons, and the same story from an
// output folder as from the scenario.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include <doctest/doctest.h>

#include "ecsim/explain.hpp"
#include "ecsim/scenario.hpp"
#include "ecsim/simulation.hpp"

#include "support/test_files.hpp"

namespace fs = std::filesystem;
using namespace ecsim;

namespace {

using ecsim::testing::scratch;
using ecsim::testing::slurp;

Scenario scenario_file(const std::string& name) {
  return load_scenario_file(fs::path(ECSIM_SOURCE_DIR) / "scenarios" / (name + ".json"));
}

// Explains a scenario run in memory, with the scenario at hand.
std::string explain(const Scenario& scenario) {
  std::ostringstream out;
  RunExplainer explainer(out, &scenario);
  Simulation sim(scenario);
  sim.on_event().connect([&](const EventRecord& e) { explainer.on_event(e); });
  sim.run();
  explainer.finish(sim.summary());
  return out.str();
}

bool has(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

}  // namespace

TEST_CASE("events.jsonl lines read back into the records they came from") {
  EventRecord r;
  r.time = TimePoint(Duration(44'500'001));
  r.detail_type = "ECS Service Action";
  r.detail = {{"eventName", "SERVICE_STEADY_STATE"}, {"message", "service web has reached"}};
  const EventRecord back = event_from_json_line(to_json_line(r));
  CHECK(back.time == r.time);
  CHECK(back.detail_type == r.detail_type);
  CHECK(back.detail == r.detail);
  CHECK_THROWS_AS(event_from_json_line("{\"t\": 1}"), std::invalid_argument);
  CHECK_THROWS_AS(event_from_json_line("not json"), std::invalid_argument);
  CHECK_THROWS_AS(event_from_json_line("{\"t\": -1, \"detail-type\": \"x\", \"detail\": {}}"),
                  std::invalid_argument);
}

TEST_CASE("placement failures name the closest instance and the numbers it lacked") {
  const std::string text = explain(scenario_file("placement-failures"));
  // ECS's own wording, from the API failure.
  CHECK(has(text,
            "RESOURCE:MEMORY: task group family:huge was unable to place a task because no "
            "container instance met all of its requirements. The closest matching "
            "container-instance i-00000000000000001 has insufficient memory available."));
  // The numbers: the huge task reserves 9000 MiB; i-1 (m5.large) registers 7985 MiB, all free.
  CHECK(has(text,
            "the task needs 9000 MiB of memory; the closest instance, i-00000000000000001, "
            "has 7985 MiB of memory available (7985 registered, 0 reserved by 0 tasks)."));
  // CPU: 2048 units needed; i-1 had 2048 registered and 256 reserved by its three tasks then.
  CHECK(has(text,
            "the task needs 2048 CPU units; the closest instance, i-00000000000000001, has "
            "1792 CPU units available (2048 registered, 256 reserved by 3 tasks)."));
  CHECK(has(text,
            "why: no container instance that meets the task's other requirements has "
            "enough unreserved memory"));
  CHECK(has(text, "RESOURCE:ENI"));
  CHECK(has(text, "RESOURCE:PORTS"));
  // An explanation is given once, however often its reason comes up.
  const auto first = text.find("why: a RunTask call returns");
  REQUIRE(first != std::string::npos);
  CHECK(text.find("why: a RunTask call returns", first + 1) == std::string::npos);
}

TEST_CASE("a service's story: ECS's messages, deployments, stops with their codes") {
  const std::string text = explain(scenario_file("service-circuit-breaker-rollback"));
  CHECK(has(text, "service web has reached a steady state.  [SERVICE_STEADY_STATE]"));
  CHECK(has(text, "service web has started 3 tasks: (task 1) (task 2) (task 3)."));
  CHECK(has(text, "service web has stopped 3 running tasks: (task 4) (task 5) (task 6)."));
  CHECK(has(text, "task 4 (web:2, service web) is UNHEALTHY."));
  CHECK(has(text,
            "task 4 (web:2, service web, on i-00000000000000001) STOPPED: "
            "ServiceSchedulerInitiated \xE2\x80\x94 \"Task failed container health checks\"\n"));
  CHECK(has(text, "FAILED: ECS deployment circuit breaker: tasks failed to start."));
  CHECK(has(text, "started (rolling back to deployment ecs-svc/1000000000000000001)."));
  CHECK(has(text, "why: the deployment circuit breaker counts tasks"));
  CHECK(has(text, "service web: 3 of 3 desired tasks running at the end"));
}

TEST_CASE("service placement failures carry ECS's message and the event's numbers") {
  // One m5.large (7985 MiB registered) for three tasks of 3000 MiB: two fit, the third does not.
  const Scenario scenario = load_scenario_text(R"({"name": "full", "duration": "5m",
    "cluster": {"containerInstances": [{"instanceType": "m5.large", "availabilityZone": "a"}]},
    "taskDefinitions": [{"family": "big", "containerDefinitions": [
      {"name": "app", "image": "app", "memory": 3000}]}],
    "services": [{"serviceName": "big", "taskDefinition": "big", "desiredCount": 3}]})");
  const std::string text = explain(scenario);
  CHECK(has(text, "service big has started 2 tasks: (task 1) (task 2)."));
  CHECK(has(text, "has insufficient memory available.  [SERVICE_TASK_PLACEMENT_FAILURE]"));
  // 7985 - 2 x 3000 = 1985 MiB left.
  CHECK(has(text,
            "the task needs 3000 MiB of memory; the closest instance, i-00000000000000001, "
            "has 1985 MiB of memory available (7985 registered, 6000 reserved by 2 tasks)."));
  CHECK(has(text, "why: the scheduler tries again every timing.schedulerRetry"));
  CHECK(has(text, "service big: 2 of 3 desired tasks running at the end"));
}

TEST_CASE("lost instances, stop codes and image pulls are explained") {
  const std::string text = explain(scenario_file("default"));
  CHECK(has(text, "Container instance i-00000000000000003 was lost"));
  CHECK(has(text,
            "TerminationNotice \xE2\x80\x94 \"Host EC2 (instance i-00000000000000003) "
            "terminated.\""));
  CHECK(has(text, "container app exited with code 137 (SIGKILL)"));
  CHECK(has(text, "Container instance i-00000000000000001 is DRAINING."));
  CHECK(has(text, "EssentialContainerExited"));
  CHECK(has(text, "UserInitiated \xE2\x80\x94 \"Scaling down workers\""));
  const std::string pull = explain(scenario_file("service-image-pull-failure"));
  CHECK(has(pull, "without ever RUNNING: TaskFailedToStart"));
  CHECK(has(pull, "CannotPullContainerError"));
}

TEST_CASE("`ecsim explain` on an output folder tells the same story as on the scenario") {
  const fs::path dir = scratch("explain-cli");
  const std::string scenario = ECSIM_SOURCE_DIR "/scenarios/service-rolling-surge.json";
  auto run = [&](const std::string& args, const std::string& out) {
    const std::string cmd = "'" ECSIM_CLI_PATH "' " + args + " >'" + (dir / out).string() +
                            "' 2>'" + (dir / (out + ".err")).string() + "'";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  REQUIRE(run("run '" + scenario + "' --out '" + (dir / "out").string() + "' --quiet", "run") == 0);
  REQUIRE(run("explain '" + scenario + "'", "from-scenario.txt") == 0);
  REQUIRE(run("explain '" + (dir / "out").string() + "'", "from-folder.txt") == 0);
  // The header lines differ (what was explained); the story after the first blank line is the
  // same.
  auto story = [](const std::string& text) { return text.substr(text.find("\n\n")); };
  const std::string a = slurp(dir / "from-scenario.txt");
  const std::string b = slurp(dir / "from-folder.txt");
  CHECK(has(a, "service web has reached a steady state."));
  CHECK(story(a) == story(b));
  // Neither a scenario nor an output folder: a clear message, a usage exit code.
  CHECK(run("explain '" + dir.string() + "'", "bad.txt") == 2);
  CHECK(has(slurp(dir / "bad.txt.err"), "events.jsonl"));
  // An invalid scenario: exit 1 with the loader's problems, as `ecsim run` does.
  std::ofstream(dir / "invalid.json") << R"({"duraton": "5m"})";
  CHECK(run("explain '" + (dir / "invalid.json").string() + "'", "invalid.txt") == 1);
  CHECK(has(slurp(dir / "invalid.txt.err"), "/duraton: unknown key"));
}
