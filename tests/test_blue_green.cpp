// Blue/green, linear and canary deployments (ecs-reference 7): ECS-native strategies (7.2), the
// CODE_DEPLOY controller (7.1), alarms and rollback, and the per-deployment figures.
#include <cmath>
#include <set>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

#include "support/run_helpers.hpp"

namespace {

using ecsim::EventRecord;
using Json = nlohmann::json;

using ecsim::testing::load_error;
using ecsim::testing::scenario_json;

struct FullRun {
  std::vector<EventRecord> events;
  nlohmann::ordered_json summary;
  ecsim::MetricsTable metrics;

  std::vector<const EventRecord*> of_type(const std::string& type) const {
    std::vector<const EventRecord*> out;
    for (const auto& e : events)
      if (e.detail_type == type) out.push_back(&e);
    return out;
  }
  double t(const EventRecord* e) const { return ecsim::to_seconds(e->time); }
  // Lifecycle stages of one service's deployment, in order, with their times.
  std::vector<std::pair<double, std::string>> stages(const std::string& deployment_id) const {
    std::vector<std::pair<double, std::string>> out;
    for (const auto* e : of_type("ecsim Deployment Lifecycle Stage"))
      if (e->detail["deploymentId"] == deployment_id)
        out.emplace_back(t(e), e->detail["lifecycleStage"].get<std::string>());
    return out;
  }
  // Production traffic shifts of one service: (time, green percent).
  std::vector<std::pair<double, double>> shifts(const std::string& service,
                                                const std::string& kind = "PRODUCTION") const {
    std::vector<std::pair<double, double>> out;
    for (const auto* e : of_type("ecsim Traffic Shift"))
      if (e->detail["serviceArn"].get<std::string>().ends_with("/" + service) &&
          e->detail["listenerType"] == kind)
        out.emplace_back(t(e), e->detail["greenPercent"].get<double>());
    return out;
  }
  // Sum of a metric for an entity over the periods starting in [from, to).
  double metric_sum(const std::string& entity, const std::string& metric, double from,
                    double to) const {
    std::size_t c = 0;
    while (c < metrics.metric_names.size() && metrics.metric_names[c] != metric)
      ++c;
    REQUIRE(c < metrics.metric_names.size());
    double sum = 0;
    for (const auto& row : metrics.rows)
      if (row.entity == entity && row.t >= from && row.t < to && c < row.values.size() &&
          !std::isnan(row.values[c]))
        sum += row.values[c];
    return sum;
  }
  const nlohmann::ordered_json& deployment(const std::string& service, std::size_t i) const {
    return summary["services"][service]["deployments"][i];
  }
};

FullRun run_json(const Json& scenario) {
  auto run = ecsim::testing::run_scenario(ecsim::load_scenario_text(scenario.dump()));
  return {std::move(run.events), std::move(run.summary), std::move(run.metrics)};
}

std::vector<std::string> names(const std::vector<std::pair<double, std::string>>& stages) {
  std::vector<std::string> out;
  for (const auto& [t, s] : stages)
    out.push_back(s);
  return out;
}

// Task ARNs of a revision and the times of their first RUNNING and their STOPPED.
struct TaskLife {
  double running = -1, stopped = -1;
  std::vector<std::string> states;
};
std::map<std::string, TaskLife> lives(const FullRun& run, const std::string& revision) {
  std::map<std::string, TaskLife> out;
  for (const auto* e : run.of_type("ECS Task State Change")) {
    if (!e->detail["taskDefinitionArn"].get<std::string>().ends_with(revision)) continue;
    TaskLife& life = out[e->detail["taskArn"].get<std::string>()];
    const std::string s = e->detail["lastStatus"].get<std::string>();
    if (life.states.empty() || life.states.back() != s) life.states.push_back(s);
    if (s == "RUNNING" && life.running < 0) life.running = run.t(e);
    if (s == "STOPPED") life.stopped = run.t(e);
  }
  return out;
}

const std::vector<std::string> kNativeStages = {"PRE_SCALE_UP",
                                                "SCALE_UP",
                                                "POST_SCALE_UP",
                                                "TEST_TRAFFIC_SHIFT",
                                                "POST_TEST_TRAFFIC_SHIFT",
                                                "PRODUCTION_TRAFFIC_SHIFT",
                                                "POST_PRODUCTION_TRAFFIC_SHIFT",
                                                "BAKE_TIME",
                                                "CLEAN_UP"};

}  // namespace

TEST_CASE(
    "7.2 CANARY: green scales up beside blue, 10% then all traffic, blue goes after the bake") {
  const FullRun run = run_json(scenario_json("deploy-canary"));
  const auto& dep = run.deployment("web", 1);
  CHECK(dep["strategy"] == "CANARY");
  CHECK(dep["rolloutState"] == "COMPLETED");
  const auto stages = run.stages(dep["id"].get<std::string>());
  CHECK(names(stages) == kNativeStages);

  // Production traffic: green at weight 0 while it scales up, the canary share, then the rest
  // canaryBakeTimeInMinutes (5) later.
  const auto shifts = run.shifts("web");
  REQUIRE(shifts.size() == 3);
  CHECK(shifts[0].second == 0.0);
  CHECK(shifts[1].second == 10.0);
  CHECK(shifts[2].second == 100.0);
  CHECK(shifts[2].first - shifts[1].first == doctest::Approx(300.0));
  // Test traffic moves to green before production traffic does.
  const auto test_shifts = run.shifts("web", "TEST");
  REQUIRE(test_shifts.size() >= 2);
  CHECK(test_shifts[1].second == 100.0);
  CHECK(test_shifts[1].first <= shifts[1].first);

  // Traffic moves only once all four green tasks are RUNNING (and healthy in the green group).
  const double post_scale_up = stages[2].first;
  const auto green = lives(run, "web:2");
  REQUIRE(green.size() == 4);
  for (const auto& [arn, life] : green) {
    CHECK(life.running >= 0);
    CHECK(life.running <= post_scale_up);
    CHECK(life.stopped < 0);  // the green revision stays
  }
  // Blue keeps all four tasks until CLEAN_UP, which comes bakeTimeInMinutes (5) after the last
  // shift; then each blue task is deregistered and drained (DEACTIVATING) before it is stopped.
  const double clean_up = stages.back().first;
  CHECK(clean_up - shifts[2].first == doctest::Approx(300.0));
  const auto blue = lives(run, "web:1");
  REQUIRE(blue.size() == 4);
  for (const auto& [arn, life] : blue) {
    CHECK(life.stopped >= clean_up);
    const auto& s = life.states;
    const auto deactivating = std::find(s.begin(), s.end(), "DEACTIVATING");
    const auto stopping = std::find(s.begin(), s.end(), "STOPPING");
    CHECK(deactivating != s.end());
    CHECK(deactivating < stopping);
  }

  // Requests really split 10/90 during the canary: whole metric periods inside the window.
  const double from = std::ceil(shifts[1].first / 60) * 60,
               to = std::floor(shifts[2].first / 60) * 60;
  REQUIRE(to - from >= 180);
  const double g = run.metric_sum("web-green", "RequestCount", from, to);
  const double b = run.metric_sum("web-blue", "RequestCount", from, to);
  // Test-listener requests (1 per second) also reach green; take them out.
  const double green_production = g - (to - from) * 1.0;
  const double share = green_production / (green_production + b);
  const double n = green_production + b;
  const double sd = std::sqrt(0.1 * 0.9 / n);
  CHECK(std::abs(share - 0.1) < 5 * sd + 0.002);
  // After the full shift, blue gets nothing.
  const double after = std::ceil(shifts[2].first / 60) * 60 + 60;
  CHECK(run.metric_sum("web-blue", "RequestCount", after, after + 240) == 0);

  // Per-deployment figures: both revisions answered through the canary window; nothing failed.
  CHECK(dep["bothVersionsServedSeconds"].get<double>() >= 290);
  CHECK(dep["bothVersionsServedSeconds"].get<double>() <= 301);
  CHECK(dep["requestsFailed"] == 0);
  CHECK(dep["peakTasks"] == 8);
  CHECK(dep["minimumHealthyTasksSeen"] == 4);
  // Extra task-hours: the green tasks' time alongside the four blue ones, from the event stream.
  double extra = 0;
  const double start = dep["startedAt"].get<double>(), end = dep["endedAt"].get<double>();
  extra += static_cast<double>(green.size()) * (end - start);  // created at the start, still up
  for (const auto& [arn, life] : blue)
    extra += std::min(life.stopped, end) - start;
  extra -= 4 * (end - start);
  CHECK(dep["extraTaskHours"].get<double>() == doctest::Approx(extra / 3600).epsilon(0.01));
}

TEST_CASE("7.2 LINEAR: documented defaults, 10% every 6 minutes, no step bake after 100%") {
  Json s = scenario_json("deploy-canary");
  s["duration"] = "90m";
  s["services"][0]["deploymentConfiguration"] = {{"strategy", "LINEAR"}};
  const FullRun run = run_json(s);
  const auto shifts = run.shifts("web");
  REQUIRE(shifts.size() == 11);  // 0 (green joins at weight 0), then 10 .. 100
  for (std::size_t i = 1; i < shifts.size(); ++i) {
    CHECK(shifts[i].second == doctest::Approx(10.0 * static_cast<double>(i)));
    if (i > 1) CHECK(shifts[i].first - shifts[i - 1].first == doctest::Approx(360.0));
  }
  const auto& dep = run.deployment("web", 1);
  const auto stages = run.stages(dep["id"].get<std::string>());
  CHECK(names(stages) == kNativeStages);
  // "not applied after reaching 100 percent": the post-shift stage comes with the last step, and
  // without bakeTimeInMinutes clean-up follows at once.
  CHECK(stages[6].first == doctest::Approx(shifts.back().first));
  CHECK(stages[8].first == doctest::Approx(shifts.back().first));
  CHECK(dep["rolloutState"] == "COMPLETED");
}

TEST_CASE("7.2 BLUE_GREEN: all production traffic at once, then bakeTimeInMinutes") {
  Json s = scenario_json("deploy-canary");
  s["services"][0]["deploymentConfiguration"] = {{"strategy", "BLUE_GREEN"},
                                                 {"bakeTimeInMinutes", 7}};
  const FullRun run = run_json(s);
  const auto shifts = run.shifts("web");
  REQUIRE(shifts.size() == 2);
  CHECK(shifts[1].second == 100.0);
  const auto stages = run.stages(run.deployment("web", 1)["id"].get<std::string>());
  CHECK(stages.back().second == "CLEAN_UP");
  CHECK(stages.back().first - shifts[1].first == doctest::Approx(420.0));
}

TEST_CASE("7.2 rules on the service definition, with JSON Pointers") {
  Json s = scenario_json("deploy-canary");
  SUBCASE("BLUE_GREEN needs bakeTimeInMinutes") {
    s["services"][0]["deploymentConfiguration"] = {{"strategy", "BLUE_GREEN"}};
    CHECK(
        load_error(s).find("/services/0/deploymentConfiguration/bakeTimeInMinutes: is required") !=
        std::string::npos);
  }
  SUBCASE("the circuit breaker is for ROLLING only") {
    s["services"][0]["deploymentConfiguration"]["deploymentCircuitBreaker"] = {{"enable", true}};
    CHECK(load_error(s).find("/services/0/deploymentConfiguration/deploymentCircuitBreaker:") !=
          std::string::npos);
  }
  SUBCASE("an alternate target group is needed") {
    s["services"][0]["loadBalancers"][0].erase("advancedConfiguration");
    CHECK(load_error(s).find("/services/0/loadBalancers/0: needs advancedConfiguration") !=
          std::string::npos);
  }
  SUBCASE("step and canary percentages in multiples of 0.1 within range") {
    s["services"][0]["deploymentConfiguration"]["canaryConfiguration"]["canaryPercent"] = 10.05;
    CHECK(load_error(s).find("canaryPercent: must be a multiple of 0.1") != std::string::npos);
    s["services"][0]["deploymentConfiguration"] = {{"strategy", "LINEAR"},
                                                   {"linearConfiguration", {{"stepPercent", 2}}}};
    CHECK(
        load_error(s).find("/services/0/deploymentConfiguration/linearConfiguration/stepPercent") !=
        std::string::npos);
  }
  SUBCASE("unknown alarm names") {
    s["services"][0]["deploymentConfiguration"]["alarms"] = {{"alarmNames", {"nope"}},
                                                             {"enable", true}};
    CHECK(load_error(s).find("/services/0/deploymentConfiguration/alarms/alarmNames/0: no alarm") !=
          std::string::npos);
  }
  SUBCASE("a typo in advancedConfiguration") {
    s["services"][0]["loadBalancers"][0]["advancedConfiguration"]["alternateTargetGroupArn"] =
        "web-gren";
    CHECK(load_error(s).find("did you mean \"web-green\"") != std::string::npos);
  }
}

TEST_CASE("7.1 CodeDeploy: the five predefined configurations and the termination wait") {
  const FullRun run = run_json(scenario_json("codedeploy-configurations"));
  struct Expect {
    std::string service;
    std::vector<double> percents;
    double interval;
  };
  const std::vector<Expect> expected = {
      {"all-at-once", {0, 100}, 0},
      {"linear-1m", {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 60},
      {"linear-3m", {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 180},
      {"canary-5m", {0, 10, 100}, 300},
      {"canary-15m", {0, 10, 100}, 900},
  };
  const std::vector<std::string> code_deploy_stages = {
      "BeforeInstall",         "Install",
      "AfterInstall",          "AllowTestTraffic",
      "AfterAllowTestTraffic", "BeforeAllowTraffic",
      "AllowTraffic",          "AfterAllowTraffic",
      "WaitBeforeTermination", "TerminateOriginalTaskSet"};
  std::set<std::string> succeeded;
  for (const auto* e : run.of_type("CodeDeploy Deployment State-change Notification"))
    if (e->detail["state"] == "SUCCESS") succeeded.insert(e->detail["deploymentGroup"]);
  for (const Expect& x : expected) {
    CAPTURE(x.service);
    const auto shifts = run.shifts(x.service);
    REQUIRE(shifts.size() == x.percents.size());
    for (std::size_t i = 0; i < shifts.size(); ++i) {
      CHECK(shifts[i].second == doctest::Approx(x.percents[i]));
      if (i > 1) CHECK(shifts[i].first - shifts[i - 1].first == doctest::Approx(x.interval));
    }
    const auto& dep = run.deployment(x.service, 1);
    CHECK(dep["strategy"] == "CODE_DEPLOY");
    CHECK(dep["rolloutState"] == "COMPLETED");
    CHECK(dep["codeDeployDeploymentId"].get<std::string>().rfind("d-", 0) == 0);
    const auto stages = run.stages(dep["id"].get<std::string>());
    CHECK(names(stages) == code_deploy_stages);
    // The original task set goes terminationWaitTimeInMinutes (5) after the last shift.
    CHECK(stages.back().first - shifts.back().first == doctest::Approx(300.0));
    CHECK(succeeded.count(x.service + "-dg") == 1);
  }
}

TEST_CASE("7.1 CodeDeploy inputs are checked") {
  Json s = scenario_json("codedeploy-configurations");
  auto& create = s["timeline"][1]["input"];
  SUBCASE("unknown deployment group") {
    create["deploymentGroupName"] = "all-at-once-gd";
    CHECK(load_error(s).find("/timeline/1/input/deploymentGroupName: no deployment group") !=
          std::string::npos);
  }
  SUBCASE("an AppSpec that is not JSON") {
    create["revision"]["appSpecContent"]["content"] = "version: 0.0\nResources: []";
    CHECK(load_error(s).find(
              "/timeline/1/input/revision/appSpecContent/content: is not AppSpec JSON") !=
          std::string::npos);
  }
  SUBCASE("an AppSpec naming another container") {
    create["revision"]["appSpecContent"]["content"] = Json{
        {"Resources",
         {{{"TargetService",
            {{"Type", "AWS::ECS::Service"},
             {"Properties",
              {{"TaskDefinition", "all-at-once:2"},
               {"LoadBalancerInfo", {{"ContainerName", "web"}, {"ContainerPort", 8080}}}}}}}}}}};
    CHECK(load_error(s).find("LoadBalancerInfo names web:8080") != std::string::npos);
  }
  SUBCASE("UpdateService cannot change a CODE_DEPLOY service's task definition") {
    s["timeline"].push_back(
        {{"at", "7m"},
         {"action", "UpdateService"},
         {"input", {{"service", "all-at-once"}, {"taskDefinition", "all-at-once:2"}}}});
    CHECK(load_error(s).find("through CreateDeployment") != std::string::npos);
  }
  SUBCASE("a custom configuration must exist") {
    s["codeDeploy"]["deploymentGroups"][0]["deploymentConfigName"] = "Linear25Every2";
    CHECK(load_error(s).find("/codeDeploy/deploymentGroups/0/deploymentConfigName: no deployment "
                             "configuration") != std::string::npos);
  }
}

TEST_CASE("7.1 CodeDeploy custom TimeBasedLinear configuration, and one deployment at a time") {
  Json s = scenario_json("codedeploy-configurations");
  s["codeDeploy"]["deploymentConfigs"] = {
      {{"deploymentConfigName", "Linear25PercentEvery2Minutes"},
       {"computePlatform", "ECS"},
       {"trafficRoutingConfig",
        {{"type", "TimeBasedLinear"},
         {"timeBasedLinear", {{"linearPercentage", 25}, {"linearInterval", 2}}}}}}};
  s["timeline"][1]["input"]["deploymentConfigName"] = "Linear25PercentEvery2Minutes";
  // A second CreateDeployment while the first is under way is refused.
  Json again = s["timeline"][1];
  again["at"] = "7m";
  s["timeline"].push_back(again);
  const FullRun run = run_json(s);
  const auto shifts = run.shifts("all-at-once");
  REQUIRE(shifts.size() == 5);
  for (std::size_t i = 1; i < 5; ++i)
    CHECK(shifts[i].second == doctest::Approx(25.0 * static_cast<double>(i)));
  CHECK(shifts[4].first - shifts[1].first == doctest::Approx(360.0));
  bool refused = false;
  for (const auto* e : run.of_type("ecsim API Call Failure"))
    refused |= e->detail["failures"][0]["reason"] == "DeploymentLimitExceededException";
  CHECK(refused);
}

TEST_CASE("7.2 an alarm in ALARM fails the deployment and rolls traffic back to blue") {
  const FullRun run = run_json(scenario_json("deploy-blue-green-rollback"));
  const auto& failed = run.deployment("web", 1);
  CHECK(failed["rolloutState"] == "FAILED");
  CHECK(failed["reason"].get<std::string>().find("web-green-5xx") != std::string::npos);
  const double failed_at = failed["endedAt"].get<double>();
  // The alarm fired at that moment, after two breaching minutes of green traffic.
  bool alarmed = false;
  for (const auto* e : run.of_type("CloudWatch Alarm State Change"))
    if (e->detail["alarmName"] == "web-green-5xx" && e->detail["state"]["value"] == "ALARM")
      alarmed |= run.t(e) == failed_at;
  CHECK(alarmed);
  // Production traffic went back to blue at once.
  const auto shifts = run.shifts("web");
  bool back = false;
  for (const auto& [t, p] : shifts)
    back |= t == failed_at && p == 0.0;
  CHECK(back);
  // The blue revision never stopped: it served again after the rollback, with no 500s.
  for (const auto& [arn, life] : lives(run, "web:1"))
    CHECK(life.stopped > 1560);  // only after the third deployment began at 26m
  const double from = std::ceil(failed_at / 60) * 60 + 60;
  CHECK(run.metric_sum("web-blue", "RequestCount", from, 1500) > 0);
  CHECK(run.metric_sum("web-blue", "HTTPCode_Target_5XX_Count", from, 1500) == 0);
  // The faulty green tasks were stopped; the later good revision completes.
  for (const auto& [arn, life] : lives(run, "web:2")) {
    CHECK(life.stopped > failed_at);
    CHECK(life.stopped < failed_at + 120);
  }
  CHECK(run.deployment("web", 2)["rolloutState"] == "COMPLETED");
  CHECK(failed["requestsFailed"].get<int>() > 0);
}

TEST_CASE("7.2 a green revision whose image fails to pull fails and rolls back; blue serves on") {
  Json s = scenario_json("deploy-canary");
  s["duration"] = "100m";
  s["timeline"].push_back(
      {{"at", "5m"}, {"action", "FailImagePull"}, {"input", {{"image", "example/web:1.1"}}}});
  const FullRun run = run_json(s);
  const auto& dep = run.deployment("web", 1);
  CHECK(dep["rolloutState"] == "FAILED");
  CHECK(dep["failedTasks"] == 10);  // clamp(ceil(0.5 x 4), 10, 200), as in 6.3 [INFERRED]
  CHECK(run.deployment("web", 0)["status"] == "PRIMARY");
  for (const auto& [t, p] : run.shifts("web"))
    CHECK(p == 0.0);  // production traffic never moved
  for (const auto& [arn, life] : lives(run, "web:1"))
    CHECK(life.stopped < 0);
  // Requests kept succeeding throughout the deployment.
  CHECK(dep["requestsFailed"] == 0);
}

TEST_CASE("7.2 a new deployment during a canary rolls the canary back first (RECONCILE_SERVICE)") {
  Json s = scenario_json("deploy-canary");
  Json td3 = s["timeline"][0]["input"];
  td3["containerDefinitions"][0]["image"] = "example/web:1.2";
  s["timeline"].push_back({{"at", "8m"}, {"action", "RegisterTaskDefinition"}, {"input", td3}});
  s["timeline"].push_back({{"at", "8m"},
                           {"action", "UpdateService"},
                           {"input", {{"service", "web"}, {"taskDefinition", "web:3"}}}});
  const FullRun run = run_json(s);
  CHECK(run.deployment("web", 1)["rolloutState"] == "FAILED");
  const auto& third = run.deployment("web", 2);
  CHECK(third["rolloutState"] == "COMPLETED");
  const auto stages = names(run.stages(third["id"].get<std::string>()));
  REQUIRE(!stages.empty());
  CHECK(stages.front() == "RECONCILE_SERVICE");
  // The blue revision (1) served until the third deployment's clean-up; revision 2 went early.
  for (const auto& [arn, life] : lives(run, "web:2"))
    CHECK(life.stopped < 600);
}
