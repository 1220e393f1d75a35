// MetricsTable: the run's CloudWatch-like time series (metrics.csv).
//
// One row per period and entity, in period order, then by entity type and name. Columns are the
// union of the metric names every entity type reports; a value that does not apply to an entity is
// NaN (an empty cell in the CSV). Periods are `metricsPeriod` long (60 s by default, like
// CloudWatch); `t` is the period's start in seconds. Values are computed from simulated state only,
// so the table is byte-identical for the same scenario and seed.
#pragma once

#include <string>
#include <vector>

namespace ecsim {

struct MetricsTable {
  struct Row {
    double t = 0;                // period start, seconds since the run began
    std::string entity_type;     // "cluster", "instance", "group"
    std::string entity;          // cluster name, EC2 instance id, task group
    std::vector<double> values;  // one per metric column; NaN where it does not apply
  };

  std::vector<std::string> metric_names;  // the value columns, in order
  std::vector<Row> rows;

  // "t,entityType,entity,<metric names>" then one line per row.
  std::string to_csv() const;
};

}  // namespace ecsim
