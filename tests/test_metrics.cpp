// metrics.csv: CloudWatch-like periodic metrics. CPUReservation and MemoryReservation are
// time-weighted averages over each period of reserved / registered, over ACTIVE and DRAINING
// instances; task counts describe the state at the end of the period [t0, t1).
#include <cmath>
#include <sstream>

#include <doctest/doctest.h>

#include "support/run_helpers.hpp"

using namespace ecsim;

namespace {

MetricsTable metrics_of(const std::string& timeline, const std::string& instances = "1") {
  const std::string text = R"({"duration": "5m", "metricsPeriod": "60s",
    "cluster": {"clusterName": "c", "containerInstances": [{"instanceType": "m5.large", "availabilityZone": "a", "count": )" +
                           instances + R"(}]},
    "timing": {"agentPickup": 0, "containerStart": 0, "defaultImageSizeMiB": 0, "deactivation": 0, "sigtermExit": 0},
    "taskDefinitions": [{"family": "w", "containerDefinitions": [{"name": "x", "image": "x", "cpu": 512, "memory": 2000, "memoryReservation": 1000}]}],
    "timeline": )" + timeline +
                           "}";
  // The Scenario is a temporary: the Simulation must keep its own copy.
  Simulation sim(load_scenario_text(text));
  sim.run();
  return sim.metrics();
}

double value(const MetricsTable& m, double t, const std::string& entity,
             const std::string& metric) {
  std::size_t col = 0;
  while (m.metric_names[col] != metric)
    ++col;
  for (const auto& row : m.rows)
    if (row.t == t && row.entity == entity) return row.values[col];
  FAIL("no row for " << entity << " at " << t);
  return 0;
}

}  // namespace

TEST_CASE("CPU and memory reservation are time-weighted over the period") {
  // One m5.large: 2048 CPU units, 7985 MiB. A task of 512 units and a 1000 MiB soft limit
  // (memoryReservation is what the instance reserves, ecs-reference 2.1) placed at 30 s.
  auto m = metrics_of(R"([{"at": "30s", "action": "RunTask", "input": {"taskDefinition": "w"}}])");
  CHECK(value(m, 0, "c", "CPUReservation") == doctest::Approx(100.0 * 512 / 2048 * 30 / 60));
  CHECK(value(m, 60, "c", "CPUReservation") == doctest::Approx(25.0));
  CHECK(value(m, 60, "c", "MemoryReservation") == doctest::Approx(100.0 * 1000 / 7985));
  CHECK(value(m, 60, "i-00000000000000001", "CPUReservation") == doctest::Approx(25.0));
  CHECK(value(m, 60, "family:w", "RunningTaskCount") == 1);
}

TEST_CASE("reservations end when the task is STOPPED; two instances are averaged by capacity") {
  // Two instances; two tasks at 0 s (both count for the cluster), one stopped at 90 s. With zero
  // stop timings it is STOPPED at 90 s: period [60, 120) holds 2 tasks for 30 s and 1 for 30 s.
  auto m =
      metrics_of(R"([{"at": 0, "action": "RunTask", "input": {"taskDefinition": "w", "count": 2}},
                          {"at": "90s", "action": "StopTask", "input": {"group": "family:w"}}])",
                 "2");
  CHECK(value(m, 0, "c", "CPUReservation") == doctest::Approx(100.0 * 1024 / 4096));
  CHECK(value(m, 60, "c", "CPUReservation") ==
        doctest::Approx(100.0 * (1024 * 30 + 512 * 30) / (4096 * 60.0)));
  CHECK(value(m, 120, "c", "CPUReservation") == doctest::Approx(100.0 * 512 / 4096));
  CHECK(value(m, 0, "c", "ContainerInstanceCount") == 2);
}

TEST_CASE("an event at a period boundary belongs to the next period") {
  auto m = metrics_of(R"([{"at": "60s", "action": "RunTask", "input": {"taskDefinition": "w"}}])");
  CHECK(value(m, 0, "c", "CPUReservation") == 0);
  CHECK(value(m, 0, "c", "PendingTaskCount") == 0);
  CHECK(value(m, 60, "c", "CPUReservation") == doctest::Approx(25.0));
}

TEST_CASE("placement failures are counted in the period they happen") {
  auto m = metrics_of(
      R"([{"at": "70s", "action": "RunTask", "input": {"taskDefinition": "w", "count": 10}}])");
  // 7985 MiB / 1000 MiB = 7 tasks fit (CPU allows 4: 2048 / 512) -> 4 placed, 6 fail.
  CHECK(value(m, 60, "c", "PlacementFailures") == 6);
  CHECK(value(m, 120, "c", "PlacementFailures") == 0);
  CHECK(value(m, 60, "c", "CPUReservation") == doctest::Approx(100.0 * 50 / 60));
}

TEST_CASE("a run that is not a whole number of periods ends with a shorter period") {
  const std::string text =
      R"({"duration": "90s", "cluster": {"containerInstances": [{"instanceType": "m5.large", "availabilityZone": "a"}]},
    "taskDefinitions": [{"family": "w", "containerDefinitions": [{"name": "x", "image": "x", "cpu": 1024, "memory": 64}]}],
    "timeline": [{"at": "75s", "action": "RunTask", "input": {"taskDefinition": "w"}}]})";
  Simulation sim(load_scenario_text(text));
  sim.run();
  const auto& m = sim.metrics();
  // Periods start at 0 and 60; the last covers [60, 90), half of it with 1024 of 2048 units.
  CHECK(value(m, 60, "default", "CPUReservation") ==
        doctest::Approx(100.0 * 1024 * 15 / (2048 * 30.0)));
  for (const auto& row : m.rows)
    CHECK(row.t < 90);
}

TEST_CASE(
    "metrics.csv: a header, one row per period and entity, empty cells where not applicable") {
  auto m = metrics_of(R"([{"at": 0, "action": "RunTask", "input": {"taskDefinition": "w"}}])");
  const std::string csv = m.to_csv();
  std::istringstream lines(csv);
  std::string header;
  std::getline(lines, header);
  CHECK(header ==
        "t,entityType,entity,CPUReservation,MemoryReservation,RunningTaskCount,"
        "PendingTaskCount,ContainerInstanceCount,PlacementFailures");
  std::string first;
  std::getline(lines, first);
  CHECK(first == "0,cluster,c,25,12.5235,1,0,1,0");
  std::string instance_row;
  std::getline(lines, instance_row);
  CHECK(instance_row == "0,instance,i-00000000000000001,25,12.5235,1,,,");
  // 5 periods x (cluster + instance + group) rows.
  CHECK(m.rows.size() == 15);
}
