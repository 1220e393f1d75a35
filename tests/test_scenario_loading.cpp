// The scenario loader never crashes or hangs, and names every problem by JSON Pointer with what is
// wrong and what is valid (SCENARIO-CONTRACT.md, "ecsim validate").
#include <filesystem>
#include <fstream>
#include <string>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"

using namespace ecsim;

namespace {

// The problems a scenario text produces; empty when it loads.
std::vector<Problem> problems_of(const std::string& text) {
  try {
    load_scenario_text(text, "test.json");
    return {};
  } catch (const ScenarioError& e) {
    return e.problems();
  }
}

bool has_problem(const std::vector<Problem>& ps, const std::string& pointer,
                 const std::string& fragment) {
  for (const auto& p : ps)
    if (p.pointer == pointer && p.message.find(fragment) != std::string::npos) return true;
  return false;
}

std::string dump(const std::vector<Problem>& ps) {
  std::string out;
  for (const auto& p : ps)
    out += p.to_string() + "\n";
  return out;
}

const std::string kMinimal = R"({"name": "t", "duration": "10m",
  "cluster": {"availabilityZones": ["us-east-1a"],
              "containerInstances": [{"instanceType": "m5.large", "availabilityZone": "us-east-1a"}]},
  "taskDefinitions": [{"family": "web", "containerDefinitions": [
      {"name": "app", "image": "nginx", "memory": 512}]}]})";

}  // namespace

TEST_CASE("a minimal scenario loads fully defaulted") {
  const Scenario s = load_scenario_text(kMinimal);
  CHECK(s.name == "t");
  CHECK(s.duration == seconds(600));
  CHECK(s.seed == 1);
  CHECK(s.metrics_period == kMinute);
  REQUIRE(s.cluster.container_instances.size() == 1);
  CHECK(s.cluster.container_instances[0].count == 1);
  CHECK(s.task_definitions.at(0).family == "web");
}

TEST_CASE("the built-in default scenario and every file in scenarios/ load") {
  CHECK_NOTHROW(load_scenario_text(default_scenario_text()));
  for (const auto& entry : std::filesystem::directory_iterator(ECSIM_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    CAPTURE(entry.path().string());
    try {
      load_scenario_file(entry.path());
    } catch (const ScenarioError& e) {
      FAIL(e.what());
    }
  }
}

TEST_CASE("files that are missing, empty, folders or not JSON are reported, not crashed on") {
  const auto dir = std::filesystem::temp_directory_path() / "ecsim-test-loading";
  std::filesystem::create_directories(dir);
  auto problems_of_file = [](const std::filesystem::path& p) {
    try {
      load_scenario_file(p);
      return std::vector<Problem>{};
    } catch (const ScenarioError& e) {
      return e.problems();
    }
  };
  CHECK(has_problem(problems_of_file(dir / "nope.json"), "", "no such file"));
  CHECK(has_problem(problems_of_file(dir), "", "folder"));
  std::ofstream(dir / "empty.json").close();
  CHECK(has_problem(problems_of_file(dir / "empty.json"), "", "empty"));
  std::ofstream(dir / "bad.json") << "{\n  \"name\": \"x\",\n  oops\n}";
  CHECK(has_problem(problems_of_file(dir / "bad.json"), "", "line 3, column 3"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("not-JSON, NaN, and documents of the wrong shape") {
  CHECK(has_problem(problems_of("not json"), "", "not valid JSON"));
  CHECK(has_problem(problems_of("{\"seed\": NaN}"), "", "not valid JSON"));
  CHECK(has_problem(problems_of("[1, 2]"), "", "expected an object"));
  CHECK(has_problem(problems_of("null"), "", "expected an object"));
  CHECK(has_problem(problems_of("\"text\""), "", "expected an object"));
  CHECK(has_problem(problems_of("{\"name\": \"a\"} trailing"), "", "not valid JSON"));
}

TEST_CASE("very deep nesting is refused quickly, without recursion blowing the stack") {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  auto deep_problems = problems_of(deep);
  REQUIRE(deep_problems.size() == 1);
  // Named at the array that went one level too deep: 128 levels of "/0".
  CHECK(deep_problems[0].pointer.size() == 2 * 128);
  CHECK(deep_problems[0].message.find("nesting is deeper than 128") != std::string::npos);
  const std::string deep_object =
      "{\"cluster\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  auto ps = problems_of(deep_object);
  CHECK_MESSAGE(!ps.empty(), dump(ps));
}

TEST_CASE("duplicate keys are errors at their pointer") {
  auto ps = problems_of(R"({"name": "a", "name": "b"})");
  CHECK_MESSAGE(has_problem(ps, "/name", "duplicate key"), dump(ps));
  ps = problems_of(R"({"cluster": {"containerInstances": [{"count": 1, "count": 2}]}})");
  CHECK_MESSAGE(has_problem(ps, "/cluster/containerInstances/0/count", "duplicate key"), dump(ps));
}

TEST_CASE("unknown keys are errors with a did-you-mean for near misses") {
  auto ps = problems_of(R"({"name": "a", "duraton": "5m"})");
  CHECK_MESSAGE(has_problem(ps, "/duraton", "did you mean \"duration\""), dump(ps));
  ps = problems_of(R"({"cluster": {"clusterNme": "x"}})");
  CHECK_MESSAGE(has_problem(ps, "/cluster/clusterNme", "did you mean \"clusterName\""), dump(ps));
  ps = problems_of(R"({"zzzzzzzz": 1})");
  CHECK_MESSAGE(has_problem(ps, "/zzzzzzzz", "valid keys here are"), dump(ps));
}

TEST_CASE("wrong types, negative and huge numbers name the pointer and the valid range") {
  auto ps = problems_of(R"({"seed": "42", "duration": -5, "metricsPeriod": true,
    "cluster": {"containerInstances": [{"instanceType": "m5.large", "availabilityZone": "a",
                                        "count": 1e300}]}})");
  CHECK_MESSAGE(has_problem(ps, "/seed", "expected an integer"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/duration", "negative"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/metricsPeriod", "is a boolean"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/cluster/containerInstances/0/count", "out of range"), dump(ps));
  ps = problems_of(R"({"seed": 18446744073709551615, "duration": "5 minutes"})");
  CHECK_MESSAGE(has_problem(ps, "/seed", "out of range"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/duration", "unknown unit"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/duration", "expected a number of seconds, or a string"),
                dump(ps));
}

TEST_CASE("all problems are reported at once") {
  auto ps = problems_of(R"({"seed": -1, "duration": "x", "nmae": "a", "cluster": 5})");
  CHECK_MESSAGE(ps.size() >= 4, dump(ps));
}

TEST_CASE("dangling references: unknown task definitions, zones, instance types and instances") {
  auto ps = problems_of(R"({"duration": "10m",
    "cluster": {"availabilityZones": ["us-east-1a"],
      "containerInstances": [{"instanceType": "m5.lage", "availabilityZone": "us-east-1b"}]},
    "taskDefinitions": [{"family": "web", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}]}],
    "timeline": [
      {"at": "1m", "action": "RunTask", "input": {"taskDefinition": "wbe"}},
      {"at": "1m", "action": "RunTask", "input": {"taskDefinition": "web:2"}},
      {"at": "2m", "action": "TerminateInstance", "input": {"instanceId": "i-00000000000000009"}},
      {"at": "20m", "action": "StopTask", "input": {"group": "family:web"}},
      {"at": "1m", "action": "RunTsk", "input": {}}
    ]})");
  CHECK_MESSAGE(
      has_problem(ps, "/cluster/containerInstances/0/instanceType", "did you mean \"m5.large\""),
      dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/cluster/containerInstances/0/availabilityZone",
                            "did you mean \"us-east-1a\""),
                dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/timeline/0/input/taskDefinition", "did you mean \"web\""),
                dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/timeline/1/input/taskDefinition", "revisions 1 to 1"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/timeline/2/input/instanceId", "i-00000000000000001"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/timeline/3/at", "after the end of the run"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/timeline/4/action", "did you mean \"RunTask\""), dump(ps));
}

TEST_CASE("a revision registered by the timeline can be run after it is registered") {
  const std::string text = R"({"duration": "10m",
    "taskDefinitions": [{"family": "web", "containerDefinitions": [{"name": "a", "image": "i:1", "memory": 64}]}],
    "timeline": [
      {"at": "2m", "action": "RegisterTaskDefinition", "input": {"family": "web", "containerDefinitions": [{"name": "a", "image": "i:2", "memory": 64}]}},
      {"at": "3m", "action": "RunTask", "input": {"taskDefinition": "web:2"}},
      {"at": "1m", "action": "RunTask", "input": {"taskDefinition": "web:2"}}
    ]})";
  auto ps = problems_of(text);
  REQUIRE_MESSAGE(ps.size() == 1, dump(ps));
  CHECK(ps[0].pointer == "/timeline/2/input/taskDefinition");
}

TEST_CASE("ECS limits: RunTask count 1..10, 5 strategies, 10 constraints (ecs-reference 4.1, 12)") {
  auto ps = problems_of(
      R"({"taskDefinitions": [{"family": "w", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}]}],
    "timeline": [{"at": 0, "action": "RunTask", "input": {"taskDefinition": "w", "count": 11,
      "placementStrategy": [{"type": "random"}, {"type": "random"}, {"type": "random"}, {"type": "random"}, {"type": "random"}, {"type": "random"}],
      "placementConstraints": [{"type": "distinctInstance"}, {"type": "distinctInstance"}, {"type": "distinctInstance"}, {"type": "distinctInstance"},
        {"type": "distinctInstance"}, {"type": "distinctInstance"}, {"type": "distinctInstance"}, {"type": "distinctInstance"},
        {"type": "distinctInstance"}, {"type": "distinctInstance"}, {"type": "distinctInstance"}]}}]})");
  CHECK_MESSAGE(has_problem(ps, "/timeline/0/input/count", "from 1 to 10"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/timeline/0/input/placementStrategy", "at most 5"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/timeline/0/input/placementConstraints", "at most 10"), dump(ps));
}

TEST_CASE("more than 5,000 container instances is refused (ecs-reference 12)") {
  auto ps = problems_of(R"({"cluster": {"containerInstances": [
      {"instanceType": "m5.large", "availabilityZone": "a", "count": 3000},
      {"instanceType": "m5.large", "availabilityZone": "a", "count": 3000}]}})");
  CHECK_MESSAGE(has_problem(ps, "/cluster/containerInstances", "at most 5000"), dump(ps));
}

TEST_CASE("autoScaling entries are RegisterScalableTarget inputs, checked (ecs-reference 10)") {
  CHECK(problems_of(R"({"services": [], "loadBalancers": [], "traffic": [], "autoScaling": []})")
            .empty());
  auto ps = problems_of(R"({"autoScaling": [{"ServiceNamespace": "ecs"}]})");
  CHECK_MESSAGE(has_problem(ps, "/autoScaling/0", "ResourceId"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/autoScaling/0", "MinCapacity"), dump(ps));
  ps = problems_of(R"json({"autoScaling": [{"ResourceId": "service/c/nope", "MinCapacity": 3,
      "MaxCapacity": 2, "ScalingPolicies": [{"PolicyName": "p", "PolicyType": "TargetTrackingScaling",
      "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50, "PredefinedMetricSpecification":
      {"PredefinedMetricType": "ALBRequestCountPerTarget"}}}],
      "ScheduledActions": [{"ScheduledActionName": "s", "Schedule": "cron(0 8 1 * ? *)",
      "ScalableTargetAction": {"MinCapacity": 1}}]}]})json");
  CHECK_MESSAGE(has_problem(ps, "/autoScaling/0/ResourceId", "no service \"nope\""), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/autoScaling/0/MaxCapacity", "below MinCapacity"), dump(ps));
  CHECK_MESSAGE(
      has_problem(ps,
                  "/autoScaling/0/ScalingPolicies/0/TargetTrackingScalingPolicyConfiguration/"
                  "PredefinedMetricSpecification/ResourceLabel",
                  "is required"),
      dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/autoScaling/0/ScheduledActions/0/Schedule", "daily cron"),
                dump(ps));
}

TEST_CASE("CreateService input is checked as ECS does (ecs-reference 5.1, 6.1)") {
  const std::string td =
      R"("taskDefinitions": [{"family": "w", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}]}])";
  auto ps = problems_of("{" + td + R"(, "services": [
      {"serviceName": "d", "taskDefinition": "w", "schedulingStrategy": "DAEMON", "desiredCount": 2,
       "placementStrategy": [{"type": "random"}], "deploymentConfiguration": {"maximumPercent": 200}},
      {"serviceName": "bad name!", "taskDefinition": "w", "desiredCount": 5001},
      {"serviceName": "x", "taskDefinition": "nope", "deploymentConfiguration": {"minimumHealthyPercent": 150}},
      {"serviceName": "x", "taskDefinition": "w", "launchType": "FARGATE", "placementConstraints": [{"type": "distinctInstance"}]}]})");
  CHECK_MESSAGE(
      has_problem(ps, "/services/0/desiredCount", "DAEMON services have no desired count"),
      dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/services/0/placementStrategy", "DAEMON"), dump(ps));
  CHECK_MESSAGE(
      has_problem(ps, "/services/0/deploymentConfiguration", "maximumPercent must be 100"),
      dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/services/1/serviceName", "not a valid service name"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/services/1/desiredCount", "from 0 to 5000"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/services/2/taskDefinition", "unknown task definition family"),
                dump(ps));
  CHECK_MESSAGE(
      has_problem(ps, "/services/2/deploymentConfiguration/minimumHealthyPercent", "from 0 to 100"),
      dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/services/3/serviceName", "already exists"), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/services/3/placementStrategy", "not supported for the Fargate"),
                dump(ps));
}

TEST_CASE("UpdateService and DeleteService must name a service that exists at that time") {
  auto ps = problems_of(R"({"duration": "1h",
    "taskDefinitions": [{"family": "w", "containerDefinitions": [{"name": "a", "image": "i", "memory": 64}]}],
    "services": [{"serviceName": "web", "taskDefinition": "w", "desiredCount": 1}],
    "timeline": [
      {"at": "1m", "action": "UpdateService", "input": {"service": "wbe", "desiredCount": 2}},
      {"at": "2m", "action": "DeleteService", "input": {"service": "web"}},
      {"at": "3m", "action": "UpdateService", "input": {"service": "web", "desiredCount": 2}}]})");
  CHECK_MESSAGE(has_problem(ps, "/timeline/0/input/service", "did you mean \"web\""), dump(ps));
  CHECK_MESSAGE(has_problem(ps, "/timeline/2/input/service", "no service \"web\" at this time"),
                dump(ps));
  CHECK_MESSAGE(ps.size() == 2, dump(ps));
}

TEST_CASE("strings with escapes and unicode survive; control characters in names do not crash") {
  CHECK_NOTHROW(load_scenario_text(R"({"name": "caf\u00e9 <script>\"x\"</script>"})"));
  CHECK(load_scenario_text(R"({"name": "caf\u00e9"})").name == "caf\xc3\xa9");
}
