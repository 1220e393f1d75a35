// ecsim's infrastructure faults: an availability zone failing and recovering, an agent
// disconnecting, traffic rate changes. Their effects must follow from the model (placement,
// health checks, the scheduler), never from a scripted result.
#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

#include "support/run_helpers.hpp"

namespace {

using Json = nlohmann::json;

Json base() {
  return ecsim::testing::scenario_json("fault-az-outage");
}

ecsim::testing::Run run(const Json& scenario) {
  return ecsim::testing::run_scenario(ecsim::load_scenario_text(scenario.dump()));
}

using ecsim::testing::load_error;

double seconds(const ecsim::EventRecord& e) {
  return ecsim::to_seconds(e.time);
}

}  // namespace

TEST_CASE("a failed zone takes no tasks; its targets fail health checks and are replaced") {
  Json s = base();
  // After the zone recovers, scale out: the service's AZ spread puts tasks in us-east-1a again.
  s["timeline"].push_back({{"at", "35m"},
                           {"action", "UpdateService"},
                           {"input", {{"service", "web"}, {"desiredCount", 9}}}});
  const ecsim::testing::Run r = run(s);
  std::map<std::string, double> running_since, stopped_at;
  std::map<std::string, std::string> zone_of, stop_reason;
  int placed_in_a_during = 0, placed_in_a_after = 0;
  for (const auto& e : r.events) {
    if (e.detail_type == "ECS Container Instance State Change" &&
        e.detail["availabilityZone"] == "us-east-1a" && seconds(e) == 600)
      CHECK(e.detail["agentConnected"] == false);
    if (e.detail_type != "ECS Task State Change") continue;
    const std::string arn = e.detail["taskArn"];
    zone_of[arn] = e.detail["availabilityZone"];
    if (e.detail["lastStatus"] == "PROVISIONING" || e.detail["lastStatus"] == "PENDING") {
      if (zone_of[arn] == "us-east-1a" && seconds(e) >= 600 && seconds(e) < 1800)
        ++placed_in_a_during;
      if (zone_of[arn] == "us-east-1a" && seconds(e) >= 2100) ++placed_in_a_after;
    }
    if (e.detail["lastStatus"] == "RUNNING" && !running_since.count(arn))
      running_since[arn] = seconds(e);
    if (e.detail["lastStatus"] == "STOPPED") {
      stopped_at[arn] = seconds(e);
      stop_reason[arn] = e.detail["stoppedReason"];
    }
  }
  CHECK(placed_in_a_during == 0);
  CHECK(placed_in_a_after > 0);
  int replaced = 0;
  for (const auto& [arn, zone] : zone_of) {
    if (zone != "us-east-1a" || !running_since.count(arn) || running_since.at(arn) >= 600) continue;
    // Two failed checks 10 s apart after the failure, then deregistration and stop (9.3, 1.4).
    REQUIRE(stopped_at.count(arn));
    CHECK(stopped_at.at(arn) > 600);
    CHECK(stopped_at.at(arn) < 600 + 60);
    CHECK(stop_reason.at(arn) == "Task failed ELB health checks");
    ++replaced;
  }
  CHECK(replaced == 2);  // the service default spread put two of six tasks in each zone
  // Six tasks run in the other zones soon after the failure.
  int running_elsewhere = 0;
  for (const auto& [arn, since] : running_since)
    if (since < 660 && (!stopped_at.count(arn) || stopped_at.at(arn) > 1800) &&
        zone_of.at(arn) != "us-east-1a")
      ++running_elsewhere;
  CHECK(running_elsewhere == 6);
}

TEST_CASE("SetTrafficRate multiplies a source's rate for its window") {
  const ecsim::testing::Run r = run(base());
  std::size_t c = 0;
  while (r.metrics.metric_names[c] != "RequestCount")
    ++c;
  double before = 0, during = 0;
  for (const auto& row : r.metrics.rows) {
    if (row.entity_type != "loadBalancer") continue;
    if (row.t >= 2100 && row.t < 2400) before += row.values[c];
    if (row.t >= 2400 && row.t < 2700) during += row.values[c];
  }
  // Poisson at 120/s for 300 s: 36,000 expected; three times that during the spike.
  CHECK(before == doctest::Approx(36000).epsilon(0.03));
  CHECK(during == doctest::Approx(108000).epsilon(0.03));
}

TEST_CASE("a disconnected agent takes no new tasks until it reconnects") {
  Json s = base();
  s["timeline"] = {{{"at", "5m"},
                    {"action", "DisconnectAgent"},
                    {"input", {{"instanceId", "i-00000000000000001"}, {"duration", "10m"}}}},
                   {{"at", "6m"},
                    {"action", "UpdateService"},
                    {"input", {{"service", "web"}, {"desiredCount", 30}}}}};
  s["cluster"]["containerInstances"][0]["count"] = 1;
  const ecsim::testing::Run r = run(s);
  int during = 0, after = 0;
  for (const auto& e : r.events) {
    if (e.detail_type != "ECS Task State Change" || e.detail["lastStatus"] != "PENDING") continue;
    if (!e.detail.contains("containerInstanceArn")) continue;
    const std::string ci = e.detail["containerInstanceArn"];
    const bool first = ci.ends_with("/00000000000000000000000000000001");
    if (first && seconds(e) >= 300 && seconds(e) < 900) ++during;
    if (first && seconds(e) >= 900) ++after;
  }
  CHECK(during == 0);
  CHECK(after > 0);
}

TEST_CASE("fault inputs are checked with JSON Pointers") {
  Json s = base();
  s["timeline"][0]["input"]["availabilityZone"] = "us-east-1d";
  s["timeline"][1]["input"]["source"] = "user";
  const std::string e = load_error(s);
  CHECK(e.find("/timeline/0/input/availabilityZone: no availability zone \"us-east-1d\"") !=
        std::string::npos);
  CHECK(e.find("/timeline/1/input/source: no traffic source \"user\"; did you mean \"users\"?") !=
        std::string::npos);
}
