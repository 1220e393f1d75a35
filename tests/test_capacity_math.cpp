// Capacity provider arithmetic (ecs-reference 8.1 strategies, 8.3 managed scaling) and the
// loader's checks of capacity providers, strategies and Auto Scaling groups.
#include <doctest/doctest.h>

#include "ecsim/capacity_provider.hpp"
#include "ecsim/instance_types.hpp"

#include "support/run_helpers.hpp"

namespace {

using ecsim::StrategyShare;
using Json = nlohmann::json;

std::vector<int> split(std::vector<StrategyShare> items, int n) {
  return ecsim::split_by_strategy(items, n);
}

}  // namespace

TEST_CASE("8.1: the documented weight examples") {
  // "for every 1 task on A, 4 tasks will run on B".
  CHECK(split({{0, 1}, {0, 4}}, 5) == std::vector<int>{1, 4});
  CHECK(split({{0, 1}, {0, 4}}, 50) == std::vector<int>{10, 40});
  // Two providers with weight 1: an even split.
  CHECK(split({{0, 1}, {0, 1}}, 10) == std::vector<int>{5, 5});
  // A weight of 0 places no task.
  CHECK(split({{0, 0}, {0, 3}}, 7) == std::vector<int>{0, 7});
}

TEST_CASE("8.1: the base is met first, then the weights share the rest") {
  // FARGATE base 2 weight 1, FARGATE_SPOT weight 3 (scenarios/capacity-fargate-spot.json).
  CHECK(split({{2, 1}, {0, 3}}, 1) == std::vector<int>{1, 0});
  CHECK(split({{2, 1}, {0, 3}}, 2) == std::vector<int>{2, 0});
  CHECK(split({{2, 1}, {0, 3}}, 10) == std::vector<int>{4, 6});
  // The base on the second provider.
  CHECK(split({{0, 1}, {3, 1}}, 3) == std::vector<int>{0, 3});
  CHECK(split({{0, 1}, {3, 1}}, 7) == std::vector<int>{2, 5});
}

TEST_CASE("8.1 [INFERRED]: remainders go to the largest deficit, ties to the first listed") {
  CHECK(split({{0, 1}, {0, 1}}, 1) == std::vector<int>{1, 0});
  CHECK(split({{0, 1}, {0, 1}}, 3) == std::vector<int>{2, 1});
  CHECK(split({{0, 1}, {0, 1}, {0, 1}}, 4) == std::vector<int>{2, 1, 1});
  // At every step no provider is more than one task from its exact share.
  std::vector<StrategyShare> items{{0, 2}, {0, 3}, {0, 5}};
  std::vector<int> counts(3, 0);
  for (int n = 1; n <= 100; ++n) {
    ++counts[ecsim::next_provider(items, counts)];
    for (std::size_t i = 0; i < 3; ++i)
      CHECK(std::abs(counts[i] - n * items[i].weight / 10.0) < 1.0);
  }
}

TEST_CASE("shedding tasks retraces the launch order backwards") {
  const std::vector<std::vector<StrategyShare>> strategies = {
      {{0, 1}, {0, 4}}, {{2, 1}, {0, 3}}, {{0, 1}, {0, 1}, {0, 1}}, {{0, 2}, {5, 1}}};
  for (const auto& items : strategies)
    for (int n = 1; n <= 40; ++n) {
      std::vector<int> counts = split(items, n);
      auto shed = ecsim::provider_to_shed(items, counts);
      REQUIRE(shed.has_value());
      --counts[*shed];
      CHECK(counts == split(items, n - 1));
    }
  CHECK_FALSE(ecsim::provider_to_shed(std::vector<StrategyShare>{{0, 1}}, std::vector<int>{0}));
}

TEST_CASE("8.3: CapacityProviderReservation = M / N x 100") {
  CHECK(ecsim::capacity_provider_reservation(3, 2) == 150.0);
  CHECK(ecsim::capacity_provider_reservation(8, 10) == 80.0);
  CHECK(ecsim::capacity_provider_reservation(10, 10) == 100.0);
  // No instance: 200 when some are needed, 100 when none is.
  CHECK(ecsim::capacity_provider_reservation(4, 0) == 200.0);
  CHECK(ecsim::capacity_provider_reservation(0, 0) == 100.0);
  // Target tracking: the instances that bring the metric to targetCapacity.
  CHECK(ecsim::instances_for_target(9, 100) == 9);
  CHECK(ecsim::instances_for_target(9, 90) == 10);  // 9 / 10 = 90 %
  CHECK(ecsim::instances_for_target(4, 50) == 8);
  CHECK(ecsim::instances_for_target(0, 75) == 0);
  // The step: at least minimumScalingStepSize, at most maximumScalingStepSize.
  CHECK(ecsim::scale_out_step(1, 3, 10) == 3);
  CHECK(ecsim::scale_out_step(7, 3, 10) == 7);
  CHECK(ecsim::scale_out_step(25, 3, 10) == 10);
}

TEST_CASE("8.3: instances needed for waiting tasks, by identical footprint") {
  ecsim::InstanceCatalog catalog;
  const auto large = ecsim::capacity_of(*catalog.find("c5.xlarge"), 0, false);  // 4 vCPU, 8 GiB
  const auto small = ecsim::capacity_of(*catalog.find("c5.large"), 0, false);   // 2 vCPU, 4 GiB
  ecsim::TaskFootprint api;
  api.cpu = 1024;
  api.memory_mib = 1536;
  CHECK(ecsim::tasks_per_instance(api, large) == 4);
  CHECK(ecsim::tasks_per_instance(api, small) == 2);
  std::vector<ecsim::TaskFootprint> waiting(10, api);
  CHECK(ecsim::instances_needed_for(waiting, large, small) == 3);  // ceil(10 / 4)
  // Groups may share instances: the estimate is the largest group's (a lower bound).
  ecsim::TaskFootprint worker;
  worker.cpu = 256;
  worker.memory_mib = 512;
  for (int i = 0; i < 14; ++i)
    waiting.push_back(worker);  // 14 per instance by memory: one instance
  CHECK(ecsim::instances_needed_for(waiting, large, small) == 3);
  // A static host port allows one task per instance.
  ecsim::TaskFootprint port80 = worker;
  port80.static_tcp_ports = {80};
  CHECK(ecsim::instances_needed_for(std::vector<ecsim::TaskFootprint>(5, port80), large, small) ==
        5);
  // awsvpc tasks are limited by ENI slots (c5.xlarge: 3 without trunking).
  ecsim::TaskFootprint eni = worker;
  eni.network_mode = ecsim::NetworkMode::kAwsvpc;
  eni.needs_eni = true;
  CHECK(ecsim::instances_needed_for(std::vector<ecsim::TaskFootprint>(7, eni), large, small) ==
        (7 + large.eni_slots - 1) / large.eni_slots);
  // Tasks that do not fit the smallest type are ignored.
  ecsim::TaskFootprint huge = api;
  huge.memory_mib = 6000;  // fits c5.xlarge, not c5.large
  CHECK(ecsim::instances_needed_for(std::vector<ecsim::TaskFootprint>(3, huge), large, small) == 0);
}

namespace {

Json capacity_scenario() {
  return Json::parse(R"({
    "duration": "10m",
    "cluster": {"availabilityZones": ["us-east-1a", "us-east-1b"],
      "capacityProviders": [
        {"name": "web-cp", "autoScalingGroupProvider": {"autoScalingGroupArn": "web-asg",
          "managedScaling": {"status": "ENABLED"}}},
        "FARGATE", "FARGATE_SPOT"],
      "defaultCapacityProviderStrategy": [{"capacityProvider": "web-cp", "weight": 1}]},
    "autoScalingGroups": [{"AutoScalingGroupName": "web-asg", "MinSize": 0, "MaxSize": 4,
                           "InstanceType": "m5.large"}],
    "taskDefinitions": [{"family": "web", "containerDefinitions": [
      {"name": "web", "image": "web", "cpu": 256, "memory": 512}]}],
    "services": [{"serviceName": "web", "taskDefinition": "web", "desiredCount": 2}]
  })");
}

bool has(const std::string& error, const std::string& text) {
  const bool found = error.find(text) != std::string::npos;
  if (!found) MESSAGE(error);
  return found;
}

}  // namespace

TEST_CASE("a valid capacity provider scenario loads, and services take the cluster default") {
  const auto s = ecsim::load_scenario_text(capacity_scenario().dump());
  REQUIRE(s.services.size() == 1);
  CHECK(s.services[0].launch_type.empty());
  REQUIRE(s.services[0].capacity_provider_strategy.size() == 1);
  CHECK(s.services[0].capacity_provider_strategy[0].capacity_provider == "web-cp");
  CHECK(s.cluster.capacity_providers[0].managed_scaling.target_capacity == 100);
  CHECK(s.cluster.capacity_providers[0].managed_scaling.instance_warmup == ecsim::seconds(300));
  CHECK(s.cluster.capacity_providers[0].managed_draining);
  CHECK(s.auto_scaling_groups[0].availability_zones.size() == 2);  // the cluster's
  // A launch type keeps the service off the default strategy.
  Json j = capacity_scenario();
  j["services"][0]["launchType"] = "EC2";
  CHECK(ecsim::load_scenario_text(j.dump()).services[0].capacity_provider_strategy.empty());
}

TEST_CASE("8.1: strategy rules are checked with JSON Pointers") {
  using ecsim::testing::load_error;
  Json j = capacity_scenario();
  j["services"][0]["capacityProviderStrategy"] = {
      {{"capacityProvider", "FARGATE"}, {"base", 1}, {"weight", 0}},
      {{"capacityProvider", "FARGATE_SPOT"}, {"base", 1}, {"weight", 0}}};
  std::string e = load_error(j);
  CHECK(has(e,
            "/services/0/capacityProviderStrategy: only one capacity provider in a strategy "
            "can have a base"));
  CHECK(has(e,
            "/services/0/capacityProviderStrategy: at least one capacity provider needs a "
            "weight above 0"));

  j = capacity_scenario();
  j["services"][0]["capacityProviderStrategy"] = {{{"capacityProvider", "web-cp"}, {"weight", 1}},
                                                  {{"capacityProvider", "FARGATE"}, {"weight", 1}}};
  CHECK(has(load_error(j),
            "/services/0/capacityProviderStrategy: a strategy holds either Auto "
            "Scaling group providers or FARGATE/FARGATE_SPOT, not both"));

  j = capacity_scenario();
  j["services"][0]["capacityProviderStrategy"] = {{{"capacityProvider", "web-pc"}, {"weight", 1}}};
  CHECK(has(load_error(j),
            "/services/0/capacityProviderStrategy/0/capacityProvider: capacity "
            "provider \"web-pc\" is not associated with the cluster"));
  CHECK(has(load_error(j), "did you mean \"web-cp\"?"));

  j = capacity_scenario();
  j["services"][0]["launchType"] = "FARGATE";
  j["services"][0]["capacityProviderStrategy"] = {{{"capacityProvider", "FARGATE"}, {"weight", 1}}};
  CHECK(has(load_error(j),
            "/services/0/capacityProviderStrategy: a launchType and a "
            "capacityProviderStrategy cannot both be given"));

  j = capacity_scenario();
  j["services"][0]["capacityProviderStrategy"] = Json::array();
  for (const char* p : {"FARGATE", "FARGATE_SPOT", "web-cp", "a", "b", "c", "d"})
    j["services"][0]["capacityProviderStrategy"].push_back({{"capacityProvider", p}});
  CHECK(has(load_error(j), "/services/0/capacityProviderStrategy"));
}

TEST_CASE("capacity providers and Auto Scaling groups are checked with JSON Pointers") {
  using ecsim::testing::load_error;
  Json j = capacity_scenario();
  j["cluster"]["capacityProviders"][0]["name"] = "ecs-web";
  j["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"]["autoScalingGroupArn"] =
      "web-asgg";
  j["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"]["managedScaling"]
   ["targetCapacity"] = 0;
  j["cluster"]["capacityProviders"].push_back("FARGATE_SPOTS");
  j["autoScalingGroups"][0]["DesiredCapacity"] = 9;
  j["autoScalingGroups"][0]["InstanceType"] = "m5.lage";
  j["cluster"]["defaultCapacityProviderStrategy"] = Json::array();
  const std::string e = load_error(j);
  CHECK(has(e,
            "/cluster/capacityProviders/0/name: \"ecs-web\" is not a valid capacity provider "
            "name"));
  CHECK(has(e,
            "/cluster/capacityProviders/0/autoScalingGroupProvider/managedScaling/"
            "targetCapacity"));
  CHECK(has(e,
            "/cluster/capacityProviders/3: \"FARGATE_SPOTS\": a name alone can only be "
            "FARGATE or FARGATE_SPOT"));
  CHECK(has(e,
            "/autoScalingGroups/0/DesiredCapacity: must be between MinSize (0) and MaxSize "
            "(4)"));
  CHECK(has(e,
            "/autoScalingGroups/0/InstanceType: unknown instance type \"m5.lage\"; did you "
            "mean \"m5.large\"?"));

  j = capacity_scenario();
  j["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"]["autoScalingGroupArn"] =
      "web-asgg";
  CHECK(has(load_error(j),
            "/cluster/capacityProviders/0/autoScalingGroupProvider/"
            "autoScalingGroupArn: no Auto Scaling group \"web-asgg\" in "
            "autoScalingGroups; did you mean \"web-asg\"?"));
  // An ARN names the group too.
  j["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"]["autoScalingGroupArn"] =
      "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0000:autoScalingGroupName/"
      "web-asg";
  CHECK(load_error(j).empty());

  j = capacity_scenario();
  j["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"]["managedTerminationProtection"] =
      "ENABLED";
  j["cluster"]["capacityProviders"][0]["autoScalingGroupProvider"]["managedScaling"]["status"] =
      "DISABLED";
  CHECK(has(load_error(j),
            "/cluster/capacityProviders/0/autoScalingGroupProvider/"
            "managedTerminationProtection: needs managed scaling"));

  j = capacity_scenario();
  j["timeline"] = {{{"at", "1m"},
                    {"action", "SetDesiredCapacity"},
                    {"input", {{"AutoScalingGroupName", "web-asg"}, {"DesiredCapacity", 5}}}},
                   {{"at", "2m"},
                    {"action", "SetDesiredCapacity"},
                    {"input", {{"AutoScalingGroupName", "web"}, {"DesiredCapacity", 1}}}},
                   {{"at", "3m"},
                    {"action", "InterruptSpotTasks"},
                    {"input", {{"availabilityZone", "us-east-1z"}}}}};
  const std::string t = load_error(j);
  CHECK(has(t,
            "/timeline/0/input/DesiredCapacity: must be between the group's MinSize (0) and "
            "MaxSize (4)"));
  CHECK(has(t, "/timeline/1/input/AutoScalingGroupName: no Auto Scaling group \"web\""));
  CHECK(has(t, "/timeline/2/input/availabilityZone: no availability zone \"us-east-1z\""));
}
