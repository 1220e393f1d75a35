// CloudWatch-like metric alarms over the run's metrics: M out of N datapoints, periods spanning
// several metrics periods, missing data, and the load-time checks of what an alarm can watch.
#include <cmath>
#include <limits>

#include <doctest/doctest.h>

#include "ecsim/scenario.hpp"

#include "alarms/metric_alarms.hpp"

namespace {

using ecsim::detail::AlarmState;
using ecsim::detail::MetricAlarms;

ecsim::MetricAlarmSpec five_xx(int n, int m, const std::string& missing = "missing") {
  ecsim::MetricAlarmSpec a;
  a.name = "5xx";
  a.metric_namespace = "AWS/ApplicationELB";
  a.metric_name = "HTTPCode_Target_5XX_Count";
  a.dimension_name = "TargetGroup";
  a.dimension_value = "web";
  a.statistic = "Sum";
  a.period = ecsim::kMinute;
  a.evaluation_periods = n;
  a.datapoints_to_alarm = m;
  a.threshold = 10;
  a.comparison = "GreaterThanThreshold";
  a.treat_missing_data = missing;
  return a;
}

// Feeds one period with `value` for target group "web" (NaN: no row at all).
AlarmState feed(MetricAlarms& alarms, int minute, double value) {
  ecsim::MetricsTable table;
  table.metric_names = {"RequestCount", "HTTPCode_Target_5XX_Count"};
  if (!std::isnan(value)) table.rows.push_back({minute * 60.0, "targetGroup", "web", {100, value}});
  table.rows.push_back({minute * 60.0, "targetGroup", "other", {100, 1000}});
  alarms.close_period(table, 0, ecsim::TimePoint((minute + 1) * ecsim::kMinute));
  return alarms.state(0);
}

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("an alarm starts INSUFFICIENT_DATA and needs M of the last N datapoints to breach") {
  MetricAlarms alarms({five_xx(3, 2)}, ecsim::kMinute);
  CHECK(alarms.state(0) == AlarmState::kInsufficientData);
  CHECK(feed(alarms, 0, 5) == AlarmState::kOk);
  CHECK(feed(alarms, 1, 50) == AlarmState::kOk);     // 1 of 3
  CHECK(feed(alarms, 2, 3) == AlarmState::kOk);      // still 1 of 3
  CHECK(feed(alarms, 3, 11) == AlarmState::kAlarm);  // 50, 3, 11: 2 of 3
  CHECK(feed(alarms, 4, 10) == AlarmState::kOk);     // 3, 11, 10: 10 is not > 10
  // Another entity's rows never count.
  CHECK(feed(alarms, 5, 0) == AlarmState::kOk);
}

TEST_CASE("a Period of several metrics periods sums them into one datapoint") {
  auto spec = five_xx(1, 1);
  spec.period = 3 * ecsim::kMinute;
  MetricAlarms alarms({spec}, ecsim::kMinute);
  CHECK(feed(alarms, 0, 4) == AlarmState::kInsufficientData);  // datapoint not complete
  CHECK(feed(alarms, 1, 4) == AlarmState::kInsufficientData);
  CHECK(feed(alarms, 2, 4) == AlarmState::kAlarm);  // 12 > 10
  CHECK(feed(alarms, 3, 4) == AlarmState::kAlarm);
  CHECK(feed(alarms, 4, 1) == AlarmState::kAlarm);
  CHECK(feed(alarms, 5, 1) == AlarmState::kOk);  // 6
}

TEST_CASE("TreatMissingData: missing, notBreaching, breaching, ignore") {
  {
    MetricAlarms alarms({five_xx(2, 2, "missing")}, ecsim::kMinute);
    feed(alarms, 0, 20);
    CHECK(feed(alarms, 1, 20) == AlarmState::kAlarm);
    CHECK(feed(alarms, 2, kMissing) == AlarmState::kOk);  // only one present datapoint breaches
    CHECK(feed(alarms, 3, kMissing) == AlarmState::kInsufficientData);
  }
  {
    MetricAlarms alarms({five_xx(2, 2, "breaching")}, ecsim::kMinute);
    feed(alarms, 0, kMissing);
    CHECK(feed(alarms, 1, kMissing) == AlarmState::kAlarm);
  }
  {
    MetricAlarms alarms({five_xx(2, 1, "notBreaching")}, ecsim::kMinute);
    CHECK(feed(alarms, 0, kMissing) == AlarmState::kOk);
  }
  {
    MetricAlarms alarms({five_xx(1, 1, "ignore")}, ecsim::kMinute);
    CHECK(feed(alarms, 0, 20) == AlarmState::kAlarm);
    CHECK(feed(alarms, 1, kMissing) == AlarmState::kAlarm);  // the state is kept
  }
}

TEST_CASE("alarms name metrics ecsim reports, with the right dimension and statistic") {
  std::string error;
  auto spec = five_xx(1, 1);
  CHECK(ecsim::detail::alarm_source(spec, &error).has_value());
  spec.metric_name = "TargetResponseTime";
  spec.statistic = "p99";
  auto source = ecsim::detail::alarm_source(spec, &error);
  REQUIRE(source.has_value());
  CHECK(source->column == "TargetResponseTime_p99");
  spec.statistic = "Average";
  CHECK(!ecsim::detail::alarm_source(spec, &error));
  CHECK(error.find("TargetResponseTime takes ExtendedStatistic") != std::string::npos);
  spec.metric_name = "CPUUtilization";
  CHECK(!ecsim::detail::alarm_source(spec, &error));
  CHECK(error.find("does not report CPUUtilization by TargetGroup in AWS/ApplicationELB") !=
        std::string::npos);
}

TEST_CASE("bad alarm input gets JSON Pointers") {
  const std::string base =
      R"({"alarms": [{"AlarmName": "a", "MetricName": "HTTPCode_Target_5XX_Count",
      "Dimensions": [{"Name": "TargetGroup", "Value": "web"}], "Statistic": "Sum", "Period": 90,
      "EvaluationPeriods": 2, "DatapointsToAlarm": 3, "Threshold": 1,
      "ComparisonOperator": "GreaterThanThreshold", "TreatMisingData": "missing"}]})";
  try {
    (void)ecsim::load_scenario_text(base);
    FAIL("expected an error");
  } catch (const ecsim::ScenarioError& e) {
    const std::string what = e.what();
    CHECK(what.find("/alarms/0/Period: 1m30s is not a whole number") != std::string::npos);
    CHECK(what.find("/alarms/0/DatapointsToAlarm: must not exceed EvaluationPeriods") !=
          std::string::npos);
    CHECK(what.find("/alarms/0/TreatMisingData") != std::string::npos);
  }
}
