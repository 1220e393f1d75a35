// Every scenario in scenarios/ runs with invariant checks on, twice with identical results, and its
// event stream obeys the task state machine (ecs-reference 1.1, 1.2). The placement-* scenarios
// share one cluster and workload, so their outcomes can be compared strategy against strategy
// (4.2).
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "support/run_helpers.hpp"

using namespace ecsim;
using ecsim::testing::Run;
using ecsim::testing::run_scenario;

namespace {

std::vector<std::filesystem::path> scenario_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(ECSIM_SOURCE_DIR "/scenarios"))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

int rank(const std::string& state) {
  static const std::vector<std::string> order = {"PROVISIONING",   "PENDING",      "ACTIVATING",
                                                 "RUNNING",        "DEACTIVATING", "STOPPING",
                                                 "DEPROVISIONING", "STOPPED"};
  const auto it = std::find(order.begin(), order.end(), state);
  return it == order.end() ? -1 : static_cast<int>(it - order.begin());
}

Run run_file(const std::filesystem::path& p) {
  return run_scenario(load_scenario_file(p));
}

// Where each task of `group` was placed: task ARN -> (instance ARN, zone).
std::map<std::string, std::pair<std::string, std::string>> placements(const Run& run,
                                                                      const std::string& group) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const auto* e : run.of_type("ECS Task State Change"))
    if (e->detail["group"] == group && e->detail.contains("containerInstanceArn"))
      out[e->detail["taskArn"]] = {e->detail["containerInstanceArn"],
                                   e->detail["availabilityZone"]};
  return out;
}

// Tasks of `group` per instance among the tasks live at the end of the run's first minute.
std::map<std::string, int> per_instance_at_first_minute(const Run& run, const std::string& group) {
  std::map<std::string, int> count;
  for (const auto* e : run.of_type("ECS Task State Change"))
    if (e->detail["group"] == group && to_seconds(e->time) <= 60 &&
        e->detail["lastStatus"] == "PENDING")
      ++count[e->detail["containerInstanceArn"]];
  return count;
}

}  // namespace

TEST_CASE("every scenario runs twice with identical events and a legal state machine") {
  const auto files = scenario_files();
  REQUIRE(files.size() >= 9);
  for (const auto& file : files) {
    CAPTURE(file.filename().string());
    const Run a = run_file(file);
#ifndef ECSIM_SANITIZER_BUILD
    // The sanitizer build runs each scenario once (tests/CMakeLists.txt): the release build proves
    // determinism, and a second run under the sanitizers finds nothing the first did not.
    const Run b = run_file(file);
    REQUIRE(a.events.size() == b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i)
      REQUIRE(to_json_line(a.events[i]) == to_json_line(b.events[i]));
    CHECK(a.summary.dump() == b.summary.dump());
#endif

    std::map<std::string, const EventRecord*> last;  // per task, its previous event
    std::set<std::string> tasks;
    for (std::size_t i = 0; i < a.events.size(); ++i) {
      const EventRecord& e = a.events[i];
      if (i) REQUIRE(e.time >= a.events[i - 1].time);
      if (e.detail_type != "ECS Task State Change") continue;
      const std::string arn = e.detail["taskArn"];
      const std::string state = e.detail["lastStatus"];
      REQUIRE(rank(state) >= 0);
      if (const auto it = last.find(arn); it != last.end()) {
        const auto& prev = it->second->detail;
        // lastStatus only moves forward (1.1); desiredStatus never returns to RUNNING (1.2).
        CHECK_MESSAGE(rank(state) >= rank(prev["lastStatus"]), arn);
        if (prev["desiredStatus"] == "STOPPED") CHECK(e.detail["desiredStatus"] == "STOPPED");
      } else {
        CHECK((state == "PROVISIONING" || state == "PENDING"));
        tasks.insert(arn);
      }
      if (state == "STOPPED") {
        CHECK(e.detail["desiredStatus"] == "STOPPED");
        CHECK(e.detail.contains("stopCode"));
        CHECK(e.detail.contains("stoppedAt"));
      }
      last[arn] = &e;
    }
    // The summary agrees with the event stream.
    CHECK(a.summary["tasks"]["started"].get<std::size_t>() == tasks.size());
    std::size_t stopped = 0;
    for (const auto& [arn, e] : last)
      stopped += e->detail["lastStatus"] == "STOPPED";
    const auto& by_state = a.summary["tasks"]["byLastStatus"];
    CHECK(stopped == (by_state.contains("STOPPED") ? by_state["STOPPED"].get<std::size_t>() : 0));
  }
}

TEST_CASE("ecs-reference 4.2: binpack on memory uses fewer instances than spread on instanceId") {
  const Run binpack = run_file(ECSIM_SOURCE_DIR "/scenarios/placement-binpack-memory.json");
  const Run spread = run_file(ECSIM_SOURCE_DIR "/scenarios/placement-spread-instance.json");
  const auto b = per_instance_at_first_minute(binpack, "family:web");
  const auto s = per_instance_at_first_minute(spread, "family:web");
  CHECK(b.size() < s.size());
  // spread on instanceId: 18 web tasks on 9 instances, 2 on each.
  CHECK(s.size() == 9);
  for (const auto& [inst, n] : s)
    CHECK(n == 2);
}

TEST_CASE("ecs-reference 4.2: spread on the zone attribute keeps a group balanced across zones") {
  const Run run = run_file(ECSIM_SOURCE_DIR "/scenarios/placement-spread-az.json");
  for (const char* group : {"family:web", "family:cache"}) {
    std::map<std::string, int> per_zone;
    for (const auto& [task, where] : placements(run, group))
      ++per_zone[where.second];
    CAPTURE(group);
    REQUIRE(per_zone.size() == 3);
    const auto [lo, hi] = std::minmax_element(per_zone.begin(), per_zone.end(),
                                              [](auto& x, auto& y) { return x.second < y.second; });
    CHECK(hi->second - lo->second <= 1);
  }
}

TEST_CASE("ecs-reference 4.3: memberOf and distinctInstance are binding") {
  const Run run = run_file(ECSIM_SOURCE_DIR "/scenarios/placement-constraints.json");
  // Web tasks only on prod instances (m5.*) in zones a and b: instances 1, 2, 4, 5.
  for (const auto& [task, where] : placements(run, "family:web")) {
    CHECK((where.second == "us-east-1a" || where.second == "us-east-1b"));
    const std::string id = where.first.substr(where.first.size() - 1);
    CHECK(std::string("1245").find(id) != std::string::npos);
  }
  std::set<std::string> ring_instances;
  const auto ring = placements(run, "cache-ring");
  for (const auto& [task, where] : ring)
    ring_instances.insert(where.first);
  CHECK(ring.size() == 9);
  CHECK(ring_instances.size() == 9);
  CHECK(run.summary["placementFailures"]["ATTRIBUTE"] == 1);
}

TEST_CASE("ecs-reference 4.5: each failure reason appears in the failures scenario") {
  const Run run = run_file(ECSIM_SOURCE_DIR "/scenarios/placement-failures.json");
  const auto& f = run.summary["placementFailures"];
  CHECK(f["RESOURCE:MEMORY"] == 1);  // 9000 MiB > 7985 MiB registered on an m5.large (3.2)
  CHECK(f["RESOURCE:PORTS"] == 1);   // hostPort 8080 once per instance, two instances (2.3)
  CHECK(f["RESOURCE:ENI"] == 1);     // 2 awsvpc tasks per m5.large (2.4): 4 of 5 placed
  CHECK(f["RESOURCE:CPU"] == 2);     // 2048 units asked; 2048 - 2 x 128 left
  for (const auto* e : run.of_type("ecsim API Call Failure"))
    for (const auto& failure : e->detail["failures"]) {
      CHECK(failure.contains("arn"));
      CHECK(failure["detail"].get<std::string>().find("closest matching container-instance") !=
            std::string::npos);
    }
}

TEST_CASE("ecs-reference 6.1: the rolling update scenarios keep within their bounds") {
  const Run surge = run_file(ECSIM_SOURCE_DIR "/scenarios/service-rolling-surge.json");
  const auto& s = surge.summary["services"]["web"]["deployments"][1];
  CHECK(s["rolloutState"] == "COMPLETED");
  CHECK(s["peakTasks"] == 8);                // floor(4 x 200%)
  CHECK(s["minimumHealthyTasksSeen"] == 4);  // ceil(4 x 100%)
  const Run full = run_file(ECSIM_SOURCE_DIR "/scenarios/service-rolling-full-cluster.json");
  const auto& f = full.summary["services"]["web"]["deployments"][1];
  CHECK(f["rolloutState"] == "COMPLETED");
  CHECK(f["peakTasks"].get<int>() <= 6);                // maximumPercent 100
  CHECK(f["minimumHealthyTasksSeen"].get<int>() >= 3);  // ceil(6 x 50%)
}

TEST_CASE("ecs-reference 6.3: the circuit breaker scenario fails at 10 and rolls back") {
  const Run run = run_file(ECSIM_SOURCE_DIR "/scenarios/service-circuit-breaker-rollback.json");
  const auto& deps = run.summary["services"]["web"]["deployments"];
  REQUIRE(deps.size() == 3);
  CHECK(deps[1]["rolloutState"] == "FAILED");
  CHECK(deps[1]["failedTasks"] == 10);
  CHECK(deps[2]["rolloutState"] == "COMPLETED");
  CHECK(run.summary["services"]["web"]["runningCount"] == 3);
}

TEST_CASE("ecs-reference 5.1: the daemon scenario ends with one task per ACTIVE instance") {
  const Run run = run_file(ECSIM_SOURCE_DIR "/scenarios/service-daemon.json");
  // 5 instances: one DRAINING, one terminated -> 3 ACTIVE.
  CHECK(run.summary["services"]["log-agent"]["desiredCount"] == 3);
  CHECK(run.summary["services"]["log-agent"]["runningCount"] == 3);
}

TEST_CASE(
    "ecs-reference 9.1: on the same requests, least outstanding requests beats round robin, "
    "which beats random, on p99") {
  const Run run = run_file(ECSIM_SOURCE_DIR "/scenarios/load-balancer-algorithms.json");
  std::map<std::string, double> p99;
  for (const auto& g : run.summary["requests"]["targetGroups"]) {
    p99[g["algorithm"].get<std::string>()] = g["latencyMs"]["p99"].get<double>();
    CHECK(g["total"] == run.summary["requests"]["targetGroups"][0]["total"]);  // same requests
  }
  CHECK(p99["least_outstanding_requests"] < p99["round_robin"]);
  CHECK(p99["round_robin"] < p99["weighted_random"]);
}
