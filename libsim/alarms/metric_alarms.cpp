#include "alarms/metric_alarms.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ecsim::detail {

const char* to_string(AlarmState s) {
  switch (s) {
    case AlarmState::kInsufficientData:
      return "INSUFFICIENT_DATA";
    case AlarmState::kOk:
      return "OK";
    case AlarmState::kAlarm:
      return "ALARM";
  }
  return "?";
}

namespace {

struct KnownMetric {
  const char* ns;
  const char* name;
  const char* entity_type;  // the dimension it takes, as metrics.csv's entityType
  const char* dimension;
};

// What ecsim reports, by CloudWatch namespace and metric name (metrics.csv columns).
const KnownMetric kKnown[] = {
    {"AWS/ApplicationELB", "RequestCount", "targetGroup", "TargetGroup"},
    {"AWS/ApplicationELB", "RequestCount", "loadBalancer", "LoadBalancer"},
    {"AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", "targetGroup", "TargetGroup"},
    {"AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", "loadBalancer", "LoadBalancer"},
    {"AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "targetGroup", "TargetGroup"},
    {"AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "loadBalancer", "LoadBalancer"},
    {"AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "targetGroup", "TargetGroup"},
    {"AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "loadBalancer", "LoadBalancer"},
    {"AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "loadBalancer", "LoadBalancer"},
    {"AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "targetGroup", "TargetGroup"},
    {"AWS/ApplicationELB", "HTTPCode_ELB_502_Count", "loadBalancer", "LoadBalancer"},
    {"AWS/ApplicationELB", "HTTPCode_ELB_503_Count", "loadBalancer", "LoadBalancer"},
    {"AWS/ApplicationELB", "HTTPCode_ELB_504_Count", "loadBalancer", "LoadBalancer"},
    {"AWS/ApplicationELB", "TargetResponseTime", "targetGroup", "TargetGroup"},
    {"AWS/ApplicationELB", "HealthyHostCount", "targetGroup", "TargetGroup"},
    {"AWS/ApplicationELB", "UnHealthyHostCount", "targetGroup", "TargetGroup"},
    {"AWS/ApplicationELB", "RequestCountPerTarget", "targetGroup", "TargetGroup"},
    {"AWS/ECS", "CPUUtilization", "service", "ServiceName"},
    {"AWS/ECS", "MemoryUtilization", "service", "ServiceName"},
    {"AWS/ECS", "CPUReservation", "cluster", "ClusterName"},
    {"AWS/ECS", "MemoryReservation", "cluster", "ClusterName"},
};

}  // namespace

std::optional<AlarmSource> alarm_source(const MetricAlarmSpec& spec, std::string* error) {
  std::string valid;
  for (const KnownMetric& k : kKnown) {
    if (spec.metric_namespace != k.ns) continue;
    if (spec.metric_name == k.name && spec.dimension_name == k.dimension) {
      AlarmSource source{k.entity_type, k.name};
      // TargetResponseTime is kept as percentiles and a maximum per period.
      if (spec.metric_name == "TargetResponseTime") {
        if (spec.statistic == "Maximum")
          source.column = "TargetResponseTime_max";
        else if (spec.statistic.rfind('p', 0) == 0)
          source.column = "TargetResponseTime_" + spec.statistic;
        else {
          if (error)
            *error =
                "TargetResponseTime takes ExtendedStatistic p50, p90 or p99, or "
                "Statistic Maximum";
          return std::nullopt;
        }
      } else if (spec.statistic.rfind('p', 0) == 0) {
        if (error) *error = "percentiles are kept for TargetResponseTime only";
        return std::nullopt;
      }
      return source;
    }
    if (valid.find(std::string(k.name) + " (") == std::string::npos)
      valid += std::string(valid.empty() ? "" : ", ") + k.name + " (" + k.dimension + ")";
  }
  if (error)
    *error = "ecsim does not report " + spec.metric_name + " by " + spec.dimension_name + " in " +
             spec.metric_namespace + "; it reports " + valid;
  return std::nullopt;
}

MetricAlarms::MetricAlarms(std::vector<MetricAlarmSpec> specs, Duration metrics_period)
    : metrics_period_(metrics_period) {
  for (MetricAlarmSpec& spec : specs) {
    Alarm a;
    auto source = alarm_source(spec, nullptr);
    if (source) a.source = *source;  // else it never finds data: validated at load
    a.periods_per_datapoint =
        static_cast<int>(std::max<std::int64_t>(1, spec.period.count() / metrics_period.count()));
    a.spec = std::move(spec);
    alarms_.push_back(std::move(a));
  }
}

std::optional<std::size_t> MetricAlarms::find(const std::string& name) const {
  for (std::size_t i = 0; i < alarms_.size(); ++i)
    if (alarms_[i].spec.name == name) return i;
  return std::nullopt;
}

void MetricAlarms::fold(Alarm& a, std::optional<double> value) const {
  if (!value) return;
  if (!a.open) {
    a.open = value;
    a.open_count = 1;
    return;
  }
  const std::string& stat = a.spec.statistic;
  if (stat == "Sum" || stat == "Average")
    *a.open += *value;
  else if (stat == "Maximum")
    a.open = std::max(*a.open, *value);
  else if (stat == "Minimum")
    a.open = std::min(*a.open, *value);
  ++a.open_count;
}

std::vector<AlarmChange> MetricAlarms::close_period(const MetricsTable& table,
                                                    std::size_t first_row, TimePoint period_end) {
  std::vector<AlarmChange> changes;
  for (std::size_t i = 0; i < alarms_.size(); ++i) {
    Alarm& a = alarms_[i];
    const auto column =
        std::find(table.metric_names.begin(), table.metric_names.end(), a.source.column);
    std::optional<double> value;
    if (column != table.metric_names.end()) {
      const auto c = static_cast<std::size_t>(column - table.metric_names.begin());
      for (std::size_t r = first_row; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        if (row.entity_type == a.source.entity_type && row.entity == a.spec.dimension_value &&
            c < row.values.size() && !std::isnan(row.values[c]))
          value = row.values[c];
      }
    }
    fold(a, value);
    if (++a.periods_seen < a.periods_per_datapoint) continue;
    std::optional<double> datapoint = a.open;
    if (datapoint && a.spec.statistic == "Average") *datapoint /= a.open_count;
    a.open.reset();
    a.open_count = 0;
    a.periods_seen = 0;
    a.datapoints.push_back(datapoint);
    while (static_cast<int>(a.datapoints.size()) > a.spec.evaluation_periods)
      a.datapoints.pop_front();
    if (auto change = evaluate(i, to_seconds(period_end))) changes.push_back(std::move(*change));
  }
  return changes;
}

std::optional<AlarmChange> MetricAlarms::evaluate(std::size_t index, double t) {
  Alarm& a = alarms_[index];
  const MetricAlarmSpec& s = a.spec;
  auto breaches = [&](double v) {
    if (s.comparison == "GreaterThanThreshold") return v > s.threshold;
    if (s.comparison == "GreaterThanOrEqualToThreshold") return v >= s.threshold;
    if (s.comparison == "LessThanThreshold") return v < s.threshold;
    return v <= s.threshold;
  };
  int breaching = 0, present = 0;
  std::optional<double> last;
  for (const auto& d : a.datapoints) {
    if (d) {
      ++present;
      breaching += breaches(*d);
      last = d;
    } else if (s.treat_missing_data == "breaching") {
      ++breaching;
    }
  }
  AlarmState next = a.state;
  if (breaching >= s.datapoints_to_alarm) {
    next = AlarmState::kAlarm;
  } else if (present == 0 && s.treat_missing_data != "notBreaching" &&
             s.treat_missing_data != "breaching") {
    // All missing: "missing" gives INSUFFICIENT_DATA, "ignore" keeps the state.
    if (s.treat_missing_data == "missing") next = AlarmState::kInsufficientData;
  } else {
    next = AlarmState::kOk;
  }
  if (next == a.state) return std::nullopt;
  AlarmChange change;
  change.alarm = index;
  change.from = a.state;
  change.to = next;
  change.t = t;
  char buffer[200];
  if (last)
    std::snprintf(buffer, sizeof buffer,
                  "Threshold Crossed: %d out of the last %d datapoints breached; the most recent "
                  "was %.6g (%s %.6g).",
                  breaching, static_cast<int>(a.datapoints.size()), *last, s.comparison.c_str(),
                  s.threshold);
  else
    std::snprintf(buffer, sizeof buffer, "No datapoints in the last %d periods.",
                  static_cast<int>(a.datapoints.size()));
  change.reason = buffer;
  a.state = next;
  return change;
}

}  // namespace ecsim::detail
