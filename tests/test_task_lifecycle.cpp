// The task state machine, stop sequence and container instance behaviour, each against the rule in
// ../shared/ecs-reference.md that the test case names.
#include <set>

#include <doctest/doctest.h>

#include "support/run_helpers.hpp"

using namespace ecsim;
using ecsim::testing::run_text;

namespace {

// One m5.large (2048 CPU units, 7985 MiB registered) in one zone, fixed timing so the arithmetic
// in the tests can be written down.
std::string scenario(const std::string& task_definitions, const std::string& timeline,
                     const std::string& extra = "") {
  return R"({"name": "t", "duration": "1h", "seed": 3,
    "cluster": {"clusterName": "c", "availabilityZones": ["us-east-1a"],
      "containerInstances": [{"instanceType": "m5.large", "availabilityZone": "us-east-1a", "count": 1}]},
    "timing": {"agentPickup": "1s", "ec2ImagePullMiBPerSecond": 100, "containerStart": "2s",
               "deactivation": "1s", "sigtermExit": "2s", "ec2EniAttach": "5s", "eniDetach": "4s"},
    "taskDefinitions": )" +
         task_definitions + R"(, "timeline": )" + timeline + extra + "}";
}

const std::string kWeb = R"([{"family": "web", "containerDefinitions": [
    {"name": "app", "image": "web:1", "memory": 512, "cpu": 256, "ecsim": {"imageSizeMiB": 200}}]}])";

double t_of(const EventRecord* e) {
  return to_seconds(e->time);
}

}  // namespace

TEST_CASE(
    "ecs-reference 1.1: a bridge task goes PENDING -> ACTIVATING -> RUNNING, then through "
    "DEACTIVATING and STOPPING to STOPPED") {
  auto run = run_text(scenario(kWeb, R"([
      {"at": "10s", "action": "RunTask", "input": {"taskDefinition": "web"}},
      {"at": "5m", "action": "StopTask", "input": {"task": "00000000000000000000000000000001", "reason": "done"}}])"));
  CHECK(run.task_states(1) == std::vector<std::string>{"PENDING", "ACTIVATING", "RUNNING",
                                                       "DEACTIVATING", "STOPPING", "STOPPED"});
  auto ev = run.task_events(1);
  // PENDING at 10 s; agent pickup 1 s; pull 200 MiB at 100 MiB/s = 2 s, start 2 s -> RUNNING at 15
  // s.
  CHECK(t_of(ev[0]) == 10);
  CHECK(t_of(ev[1]) == 11);
  CHECK(ev[2]->detail["lastStatus"] == "RUNNING");
  CHECK(t_of(ev[2]) == 15);
  CHECK(ev[2]->detail["pullStartedAt"] == "2025-01-01T00:00:11.000Z");
  CHECK(ev[2]->detail["pullStoppedAt"] == "2025-01-01T00:00:13.000Z");
  CHECK(ev[2]->detail["startedAt"] == "2025-01-01T00:00:15.000Z");
}

TEST_CASE("ecs-reference 1.1: an awsvpc task starts in PROVISIONING and ends in DEPROVISIONING") {
  const std::string td =
      R"([{"family": "api", "networkMode": "awsvpc", "cpu": "256", "memory": "512",
      "containerDefinitions": [{"name": "app", "image": "api:1", "ecsim": {"imageSizeMiB": 100}}]}])";
  auto run = run_text(scenario(td, R"([
      {"at": 0, "action": "RunTask", "input": {"taskDefinition": "api"}},
      {"at": "1m", "action": "StopTask", "input": {"group": "family:api"}}])"));
  CHECK(run.task_states(1) == std::vector<std::string>{"PROVISIONING", "PENDING", "ACTIVATING",
                                                       "RUNNING", "DEACTIVATING", "STOPPING",
                                                       "DEPROVISIONING", "STOPPED"});
  auto ev = run.task_events(1);
  CHECK(t_of(ev[1]) == 5);                                    // ENI attach 5 s
  CHECK(t_of(ev.back()) == doctest::Approx(60 + 1 + 2 + 4));  // deactivate 1, SIGTERM exit 2, ENI 4
}

TEST_CASE("ecs-reference 1.2: desiredStatus turns STOPPED at once while lastStatus trails it") {
  auto run = run_text(scenario(kWeb, R"([
      {"at": 0, "action": "RunTask", "input": {"taskDefinition": "web"}},
      {"at": "2m", "action": "StopTask", "input": {"group": "family:web", "reason": "because"}}])"));
  auto ev = run.task_events(1);
  const EventRecord* first_stop = nullptr;
  for (const auto* e : ev)
    if (e->detail["desiredStatus"] == "STOPPED") {
      first_stop = e;
      break;
    }
  REQUIRE(first_stop != nullptr);
  CHECK(first_stop->detail["lastStatus"] == "RUNNING");
  CHECK(t_of(first_stop) == 120);
  CHECK(first_stop->detail["stopCode"] == "UserInitiated");
  CHECK(first_stop->detail["stoppedReason"] == "because");
  // The version counts every change.
  for (std::size_t i = 1; i < ev.size(); ++i)
    CHECK(ev[i]->detail["version"].get<int>() == ev[i - 1]->detail["version"].get<int>() + 1);
}

TEST_CASE("ecs-reference 1.4: SIGTERM, then SIGKILL at stopTimeout when the app does not exit") {
  const std::string td = R"([{"family": "slow", "containerDefinitions": [
      {"name": "app", "image": "slow:1", "memory": 256, "stopTimeout": 10,
       "ecsim": {"stopDuration": "45s", "imageSizeMiB": 0}},
      {"name": "quick", "image": "quick:1", "memory": 256, "essential": false,
       "ecsim": {"stopDuration": "3s", "imageSizeMiB": 0}}]}])";
  auto run = run_text(scenario(td, R"([
      {"at": 0, "action": "RunTask", "input": {"taskDefinition": "slow"}},
      {"at": "1m", "action": "StopTask", "input": {"group": "family:slow"}}])"));
  auto ev = run.task_events(1);
  const EventRecord* stopping = nullptr;
  for (const auto* e : ev)
    if (e->detail["lastStatus"] == "STOPPING") stopping = e;
  REQUIRE(stopping != nullptr);
  const EventRecord* stopped = ev.back();
  CHECK(stopped->detail["lastStatus"] == "STOPPED");
  // The slow container is killed at its 10 s stopTimeout (exit 137); the other exits by itself.
  CHECK(t_of(stopped) - t_of(stopping) == 10);
  CHECK(stopped->detail["containers"][0]["exitCode"] == 137);
  CHECK(stopped->detail["containers"][1]["exitCode"] == 0);
}

TEST_CASE("ecs-reference 1.4: without stopTimeout the default is 30 s") {
  const std::string td = R"([{"family": "slow", "containerDefinitions": [
      {"name": "app", "image": "slow:1", "memory": 256, "ecsim": {"stopDuration": "5m"}}]}])";
  auto run = run_text(scenario(td, R"([
      {"at": 0, "action": "RunTask", "input": {"taskDefinition": "slow"}},
      {"at": "1m", "action": "StopTask", "input": {"group": "family:slow"}}])"));
  auto ev = run.task_events(1);
  const EventRecord* stopping = nullptr;
  for (const auto* e : ev)
    if (e->detail["lastStatus"] == "STOPPING") stopping = e;
  REQUIRE(stopping != nullptr);
  CHECK(t_of(ev.back()) - t_of(stopping) == 30);
}

TEST_CASE(
    "ecs-reference 1.3 and 2.1: an essential container's exit stops the task with "
    "EssentialContainerExited; a non-essential one's does not") {
  const std::string td = R"([{"family": "job", "containerDefinitions": [
      {"name": "main", "image": "job:1", "memory": 256, "ecsim": {"exitAfter": "5m", "exitCode": 3}},
      {"name": "helper", "image": "helper:1", "memory": 128, "essential": false, "ecsim": {"exitAfter": "1m"}}]}])";
  auto run = run_text(
      scenario(td, R"([{"at": 0, "action": "RunTask", "input": {"taskDefinition": "job"}}])"));
  auto ev = run.task_events(1);
  const double running_at = [&] {
    for (const auto* e : ev)
      if (e->detail["lastStatus"] == "RUNNING") return t_of(e);
    return -1.0;
  }();
  // The helper's exit is a change of the task, which keeps running.
  const EventRecord* helper_exit = nullptr;
  for (const auto* e : ev)
    if (e->detail["containers"][1]["lastStatus"] == "STOPPED" &&
        e->detail["lastStatus"] == "RUNNING" && e->detail["desiredStatus"] == "RUNNING")
      helper_exit = e;
  REQUIRE(helper_exit != nullptr);
  CHECK(t_of(helper_exit) == running_at + 60);
  const EventRecord* last = ev.back();
  CHECK(last->detail["lastStatus"] == "STOPPED");
  CHECK(last->detail["stopCode"] == "EssentialContainerExited");
  CHECK(last->detail["stoppedReason"] == "Essential container in task exited");
  CHECK(last->detail["containers"][0]["exitCode"] == 3);
  CHECK(run.summary["tasks"]["byStopCode"]["EssentialContainerExited"] == 1);
}

TEST_CASE("ecs-reference 2.5: containers start in dependsOn order, so startup time adds up") {
  const std::string td = R"([{"family": "chain", "containerDefinitions": [
      {"name": "app", "image": "a", "memory": 64, "dependsOn": [{"containerName": "init", "condition": "START"}],
       "ecsim": {"imageSizeMiB": 0, "startDuration": "3s"}},
      {"name": "init", "image": "i", "memory": 64, "essential": false, "ecsim": {"imageSizeMiB": 0, "startDuration": "4s"}}]}])";
  auto run = run_text(
      scenario(td, R"([{"at": 0, "action": "RunTask", "input": {"taskDefinition": "chain"}}])"));
  auto ev = run.task_events(1);
  // PENDING 0, ACTIVATING 1 s, RUNNING after 4 s + 3 s of starts.
  CHECK(t_of(ev[2]) == 8);
}

TEST_CASE("an image already on the instance is not pulled again; a pull under way is shared") {
  auto run = run_text(scenario(kWeb, R"([
      {"at": 0, "action": "RunTask", "input": {"taskDefinition": "web", "count": 2}},
      {"at": "10m", "action": "RunTask", "input": {"taskDefinition": "web"}}])"));
  // Both first tasks wait for the one 2 s pull: RUNNING at 1 + 2 + 2 = 5 s.
  CHECK(t_of(run.task_events(1)[2]) == 5);
  CHECK(t_of(run.task_events(2)[2]) == 5);
  // The third finds the image cached: 600 + 1 + 0 + 2.
  CHECK(t_of(run.task_events(3)[2]) == 603);
}

TEST_CASE("ecs-reference 3.2: a task asking for more than the registered memory cannot be placed") {
  const std::string td = R"([{"family": "big", "containerDefinitions": [
      {"name": "app", "image": "big", "memory": 8000}]}])";
  auto run = run_text(
      scenario(td, R"([{"at": 0, "action": "RunTask", "input": {"taskDefinition": "big"}}])"));
  auto failures = run.of_type("ecsim API Call Failure");
  REQUIRE(failures.size() == 1);
  const auto& f = failures[0]->detail["failures"][0];
  CHECK(f["reason"] == "RESOURCE:MEMORY");
  CHECK(f["detail"].get<std::string>().find("insufficient memory") != std::string::npos);
  CHECK(run.summary["placementFailures"]["RESOURCE:MEMORY"] == 1);
  CHECK(run.summary["tasks"]["started"] == 0);
}

TEST_CASE(
    "ecs-reference 2.4: an m5.large holds two awsvpc tasks; the third fails on RESOURCE:ENI") {
  const std::string td = R"([{"family": "api", "networkMode": "awsvpc", "containerDefinitions": [
      {"name": "app", "image": "api", "memory": 128, "cpu": 64}]}])";
  auto run = run_text(scenario(
      td, R"([{"at": 0, "action": "RunTask", "input": {"taskDefinition": "api", "count": 3}}])"));
  CHECK(run.summary["tasks"]["started"] == 2);
  CHECK(run.summary["placementFailures"]["RESOURCE:ENI"] == 1);
}

TEST_CASE(
    "ecs-reference 2.3: a static host port holds one task per instance; the next fails on "
    "RESOURCE:PORTS and succeeds once the port is free") {
  const std::string td = R"([{"family": "static", "containerDefinitions": [
      {"name": "app", "image": "s", "memory": 128, "portMappings": [{"containerPort": 80, "hostPort": 8080}]}]}])";
  auto run = run_text(scenario(td, R"([
      {"at": 0, "action": "RunTask", "input": {"taskDefinition": "static", "count": 2}},
      {"at": "5m", "action": "StopTask", "input": {"group": "family:static"}},
      {"at": "10m", "action": "RunTask", "input": {"taskDefinition": "static"}}])"));
  CHECK(run.summary["placementFailures"]["RESOURCE:PORTS"] == 1);
  CHECK(run.summary["tasks"]["started"] == 2);
  CHECK(run.summary["tasks"]["reachedRunning"] == 2);
}

TEST_CASE(
    "ecs-reference 3.3: a DRAINING instance takes no new tasks, its standalone tasks keep "
    "running, and ACTIVE again takes tasks again") {
  auto run = run_text(scenario(kWeb, R"([
      {"at": 0, "action": "RunTask", "input": {"taskDefinition": "web"}},
      {"at": "1m", "action": "UpdateContainerInstancesState", "input": {"containerInstances": ["i-00000000000000001"], "status": "DRAINING"}},
      {"at": "2m", "action": "RunTask", "input": {"taskDefinition": "web"}},
      {"at": "3m", "action": "UpdateContainerInstancesState", "input": {"containerInstances": ["i-00000000000000001"], "status": "ACTIVE"}},
      {"at": "4m", "action": "RunTask", "input": {"taskDefinition": "web"}}])"));
  CHECK(run.task_states(1).back() == "RUNNING");
  auto failures = run.of_type("ecsim API Call Failure");
  REQUIRE(failures.size() == 1);
  CHECK(to_seconds(failures[0]->time) == 120);
  CHECK(run.summary["tasks"]["started"] == 2);
  auto states = run.of_type("ECS Container Instance State Change");
  std::vector<std::string> statuses;
  for (const auto* e : states)
    statuses.push_back(e->detail["status"]);
  CHECK(statuses == std::vector<std::string>{"ACTIVE", "DRAINING", "ACTIVE"});
}

TEST_CASE("an instance launched during the run boots, registers, then accepts tasks") {
  auto run = run_text(R"({"duration": "30m",
    "cluster": {"containerInstances": [{"instanceType": "c5.large", "availabilityZone": "a", "launchAt": "1m"}]},
    "timing": {"instanceBoot": "60s", "agentRegistration": "15s"},
    "taskDefinitions": [{"family": "w", "containerDefinitions": [{"name": "x", "image": "x", "memory": 64}]}],
    "timeline": [{"at": "2m", "action": "RunTask", "input": {"taskDefinition": "w"}},
                 {"at": "3m", "action": "RunTask", "input": {"taskDefinition": "w"}}]})");
  auto states = run.of_type("ECS Container Instance State Change");
  REQUIRE(states.size() == 2);
  CHECK(states[0]->detail["status"] == "REGISTERING");
  CHECK(to_seconds(states[0]->time) == 120);
  CHECK(states[1]->detail["status"] == "ACTIVE");
  CHECK(to_seconds(states[1]->time) == 135);
  // At 2m the instance is still registering: no instance can take the task.
  CHECK(run.of_type("ecsim API Call Failure").size() == 1);
  CHECK(run.summary["tasks"]["started"] == 1);
}

TEST_CASE("TerminateInstance stops the instance's tasks at once and frees nothing twice") {
  auto run = run_text(scenario(kWeb, R"([
      {"at": 0, "action": "RunTask", "input": {"taskDefinition": "web", "count": 3}},
      {"at": "2m", "action": "TerminateInstance", "input": {"instanceId": "i-00000000000000001"}},
      {"at": "3m", "action": "RunTask", "input": {"taskDefinition": "web"}}])"));
  for (std::uint64_t t = 1; t <= 3; ++t) {
    auto ev = run.task_events(t);
    CHECK(ev.back()->detail["lastStatus"] == "STOPPED");
    CHECK(to_seconds(ev.back()->time) == 120);
    CHECK(ev.back()->detail["stopCode"] == "TerminationNotice");
  }
  CHECK(run.summary["tasks"]["byStopCode"]["TerminationNotice"] == 3);
  CHECK(run.summary["containerInstances"]["byStatus"]["INACTIVE"] == 1);
  // With its only instance gone, the cluster cannot take the task at 3m.
  CHECK(run.of_type("ecsim API Call Failure").size() == 1);
}

TEST_CASE("Fargate tasks spread across the cluster's zones (ecs-reference 4.1)") {
  auto run = run_text(R"({"duration": "10m",
    "cluster": {"availabilityZones": ["z1", "z2", "z3"]},
    "taskDefinitions": [{"family": "f", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
      "cpu": "256", "memory": "512", "containerDefinitions": [{"name": "x", "image": "x"}]}],
    "timeline": [{"at": 0, "action": "RunTask", "input": {"taskDefinition": "f", "count": 9, "launchType": "FARGATE"}}]})");
  std::map<std::string, int> per_zone;
  for (std::uint64_t t = 1; t <= 9; ++t) {
    auto ev = run.task_events(t);
    REQUIRE_FALSE(ev.empty());
    CHECK(ev[0]->detail["lastStatus"] == "PROVISIONING");
    CHECK(ev[0]->detail["launchType"] == "FARGATE");
    ++per_zone[ev[0]->detail["availabilityZone"].get<std::string>()];
  }
  CHECK(per_zone == std::map<std::string, int>{{"z1", 3}, {"z2", 3}, {"z3", 3}});
}

TEST_CASE("a Fargate RunTask with a definition that cannot run on Fargate is rejected") {
  auto run = run_text(R"({"duration": "10m", "cluster": {"availabilityZones": ["z1"]},
    "taskDefinitions": [{"family": "b", "containerDefinitions": [{"name": "x", "image": "x", "memory": 64}]}],
    "timeline": [{"at": 0, "action": "RunTask", "input": {"taskDefinition": "b", "launchType": "FARGATE"}}]})");
  auto failures = run.of_type("ecsim API Call Failure");
  REQUIRE(failures.size() == 1);
  CHECK(failures[0]->detail["failures"][0]["detail"] ==
        "Task definition does not support launch_type FARGATE.");
}

TEST_CASE("the same scenario and seed give the same events; events are in time order") {
  const std::string text = scenario(
      kWeb, R"([{"at": 0, "action": "RunTask", "input": {"taskDefinition": "web", "count": 5}}])");
  auto a = run_text(text);
  auto b = run_text(text);
  REQUIRE(a.events.size() == b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    CHECK(to_json_line(a.events[i]) == to_json_line(b.events[i]));
    if (i) CHECK(a.events[i].time >= a.events[i - 1].time);
  }
}

TEST_CASE(
    "ecs-reference 2.4: awsvpc and Fargate tasks get their own ENI in their zone's subnet, "
    "with a unique address, released at STOPPED") {
  auto run = run_text(R"({"duration": "10m", "cluster": {"availabilityZones": ["z1", "z2"]},
    "taskDefinitions": [{"family": "f", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
      "cpu": "256", "memory": "512", "containerDefinitions": [{"name": "x", "image": "x"}]}],
    "timeline": [{"at": 0, "action": "RunTask", "input": {"taskDefinition": "f", "count": 4, "launchType": "FARGATE"}},
                 {"at": "5m", "action": "StopTask", "input": {"group": "family:f", "count": 4}}]})");
  std::set<std::string> addresses;
  for (std::uint64_t t = 1; t <= 4; ++t) {
    auto ev = run.task_events(t);
    const auto& first = ev.front()->detail;
    REQUIRE(first.contains("attachments"));
    const auto& eni = first["attachments"][0];
    CHECK(eni["type"] == "eni");
    CHECK(eni["details"][0]["value"] == "subnet-" + first["availabilityZone"].get<std::string>());
    addresses.insert(eni["details"][2]["value"].get<std::string>());
    CHECK(ev.back()->detail["attachments"][0]["status"] == "DELETED");
  }
  CHECK(addresses.size() == 4);
}
