// Run limits (docs/reliability.md): a scenario that would need more than its budget is refused
// when it is loaded, with the estimate and how to raise the limit; the estimate itself; and
// cancelling a run (RunOptions::cancel) and csv paths outside the scenario's folder
// (LoadOptions::allow_paths_outside_scenario_dir) at the library level.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

namespace fs = std::filesystem;
using namespace ecsim;

namespace {

std::vector<Problem> problems_of(const std::string& text, const LoadOptions& options = {}) {
  try {
    load_scenario_text(text, "test", ".", options);
  } catch (const ScenarioError& e) {
    return e.problems();
  }
  return {};
}

std::string dump(const std::vector<Problem>& ps) {
  std::string s;
  for (const auto& p : ps)
    s += p.to_string() + "\n";
  return s;
}

bool has_problem(const std::vector<Problem>& ps, const std::string& pointer,
                 const std::string& part) {
  for (const auto& p : ps)
    if (p.pointer == pointer && p.message.find(part) != std::string::npos) return true;
  return false;
}

// One load balancer and a traffic source with `pattern`, `instances` m5.large instances and a
// service of `desired` tasks behind the load balancer.
std::string scenario(const std::string& pattern, int instances = 2, int desired = 2,
                     const std::string& extra = "") {
  return R"({"name": "sized", "duration": "1h",
    "cluster": {"containerInstances": [{"instanceType": "m5.large", "availabilityZone": "a",
                                        "count": )" +
         std::to_string(instances) + R"(}]},
    "taskDefinitions": [{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx",
        "memory": 64, "cpu": 16, "portMappings": [{"containerPort": 80}]}]}],
    "targetGroups": [{"Name": "web", "Port": 80, "Protocol": "HTTP"}],
    "loadBalancers": [{"Name": "alb", "Listeners": [{"Port": 80, "Protocol": "HTTP",
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": "web"}]}]}],
    "services": [{"serviceName": "web", "taskDefinition": "web", "desiredCount": )" +
         std::to_string(desired) + R"(,
        "loadBalancers": [{"targetGroupArn": "web", "containerName": "app", "containerPort": 80}]}],
    "traffic": [{"name": "users", "listener": "alb:80", "pattern": )" +
         pattern + R"(, "request": {"serviceTime": "20ms"}}])" + extra + "}";
}

}  // namespace

TEST_CASE("a production-sized run passes the default limits") {
  // 5,000 instances, ten services of 5,000 tasks behind the load balancer (50,000 tasks), and
  // 20,000 requests a second for an hour: 72 million requests.
  auto doc = nlohmann::json::parse(scenario(R"({"type": "poisson", "rate": 20000})", 5000));
  auto services = nlohmann::json::array();
  for (int i = 0; i < 10; ++i) {
    auto service = doc["services"][0];
    service["serviceName"] = "web-" + std::to_string(i);
    service["desiredCount"] = 5000;
    services.push_back(service);
  }
  doc["services"] = services;
  const Scenario s = load_scenario_json(doc);
  const RunEstimate e = estimate_run_size(s);
  CHECK(e.container_instances == 5000);
  CHECK(e.tasks == doctest::Approx(50000));
  CHECK(e.requests == doctest::Approx(72e6));
  CHECK(e.events > 144e6);
  CHECK(e.events < static_cast<double>(RunLimits{}.max_events));
  CHECK(e.metrics_rows < static_cast<double>(RunLimits{}.max_metrics_rows));
}

TEST_CASE("billions of requests are refused before the run, with the estimate and the way out") {
  // 1,000,000 requests a second for an hour: 3.6 billion.
  const auto ps = problems_of(scenario(R"({"type": "constant", "rate": 1000000})"));
  CHECK_MESSAGE(has_problem(ps, "/traffic", "about 3,600,000,000 requests"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/traffic", "more than the limit of 1,000,000,000"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/traffic", "\"limits\": {\"maxRequests\": 3600000000}"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/traffic", "--limit maxRequests=3600000000"), dump(ps));
  // The events (two per request) are over their limit as well.
  CHECK_MESSAGE(has_problem(ps, "", "simulation events"), dump(ps));

  // Raised in the scenario, or by the loader's options (ecsim run --limit), it loads.
  CHECK(problems_of(scenario(R"({"type": "constant", "rate": 1000000})", 2, 2,
                             R"(, "limits": {"maxRequests": 4e9, "maxEvents": 9000000000})"))
            .empty());
  LoadOptions raised;
  raised.limits = {{"maxRequests", 3'600'000'000}, {"maxEvents", 9'000'000'000}};
  CHECK(problems_of(scenario(R"({"type": "constant", "rate": 1000000})"), raised).empty());
  // The loader's options win over the scenario's own limits.
  LoadOptions lowered;
  lowered.limits = {{"maxRequests", 1000}};
  CHECK_MESSAGE(has_problem(problems_of(scenario(R"({"type": "poisson", "rate": 1})", 2, 2,
                                                 R"(, "limits": {"maxRequests": 1e9})"),
                                        lowered),
                            "/traffic", "more than the limit of 1,000"),
                "lowered");
}

TEST_CASE("a million container instances are refused; the limit can be raised") {
  const auto ps = problems_of(scenario(R"({"type": "poisson", "rate": 1})", 1'000'000));
  CHECK_MESSAGE(has_problem(ps, "/cluster/containerInstances", "1000000 container instances"),
                dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/cluster/containerInstances", "at most 5000"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/cluster/containerInstances", "maxContainerInstances"), dump(ps));
  const Scenario s = load_scenario_text(scenario(R"({"type": "poisson", "rate": 1})", 6000, 2,
                                                 R"(, "limits": {"maxContainerInstances": 6000})"));
  CHECK(s.limits.max_container_instances == 6000);
  CHECK(estimate_run_size(s).container_instances == 6000);
}

TEST_CASE("tasks count services' largest desired count, DAEMON services and RunTask calls") {
  const std::string text = R"({"duration": "1h",
    "cluster": {"containerInstances": [{"instanceType": "m5.large", "availabilityZone": "a", "count": 3}]},
    "taskDefinitions": [{"family": "w", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}]}],
    "services": [{"serviceName": "web", "taskDefinition": "w", "desiredCount": 4},
                 {"serviceName": "agent", "taskDefinition": "w", "schedulingStrategy": "DAEMON"}],
    "timeline": [
      {"at": "1m", "action": "UpdateService", "input": {"service": "web", "desiredCount": 9}},
      {"at": "2m", "action": "UpdateService", "input": {"service": "web", "desiredCount": 1}},
      {"at": "3m", "action": "RunTask", "input": {"taskDefinition": "w", "count": 10}},
      {"at": "4m", "action": "RunTask", "input": {"taskDefinition": "w:1", "count": 5}}],
    "limits": {"maxTasks": 20}})";
  // 9 (web's largest) + 3 (one per instance) + 15 RunTask = 27.
  const auto ps = problems_of(text);
  CHECK_MESSAGE(has_problem(ps, "/services", "about 27 tasks"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/services", "\"maxTasks\": 27"), dump(ps));
}

TEST_CASE("requests integrate every traffic pattern over the source's window in the run") {
  auto requests = [](const std::string& pattern, const std::string& window = "") {
    const std::string text = scenario(pattern);
    const std::string with_window = window.empty()
                                        ? text
                                        : text.substr(0, text.find(R"(, "request")")) + window +
                                              text.substr(text.find(R"(, "request")"));
    return estimate_run_size(load_scenario_text(with_window)).requests;
  };
  CHECK(requests(R"({"type": "constant", "rate": 10})") == doctest::Approx(36000));
  CHECK(requests(R"({"type": "poisson", "rate": 10})", R"(, "start": "10m", "end": "40m")") ==
        doctest::Approx(18000));
  CHECK(requests(R"({"type": "poisson", "rate": 10})", R"(, "start": "50m", "end": "2h")") ==
        doctest::Approx(6000));
  // 0 for 10 minutes, a ramp to 20 over 20 minutes (avg 10), then 20 for 30 minutes.
  CHECK(requests(R"({"type": "ramp", "from": 0, "to": 20, "start": "10m", "duration": "20m"})") ==
        doctest::Approx(0 + 10 * 1200 + 20 * 1800));
  CHECK(
      requests(
          R"({"type": "steps", "steps": [{"at": "30m", "rate": 2}, {"at": "45m", "rate": 4}]})") ==
      doctest::Approx(2 * 900 + 4 * 900));
  CHECK(requests(R"({"type": "spike", "base": 1, "peak": 101, "at": "10m", "duration": "1m"})") ==
        doctest::Approx(3600 + 100 * 60));
  // A whole number of cycles averages to the mean.
  CHECK(requests(R"({"type": "dailyCycle", "mean": 10, "amplitude": 0.5, "period": "30m"})") ==
        doctest::Approx(36000));
  // A quarter cycle from the peak: mean * T + mean * amplitude * P / (2 pi) * sin(pi / 2).
  CHECK(
      requests(
          R"({"type": "dailyCycle", "mean": 10, "amplitude": 1, "period": "4h", "peakAt": "0s"})") ==
      doctest::Approx(36000 + 10 * 14400 / (2 * 3.141592653589793)));
}

TEST_CASE("requests follow SetTrafficRate multipliers") {
  const Scenario s = load_scenario_text(scenario(R"({"type": "constant", "rate": 10})", 2, 2, R"(,
    "timeline": [
      {"at": "10m", "action": "SetTrafficRate", "input": {"source": "users", "multiplier": 4, "duration": "5m"}},
      {"at": "50m", "action": "SetTrafficRate", "input": {"source": "users", "multiplier": 0}}])"));
  // 10/s for 10 minutes, 40/s for 5, 10/s for 35, then nothing.
  CHECK(estimate_run_size(s).requests == doctest::Approx(6000 + 12000 + 21000));
}

TEST_CASE("an estimate beyond any limit says so (and does not overflow)") {
  std::string text = scenario(R"({"type": "poisson", "rate": 10000000})", 2, 2, R"(,
    "timeline": [{"at": "0s", "action": "SetTrafficRate", "input": {"source": "users", "multiplier": 1000}}])");
  text.replace(text.find(R"("duration": "1h")"), 16, R"("duration": "366d")");
  const auto ps = problems_of(text);
  CHECK_MESSAGE(has_problem(ps, "/traffic", "beyond what ecsim can simulate"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/traffic", "about 3.16e+17 requests"), dump(ps));
}

TEST_CASE("\"limits\" is checked like every other key") {
  const auto ps = problems_of(
      R"({"limits": {"maxRequest": 5, "maxTasks": 0, "maxEvents": "many", "maxContainerInstances": 2000000}})");
  CHECK_MESSAGE(has_problem(ps, "/limits/maxRequest", "did you mean \"maxRequests\""), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/limits/maxTasks", "out of range"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/limits/maxEvents", "integer"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/limits/maxContainerInstances", "out of range"), dump(ps));
  LoadOptions bad;
  bad.limits = {{"maxWidgets", 5}};
  CHECK_MESSAGE(has_problem(problems_of("{}", bad), "", "unknown limit \"maxWidgets\""), "");
  RunLimits limits;
  CHECK(limits.set("maxEvents", 7));
  CHECK(limits.get("maxEvents") == 7);
  CHECK_FALSE(limits.set("maxWidgets", 7));
  CHECK(RunLimits::names().size() == 5);
}

TEST_CASE("metrics rows are estimated and limited: a tiny period over a long run is refused") {
  const auto ps = problems_of(R"({"duration": "366d", "metricsPeriod": "1s",
    "cluster": {"containerInstances": [{"instanceType": "m5.large", "availabilityZone": "a", "count": 10}]}})");
  CHECK_MESSAGE(has_problem(ps, "/metricsPeriod", "metrics.csv would hold about"), dump(ps));
}

TEST_CASE("a cancelled run throws RunCancelled; run_to_directory then leaves nothing") {
  const Scenario s = load_scenario_text(scenario(R"({"type": "poisson", "rate": 50})"));
  std::atomic<bool> cancel{false};
  RunOptions options;
  options.cancel = &cancel;
  options.check_invariants = true;
  Simulation sim(s, options);
  for (int i = 0; i < 100; ++i)
    REQUIRE(sim.step());
  cancel = true;
  CHECK_THROWS_AS(sim.step(), RunCancelled);

  const fs::path dir = fs::path(ECSIM_BINARY_DIR) / "test-scratch" / "cancelled-run";
  fs::remove_all(dir);
  CHECK_THROWS_AS(run_to_directory(s, dir / "a" / "b", options), RunCancelled);
  CHECK_FALSE(fs::exists(dir));  // the folders it made are gone again
  fs::create_directories(dir);
  CHECK_THROWS_AS(run_to_directory(s, dir, options), RunCancelled);
  CHECK(fs::is_empty(dir));  // a folder that was there stays, empty
  cancel = false;
  CHECK_NOTHROW(run_to_directory(s, dir, options));
  CHECK(fs::exists(dir / "summary.json"));
}

TEST_CASE("csv paths may leave the scenario's folder only when the loader allows it") {
  const fs::path root =
      fs::temp_directory_path() / ("ecsim-limits-csv-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "scenarios");
  std::ofstream(root / "rates.csv") << "0,5\n60,10\n";
  const std::string text = scenario(R"({"type": "csv", "path": "../rates.csv"})");
  try {
    load_scenario_text(text, "t", root / "scenarios");
    FAIL("a path outside the folder loaded");
  } catch (const ScenarioError& e) {
    CHECK_MESSAGE(
        has_problem(e.problems(), "/traffic/0/pattern/path", "leaves the scenario's folder"),
        dump(e.problems()));
    CHECK_MESSAGE(
        has_problem(e.problems(), "/traffic/0/pattern/path", "--allow-paths-outside-scenario-dir"),
        dump(e.problems()));
  }
  LoadOptions allow;
  allow.allow_paths_outside_scenario_dir = true;
  const Scenario s = load_scenario_text(text, "t", root / "scenarios", allow);
  const auto& replay = std::get<ReplayPattern>(s.load_balancing.traffic[0].pattern);
  CHECK(replay.points.size() == 2);
  // An absolute path too.
  const std::string absolute =
      scenario(R"({"type": "csv", "path": ")" + (root / "rates.csv").string() + R"("})");
  CHECK_THROWS_AS(load_scenario_text(absolute, "t", root / "scenarios"), ScenarioError);
  CHECK_NOTHROW(load_scenario_text(absolute, "t", root / "scenarios", allow));
  fs::remove_all(root);
}
