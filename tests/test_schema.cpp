// The JSON Schema of the scenario format (schema/scenario.schema.json, `ecsim schema`): it is the
// text compiled into the program, every file in scenarios/ passes it, and on a set of broken
// scenarios the schema and the loader (`ecsim validate`) agree: both reject each one, at the same
// JSON Pointer (the schema may name the enclosing value when the rule is about it as a whole).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/schema.hpp"

#include "support/json_schema.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const fs::path kSchemaFile = fs::path(ECSIM_SOURCE_DIR) / "schema" / "scenario.schema.json";

const ecsim::testing::JsonSchema& schema() {
  static const ecsim::testing::JsonSchema s(json::parse(slurp(kSchemaFile)));
  return s;
}

std::string describe(const std::vector<ecsim::testing::SchemaError>& errors) {
  std::string out;
  for (const auto& e : errors)
    out += e.pointer + ": " + e.message + "\n";
  return out;
}

std::vector<ecsim::Problem> loader_problems(const json& document) {
  try {
    ecsim::load_scenario_json(document);
    return {};
  } catch (const ecsim::ScenarioError& e) {
    return e.problems();
  }
}

// A valid scenario that touches most sections, so that each broken case changes one value.
const char* const kBase = R"({
  "$schema": "../schema/scenario.schema.json",
  "name": "base", "description": "valid", "seed": 3, "duration": "30m", "metricsPeriod": 60,
  "cluster": {
    "clusterName": "demo", "availabilityZones": ["us-east-1a", "us-east-1b"],
    "containerInstances": [
      {"instanceType": "m5.large", "availabilityZone": "us-east-1a", "count": 2,
       "attributes": {"team": "web"}},
      {"instanceType": "big.one", "availabilityZone": "us-east-1b", "launchAt": "1m"}]},
  "instanceTypes": [{"name": "big.one", "vcpu": 8, "memoryGiB": 32, "maxEnis": 4}],
  "taskDefinitions": [
    {"family": "web", "networkMode": "bridge", "cpu": "0.25 vCPU", "memory": "1 GB",
     "containerDefinitions": [{"name": "app", "image": "nginx", "memoryReservation": 256,
       "portMappings": [{"containerPort": 80}],
       "healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 10},
       "environment": [{"name": "A", "value": "b"}], "ecsim": {"imageSizeMiB": 50}}]},
    {"taskDefinition": {"family": "batch", "taskDefinitionArn": "arn:x", "revision": 4,
       "containerDefinitions": [{"name": "job", "image": "job:1", "memory": 512,
         "ecsim": {"exitAfter": "5m"}}]}, "tags": []}],
  "services": [
    {"serviceName": "web", "taskDefinition": "web", "desiredCount": 2,
     "loadBalancers": [{"targetGroupArn": "web", "containerName": "app", "containerPort": 80}],
     "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                           {"type": "binpack", "field": "memory"}],
     "deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 200,
       "deploymentCircuitBreaker": {"enable": true, "rollback": true}},
     "healthCheckGracePeriodSeconds": 30, "networkConfiguration": {}}],
  "timeline": [
    {"at": "2m", "action": "RunTask", "input": {"taskDefinition": "batch", "count": 2,
      "placementConstraints": [{"type": "memberOf", "expression": "attribute:team == web"}]}},
    {"at": "3m", "action": "StopTask", "input": {"group": "family:batch", "count": 1}},
    {"at": "4m", "action": "UpdateService", "input": {"service": "web", "desiredCount": 3}},
    {"at": "5m", "action": "UpdateContainerInstancesState",
     "input": {"containerInstances": ["i-00000000000000001"], "status": "DRAINING"}},
    {"at": "6m", "action": "FailImagePull", "input": {"image": "nginx", "duration": "1m"}}],
  "timing": {"instanceBoot": "90s", "ec2ImagePullMiBPerSecond": 50},
  "placement": {"tieBreak": "lowestId"},
  "scheduler": {"healthyAfterRunning": "30s"},
  "targetGroups": [{"Name": "web", "Port": 80, "HealthCheckPath": "/health",
    "HealthCheckIntervalSeconds": 10, "Matcher": {"HttpCode": "200-299"},
    "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
    "ecsim": {"workers": 4}}],
  "loadBalancers": [{"Name": "alb", "Listeners": [{"Port": 80,
    "DefaultActions": [{"Type": "forward", "TargetGroupArn": "web"}]}]}],
  "traffic": [{"name": "users", "listener": "alb:80", "pattern": {"type": "poisson", "rate": 5},
    "request": {"serviceTime": {"type": "exponential", "mean": "20ms"}}}],
  "autoScaling": []
})";

struct Broken {
  const char* name;
  const char* pointer;   // the value to change
  json value;            // its new value; null with remove = true
  const char* expected;  // where the loader reports it
  bool remove = false;
};

std::vector<Broken> broken_cases() {
  return {
      {"unknown top-level key", "/duraton", "5m", "/duraton"},
      {"unknown container key", "/taskDefinitions/0/containerDefinitions/0/memroy", 512,
       "/taskDefinitions/0/containerDefinitions/0/memroy"},
      {"unknown service key", "/services/0/desiredCnt", 1, "/services/0/desiredCnt"},
      {"unknown timeline input key", "/timeline/0/input/countt", 1, "/timeline/0/input/countt"},
      {"wrong type: seed", "/seed", "seven", "/seed"},
      {"wrong type: count", "/cluster/containerInstances/0/count", "2",
       "/cluster/containerInstances/0/count"},
      {"wrong type: essential", "/taskDefinitions/0/containerDefinitions/0/essential", "yes",
       "/taskDefinitions/0/containerDefinitions/0/essential"},
      {"wrong type: cluster", "/cluster", json::array(), "/cluster"},
      {"wrong type: fractional integer", "/services/0/desiredCount", 2.5,
       "/services/0/desiredCount"},
      {"bad enum: networkMode", "/taskDefinitions/0/networkMode", "bridged",
       "/taskDefinitions/0/networkMode"},
      {"bad enum: strategy type", "/services/0/placementStrategy/1/type", "pack",
       "/services/0/placementStrategy/1/type"},
      {"bad enum: action", "/timeline/1/action", "StopTasks", "/timeline/1/action"},
      {"bad enum: launchType", "/timeline/0/input/launchType", "ec2",
       "/timeline/0/input/launchType"},
      {"bad enum: instance status", "/timeline/3/input/status", "DRAINED",
       "/timeline/3/input/status"},
      {"bad enum: tieBreak", "/placement/tieBreak", "first", "/placement/tieBreak"},
      {"out of range: RunTask count", "/timeline/0/input/count", 11, "/timeline/0/input/count"},
      {"out of range: minimumHealthyPercent",
       "/services/0/deploymentConfiguration/minimumHealthyPercent", 150,
       "/services/0/deploymentConfiguration/minimumHealthyPercent"},
      {"out of range: negative seed", "/seed", -1, "/seed"},
      {"out of range: health check interval",
       "/taskDefinitions/0/containerDefinitions/0/healthCheck/interval", 2,
       "/taskDefinitions/0/containerDefinitions/0/healthCheck/interval"},
      {"out of range: metricsPeriod below 1 s", "/metricsPeriod", 0.5, "/metricsPeriod"},
      {"out of range: negative at", "/timeline/2/at", -5, "/timeline/2/at"},
      {"out of range: task cpu", "/taskDefinitions/0/cpu", 64, "/taskDefinitions/0/cpu"},
      {"bad duration string", "/duration", "5 minutes", "/duration"},
      {"bad task cpu string", "/taskDefinitions/0/cpu", "1 core", "/taskDefinitions/0/cpu"},
      {"empty attribute value", "/cluster/containerInstances/0/attributes/team", "",
       "/cluster/containerInstances/0/attributes/team"},
      {"missing required image", "/taskDefinitions/0/containerDefinitions/0/image", nullptr,
       "/taskDefinitions/0/containerDefinitions/0", true},
      {"missing required serviceName", "/services/0/serviceName", nullptr, "/services/0", true},
      {"binpack without a field", "/services/0/placementStrategy/1/field", nullptr,
       "/services/0/placementStrategy/1/field", true},
      {"invalid service name", "/services/0/serviceName", "web app", "/services/0/serviceName"},
      {"invalid family name", "/taskDefinitions/0/family", "web/1", "/taskDefinitions/0/family"},
      {"StopTask with task and group", "/timeline/1/input/task", "0001", "/timeline/1/input"},
      {"reserved section not empty", "/autoScaling", json::array({json::object()}),
       "/autoScaling/0"},
      {"unknown target group attribute", "/targetGroups/0/Attributes/0/Key", "deregistration_delay",
       "/targetGroups/0/Attributes/0/Key"},
      {"out of range: health check interval", "/targetGroups/0/HealthCheckIntervalSeconds", 1,
       "/targetGroups/0/HealthCheckIntervalSeconds"},
      {"bad enum: traffic pattern", "/traffic/0/pattern/type", "poison", "/traffic/0/pattern/type"},
      {"pattern key of another type", "/traffic/0/pattern/amplitude", 0.5,
       "/traffic/0/pattern/amplitude"},
      {"missing listener port", "/loadBalancers/0/Listeners/0/Port", nullptr,
       "/loadBalancers/0/Listeners/0", true},
      {"invalid load balancer name", "/loadBalancers/0/Name", "-alb", "/loadBalancers/0/Name"},
      {"service target group without containerPort", "/services/0/loadBalancers/0/containerPort",
       nullptr, "/services/0/loadBalancers/0", true},
      {"DAEMON with a desiredCount", "/services/0/schedulingStrategy", "DAEMON",
       "/services/0/desiredCount"},
      {"unknown deployment strategy", "/services/0/deploymentConfiguration/strategy", "BLUE-GREEN",
       "/services/0/deploymentConfiguration/strategy"},
      {"duplicate zone", "/cluster/availabilityZones/1", "us-east-1a",
       "/cluster/availabilityZones/1"},
  };
}

bool within(const std::string& outer, const std::string& inner) {
  return inner.compare(0, outer.size(), outer) == 0 &&
         (inner.size() == outer.size() || inner[outer.size()] == '/');
}

struct Ran {
  int exit_code;
  std::string err;
};

Ran validate_with_cli(const fs::path& file) {
  const fs::path err = file.string() + ".stderr";
  const std::string cmd =
      "'" ECSIM_CLI_PATH "' validate '" + file.string() + "' >/dev/null 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(err)};
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(ECSIM_BINARY_DIR) / "test-scratch" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("the compiled-in schema is schema/scenario.schema.json, and `ecsim schema` prints it") {
  const std::string file = slurp(kSchemaFile);
  REQUIRE_FALSE(file.empty());
  // CMake compiles the file in (cmake/scenario_schema.cpp.in); this guards the chunking.
  CHECK_MESSAGE(ecsim::scenario_schema_text() == file,
                "the compiled-in schema differs from schema/scenario.schema.json");
  const json parsed = json::parse(file);
  CHECK(parsed["$schema"] == "https://json-schema.org/draft/2020-12/schema");

  const fs::path dir = scratch("schema-cli");
  const std::string cmd = "'" ECSIM_CLI_PATH "' schema >'" + (dir / "out.json").string() + "'";
  const int status = std::system(cmd.c_str());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(slurp(dir / "out.json") == file);
}

TEST_CASE("the schema documents every property, and closes every object the loader closes") {
  // Walk every subschema: each declared property has a description (or is a $ref to a described
  // definition), and every object with properties forbids the rest, as the loader does, except
  // the few whose keys are data (custom attributes).
  const json root = json::parse(slurp(kSchemaFile));
  int objects = 0;
  std::vector<std::string> undocumented, open;
  std::function<void(const json&, const std::string&)> walk = [&](const json& s,
                                                                  const std::string& at) {
    if (!s.is_object()) return;
    if (s.contains("properties") && s.value("type", "") == "object") {
      ++objects;
      if (!s.contains("additionalProperties") || s["additionalProperties"] != false)
        open.push_back(at);
      for (const auto& [name, sub] : s["properties"].items()) {
        const bool described = sub.contains("description") || sub.contains("$ref");
        if (!described) undocumented.push_back(at + "/properties/" + name);
      }
    }
    for (const auto& [key, sub] : s.items()) {
      if (sub.is_object()) walk(sub, at + "/" + key);
      if (sub.is_array())
        for (std::size_t i = 0; i < sub.size(); ++i)
          walk(sub[i], at + "/" + key + "/" + std::to_string(i));
    }
  };
  walk(root, "#");
  CHECK(objects > 30);
  CHECK_MESSAGE(undocumented.empty(), undocumented.front());
  CHECK_MESSAGE(open.empty(), open.front());
}

TEST_CASE("every file in scenarios/ and the built-in default pass the schema") {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(ECSIM_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    CAPTURE(entry.path().string());
    const auto errors = schema().validate(json::parse(slurp(entry.path())));
    CHECK_MESSAGE(errors.empty(), describe(errors));
    ++files;
  }
  CHECK(files >= 10);
  const auto errors = schema().validate(json::parse(ecsim::default_scenario_text()));
  CHECK_MESSAGE(errors.empty(), describe(errors));
}

TEST_CASE("the base scenario of the broken cases is valid for both") {
  const json base = json::parse(kBase);
  const auto errors = schema().validate(base);
  CHECK_MESSAGE(errors.empty(), describe(errors));
  CHECK(loader_problems(base).empty());
}

TEST_CASE("on broken scenarios the schema and `ecsim validate` agree") {
  const fs::path dir = scratch("schema-broken");
  int n = 0;
  for (const Broken& b : broken_cases()) {
    CAPTURE(b.name);
    json doc = json::parse(kBase);
    const json::json_pointer at(b.pointer);
    if (b.remove)
      doc[at.parent_pointer()].erase(at.back());
    else
      doc[at] = b.value;

    const auto errors = schema().validate(doc);
    bool schema_here = false;
    for (const auto& e : errors)
      schema_here = schema_here || within(e.pointer, b.expected);
    CHECK_MESSAGE(schema_here, "schema errors:\n" << describe(errors));

    const auto problems = loader_problems(doc);
    bool loader_here = false;
    std::string listed;
    for (const auto& p : problems) {
      loader_here = loader_here || p.pointer == b.expected;
      listed += p.to_string() + "\n";
    }
    CHECK_MESSAGE(loader_here, "loader problems:\n" << listed);

    // The command line says the same: exit 1, one line per problem starting with its pointer.
    const fs::path file = dir / ("broken-" + std::to_string(n++) + ".json");
    std::ofstream(file) << doc.dump(2);
    const Ran ran = validate_with_cli(file);
    CHECK(ran.exit_code == 1);
    CHECK(ran.err.find(std::string(b.expected) + ":") != std::string::npos);
  }
  CHECK(n >= 30);
}

TEST_CASE("valid variations pass both") {
  // Forms the format allows that the base does not use: numbers for durations, integer task
  // sizes, a Fargate RunTask, a DAEMON service, a RegisterTaskDefinition with describe output.
  const std::vector<std::pair<const char*, json>> variations = {
      {"/duration", 7200},
      {"/taskDefinitions/0/cpu", 256},
      {"/timeline/0/input/launchType", "EC2"},
      {"/timing/throttleMax", "1h30m"},
      {"/services/-", json::parse(R"({"serviceName": "agent", "taskDefinition": "batch",
          "schedulingStrategy": "DAEMON", "deploymentConfiguration": {"maximumPercent": 100}})")},
      {"/timeline/-", json::parse(R"({"at": 600, "action": "RegisterTaskDefinition",
          "input": {"taskDefinition": {"family": "web", "containerDefinitions": [
            {"name": "app", "image": "nginx:2", "memory": 256}]}}})")},
      {"/timeline/-", json::parse(R"({"at": "11m", "action": "DeleteService",
          "input": {"service": "web"}})")},
      {"/traffic/0/pattern", json::parse(R"({"type": "spike", "base": 1, "peak": 50,
          "at": "5m", "duration": "30s"})")},
      {"/traffic/0/request/serviceTime", "40ms"},
      {"/loadBalancers/0/Listeners/-", json::parse(R"({"Port": 8080, "testListener": true,
          "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupName": "web", "Weight": 1}]}}]})")},
  };
  for (const auto& [pointer, value] : variations) {
    CAPTURE(pointer);
    json doc = json::parse(kBase);
    doc[json::json_pointer(pointer)] = value;
    const auto errors = schema().validate(doc);
    CHECK_MESSAGE(errors.empty(), describe(errors));
    const auto problems = loader_problems(doc);
    CHECK_MESSAGE(problems.empty(), (problems.empty() ? "" : problems.front().to_string()));
  }
}
