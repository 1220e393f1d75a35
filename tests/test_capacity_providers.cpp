// Capacity providers in whole runs (ecs-reference 8): strategies splitting a service's tasks,
// Fargate Spot interruptions with the two-minute warning, Fargate's launch rate, and cluster auto
// scaling (tasks waiting in PROVISIONING, CapacityProviderReservation, scale-out steps, warm-up,
// fifteen-minute scale-in, managed termination protection and draining, SetDesiredCapacity).
#include <cmath>
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "support/run_helpers.hpp"

namespace {

using Json = nlohmann::json;
using ecsim::testing::Run;

Run run(const Json& scenario) {
  return ecsim::testing::run_scenario(ecsim::load_scenario_text(scenario.dump()));
}

double seconds(const ecsim::EventRecord& e) {
  return ecsim::to_seconds(e.time);
}

// Fargate service behind nothing: the shipped Spot scenario without its load balancer.
Json fargate_scenario() {
  Json s = ecsim::testing::scenario_json("capacity-fargate-spot");
  s.erase("targetGroups");
  s.erase("loadBalancers");
  s.erase("traffic");
  s["services"][0].erase("loadBalancers");
  s["services"][0].erase("healthCheckGracePeriodSeconds");
  s["fargate"] = Json::object();
  s["timeline"] = Json::array();
  return s;
}

// The providers of the tasks that are RUNNING (and meant to) at the end of the run.
std::map<std::string, int> running_by_provider(const Run& r) {
  std::map<std::string, std::pair<std::string, std::string>> last;  // arn -> status, provider
  for (const auto* e : r.of_type("ECS Task State Change"))
    last[e->detail["taskArn"]] = {
        e->detail["lastStatus"].get<std::string>() + e->detail["desiredStatus"].get<std::string>(),
        e->detail.value("capacityProviderName", "")};
  std::map<std::string, int> out;
  for (const auto& [arn, v] : last)
    if (v.first == "RUNNINGRUNNING") ++out[v.second];
  return out;
}

// An Auto Scaling group provider with managed scaling, and a service of 1 vCPU / 1.5 GiB tasks
// (four to a c5.xlarge).
Json cas_scenario() {
  return Json::parse(R"({
    "duration": "40m", "seed": 3,
    "cluster": {"availabilityZones": ["us-east-1a", "us-east-1b"],
      "capacityProviders": [
        {"name": "cp", "autoScalingGroupProvider": {"autoScalingGroupArn": "asg",
          "managedScaling": {"status": "ENABLED", "targetCapacity": 100, "instanceWarmupPeriod": 120},
          "managedTerminationProtection": "ENABLED"}}],
      "defaultCapacityProviderStrategy": [{"capacityProvider": "cp", "weight": 1}]},
    "autoScalingGroups": [{"AutoScalingGroupName": "asg", "MinSize": 0, "MaxSize": 10,
                           "DesiredCapacity": 0, "InstanceType": "c5.xlarge"}],
    "taskDefinitions": [{"family": "api", "containerDefinitions": [
      {"name": "api", "image": "api", "cpu": 1024, "memory": 1536, "ecsim": {"imageSizeMiB": 100}}]}],
    "services": [{"serviceName": "api", "taskDefinition": "api", "desiredCount": 10}]
  })");
}

std::vector<const ecsim::EventRecord*> scaling_activities(const Run& r) {
  return r.of_type("ecsim Managed Scaling Activity");
}

}  // namespace

TEST_CASE("8.1: a service's tasks follow its strategy's base and weights") {
  const Run r = run(fargate_scenario());
  // desiredCount 10: FARGATE base 2, then 1 : 3.
  const auto by = running_by_provider(r);
  CHECK(by.at("FARGATE") == 4);
  CHECK(by.at("FARGATE_SPOT") == 6);
  for (const auto* e : r.of_type("ECS Task State Change"))
    CHECK(e->detail["launchType"] == "FARGATE");
  // Fargate Spot is billed at the Spot discount.
  CHECK(r.summary["cost"]["fargateSpotUsd"].get<double>() > 0);
  CHECK(r.summary["cost"]["fargateSpotUsd"].get<double>() <
        r.summary["cost"]["fargateUsd"].get<double>() * 6 / 4 * 0.31);
}

TEST_CASE("8.1 [INFERRED]: scaling in gives up tasks where they exceed their share") {
  Json s = fargate_scenario();
  s["timeline"] = {{{"at", "5m"},
                    {"action", "UpdateService"},
                    {"input", {{"service", "web"}, {"desiredCount", 6}}}}};
  const auto by = running_by_provider(run(s));
  // The same split as launching six: base 2, then 1 : 3 of the other four.
  CHECK(by.at("FARGATE") == 3);
  CHECK(by.at("FARGATE_SPOT") == 3);
}

TEST_CASE("8.2: a Spot interruption is a two-minute warning, then the capacity is gone") {
  Json s = fargate_scenario();
  // The app takes 3 minutes to exit after SIGTERM, longer than the warning.
  s["taskDefinitions"][0]["containerDefinitions"][0]["stopTimeout"] = 120;
  s["taskDefinitions"][0]["containerDefinitions"][0]["ecsim"]["stopDuration"] = "3m";
  s["timeline"] = {
      {{"at", "10m"},
       {"action", "InterruptSpotTasks"},
       {"input", {{"availabilityZone", "us-east-1b"}, {"capacityUnavailableFor", "5m"}}}}};
  const Run r = run(s);
  std::map<std::string, double> warned, stopped;
  std::map<std::string, std::string> zone, provider;
  for (const auto* e : r.of_type("ECS Task State Change")) {
    const std::string arn = e->detail["taskArn"];
    zone[arn] = e->detail["availabilityZone"];
    provider[arn] = e->detail.value("capacityProviderName", "");
    if (e->detail.value("stopCode", "") != "SpotInterruption") continue;
    CHECK(e->detail["stoppedReason"] == "Your Spot Task was interrupted.");
    if (!warned.count(arn)) warned[arn] = seconds(*e);
    if (e->detail["lastStatus"] == "STOPPED") stopped[arn] = seconds(*e);
  }
  REQUIRE(!warned.empty());
  for (const auto& [arn, t] : warned) {
    CHECK(t == 600);
    CHECK(zone[arn] == "us-east-1b");
    CHECK(provider[arn] == "FARGATE_SPOT");
    // Reclaimed when the warning runs out, though the app would take longer.
    CHECK(stopped.at(arn) == doctest::Approx(720));
  }
  // Replacements go to Spot in the zones that still have it.
  int replacements = 0;
  for (const auto* e : r.of_type("ECS Task State Change"))
    if (e->detail["lastStatus"] == "PROVISIONING" && seconds(*e) >= 600 && seconds(*e) < 900) {
      ++replacements;
      CHECK(e->detail["capacityProviderName"] == "FARGATE_SPOT");
      CHECK(e->detail["availabilityZone"] != "us-east-1b");
    }
  CHECK(replacements == static_cast<int>(warned.size()));
  CHECK(r.summary["capacity"]["spotInterruptions"] == warned.size());
}

TEST_CASE("8.2: random Spot interruptions arrive as a Poisson process per zone") {
  Json s = fargate_scenario();
  s["duration"] = "20h";
  s["services"][0]["desiredCount"] = 60;
  s["fargate"] = {{"spotInterruptionsPerHourPerZone", 3}, {"spotTasksPerInterruption", 1}};
  const Run r = run(s);
  // 3 zones x 3 an hour x 20 h = 180 expected; each reclaims one task, and 45 Spot tasks are
  // always there to take.
  const double n = r.summary["capacity"]["spotInterruptions"].get<double>();
  CHECK(std::abs(n - 180) < 5 * std::sqrt(180.0));
}

TEST_CASE("8.2: Fargate launches follow the token bucket (burst 100, then 20 a second)") {
  Json s = fargate_scenario();
  s["cluster"]["defaultCapacityProviderStrategy"] = {
      {{"capacityProvider", "FARGATE"}, {"weight", 1}}};
  s["services"][0]["desiredCount"] = 400;
  s["limits"] = {{"maxTasks", 1000}};
  const Run r = run(s);
  std::vector<double> created;
  for (const auto* e : r.of_type("ECS Task State Change"))
    if (e->detail["lastStatus"] == "PROVISIONING" && e->detail["desiredStatus"] == "RUNNING")
      created.push_back(seconds(*e));
  std::sort(created.begin(), created.end());
  created.erase(std::unique(created.begin(), created.end()), created.end());
  std::map<double, int> by_time;
  for (const auto* e : r.of_type("ECS Task State Change"))
    if (e->detail["lastStatus"] == "PROVISIONING") ++by_time[seconds(*e)];
  int total = 0;
  for (const auto& [t, n] : by_time) {
    total += n;
    CHECK(total <= 100 + 20 * t + 1e-9);
  }
  CHECK(total == 400);
  CHECK(by_time.begin()->second == 100);
  // The last of 400 launches comes at 300 / 20 = 15 s.
  CHECK(by_time.rbegin()->first == doctest::Approx(15).epsilon(0.01));
  CHECK(r.summary["capacity"]["fargateLaunchesThrottled"].get<int>() > 0);
}

TEST_CASE("8.2: a RunTask call without enough launch tokens is throttled as a whole") {
  Json s = fargate_scenario();
  s["services"] = Json::array();
  s["fargate"] = {{"launchBurst", 5}, {"launchRatePerSecond", 1}};
  s["timeline"] = {
      {{"at", "1m"},
       {"action", "RunTask"},
       {"input", {{"taskDefinition", "web"}, {"count", 10}, {"launchType", "FARGATE"}}}},
      {{"at", "2m"},
       {"action", "RunTask"},
       {"input", {{"taskDefinition", "web"}, {"count", 5}, {"launchType", "FARGATE"}}}}};
  const Run r = run(s);
  const auto failures = r.of_type("ecsim API Call Failure");
  REQUIRE(failures.size() == 1);
  CHECK(seconds(*failures[0]) == 60);
  CHECK(failures[0]->detail["failures"][0]["reason"] == "ThrottlingException");
  CHECK(r.summary["tasks"]["started"] == 5);
}

TEST_CASE("8.3: tasks wait in PROVISIONING until managed scaling has added instances") {
  const Run r = run(cas_scenario());
  const auto acts = scaling_activities(r);
  REQUIRE(!acts.empty());
  // First evaluation at 1 minute: no instance, ten tasks waiting: CPR 200, M = ceil(10 / 4).
  CHECK(seconds(*acts[0]) == 60);
  CHECK(acts[0]->detail["capacityProviderReservation"] == 200.0);
  CHECK(acts[0]->detail["instancesNeeded"] == 3);
  CHECK(acts[0]->detail["toDesiredCapacity"] == 3);
  CHECK(r.of_type("EC2 Instance Launch Successful").size() == 3);
  // Boot 60 s and registration 15 s after the launch: no task leaves PROVISIONING before 135 s.
  double first_pending = 1e9;
  for (const auto* e : r.of_type("ECS Task State Change")) {
    if (seconds(*e) < 60) CHECK(e->detail["lastStatus"] == "PROVISIONING");
    if (e->detail["lastStatus"] == "PENDING") first_pending = std::min(first_pending, seconds(*e));
  }
  CHECK(first_pending == doctest::Approx(135));
  CHECK(r.summary["services"]["api"]["runningCount"] == 10);
  CHECK(r.summary["capacity"]["capacityProviders"]["cp"]["autoScalingGroup"]["desiredCapacity"] ==
        3);
}

TEST_CASE("8.3: the step is capped at maximumScalingStepSize and waits for the warm-up") {
  Json s = cas_scenario();
  s["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"]["managedScaling"]
   ["maximumScalingStepSize"] = 2;
  const Run r = run(s);
  const auto acts = scaling_activities(r);
  REQUIRE(acts.size() >= 2);
  CHECK(acts[0]->detail["toDesiredCapacity"] == 2);
  // Two instances hold 8 tasks; 2 still wait: one more instance, once the first two are past
  // their 120 s warm-up (launched at 60 s, so from 180 s).
  CHECK(seconds(*acts[1]) == 180);
  CHECK(acts[1]->detail["instancesRunning"] == 2);
  CHECK(acts[1]->detail["instancesNeeded"] == 3);
  CHECK(acts[1]->detail["toDesiredCapacity"] == 3);
}

TEST_CASE("8.3: targetCapacity below 100 keeps spare instances") {
  Json s = cas_scenario();
  s["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"]["managedScaling"]
   ["targetCapacity"] = 50;
  // Binpacked, the tasks fill three instances and leave three empty. (Spread over six, every
  // instance would be busy and the reservation would stay above 50 %.)
  s["services"][0]["placementStrategy"] = {{{"type", "binpack"}, {"field", "memory"}}};
  const Run r = run(s);
  // Three instances needed, run at 50 %: six.
  CHECK(scaling_activities(r).at(0)->detail["toDesiredCapacity"] == 6);
  const auto& group = r.summary["capacity"]["capacityProviders"]["cp"]["autoScalingGroup"];
  CHECK(group["desiredCapacity"] == 6);
}

TEST_CASE("8.3: scale-in after 15 low minutes, never of an instance that runs a task") {
  Json s = cas_scenario();
  s["duration"] = "1h";
  // A standalone task on the provider keeps one instance busy; the service goes away at 10m.
  s["timeline"] = {
      {{"at", "5m"}, {"action", "RunTask"}, {"input", {{"taskDefinition", "api"}, {"count", 1}}}},
      {{"at", "10m"},
       {"action", "UpdateService"},
       {"input", {{"service", "api"}, {"desiredCount", 0}}}}};
  const Run r = run(s);
  std::vector<const ecsim::EventRecord*> ins;
  for (const auto* e : scaling_activities(r))
    if (e->detail["action"] == "scale-in") ins.push_back(e);
  REQUIRE(!ins.empty());
  // The service's tasks are gone within a minute of 10m; the first low minute is 11m, so the
  // fifteenth is 25m.
  CHECK(seconds(*ins[0]) == 25 * 60);
  CHECK(ins[0]->detail["capacityProviderReservation"].get<double>() < 100);
  // The instance that runs the standalone task is never terminated.
  std::string busy_instance;
  for (const auto* e : r.of_type("ECS Task State Change"))
    if (e->detail["group"] == "family:api" && e->detail.contains("ec2InstanceId"))
      busy_instance = e->detail["ec2InstanceId"];
  REQUIRE(!busy_instance.empty());
  for (const auto* e : r.of_type("EC2 Instance Terminate Successful"))
    CHECK(e->detail["EC2InstanceId"] != busy_instance);
  CHECK(
      r.summary["capacity"]["capacityProviders"]["cp"]["autoScalingGroup"]["inServiceInstances"] ==
      1);
}

TEST_CASE("8.3: SetDesiredCapacity with managed draining drains, without it stops at once") {
  for (const bool draining : {true, false}) {
    CAPTURE(draining);
    Json s = cas_scenario();
    auto& provider = s["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"];
    provider["managedScaling"]["status"] = "DISABLED";
    provider["managedTerminationProtection"] = "DISABLED";
    provider["managedDraining"] = draining ? "ENABLED" : "DISABLED";
    s["autoScalingGroups"][0]["DesiredCapacity"] = 3;
    s["timeline"] = {{{"at", "10m"},
                      {"action", "SetDesiredCapacity"},
                      {"input", {{"AutoScalingGroupName", "asg"}, {"DesiredCapacity", 2}}}}};
    const Run r = run(s);
    const auto terms = r.of_type("EC2 Instance Terminate Successful");
    REQUIRE(terms.size() == 1);
    const std::string victim = terms[0]->detail["EC2InstanceId"];
    std::map<std::string, std::string> stop_code;
    for (const auto* e : r.of_type("ECS Task State Change"))
      if (e->detail.value("ec2InstanceId", "") == victim && e->detail["desiredStatus"] == "STOPPED")
        stop_code[e->detail["taskArn"]] = e->detail["stopCode"];
    REQUIRE(!stop_code.empty());
    for (const auto& [arn, code] : stop_code)
      CHECK(code == (draining ? "ServiceSchedulerInitiated" : "TerminationNotice"));
    bool saw_draining = false;
    for (const auto* e : r.of_type("ECS Container Instance State Change"))
      if (e->detail["ec2InstanceId"] == victim && e->detail["status"] == "DRAINING")
        saw_draining = true;
    CHECK(saw_draining == draining);
  }
}

TEST_CASE("8.3: a task that fits no instance type times out in PROVISIONING") {
  Json s = cas_scenario();
  s["taskDefinitions"][0]["containerDefinitions"][0]["memory"] = 30000;  // c5.xlarge: 8 GiB
  s["services"][0]["desiredCount"] = 1;
  s["timing"] = {{"capacityProvisioningTimeout", "10m"}};
  const Run r = run(s);
  CHECK(scaling_activities(r).empty());  // managed scaling ignores it
  const auto states = r.task_states(1);
  CHECK(states == std::vector<std::string>{"PROVISIONING", "STOPPED"});
  const auto events = r.task_events(1);
  CHECK(events.back()->detail["stopCode"] == "TaskFailedToStart");
  CHECK(seconds(*events.back()) == 600);
}

TEST_CASE("12: at most maxProvisioningTasks tasks wait for capacity at once") {
  Json s = cas_scenario();
  s["scheduler"] = {{"maxProvisioningTasks", 3}};
  const Run r = run(s);
  std::set<std::string> waiting_before_launch;
  for (const auto* e : r.of_type("ECS Task State Change"))
    if (seconds(*e) < 60) waiting_before_launch.insert(e->detail["taskArn"].get<std::string>());
  CHECK(waiting_before_launch.size() == 3);
  bool reported = false;
  for (const auto* e : r.of_type("ECS Service Action"))
    if (e->detail["eventName"] == "SERVICE_TASK_PLACEMENT_FAILURE" &&
        e->detail["reason"] == "CAPACITY")
      reported |= e->detail["message"].get<std::string>().find("(quota 3)") != std::string::npos;
  CHECK(reported);
  // Managed scaling sizes for the three waiting tasks (one c5.xlarge), and the service still
  // reaches ten tasks as instances arrive.
  CHECK(scaling_activities(r).at(0)->detail["instancesNeeded"] == 1);
  CHECK(r.summary["services"]["api"]["runningCount"] == 10);
}
