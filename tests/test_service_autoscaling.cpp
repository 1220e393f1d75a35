// Service auto scaling (ecs-reference 10) over a whole run: target tracking alarms (M of M above
// the target, N of N below it), the capacity formula, cooldowns, min and max capacity, scheduled
// actions, scale-in suspended during deployments, and step scaling.
#include <cmath>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"
#include "ecsim/simulation.hpp"

#include "support/run_helpers.hpp"

namespace {

using Json = nlohmann::json;

struct Activity {
  double t;
  int from, to;
  std::string cause;
};

struct ScalingRun {
  std::vector<Activity> activities;
  std::vector<std::pair<double, double>> deployments;  // [start, end) of IN_PROGRESS
  std::map<double, double> cpu;                        // period start -> service CPUUtilization
};

ScalingRun run(const Json& scenario) {
  ScalingRun out;
  ecsim::RunOptions options;
  options.check_invariants = true;
  ecsim::Simulation sim(ecsim::load_scenario_text(scenario.dump()), options);
  std::map<std::string, double> started;
  sim.on_event().connect([&](const ecsim::EventRecord& e) {
    const double t = ecsim::to_seconds(e.time);
    if (e.detail_type == "ecsim Scaling Activity")
      out.activities.push_back({t, e.detail["fromDesiredCount"].get<int>(),
                                e.detail["toDesiredCount"].get<int>(),
                                e.detail["cause"].get<std::string>()});
    if (e.detail_type == "ECS Deployment State Change") {
      const std::string id = e.detail["deploymentId"];
      if (e.detail["eventName"] == "SERVICE_DEPLOYMENT_IN_PROGRESS")
        started[id] = t;
      else
        out.deployments.emplace_back(started[id], t);
    }
  });
  sim.run();
  const auto& m = sim.metrics();
  std::size_t c = 0;
  while (m.metric_names[c] != "CPUUtilization")
    ++c;
  for (const auto& row : m.rows)
    if (row.entity_type == "service" && row.entity == "api") out.cpu[row.t] = row.values[c];
  return out;
}

Json base() {
  return ecsim::testing::scenario_json("autoscaling-daily-cycle");
}

// The datapoints of the `n` periods that ended at `t`.
std::vector<double> last(const ScalingRun& r, double t, int n) {
  std::vector<double> out;
  for (int k = n; k >= 1; --k) {
    auto it = r.cpu.find(t - 60.0 * k);
    out.push_back(it == r.cpu.end() ? NAN : it->second);
  }
  return out;
}

}  // namespace

TEST_CASE("10 target tracking: 3 minutes above to scale out, 15 below to scale in, ceil/floor") {
  const ScalingRun r = run(base());
  REQUIRE(r.activities.size() >= 6);
  int outs = 0, ins = 0;
  std::optional<double> last_in, last_out;
  for (const Activity& a : r.activities) {
    CAPTURE(a.t);
    if (a.cause.find("scheduled action") != std::string::npos) continue;
    CHECK(a.to >= 2);
    CHECK(a.to <= 20);
    if (a.to > a.from) {
      ++outs;
      CHECK(a.cause.find("AlarmHigh") != std::string::npos);
      for (double v : last(r, a.t, 3))
        CHECK(v > 50.0);
      // ceil(current x metric / target), with the newest datapoint.
      const double metric = last(r, a.t, 1)[0];
      CHECK(a.to == std::min(20, static_cast<int>(std::ceil(a.from * metric / 50.0 - 1e-9))));
      last_out = a.t;
    } else {
      ++ins;
      CHECK(a.cause.find("AlarmLow") != std::string::npos);
      for (double v : last(r, a.t, 15))
        CHECK(v < 45.0);
      const double metric = last(r, a.t, 1)[0];
      CHECK(a.to == std::max(2, static_cast<int>(std::floor(a.from * metric / 50.0 + 1e-9))));
      // ScaleInCooldown 300 s, after a scale-in and after a scale-out.
      if (last_in) CHECK(a.t - *last_in >= 300);
      if (last_out) CHECK(a.t - *last_out >= 300);
      // Scale-in is suspended while a deployment is in progress (6.1, 10).
      for (const auto& [from, to] : r.deployments)
        CHECK(!(a.t >= from && a.t < to));
      last_in = a.t;
    }
  }
  CHECK(outs >= 4);
  CHECK(ins >= 2);
}

TEST_CASE("10 scheduled actions set the range at their time, ignoring cooldowns") {
  Json s = base();
  // Raise the minimum to 16 at 1h40m, when the service runs fewer tasks, and lower it at 3h.
  s["autoScaling"][0]["ScheduledActions"] = {{{"ScheduledActionName", "raise"},
                                              {"Schedule", "at(2025-01-01T01:40:00)"},
                                              {"ScalableTargetAction", {{"MinCapacity", 16}}}},
                                             {{"ScheduledActionName", "lower"},
                                              {"Schedule", "at(2025-01-01T03:00:00)"},
                                              {"ScalableTargetAction", {{"MinCapacity", 2}}}}};
  const ScalingRun r = run(s);
  bool raised = false;
  int desired = 4;
  for (const Activity& a : r.activities) {
    if (a.t >= 6000 && a.t < 10800) CHECK(a.to >= 16);
    if (a.t == 6000) {
      raised = a.to == 16 && a.from < 16;
      CHECK(a.cause.find("scheduled action raise") != std::string::npos);
    }
    desired = a.to;
  }
  CHECK(raised);
  CHECK(desired < 16);  // after 3h the minimum is 2 again and scale-in follows the load
}

TEST_CASE("10 step scaling: adjustments by how far the alarm's threshold is breached") {
  Json s = base();
  s["autoScaling"][0]["ScalingPolicies"] = {
      {{"PolicyName", "steps"},
       {"PolicyType", "StepScaling"},
       {"StepScalingPolicyConfiguration",
        {{"AdjustmentType", "ChangeInCapacity"},
         {"Cooldown", 120},
         {"StepAdjustments",
          {{{"MetricIntervalLowerBound", 0},
            {"MetricIntervalUpperBound", 20},
            {"ScalingAdjustment", 1}},
           {{"MetricIntervalLowerBound", 20}, {"ScalingAdjustment", 3}}}}}}}};
  s["autoScaling"][0].erase("ScheduledActions");
  s["alarms"] = {{{"AlarmName", "cpu-high"},
                  {"Namespace", "AWS/ECS"},
                  {"MetricName", "CPUUtilization"},
                  {"Dimensions", {{{"Name", "ServiceName"}, {"Value", "api"}}}},
                  {"Statistic", "Average"},
                  {"Period", 60},
                  {"EvaluationPeriods", 2},
                  {"Threshold", 60},
                  {"ComparisonOperator", "GreaterThanThreshold"},
                  {"AlarmActions",
                   {"arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1:resource/ecs/"
                    "service/shop/api:policyName/steps"}}}};
  const ScalingRun r = run(s);
  REQUIRE(!r.activities.empty());
  std::optional<double> previous;
  for (const Activity& a : r.activities) {
    CAPTURE(a.t);
    CHECK(a.to > a.from);  // this policy only scales out
    const auto points = last(r, a.t, 2);
    for (double v : points)
      CHECK(v > 60);
    CHECK(a.to - a.from == (points[1] - 60 >= 20 ? 3 : 1));
    if (previous) CHECK(a.t - *previous >= 120);  // Cooldown
    previous = a.t;
  }
}
