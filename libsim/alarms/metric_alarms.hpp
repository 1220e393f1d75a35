// CloudWatch-like metric alarms over the run's periodic metrics (metrics.csv).
//
// Each alarm watches one column of one entity's rows (Namespace + Dimension pick the entity type
// and name, MetricName and Statistic pick the column). Its Period is a whole number of the
// scenario's metrics periods: datapoints are the Sum / Average / Maximum / Minimum of the periods
// it spans (percentiles need Period = metricsPeriod). After each datapoint the alarm looks at the
// last EvaluationPeriods datapoints and is in ALARM when at least DatapointsToAlarm of them breach
// the threshold ("M out of N"); missing datapoints follow TreatMissingData. The first state is
// INSUFFICIENT_DATA, as in CloudWatch.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "ecsim/metrics.hpp"
#include "ecsim/scenario.hpp"

namespace ecsim::detail {

enum class AlarmState { kInsufficientData, kOk, kAlarm };
const char* to_string(AlarmState s);

struct AlarmChange {
  std::size_t alarm = 0;
  AlarmState from = AlarmState::kInsufficientData;
  AlarmState to = AlarmState::kInsufficientData;
  std::string reason;  // CloudWatch-style stateReason
  double t = 0;        // end of the datapoint's period, seconds
};

// The metrics.csv column and entity type an alarm reads, or an error message. Used at load time
// to check the alarm names something ecsim reports.
struct AlarmSource {
  std::string entity_type;
  std::string column;
};
std::optional<AlarmSource> alarm_source(const MetricAlarmSpec& spec, std::string* error);

class MetricAlarms {
 public:
  MetricAlarms(std::vector<MetricAlarmSpec> specs, Duration metrics_period);

  // Feeds the rows of the metrics period that ended at `period_end` (rows of other periods in
  // `table` are ignored by their t). Returns the state changes, in alarm order.
  std::vector<AlarmChange> close_period(const MetricsTable& table, std::size_t first_row,
                                        TimePoint period_end);

  std::optional<std::size_t> find(const std::string& name) const;
  AlarmState state(std::size_t alarm) const { return alarms_[alarm].state; }
  // The newest datapoint, if it was not missing.
  std::optional<double> last_datapoint(std::size_t alarm) const {
    const auto& d = alarms_[alarm].datapoints;
    return d.empty() ? std::nullopt : d.back();
  }
  const MetricAlarmSpec& spec(std::size_t alarm) const { return alarms_[alarm].spec; }
  std::size_t size() const { return alarms_.size(); }

 private:
  struct Alarm {
    MetricAlarmSpec spec;
    AlarmSource source;
    int periods_per_datapoint = 1;
    int periods_seen = 0;        // metrics periods folded into the open datapoint
    std::optional<double> open;  // the datapoint being aggregated
    int open_count = 0;
    std::deque<std::optional<double>> datapoints;  // newest last, at most EvaluationPeriods
    AlarmState state = AlarmState::kInsufficientData;
  };
  void fold(Alarm& a, std::optional<double> value) const;
  std::optional<AlarmChange> evaluate(std::size_t index, double t);

  std::vector<Alarm> alarms_;
  Duration metrics_period_;
};

}  // namespace ecsim::detail
