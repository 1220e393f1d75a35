// ecsim's infrastructure faults: an availability zone failing and recovering, an agent
// disconnecting, traffic rate changes. Their effects must follow from the model (placement,
// health checks, the scheduler), never from a scripted result.
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/scenario_error.hpp"
#include "ecsim/simulation.hpp"

namespace {

using Json = nlohmann::json;

Json base() {
  std::ifstream in(ECSIM_SOURCE_DIR "/scenarios/fault-az-outage.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str());
}

struct FaultRun {
  std::vector<ecsim::EventRecord> events;
  ecsim::MetricsTable metrics;
};

FaultRun run(const Json& scenario) {
  FaultRun out;
  ecsim::RunOptions options;
  options.check_invariants = true;
  ecsim::Simulation sim(ecsim::load_scenario_text(scenario.dump()), options);
  sim.on_event().connect([&](const ecsim::EventRecord& e) { out.events.push_back(e); });
  sim.run();
  out.metrics = sim.metrics();
  return out;
}

std::string load_error(const Json& scenario) {
  try {
    (void)ecsim::load_scenario_text(scenario.dump());
  } catch (const ecsim::ScenarioError& e) {
    return e.what();
  }
  return "";
}

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
  const FaultRun r = run(s);
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
  const FaultRun r = run(base());
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
  const FaultRun r = run(s);
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
