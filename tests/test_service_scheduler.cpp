// The service scheduler against ../shared/ecs-reference.md sections 3.3, 4.5, 5 and 6.
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "support/run_helpers.hpp"

using namespace ecsim;
using ecsim::testing::Run;
using ecsim::testing::run_text;

namespace {

// Four m5.large in two zones and a small web task; timings short and fixed.
std::string cluster_scenario(const std::string& services, const std::string& timeline,
                             const std::string& extra_definitions = "",
                             int instances_per_zone = 2) {
  return R"({"name": "svc", "duration": "1h", "seed": 9,
    "cluster": {"availabilityZones": ["a", "b"], "containerInstances": [
      {"instanceType": "m5.large", "availabilityZone": "a", "count": )" +
         std::to_string(instances_per_zone) + R"(},
      {"instanceType": "m5.large", "availabilityZone": "b", "count": )" +
         std::to_string(instances_per_zone) + R"(}]},
    "timing": {"agentPickup": "1s", "defaultImageSizeMiB": 0, "containerStart": "2s", "deactivation": "1s", "sigtermExit": "2s",
               "throttleInitial": "10s", "throttleMax": "2m"},
    "taskDefinitions": [
      {"family": "web", "containerDefinitions": [{"name": "app", "image": "web:1", "cpu": 256, "memory": 512}]})" +
         extra_definitions + R"(],
    "services": )" +
         services + R"(, "timeline": )" + timeline + "}";
}

const std::string kWebV2 =
    R"({"at": "5m", "action": "RegisterTaskDefinition", "input": {"family": "web",
    "containerDefinitions": [{"name": "app", "image": "web:2", "cpu": 256, "memory": 512}]}},
  {"at": "6m", "action": "UpdateService", "input": {"service": "web", "taskDefinition": "web:2"}})";

std::string web_service(int desired, int min_pct, int max_pct, const std::string& more = "") {
  return R"([{"serviceName": "web", "taskDefinition": "web:1", "desiredCount": )" +
         std::to_string(desired) + R"(, "deploymentConfiguration": {"minimumHealthyPercent": )" +
         std::to_string(min_pct) + R"(, "maximumPercent": )" + std::to_string(max_pct) + "}" +
         more + "}]";
}

struct TaskTrack {
  std::string definition;
  double created = -1, running = -1, stop_requested = -1, stopped = -1;
};

std::map<std::string, TaskTrack> track(const Run& run) {
  std::map<std::string, TaskTrack> out;
  for (const auto* e : run.of_type("ECS Task State Change")) {
    auto& t = out[e->detail["taskArn"]];
    const double at = to_seconds(e->time);
    t.definition = e->detail["taskDefinitionArn"].get<std::string>().substr(
        e->detail["taskDefinitionArn"].get<std::string>().rfind('/') + 1);
    if (t.created < 0) t.created = at;
    if (e->detail["lastStatus"] == "RUNNING" && t.running < 0) t.running = at;
    if (e->detail["desiredStatus"] == "STOPPED" && t.stop_requested < 0) t.stop_requested = at;
    if (e->detail["lastStatus"] == "STOPPED") t.stopped = at;
  }
  return out;
}

// Tasks counted toward maximumPercent at time t (created, not yet STOPPED), and tasks counted
// healthy (RUNNING for 40 s, not asked to stop) — the 6.1 rules with no load balancer.
int live_at(const std::map<std::string, TaskTrack>& tasks, double t) {
  int n = 0;
  for (const auto& [arn, k] : tasks)
    n += k.created <= t && (k.stopped < 0 || k.stopped > t);
  return n;
}
int healthy_at(const std::map<std::string, TaskTrack>& tasks, double t) {
  int n = 0;
  for (const auto& [arn, k] : tasks)
    n += k.running >= 0 && k.running + 40 <= t && (k.stop_requested < 0 || k.stop_requested > t);
  return n;
}

std::vector<std::string> deployment_events(const Run& run) {
  std::vector<std::string> out;
  for (const auto* e : run.of_type("ECS Deployment State Change"))
    out.push_back(e->detail["eventName"]);
  return out;
}

int count_service_events(const Run& run, const std::string& name) {
  int n = 0;
  for (const auto* e : run.of_type("ECS Service Action"))
    n += e->detail["eventName"] == name;
  return n;
}

}  // namespace

TEST_CASE(
    "ecs-reference 5.1: a REPLICA service keeps desiredCount tasks and replaces a stopped one") {
  auto run = run_text(cluster_scenario(web_service(4, 100, 200), R"([
      {"at": "5m", "action": "StopTask", "input": {"group": "service:web"}}])"));
  auto tasks = track(run);
  CHECK(tasks.size() == 5);
  CHECK(live_at(tasks, 200) == 4);
  CHECK(live_at(tasks, 3000) == 4);
  CHECK(run.summary["services"]["web"]["runningCount"] == 4);
  CHECK(count_service_events(run, "SERVICE_STEADY_STATE") >= 2);
}

TEST_CASE(
    "ecs-reference 6.1: a task without load balancer or health check counts as healthy 40 s "
    "after RUNNING, so the deployment completes then") {
  auto run = run_text(cluster_scenario(web_service(2, 100, 200), "[]"));
  auto tasks = track(run);
  double last_running = 0;
  for (const auto& [arn, t] : tasks)
    last_running = std::max(last_running, t.running);
  const auto completed = run.of_type("ECS Deployment State Change");
  REQUIRE(completed.size() == 2);
  CHECK(completed[1]->detail["eventName"] == "SERVICE_DEPLOYMENT_COMPLETED");
  CHECK(to_seconds(completed[1]->time) == doctest::Approx(last_running + 40));
}

TEST_CASE(
    "ecs-reference 6.1: desired 4, minimumHealthyPercent 50 lets the scheduler stop 2 old "
    "tasks before starting new ones") {
  auto run = run_text(cluster_scenario(web_service(4, 50, 100), "[" + kWebV2 + "]"));
  auto tasks = track(run);
  int stopped_at_update = 0, new_at_update = 0;
  for (const auto& [arn, t] : tasks) {
    stopped_at_update += t.definition == "web:1" && t.stop_requested == 360;
    new_at_update += t.definition == "web:2" && t.created == 360;
  }
  CHECK(stopped_at_update == 2);
  CHECK(new_at_update == 0);  // maximumPercent 100: no room until the old tasks are gone
}

TEST_CASE(
    "ecs-reference 6.1: desired 4, maximumPercent 200 starts 4 new tasks before stopping old") {
  auto run = run_text(cluster_scenario(web_service(4, 100, 200), "[" + kWebV2 + "]"));
  auto tasks = track(run);
  int new_at_update = 0;
  double first_old_stop = 1e9, last_new_healthy = 0;
  for (const auto& [arn, t] : tasks) {
    if (t.definition == "web:2" && t.created == 360) ++new_at_update;
    if (t.definition == "web:2") last_new_healthy = std::max(last_new_healthy, t.running + 40);
    if (t.definition == "web:1" && t.stop_requested > 0)
      first_old_stop = std::min(first_old_stop, t.stop_requested);
  }
  CHECK(new_at_update == 4);
  CHECK(first_old_stop >= last_new_healthy);  // min 100%: old go only once new are healthy
}

TEST_CASE(
    "ecs-reference 6.1: minimumHealthyPercent 75 with desired 2 rounds up to 2: no task can "
    "be stopped first") {
  auto run = run_text(cluster_scenario(web_service(2, 75, 150), "[" + kWebV2 + "]"));
  auto tasks = track(run);
  for (const auto& [arn, t] : tasks)
    if (t.definition == "web:1") CHECK(t.stop_requested > 360);
  // floor(2 x 1.5) = 3: one new task at a time.
  CHECK(live_at(tasks, 360) == 3);
}

TEST_CASE(
    "ecs-reference 6.1: maximumPercent 125 with desired 3 rounds down to 3: no extra task can "
    "start") {
  auto run = run_text(cluster_scenario(web_service(3, 50, 125), "[" + kWebV2 + "]"));
  auto tasks = track(run);
  for (double t = 360; t < 1200; t += 0.5)
    CHECK(live_at(tasks, t) <= 3);
  int new_at_update = 0, stopped_at_update = 0;
  for (const auto& [arn, k] : tasks) {
    new_at_update += k.definition == "web:2" && k.created == 360;
    stopped_at_update += k.definition == "web:1" && k.stop_requested == 360;
  }
  CHECK(new_at_update == 0);
  CHECK(stopped_at_update == 1);  // ceil(1.5) = 2 must stay healthy: one may go
  CHECK(run.summary["services"]["web"]["deployments"][1]["rolloutState"] == "COMPLETED");
}

TEST_CASE(
    "ecs-reference 6.1: minimum 100% and maximum 100% cannot stop or start: the stall event") {
  auto run = run_text(cluster_scenario(web_service(2, 100, 100), "[" + kWebV2 + "]"));
  CHECK(count_service_events(run, "SERVICE_DEPLOYMENT_STALLED") == 1);
  bool found = false;
  for (const auto* e : run.of_type("ECS Service Action"))
    found |= e->detail["message"] ==
             "service web was unable to stop or start tasks during a deployment because of the "
             "service deployment configuration. Update the minimumHealthyPercent or "
             "maximumPercent value and try again.";
  CHECK(found);
  CHECK(run.summary["services"]["web"]["deployments"][1]["rolloutState"] == "IN_PROGRESS");
}

TEST_CASE(
    "ecs-reference 6.1: over a whole rolling update healthy tasks never fall below the minimum "
    "and live tasks never exceed the maximum") {
  for (auto [min_pct, max_pct] :
       {std::pair{50, 150}, std::pair{100, 200}, std::pair{0, 100}, std::pair{75, 125}}) {
    CAPTURE(min_pct);
    CAPTURE(max_pct);
    const int desired = 6;
    auto run =
        run_text(cluster_scenario(web_service(desired, min_pct, max_pct), "[" + kWebV2 + "]"));
    auto tasks = track(run);
    const int min_healthy = (desired * min_pct + 99) / 100, max_live = desired * max_pct / 100;
    const double done = run.summary["services"]["web"]["deployments"][1]["endedAt"].get<double>();
    CHECK(done > 360);
    for (double t = 360; t <= done; t += 0.25) {
      CHECK(healthy_at(tasks, t) >= min_healthy);
      CHECK(live_at(tasks, t) <= max_live);
    }
    CHECK(run.summary["services"]["web"]["deployments"][1]["minimumHealthyTasksSeen"].get<int>() >=
          min_healthy);
  }
}

TEST_CASE(
    "ecs-reference 6.3: failing health checks trip the circuit breaker at 10 failures and "
    "roll back to the last completed deployment") {
  const std::string bad =
      R"(, {"family": "bad", "containerDefinitions": [{"name": "app", "image": "bad:1", "cpu": 256, "memory": 512,
      "healthCheck": {"command": ["CMD", "true"], "interval": 5, "retries": 1}, "ecsim": {"healthy": false}}]})";
  auto run = run_text(cluster_scenario(
      R"([{"serviceName": "web", "taskDefinition": "web:1", "desiredCount": 2,
          "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}}])",
      R"([{"at": "5m", "action": "UpdateService", "input": {"service": "web", "taskDefinition": "bad"}}])",
      bad));
  CHECK(deployment_events(run) ==
        std::vector<std::string>{"SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED",
                                 "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_FAILED",
                                 "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED"});
  const auto& deps = run.summary["services"]["web"]["deployments"];
  REQUIRE(deps.size() == 3);
  CHECK(deps[1]["rolloutState"] == "FAILED");
  CHECK(deps[1]["failedTasks"] == 10);  // clamp(ceil(0.5 x 2), 10, 200) = 10
  const std::string rollback_definition = deps[2]["taskDefinition"];
  const std::string rollback_reason = deps[2]["reason"];
  CHECK(rollback_definition.ends_with("web:1"));
  CHECK(rollback_reason.rfind("rolling back to deployment ecs-svc/", 0) == 0);
  CHECK(deps[2]["rolloutState"] == "COMPLETED");
  CHECK(run.summary["services"]["web"]["runningCount"] == 2);
}

TEST_CASE(
    "ecs-reference 6.3 stage 1 and 6.2: tasks that never reach RUNNING fail the deployment, "
    "which then launches nothing more") {
  auto run = run_text(cluster_scenario(
      R"([{"serviceName": "web", "taskDefinition": "web:1", "desiredCount": 2,
          "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": false}}}])",
      R"([{"at": "5m", "action": "FailImagePull", "input": {"image": "web:2"}},
          {"at": "6m", "action": "RegisterTaskDefinition", "input": {"family": "web", "containerDefinitions": [{"name": "app", "image": "web:2", "cpu": 256, "memory": 512}]}},
          {"at": "6m", "action": "UpdateService", "input": {"service": "web", "taskDefinition": "web:2"}}])"));
  const auto& dep = run.summary["services"]["web"]["deployments"][1];
  CHECK(dep["rolloutState"] == "FAILED");
  CHECK(dep["failedTasks"] == 10);
  auto tasks = track(run);
  int v2 = 0;
  double last_v2 = 0;
  for (const auto& [arn, t] : tasks)
    if (t.definition == "web:2") {
      ++v2;
      last_v2 = std::max(last_v2, t.created);
    }
  CHECK(v2 == 10);
  CHECK(last_v2 <= dep["endedAt"].get<double>());
  // The old tasks were never stopped (minimum 100%).
  CHECK(run.summary["services"]["web"]["runningCount"] == 2);
  CHECK(run.summary["tasks"]["byStopCode"]["TaskFailedToStart"] == 10);
}

TEST_CASE(
    "ecs-reference 5.3: tasks that keep failing to start are retried with growing gaps up to "
    "the cap, and a new task definition resets the throttle") {
  auto run = run_text(
      cluster_scenario(R"([{"serviceName": "web", "taskDefinition": "web:1", "desiredCount": 1}])",
                       R"([{"at": 0, "action": "FailImagePull", "input": {"image": "web:1"}},
          {"at": "30m", "action": "RegisterTaskDefinition", "input": {"family": "web", "containerDefinitions": [{"name": "app", "image": "web:2", "cpu": 256, "memory": 512}]}},
          {"at": "30m", "action": "UpdateService", "input": {"service": "web", "taskDefinition": "web:2"}}])"));
  std::vector<double> starts;
  for (const auto& [arn, t] : track(run))
    if (t.definition == "web:1") starts.push_back(t.created);
  std::sort(starts.begin(), starts.end());
  REQUIRE(starts.size() > 6);
  // Each attempt fails 1 s + 5 s after it starts; the next waits 10, 20, 40, 80, then 120 s (cap).
  std::vector<double> gaps;
  for (std::size_t i = 1; i < starts.size(); ++i)
    gaps.push_back(starts[i] - starts[i - 1] - 6);
  CHECK(gaps[0] == doctest::Approx(10));
  CHECK(gaps[1] == doctest::Approx(20));
  CHECK(gaps[2] == doctest::Approx(40));
  CHECK(gaps[3] == doctest::Approx(80));
  for (std::size_t i = 4; i < gaps.size(); ++i)
    CHECK(gaps[i] == doctest::Approx(120));
  CHECK(count_service_events(run, "SERVICE_TASK_START_IMPAIRED") == 1);
  bool v2_at_update = false;
  for (const auto& [arn, t] : track(run))
    v2_at_update |= t.definition == "web:2" && t.created == 1800;
  CHECK(v2_at_update);
}

TEST_CASE(
    "ecs-reference 5.1 and 3.3: a DAEMON service runs one task per ACTIVE instance, leaves a "
    "DRAINING one, and starts on an instance that registers later") {
  const std::string text = R"({"duration": "20m",
    "cluster": {"availabilityZones": ["a"], "containerInstances": [
      {"instanceType": "m5.large", "availabilityZone": "a", "count": 3},
      {"instanceType": "c5.large", "availabilityZone": "a", "count": 1, "launchAt": "5m"}]},
    "taskDefinitions": [{"family": "agent", "containerDefinitions": [{"name": "x", "image": "agent:1", "cpu": 128, "memory": 128}]}],
    "services": [{"serviceName": "agent", "taskDefinition": "agent", "schedulingStrategy": "DAEMON"}],
    "timeline": [{"at": "2m", "action": "UpdateContainerInstancesState", "input": {"containerInstances": ["i-00000000000000002"], "status": "DRAINING"}}]})";
  auto run = run_text(text);
  std::map<std::string, int> live_per_instance;
  std::map<std::string, std::string> instance_of;
  std::map<std::string, std::string> last_state;
  for (const auto* e : run.of_type("ECS Task State Change")) {
    instance_of[e->detail["taskArn"]] = e->detail["ec2InstanceId"];
    last_state[e->detail["taskArn"]] = e->detail["lastStatus"];
  }
  for (const auto& [arn, state] : last_state)
    if (state == "RUNNING") ++live_per_instance[instance_of[arn]];
  CHECK(live_per_instance == std::map<std::string, int>{{"i-00000000000000001", 1},
                                                        {"i-00000000000000003", 1},
                                                        {"i-00000000000000004", 1}});
  CHECK(last_state.size() == 4);
}

TEST_CASE(
    "ecs-reference 3.3: service tasks on a DRAINING instance are replaced within "
    "minimumHealthyPercent 100 and maximumPercent 200") {
  auto run = run_text(cluster_scenario(web_service(4, 100, 200), R"([
      {"at": "5m", "action": "UpdateContainerInstancesState", "input": {"containerInstances": ["i-00000000000000001"], "status": "DRAINING"}}])"));
  std::map<std::string, std::string> instance_of;
  for (const auto* e : run.of_type("ECS Task State Change"))
    instance_of[e->detail["taskArn"]] = e->detail["ec2InstanceId"];
  auto tasks = track(run);
  for (double t = 300; t < 3600; t += 1)
    CHECK(healthy_at(tasks, t) >= 4);
  for (const auto& [arn, t] : tasks)
    if (t.stopped < 0) CHECK(instance_of[arn] != "i-00000000000000001");
  CHECK(run.summary["services"]["web"]["runningCount"] == 4);
}

TEST_CASE(
    "ecs-reference 5.2: a task failing its health check inside the grace period is kept until "
    "the grace period ends") {
  const std::string bad =
      R"(, {"family": "sick", "containerDefinitions": [{"name": "app", "image": "sick:1", "cpu": 256, "memory": 512,
      "healthCheck": {"command": ["CMD", "true"], "interval": 5, "retries": 1}, "ecsim": {"healthy": false}}]})";
  auto run = run_text(cluster_scenario(
      R"([{"serviceName": "sick", "taskDefinition": "sick", "desiredCount": 1, "healthCheckGracePeriodSeconds": 120}])",
      "[]", bad));
  auto tasks = track(run);
  const auto& first = tasks.begin()->second;
  // RUNNING at 3 s; UNHEALTHY at 8 s; replaced when the 120 s grace period ends, at 123 s.
  CHECK(first.running == 3);
  CHECK(first.stop_requested == 123);
  bool unhealthy_event = false;
  for (const auto* e : run.of_type("ECS Task State Change"))
    unhealthy_event |= e->detail.contains("healthStatus") &&
                       e->detail["healthStatus"] == "UNHEALTHY" && to_seconds(e->time) == 8;
  CHECK(unhealthy_event);
}

TEST_CASE(
    "ecs-reference 4.5: a placement failure is reported once while its cause lasts, with ECS's "
    "reason and the closest instance") {
  auto run = run_text(cluster_scenario(
      R"([{"serviceName": "big", "taskDefinition": "big", "desiredCount": 3}])", "[]",
      R"(, {"family": "big", "containerDefinitions": [{"name": "app", "image": "big:1", "memory": 6000}]})",
      1));
  const auto failures = run.of_type("ECS Service Action");
  int placement = 0;
  for (const auto* e : failures)
    if (e->detail["eventName"] == "SERVICE_TASK_PLACEMENT_FAILURE") {
      ++placement;
      CHECK(e->detail["reason"] == "RESOURCE:MEMORY");
      CHECK(e->detail["message"].get<std::string>().find("insufficient memory") !=
            std::string::npos);
    }
  CHECK(placement == 1);
  CHECK(run.summary["services"]["big"]["runningCount"] == 2);
  // Retries go on: the summary counts every failed attempt.
  CHECK(run.summary["placementFailures"]["RESOURCE:MEMORY"].get<int>() > 100);
}

TEST_CASE("ecs-reference 5.4: DeleteService drains the service to INACTIVE") {
  auto run = run_text(cluster_scenario(web_service(3, 100, 200), R"([
      {"at": "5m", "action": "DeleteService", "input": {"service": "web"}}])"));
  CHECK(run.summary["services"]["web"]["status"] == "INACTIVE");
  CHECK(run.summary["services"]["web"]["runningCount"] == 0);
  CHECK(run.summary["tasks"]["byStopCode"]["ServiceSchedulerInitiated"] == 3);
}
